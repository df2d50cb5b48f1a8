// Headless-Chromium tests of the interactive tools on the real site: the
// decision trees (with and without JavaScript), the name checker and the
// pre-approval checker (wasm runtime), and the province comparison matrix.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useBuiltSite } from "./lib.mjs";

const site = useBuiltSite({ before, after });

/** URLs of the decision trees, as the tools page lists them. */
async function treeUrls(page) {
  await page.goto(`${site.server.url}/tools/`);
  const hrefs = await page.locator('a[href^="/decision/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.length >= 1, "the tools page lists at least one decision tree");
  return [...new Set(hrefs)];
}

/** Id of the one visible step (node or outcome) of an interactive tree. */
async function visibleStep(page) {
  const ids = await page.locator(".decision-node, .decision-outcome").evaluateAll((els) =>
    els.filter((e) => e.offsetParent !== null).map((e) => e.id));
  assert.equal(ids.length, 1, `exactly one step is shown, got ${ids.join(",")}`);
  return ids[0];
}

test("decision tree with JavaScript: one question at a time, path in the URL, reload, back, restart", async () => {
  const page = await site.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  for (const url of await treeUrls(page)) {
    await page.goto(site.server.url + url);
    const start = await page.locator("#decision").getAttribute("data-start");
    assert.equal(await visibleStep(page), start, "starts at the first question");
    assert.ok(await page.locator(".decision-trail").isVisible(), "breadcrumb shown");
    assert.ok(await page.locator(".decision-trail .back").isDisabled(), "nothing to go back to yet");

    // Walk down: follow questions for a few steps (so back has somewhere to go),
    // then take the first option that ends in an outcome.
    const path = [start];
    const labels = [];
    for (let i = 0; i < 30; i++) {
      const cur = await visibleStep(page);
      if (await page.locator(`#${cur}.decision-outcome`).count()) break;
      const options = await page.locator(`#${cur} a.option`).evaluateAll((as) => as.map((a, index) => ({
        index, label: a.textContent, target: a.dataset.target,
        node: !!document.querySelector(`.decision-node#${CSS.escape(a.dataset.target)}`),
      })));
      // Prefer the last of several answers leading to the same step, so the
      // breadcrumb must show the answer actually clicked.
      const pickable = options.filter((o) => (i < 3 ? o.node : !o.node));
      const pick = pickable[pickable.length - 1] || options[0];
      await page.locator(`#${cur} a.option`).nth(pick.index).click();
      path.push(pick.target);
      labels.push(pick.label);
      assert.equal(await visibleStep(page), pick.target);
      assert.ok((await page.locator(".decision-trail li").last().innerText()).includes(pick.label), "breadcrumb shows the answer");
    }
    const outcome = path[path.length - 1];
    assert.ok(await page.locator(`#${outcome}.decision-outcome`).count(), `${url}: reached an outcome`);
    assert.equal(new URL(page.url()).hash, `#path=${path.join(",")}`, "the URL holds the path");
    assert.equal(await page.locator(".decision-trail li").count(), path.length - 1, "one breadcrumb item per answer");

    // The outcome shows a verdict, an explanation and links to the entries behind it.
    const box = page.locator(`#${outcome}`);
    assert.ok((await box.locator("h2").innerText()).trim().length > 0);
    assert.ok((await box.locator(".explanation").innerText()).trim().length > 0);
    const see = await box.locator('ul a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(see.length >= 1, "outcome links to the entries behind it");

    // Reload restores the exact outcome and breadcrumb; a fresh tab from the link does too.
    await page.reload();
    assert.equal(await visibleStep(page), outcome, "reload restores the outcome");
    assert.equal(await page.locator(".decision-trail li").count(), path.length - 1);
    const crumbs = await page.locator(".decision-trail li").allInnerTexts();
    labels.forEach((l, i) => assert.ok(crumbs[i].includes(l), `breadcrumb ${i} after reload: ${crumbs[i]}`));
    const shared = await site.browser.newPage();
    await shared.goto(page.url());
    assert.equal(await visibleStep(shared), outcome, "a shared link opens the same outcome");
    await shared.close();

    // Back goes one step up; the browser's back button too; restart goes to the start.
    assert.ok(path.length > 2, `${url}: walked at least two questions (${path})`);
    {
      await page.locator(".decision-trail .back").click();
      assert.equal(await visibleStep(page), path[path.length - 2]);
      assert.equal(new URL(page.url()).hash, `#path=${path.slice(0, -1).join(",")}`);
      await page.goBack();
      assert.equal(await visibleStep(page), outcome, "browser back returns to the outcome");
      // A breadcrumb item jumps back to its question.
      await page.locator(".decision-trail li a").first().click();
      assert.equal(await visibleStep(page), start);
      await page.goBack();
      assert.equal(await visibleStep(page), outcome);
    }
    await page.locator(".decision-trail .restart").click();
    assert.equal(await visibleStep(page), start, "restart shows the first question");
    assert.equal(new URL(page.url()).hash, `#path=${start}`);
    assert.equal(await page.locator(".decision-trail li").count(), 0);

    // A broken path keeps its valid prefix; a plain #step link gets its full path.
    await page.goto(`${site.server.url}${url}#path=${start},no-such-step`);
    assert.equal(await visibleStep(page), start);
    await page.goto(`${site.server.url}${url}#${outcome}`);
    await page.reload();
    assert.equal(await visibleStep(page), outcome, "plain #outcome link");
    assert.ok(await page.locator(".decision-trail li").count() >= 1, "breadcrumb rebuilt for a plain link");
  }
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("decision tree without JavaScript: every step on the page, options are plain links", async () => {
  const context = await site.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${site.server.url}/tools/`);
  const url = await page.locator('a[href^="/decision/"]').first().getAttribute("href");
  await page.goto(site.server.url + url);
  const nodes = page.locator(".decision-node");
  const outcomes = page.locator(".decision-outcome");
  assert.ok((await nodes.count()) >= 2 && (await outcomes.count()) >= 2);
  assert.ok(await nodes.nth(1).isVisible(), "later questions are visible too");
  assert.ok(await outcomes.first().isVisible(), "outcomes are visible");
  assert.ok(!(await page.locator(".decision-trail").isVisible()), "no JS breadcrumb");
  // Every option is an anchor to a step that exists on the page.
  const hrefs = await page.locator("a.option").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const ids = new Set(await page.locator("[data-node],[data-outcome]").evaluateAll((els) => els.map((e) => e.id)));
  for (const h of hrefs) {
    assert.match(h, /^#/);
    assert.ok(ids.has(h.slice(1)), `${h} exists`);
  }
  // Following an option navigates to its step.
  const first = page.locator(".decision-node").first().locator("a.option").first();
  const target = (await first.getAttribute("href")).slice(1);
  await first.click();
  assert.equal(new URL(page.url()).hash, `#${target}`);
  assert.ok(await page.locator(`#${target}`).isVisible());
  // An outcome's links are ordinary links to real pages.
  const seeHref = await page.locator(".decision-outcome ul a").first().getAttribute("href");
  const res = await page.goto(site.server.url + seeHref);
  assert.equal(res.status(), 200);
  await context.close();
});

/** Submits a checker form and waits for its result; a runtime error fails the test. */
async function runChecker(page, fill) {
  await fill();
  await page.locator("form[data-tool] button[type=submit]").click();
  const result = page.locator("#tool-result[data-state]");
  await result.waitFor({ timeout: 20000 });
  if ((await result.getAttribute("data-state")) === "error") {
    assert.fail(`checker failed: ${await result.innerText()}`);
  }
}

test("name checker: verdicts, findings with rule pages, safe output, shareable URL", async () => {
  const page = await site.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  // No idle loading of the search module here: this test is about what the checker fetches.
  await page.addInitScript(() => { window.requestIdleCallback = () => 0; });
  await page.goto(`${site.server.url}/tools/name-check/`);
  const check = (province, name, { individual = false, app = false } = {}) =>
    runChecker(page, async () => {
      await page.evaluate(() => document.getElementById("tool-result").removeAttribute("data-state"));
      await page.selectOption("#nc-province", province);
      await page.check(`input[name=subject][value=${individual ? "individual" : "organisation"}]`);
      await page.setChecked("input[name=app]", app);
      await page.fill("#nc-name", name);
    });
  await check("guangdong", "中国二手商城");
  // The checkers run in their own small module: no search module, no index.
  assert.ok(requests.some((p) => /^\/search\/zhiku-tools\.[0-9a-f]+\.wasm$/.test(p)), `${requests}`);
  assert.ok(!requests.some((p) => /\/search\/(index|zhiku-search)\./.test(p)), `${requests}`);

  const verdict = () => page.locator("#tool-result .verdict").getAttribute("data-verdict");
  const rules = () => page.locator("#tool-result .finding").evaluateAll((ls) => ls.map((l) => l.dataset.rule));
  assert.equal(await verdict(), "block");
  assert.deepEqual((await rules()).sort(), ["province-forbidden-word", "reserved-prefix"]);
  const provinceLink = page.locator('#tool-result .finding[data-rule="province-forbidden-word"] .see a');
  assert.equal(await provinceLink.getAttribute("href"), "/provinces/guangdong/");
  assert.match(await page.locator('#tool-result .finding[data-rule="province-forbidden-word"] .matched').innerText(), /商城/);

  await check("guangdong", "星辰大海书店");
  assert.equal(await verdict(), "pass");
  assert.equal(await page.locator("#tool-result .finding").count(), 0);

  await check("hainan", "小明科技工作室", { individual: true });
  assert.equal(await verdict(), "block");
  assert.ok((await rules()).includes("individual-organisation-word"));
  assert.ok((await rules()).includes("individual-personal-or-place-name"), "personal-name guidance, not a guess");

  await check("hainan", "9块9包邮", { app: true });
  assert.ok((await rules()).includes("app-price-marketing"));

  // Input is shown as text, never as markup.
  const evil = '<img src=x onerror="window.__xss=1">测试网站';
  await check("guangdong", evil);
  assert.equal(await page.locator("#tool-result img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.ok((await page.locator("#tool-result").innerText()).includes("<"), "the symbol is reported as text");

  // The inputs are in the URL; opening it runs the same check.
  await check("beijing", "星辰论坛乐园");
  const shared = page.url();
  assert.match(decodeURIComponent(shared), /province=beijing.*name=星辰论坛乐园/);
  const again = await site.browser.newPage();
  await again.goto(shared);
  await again.locator("#tool-result[data-state=done]").waitFor();
  assert.equal(await again.locator("#tool-result .verdict").getAttribute("data-verdict"), "block");
  assert.equal(await again.locator("#nc-province").inputValue(), "beijing");
  await again.close();

  // The rule link leads to the page that states the rule.
  await page.locator('#tool-result .finding[data-rule="province-forbidden-word"] .see a').click();
  await page.waitForURL(/\/provinces\/beijing\/$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("pre-approval checker: categories with letters, negation, province without a table", async () => {
  const page = await site.browser.newPage();
  await page.goto(`${site.server.url}/tools/preapproval/`);
  const check = (province, text) =>
    runChecker(page, async () => {
      await page.evaluate(() => document.getElementById("tool-result").removeAttribute("data-state"));
      await page.selectOption("#pa-province", province);
      await page.fill("#pa-text", text);
    });
  await check("anhui", "提供时政新闻和理财咨询");

  const rows = () => page.locator("#tool-result tr[data-category]").evaluateAll((trs) =>
    trs.map((tr) => `${tr.dataset.source}:${tr.dataset.category}`));
  assert.deepEqual(await rows(), ["national:新闻", "province:金融", "province:新闻"]);
  const finance = page.locator('#tool-result tr[data-category="金融"]');
  assert.equal(await finance.locator(".letters").innerText(), "《安徽不涉及金融承诺书》");
  assert.match(await finance.innerText(), /金融十八词/);
  assert.equal(await finance.locator("a").getAttribute("href"), "/faq/documents/finance-eighteen-words/");

  await check("anhui", "企业官网展示，不涉及新闻、出版");
  assert.equal(await page.locator("#tool-result .verdict").getAttribute("data-verdict"), "pass");
  assert.match(await page.locator("#tool-result .negated").innerText(), /新闻、出版/);

  await check("hainan", "在线教育平台");
  assert.deepEqual(await rows(), ["national:教育"]);
  assert.match(await page.locator("#tool-result .notice").innerText(), /没有海南省的前置审批承诺书表/);
  await page.close();
});

test("checker pages without JavaScript explain themselves and link to the rules", async () => {
  const context = await site.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const path of ["/tools/name-check/", "/tools/preapproval/"]) {
    await page.goto(site.server.url + path);
    assert.match(await page.locator("main").innerText(), /需要开启 JavaScript/);
    assert.ok(await page.locator('.tool-sources a[href^="/faq/"]').count() >= 1);
  }
  await page.goto(`${site.server.url}/tools/`);
  for (const href of ["/tools/name-check/", "/tools/preapproval/", "/provinces/compare/"]) {
    assert.equal(await page.locator(`main a[href="${href}"]`).count(), 1, `tools page lists ${href}`);
  }
  await context.close();
});

test("province comparison: every province, counts with the word list, cells link to the province", async () => {
  const page = await site.browser.newPage();
  await page.goto(`${site.server.url}/provinces/compare/`);
  assert.equal(await page.locator("#compare tbody tr").count(), 31);
  const gd = page.locator("#p-guangdong");
  const count = gd.locator("td.word-count > a");
  assert.equal(await count.innerText(), "16 个");
  assert.match(await count.getAttribute("title"), /^媒体、股票/);
  assert.ok(!(await gd.locator("td.word-count details").evaluate((d) => d.open)));
  await gd.locator("td.word-count summary").click();
  assert.ok(await gd.locator("td.word-count details").evaluate((d) => d.open), "the list expands");
  const cells = await page.locator("#compare tbody td").evaluateAll((tds) =>
    tds.map((td) => [td.closest("tr").id, td.querySelector("a")?.getAttribute("href") || "", !!td.querySelector(".none")]));
  // A cell with a value links to the province; "—" (nothing given) is no link.
  for (const [row, href, none] of cells) {
    if (none) assert.equal(href, "", `${row}: an empty cell links nowhere`);
    else assert.ok(href.startsWith(`/provinces/${row.slice(2)}/`), `${row}: ${href}`);
  }
  assert.ok(cells.some(([, , none]) => none) && cells.some(([, , none]) => !none));
  await page.close();
});
