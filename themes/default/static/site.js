// Site-wide behaviour: "/" focuses the search box. The search runtime itself is
// loaded lazily by search.js on first focus (see search UI).
(function () {
  document.documentElement.classList.add("js");
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("q");
    if (box) { e.preventDefault(); box.focus(); }
  });
})();
