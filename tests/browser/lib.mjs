// Shared helpers for browser tests: build a site with the zhiku binary, serve a
// folder on 127.0.0.1 with a tiny static server, and drive Debian's Chromium.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { createSecureServer } from "node:http2";
import { readFile, stat, rm } from "node:fs/promises";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, normalize, extname, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync, constants as zlib } from "node:zlib";
import { chromium } from "playwright-core";

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const zhiku = process.env.ZHIKU_BIN || join(repo, "target", "debug", "zhiku");

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm",
  ".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
};

/** Runs `zhiku <args>` and returns { status, stdout, stderr }. */
export function runZhiku(args, opts = {}) {
  const r = spawnSync(zhiku, args, { encoding: "utf8", ...opts });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Builds the site at `root` into `out` (default: a fresh folder under the OS temp dir). */
export function buildSite(root = repo, out, { baseUrl } = {}) {
  const output = out || join(process.env.TMPDIR || "/tmp", `zhiku-browser-${process.pid}-${Date.now()}`);
  const r = runZhiku(["--root", root, "build", "--output", output, ...(baseUrl ? ["--base-url", baseUrl] : [])]);
  if (r.status !== 0) throw new Error(`zhiku build failed:\n${r.stderr}`);
  return output;
}

/** File types a host compresses (Pagefind's own files come gzipped already). */
const COMPRESSIBLE = new Set([".html", ".css", ".js", ".mjs", ".json", ".wasm", ".bin", ".xml", ".txt", ".svg"]);

/** `body` encoded as `compress` ("gzip" or "br") asks, if the client accepts it. */
function encode(body, file, compress, accept) {
  if (!compress || !COMPRESSIBLE.has(extname(file)) || !String(accept || "").includes(compress)) return null;
  return compress === "br"
    ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } })
    : gzipSync(body, { level: 9 });
}

/**
 * Serves `dir` on 127.0.0.1 (ephemeral port) like any static host; returns { url, close }.
 * With `prefix` ("/kb/") the folder is served under that path only and every
 * other URL is a bare 404, as on a host where the site is one folder of many.
 * With `compress` ("gzip" or "br") text, wasm and index files are sent
 * compressed to clients that accept it, as real hosts do (compressed once per
 * file version, as hosts keep compressed copies). With `tls` ({ key, cert },
 * PEM) it serves HTTP/2 over TLS (HTTP/1.1 for clients without ALPN h2).
 */
export async function serveStatic(dir, { prefix = "/", compress = null, tls = null } = {}) {
  const compressed = new Map();
  const handler = async (req, res) => {
    const pathname = new URL(req.url, "http://x").pathname;
    if (!pathname.startsWith(prefix)) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("outside the site\n");
      return;
    }
    try {
      let path = decodeURIComponent("/" + pathname.slice(prefix.length));
      path = normalize(path).replace(/^(\.\.[/\\])+/, "");
      let file = join(dir, path);
      if (!file.startsWith(dir)) throw new Error("outside");
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, "index.html");
      const info = await stat(file);
      const body = await readFile(file);
      const headers = { "content-type": TYPES[extname(file)] || "application/octet-stream" };
      const version = `${compress} ${req.headers["accept-encoding"]} ${file} ${info.mtimeMs} ${info.size}`;
      if (!compressed.has(version)) compressed.set(version, encode(body, file, compress, req.headers["accept-encoding"]));
      const encoded = compressed.get(version);
      if (encoded) {
        headers["content-encoding"] = compress;
        headers.vary = "accept-encoding";
      }
      res.writeHead(200, headers);
      res.end(encoded || body);
    } catch {
      const body = await readFile(join(dir, "404.html")).catch(() => "not found");
      res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      res.end(body);
    }
  };
  const server = tls ? createSecureServer({ ...tls, allowHTTP1: true }, handler) : createServer(handler);
  // HTTP/2 sessions stay open (idle browsers): closing waits for none of them.
  const sessions = new Set();
  server.on("session", (s) => { sessions.add(s); s.on("close", () => sessions.delete(s)); });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  const close = () => new Promise((ok) => { server.close(ok); for (const s of sessions) s.destroy(); });
  return { url: `${tls ? "https" : "http"}://127.0.0.1:${port}`, close };
}

/** Chromium's flags for this closed network. */
export const LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Launches headless Chromium with the flags this closed network needs. */
export async function launch(options = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: LAUNCH_ARGS,
    ...options,
  });
  // Contexts block the site's service worker unless a test asks for it
  // ({ serviceWorkers: "allow" }): its precache would add hundreds of
  // downloads to every page a test opens, and serve pages from a cache.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (opts = {}) => newContext({ serviceWorkers: "block", ...opts });
  browser.newPage = async (opts = {}) => {
    const context = await browser.newContext(opts);
    const page = await context.newPage();
    page.once("close", () => context.close().catch(() => {}));
    return page;
  };
  return browser;
}

/** Injects axe-core into `page` and returns its violations (rule id, count, first targets). */
export async function axeViolations(page, { exclude = [] } = {}) {
  const source = await readFile(join(dirname(fileURLToPath(import.meta.url)), "node_modules", "axe-core", "axe.min.js"), "utf8");
  await page.addScriptTag({ content: source });
  return page.evaluate(async (exclude) => {
    const r = await window.axe.run({ exclude: exclude.map((s) => [s]) }, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, n: v.nodes.length, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  }, exclude);
}

/**
 * Registers node:test hooks that build the real site, serve it and launch
 * Chromium once per test file; the returned object is filled in before tests run
 * ({ out, server, browser }) and everything is torn down afterwards.
 */
export function useBuiltSite({ before, after, lazy = false }) {
  const site = {};
  before(async () => {
    if (lazy) site.root = lazySiteRoot();
    site.out = buildSite(site.root);
    site.server = await serveStatic(site.out);
    site.browser = await launch();
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
    if (site.out) await rm(site.out, { recursive: true, force: true });
    if (site.root) await rm(site.root, { recursive: true, force: true });
  });
  return site;
}

/**
 * A copy of the real site (its `content/`, in a fresh temp folder) whose
 * index is always cut into chunks (`[search] whole_index_kb = 0`; by default
 * this site's small index is sent whole). Returns the site root.
 */
export function lazySiteRoot() {
  const root = join(process.env.TMPDIR || "/tmp", `zhiku-lazy-${process.pid}-${Date.now()}`);
  cpSync(join(repo, "content"), join(root, "content"), { recursive: true });
  const config = join(root, "content", "site.toml");
  writeFileSync(config, `${readFileSync(config, "utf8")}\n[search]\nwhole_index_kb = 0\n`);
  return root;
}
