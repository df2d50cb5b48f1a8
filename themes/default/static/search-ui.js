// Search UI: the header box (results as you type, keyboard navigation) and the
// /search/ page (shareable ?q=&kind=&province= links, filters, counts).
// The wasm runtime is fetched lazily on first use through the loader named in
// #q's data-loader, which defines window.zhikuSearch = { load(): Promise<Runtime> }.
// Only the engine's title_html/snippet_html (escaped, with <mark>) go in as HTML;
// every other string is inserted as text.
// ES5 syntax on purpose: older browsers without WebAssembly (and current ones
// with it disabled by policy) must still run this file to show the error
// message instead of failing silently.
(function () {
  "use strict";

  var T = window.zhikuT;
  var KIND_LABELS = { faq: T("kind_faq"), rejection: T("kind_rejection"), province: T("kind_province"), tool: T("kind_tool") };
  var DEBOUNCE_MS = 120;
  var DROPDOWN_LIMIT = 8;
  var PAGE_LIMIT = 50;

  var box = document.getElementById("q");
  if (!box) return;
  var dropdown = document.getElementById("search-results");

  // ---- runtime loading -------------------------------------------------------

  /** Why the runtime is unavailable: "wasm" (browser cannot run it), "missing" (site built without search), "network",
   * "format" (runtime and index from different versions). */
  function LoadError(kind, detail) {
    this.kind = kind;
    this.detail = detail;
  }

  var runtimePromise = null;
  var runtimeReady = false;

  function injectLoader(src) {
    return new Promise(function (resolve, reject) {
      if (window.zhikuSearch) return resolve(window.zhikuSearch);
      var s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = function () {
        if (window.zhikuSearch && typeof window.zhikuSearch.load === "function") resolve(window.zhikuSearch);
        else reject(new LoadError("network", "loader did not define zhikuSearch"));
      };
      s.onerror = function () {
        // Let a later focus try again (e.g. after the network comes back).
        if (s.parentNode) s.parentNode.removeChild(s);
        reject(new LoadError("network", "cannot fetch " + src));
      };
      document.head.appendChild(s);
    });
  }

  /** Loads the runtime once; later calls share the promise (cleared after a failure, so a later use retries). */
  function runtime() {
    if (runtimePromise) return runtimePromise;
    var src = box.getAttribute("data-loader") || "";
    if (!src) {
      runtimePromise = Promise.reject(new LoadError("missing"));
    } else if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      runtimePromise = Promise.reject(new LoadError("wasm"));
    } else {
      runtimePromise = injectLoader(src).then(function (api) {
        return Promise.resolve(api.load()).then(function (rt) {
          runtimeReady = true;
          return rt;
        }, function (e) {
          if (e instanceof LoadError) throw e;
          var kind = e && (e.kind === "format" || e.kind === "network" || e.kind === "chunk") ? e.kind : "wasm";
          throw new LoadError(kind === "chunk" ? "network" : kind, String(e && e.message || e));
        });
      });
      // A browser that has WebAssembly may only have hit a network error: let
      // the next focus or keystroke try again (the loader allows retries too).
      runtimePromise.catch(function () { runtimePromise = null; });
    }
    runtimePromise.catch(function (e) {
      if (window.console) console.warn("zhiku search unavailable:", e && (e.detail || e.kind) || e);
    });
    return runtimePromise;
  }

  // ---- small DOM helpers -----------------------------------------------------

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /** Internal paths and http(s) only: a hit's URL never becomes a javascript: link. */
  function safeUrl(url) {
    url = String(url || "");
    return /^(\/(?!\/)|https?:\/\/)/i.test(url) ? url : "#";
  }

  /** The message shown when search cannot run, with a way to browse instead;
   * when an index chunk failed (kind "chunk") and `retry` is given, a button
   * that runs the search again. */
  function errorMessage(err, retry) {
    var p = el("p", "search-error");
    p.setAttribute("role", "alert");
    var kind = err && err.kind;
    if (kind === "chunk") {
      if (window.console) console.warn("zhiku search:", err.message || err);
      p.appendChild(document.createTextNode(T("js_search_chunk")));
      if (retry) {
        var b = el("button", "search-retry", T("js_search_retry"));
        b.type = "button";
        b.addEventListener("click", retry);
        p.appendChild(b);
      }
      return p;
    }
    var text = kind === "missing" ? T("js_search_missing")
      : kind === "format" ? T("js_search_format")
      : kind === "network" ? T("js_search_network")
      : T("js_search_no_wasm");
    p.appendChild(document.createTextNode(text));
    var a = el("a", null, T("js_browse_chapters"));
    a.href = window.zhikuUrl("/");
    p.appendChild(a);
    p.appendChild(document.createTextNode(T("js_sentence_end")));
    return p;
  }

  /** One result: kind label, highlighted title, section, highlighted snippet.
   * `optionId` makes it a listbox option (dropdown); without it, a plain list item (search page). */
  function resultItem(hit, optionId) {
    var li = el("li", "search-result");
    if (hit.kind) li.setAttribute("data-kind", String(hit.kind));
    li.setAttribute("data-id", String(hit.id));
    var a = el("a");
    a.href = window.zhikuUrl(safeUrl(hit.url));
    if (optionId) {
      li.id = optionId;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      // Focus stays in the box; the option is chosen with the arrows or a
      // click (handled on the list). Inert: an option holds no focusable link.
      a.inert = true;
    }
    var head = el("span", "head");
    head.appendChild(el("span", "kind", KIND_LABELS[hit.kind] || String(hit.kind || "")));
    var title = el("span", "title");
    title.innerHTML = hit.title_html || "";
    head.appendChild(title);
    if (hit.section) {
      var sec = el("span", "section", T("js_source_section", { section: hit.section }));
      sec.title = T("js_source_section_title");
      head.appendChild(sec);
    }
    a.appendChild(head);
    // An empty snippet holds its place until the page texts arrive (no layout shift).
    a.appendChild(el("span", "snippet"));
    li.appendChild(a);
    addSnippet(a, hit);
    nameOption(li);
    return li;
  }

  function addSnippet(link, hit) {
    var snip = link.querySelector(".snippet");
    if (!hit.snippet_html || (snip && snip.firstChild)) return;
    if (!snip) link.appendChild(snip = el("span", "snippet"));
    snip.innerHTML = hit.snippet_html;
    nameOption(link.parentNode);
  }

  /** The link inside an option is inert, so the option is named by its text. */
  function nameOption(li) {
    var link = li && li.getAttribute("role") === "option" ? li.querySelector("a") : null;
    if (link) li.setAttribute("aria-label", link.textContent);
  }

  /** Results first arrive without snippets (their page texts still loading);
   * this adds the snippets in place, keeping focus and the selected option. */
  function fillSnippets(container, hits) {
    var byId = {};
    hits.forEach(function (h) { byId[h.id] = h; });
    var lis = container.querySelectorAll("li.search-result");
    for (var i = 0; i < lis.length; i++) {
      var hit = byId[lis[i].getAttribute("data-id")];
      var link = lis[i].querySelector("a");
      if (hit && link) addSnippet(link, hit);
    }
  }

  /** Runs a search and shows its hits with `render` as soon as there are any
   * (on a cold cache, titles before snippets), then adds the snippets to the
   * results in `container`. `current()` says whether the search is still wanted. */
  function showSearch(q, opts, current, render, container) {
    var shown = false;
    opts.partial = function (hits) {
      if (!current()) return;
      render(hits);
      shown = true;
    };
    return runtime().then(function (rt) {
      return rt.search(q, opts);
    }).then(function (hits) {
      if (!current()) return;
      if (shown) fillSnippets(container, hits || []);
      else render(hits || []);
    });
  }

  function debounce(fn, ms) {
    var t = null;
    return function () {
      var args = arguments;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  // ---- header box: dropdown as you type ---------------------------------------

  var listId = "search-listbox";
  var selected = -1;
  var items = [];
  var seq = 0;

  if (dropdown) {
    // Combobox pattern: the input owns a listbox of options; the count and
    // messages sit beside the listbox, not inside it.
    dropdown.removeAttribute("role");
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", listId);
    box.setAttribute("aria-expanded", "false");
  }

  function openDropdown() {
    if (!dropdown || !dropdown.firstChild) return;
    dropdown.hidden = false;
    box.setAttribute("aria-expanded", "true");
  }

  function closeDropdown() {
    if (!dropdown) return;
    dropdown.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function select(i) {
    if (selected >= 0 && items[selected]) items[selected].setAttribute("aria-selected", "false");
    selected = i;
    if (i < 0 || !items[i]) {
      selected = -1;
      box.removeAttribute("aria-activedescendant");
      return;
    }
    items[i].setAttribute("aria-selected", "true");
    box.setAttribute("aria-activedescendant", items[i].id);
    if (items[i].scrollIntoView) items[i].scrollIntoView({ block: "nearest" });
  }

  function pageLink(q) {
    var a = el("a", "all", T("js_all_results"));
    a.href = window.zhikuUrl("/search/?q=" + encodeURIComponent(q));
    return a;
  }

  function renderDropdown(q, hits) {
    clear(dropdown);
    items = [];
    selected = -1;
    box.removeAttribute("aria-activedescendant");
    var count = el("p", "count", hits.length ? T(hits.length >= DROPDOWN_LIMIT ? "js_first_results" : "js_results", { n: hits.length }) : T("js_no_results"));
    count.setAttribute("role", "status");
    dropdown.appendChild(count);
    var ol = el("ol");
    ol.id = listId;
    ol.setAttribute("role", "listbox");
    ol.setAttribute("aria-label", T("js_results_label"));
    for (var i = 0; i < hits.length; i++) {
      var li = resultItem(hits[i], "search-opt-" + i);
      ol.appendChild(li);
      items.push(li);
    }
    dropdown.appendChild(ol);
    dropdown.appendChild(pageLink(q));
    openDropdown();
  }

  function renderDropdownError(err, retry) {
    clear(dropdown);
    items = [];
    selected = -1;
    dropdown.appendChild(errorMessage(err, retry));
    openDropdown();
  }

  var runDropdown = debounce(function (q) {
    var mine = ++seq;
    if (!runtimeReady && !items.length) {
      // First query on a cold cache: say something while the runtime downloads.
      clear(dropdown);
      var wait = el("p", "count loading", T("js_loading"));
      wait.setAttribute("role", "status");
      dropdown.appendChild(wait);
      openDropdown();
    }
    var current = function () { return mine === seq && box.value.trim() === q; };
    var render = function (hits) { renderDropdown(q, hits); };
    showSearch(q, { limit: DROPDOWN_LIMIT }, current, render, dropdown).then(null, function (err) {
      if (mine !== seq) return;
      renderDropdownError(err, function () {
        box.focus();
        runDropdown(q);
      });
    });
  }, DEBOUNCE_MS);

  function onInput() {
    var q = box.value.trim();
    if (!q) {
      seq++;
      if (dropdown) clear(dropdown);
      items = [];
      closeDropdown();
      return;
    }
    runDropdown(q);
  }

  // Start fetching the runtime when the page is idle, or as soon as someone
  // shows intent to search, whichever comes first (it is small: the index's
  // chunks come only with queries).
  // Not in the first seconds: a page's own loading (and a quick click on to
  // the next page) comes first.
  var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 500); };
  setTimeout(function () {
    idle(function () { runtime().then(null, function () {}); }, { timeout: 4000 });
  }, 2000);
  box.addEventListener("focus", function () {
    runtime().then(null, function (err) {
      if (dropdown && document.activeElement === box) renderDropdownError(err);
    });
    if (items.length || (dropdown && dropdown.firstChild)) openDropdown();
  });

  if (dropdown) {
    box.addEventListener("input", onInput);
    box.addEventListener("keydown", function (e) {
      if (e.isComposing || e.keyCode === 229) return; // IME candidate selection owns the arrows/Enter
      if (e.key === "ArrowDown" || e.key === "Down") {
        if (!items.length) return;
        e.preventDefault();
        openDropdown();
        select(selected + 1 < items.length ? selected + 1 : 0);
      } else if (e.key === "ArrowUp" || e.key === "Up") {
        if (!items.length) return;
        e.preventDefault();
        select(selected > 0 ? selected - 1 : items.length - 1);
      } else if (e.key === "Enter") {
        if (selected >= 0 && items[selected] && !dropdown.hidden) {
          e.preventDefault();
          var link = items[selected].querySelector("a");
          if (link) window.location.assign(link.href);
        }
        // No selection: the form submits to /search/?q=…
      } else if (e.key === "Escape" || e.key === "Esc") {
        e.preventDefault();
        seq++;
        box.value = "";
        clear(dropdown);
        items = [];
        closeDropdown();
      }
    });
    dropdown.addEventListener("click", function (e) {
      var li = e.target.closest ? e.target.closest("li[role=option]") : null;
      var link = li && li.querySelector("a");
      if (link) window.location.assign(link.href);
    });
    dropdown.addEventListener("mousemove", function (e) {
      var li = e.target.closest ? e.target.closest("li[role=option]") : null;
      if (li) select(items.indexOf(li));
    });
    var form = box.form || box.parentNode;
    document.addEventListener("pointerdown", function (e) {
      if (!form.contains(e.target)) closeDropdown();
    });
    // Tabbing away (even to the submit button) closes it; a click on a result
    // moves focus into the dropdown and keeps it open until the link opens.
    form.addEventListener("focusout", function (e) {
      var to = e.relatedTarget;
      if (to && to !== box && !dropdown.contains(to)) closeDropdown();
    });
  }

  // ---- the /search/ page -----------------------------------------------------

  var pageQ = document.getElementById("search-page-q");
  if (!pageQ) return;
  var kindSel = document.getElementById("search-kind");
  var provSel = document.getElementById("search-province");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-page-results");
  var pageSeq = 0;

  function setSelect(sel, value) {
    if (!sel) return;
    for (var i = 0; i < sel.options.length; i++) {
      if (sel.options[i].value === value) { sel.value = value; return; }
    }
    sel.value = "";
  }

  /** Keeps the address bar in step with the form so the link can be shared. */
  function updateUrl(q, kind, province) {
    if (!window.history || !history.replaceState) return;
    var parts = [];
    if (q) parts.push("q=" + encodeURIComponent(q));
    if (kind) parts.push("kind=" + encodeURIComponent(kind));
    if (province) parts.push("province=" + encodeURIComponent(province));
    history.replaceState(null, "", location.pathname + (parts.length ? "?" + parts.join("&") : ""));
  }

  function setStatus(text) {
    clear(status);
    status.textContent = text;
  }

  var moreButton = null;
  var suggestBox = null;

  /** `hits` are the results from `offset` on; earlier pages stay in the list. */
  function renderPage(q, hits, filtered, offset) {
    if (!offset) clear(results);
    var n = offset + hits.length;
    var quoted = T("js_quote_open") + q + T("js_quote_close");
    if (!n) setStatus(T(filtered ? "js_none_filtered" : "js_none", { query: quoted }));
    else setStatus(T(hits.length >= PAGE_LIMIT ? "js_showing_first" : "js_found", { query: quoted, n: n }));
    status.setAttribute("data-count", String(n));
    for (var i = 0; i < hits.length; i++) results.appendChild(resultItem(hits[i]));
    // A full page may have more behind it: "show more" fetches the next one.
    if (moreButton && moreButton.parentNode) moreButton.parentNode.removeChild(moreButton);
    if (hits.length >= PAGE_LIMIT) {
      moreButton = el("button", "search-more", T("js_show_more"));
      moreButton.type = "button";
      moreButton.setAttribute("data-offset", String(n));
      moreButton.addEventListener("click", function () { runPage(n); });
      results.parentNode.insertBefore(moreButton, results.nextSibling);
    }
  }

  /** Without a good match: the closest entries stay listed, and the tool
   * pages (decision trees, checkers) and the rejection index are offered. */
  function renderSuggestions(pages) {
    if (suggestBox && suggestBox.parentNode) suggestBox.parentNode.removeChild(suggestBox);
    suggestBox = null;
    // How many pages were offered, once known (tests and styles can tell).
    if (pages) results.setAttribute("data-suggestions", String(pages.length));
    else results.removeAttribute("data-suggestions");
    if (!pages || !pages.length) return;
    suggestBox = el("div", "search-suggest");
    suggestBox.id = "search-suggest";
    suggestBox.appendChild(el("p", null, T("js_suggest_intro")));
    var ul = el("ul");
    var add = function (title, url) {
      var li = el("li");
      var a = el("a", null, title);
      a.href = window.zhikuUrl(safeUrl(url));
      li.appendChild(a);
      ul.appendChild(li);
    };
    for (var i = 0; i < pages.length; i++) add(pages[i].title, pages[i].url);
    // The rejection index exists when the site has rejections (the nav links it).
    if (document.querySelector('a[href$="/rejections/"]')) add(T("js_rejection_index"), "/rejections/");
    suggestBox.appendChild(ul);
    results.parentNode.insertBefore(suggestBox, results.nextSibling);
  }

  /** Runs the page's search; `offset` > 0 appends the next page ("show more"). */
  function runPage(offset) {
    offset = typeof offset === "number" ? offset : 0;
    var q = pageQ.value.trim();
    var kind = kindSel ? kindSel.value : "";
    // A province form the list does not hold (粤, guangdong, 广东) goes to
    // the engine as typed: it knows every form and names them when it is wrong.
    var province = (provSel && provSel.value) || urlProvince;
    updateUrl(q, kind, province);
    var mine = ++pageSeq;
    if (!offset) renderSuggestions(null);
    if (!q) {
      clear(results);
      if (moreButton && moreButton.parentNode) moreButton.parentNode.removeChild(moreButton);
      status.removeAttribute("data-count");
      setStatus(T("search_prompt"));
      return;
    }
    if (!offset) setStatus(T("js_searching"));
    var opts = { limit: PAGE_LIMIT };
    if (offset) opts.offset = offset;
    if (kind) opts.kind = kind;
    if (province) opts.province = province;
    var current = function () { return mine === pageSeq; };
    var render = function (hits) { renderPage(q, hits, !!(kind || province), offset); };
    showSearch(q, opts, current, render, results).then(function () {
      if (offset || !current()) return;
      return runtime().then(function (rt) {
        return rt.suggest ? rt.suggest(q, opts) : [];
      }).then(function (pages) {
        if (current()) renderSuggestions(pages);
      });
    }).then(null, function (err) {
      if (mine !== pageSeq) return;
      clear(results);
      clear(status);
      status.appendChild(err && err.kind ? errorMessage(err, runPage) : el("p", "search-error", String(err && err.message || err)));
    });
  }

  var params = new URLSearchParams(location.search);
  pageQ.value = params.get("q") || "";
  setSelect(kindSel, params.get("kind") || "");
  var urlProvince = "";
  setSelect(provSel, params.get("province") || "");
  if (provSel && !provSel.value && params.get("province")) urlProvince = params.get("province");

  var runPageSoon = debounce(function () { runPage(); }, DEBOUNCE_MS);
  pageQ.addEventListener("input", runPageSoon);
  pageQ.addEventListener("focus", function () { runtime().then(null, function () {}); });
  if (kindSel) kindSel.addEventListener("change", function () { runPage(); });
  if (provSel) provSel.addEventListener("change", function () { urlProvince = ""; runPage(); });
  if (pageQ.form) {
    pageQ.form.addEventListener("submit", function (e) {
      e.preventDefault();
      runPage();
    });
  }
  if (pageQ.value.trim()) runPage();
})();
