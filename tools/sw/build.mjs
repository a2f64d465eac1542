// Trunk post-build hook (Trunk.toml): writes into the staging dist
//   sw.js                 the service worker (tools/sw/sw.js with this build's version and shell)
//   offline.json          every file with its size, for "Make available offline"
//   manifest.webmanifest  the web app manifest
//   icons/icon-192.png, icons/icon-512.png  app icons, drawn here (no downloads)
// The version is a hash of every file's content, so any change makes a new worker and cache.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dist = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!dist) throw new Error('usage: TRUNK_STAGING_DIR=<dir> node tools/sw/build.mjs (or give the dir)');
const here = path.dirname(new URL(import.meta.url).pathname);

// --- icons: a rounded blue square with a white diamond (the site's mark), as RGBA PNGs ---
const CRC = new Uint32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function icon(size) {
  const rows = [];
  const r = size * 0.18; // corner radius
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0
    for (let x = 0; x < size; x++) {
      const cx = Math.min(Math.max(x + 0.5, r), size - r), cy = Math.min(Math.max(y + 0.5, r), size - r);
      const inside = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= r;
      const diamond = Math.abs(x + 0.5 - size / 2) + Math.abs(y + 0.5 - size / 2) <= size * 0.28;
      const [R, G, B, A] = !inside ? [0, 0, 0, 0] : diamond ? [255, 255, 255, 255] : [29, 78, 216, 255];
      row.set([R, G, B, A], 1 + x * 4);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}
mkdirSync(path.join(dist, 'icons'), { recursive: true });
for (const s of [192, 512]) writeFileSync(path.join(dist, 'icons', `icon-${s}.png`), icon(s));

writeFileSync(path.join(dist, 'manifest.webmanifest'), JSON.stringify({
  name: 'GenAI Explorables',
  short_name: 'GenAI Explorables',
  description: 'Live, embeddable explorables of generative AI, running in your browser.',
  start_url: './',
  scope: './',
  display: 'standalone',
  background_color: '#ffffff',
  theme_color: '#1d4ed8',
  icons: [192, 512].map((s) => ({ src: `icons/icon-${s}.png`, sizes: `${s}x${s}`, type: 'image/png', purpose: 'any' })),
}, null, 2));

// --- every file, its size, and the version ---
function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(path.relative(dist, full).split(path.sep).join('/'));
  }
  return out;
}
const files = walk(dist).filter((f) => f !== 'sw.js' && f !== 'offline.json');
const hash = createHash('sha256');
for (const f of files) hash.update(f).update(readFileSync(path.join(dist, f)));
const version = hash.digest('hex').slice(0, 12);
// The shell: what the landing page needs (not the heavy sections module or the data).
const shell = ['./', ...files.filter((f) => f === 'index.html' || f === 'manifest.webmanifest' || f.startsWith('icons/') || f.startsWith('snippets/genai-explorables-') || /^genai-explorables-[0-9a-f]+(_bg\.wasm|\.js)$/.test(f) || /^main-[0-9a-f]+\.css$/.test(f))];
const offline = files.filter((f) => f !== 'index.html' && !f.startsWith('public/examples/')).map((f) => ({ path: f, size: statSync(path.join(dist, f)).size }));
writeFileSync(path.join(dist, 'offline.json'), JSON.stringify({ version, total: offline.reduce((a, f) => a + f.size, 0), files: offline }));
const sw = readFileSync(path.join(here, 'sw.js'), 'utf8').replace('__VERSION__', version).replace('__SHELL__', JSON.stringify(shell));
writeFileSync(path.join(dist, 'sw.js'), sw);
console.log(`sw.js version ${version}: ${shell.length} shell files precached, ${offline.length} files (${(offline.reduce((a, f) => a + f.size, 0) / 1e6).toFixed(1)} MB) for offline use`);
