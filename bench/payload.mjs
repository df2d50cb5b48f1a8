// Bytes a browser downloads before its first search result, from a built site.
//
//   node bench/payload.mjs PUBLIC_DIR [QUERIES.tsv...]
//
// Counts what the loader fetches before search() can answer (loader, manifest,
// wasm-bindgen glue, wasm, index blob) raw, gzip -9 and brotli 11
// (bench/sizes.mjs). Then, for each query (first TSV column), runs the site's own wasm runtime in Node
// without page texts, reads which text shards the top hits need for their
// snippets, and reports the extra bytes for those shards (8 hits, as the
// header dropdown shows; 10 and 50 as the search page).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compressedSizes as sizes } from "./sizes.mjs";
import { readQueries } from "./queries.mjs";

const [dir, ...queryFiles] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node bench/payload.mjs PUBLIC_DIR [QUERIES.tsv...]");
  process.exit(2);
}
const file = (url) => join(dir, url.replace(/^\//, ""));
// Manifest URLs are relative to the manifest, in search/.
const listed = (url) => join(dir, "search", url);
const kb = (n) => (n / 1000).toFixed(1);

// The hashed manifest is the one pages name; the loader is next to it.
const manifestBytes = readFileSync(join(dir, "search", "manifest.json"));
const m = JSON.parse(manifestBytes);
const html = readFileSync(join(dir, "index.html"), "utf8");
const loaderUrl = html.match(/data-loader="([^"]+)"/)[1];
const parts = [
  ["loader.js", readFileSync(file(loaderUrl))],
  ["manifest", manifestBytes],
  ["wasm-bindgen glue", readFileSync(listed(m.glue))],
  ["wasm (search module)", readFileSync(listed(m.wasm))],
  ["index blob", readFileSync(listed(m.index))],
];
const total = { raw: 0, gzip: 0, brotli: 0 };
console.log("| file | raw | gzip -9 | brotli 11 |\n|---|---:|---:|---:|");
for (const [name, bytes] of parts) {
  const s = sizes(bytes);
  for (const k of Object.keys(total)) total[k] += s[k];
  console.log(`| ${name} | ${kb(s.raw)} KB | ${kb(s.gzip)} KB | ${kb(s.brotli)} KB |`);
}
console.log(`| **before the first result** | **${kb(total.raw)} KB** | **${kb(total.gzip)} KB** | **${kb(total.brotli)} KB** |`);

const shardSizes = m.texts.map((u) => sizes(readFileSync(listed(u))));
const all = shardSizes.reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip, brotli: a.brotli + s.brotli }), { raw: 0, gzip: 0, brotli: 0 });
console.log(`\ntext shards: ${m.texts.length}, all together ${kb(all.raw)} KB raw / ${kb(all.gzip)} KB gzip / ${kb(all.brotli)} KB brotli`);
const tools = sizes(readFileSync(listed(m.tools_wasm)));
console.log(`checker module (tool pages only): ${kb(tools.raw)} KB raw / ${kb(tools.gzip)} KB gzip / ${kb(tools.brotli)} KB brotli`);

const queries = readQueries(queryFiles);
if (queries.length) {
  const glue = await import(pathToFileURL(listed(m.glue)).href);
  await glue.default({ module_or_path: readFileSync(listed(m.wasm)) });
  glue.load(readFileSync(listed(m.index)));
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.round((xs.length - 1) * p)];
  for (const limit of [8, 10, 50]) {
    const extra = queries.map((query) => {
      const hits = JSON.parse(glue.search(JSON.stringify({ query, limit })));
      const need = new Set(hits.map((h) => h.text_shard).filter((n) => n != null));
      return [...need].reduce((sum, n) => sum + shardSizes[n].gzip, 0);
    });
    console.log(`snippets for the top ${limit} (${queries.length} queries): text shards gzip p50 ${kb(pct(extra, 0.5))} KB, ` +
      `p95 ${kb(pct(extra, 0.95))} KB, max ${kb(Math.max(...extra))} KB`);
  }
}
