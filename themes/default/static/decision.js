// Decision tree, one question at a time. The page works without this script
// (every step is an anchor, every option a plain link); with it, the path taken
// is kept in the URL hash (#path=node,node,outcome) so a link reproduces the
// exact outcome, shown as a breadcrumb with back and restart.
(function () {
  "use strict";
  var root = document.getElementById("decision");
  if (!root) return;
  var start = root.getAttribute("data-start");
  var trail = root.querySelector(".decision-trail");
  var list = trail.querySelector("ol");
  var back = trail.querySelector(".back");
  var steps = {};
  root.querySelectorAll("[data-node],[data-outcome]").forEach(function (el) { steps[el.id] = el; });
  if (!steps[start]) return;
  root.classList.add("interactive");
  trail.hidden = false;

  function targets(id) {
    var out = [];
    steps[id].querySelectorAll("a.option[data-target]").forEach(function (a) {
      out.push(a.getAttribute("data-target"));
    });
    return out;
  }
  // The longest prefix of `ids` that starts at the start node and follows options.
  function validPrefix(ids) {
    if (ids[0] !== start) return [start];
    var ok = [start];
    for (var i = 1; i < ids.length; i++) {
      if (!steps[ids[i]] || targets(ids[i - 1]).indexOf(ids[i]) < 0) break;
      ok.push(ids[i]);
    }
    return ok;
  }
  // Shortest path from the start to a step (for plain #step links).
  function pathTo(id) {
    var prev = {};
    prev[start] = null;
    var queue = [start];
    while (queue.length) {
      var cur = queue.shift();
      if (cur === id) break;
      targets(cur).forEach(function (t) {
        if (!(t in prev) && steps[t]) { prev[t] = cur; queue.push(t); }
      });
    }
    if (!(id in prev)) return [start];
    var path = [];
    for (var s = id; s !== null; s = prev[s]) path.unshift(s);
    return path;
  }
  function parse() {
    var h;
    try { h = decodeURIComponent(location.hash.slice(1)); } catch (e) { h = ""; }
    if (h.indexOf("path=") === 0) return validPrefix(h.slice(5).split(","));
    if (steps[h]) return pathTo(h);
    return [start];
  }
  // The label of the answer taken from `from` to `to`. Several answers may lead
  // to the same step; the one clicked is remembered in the history entry, and
  // a bare link shows every answer that leads there.
  function answer(from, to, choice) {
    var opts = Array.prototype.filter.call(steps[from].querySelectorAll("a.option"), function (a) {
      return a.getAttribute("data-target") === to;
    });
    if (choice != null && opts[choice]) return opts[choice].textContent;
    return opts.map(function (a) { return a.textContent; }).join(" / ");
  }
  function same(a, b) { return a.join(",") === b.join(","); }

  var path = null;
  var choices = [];
  // Choices stored with the current history entry, if they belong to `ids`.
  function storedChoices(ids) {
    var st = history.state;
    return st && st.path === ids.join(",") && Array.isArray(st.choices) ? st.choices : [];
  }
  function show(ids, opts) {
    opts = opts || {};
    if (path && same(path, ids) && !opts.force) return;
    path = ids;
    choices = opts.choices || storedChoices(ids);
    Object.keys(steps).forEach(function (k) { steps[k].classList.remove("current"); });
    var cur = steps[ids[ids.length - 1]];
    cur.classList.add("current");
    list.textContent = "";
    for (var i = 0; i < ids.length - 1; i++) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#path=" + ids.slice(0, i + 1).join(",");
      a.appendChild(document.createTextNode(steps[ids[i]].querySelector("h2").textContent + " "));
      var chosen = document.createElement("strong");
      chosen.textContent = answer(ids[i], ids[i + 1], choices[i]);
      a.appendChild(chosen);
      li.appendChild(a);
      list.appendChild(li);
    }
    back.disabled = ids.length < 2;
    var hash = "#path=" + ids.join(",");
    var state = { path: ids.join(","), choices: choices.slice(0, ids.length - 1) };
    if (opts.push && location.hash !== hash) history.pushState(state, "", hash);
    else if (opts.push || opts.force) history.replaceState(state, "", location.href);
    // Move focus only on the reader's own navigation, not on page load.
    if (opts.focus) {
      var h = cur.querySelector("h2");
      if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
    }
  }
  function go(ids, picked) { show(ids, { push: true, focus: true, choices: picked }); }

  root.addEventListener("click", function (e) {
    var a = e.target.closest("a.option");
    if (a && steps[a.getAttribute("data-target")]) {
      e.preventDefault();
      var from = a.closest("[data-node]");
      var twins = Array.prototype.filter.call(from.querySelectorAll("a.option"), function (o) {
        return o.getAttribute("data-target") === a.getAttribute("data-target");
      });
      go(path.concat([a.getAttribute("data-target")]), choices.slice(0, path.length - 1).concat([twins.indexOf(a)]));
      return;
    }
    if (e.target.closest(".restart-link")) { e.preventDefault(); go([start], []); }
  });
  back.addEventListener("click", function () {
    if (path.length > 1) go(path.slice(0, -1), choices.slice(0, path.length - 2));
  });
  trail.querySelector(".restart").addEventListener("click", function () { go([start], []); });
  // Browser back/forward and edited or followed #path= links.
  function sync() { show(parse(), { focus: true }); }
  window.addEventListener("popstate", sync);
  window.addEventListener("hashchange", sync);
  show(parse(), { force: true });
})();
