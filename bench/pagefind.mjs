// Pagefind comparison: indexes a built zhiku site with Pagefind, then in headless
// Chromium measures the bytes Pagefind downloads for a first query and its
// Recall@1/Recall@5/MRR@10 on the public queries. Run through bench/pagefind.sh,
// which installs Pagefind from npm into a temporary folder.
//
//   node bench/pagefind.mjs --pagefind <pagefind binary> [--site <built public/>]
//        [--queries <public-queries.tsv>] [--work <folder>] [--json <file>]
import { spawnSync } from "node:child_process";
import { cp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { gzipSync, brotliCompressSync, constants as zc } from "node:zlib";
import { tmpdir } from "node:os";
import { buildSite, serveStatic, launch, repo } from "../tests/browser/lib.mjs";

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

/** ../shared sits beside the main checkout; worktrees live one level deeper. */
function defaultQueries() {
  for (const p of [join(repo, "..", "shared"), join(repo, "..", "..", "shared")]) {
    const f = join(p, "eval", "public-queries.tsv");
    if (existsSync(f)) return f;
  }
  throw new Error("public-queries.tsv not found beside the repository; pass --queries");
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

/** Page URL → source section, read from the "来源 §x.y" meta every item page shows. */
async function sectionMap(site) {
  const map = new Map();
  for (const f of await htmlFiles(site)) {
    const m = /来源 §([0-9][0-9.]*)/.exec(await readFile(f, "utf8"));
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

function compressedSizes(buf) {
  const gz = gzipSync(buf, { level: 9 }).length;
  const br = brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length;
  // Pagefind ships its wasm and index chunks already gzipped; a server would send
  // them as they are, so never count a "compressed" size above the raw one.
  return { raw: buf.length, gzip: Math.min(gz, buf.length), brotli: Math.min(br, buf.length) };
}

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

/** Top-10 URLs (and the fragment files needed to show the top 5) for one query. */
async function rankedQuery(browser, base, q) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/pagefind-bench.html`);
  // Pagefind fetches its wasm and index chunks from a worker, which resource
  // timing in the page does not see; the context's network events do.
  const fetched = [];
  let pending = 0;
  let settled = null;
  context.on("request", (req) => { if (req.url().includes("/pagefind/")) pending++; });
  const done = (req) => {
    const u = new URL(req.url());
    if (!u.pathname.startsWith("/pagefind/")) return;
    fetched.push(u.pathname);
    if (--pending === 0 && settled) settled();
  };
  context.on("requestfinished", done);
  context.on("requestfailed", done);
  const idle = () => new Promise((ok) => { if (pending === 0) ok(); else settled = ok; }).then(() => { settled = null; });

  const total = await page.evaluate(async (query) => {
    window.pf = await import("/pagefind/pagefind.js");
    window.res = await window.pf.search(query);
    return window.res.results.length;
  }, q);
  await idle();
  const searchFiles = [...fetched];
  // Showing a result needs its fragment (URL, title, excerpt).
  const top5 = await page.evaluate(() => Promise.all(window.res.results.slice(0, 5).map(async (x) => (await x.data()).url)));
  await idle();
  const top5Files = [...fetched];
  const rest = await page.evaluate(() => Promise.all(window.res.results.slice(5, 10).map(async (x) => (await x.data()).url)));
  await context.close();
  return { total, urls: [...top5, ...rest], searchFiles, top5Files };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
}

function sectionMatches(expected, section) {
  return section === expected || section.startsWith(expected + ".");
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

const queries = (await readFile(queriesFile, "utf8"))
  .split("\n").slice(1).map((l) => l.trim()).filter(Boolean)
  .map((l) => { const [q, exp] = l.split("\t"); return { q, expected: exp.split(",").map((s) => s.trim()) }; });

const server = await serveStatic(copy);
const browser = await launch();
const rows = [];
try {
  for (const { q, expected } of queries) {
    const r = await rankedQuery(browser, server.url, q);
    const secs = r.urls.map((u) => sections.get(u) ?? "");
    const rank = secs.findIndex((s) => s && expected.some((e) => sectionMatches(e, s)));
    rows.push({
      q, expected, total: r.total, urls: r.urls, sections: secs, rank: rank < 0 ? null : rank + 1,
      files: r.top5Files,
      search: await sumSizes(copy, [...new Set(r.searchFiles)]),
      withTop5: await sumSizes(copy, [...new Set(r.top5Files)]),
    });
  }
} finally {
  await browser.close();
  await server.close();
}

const n = rows.length;
const r1 = rows.filter((r) => r.rank === 1).length;
const r5 = rows.filter((r) => r.rank && r.rank <= 5).length;
const mrr = rows.reduce((a, r) => a + (r.rank && r.rank <= 10 ? 1 / r.rank : 0), 0) / n;
const empty = rows.filter((r) => r.total === 0).length;
const kb = (b) => (b / 1024).toFixed(1);
const fmt = (key) => {
  const pick = (f) => median(rows.map((r) => r[key][f]));
  const max = (f) => Math.max(...rows.map((r) => r[key][f]));
  return `raw ${kb(pick("raw"))} KB, gzip ${kb(pick("gzip"))} KB, brotli ${kb(pick("brotli"))} KB ` +
    `(max raw ${kb(max("raw"))} KB, gzip ${kb(max("gzip"))} KB; median ${median(rows.map((r) => r[key].files))} files)`;
};

const summary = {
  pagefind: version, indexed_pages: Number(indexedPages ?? marked), marked_pages: marked, index_ms: indexMs,
  queries: n, recall_at_1: r1 / n, recall_at_5: r5 / n, mrr_at_10: mrr, no_results: empty,
  first_query_payload_median: Object.fromEntries(["raw", "gzip", "brotli"].map((f) => [f, median(rows.map((r) => r.search[f]))])),
  first_query_with_top5_median: Object.fromEntries(["raw", "gzip", "brotli"].map((f) => [f, median(rows.map((r) => r.withTop5[f]))])),
};

console.log(`${version}: indexed ${summary.indexed_pages} pages (${marked} marked with data-pagefind-body) in ${indexMs} ms`);
console.log(`queries: ${n} from ${queriesFile}`);
console.log(`Recall@1 ${r1}/${n} = ${(r1 / n).toFixed(3)}; Recall@5 ${r5}/${n} = ${(r5 / n).toFixed(3)}; MRR@10 ${mrr.toFixed(3)}; no results for ${empty}/${n}`);
console.log(`first query, cold cache, up to the result list: ${fmt("search")}`);
console.log(`first query plus the fragments to show the top 5:    ${fmt("withTop5")}`);
console.log("\nmisses (query → expected; top-5 sections):");
for (const r of rows.filter((r) => !r.rank || r.rank > 5)) {
  console.log(`  ${r.q} → ${r.expected.join(",")}; ${r.total} results; top 5: ${r.sections.slice(0, 5).map((s) => s || "-").join(" ") || "(none)"}`);
}
if (args.json) await writeFile(args.json, JSON.stringify({ summary, rows }, null, 2));
