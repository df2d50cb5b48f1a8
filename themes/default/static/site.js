// Site-wide behaviour: "/" focuses the search box; zhikuUrl() maps site paths
// to this host's folder. The search runtime itself is
// loaded lazily by search.js on first focus (see search UI).
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
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("q");
    if (box) { e.preventDefault(); box.focus(); }
  });
})();
