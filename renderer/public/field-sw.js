/* global self, caches, fetch, Response, URL */
// The field page's service worker (registered with scope /field by renderer/src/field/main.tsx): the
// page and its hashed assets are kept, so a phone that loses signal, or is restarted without it, still
// opens the field page — and its outbox (localStorage) sends what waited once the hub is reachable.
// Sockets, /api/ and /media/ always go to the network. Browsers allow service workers only on https
// or localhost; on plain http from another address the page works the same, without offline start.
const CACHE = 'xiuhua-field-v1';
const PAGE = './field';

/** The page and every asset it names (Vite lists its chunks as <script>, <link rel=modulepreload> and stylesheets). */
async function keepPage() {
  const cache = await caches.open(CACHE);
  const res = await fetch(PAGE, { cache: 'no-cache' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(PAGE, res);
  const named = [...html.matchAll(/(?:src|href)="(\.\/[^"]+)"/g)].map((m) => m[1]);
  await cache.addAll([...new Set(named)]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(keepPage().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (/^\/(socket\.io|api|media)\//.test(url.pathname)) return;
  if (url.pathname.startsWith('/assets/')) {
    // Named by their content hash: what is cached is right for ever.
    event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request).then((res) => {
      if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(request, copy)); }
      return res;
    })));
    return;
  }
  if (request.mode === 'navigate' || url.pathname === '/field') {
    // The page: the network's when there is one (a new build), the kept one when there is none.
    event.respondWith(fetch(request).then((res) => {
      if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(PAGE, copy)); }
      return res;
    }).catch(() => caches.match(PAGE).then((hit) => hit ?? Response.error())));
  }
});
