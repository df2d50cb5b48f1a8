// Headless-Chromium tests of how the real site reads on a desk and on a phone:
// in-page links land below the sticky header, no layout shift, nothing wider
// than a 390 px screen, the matrix keeps its headers in view, axe-core finds
// no violations, printing a decision tree, copying an answer, the feed, and
// the pages without JavaScript.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { useBuiltSite, axeViolations } from "./lib.mjs";

const site = useBuiltSite({ before, after });
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** An entry page with a table of contents, the first the chapter lists. */
async function entryWithToc(page) {
  await page.goto(`${site.server.url}/faq/documents/`);
  const hrefs = await page.locator("ol.entry-list a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  for (const href of hrefs) {
    await page.goto(site.server.url + href);
    if (await page.locator("nav.toc a").count() >= 3) return href;
  }
  throw new Error("no entry with a table of contents in the chapter");
}

/** The heading's top and the sticky header's bottom edge, in viewport pixels. */
function edges(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const head = document.querySelector(".site-header");
    return { top: el.getBoundingClientRect().top, header: head.getBoundingClientRect().bottom, scrolled: window.scrollY };
  }, selector);
}

for (const [name, device] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`in-page links land below the sticky header (${name})`, async () => {
    const context = await site.browser.newContext(device);
    const page = await context.newPage();
    // A TOC link.
    await entryWithToc(page);
    const toc = page.locator("nav.toc a").nth(2);
    const target = decodeURIComponent((await toc.getAttribute("href")).slice(1));
    await toc.click();
    await page.waitForFunction(() => window.scrollY > 0);
    let e = await edges(page, `[id="${target}"]`);
    assert.ok(e.top >= e.header - 0.5, `TOC target at ${e.top}, header ends at ${e.header}`);
    assert.ok(e.top < e.header + 40, `TOC target right below the header (${e.top} vs ${e.header})`);
    // A stage link of the rejection index.
    await page.goto(`${site.server.url}/rejections/`);
    const stage = page.locator("nav.toc.inline a").last();
    const id = (await stage.getAttribute("href")).slice(1);
    await stage.click();
    await page.waitForFunction(() => window.scrollY > 0);
    e = await edges(page, `[id="${id}"] h2`);
    assert.ok(e.top >= e.header - 0.5, `stage heading at ${e.top}, header ends at ${e.header}`);
    await context.close();

    // The decision tree without JavaScript: each answer is an anchor link.
    const nojs = await site.browser.newContext({ ...device, javaScriptEnabled: false });
    const p2 = await nojs.newPage();
    await p2.goto(`${site.server.url}/tools/`);
    const tree = await p2.locator('main a[href^="/decision/"]').first().getAttribute("href");
    await p2.goto(site.server.url + tree);
    const option = p2.locator(".decision-node.start a.option").first();
    const next = (await option.getAttribute("href")).slice(1);
    await option.click();
    await p2.waitForFunction(() => window.scrollY > 0);
    e = await edges(p2, `[id="${next}"] h2`);
    assert.ok(e.top >= e.header - 0.5, `next question at ${e.top}, header ends at ${e.header}`);
    await nojs.close();
  });
}

/** Sum of layout shifts (without recent input), recorded from the start of the page. */
const CLS_OBSERVER = () => {
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
};

for (const [name, device] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`layout shift stays under 0.1: decision tree, search results, entry (${name})`, async (t) => {
    const context = await site.browser.newContext(device);
    await context.addInitScript(CLS_OBSERVER);
    const page = await context.newPage();
    await page.goto(`${site.server.url}/tools/`);
    const tree = await page.locator('main a[href^="/decision/"]').first().getAttribute("href");
    const cls = {};
    await page.goto(site.server.url + tree);
    await page.waitForLoadState("load");
    await page.waitForTimeout(300);
    cls.tree = await page.evaluate(() => window.__cls);

    await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("域名没有实名认证被驳回")}`);
    await page.locator("#search-page-results .snippet mark").first().waitFor();
    await page.waitForTimeout(300);
    cls.search = await page.evaluate(() => window.__cls);

    const entry = await entryWithToc(page);
    await page.goto(site.server.url + entry);
    await page.waitForLoadState("load");
    await page.waitForTimeout(300);
    cls.entry = await page.evaluate(() => window.__cls);
    t.diagnostic(`CLS ${name}: ${Object.entries(cls).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ")}`);
    for (const [k, v] of Object.entries(cls)) assert.ok(v < 0.1, `${k}: CLS ${v.toFixed(3)}`);
    await context.close();
  });
}

/** Pages every layout check visits. */
const PAGES = ["/", "/faq/documents/", "/faq/basics/", "/rejections/", "/rejections/ir-website-name-invalid/",
  "/provinces/", "/provinces/guangdong/", "/provinces/compare/", "/tools/", "/decision/need-filing/",
  "/tools/name-check/", "/tools/preapproval/", "/search/?q=%E5%A4%87%E6%A1%88%E5%8F%B7", "/404.html"];

