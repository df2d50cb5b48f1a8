/* zhiku search loader: fetches the search runtime (wasm + index) lazily and
 * exposes it as window.zhikuSearch.
 *
 *   const rt = await window.zhikuSearch.load();
 *   const hits = await rt.search("二级域名要备案吗", { limit: 10, kind: "faq" });
 *   rt.raw  // the wasm-bindgen exports (load, search, and any other checker)
 *
 * The manifest URL comes from (in order) the `manifest` option, the
 * `data-manifest` attribute of the search box (or any element carrying it),
 * or `manifest.json` next to this script. Nothing is fetched before the first
 * load() call; later calls share the same promise.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var pending = null;

  function manifestUrl(opts) {
    if (opts && opts.manifest) return opts.manifest;
    var el = document.querySelector("[data-manifest]");
    var fromAttr = el && el.getAttribute("data-manifest");
    if (fromAttr) return fromAttr;
    if (script && script.src) return new URL("manifest.json", script.src).href;
    throw new Error("zhiku search: no manifest URL (data-manifest attribute missing)");
  }

  function fetchOk(url, what) {
    return fetch(url).then(function (res) {
      if (!res.ok) throw new Error("zhiku search: " + what + " " + url + " returned HTTP " + res.status);
      return res;
    });
  }

  function start(opts) {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      return Promise.reject(new Error("zhiku search: this browser cannot run WebAssembly, so search is unavailable"));
    }
    var base = document.baseURI;
    var url = new URL(manifestUrl(opts), base).href;
    return fetchOk(url, "manifest")
      .then(function (res) { return res.json(); })
      .then(function (m) {
        var abs = function (u) { return new URL(u, url).href; };
        // Start the index download while the module compiles.
        var index = fetchOk(abs(m.index), "index").then(function (r) { return r.arrayBuffer(); });
        return import(abs(m.glue)).then(function (glue) {
          return glue.default({ module_or_path: abs(m.wasm) }).then(function () {
            return index;
          }).then(function (buf) {
            var docs = glue.load(new Uint8Array(buf));
            return runtime(glue, docs, m);
          });
        });
      });
  }

  function runtime(glue, docs, manifest) {
    return {
      docs: docs,
      manifest: manifest,
      raw: glue,
      /* Resolves to hits: {id, title, url, kind, section, score, title_html, snippet_html}. */
      search: function (query, opts) {
        opts = opts || {};
        try {
          var req = { query: String(query == null ? "" : query), limit: opts.limit || 10 };
          if (opts.kind) req.kind = String(opts.kind);
          if (opts.province) req.province = String(opts.province);
          return Promise.resolve(JSON.parse(glue.search(JSON.stringify(req))));
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
    };
  }

  window.zhikuSearch = {
    /* Loads the runtime once; rejects with a clear Error when it cannot. */
    load: function (opts) {
      if (!pending) {
        pending = start(opts).catch(function (e) {
          pending = null; // allow a retry (e.g. after a network error)
          throw e;
        });
      }
      return pending;
    },
  };
})();
