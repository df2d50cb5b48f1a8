// Search in the browser: builds the real site with the debug zhiku binary (so the
// committed wasm runtime and the real index are what runs), serves it statically
// and drives headless Chromium through the header box, the /search/ page, an XSS
// query, a browser without WebAssembly, and text shards that arrive late or never.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useBuiltSite } from "./lib.mjs";

const TIMEOUT = 20_000;
const site = useBuiltSite({ before, after });

/** A fresh page with generous timeouts that records dialogs and page errors. */
async function openPage(path, { init } = {}) {
  const context = await site.browser.newContext();
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const dialogs = [];
  const errors = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on("pageerror", (e) => errors.push(e.message));
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(site.server.url + path);
  return { page, context, dialogs, errors, requests };
}

/** The URL the build put into data-loader (empty if the site was built without search). */
async function loaderUrl(page) {
  const src = await page.getAttribute("#q", "data-loader");
  assert.ok(src, "the built site has no search runtime (data-loader is empty)");
  return src;
}

test("header box: lazy runtime, highlighted results as you type, ↑ ↓ Enter open a result, Esc clears", async () => {
  // Idle loading is switched off here so the focus trigger is what is tested
  // (lazy-index.test.mjs tests the idle one).
  const { page, context, errors, requests } = await openPage("/", { init: () => { window.requestIdleCallback = () => 0; } });
  const loader = await loaderUrl(page);
  const runtimeDir = loader.slice(0, loader.lastIndexOf("/") + 1);
  assert.deepEqual(requests.filter((p) => p.startsWith(runtimeDir)), [], "nothing of the runtime is fetched before the box is used");

  // "/" focuses the box (site.js), which starts loading the runtime.
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  await page.waitForFunction(() => !!window.zhikuSearch);
  assert.ok(requests.includes(loader), "focusing the box fetched the loader");
  // Typed once the runtime is in: while it compiles, keys wait on the busy
  // page longer than the box's debounce, so prefixes would search (and
  // fetch the text shards of their own hits) before the whole question.
  await page.evaluate(() => window.zhikuSearch.load());

  await page.locator("#q").pressSequentially("二级域名需要备案吗");
  const options = page.locator("#search-results [role=option]");
  await options.first().waitFor();
  assert.equal(await page.getAttribute("#q", "aria-expanded"), "true");
  assert.equal(await page.getAttribute("#q", "role"), "combobox");
  assert.ok(requests.some((p) => p.startsWith(runtimeDir) && p.endsWith(".wasm")), "the wasm module was fetched");
  const n = await options.count();
  assert.ok(n >= 1 && n <= 8, `dropdown shows 1..8 results, got ${n}`);
  assert.match(await page.textContent("#search-results .count"), new RegExp(`${n} 条结果`));
  const marks = await page.locator("#search-results mark").allTextContents();
  assert.ok(marks.length > 0, "matched terms are highlighted");
  for (const m of marks) assert.ok([...m].some((ch) => "二级域名需要备案吗".includes(ch)), `<mark>${m}</mark> is a query term`);
  assert.ok(await page.locator("#search-results .search-result .title mark").count() > 0, "the title is highlighted");
  assert.ok(await page.locator("#search-results .kind").first().textContent(), "each result shows its kind");
  // Snippets follow once the text shards of these hits are in; only those shards are fetched.
  await page.locator("#search-results .snippet mark").first().waitFor();
  const shards = await page.evaluate(() => window.zhikuSearch.load().then((rt) => rt.manifest.texts.length));
  const fetched = new Set(requests.filter((p) => p.startsWith(runtimeDir + "text-")));
  assert.ok(fetched.size >= 1 && fetched.size <= n, `${fetched.size} text shards fetched for ${n} results`);
  assert.ok(fetched.size < shards, `not all ${shards} shards`);

  // ↓ selects the first option, ↓ ↑ move and come back.
  await page.keyboard.press("ArrowDown");
  const first = options.nth(0);
  assert.equal(await first.getAttribute("aria-selected"), "true");
  assert.equal(await page.getAttribute("#q", "aria-activedescendant"), await first.getAttribute("id"));
  if (n > 1) {
    await page.keyboard.press("ArrowDown");
    assert.equal(await options.nth(1).getAttribute("aria-selected"), "true");
    assert.equal(await first.getAttribute("aria-selected"), "false");
    await page.keyboard.press("ArrowUp");
  }
  assert.equal(await first.getAttribute("aria-selected"), "true");
  assert.equal(await page.locator("#search-results [aria-selected=true]").count(), 1);

  const href = await first.locator("a").getAttribute("href");
  const title = (await first.locator(".title").textContent()).trim();
  assert.match(href, /^\//);
  await Promise.all([page.waitForURL(site.server.url + href), page.keyboard.press("Enter")]);
  assert.equal((await page.textContent("h1")).trim(), title, "Enter opened the highlighted result");

  // Tab leaves the box and closes the dropdown; focusing it again reopens it.
  await page.locator("#q").fill("备案");
  await options.first().waitFor();
  await page.keyboard.press("Tab");
  await page.locator("#search-results").waitFor({ state: "hidden" });
  await page.locator("#q").focus();
  await page.locator("#search-results").waitFor({ state: "visible" });

  // Esc closes the dropdown and clears the box.
  await page.locator("#q").fill("备案");
  await options.first().waitFor();
  await page.keyboard.press("Escape");
  assert.equal(await page.inputValue("#q"), "");
  assert.equal(await page.locator("#search-results").isHidden(), true);
  assert.equal(await page.getAttribute("#q", "aria-expanded"), "false");

  // A mouse click on a result opens it as well.
  await page.locator("#q").fill("备案号放在哪里");
  await options.first().waitFor();
  const clicked = await options.nth(0).locator("a").getAttribute("href");
  await Promise.all([page.waitForURL(site.server.url + clicked), options.nth(0).click()]);

  assert.deepEqual(errors, []);
  await context.close();
});

test("a shared /search/?q=&kind= link fills the form, filters, counts, and follows the form in the URL", async () => {
  const q = "域名没有实名认证被驳回";
  // Records the options the UI passes to the real runtime's search().
  const spy = () => {
    window.__searchCalls = [];
    let api;
    Object.defineProperty(window, "zhikuSearch", {
      configurable: true,
      get: () => api,
      set: (v) => {
        api = { ...v, load: (...a) => v.load(...a).then((rt) => ({
          ...rt, search: (query, opts) => {
            const { partial, ...data } = opts || {}; // the callback for early results is not data
            window.__searchCalls.push({ query, ...data });
            return rt.search(query, opts);
          },
        })) };
      },
    });
  };
  const { page, context, errors } = await openPage(`/search/?q=${encodeURIComponent(q)}&kind=rejection`, { init: spy });
  await loaderUrl(page);
  assert.equal(await page.inputValue("#search-page-q"), q);
  assert.equal(await page.inputValue("#search-kind"), "rejection");

  const items = page.locator("#search-page-results > li");
  await items.first().waitFor();
  const n = await items.count();
  assert.equal(await page.getAttribute("#search-status", "data-count"), String(n));
  assert.match(await page.textContent("#search-status"), new RegExp(`${n} 条结果`));
  const kinds = await items.evaluateAll((els) => els.map((e) => e.dataset.kind));
  assert.ok(kinds.every((k) => k === "rejection"), `only rejections: ${kinds}`);
  const hrefs = await items.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.every((h) => h.startsWith("/rejections/")), `rejection pages: ${hrefs}`);
  assert.ok(await page.locator("#search-page-results mark").count() > 0, "matched terms are highlighted");

  // Widening the filter re-runs the search and rewrites the shareable URL.
  await page.selectOption("#search-kind", "");
  await page.waitForFunction(() => !location.search.includes("kind="));
  assert.equal(new URL(page.url()).searchParams.get("q"), q);
  await page.waitForFunction(
    () => [...document.querySelectorAll("#search-page-results > li")].some((li) => li.dataset.kind !== "rejection"),
  );

  // Typing updates the URL (debounced) and the results.
  await page.locator("#search-page-q").fill("备案号放在哪里");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("q") === "备案号放在哪里");
  await page.waitForFunction(() => document.querySelector("#search-status").textContent.includes("条结果"));

  // A province filter goes into the URL too and reaches the engine.
  await page.selectOption("#search-province", "guangdong");
  await page.waitForFunction(() => new URLSearchParams(location.search).get("province") === "guangdong");
  await page.waitForFunction(() => document.querySelector("#search-status").hasAttribute("data-count")
    && !document.querySelector("#search-status").textContent.includes("正在搜索"));
  const last = await page.evaluate(() => window.__searchCalls.at(-1));
  assert.deepEqual(last, { query: "备案号放在哪里", limit: 50, province: "guangdong" });
  assert.equal((await page.evaluate(() => window.__searchCalls[0])).kind, "rejection");

  assert.deepEqual(errors, []);
  await context.close();
});