test("at 390 px no page scrolls sideways; the matrix scrolls inside its frame with headers in view", async () => {
  const context = await site.browser.newContext(PHONE);
  const page = await context.newPage();
  const entry = await entryWithToc(page);
  for (const path of [...PAGES, entry]) {
    await page.goto(site.server.url + path);
    const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: window.innerWidth }));
    assert.ok(w.scroll <= w.view, `${path}: page is ${w.scroll} px wide on a ${w.view} px screen`);
  }
  // Pre-approval results: each category reads as a card, not squeezed columns.
  await page.goto(`${site.server.url}/tools/preapproval/?province=beijing&text=${encodeURIComponent("网络文化、教育培训、医疗器械销售")}`);
  await page.locator("#tool-result[data-state=done]").waitFor();
  const cells = await page.locator("#tool-result table.categories td").evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().width));
  assert.ok(cells.length > 0 && cells.every((w) => w > 250), `result cells are full width: ${cells.slice(0, 5)}`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));

  await page.goto(`${site.server.url}/provinces/compare/`);
  const frame = page.locator(".matrix-scroll");
  const fits = await frame.evaluate((f) => ({ client: f.clientWidth, scroll: f.scrollWidth, tall: f.scrollHeight > f.clientHeight }));
  assert.ok(fits.scroll > fits.client + 100, "the matrix is wider than the screen and scrolls sideways");
  assert.ok(fits.tall, "and downwards inside its frame");
  // Headers do not wrap one character per line.
  const headHeight = await page.locator("#compare thead th").first().evaluate((th) => th.getBoundingClientRect().height);
  assert.ok(headHeight < 40, `header row is one line (${headHeight} px)`);
  await frame.evaluate((f) => { f.scrollLeft = 300; f.scrollTop = 400; });
  const pos = await page.evaluate(() => {
    const f = document.querySelector(".matrix-scroll").getBoundingClientRect();
    const head = document.querySelector("#compare thead th:nth-child(3)").getBoundingClientRect();
    const rows = [...document.querySelectorAll("#compare tbody th")].map((th) => th.getBoundingClientRect());
    const visible = rows.find((r) => r.top >= f.top + head.height && r.bottom <= f.bottom);
    return { frameTop: f.top, frameLeft: f.left, headTop: head.top, rowLeft: visible && visible.left };
  });
  assert.ok(Math.abs(pos.headTop - pos.frameTop) <= 2, `header row stays at the top (${pos.headTop} vs ${pos.frameTop})`);
  assert.ok(pos.rowLeft != null && Math.abs(pos.rowLeft - pos.frameLeft) <= 2, `province column stays at the left (${pos.rowLeft} vs ${pos.frameLeft})`);
  await context.close();
});

test("axe-core: no violations on the main pages, light and dark, phone and desktop", async () => {
  const failures = [];
  for (const scheme of ["light", "dark"]) {
    for (const [name, device] of [["desktop", DESKTOP], ["phone", PHONE]]) {
      const context = await site.browser.newContext({ ...device, colorScheme: scheme });
      const page = await context.newPage();
      const check = async (label) => {
        for (const v of await axeViolations(page)) failures.push(`${scheme}/${name} ${label}: ${v.id} ×${v.n} ${v.targets.join(" | ")}`);
      };
      for (const path of PAGES) {
        await page.goto(site.server.url + path);
        if (path.startsWith("/search/")) await page.locator("#search-page-results .snippet mark").first().waitFor();
        await check(path);
      }
      // The open search dropdown with its options.
      await page.goto(`${site.server.url}/`);
      await page.locator("#q").pressSequentially("二级域名需要备案吗");
      await page.locator("#search-results [role=option]").first().waitFor();
      await page.locator("#q").press("ArrowDown");
      await check("open search dropdown");
      // Checker results.
      await page.goto(`${site.server.url}/tools/name-check/?province=beijing&subject=organisation&name=${encodeURIComponent("星辰论坛商城")}`);
      await page.locator("#tool-result[data-state=done]").waitFor();
      await check("name checker result");
      await page.goto(`${site.server.url}/tools/preapproval/?province=beijing&text=${encodeURIComponent("网络文化、教育培训")}`);
      await page.locator("#tool-result[data-state=done]").waitFor();
      await check("pre-approval result");
      await context.close();
    }
  }
  assert.deepEqual(failures, []);
});

