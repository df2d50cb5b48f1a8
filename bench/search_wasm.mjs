// Wasm side of the search benchmark: loads the committed runtime
// (themes/default/search-runtime) in Node, then times index load and queries.
//
//   node bench/search_wasm.mjs INDEX.bin QUERIES.tsv...
// (INDEX.bin.texts.json, if present, is loaded too, so snippets are timed.)
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { readQueries } from "./queries.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const runtime = join(repo, "themes", "default", "search-runtime");
const [indexPath, ...queryFiles] = process.argv.slice(2);
if (!indexPath) {
  console.error("usage: node bench/search_wasm.mjs INDEX.bin QUERIES.tsv...");
  process.exit(2);
}

const glue = await import(pathToFileURL(join(runtime, "zhiku_search.js")).href);
let t = performance.now();
await glue.default({ module_or_path: readFileSync(join(runtime, "zhiku_search_bg.wasm")) });
const instantiateMs = performance.now() - t;

const index = new Uint8Array(readFileSync(indexPath));
const loads = [];
let docs = 0;
for (let i = 0; i < 7; i++) {
  t = performance.now();
  docs = glue.load(index);
  loads.push(performance.now() - t);
}
// Page texts for snippets (written by search_bench next to the index).
if (existsSync(`${indexPath}.texts.json`)) glue.add_texts(readFileSync(`${indexPath}.texts.json`));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.round((xs.length - 1) * p)];

const queries = readQueries(queryFiles);
const times = [];
for (let round = 0; round < 20; round++) {
  for (const q of queries) {
    t = performance.now();
    JSON.parse(glue.search(JSON.stringify({ query: q, limit: 10 })));
    times.push(performance.now() - t);
  }
}
console.log(`docs ${docs}  instantiate ${instantiateMs.toFixed(1)} ms  load median ${pct(loads, 0.5).toFixed(2)} ms`);
if (times.length) {
  console.log(`queries ${queries.length} x20  p50 ${pct(times, 0.5).toFixed(3)} ms  p95 ${pct(times, 0.95).toFixed(3)} ms`);
}
