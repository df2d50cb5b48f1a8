// The lazily loaded index in Chromium, on a copy of this site whose index is
// cut into chunks (`whole_index_kb = 0`): the runtime starts loading on idle;
// a search fetches the hot file once and then only the chunks its terms need
// (a one-word and a long colloquial query, counted), in at most three rounds
// (two on a site this size), and keeps them; chunks that 404, time out or are
// corrupted give a visible error with a retry, after which searching works; a
// runtime meeting an index format it does not read says so. And on the real
// site, whose small index is whole in its hot file: a first search fetches
// the hot file and nothing else of the index, and the module's download does
// not wait for the manifest. Opened before anyone searches, the index gets
// one warm-up search that fetches nothing and changes no answer.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync, cpSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { useBuiltSite, serveStatic, buildSite } from "./lib.mjs";

const TIMEOUT = 20_000;
const site = useBuiltSite({ before, after, lazy: true });
const CHUNK = /\/search\/chunks\/[0-9a-f]{16}\.bin$/;

/** A fresh page (own cache) recording every request path; `setup` gets the
 * context first (e.g. to route requests). */
async function openPage(url, { init, setup } = {}) {
  const context = await site.browser.newContext();
  if (init) await context.addInitScript(init);
  if (setup) await setup(context);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { page, context, requests, errors };
}

const manifestOf = (out) => JSON.parse(readFileSync(join(out, "search", "manifest.json"), "utf8"));

