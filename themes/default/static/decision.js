// Decision tree, one question at a time. The page works without this script
// (every step is an anchor); with it, the path taken is kept in the URL hash
// (#path=node,node,outcome) so a link reproduces the exact outcome.
(function () {
  var root = document.getElementById("decision");
  if (!root) return;
  var start = root.getAttribute("data-start");
  var trail = root.querySelector(".decision-trail");
  var list = trail.querySelector("ol");
  var steps = {};
  root.querySelectorAll("[data-node],[data-outcome]").forEach(function (el) { steps[el.id] = el; });
  root.classList.add("interactive");
  trail.hidden = false;

  function parse() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (h.indexOf("path=") === 0) {
      var ids = h.slice(5).split(",").filter(function (id) { return steps[id]; });
      if (ids.length && ids[0] === start && valid(ids)) return ids;
    } else if (steps[h]) {
      return h === start ? [start] : [h];
    }
    return [start];
  }
  // A path is valid when every step is an option of the one before it.
  function valid(ids) {
    for (var i = 1; i < ids.length; i++) {
      if (!steps[ids[i - 1]].querySelector('[data-target="' + ids[i] + '"]')) return false;
    }
    return true;
  }
  function labelOf(from, to) {
    var a = steps[from] && steps[from].querySelector('[data-target="' + to + '"]');
    return a ? a.textContent : "";
  }
  function show(ids, push) {
    Object.keys(steps).forEach(function (k) { steps[k].classList.remove("current"); });
    var cur = steps[ids[ids.length - 1]];
    cur.classList.add("current");
    list.innerHTML = "";
    for (var i = 0; i < ids.length - 1; i++) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#path=" + ids.slice(0, i + 1).join(",");
      a.textContent = steps[ids[i]].querySelector("h2").textContent + " " + labelOf(ids[i], ids[i + 1]);
      li.appendChild(a);
      list.appendChild(li);
    }
    trail.querySelector(".back").disabled = ids.length < 2;
    var hash = "#path=" + ids.join(",");
    if (push && location.hash !== hash) history.pushState(null, "", hash);
    var h = cur.querySelector("h2");
    if (h) { h.setAttribute("tabindex", "-1"); h.focus({ preventScroll: false }); }
  }
  var path = parse();
  root.addEventListener("click", function (e) {
    var a = e.target.closest("a.option");
    if (a) {
      e.preventDefault();
      path = path.concat([a.getAttribute("data-target")]);
      show(path, true);
      return;
    }
    if (e.target.closest(".restart-link")) { e.preventDefault(); path = [start]; show(path, true); }
  });
  trail.querySelector(".back").addEventListener("click", function () { if (path.length > 1) { path = path.slice(0, -1); show(path, true); } });
  trail.querySelector(".restart").addEventListener("click", function () { path = [start]; show(path, true); });
  window.addEventListener("popstate", function () { path = parse(); show(path, false); });
  window.addEventListener("hashchange", function () { path = parse(); show(path, false); });
  show(path, false);
})();
