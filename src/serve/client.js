// zhiku serve: live reload. Injected only by `zhiku serve`, never by `zhiku build`.
// Listens to /__zhiku/events: `reload` reloads the page (keeping the scroll
// position), `css` swaps stylesheets in place, `error` shows the build errors
// in an overlay, `ok` hides it again.
(() => {
  "use strict";
  const KEY = "zhiku-serve-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    const y = Number(saved) || 0;
    const restore = () => window.scrollTo(0, y);
    if (document.readyState === "complete") restore();
    else addEventListener("load", restore, { once: true });
  }

  function reload() {
    sessionStorage.setItem(KEY, String(window.scrollY));
    location.reload();
  }

  function swapStyles(paths) {
    const wanted = new Set(paths.map((p) => "/" + p.replace(/^\/+/, "")));
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin || !wanted.has(url.pathname)) continue;
      url.searchParams.set("zhiku-v", String(Date.now()));
      const fresh = link.cloneNode();
      fresh.href = url.pathname + url.search;
      // Remove the old sheet only once the new one applies, so nothing flashes.
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => link.remove(), { once: true });
      link.after(fresh);
    }
  }

  const OVERLAY = "zhiku-serve-overlay";
  function showOverlay(failure) {
    let box = document.getElementById(OVERLAY);
    if (!box) {
      box = document.createElement("div");
      box.id = OVERLAY;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);" +
        "color:#f5f5f5;padding:2rem;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";
      const title = document.createElement("h2");
      title.textContent = "zhiku: 构建失败 (build failed) — 修复后自动消失";
      title.style.cssText = "margin:0 0 1rem;font:bold 18px/1.4 system-ui,sans-serif;color:#ff8a80";
      const pre = document.createElement("pre");
      pre.style.cssText = "margin:0;white-space:pre-wrap;word-break:break-word";
      box.append(title, pre);
      document.body.append(box);
    }
    box.querySelector("pre").textContent = failure.text;
  }
  function hideOverlay() {
    document.getElementById(OVERLAY)?.remove();
  }

  let build = null;
  const events = new EventSource("/__zhiku/events");
  events.addEventListener("hello", (e) => {
    const { build: current } = JSON.parse(e.data);
    // After a reconnect, a changed build id means reloads were missed.
    if (build !== null && current !== build) reload();
    build = current;
    document.documentElement.dataset.zhikuServe = "connected";
  });
  events.addEventListener("reload", reload);
  events.addEventListener("css", (e) => swapStyles(JSON.parse(e.data).paths));
  // Connection errors also fire "error" (without data); the browser reconnects by itself.
  events.addEventListener("error", (e) => {
    if (typeof e.data === "string" && e.data) showOverlay(JSON.parse(e.data));
  });
  events.addEventListener("ok", hideOverlay);
})();
