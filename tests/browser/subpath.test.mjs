// A site built with `base_url = "https://example.cn/kb/"` and served under
// /kb/ by a host that answers nothing else: a reader follows links to an
// entry, a province page and a decision tree, searches and runs the name
// checker, and no request leaves /kb/ or fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { buildSite, serveStatic, launch } from "./lib.mjs";

const PREFIX = "/kb/";
const site = {};

before(async () => {
  site.out = buildSite(undefined, undefined, { baseUrl: "https://example.cn/kb/" });
  site.server = await serveStatic(site.out, { prefix: PREFIX });
  site.browser = await launch();
});
after(async () => {
  await site.browser?.close();
  await site.server?.close();
  if (site.out) await rm(site.out, { recursive: true, force: true });
});

test("under /kb/: pages, assets, search and the checker stay inside the path", async () => {
  const page = await site.browser.newPage();
  page.setDefaultTimeout(20_000);
  const requests = [];
  const failures = [];
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("response", (r) => {
    const url = new URL(r.url());
    requests.push(url.pathname);
    if (r.status() >= 400) failures.push(`${r.status()} ${url.pathname}`);
  });
  // A download the page started on idle and a navigation cut short is no failure.
  page.on("requestfailed", (r) => {
    if (r.failure()?.errorText !== "net::ERR_ABORTED") failures.push(`failed ${r.url()}`);
  });

  await page.goto(site.server.url + PREFIX);
  assert.equal(await page.getAttribute("html", "data-root"), PREFIX);
  assert.ok(await page.evaluate(() => getComputedStyle(document.body).fontFamily), "the stylesheet applies");

  // Home → a chapter → its first entry.
  await page.locator(".chapters a, main a[href*='/faq/']").first().click();
  await page.waitForURL(/\/kb\/faq\/[^/]+\/$/);
  await page.locator("main li a[href*='/faq/']").first().click();
  await page.waitForURL(/\/kb\/faq\/[^/]+\/[^/]+\/$/);
  assert.ok(await page.locator("h1").innerText());

  // A province page, then the decision tree from the tools page.
  await page.locator(".top-nav a", { hasText: "各省规则" }).click();
  await page.waitForURL(/\/kb\/provinces\/$/);
  await page.locator("main a[href$='/provinces/guangdong/']").first().click();
  await page.waitForURL(/\/kb\/provinces\/guangdong\/$/);
  await page.locator(".top-nav a", { hasText: "工具" }).click();
  await page.locator("main a[href*='/decision/need-filing/']").first().click();
  await page.waitForURL(/\/kb\/decision\/need-filing\/$/);
  await page.locator(".decision-node:visible a.option").first().click();

  // Search from the header box and open a result.
  await page.locator("#q").click();
  await page.locator("#q").pressSequentially("二级域名需要备案吗");
  const first = page.locator("#search-results [role=option] a").first();
  await first.waitFor();
  assert.match(await first.getAttribute("href"), /^\/kb\//);
  await page.locator("#search-results .search-result .snippet mark").first().waitFor();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/kb\/faq\//);

  // The /search/ page from a shared link.
  await page.goto(`${site.server.url}${PREFIX}search/?q=${encodeURIComponent("备案号")}`);
  await page.locator("#search-page-results li a").first().waitFor();
  // Let the snippets' text shards arrive: leaving the page would abort them.
  await page.waitForLoadState("networkidle");

  // The name checker, with its rule-page links.
  await page.goto(`${site.server.url}${PREFIX}tools/name-check/`);
  await page.selectOption("#nc-province", "guangdong");
  await page.fill("#nc-name", "中国二手商城");
  await page.locator("form[data-tool] button[type=submit]").click();
  const see = page.locator('#tool-result .finding[data-rule="province-forbidden-word"] .see a');
  await see.waitFor();
  assert.equal(await see.getAttribute("href"), "/kb/provinces/guangdong/");

  assert.deepEqual(errors, [], "no script errors");
  assert.deepEqual(failures, [], "no request failed");
  const outside = requests.filter((p) => !p.startsWith(PREFIX));
  assert.deepEqual(outside, [], "every request stays under /kb/");
  assert.ok(requests.some((p) => p.endsWith(".wasm")), "the search and checker modules loaded");
  await page.close();
});
