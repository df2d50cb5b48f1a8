// Pagefind comparison: indexes a built zhiku site with Pagefind, then in headless
// Chromium measures the bytes each engine downloads for a first query, its
// Recall@1/Recall@5/MRR@10 on the public queries plus the first 10 colloquial
// ones, and the cold answer time with the files served gzip over an emulated
// 20 Mbit/s link with 40 ms round trips, over HTTP/1.1 and over HTTP/2 + TLS
// (a self-signed certificate made with openssl for the run). Run through bench/pagefind.sh, which
// installs Pagefind from npm into a temporary folder (and, with --synthetic N,
// makes an N-entry site with bench/synth.py).
//
//   node bench/pagefind.mjs --pagefind <pagefind binary> [--site <built public/>]
//        [--queries <public-queries.tsv>] [--colloquial N] [--timed N]
//        [--work <folder>] [--json <file>]
import { spawnSync } from "node:child_process";
import { cp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { tmpdir } from "node:os";
import { buildSite, serveStatic, launch, repo, LAUNCH_ARGS } from "../tests/browser/lib.mjs";
import { compressedSizes } from "./sizes.mjs";
import { siteRuntime } from "./site-runtime.mjs";
import { emulatedPage, zhikuColdMs } from "./cold.mjs";

// ---- arguments ---------------------------------------------------------------

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    args[a.slice(2)] = argv[++i];
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
if (!args.pagefind) throw new Error("--pagefind <path to the pagefind binary> is required");

/** The public sample queries, kept in the repository. */
function defaultQueries() {
  return join(repo, "tests", "data", "public-queries.tsv");
}

// ---- the site and its section map --------------------------------------------

async function htmlFiles(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(".html")) out.push(join(e.parentPath ?? e.path, e.name));
  }
  return out;
}

/** URL path of a built page ("/faq/x/y/" for faq/x/y/index.html). */
function urlOf(site, file) {
  const rel = relative(site, file).split(sep).join("/");
  return "/" + rel.replace(/(^|\/)index\.html$/, "$1");
}

/**
 * Page URL → source section, read from the section mark in the meta line every
 * item page shows (`<p class="meta">… <span class="section">原资料 §x.y</span>`;
 * older builds wrote "来源 §x.y").
 */
async function sectionMap(site) {
  const map = new Map();
  for (const f of await htmlFiles(site)) {
    const m = /<p class="meta">[^\n]*?<span class="section"[^>]*>[^<§]*§([0-9][0-9.]*)/.exec(await readFile(f, "utf8"));
    if (m) map.set(urlOf(site, f), m[1].replace(/\.$/, ""));
  }
  return map;
}

/**
 * Marks the item body for Pagefind in a copy of the site: `data-pagefind-body` on
 * each page's <article> (FAQ entries, rejections, provinces — what zhiku indexes),
 * so navigation, listings and the home page stay out, as a real deployment would do.
 */
async function preparePagefindCopy(site, copy) {
  await rm(copy, { recursive: true, force: true });
  await cp(site, copy, { recursive: true });
  let marked = 0;
  for (const f of await htmlFiles(copy)) {
    const html = await readFile(f, "utf8");
    if (!html.includes("<article")) continue;
    await writeFile(f, html.replace("<article", "<article data-pagefind-body"));
    marked++;
  }
  // A blank same-origin page to run queries from (written after nothing else reads it).
  await writeFile(join(copy, "pagefind-bench.html"), "<!DOCTYPE html><html lang=zh-CN><meta charset=utf-8><title>bench</title>");
  return marked;
}

// ---- measuring ---------------------------------------------------------------


const sizeCache = new Map();
async function fileSizes(root, path) {
  if (!sizeCache.has(path)) sizeCache.set(path, compressedSizes(await readFile(join(root, decodeURIComponent(path)))));
  return sizeCache.get(path);
}

async function sumSizes(root, paths) {
  const total = { raw: 0, gzip: 0, brotli: 0, files: paths.length };
  for (const p of paths) {
    const s = await fileSizes(root, p);
    total.raw += s.raw; total.gzip += s.gzip; total.brotli += s.brotli;
  }
  return total;
}

