// confapp scanner service worker: the scanner page opens again with no network at all.
// Served by the app at /events/<slug>/scan-sw.js, after a first line that sets SCANNER =
// { page, assets, version } (the page's URL, the hashed URLs of everything it loads).
//
// - The page: network first, so changes arrive; after a few seconds without an answer (venue
//   Wi-Fi that is "connected" but dead) or with no network, the last copy. It carries the
//   event's public key, so badges are still checked offline.
// - Static files with a content hash in their name never change: cache first.
// - Anything else (check-ins, search) goes to the network untouched: the page queues scans.
/* global SCANNER */

const PREFIX = `confapp-scanner:${SCANNER.page}:`;
const CACHE = PREFIX + SCANNER.version;
const PAGE_TIMEOUT_MS = 4000;
const HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;

async function cachePage(cache) {
  try {
    const response = await fetch(SCANNER.page, { credentials: "same-origin", cache: "no-store" });
    // A sign-in page answered in its place (signed out) is not the scanner.
    if (response.ok && !response.redirected) await cache.put(SCANNER.page, response);
  } catch (e) { /* offline while installing: the next visit stores it */ }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SCANNER.assets);
    await cachePage(cache);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    // No clients.claim(): the page that installs the worker keeps loading from the network
    // (its first load is what was measured and sent); the next visit, online or not, is served
    // by the worker.
  })());
});

function isPage(url) {
  return url.origin === self.location.origin && url.pathname === SCANNER.page;
}

async function pageFirstFromNetwork(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok && !response.redirected) await cache.put(SCANNER.page, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, PAGE_TIMEOUT_MS, null));
  try {
    const answer = await Promise.race([network, timeout]);
    if (answer) return answer;
  } catch (e) { /* no network: the stored copy below */ }
  const stored = await cache.match(SCANNER.page);
  if (stored) {
    network.catch(() => null); // a late answer still refreshes the copy
    return stored;
  }
  return network; // never stored: the browser's own error (or the late answer)
}

async function fileFromCache(request, hashed) {
  const cache = await caches.open(CACHE);
  if (hashed) {
    const stored = await cache.match(request);
    if (stored) return stored;
  }
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const stored = await cache.match(request);
    if (stored) return stored;
    throw e;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(pageFirstFromNetwork(request));
  } else if (url.origin === self.location.origin && SCANNER.assets.includes(url.pathname)) {
    event.respondWith(fileFromCache(request, HASHED.test(url.pathname)));
  }
});
