// Wasm side of the search benchmark: loads the committed runtime
// (themes/default/search-runtime) in Node, then times opening the index and
// warm queries (each query runs once first, fetching its chunks from DIR).
//
//   node bench/search_wasm.mjs DIR QUERIES.tsv...
// (DIR as written by `search_bench --out DIR`: hot.bin, chunks/, texts.json.)
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { readQueries } from "./queries.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const runtime = process.env.ZHIKU_RUNTIME || join(repo, "themes", "default", "search-runtime");
const [dir, ...queryFiles] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node bench/search_wasm.mjs DIR QUERIES.tsv...");
  process.exit(2);
}

const glue = await import(pathToFileURL(join(runtime, "zhiku_search.js")).href);
let t = performance.now();
await glue.default({ module_or_path: readFileSync(join(runtime, "zhiku_search_bg.wasm")) });
const instantiateMs = performance.now() - t;

const hot = new Uint8Array(readFileSync(join(dir, "hot.bin")));
const loads = [];
let docs = 0;
for (let i = 0; i < 7; i++) {
  t = performance.now();
  docs = glue.open(hot);
  loads.push(performance.now() - t);
}
// Page texts for snippets (written by search_bench next to the index).
if (existsSync(join(dir, "texts.json"))) glue.add_texts(readFileSync(join(dir, "texts.json")));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.round((xs.length - 1) * p)];

/** The loader's loop: search, fetch what it names, search again. */
function search(q) {
  for (;;) {
    const r = JSON.parse(glue.search(JSON.stringify({ query: q, limit: 10 })));
    if (!r.need) return r.hits;
    for (const name of r.need) glue.add_chunk(name, readFileSync(join(dir, name)));
  }
}

const queries = readQueries(queryFiles);
for (const q of queries) search(q);
const times = [];
for (let round = 0; round < 20; round++) {
  for (const q of queries) {
    t = performance.now();
    search(q);
    times.push(performance.now() - t);
  }
}
console.log(`docs ${docs}  instantiate ${instantiateMs.toFixed(1)} ms  open median ${pct(loads, 0.5).toFixed(2)} ms`);
if (times.length) {
  console.log(`queries ${queries.length} x20  p50 ${pct(times, 0.5).toFixed(3)} ms  p95 ${pct(times, 0.95).toFixed(3)} ms`);
}
