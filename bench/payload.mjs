// Bytes a browser downloads before its first search result, from a built site.
//
//   node bench/payload.mjs PUBLIC_DIR [QUERIES.tsv...]
//   node bench/payload.mjs --index DIR [QUERIES.tsv...]   (DIR from `search_bench --out DIR`)
//
// Counts what the loader fetches before any search (loader, manifest,
// wasm-bindgen glue, wasm, the index's hot file) raw, gzip -9 and brotli 11
// per file (bench/sizes.mjs), then runs each query (first TSV column) on a
// cold engine with the site's own wasm runtime in Node, fetching the chunks it
// names round by round as the loader does, and reports the chunk bytes, the
// rounds and the total before the first result (p50, p95, max), and the text
// shards the top hits' snippets need (8 hits, as the header dropdown shows;
// 10 and 50 as the search page).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compressedSizes as sizes } from "./sizes.mjs";
import { readQueries } from "./queries.mjs";

const args = process.argv.slice(2);
const indexMode = args[0] === "--index";
if (indexMode) args.shift();
const [dir, ...queryFiles] = args;
if (!dir) {
  console.error("usage: node bench/payload.mjs PUBLIC_DIR|--index DIR [QUERIES.tsv...]");
  process.exit(2);
}
const kb = (n) => (n / 1000).toFixed(1);
const repo = join(dirname(fileURLToPath(import.meta.url)), "..");

let parts, hotDir, hotBytes, glueUrl, wasmBytes, shardBytes;
if (indexMode) {
  // The committed runtime on search_bench's files.
  const rt = join(repo, "themes", "default", "search-runtime");
  hotDir = dir;
  hotBytes = readFileSync(join(dir, "hot.bin"));
  glueUrl = pathToFileURL(join(rt, "zhiku_search.js")).href;
  wasmBytes = readFileSync(join(rt, "zhiku_search_bg.wasm"));
  parts = [
    ["loader.js", readFileSync(join(rt, "loader.js"))],
    ["wasm-bindgen glue", readFileSync(join(rt, "zhiku_search.js"))],
    ["wasm (search module)", wasmBytes],
    ["index hot file", hotBytes],
  ];
  shardBytes = [];
} else {
  const file = (url) => join(dir, url.replace(/^\//, ""));
  // Manifest URLs are relative to the manifest, in search/.
  const listed = (url) => join(dir, "search", url);
  const manifestBytes = readFileSync(join(dir, "search", "manifest.json"));
  const m = JSON.parse(manifestBytes);
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const loaderUrl = html.match(/data-loader="([^"]+)"/)[1];
  hotDir = join(dir, "search");
  hotBytes = readFileSync(listed(m.index));
  glueUrl = pathToFileURL(listed(m.glue)).href;
  wasmBytes = readFileSync(listed(m.wasm));
  parts = [
    ["loader.js", readFileSync(file(loaderUrl))],
    ["manifest", manifestBytes],
    ["wasm-bindgen glue", readFileSync(listed(m.glue))],
    ["wasm (search module)", wasmBytes],
    ["index hot file", hotBytes],
  ];
  shardBytes = m.texts.map((u) => readFileSync(listed(u)));
  const tools = sizes(readFileSync(listed(m.tools_wasm)));
  console.log(`checker module (tool pages only): ${kb(tools.raw)} KB raw / ${kb(tools.gzip)} KB gzip / ${kb(tools.brotli)} KB brotli`);
}

const fixed = { raw: 0, gzip: 0, brotli: 0 };
console.log("| file | raw | gzip -9 | brotli 11 |\n|---|---:|---:|---:|");
for (const [name, bytes] of parts) {
  const s = sizes(bytes);
  for (const k of Object.keys(fixed)) fixed[k] += s[k];
  console.log(`| ${name} | ${kb(s.raw)} KB | ${kb(s.gzip)} KB | ${kb(s.brotli)} KB |`);
}
console.log(`| **before any chunk** | **${kb(fixed.raw)} KB** | **${kb(fixed.gzip)} KB** | **${kb(fixed.brotli)} KB** |`);
// A small index is whole in its hot file: no chunk folder.
const chunkFiles = existsSync(join(hotDir, "chunks")) ? readdirSync(join(hotDir, "chunks")) : [];
const allChunks = chunkFiles.reduce((a, f) => a + sizes(readFileSync(join(hotDir, "chunks", f))).gzip, 0);
console.log(`index chunks: ${chunkFiles.length}, ${kb(allChunks)} KB gzip in all`);
if (shardBytes.length) {
  const all = shardBytes.map(sizes).reduce((a, s) => a + s.gzip, 0);
  console.log(`text shards: ${shardBytes.length}, ${kb(all)} KB gzip in all`);
}

const queries = readQueries(queryFiles);
if (queries.length) {
  const glue = await import(glueUrl);
  await glue.default({ module_or_path: wasmBytes });
  const chunkSize = new Map();
  const gz = (name) => {
    if (!chunkSize.has(name)) chunkSize.set(name, sizes(readFileSync(join(hotDir, name))));
    return chunkSize.get(name);
  };
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.round((xs.length - 1) * p)];
  const rows = queries.map((query) => {
    glue.open(hotBytes); // a cold engine: no chunks
    let rounds = 0;
    let bytes = 0;
    let count = 0;
    for (;;) {
      const r = JSON.parse(glue.search(JSON.stringify({ query, limit: 8 })));
      if (r.hits) {
        const need = new Set(r.hits.map((h) => h.text_shard).filter((n) => n != null));
        const shards = [...need].reduce((sum, n) => sum + (shardBytes[n] ? sizes(shardBytes[n]).gzip : 0), 0);
        return { query, rounds, bytes, count, shards };
      }
      rounds++;
      for (const name of r.need) {
        glue.add_chunk(name, readFileSync(join(hotDir, name)));
        bytes += gz(name).gzip;
        count++;
      }
    }
  });
  const col = (k) => rows.map((r) => r[k]);
  const line = (label, xs, f = kb) => console.log(`${label}: p50 ${f(pct(xs, 0.5))}, p95 ${f(pct(xs, 0.95))}, max ${f(Math.max(...xs))}`);
  console.log(`\n${queries.length} queries, each on a cold engine (8 hits):`);
  line("chunks fetched (files)", col("count"), String);
  line("fetch rounds before the first result", col("rounds"), String);
  line("chunk bytes gzip (KB)", col("bytes"));
  line("**total before the first result, gzip (KB)**", col("bytes").map((b) => b + fixed.gzip));
  if (shardBytes.length) line("plus text shards for the 8 snippets, gzip (KB)", col("shards"));
  const worst = rows.reduce((a, r) => (r.bytes > a.bytes ? r : a));
  console.log(`largest: ${worst.query} (${worst.count} chunks, ${kb(worst.bytes)} KB)`);
}