/**
 * Counts the files a page fetches under `prefix`, including those of workers
 * (Pagefind loads its wasm and index chunks from one, which resource timing in
 * the page does not see; the context's network events do).
 */
function trackFetches(context, prefix) {
  const fetched = [];
  let pending = 0;
  let settled = null;
  const mine = (req) => new URL(req.url()).pathname.startsWith(prefix);
  context.on("request", (req) => { if (mine(req)) pending++; });
  const done = (req) => {
    if (!mine(req)) return;
    fetched.push(new URL(req.url()).pathname);
    if (--pending === 0 && settled) settled();
  };
  context.on("requestfinished", done);
  context.on("requestfailed", done);
  /** Resolves once no tracked request is in flight; returns the files so far. */
  const idle = () => new Promise((ok) => { if (pending === 0) ok(); else settled = ok; })
    .then(() => { settled = null; return [...new Set(fetched)]; });
  return idle;
}

/** Pagefind: top-10 URLs, files until the result list, files to show the top 5. */
async function pagefindQuery(browser, base, q) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/pagefind-bench.html`);
  const idle = trackFetches(context, "/pagefind/");
  const total = await page.evaluate(async (query) => {
    window.pf = await import("/pagefind/pagefind.js");
    window.res = await window.pf.search(query);
    return window.res.results.length;
  }, q);
  const searchFiles = await idle();
  // Showing a result needs its fragment (URL, title, excerpt).
  const top5 = await page.evaluate(() => Promise.all(window.res.results.slice(0, 5).map(async (x) => (await x.data()).url)));
  const top5Files = await idle();
  const rest = await page.evaluate(() => Promise.all(window.res.results.slice(5, 10).map(async (x) => (await x.data()).url)));
  await context.close();
  return { total, urls: [...top5, ...rest], searchFiles, top5Files };
}

/**
 * zhiku's own runtime, loaded the way search-ui.js does. The result list can be
 * shown when search() first answers (titles; the `partial` callback on a cold
 * cache); snippets need the text shards of the hits shown, as Pagefind's
 * excerpts need its fragments.
 */
async function zhikuQuery(browser, base, q, { loader, manifest }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/pagefind-bench.html`);
  const idle = trackFetches(context, "/search/");
  const r = await page.evaluate(async ({ query, loader, manifest }) => {
    await new Promise((ok, fail) => {
      const s = document.createElement("script");
      s.src = loader; s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    });
    const rt = await window.zhikuSearch.load({ manifest });
    const fetched = () => performance.getEntriesByType("resource")
      .map((e) => new URL(e.name).pathname).filter((p) => p.startsWith("/search/"));
    let first = null;
    let firstFiles = null;
    const full = await rt.search(query, {
      limit: 10,
      partial: (hits) => { first = hits; firstFiles = fetched(); },
    });
    first = first || full;
    firstFiles = firstFiles || fetched();
    const shards = new Set(first.slice(0, 5).map((h) => h.text_shard).filter((n) => n != null));
    // Manifest URLs are relative to the manifest.
    const manifestUrl = new URL(manifest, location.href);
    const top5Files = [...firstFiles, ...[...shards].map((n) => new URL(rt.manifest.texts[n], manifestUrl).pathname)];
    return { urls: full.map((h) => h.url), firstFiles, top5Files };
  }, { query: q, loader, manifest });
  await idle();
  await context.close();
  return { total: r.urls.length, urls: r.urls, searchFiles: [...new Set(r.firstFiles)], top5Files: [...new Set(r.top5Files)] };
}

/** Pagefind, cold: ms from importing its script until the top 5 results' titles (fragments) are in. */
async function pagefindColdMs(browser, base, q) {
  const { context, page } = await emulatedPage(browser, `${base}/pagefind-bench.html`);
  const ms = await page.evaluate(async (query) => {
    const t0 = performance.now();
    const pf = await import("/pagefind/pagefind.js");
    const res = await pf.search(query);
    await Promise.all(res.results.slice(0, 5).map((x) => x.data()));
    return performance.now() - t0;
  }, q);
  await context.close();
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
}

