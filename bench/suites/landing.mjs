// The landing page: what a first visit transfers, and how soon the app has rendered.
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

export const name = 'landing';

const kb = (n) => (n / 1024).toFixed(1) + ' KB';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function run({ dist, origin, browser, runs }) {
  // Transfer sizes of what the landing page actually requests (html, js, wasm, css), read from dist
  // and gzipped; data and the heavy sections' module load only when a section asks for them.
  const requested = async (query) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const urls = [];
    page.on('request', (r) => urls.push(new URL(r.url())));
    await page.goto(origin + '/' + query);
    await page.locator('main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    await context.close();
    return urls.map((u) => (u.pathname.endsWith('/') ? 'index.html' : decodeURIComponent(u.pathname.replace(/^\//, '')))).filter((f) => /\.(html|js|wasm|css)$/.test(f));
  };
  const landing = new Set(await requested(''));
  const byKind = {};
  for (const f of landing) {
    const body = await readFile(path.join(dist, f));
    const kind = path.extname(f).slice(1);
    byKind[kind] ??= { raw: 0, gzip: 0 };
    byKind[kind].raw += body.length;
    byKind[kind].gzip += gzipSync(body, { level: 9 }).length;
  }
  const sizes = ['wasm', 'js', 'css', 'html'].filter((k) => byKind[k]).map((k) => ({ asset: k, raw: kb(byKind[k].raw), gzip: kb(byKind[k].gzip) }));
  const total = Object.values(byKind).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
  sizes.push({ asset: 'total', raw: kb(total.raw), gzip: kb(total.gzip) });
  // What opening a heavy section adds (the sections module, once per visit).
  const extra = [...new Set(await requested('?page=gan'))].filter((f) => !landing.has(f));
  let more = { raw: 0, gzip: 0 };
  for (const f of extra) {
    const body = await readFile(path.join(dist, f));
    more = { raw: more.raw + body.length, gzip: more.gzip + gzipSync(body, { level: 9 }).length };
  }
  sizes.push({ asset: `later: heavy sections' module (${extra.join(', ')}), on the first visit to tokens, embeddings, diffusion or GANs`, raw: kb(more.raw), gzip: kb(more.gzip) });

  // Time to first render: navigation start → the home page's <h1> in the DOM, in a fresh context
  // each run (cold cache, local server), plus first contentful paint.
  const render = [];
  const fcp = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.querySelector('main h1')) {
          window.__firstRender = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(origin + '/');
    await page.waitForFunction(() => window.__firstRender !== undefined);
    render.push(await page.evaluate(() => window.__firstRender));
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, { timeout: 5000 }).catch(() => {});
    fcp.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN));
    await context.close();
  }
  // The same for a heavy section opened directly: the shell, then its module, then its h1.
  const heavy = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(origin + '/?page=diffusion');
    await page.waitForFunction(() => [...document.querySelectorAll('main h1')].some((h) => h.textContent.includes('Diffusion')));
    heavy.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  const timing = [
    { measure: 'first render (main h1 in DOM)', median: median(render).toFixed(0) + ' ms', min: Math.min(...render).toFixed(0) + ' ms', max: Math.max(...render).toFixed(0) + ' ms' },
    { measure: 'a heavy section opened directly (?page=diffusion): its h1 in the DOM', median: median(heavy).toFixed(0) + ' ms', min: Math.min(...heavy).toFixed(0) + ' ms', max: Math.max(...heavy).toFixed(0) + ' ms' },
    { measure: 'first contentful paint', median: median(fcp).toFixed(0) + ' ms', min: Math.min(...fcp).toFixed(0) + ' ms', max: Math.max(...fcp).toFixed(0) + ' ms' },
  ];
  return [
    ['Landing page transfer size (goal: ≤ 400 KB gzip in total)', sizes],
    ['Landing page time to first render (headless Chromium, local server, cold cache)', timing],
  ];
}
