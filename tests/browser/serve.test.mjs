// `zhiku serve` in headless Chromium: an open page reloads by itself after an
// edit (keeping its scroll position), swaps stylesheets without reloading,
// shows the error overlay after a broken edit and hides it once fixed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { repo, zhiku, launch } from "./lib.mjs";

/**
 * Copies the real site to a temp folder, with the built-in theme's sources as
 * its own theme (`theme = "default"`, so stylesheet edits apply), and starts
 * `zhiku serve --port 0` on it.
 */
async function startServe() {
  const root = await mkdtemp(join(tmpdir(), "zhiku-serve-browser-"));
  await cp(join(repo, "content"), join(root, "content"), { recursive: true });
  await cp(join(repo, "themes"), join(root, "themes"), { recursive: true });
  const toml = join(root, "content", "site.toml");
  await writeFile(toml, `theme = "default"\n${await readFile(toml, "utf8")}`);
  const child = spawn(zhiku, ["--root", root, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const url = await new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (l) => { const m = l.match(/http:\/\/\S+/); if (m) ok(m[0]); });
    child.on("exit", (code) => fail(new Error(`zhiku serve exited (${code}):\n${stderr}`)));
  });
  const stop = async () => { child.kill(); await rm(root, { recursive: true, force: true }); };
  return { root, url, stop };
}

/** The first FAQ entry of the first chapter folder: [file, url]. */
async function firstEntry(root) {
  const faq = join(root, "content", "faq");
  for (const chapter of (await readdir(faq)).sort()) {
    const files = (await readdir(join(faq, chapter))).filter((f) => f.endsWith(".md") && f !== "_index.md").sort();
    if (files.length) return [join(faq, chapter, files[0]), `/faq/${chapter}/${files[0].replace(/\.md$/, "")}/`];
  }
  throw new Error("no FAQ entry");
}

test("serve: live reload, CSS swap, error overlay", async (t) => {
  const server = await startServe();
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 500 } });
    const [file, path] = await firstEntry(server.root);
    const good = await readFile(file, "utf8");
    await page.goto(server.url.replace(/\/$/, "") + path);
    await page.waitForFunction(() => document.documentElement.dataset.zhikuServe === "connected");

    // Edit: the page reloads by itself, shows the new text, keeps its scroll position.
    const scrolled = await page.evaluate(() => {
      const max = document.documentElement.scrollHeight - window.innerHeight;
      window.scrollTo(0, Math.floor(max / 2));
      window.__beforeReload = true;
      return window.scrollY;
    });
    assert.ok(scrolled > 100, `the entry page is long enough to scroll (${scrolled})`);
    await writeFile(file, `${good}\n\n浏览器测试新段落-BROWSER-EDIT：蓝鲸独角兽测验。\n`);
    await page.waitForFunction(() => document.body.innerText.includes("浏览器测试新段落-BROWSER-EDIT"), null, { timeout: 30000 });
    assert.equal(await page.evaluate(() => window.__beforeReload), undefined, "the page really reloaded");
    await page.waitForFunction(() => document.documentElement.dataset.zhikuServe === "connected");
    await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 1, scrolled, { timeout: 5000 })
      .catch(() => {});
    assert.ok(Math.abs((await page.evaluate(() => window.scrollY)) - scrolled) <= 1, "scroll position kept across the reload");

    // Search (when the site has it) uses the rebuilt index: the new words find
    // the entry. The index follows the reload, so retry with a fresh page.
    if (await page.getAttribute("#q", "data-loader")) {
      let found = false;
      for (let i = 0; i < 20 && !found; i++) {
        if (i) await page.reload();
        await page.locator("#q").pressSequentially("蓝鲸独角兽测验");
        const outcome = await page.waitForFunction((p) => {
          if (document.querySelector("#search-results .search-error")) return "unavailable";
          const links = [...document.querySelectorAll("#search-results [role=option] a")];
          if (links.some((a) => new URL(a.href).pathname === p)) return "found";
          return links.length ? "other" : false;
        }, path, { timeout: 15000 }).then((h) => h.jsonValue(), () => "timeout");
        if (outcome === "unavailable") {
          t.diagnostic(`search runtime unavailable in this browser: ${await page.locator("#search-results").innerText()}`);
          break;
        }
        found = outcome === "found";
        if (!found) await page.waitForTimeout(500);
      }
      if (!(await page.locator("#search-results .search-error").count())) assert.ok(found, "search finds the edited entry");
      await page.locator("#q").fill("");
    }

    // A stylesheet edit is swapped in without reloading.
    await page.evaluate(() => { window.__noReload = true; });
    const css = join(server.root, "themes", "default", "static", "style.css");
    await writeFile(css, `${await readFile(css, "utf8")}\nbody { outline: 7px solid rgb(1, 2, 3); }\n`);
    await page.waitForFunction(() => getComputedStyle(document.body).outlineWidth === "7px", null, { timeout: 30000 });
    assert.equal(await page.evaluate(() => window.__noReload), true, "no reload for CSS");

    // A broken edit shows the overlay with file:line:column; the old page stays.
    await writeFile(file, good.replace("+++\n", "+++\nbogus_field = 1\n"));
    const overlay = page.locator("#zhiku-serve-overlay");
    await overlay.waitFor({ state: "visible", timeout: 30000 });
    const rel = file.slice(server.root.length + 1);
    assert.match(await overlay.innerText(), new RegExp(`${rel.replace(/[.]/g, "\\.")}:2:1`));
    assert.match(await overlay.innerText(), /bogus_field/);

    // Fixing the file hides the overlay by itself.
    await writeFile(file, `${good}\n\n浏览器测试新段落-BROWSER-EDIT：蓝鲸独角兽测验。\n`);
    await overlay.waitFor({ state: "detached", timeout: 30000 });
    assert.ok(await page.evaluate(() => document.body.innerText.includes("浏览器测试新段落-BROWSER-EDIT")));
  } finally {
    await browser.close();
    await server.stop();
  }
});
