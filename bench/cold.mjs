// The cold-answer timing shared by bench/pagefind.mjs and
// bench/typed-after-load.mjs --cold: a page already open, then the search
// runtime loaded and a query answered with an empty cache over an emulated
// 20 Mbit/s link with 40 ms round trips.

/** Chromium's network emulation for the cold-answer timing: 20 Mbit/s, 40 ms RTT. */
export const NETWORK = { offline: false, latency: 40, downloadThroughput: 20e6 / 8, uploadThroughput: 5e6 / 8 };

export async function emulatedPage(browser, url) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(url);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", NETWORK);
  return { context, page };
}

/** zhiku, cold: ms from adding the loader script until the result list (titles) is there. */
export async function zhikuColdMs(browser, url, q, { loader, manifest }) {
  const { context, page } = await emulatedPage(browser, url);
  const ms = await page.evaluate(async ({ query, loader, manifest }) => {
    const t0 = performance.now();
    await new Promise((ok, fail) => {
      const s = document.createElement("script");
      s.src = loader; s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    });
    const rt = await window.zhikuSearch.load({ manifest });
    let first = null;
    await rt.search(query, { limit: 10, partial: () => { first = first || performance.now(); } });
    return (first || performance.now()) - t0;
  }, { query: q, loader, manifest });
  await context.close();
  return ms;
}