test("printing a finished decision tree prints the path taken and the outcome only", async () => {
  const page = await site.browser.newPage(DESKTOP);
  await page.goto(`${site.server.url}/tools/`);
  const tree = await page.locator('main a[href^="/decision/"]').first().getAttribute("href");
  await page.goto(site.server.url + tree);
  // Answer until an outcome shows.
  for (let i = 0; i < 20 && !(await page.locator(".decision-outcome.current").count()); i++) {
    await page.locator(".current a.option").last().click();
  }
  assert.equal(await page.locator(".decision-outcome.current").count(), 1);
  const steps = await page.locator(".decision-trail li").count();
  assert.ok(steps >= 1);
  await page.emulateMedia({ media: "print" });
  const shown = await page.locator(".decision-node, .decision-outcome").evaluateAll((els) => els.filter((e) => e.offsetParent !== null).length);
  assert.equal(shown, 1, "only the outcome prints");
  assert.ok(await page.locator(".decision-trail").isVisible(), "with the path taken");
  assert.equal(await page.locator(".decision-trail li").evaluateAll((ls) => ls.filter((l) => l.offsetParent !== null).length), steps);
  await page.close();
});

test("copy answer copies the direct answer and the page link; headings copy their link", async () => {
  const context = await site.browser.newContext({ ...DESKTOP, permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  await page.goto(`${site.server.url}/faq/basics/`);
  const href = await page.locator("ol.entry-list a").first().getAttribute("href");
  await page.goto(site.server.url + href);
  const first = (await page.locator(".body > p").first().innerText()).trim();
  await page.locator(".copy-answer").click();
  const text = await page.evaluate(() => navigator.clipboard.readText());
  const canonical = await page.locator('link[rel="canonical"]').getAttribute("href");
  assert.ok(text.startsWith(first.slice(0, 20)), `starts with the answer: ${text.slice(0, 60)}`);
  assert.ok(text.trim().endsWith(canonical), `ends with the link: ${text.slice(-80)}`);
  assert.ok(!/</.test(text), "plain text");
  // Rejection page: the reason first.
  await page.goto(`${site.server.url}/rejections/ir-website-name-invalid/`);
  await page.locator(".copy-answer").click();
  const rej = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(rej.startsWith((await page.locator("header .reason").innerText()).trim().slice(0, 10)));
  // A heading's copy-link button.
  const heading = page.locator(".body h2[id]").first();
  const id = await heading.getAttribute("id");
  await heading.locator(".copy-link").click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(decodeURIComponent(link), `${await page.locator('link[rel="canonical"]').getAttribute("href")}#${id}`);
  await context.close();
});

test("the Atom feed parses and every entry has id, title, link and updated", async () => {
  const xml = await readFile(join(site.out, "feed.xml"), "utf8");
  const page = await site.browser.newPage();
  await page.goto(`${site.server.url}/`);
  assert.equal(await page.locator('link[rel="alternate"][type="application/atom+xml"]').count(), 1);
  const r = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    if (doc.querySelector("parsererror")) return { error: doc.querySelector("parsererror").textContent };
    const ns = "http://www.w3.org/2005/Atom";
    const feed = doc.documentElement;
    const one = (el, tag) => el.getElementsByTagNameNS(ns, tag)[0];
    const entries = [...feed.getElementsByTagNameNS(ns, "entry")].map((e) => ({
      id: one(e, "id")?.textContent, title: one(e, "title")?.textContent,
      link: one(e, "link")?.getAttribute("href"), updated: one(e, "updated")?.textContent,
    }));
    return { root: feed.localName, ns: feed.namespaceURI, updated: one(feed, "updated")?.textContent, id: one(feed, "id")?.textContent, entries };
  }, xml);
  assert.equal(r.error, undefined);
  assert.equal(r.root, "feed");
  assert.equal(r.ns, "http://www.w3.org/2005/Atom");
  assert.ok(r.id && !Number.isNaN(Date.parse(r.updated)));
  assert.ok(r.entries.length > 0);
  for (const e of r.entries) {
    assert.ok(e.id && e.title && /^https?:\/\//.test(e.link), JSON.stringify(e));
    assert.ok(!Number.isNaN(Date.parse(e.updated)), `updated: ${e.updated}`);
  }
  const times = r.entries.map((e) => Date.parse(e.updated));
  assert.deepEqual(times, [...times].sort((a, b) => b - a), "newest first");
  await page.close();
});

test("without JavaScript: the search page offers ways to browse, the checkers say they need JavaScript", async () => {
  const context = await site.browser.newContext({ ...DESKTOP, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${site.server.url}/search/?q=${encodeURIComponent("备案号")}`);
  assert.ok(!(await page.locator("#search-status").isVisible()), "no 'type to search' beside the notice");
  assert.ok(await page.locator(".search-fallback").isVisible());
  assert.ok(await page.locator('.search-fallback a[href^="/faq/"]').count() >= 10, "every chapter is linked");
  assert.ok(await page.locator('.search-fallback a[href^="/decision/"]').count() >= 1, "and the decision tree");
  assert.equal(await page.locator("header .search-box").isVisible(), false, "one search box on the search page");
  for (const path of ["/tools/name-check/", "/tools/preapproval/"]) {
    await page.goto(`${site.server.url}${path}?province=beijing&name=x&text=x`);
    assert.match(await page.locator("main .notice").innerText(), /JavaScript/);
    assert.equal(await page.locator("form.tool-form").isVisible(), false, `${path}: no form that cannot answer`);
  }
  await context.close();
});
