// The name checker and the pre-approval checker pages. Every rule runs in the
// wasm runtime (the same Rust code as `zhiku check-name` / `check-preapproval`);
// this script only collects the form, calls the runtime and renders its JSON.
// Text is inserted with textContent, links only when they are site URLs.
(function () {
  "use strict";
  var form = document.querySelector("form[data-tool]");
  if (!form) return;
  var T = window.zhikuT;
  var tool = form.getAttribute("data-tool");
  var out = document.getElementById("tool-result");
  var provincesJson = document.getElementById("zhiku-provinces").textContent;
  var links = JSON.parse(document.getElementById("zhiku-links").textContent);

  // The loader is shared with search (which fetches the checkers' own small
  // module, not the index): use it if the page already has it, otherwise add
  // the script named by data-loader.
  function runtime() {
    if (window.zhikuSearch) return window.zhikuSearch.loadTools();
    var src = form.getAttribute("data-loader");
    if (!src) return Promise.reject(new Error(T("js_tools_no_runtime")));
    return new Promise(function (ok, fail) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = ok;
      s.onerror = function () { fail(new Error(T("js_tools_cannot_load", { src: src }))); };
      document.head.appendChild(s);
    }).then(function () {
      if (!window.zhikuSearch) throw new Error(T("js_tools_no_loader"));
      return window.zhikuSearch.loadTools();
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  // Only same-site paths and http(s) URLs become links.
  function safeHref(url) {
    return typeof url === "string" && (/^\/(?!\/)/.test(url) || /^https?:\/\//.test(url));
  }
  function seeLink(url, label) {
    if (!safeHref(url)) return el("span", "note", url || "");
    var a = el("a", null, label || T("js_tools_basis"));
    a.href = window.zhikuUrl(url);
    return a;
  }

  var VERDICT = {
    pass: T("js_verdict_pass"),
    warn: T("js_verdict_warn"),
    block: T("js_verdict_block"),
  };
  var SEVERITY = { block: T("js_severity_block"), warn: T("js_severity_warn") };

  function verdict(v, text) {
    var p = el("p", "verdict verdict-" + v);
    p.setAttribute("data-verdict", v);
    p.appendChild(el("strong", null, text || VERDICT[v] || v));
    return p;
  }

  function findingsList(findings) {
    var ul = el("ul", "findings");
    findings.forEach(function (f) {
      var li = el("li", "finding finding-" + f.severity);
      li.setAttribute("data-rule", f.rule);
      var head = el("p", "finding-head");
      head.appendChild(el("span", "badge badge-" + f.severity, SEVERITY[f.severity] || f.severity));
      if (f.matched && f.matched.trim()) {
        head.appendChild(document.createTextNode(" "));
        head.appendChild(el("q", "matched", f.matched));
      }
      // The rule id stays in data-rule (for scripts and tests), not in the text.
      li.appendChild(head);
      li.appendChild(el("p", "message", f.message));
      var see = el("p", "see");
      see.appendChild(seeLink(f.see, T("js_tools_see_rule")));
      li.appendChild(see);
      ul.appendChild(li);
    });
    return ul;
  }

  function notesList(notes) {
    var box = el("div", "tool-notes");
    if (!notes || !notes.length) return box;
    box.appendChild(el("h2", null, T("js_tools_notes")));
    var ul = el("ul");
    notes.forEach(function (n) {
      var li = el("li", null, n.message + " ");
      li.appendChild(seeLink(n.see, T("js_tools_basis")));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }

  function renderName(r) {
    var frag = document.createDocumentFragment();
    frag.appendChild(verdict(r.verdict));
    if (r.findings.length) frag.appendChild(findingsList(r.findings));
    frag.appendChild(notesList(r.notes));
    return frag;
  }

  function renderPreapproval(r) {
    var frag = document.createDocumentFragment();
    var summary = r.verdict === "pass"
      ? T("js_preapproval_none")
      : T("js_preapproval_some", { n: r.categories.length });
    frag.appendChild(verdict(r.verdict, r.province + "：" + summary));
    if (!r.province_has_table) {
      frag.appendChild(el("p", "notice", T("js_preapproval_no_table", { province: r.province })));
    }
    if (r.categories.length) {
      var table = el("table", "categories");
      var head = el("tr");
      var cols = [T("js_col_source"), T("js_col_category"), T("js_col_keywords"), T("js_col_letters"), T("js_col_notes")];
      cols.forEach(function (h) { head.appendChild(el("th", null, h)); });
      var thead = el("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      var body = el("tbody");
      r.categories.forEach(function (c, i) {
        var tr = el("tr");
        tr.setAttribute("data-category", c.category);
        tr.setAttribute("data-source", c.source);
        tr.appendChild(el("td", null, c.source === "national" ? T("js_source_national") : T("js_source_province")));
        tr.appendChild(el("td", null, c.category));
        tr.appendChild(el("td", "keywords", c.keywords.join("、")));
        tr.appendChild(el("td", "letters", c.letters.length ? c.letters.join("、") : "—"));
        var note = el("td");
        var f = r.findings[i];
        note.appendChild(el("span", null, (c.explanation || (c.source === "national" ? f.message : (c.keyword_note ? T("js_table_note", { note: c.keyword_note }) : ""))) + " "));
        if (f) note.appendChild(seeLink(f.see, T("js_tools_basis")));
        tr.appendChild(note);
        // Phones show each row as a card, labelled from data-label.
        Array.prototype.forEach.call(tr.children, function (td, k) { td.setAttribute("data-label", cols[k]); });
        body.appendChild(tr);
      });
      table.appendChild(body);
      var scroll = el("div", "table-scroll");
      scroll.appendChild(table);
      frag.appendChild(scroll);
    }
    if (r.negated.length) {
      frag.appendChild(el("p", "negated", T("js_negated", { words: r.negated.join(T("js_word_separator")) })));
    }
    frag.appendChild(notesList(r.notes));
    return frag;
  }

  function request() {
    var data = new FormData(form);
    var req = { province: String(data.get("province") || ""), links: links };
    if (tool === "name") {
      req.subject = data.get("subject") === "individual" ? "individual" : "organisation";
      req.app = data.get("app") === "1";
      req.name = String(data.get("name") || "");
    } else {
      req.text = String(data.get("text") || "");
    }
    return req;
  }

  // Keep the inputs in the query string so a result can be shared as a link.
  function remember(req) {
    var q = new URLSearchParams();
    q.set("province", req.province);
    if (tool === "name") {
      q.set("subject", req.subject);
      if (req.app) q.set("app", "1");
      q.set("name", req.name);
    } else {
      q.set("text", req.text);
    }
    history.replaceState(null, "", "?" + q.toString());
  }

  function show(node) {
    out.textContent = "";
    out.appendChild(node);
  }

  function run() {
    var req = request();
    out.removeAttribute("data-state");
    show(el("p", "loading", T("js_checking")));
    remember(req);
    runtime().then(function (rt) {
      var fn = tool === "name" ? rt.raw.check_name : rt.raw.check_preapproval;
      if (typeof fn !== "function") throw new Error(T("js_runtime_old"));
      var r = JSON.parse(fn(provincesJson, JSON.stringify(req)));
      if (r.error) throw new Error(r.error);
      show(tool === "name" ? renderName(r) : renderPreapproval(r));
      out.setAttribute("data-state", "done");
    }).catch(function (e) {
      show(el("p", "error", T("js_check_failed", { error: e && e.message ? e.message : e })));
      out.setAttribute("data-state", "error");
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!form.reportValidity || form.reportValidity()) run();
  });

  // Fill the form from the query string (a shared link) and run at once.
  var params = new URLSearchParams(location.search);
  if (params.get("province")) {
    form.elements.province.value = params.get("province");
    if (tool === "name") {
      var subj = form.querySelector('input[name="subject"][value="' + (params.get("subject") === "individual" ? "individual" : "organisation") + '"]');
      if (subj) subj.checked = true;
      form.elements.app.checked = params.get("app") === "1";
      form.elements.name.value = params.get("name") || "";
    } else {
      form.elements.text.value = params.get("text") || "";
    }
    if (form.checkValidity()) run();
  }
})();
