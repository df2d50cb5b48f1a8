// The first query someone types after the search module has loaded on idle
// (the way search-ui.js loads it): ms from search() to the result list
// (titles), in headless Chromium, one fresh context per query. Sites are
// measured in turn, query by query, so a change (e.g. the loader's warm-up
// search) can be compared against a build without it in one run. With
// --cold, each query is instead the cold answer bench/pagefind.sh times
// (the runtime loaded when the query is asked, empty cache, 20 Mbit/s +
// 40 ms round trips, files served gzip).
//
//   node bench/typed-after-load.mjs SITE [SITE ...] [--cpu N] [--queries N] [--cold]
//
// SITE: a built public/ folder. --cpu N: Chromium's CPU throttling (4 for a
// mid-range phone; typed mode only); --queries N: the first N public
// queries (default 20).
import { join } from "node:path";
import { serveStatic, launch, repo } from "../tests/browser/lib.mjs";
import { readQueries } from "./queries.mjs";
import { siteRuntime } from "./site-runtime.mjs";
import { zhikuColdMs } from "./cold.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [, value] = args.splice(i, 2);
  return Number(value);
};
const cpu = flag("--cpu", 1);
const coldAt = args.indexOf("--cold");
const cold = coldAt >= 0;
if (cold) args.splice(coldAt, 1);
const count = flag("--queries", 20);
if (!args.length) {
  console.error("usage: node bench/typed-after-load.mjs SITE [SITE ...] [--cpu N] [--queries N] [--cold]");
  process.exit(2);
}
const queries = readQueries([join(repo, "tests", "data", "public-queries.tsv")]).slice(0, count);

async function typedMs(browser, base, query, runtime) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/`);
  if (cpu > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
  }
  const ms = await page.evaluate(async ({ query, loader, manifest }) => {
    await new Promise((ok, fail) => {
      const s = document.createElement("script");
      s.src = loader; s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    });
    const rt = await window.zhikuSearch.load({ manifest });
    // Someone reads the page, then types: idle time passes first.
    await new Promise((ok) => setTimeout(ok, 1500));
    const t0 = performance.now();
    let first = null;
    await rt.search(query, { limit: 10, partial: () => { first = first || performance.now(); } });
    return (first || performance.now()) - t0;
  }, { query, ...runtime });
  await context.close();
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const sites = [];
for (const dir of args) {
  sites.push({ dir, server: await serveStatic(dir, { compress: "gzip" }), runtime: await siteRuntime(dir), times: [] });
}
const browser = await launch();
try {
  for (const q of queries) {
    for (const s of sites) {
      s.times.push(cold
        ? await zhikuColdMs(browser, `${s.server.url}/`, q, s.runtime)
        : await typedMs(browser, s.server.url, q, s.runtime));
    }
  }
} finally {
  await browser.close();
  for (const s of sites) await s.server.close();
}
console.log(cold
  ? `cold answer (gzip, 20 Mbit/s + 40 ms RTT, HTTP/1.1); ${queries.length} public queries`
  : `first query typed 1.5 s after the module loaded; ${queries.length} public queries; CPU throttling ${cpu}x`);
for (const s of sites) {
  console.log(`${s.dir}: median ${median(s.times).toFixed(1)} ms, max ${Math.max(...s.times).toFixed(1)} ms`);
}
if (sites.length === 2) {
  const ratios = sites[0].times.map((t, i) => t / sites[1].times[i]);
  console.log(`per-query ratio first/second: median ${median(ratios).toFixed(2)}`);
}
