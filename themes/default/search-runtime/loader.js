/* zhiku search loader: fetches the search runtime (wasm + the index's hot
 * file) lazily and exposes it as window.zhikuSearch.
 *
 *   const rt = await window.zhikuSearch.load();
 *   const hits = await rt.search("二级域名要备案吗", { limit: 10, kind: "faq" });
 *   rt.raw  // the wasm-bindgen exports (load, add_texts, search)
 *   const tools = await window.zhikuSearch.loadTools();
 *   tools.raw.check_name(provincesJson, requestJson)  // the checkers' module
 *
 * The index is a small hot file plus content-hashed chunks: a search asks the
 * engine, which either answers or names the chunks it lacks; those are fetched
 * in one parallel round (plain GETs of immutable files), added, and the search
 * runs again (on a cold cache: none on a small site, whose index is whole
 * in the hot file; two on a larger one: term-dictionary bundles holding their
 * terms' postings, then stored fields; three on a large one, whose heavier
 * postings come apart). Chunks stay for later searches. A chunk that
 * fails (HTTP error, timeout, wrong content) rejects the search with an Error
 * whose `kind` is "chunk"; the next search fetches it again. A manifest or
 * index format this loader does not read rejects with `kind` "format".
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
  // The runtime's files relative to this script ({wasm, glue, tools_wasm,
  // tools_glue}), filled in by the build so the module's download starts at
  // once, beside the manifest's; null in the committed file, whose users
  // take them from the manifest.
  var RUNTIME = null;
  var pending = {};
  // The manifest version this loader reads (src/search/mod.rs MANIFEST_VERSION).
  var MANIFEST_VERSION = 4;
  // Most fetch rounds one search may take (search-index MAX_ROUNDS).
  var MAX_ROUNDS = 8;
  // A chunk or shard request slower than this fails (window.zhikuSearchTimeoutMs overrides).
  var TIMEOUT_MS = 15000;

  function failure(kind, message) {
    var e = new Error(message);
    e.kind = kind;
    return e;
  }

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
      if (!res.ok) throw failure("network", "zhiku search: " + what + " " + url + " returned HTTP " + res.status);
      return res;
    }, function (e) {
      throw failure("network", "zhiku search: " + what + " " + url + " failed: " + (e && e.message || e));
    });
  }

  /* The bytes of `url`, or an Error of `kind` "chunk" after an HTTP error,
   * a network error or the timeout. */
  function fetchBytes(url, what) {
    var ms = window.zhikuSearchTimeoutMs || TIMEOUT_MS;
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = null;
    var timeout = new Promise(function (_, reject) {
      timer = setTimeout(function () {
        if (ctl) ctl.abort();
        reject(failure("chunk", "zhiku search: " + what + " " + url + " timed out after " + ms + " ms"));
      }, ms);
    });
    var got = fetch(url, ctl ? { signal: ctl.signal } : undefined).then(function (res) {
      if (!res.ok) throw failure("chunk", "zhiku search: " + what + " " + url + " returned HTTP " + res.status);
      return res.arrayBuffer();
    }).then(null, function (e) {
      throw e && e.kind ? e : failure("chunk", "zhiku search: " + what + " " + url + " failed: " + (e && e.message || e));
    });
    return Promise.race([got, timeout]).then(function (buf) {
      clearTimeout(timer);
      return new Uint8Array(buf);
    }, function (e) {
      clearTimeout(timer);
      throw e;
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
        if (m.version !== MANIFEST_VERSION) {
          throw failure("format", "zhiku search: the site's search index has manifest version " + m.version +
            ", this search runtime reads version " + MANIFEST_VERSION + " (reload the page; if it persists, rebuild the site)");
        }
        return { m: m, abs: function (u) { return new URL(u, url).href; } };
      });
  }

  /* Imports a wasm-bindgen glue module and instantiates its wasm; resolves to the glue. */
  function instantiate(glueUrl, wasmUrl) {
    // The module's download starts beside the glue's, not after it (one
    // round trip less on a cold cache); the glue compiles it as it streams in.
    var wasm = fetch(wasmUrl);
    wasm.then(null, function () {}); // a failure surfaces through the glue's init
    return import(glueUrl).then(function (glue) {
      return glue.default({ module_or_path: wasm }).then(function () { return glue; });
    });
  }

  /* Absolute URL of the runtime file `key` named by the build, or null. */
  function runtimeUrl(key) {
    return RUNTIME && RUNTIME[key] && script && script.src ? new URL(RUNTIME[key], script.src).href : null;
  }

  /* The checkers' module (no index): its wasm-bindgen exports as `raw`. */
  function startTools(opts) {
    if (runtimeUrl("tools_glue") && runtimeUrl("tools_wasm")) {
      return instantiate(runtimeUrl("tools_glue"), runtimeUrl("tools_wasm")).then(function (glue) {
        return { raw: glue };
      });
    }
    return loadManifest(opts).then(function (got) {
      var m = got.m;
      if (!m.tools_glue || !m.tools_wasm) throw new Error("zhiku search: this site has no checker runtime");
      return instantiate(got.abs(m.tools_glue), got.abs(m.tools_wasm)).then(function (glue) {
        return { raw: glue };
      });
    });
  }

  /* Browsers compile a wasm function when it is first called, which made
   * the first open and the first search several times slower than later
   * ones. While the page waits on the network anyway (the hot file, a chunk
   * round), the module opens and searches a tiny index of its own, one
   * short step per task, so it stops soon after what it waits for is in,
   * and the site's index meets compiled code. It fetches nothing and leaves
   * the site's index alone. */
  var primeSteps = 0; // steps run; -1 once every step ran, -2 after a failure
  function primeWhile(glue, waiting) {
    if (typeof glue.prime_step !== "function") return;
    (function next() {
      if (primeSteps < 0 || !waiting()) return;
      try {
        primeSteps = glue.prime_step() ? primeSteps + 1 : -1;
      } catch (e) {
        primeSteps = -2; // only a head start: a real failure shows on the real search
      }
      if (primeSteps > 0) setTimeout(next, 0);
    })();
  }

  function start(opts) {
    // The module downloads beside the manifest when the build named it.
    var early = runtimeUrl("glue") && runtimeUrl("wasm") ? instantiate(runtimeUrl("glue"), runtimeUrl("wasm")) : null;
    if (early) early.then(null, function () {}); // surfaces below, once the manifest is in
    return loadManifest(opts).then(function (got) {
      var m = got.m;
      var abs = got.abs;
      // Start the hot file's download while the module compiles.
      var hotIn = false;
      var hot = fetchOk(abs(m.index), "index")
        .then(function (r) { return r.arrayBuffer(); })
        .then(function (buf) { hotIn = true; return buf; });
      var module = (early || instantiate(abs(m.glue), abs(m.wasm))).then(function (glue) {
        primeWhile(glue, function () { return !hotIn; });
        return glue;
      });
      return Promise.all([module, hot]).then(function (both) {
        var glue = both[0];
        if (typeof glue.index_format !== "function" || glue.index_format() !== m.index_format) {
          throw failure("format", "zhiku search: the site's search index is format " + m.index_format +
            ", this search runtime reads format " + (glue.index_format ? glue.index_format() : "1") +
            " (reload the page; if it persists, rebuild the site)");
        }
        var docs;
        try {
          docs = glue.open(new Uint8Array(both[1]));
        } catch (e) {
          var msg = String(e && e.message || e);
          throw /format/.test(msg) ? failure("format", msg) : e;
        }
        return runtime(glue, docs, m, abs);
      });
    });
  }

  function runtime(glue, docs, m, abs) {
    var shards = {}; // shard number → promise of its texts being in the engine
    var chunks = {}; // chunk name → promise of it being in the engine
    var hotUrl = abs(m.index);
    var stats = { rounds: 0, chunks: 0, warmed: false };
    var asked = false; // a search or suggestion has been asked for

    /* Browsers compile a wasm function when it is first called, which made a
     * first search several times slower than the next. When the index is
     * open before anyone searches (it loads on idle), one search for the
     * manifest's `warm` query, answered from what is loaded, compiles that
     * code while nobody waits; it fetches nothing (a cut index's missing
     * chunks are left for real searches) and changes no answer. */
    function warmUp() {
      if (asked || !m.warm) return;
      stats.warmed = true;
      try {
        glue.search(JSON.stringify({ query: String(m.warm), limit: 1 }));
      } catch (e) {
        // A failure here shows again, visibly, on the first real search.
      }
    }
    (window.requestIdleCallback || function (f) { return setTimeout(f, 50); })(warmUp, { timeout: 2000 });

    function loadChunk(name) {
      if (!chunks[name]) {
        var url = new URL(name, hotUrl).href;
        chunks[name] = fetchBytes(url, "index chunk").then(function (bytes) {
          try {
            glue.add_chunk(name, bytes);
            stats.chunks++;
          } catch (e) {
            throw failure("chunk", "zhiku search: " + url + ": " + (e && e.message || e));
          }
        }).then(null, function (e) { delete chunks[name]; throw e; });
      }
      return chunks[name];
    }

    function loadShard(n) {
      if (!shards[n]) {
        var url = (m.texts || [])[n];
        shards[n] = url
          ? fetchBytes(abs(url), "text shard")
              .then(function (bytes) { glue.add_texts(bytes); })
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

    /* The engine's answer to `call` (glue.search or glue.suggest), fetching
     * the chunks it names round by round; resolves to [hits, rounds taken]. */
    function ranked(call, req, round) {
      var r;
      try {
        r = JSON.parse(call(JSON.stringify(req)));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      if (r.hits) return Promise.resolve([r.hits, round]);
      if (round >= MAX_ROUNDS) return Promise.reject(new Error("zhiku search: the index still misses chunks after " + round + " rounds"));
      var waiting = true;
      var fetched = Promise.all(r.need.map(loadChunk));
      fetched.then(function () { waiting = false; }, function () { waiting = false; });
      primeWhile(glue, function () { return waiting; });
      return fetched.then(function () { return ranked(call, req, round + 1); });
    }

    return {
      docs: docs,
      manifest: m,
      raw: glue,
      /* {rounds: fetch rounds the last search took, chunks: index chunks
       * loaded, warmed: whether the warm-up search ran, primed: whether the
       * built-in index was opened while the network was busy}. */
      stats: function () { return { rounds: stats.rounds, chunks: stats.chunks, warmed: stats.warmed, primed: primeSteps > 0 || primeSteps === -1 }; },
      /* Resolves to hits: {id, title, url, kind, section, score, title_html, snippet_html}.
       * If a text shard cannot be fetched, its hits come without snippets;
       * if an index chunk cannot, the search rejects (Error with kind "chunk"). */
      search: function (query, opts) {
        asked = true;
        opts = opts || {};
        var req = request(query, opts);
        return ranked(glue.search, req, 0).then(function (got) {
          var hits = got[0];
          stats.rounds = got[1];
          var missing = missingShards(hits);
          if (!missing.length) return hits;
          if (typeof opts.partial === "function") opts.partial(hits);
          var again = function () {
            return ranked(glue.search, req, 0).then(function (again) { return again[0]; }, function () { return hits; });
          };
          return Promise.all(missing.map(loadShard)).then(again, again);
        });
      },
      /* Resolves to the pages to offer when `query` has no good match (the
       * tool pages), or [] when it is answered; their snippets stay empty. */
      suggest: function (query, opts) {
        asked = true;
        return ranked(glue.suggest, request(query, opts || {}), 0).then(function (got) { return got[0]; });
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