function sectionMatches(expected, section) {
  return section === expected || section.startsWith(expected + ".");
}

/** Scores one engine's runs: ranks, Recall@1/@5, MRR@10 and payload medians. */
async function evaluate(name, root, queries, sections, run) {
  const rows = [];
  for (const { q, expected } of queries) {
    const r = await run(q);
    const secs = r.urls.map((u) => sections.get(u) ?? "");
    const rank = secs.findIndex((s) => s && expected.some((e) => sectionMatches(e, s)));
    rows.push({
      q, expected, total: r.total, urls: r.urls, sections: secs, rank: rank < 0 ? null : rank + 1,
      files: r.top5Files,
      search: await sumSizes(root, r.searchFiles),
      withTop5: await sumSizes(root, r.top5Files),
    });
  }
  const n = rows.length;
  const r1 = rows.filter((r) => r.rank === 1).length;
  const r5 = rows.filter((r) => r.rank && r.rank <= 5).length;
  const mrr = rows.reduce((a, r) => a + (r.rank && r.rank <= 10 ? 1 / r.rank : 0), 0) / n;
  const med = (key) => Object.fromEntries(["raw", "gzip", "brotli", "files"].map((f) => [f, median(rows.map((r) => r[key][f]))]));
  const max = (key) => Object.fromEntries(["raw", "gzip", "brotli"].map((f) => [f, Math.max(...rows.map((r) => r[key][f]))]));
  return {
    name, rows,
    summary: {
      queries: n, r1, r5, recall_at_1: r1 / n, recall_at_5: r5 / n, mrr_at_10: mrr,
      no_results: rows.filter((r) => r.total === 0).length,
      payload_median: med("search"), payload_max: max("search"),
      with_top5_median: med("withTop5"), with_top5_max: max("withTop5"),
    },
  };
}

function report(e) {
  const s = e.summary;
  if (e.cold) console.log(`\n## ${e.name}: cold answer, gzip, 20 Mbit/s + 40 ms RTT, HTTP/1.1: median ${e.cold.median.toFixed(0)} ms, max ${e.cold.max.toFixed(0)} ms (${e.cold.runs} queries)`);
  if (e.coldH2) console.log(`## ${e.name}: cold answer, gzip, 20 Mbit/s + 40 ms RTT, HTTP/2 + TLS: median ${e.coldH2.median.toFixed(0)} ms, max ${e.coldH2.max.toFixed(0)} ms (${e.coldH2.runs} queries)`);
  const kb = (b) => (b / 1024).toFixed(1);
  const sz = (m, x) => `raw ${kb(m.raw)} KB, gzip ${kb(m.gzip)} KB, brotli ${kb(m.brotli)} KB ` +
    `(max gzip ${kb(x.gzip)} KB; median ${m.files} files)`;
  console.log(`\n## ${e.name}`);
  console.log(`Recall@1 ${s.r1}/${s.queries} = ${s.recall_at_1.toFixed(3)}; Recall@5 ${s.r5}/${s.queries} = ${s.recall_at_5.toFixed(3)}; ` +
    `MRR@10 ${s.mrr_at_10.toFixed(3)}; no results for ${s.no_results}/${s.queries}`);
  console.log(`first query, cold cache, up to the result list: ${sz(s.payload_median, s.payload_max)}`);
  console.log(`plus what is needed to show the top 5:          ${sz(s.with_top5_median, s.with_top5_max)}`);
  const misses = e.rows.filter((r) => !r.rank || r.rank > 5);
  if (misses.length) console.log("misses (query → expected; results; top-5 sections):");
  for (const r of misses) {
    console.log(`  ${r.q} → ${r.expected.join(",")}; ${r.total} results; ${r.sections.slice(0, 5).map((x) => x || "-").join(" ") || "(none)"}`);
  }
}

// ---- main --------------------------------------------------------------------

const work = resolve(args.work || join(tmpdir(), `zhiku-pagefind-${process.pid}`));
await mkdir(work, { recursive: true });
const site = args.site ? resolve(args.site) : buildSite(repo, join(work, "site"));
const copy = join(work, "pagefind-site");
const queriesFile = args.queries || defaultQueries();

