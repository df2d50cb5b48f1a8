/* zhiku search loader: fetches the search runtime (wasm + index) lazily and
 * exposes it as window.zhikuSearch.
 *
 *   const rt = await window.zhikuSearch.load();
 *   const hits = await rt.search("二级域名要备案吗", { limit: 10, kind: "faq" });
 *   rt.raw  // the wasm-bindgen exports (load, add_texts, search)
 *   const tools = await window.zhikuSearch.loadTools();
 *   tools.raw.check_name(provincesJson, requestJson)  // the checkers' module
 *
 * Snippets are cut from page texts that come in small shards, fetched only for
 * the hits a search returns. When some are missing, search() first calls
 * `opts.partial(hits)` with what it has (titles, no snippets), so a page can
 * show results at once, then resolves with the complete hits.
 *
 * The manifest URL comes from (in order) the `manifest` option, the
 * `data-manifest` attribute of the search box (or any element carrying it),
 * or `manifest.json` next to this script. Nothing is fetched before the first
 * load() call; later calls share the same promise.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var pending = {};

  function manifestUrl(opts) {
    if (opts && opts.manifest) return opts.manifest;
    var el = document.querySelector("[data-manifest]");
    var fromAttr = el && el.getAttribute("data-manifest");
    if (fromAttr) return fromAttr;
    if (script && script.src) return new URL("manifest.json", script.src).href;
    throw new Error("zhiku search: no manifest URL (data-manifest attribute missing)");
  }

  function fetchOk(url, what, init) {
    return fetch(url, init).then(function (res) {
      if (!res.ok) throw new Error("zhiku search: " + what + " " + url + " returned HTTP " + res.status);
      return res;
    });
  }

  /* The manifest and a resolver of the URLs it lists. */
  function manifest(opts) {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      return Promise.reject(new Error("zhiku search: this browser cannot run WebAssembly, so search is unavailable"));
    }
    var url;
    try {
      url = new URL(manifestUrl(opts), document.baseURI).href;
    } catch (e) {
      return Promise.reject(e);
    }
    // The manifest keeps its name from build to build (so pages need not
    // change when the index does): ask the host whether it is still current.
    // Everything it names is content-hashed and cached as it is.
    return fetchOk(url, "manifest", { cache: "no-cache" })
      .then(function (res) { return res.json(); })
      .then(function (m) {
        return { m: m, abs: function (u) { return new URL(u, url).href; } };
      });
  }

  /* Imports a wasm-bindgen glue module and instantiates its wasm; resolves to the glue. */
  function instantiate(glueUrl, wasmUrl) {
    return import(glueUrl).then(function (glue) {
      return glue.default({ module_or_path: wasmUrl }).then(function () { return glue; });
    });
  }

  /* The checkers' module (no index): its wasm-bindgen exports as `raw`. */
  function startTools(opts) {
    return loadManifest(opts).then(function (got) {
      var m = got.m;
      if (!m.tools_glue || !m.tools_wasm) throw new Error("zhiku search: this site has no checker runtime");
      return instantiate(got.abs(m.tools_glue), got.abs(m.tools_wasm)).then(function (glue) {
        return { raw: glue };
      });
    });
  }

  function start(opts) {
    return loadManifest(opts).then(function (got) {
      var m = got.m;
      var abs = got.abs;
      // Start the index download while the module compiles.
      var index = fetchOk(abs(m.index), "index").then(function (r) { return r.arrayBuffer(); });
      return Promise.all([instantiate(abs(m.glue), abs(m.wasm)), index]).then(function (both) {
        var glue = both[0];
        var docs = glue.load(new Uint8Array(both[1]));
        return runtime(glue, docs, m, abs);
      });
    });
  }

  function runtime(glue, docs, m, abs) {
    var shards = {}; // shard number → promise of its texts being in the engine

    function loadShard(n) {
      if (!shards[n]) {
        var url = (m.texts || [])[n];
        shards[n] = url
          ? fetchOk(abs(url), "text shard")
              .then(function (r) { return r.arrayBuffer(); })
              .then(function (buf) { glue.add_texts(new Uint8Array(buf)); })
              .catch(function (e) { delete shards[n]; throw e; })
          : Promise.reject(new Error("zhiku search: no text shard " + n));
      }
      return shards[n];
    }

    /* The engine's SearchRequest for a query and the options of search(). */
    function request(query, opts) {
      var req = { query: String(query == null ? "" : query), limit: opts.limit || 10 };
      if (opts.kind) req.kind = String(opts.kind);
      if (opts.province) req.province = String(opts.province);
      if (opts.offset) req.offset = Math.max(0, Math.floor(Number(opts.offset)) || 0);
      return req;
    }

    function missingShards(hits) {
      var seen = {};
      var out = [];
      hits.forEach(function (h) {
        if (h.text_shard != null && !seen[h.text_shard]) {
          seen[h.text_shard] = true;
          out.push(h.text_shard);
        }
      });
      return out;
    }

    return {
      docs: docs,
      manifest: m,
      raw: glue,
      /* Resolves to hits: {id, title, url, kind, section, score, title_html, snippet_html}.
       * If a text shard cannot be fetched, its hits come without snippets. */
      search: function (query, opts) {
        opts = opts || {};
        var req = request(query, opts);
        var run = function () { return JSON.parse(glue.search(JSON.stringify(req))); };
        var hits;
        try {
          hits = run();
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
        var missing = missingShards(hits);
        if (!missing.length) return Promise.resolve(hits);
        if (typeof opts.partial === "function") opts.partial(hits);
        return Promise.all(missing.map(loadShard)).then(run, function () {
          try { return run(); } catch (e) { return hits; }
        });
      },
      /* Resolves to the pages to offer when `query` has no good match (the
       * tool pages), or [] when it is answered; their snippets stay empty. */
      suggest: function (query, opts) {
        try {
          return Promise.resolve(JSON.parse(glue.suggest(JSON.stringify(request(query, opts || {})))));
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
    };
  }

  /* One shared promise per runtime; a failure allows a retry (e.g. after a network error). */
  function once(key, make) {
    return function (opts) {
      if (!pending[key]) {
        pending[key] = make(opts).catch(function (e) {
          pending[key] = null;
          throw e;
        });
      }
      return pending[key];
    };
  }

  // Search and the checkers share one manifest fetch.
  var loadManifest = once("manifest", manifest);

  window.zhikuSearch = {
    /* Loads the search runtime once; rejects with a clear Error when it cannot. */
    load: once("search", start),
    /* Loads the name and pre-approval checkers (a separate, smaller module). */
    loadTools: once("tools", startTools),
  };
})();
