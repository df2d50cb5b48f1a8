// Parity: the wasm runtime in headless Chromium (through the committed loader)
// and the native engine (`zhiku search --json`) return the same ranked ids,
// scores and snippets for the same index files (both fetch the hot file and
// then only the chunks a query needs), on the public evaluation queries, our
// colloquial set and the typed-query set (traditional, pinyin, English,
// pasted messages…), on this site and on a 2,000-document synthetic one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rm } from "node:fs/promises";
import { useBuiltSite, runZhiku, repo, buildSite, serveStatic } from "./lib.mjs";

/** Column `n` (0-based) of a TSV with a header row. */
function column(path, n = 0) {
  return readFileSync(path, "utf8").split("\n").slice(1).map((l) => (l.split("\t")[n] || "").trim()).filter(Boolean);
}

const queries = ["public-queries.tsv", "colloquial-queries.tsv"].flatMap((f) => column(join(repo, "tests", "data", f)));
const typed = column(join(repo, "tests", "data", "typed-queries.tsv"), 1);
const filtered = [
  { query: "网站名称 禁用词", kind: "province" },
  { query: "前置审批", province: "guangdong" },
  { query: "驳回 域名", kind: "rejection", limit: 5 },
  { query: "备案号 没挂", kind: "rejection", province: "粤" },
  { query: "前置审批", province: "广东省" },
  { query: "前置审批", province: "广东" },
  { query: "备案", limit: 20, offset: 50 },
];

const site = useBuiltSite({ before, after });

function native({ query, limit = 10, kind, province, offset }, root = repo, out = site.out) {
  const args = ["--root", root, "search", "--json", "--limit", String(limit), "--output", out];
  if (offset) args.push("--offset", String(offset));
  if (kind) args.push("--kind", kind);
  if (province) args.push("--province", province);
  const r = runZhiku([...args, "--", query]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** Runs requests through window.zhikuSearch in a real page of the built site. */
async function inBrowser(requests, url = site.server.url) {
  const page = await site.browser.newPage();
  await page.goto(`${url}/`);
  const out = await page.evaluate(async (reqs) => {
    if (!window.zhikuSearch) {
      const src = document.querySelector("[data-loader]").getAttribute("data-loader");
      await new Promise((ok, fail) => {
        const s = document.createElement("script");
        s.src = src;
        s.onload = ok;
        s.onerror = () => fail(new Error(`loader ${src} failed`));
        document.head.append(s);
      });
    }
    const rt = await window.zhikuSearch.load();
    const res = [];
    for (const r of reqs) res.push(await rt.search(r.query, r));
    return res;
  }, requests);
  await page.close();
  return out;
}

/** Runs `requests` in Chromium and through the CLI and compares hit by hit. */
async function assertParity(requests, root = repo, out = site.out, url = site.server.url) {
  const wasm = await inBrowser(requests, url);
  assert.equal(wasm.length, requests.length);
  let nonEmpty = 0;
  requests.forEach((req, i) => {
    const nat = native(req, root, out);
    const ids = (hits) => hits.map((h) => h.id);
    assert.deepEqual(ids(wasm[i]), ids(nat), `ranked ids differ for ${JSON.stringify(req)}`);
    wasm[i].forEach((h, j) => {
      assert.ok(Math.abs(h.score - nat[j].score) < 1e-3 * Math.max(1, h.score), `score of ${h.id} for ${req.query}`);
      assert.equal(h.section, nat[j].section);
      // Same snippet once the hit's text shard is in (the loader waits for it).
      assert.equal(h.text_shard, undefined, `${h.id} has its text`);
      assert.equal(h.snippet_html, nat[j].snippet_html, `snippet of ${h.id} for ${req.query}`);
    });
    if (nat.length) nonEmpty++;
  });
  assert.ok(nonEmpty >= requests.length - 1, "almost every query finds something");
}

test("wasm in Chromium and native CLI rank identically", async () => {
  await assertParity([...queries.map((query) => ({ query, limit: 10 })), ...filtered]);
});

test("the typed-query set ranks identically in Chromium and the CLI", async () => {
  assert.ok(typed.length >= 80);
  await assertParity(typed.map((query) => ({ query, limit: 10 })));
});

test("the English example site ranks identically in Chromium and the CLI", async () => {
  const root = join(repo, "examples", "help-center");
  const out = buildSite(root);
  const server = await serveStatic(out);
  try {
    const english = column(join(repo, "tests", "data", "example-queries.tsv"));
    await assertParity(english.map((query) => ({ query, limit: 10 })), root, out, server.url);
  } finally {
    await server.close();
    await rm(out, { recursive: true, force: true });
  }
});

test("a 2,000-document synthetic site ranks identically in Chromium and the CLI", async () => {
  const root = join(tmpdir(), `zhiku-parity-synth-${process.pid}`);
  const made = spawnSync("python3", [join(repo, "bench", "synth.py"), "2000", root, "--repo", repo], { encoding: "utf8" });
  assert.equal(made.status, 0, made.stderr);
  const out = buildSite(root);
  const server = await serveStatic(out);
  try {
    await assertParity(queries.map((query) => ({ query, limit: 10 })), root, out, server.url);
  } finally {
    await server.close();
    await rm(out, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  }
});

test("the loader rejects with a clear error when WebAssembly is unavailable", async () => {
  const page = await site.browser.newPage();
  await page.addInitScript(() => {
    delete window.WebAssembly;
  });
  await page.goto(`${site.server.url}/`);
  const message = await page.evaluate(async () => {
    const src = document.querySelector("[data-loader]").getAttribute("data-loader");
    if (!window.zhikuSearch) {
      await new Promise((ok) => {
        const s = document.createElement("script");
        s.src = src;
        s.onload = ok;
        document.head.append(s);
      });
    }
    try {
      await window.zhikuSearch.load();
      return "loaded";
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  });
  await page.close();
  assert.match(message, /WebAssembly/);
});
