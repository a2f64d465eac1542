// GenAI Explorables service worker (template: tools/sw/build.mjs fills in VERSION and SHELL at
// build time). The shell is precached on install; everything else under this scope — the
// sections module, the data in public/ — is cached the first time it is fetched, so every page
// and embed once opened (or fetched by "Make available offline") works without a network.
// A new build has a new VERSION: its worker installs beside the old one and waits until the page
// asks it to take over (the "a new version is ready — reload" banner), then drops old caches.
const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const CACHE = 'genai-explorables-' + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('genai-explorables-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (request.mode === 'navigate') {
    // Pages differ only by their query string: the network's index.html when online, else the cached one.
    event.respondWith(fetch(request).catch(async () => (await caches.open(CACHE)).match(new URL('./', scope).href)));
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = url.origin + url.pathname; // no query strings for files
    const hit = await cache.match(key);
    if (hit) return hit;
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
    return response;
  })());
});
