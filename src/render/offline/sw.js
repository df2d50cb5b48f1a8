// zhiku's service worker: keeps the site readable offline. Settings come from
// the build (self.ZHIKU_OFFLINE, written above): the cache version, the URLs
// to precache (relative to this file) and the offline fallback page.
"use strict";
var SETTINGS = self.ZHIKU_OFFLINE;
var SCOPE = self.registration.scope;
// One cache per site (scope) and deploy (version); older ones are deleted.
var PREFIX = "zhiku:" + SCOPE + ":";
var CACHE = PREFIX + SETTINGS.version;

function abs(u) { return new URL(u, SCOPE).href; }

self.addEventListener("install", function (e) {
  // A new deploy takes over as soon as it is installed (its promise is not
  // awaited: it settles only once activation has been tried).
  self.skipWaiting();
  e.waitUntil(caches.open(CACHE).then(function (cache) {
    // All or nothing: a failed download leaves the previous version in charge.
    return cache.addAll(SETTINGS.precache.map(abs));
  }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf(PREFIX) === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// Pages are looked up without their query (/search/?q=… is the search page).
function key(req) {
  if (req.mode !== "navigate") return req;
  var u = new URL(req.url);
  u.search = "";
  u.hash = "";
  return u.href;
}

// This deploy's cache, or null once a newer deploy has activated and
// deleted it: caches.open would bring it back, never to go (a page still
// controlled by this worker goes on fetching and asking for a while).
function liveCache() {
  return caches.has(CACHE).then(function (live) { return live ? caches.open(CACHE) : null; });
}

function keep(req, res) {
  if (!res || !res.ok || res.type !== "basic") return res;
  var copy = res.clone();
  liveCache().then(function (cache) { return cache && cache.put(key(req), copy); });
  return res;
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || req.url.indexOf(SCOPE) !== 0) return;
  if (url.href === self.location.href) return;
  // Same site and version: every file is served from the cache first (a
  // deploy brings a new worker and a new cache), else fetched and kept.
  e.respondWith(liveCache().then(function (cache) {
    if (!cache) return fetch(req);
    return cache.match(key(req)).then(function (hit) {
      if (hit) return hit;
      return fetch(req).then(function (res) { return keep(req, res); }, function (err) {
        if (req.mode !== "navigate") throw err;
        return cache.match(abs(SETTINGS.offline)).then(function (page) {
          return page || Response.error();
        });
      });
    });
  }));
});

// The page asks whether it is kept: answers { cached, version }.
self.addEventListener("message", function (e) {
  var data = e.data || {};
  if (data.type !== "zhiku-offline-status" || !e.ports[0]) return;
  liveCache().then(function (cache) {
    return cache && cache.match(key({ mode: "navigate", url: data.url }));
  }).then(function (hit) {
    e.ports[0].postMessage({ cached: !!hit, version: SETTINGS.version });
  });
});