const sections = await sectionMap(site);
const marked = await preparePagefindCopy(site, copy);

const t0 = Date.now();
const pf = spawnSync(args.pagefind, ["--site", copy, "--exclude-selectors", ".related, .backlinks, .prev-next"], {
  encoding: "utf8",
});
const indexMs = Date.now() - t0;
if (pf.status !== 0) throw new Error(`pagefind failed:\n${pf.stdout}\n${pf.stderr}`);
const version = spawnSync(args.pagefind, ["--version"], { encoding: "utf8" }).stdout.trim();
const indexedPages = /Indexed (\d+) pages?/.exec(pf.stdout)?.[1];

const readQueries = async (file) => (await readFile(file, "utf8"))
  .split("\n").slice(1).filter((l) => l.trim())
  .map((l) => { const [q, exp] = l.split("\t"); return { q: q.trim(), expected: exp.split(",").map((s) => s.trim()) }; });
const colloquial = Number(args.colloquial ?? 10);
const queries = [
  ...(await readQueries(queriesFile)),
  ...(await readQueries(join(repo, "tests", "data", "colloquial-queries.tsv"))).slice(0, colloquial),
];

// zhiku's runtime as the build wrote it.
const zhiku = await siteRuntime(site);

// A self-signed certificate for the HTTP/2 server (real hosts serve HTTP/2 over TLS).
const keyFile = join(work, "bench-key.pem");
const certFile = join(work, "bench-cert.pem");
const openssl = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
  "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1"], { encoding: "utf8" });
if (openssl.status !== 0) throw new Error(`openssl failed:\n${openssl.stderr}`);
const tls = { key: await readFile(keyFile), cert: await readFile(certFile) };

const server = await serveStatic(copy);
const gzipServer = await serveStatic(copy, { compress: "gzip" });
const h2Server = await serveStatic(copy, { compress: "gzip", tls });
const browser = await launch({ args: [...LAUNCH_ARGS, "--ignore-certificate-errors"] });
const results = [];
// Cold timing: the first N queries, the two engines alternating query by query,
// over HTTP/1.1 (six connections per host) and over HTTP/2 + TLS (one).
const timed = queries.slice(0, Number(args.timed ?? 10));
async function coldTimes(base) {
  const pf = [];
  const zk = [];
  for (const { q } of timed) {
    pf.push(await pagefindColdMs(browser, base, q));
    if (zhiku.loader) zk.push(await zhikuColdMs(browser, `${base}/pagefind-bench.html`, q, zhiku));
  }
  const stat = (xs) => (xs.length ? { median: median(xs), max: Math.max(...xs), runs: xs.length } : null);
  return [stat(pf), stat(zk)];
}
try {
  results.push(await evaluate(version, copy, queries, sections, (q) => pagefindQuery(browser, server.url, q)));
  if (zhiku.loader) results.push(await evaluate("zhiku (wasm runtime)", copy, queries, sections, (q) => zhikuQuery(browser, server.url, q, zhiku)));
  else console.log("(the site has no zhiku search runtime; only Pagefind measured)");
  const [pfCold, zkCold] = await coldTimes(gzipServer.url);
  const [pfH2, zkH2] = await coldTimes(h2Server.url);
  results[0].cold = pfCold;
  results[0].coldH2 = pfH2;
  if (results[1]) { results[1].cold = zkCold; results[1].coldH2 = zkH2; }
} finally {
  await browser.close();
  await server.close();
  await gzipServer.close();
  await h2Server.close();
}

console.log(`${version}: indexed ${indexedPages ?? marked} pages (${marked} marked with data-pagefind-body) in ${indexMs} ms`);
console.log(`queries: ${queries.length} (${queriesFile} and the first ${colloquial} colloquial ones); every query in a fresh browser context (cold cache)`);
for (const e of results) report(e);
if (args.json) {
  await writeFile(args.json, JSON.stringify({ pagefind: { version, index_ms: indexMs, marked }, engines: results }, null, 2));
}
