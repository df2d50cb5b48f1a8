// Headless-Chromium test of the service worker on the real site: after one
// visit and one search, with the browser offline, a page never visited and a
// /search/?q= link both work; a new deploy replaces the cache.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSite, launch, repo, serveStatic } from "./lib.mjs";

let root, out, server, browser;

before(async () => {
  // A copy of the content, so the second deploy can change an answer.
  root = await mkdtemp(join(tmpdir(), "zhiku-offline-"));
  await cp(join(repo, "content"), join(root, "content"), { recursive: true });
  out = join(root, "public");
  buildSite(root, out);
  server = await serveStatic(out);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** Names of this site's caches. */
const cacheNames = (page) => page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith("zhiku:")));

/** Waits until the page is controlled by an activated worker. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === "activated",
    null, { timeout: 120000 });
}

test("offline after one visit and one search; a new deploy replaces the cache", async () => {
  const context = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 1280, height: 800 } });
  let page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await controlled(page);
  await page.locator("#q").pressSequentially("备案号");
  await page.locator("#search-results [role=option]").first().waitFor();
  // Installing precaches the whole site (hundreds of files, the index's
  // chunks among them): on a loaded machine that takes a while.
  await page.locator(".offline-status:not([hidden])").waitFor({ timeout: 120000 });
  const [first] = await cacheNames(page);
  assert.ok(first, "a cache for this site");

  await context.setOffline(true);
  // A page not visited yet.
  const entry = "/faq/after-filing/display-number/";
  const res = await page.goto(server.url + entry);
  assert.equal(res.status(), 200);
  assert.match(await page.locator("h1").innerText(), /备案号/);
  // A search link, answered by the cached runtime and index.
  await page.goto(`${server.url}/search/?q=${encodeURIComponent("二级域名")}`);
  await page.locator("#search-page-results .search-result").first().waitFor({ timeout: 15000 });
  assert.equal(await page.inputValue("#search-page-q"), "二级域名");
  // A page that does not exist: the site's own page, not the browser's error.
  await page.goto(`${server.url}/no/such/page/`);
  assert.ok(await page.locator(".site-header").count(), "offline fallback is a page of the site");
  await context.close();

  // Deploy, in a profile that has the first version: the answer changes, so
  // does sw.js; the new worker takes over and the old cache is deleted.
  const second = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 1280, height: 800 } });
  page = await second.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await controlled(page);
  const [old] = await cacheNames(page);
  const file = join(root, "content", "faq", "after-filing", "display-number.md");
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace(/^title = "(.*)"$/m, 'title = "$1（新版）"'));
  buildSite(root, out);
  await page.goto(`${server.url}/`);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  // The new worker installs, activates (deleting the old cache) and takes over.
  for (let i = 0; ; i++) {
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { settled: !reg.installing && !reg.waiting && reg.active?.state === "activated" };
    });
    const names = await cacheNames(page);
    if (state.settled && names.length === 1 && names[0] !== old) break;
    assert.ok(i < 1200, `new cache in place: ${names.join(", ")}`);
    await page.waitForTimeout(100);
  }
  await second.setOffline(true);
  await page.goto(server.url + entry);
  assert.match(await page.locator("h1").innerText(), /（新版）/, "the new deploy's page, from the new cache");
  assert.deepEqual(errors, []);
  await second.close();
});

test("a worker whose cache a newer deploy deleted does not bring it back", async () => {
  // After a new deploy's worker activates and deletes the old cache, pages
  // still controlled by the old worker go on fetching and asking whether
  // they are kept for a moment; a cache opened then would stay for good.
  const context = await browser.newContext({ serviceWorkers: "allow" });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await controlled(page);
  await page.locator(".offline-status:not([hidden])").waitFor({ timeout: 120000 });
  const [name] = await cacheNames(page);
  assert.ok(name, "a cache for this site");
  const after = await page.evaluate(async (name) => {
    await caches.delete(name); // as the newer deploy's activation does
    const res = await fetch("/faq/after-filing/display-number/");
    const status = await new Promise((ok) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => ok(e.data);
      navigator.serviceWorker.controller.postMessage(
        { type: "zhiku-offline-status", url: location.href }, [channel.port2]);
    });
    // keep() stores in the background: give it time to (wrongly) do so.
    await new Promise((ok) => setTimeout(ok, 500));
    return { ok: res.ok, cached: status.cached, names: (await caches.keys()).filter((n) => n.startsWith("zhiku:")) };
  }, name);
  assert.equal(after.ok, true, "the page is fetched from the network");
  assert.equal(after.cached, false, "the page is no longer said to be kept");
  assert.deepEqual(after.names, [], "no cache came back");
  await context.close();
});