test("a query containing HTML is shown as text, never run", async () => {
  const evil = "<img src=x onerror=alert(1)>";
  const { page, context, dialogs, errors } = await openPage(`/search/?q=${encodeURIComponent(evil)}`);
  await loaderUrl(page);
  await page.waitForFunction(() => document.querySelector("#search-status").hasAttribute("data-count"));
  assert.equal(await page.inputValue("#search-page-q"), evil);
  assert.ok((await page.textContent("#search-status")).includes(evil), "the status repeats the query as text");

  // The header box (hidden on the search page, which has its own) on another page.
  await page.goto(`${site.server.url}/`);
  await page.locator("#q").fill(evil);
  await page.locator("#search-results .count:not(.loading)").waitFor();

  assert.equal(await page.locator("main img, #search-results img, header img").count(), 0, "no <img> was injected");
  assert.deepEqual(dialogs, [], "no script ran");
  assert.deepEqual(errors, []);
  await context.close();
});

test("without WebAssembly the box and the search page say so and offer browsing by chapter", async () => {
  const init = () => { delete window.WebAssembly; };
  const { page, context, errors } = await openPage("/", { init });
  await loaderUrl(page);
  await page.locator("#q").focus();
  const msg = page.locator("#search-results .search-error");
  await msg.waitFor();
  assert.match(await msg.textContent(), /浏览器无法加载搜索组件（WebAssembly）/);
  assert.equal(await msg.locator("a").getAttribute("href"), "/");
  assert.equal(await page.locator("#search-results").isVisible(), true);

  await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("二级域名")}`);
  const status = page.locator("#search-status .search-error");
  await status.waitFor();
  assert.match(await status.textContent(), /WebAssembly/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("results show before their snippets, and still show when the text shards cannot be fetched", async () => {
  const context = await site.browser.newContext();
  // Hold every text shard until released, then fail them: the result list must not wait.
  let release;
  const held = new Promise((ok) => { release = ok; });
  await context.route(/\/search\/text-\d+\.[0-9a-f]+\.json$/, async (route) => {
    await held;
    await route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("域名没有实名认证被驳回")}`);
  const items = page.locator("#search-page-results > li");
  await items.first().waitFor();
  assert.ok(await items.count() > 0);
  assert.equal(await page.locator("#search-page-results .snippet:not(:empty)").count(), 0, "snippets wait for their shards");
  assert.ok(await page.locator("#search-page-results .title mark").count() > 0, "titles are highlighted at once");

  release();
  // search() resolves with the hits, without snippets, when the shards fail.
  const hits = await page.evaluate((q) => window.zhikuSearch.load().then((rt) => rt.search(q, { limit: 10 })),
    "域名没有实名认证被驳回");
  assert.ok(hits.length > 0);
  assert.ok(hits.every((h) => h.snippet_html === "" && h.text_shard != null), "no snippets without texts");
  // The failed shards leave the list as it is: no error message, no page error.
  assert.equal(await page.locator("#search-status .search-error").count(), 0);
  assert.equal(await page.locator("#search-page-results .snippet:not(:empty)").count(), 0);
  assert.ok(await items.count() > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the search page shows more past 50, takes any province form and suggests pages without a good match", { timeout: 60_000 }, async () => {
  // A broad query fills a page of 50; "show more" appends the next page.
  const { page, context, errors } = await openPage(`/search/?q=${encodeURIComponent("备案")}`);
  const items = page.locator("#search-page-results > li");
  await page.waitForFunction(() => document.querySelectorAll("#search-page-results > li").length === 50, null, { timeout: TIMEOUT });
  const firstPage = await items.evaluateAll((els) => els.map((e) => e.dataset.id));
  await page.locator("button.search-more").click();
  await page.waitForFunction(() => document.querySelectorAll("#search-page-results > li").length > 50, null, { timeout: TIMEOUT });
  const all = await items.evaluateAll((els) => els.map((e) => e.dataset.id));
  assert.deepEqual(all.slice(0, 50), firstPage, "earlier results stay in place");
  assert.equal(new Set(all).size, all.length, "no result twice");
  assert.equal(await page.getAttribute("#search-status", "data-count"), String(all.length));

  // A province written as its abbreviation in a shared link reaches the engine.
  await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("前置审批")}&province=${encodeURIComponent("粤")}`);
  await page.waitForFunction(() => document.querySelector("#search-status").hasAttribute("data-count"), null, { timeout: TIMEOUT });
  const byAbbr = await items.evaluateAll((els) => els.map((e) => e.dataset.id));
  await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("前置审批")}&province=guangdong`);
  await page.waitForFunction(() => document.querySelector("#search-status").hasAttribute("data-count"), null, { timeout: TIMEOUT });
  assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.dataset.id)), byAbbr);
  assert.ok(byAbbr.length > 0);

  // An unknown form is answered with the list of forms.
  await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("前置审批")}&province=${encodeURIComponent("火星")}`);
  await page.waitForFunction(() => document.querySelector("#search-status .search-error"), null, { timeout: TIMEOUT });
  const message = await page.textContent("#search-status");
  assert.match(message, /火星/);
  assert.match(message, /guangdong/);

  // Nothing answers the query: the tool pages and the rejection index are offered.
  await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("量子纠缠")}`);
  await page.locator("#search-suggest a").first().waitFor({ timeout: TIMEOUT });
  const hrefs = await page.locator("#search-suggest a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.some((h) => h.includes("/decision/")), `${hrefs}`);
  assert.ok(hrefs.some((h) => h.endsWith("/rejections/")), `${hrefs}`);
  // A well-answered query gets none.
  await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("备案号")}`);
  await page.waitForFunction(() => document.querySelector("#search-page-results").hasAttribute("data-suggestions"), null, { timeout: TIMEOUT });
  assert.equal(await page.getAttribute("#search-page-results", "data-suggestions"), "0");
  assert.equal(await page.locator("#search-suggest").count(), 0);
  assert.deepEqual(errors.filter((e) => !/火星/.test(e)), []);
  await context.close();
});
