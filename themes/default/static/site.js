// Site-wide behaviour: "/" focuses the search box; zhikuUrl() maps site paths
// to this host's folder; the header height for in-page links; copy buttons
// (a section's link, an answer); the offline worker and its indicator. The
// search runtime itself is loaded lazily by search-ui.js on first focus.
(function () {
  document.documentElement.classList.add("js");
  // Site paths (`/faq/x/`) as this page must link them: under the folder the
  // site is hosted in (`<html data-root="/kb/">`, set by the build).
  window.zhikuUrl = function (path) {
    var root = document.documentElement.getAttribute("data-root") || "/";
    path = String(path == null ? "" : path);
    return /^\/(?!\/)/.test(path) ? root + path.slice(1) : path;
  };
  // Interface strings for scripts (the `js_*` and `kind_*` keys of the
  // theme's i18n table, written by the build to static/strings.js):
  // zhikuT("js_results", { n: 3 }).
  window.zhikuT = function (key, vars) {
    var strings = window.zhikuStrings || {};
    var text = strings[key] != null ? String(strings[key]) : key;
    return text.replace(/\{(\w+)\}/g, function (m, name) {
      return vars && vars[name] != null ? String(vars[name]) : m;
    });
  };
  var T = window.zhikuT;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("q");
    if (box && box.offsetParent) { e.preventDefault(); box.focus(); }
  });

  // The sticky header's real height, so in-page links land just below it
  // (style.css has a value per screen width for pages without scripts).
  var header = document.querySelector(".site-header");
  function measure() {
    if (header) document.documentElement.style.setProperty("--header-h", header.offsetHeight + "px");
  }
  measure();
  if (header && window.ResizeObserver) new ResizeObserver(measure).observe(header);

  // ---- copying ---------------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (ok, fail) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      document.body.removeChild(area);
      if (done) ok(); else fail(new Error("copy"));
    });
  }
  // Shows the outcome on the button for a moment; its width stays (no shift).
  function flash(button, text) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.style.minWidth = button.offsetWidth + "px";
    button.textContent = text;
    button.setAttribute("data-done", "");
    setTimeout(function () { button.textContent = label; button.removeAttribute("data-done"); }, 1600);
  }
  function pageUrl() {
    var canonical = document.querySelector('link[rel="canonical"]');
    return canonical ? canonical.href : location.href.split("#")[0];
  }

  // Copy-link buttons on the headings that have ids.
  document.querySelectorAll(".body h2[id], .body h3[id], .entry > h2[id]").forEach(function (h) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "copy-link";
    b.textContent = "#";
    b.setAttribute("aria-label", T("js_copy_link") + "：" + h.textContent);
    b.title = T("js_copy_link");
    b.addEventListener("click", function () {
      var url = pageUrl() + "#" + encodeURIComponent(h.id);
      if (history.replaceState) history.replaceState(null, "", "#" + encodeURIComponent(h.id));
      copyText(url).then(function () { flash(b, "✓"); b.title = T("js_link_copied"); }, function () { flash(b, "!"); });
    });
    h.appendChild(b);
  });

  // "Copy answer": the direct answer (what comes before the first heading of
  // the body), the reason of a rejection, the title and the page's link.
  var copyAnswer = document.querySelector(".copy-answer");
  if (copyAnswer) {
    copyAnswer.addEventListener("click", function () {
      var article = copyAnswer.closest("article");
      var parts = [];
      var reason = article.querySelector("header .reason");
      if (reason) parts.push(reason.textContent.trim());
      var body = article.querySelector(".body");
      if (body) {
        for (var el = body.firstElementChild; el && !/^H[2-6]$/.test(el.tagName); el = el.nextElementSibling) {
          var text = el.innerText != null ? el.innerText : el.textContent;
          text = text.replace(/\n{3,}/g, "\n\n").trim();
          if (text) parts.push(text);
        }
      }
      var title = article.querySelector("h1");
      parts.push((title ? title.textContent.trim() + "：" : "") + pageUrl());
      copyText(parts.join("\n\n")).then(function () { flash(copyAnswer, T("js_copied")); }, function () { flash(copyAnswer, T("js_copy_failed")); });
    });
  }

  // Printing shows collapsed lists (the matrix's word lists) in full.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  // ---- offline ---------------------------------------------------------------
  // The build writes sw.js when [offline] is on (never for `zhiku serve`).
  var html = document.documentElement;
  if (html.getAttribute("data-offline") && "serviceWorker" in navigator && window.isSecureContext) {
    var status = document.querySelector(".offline-status");
    var ask = function (worker) {
      if (!worker || !status || !window.MessageChannel) return;
      var ch = new MessageChannel();
      ch.port1.onmessage = function (e) {
        if (!e.data || !e.data.cached) return;
        status.textContent = "✓ " + T("js_offline_ready");
        status.title = T("js_offline_title");
        status.hidden = false;
      };
      worker.postMessage({ type: "zhiku-offline-status", url: location.href }, [ch.port2]);
    };
    var register = function () {
      navigator.serviceWorker.register(window.zhikuUrl("/sw.js"), { scope: window.zhikuUrl("/") }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (reg) { ask(reg.active); }, function () {});
    };
    // After the page has loaded: the precache never competes with the page.
    if (document.readyState === "complete") register();
    else window.addEventListener("load", register);
  }
})();