test("the runtime loads on idle, and a search fetches the hot file plus only the chunks it needs", async () => {
  const { page, context, requests, errors } = await openPage(`${site.server.url}/`);
  const manifest = manifestOf(site.out);
  const hot = `/search/${manifest.index}`;
  // No focus, no typing: idle time starts the download.
  for (let i = 0; !requests.includes(hot) && i < 200; i++) await page.waitForTimeout(100);
  assert.ok(requests.includes(hot), "idle time loaded the hot file");
  // With nobody searching yet, the loader's warm-up search runs, from what
  // is loaded: it fetches no chunk (those counted below are the queries').
  const warmed = () => page.evaluate(async () => (await window.zhikuSearch.load()).stats().warmed);
  for (let i = 0; !(await warmed()) && i < 100; i++) await page.waitForTimeout(100);
  assert.equal(await warmed(), true, "the warm-up search ran");
  const total = readdirSync(join(site.out, "search", "chunks")).length;
  assert.ok(total > 20, `${total} chunks in the index`);
  // Chunks differ in size (bundles, store cuts): bytes say how much of the index came.
  const bytesOf = (paths) => paths.reduce((a, p) => a + statSync(join(site.out, p)).size, 0);
  const allBytes = bytesOf(readdirSync(join(site.out, "search", "chunks")).map((n) => `search/chunks/${n}`));

  const run = (q) => page.evaluate(async (query) => {
    const rt = await window.zhikuSearch.load();
    const hits = await rt.search(query, { limit: 8 });
    return { ids: hits.map((h) => h.id), rounds: rt.stats().rounds, primed: rt.stats().primed };
  }, q);
  const chunksSoFar = () => requests.filter((p) => CHUNK.test(p));

  const one = await run("备案");
  assert.ok(one.ids.length > 0);
  const oneWord = chunksSoFar();
  assert.equal(new Set(oneWord).size, oneWord.length, "no chunk is fetched twice");
  // One bigram is looked up in five fields, each lookup bringing its
  // dictionary block's bundle (~30 KB here): about a third of this small
  // index, never most of it.
  const oneBytes = bytesOf(oneWord);
  assert.ok(oneWord.length >= 1 && oneBytes <= allBytes / 2,
    `one word fetched ${oneWord.length} of ${total} chunks, ${oneBytes} of ${allBytes} bytes`);
  assert.ok(one.rounds >= 1 && one.rounds <= 3, `${one.rounds} rounds`);
  // The module searched its built-in index while the network was busy (the
  // hot file, or at the latest this search's first chunk round).
  assert.equal(one.primed, true, "the built-in index was searched");

  // The same query again: everything is cached.
  await run("备案");
  assert.equal(chunksSoFar().length, oneWord.length, "a repeated query fetches nothing");

  const long = "我的网站域名是去年在国外买的现在想备案需要先转到国内服务商吗";
  const l = await run(long);
  assert.ok(l.ids.length > 0);
  const all = chunksSoFar();
  const added = all.length - oneWord.length;
  assert.equal(new Set(all).size, all.length, "no chunk is fetched twice");
  // On this small site a long question's dozens of terms touch most of the
  // term dictionary's blocks; never the whole index.
  assert.ok(added >= 1 && all.length < total, `the long query fetched ${added} more (${all.length} of ${total})`);
  assert.ok(l.rounds <= 3, `${l.rounds} rounds`);
  // The hot file once; nothing else of the index (no whole-index blob).
  assert.equal(requests.filter((p) => p === hot).length, 1);
  const indexFiles = requests.filter((p) => p.startsWith("/search/") && !CHUNK.test(p) && !/\/text-\d+\./.test(p));
  assert.deepEqual(indexFiles.filter((p) => p.endsWith(".bin")), [hot]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a small index is whole in its hot file: one search, no chunk, and the module loads beside the manifest", async () => {
  const out = buildSite();
  const server = await serveStatic(out);
  try {
    const manifest = manifestOf(out);
    const hot = `/search/${manifest.index}`;
    const wasm = `/search/${manifest.wasm}`;
    const { page, context, requests, errors } = await openPage(`${server.url}/`);
    const r = await page.evaluate(async (query) => {
      for (let i = 0; !window.zhikuSearch && i < 100; i++) await new Promise((ok) => setTimeout(ok, 50));
      const rt = await window.zhikuSearch.load();
      const hits = await rt.search(query, { limit: 8 });
      return { ids: hits.map((h) => h.id), rounds: rt.stats().rounds };
    }, "我的网站域名是去年在国外买的现在想备案需要先转到国内服务商吗");
    assert.ok(r.ids.length > 0);
    assert.equal(r.rounds, 0, "no chunk round");
    assert.deepEqual(requests.filter((p) => CHUNK.test(p)), []);
    assert.equal(requests.filter((p) => p === hot).length, 1);
    // The loader names the module itself: it is requested before the
    // manifest (with the manifest naming it, it came after the manifest's response).
    const manifestPath = "/search/manifest.json";
    assert.ok(requests.includes(wasm) && requests.includes(manifestPath), `${wasm} and ${manifestPath} fetched`);
    assert.ok(requests.indexOf(wasm) < requests.indexOf(manifestPath), requests.join(" "));
    assert.deepEqual(errors, []);
    await context.close();

    // Loaded on idle with nobody searching: the warm-up search runs (the
    // manifest's query, the first document's title), and a search after
    // it answers exactly as the one above.
    assert.ok(manifest.warm, "the manifest names a warm-up query");
    const idle = await openPage(`${server.url}/`);
    const after = await idle.page.evaluate(async (query) => {
      for (let i = 0; !window.zhikuSearch && i < 100; i++) await new Promise((ok) => setTimeout(ok, 50));
      const rt = await window.zhikuSearch.load();
      for (let i = 0; !rt.stats().warmed && i < 100; i++) await new Promise((ok) => setTimeout(ok, 50));
      const warmed = rt.stats().warmed;
      const hits = await rt.search(query, { limit: 8 });
      return { ids: hits.map((h) => h.id), warmed };
    }, "我的网站域名是去年在国外买的现在想备案需要先转到国内服务商吗");
    assert.equal(after.warmed, true, "the warm-up search ran");
    assert.deepEqual(after.ids, r.ids);
    assert.deepEqual(idle.errors, []);
    await idle.context.close();

    // The hot file slower than the module: the module searches its built-in
    // index meanwhile, fetching nothing more. The module slower than the hot
    // file: nothing to wait on, no priming. Both answer alike, scores too.
    const delayed = async (path) => {
      const { page, context, requests, errors } = await openPage(`${server.url}/`, {
        setup: (ctx) => ctx.route((u) => new URL(u).pathname === path, async (route) => {
          await new Promise((ok) => setTimeout(ok, 700));
          await route.continue();
        }),
      });
      const got = await page.evaluate(async (query) => {
        for (let i = 0; !window.zhikuSearch && i < 100; i++) await new Promise((ok) => setTimeout(ok, 50));
        const rt = await window.zhikuSearch.load();
        const hits = await rt.search(query, { limit: 8 });
        return { hits: hits.map((h) => [h.id, h.score]), primed: rt.stats().primed, warmed: rt.stats().warmed };
      }, "我的网站域名是去年在国外买的现在想备案需要先转到国内服务商吗");
      await context.close();
      assert.deepEqual(errors, []);
      return { ...got, index: requests.filter((p) => p.startsWith("/search/") && p.endsWith(".bin")) };
    };
    const slowHot = await delayed(hot);
    const slowModule = await delayed(wasm);
    assert.equal(slowHot.primed, true, "primed while the hot file downloaded");
    assert.equal(slowModule.primed, false, "nothing to wait on once the module was in");
    // Either way the search was waiting when the index opened (without a
    // delay the page's own idle load may open it first): no warm-up.
    assert.equal(slowHot.warmed, false, "a search waiting when the index opened skips the warm-up");
    assert.equal(slowModule.warmed, false, "a search waiting when the index opened skips the warm-up");
    assert.deepEqual(slowHot.hits, slowModule.hits);
    assert.deepEqual(slowHot.hits.map((h) => h[0]), r.ids);
    assert.deepEqual(slowHot.index, [hot], "priming fetches nothing");
  } finally {
    await server.close();
    rmSync(out, { recursive: true, force: true });
  }
});

test("the same answers when the host serves gzip, brotli or uncompressed files", async () => {
  const queries = ["备案", "域名没有实名认证被驳回", "管局审核要多久"];
  const answers = [];
  for (const compress of [null, "gzip", "br"]) {
    const server = await serveStatic(site.out, { compress });
    try {
      const { page, context, errors } = await openPage(`${server.url}/`);
      const encodings = [];
      page.on("response", (r) => {
        if (CHUNK.test(new URL(r.url()).pathname)) encodings.push(r.headers()["content-encoding"] || "none");
      });
      answers.push(await page.evaluate(async (qs) => {
        for (let i = 0; !window.zhikuSearch && i < 100; i++) await new Promise((ok) => setTimeout(ok, 50));
        const rt = await window.zhikuSearch.load();
        const out = [];
        for (const q of qs) out.push((await rt.search(q, { limit: 10 })).map((h) => [h.id, h.score, h.snippet_html]));
        return out;
      }, queries));
      assert.ok(encodings.length > 0);
      assert.ok(encodings.every((e) => e === (compress || "none")), `${compress}: ${encodings}`);
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await server.close();
    }
  }
  assert.ok(answers[0].every((hits) => hits.length > 0));
  assert.deepEqual(answers[1], answers[0]);
  assert.deepEqual(answers[2], answers[0]);
});

/** Types `q` into the header box and waits for results or an error. */
async function typeQuery(page, q) {
  await page.locator("#q").fill("");
  await page.locator("#q").fill(q);
}

for (const [name, init, fail] of [
  ["404", null, (route) => route.fulfill({ status: 404, body: "missing" })],
  ["a timeout", () => { window.zhikuSearchTimeoutMs = 800; }, () => {}],
  ["corrupted bytes", null, async (route) => {
    const res = await route.fetch();
    const body = Buffer.from(await res.body());
    body[0] ^= 0xff;
    await route.fulfill({ response: res, body });
  }],
]) {
  test(`a chunk that fails with ${name} shows an error with retry, and the next query works`, async () => {
    const { page, context, errors } = await openPage(`${site.server.url}/`, { init });
    let failing = true;
    await context.route(CHUNK, (route) => (failing ? fail(route) : route.continue()));
    await typeQuery(page, "域名实名认证");
    const error = page.locator("#search-results .search-error");
    await error.waitFor();
    assert.match(await error.textContent(), /部分搜索索引未能下载/);
    const retry = error.locator("button.search-retry");
    assert.equal(await retry.textContent(), "重试");

    failing = false;
    await retry.click();
    await page.locator("#search-results [role=option]").first().waitFor();
    assert.equal(await page.locator("#search-results .search-error").count(), 0);

    // A second, different query works too.
    await typeQuery(page, "管局审核要多久");
    await page.waitForFunction(() => [...document.querySelectorAll("#search-results .title")]
      .some((t) => t.textContent.includes("审核")));
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("a runtime meeting an index format it does not read says so", async () => {
  const out = `${site.out}-format`;
  cpSync(site.out, out, { recursive: true });
  try {
    // A newer index: the manifest (and its copy named by the inputs) names format 99.
    for (const f of readdirSync(join(out, "search")).filter((n) => /^manifest(\..*)?\.json$/.test(n))) {
      const path = join(out, "search", f);
      const m = JSON.parse(readFileSync(path, "utf8"));
      m.index_format = 99;
      writeFileSync(path, JSON.stringify(m));
    }
    const server = await serveStatic(out);
    try {
      const { page, context } = await openPage(`${server.url}/`);
      const message = await page.evaluate(async () => {
        for (let i = 0; !window.zhikuSearch && i < 100; i++) await new Promise((ok) => setTimeout(ok, 50));
        try {
          await window.zhikuSearch.load();
          return "loaded";
        } catch (e) {
          return `${e.kind}: ${e.message}`;
        }
      });
      assert.match(message, /^format: .*format 99.*reads format \d+/);
      await page.locator("#q").focus();
      const error = page.locator("#search-results .search-error");
      await error.waitFor();
      assert.match(await error.textContent(), /版本不一致/);
      await context.close();
    } finally {
      await server.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
