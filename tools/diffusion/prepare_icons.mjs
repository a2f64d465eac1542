#!/usr/bin/env node
// Rasterises the pixel-art icons of the npm package pixelarticons (MIT, Gerrit Halfmann) into
// public/diffusion/icons.bin, a 1-bit 24×24 bitmap per icon, for the diffusion section.
//
// Source: node_modules/pixelarticons/svg/*.svg (a devDependency pinned in package.json). Every icon
// is <svg viewBox="0 0 24 24" fill="currentColor"> holding one or more <path d="…"> drawn with
// straight lines only (M m L l H h V v Z z) on the integer grid, with no fill-rule attribute, so the
// SVG default, nonzero, applies. Each path is filled on its own and the icon is the union of its
// paths. A pixel is ink when its centre (x + 0.5, y + 0.5) lies inside that union.
//
// Icons are skipped (and listed in icons.json) when they use anything this cannot draw exactly: a
// curve or arc command, a vertex off the integer grid by more than SNAP, or a diagonal edge (none
// of these occur in 2.4.1). Paths with opacity < 1 (a faint 10 % backdrop in the two mail-right
// icons) are not ink and are left out.
//
// Output, public/diffusion/icons.bin:
//   "ICN1", u32 LE n, u8 side (24), then n records sorted by name:
//   u8 name length L, L bytes UTF-8 name (file name without .svg), side*side/8 = 72 bytes of bits,
//   row-major, top row first, most significant bit first within a byte, 1 = ink.
// and public/diffusion/icons.json: source, version, licence, count, skipped icons, SHA-256 of the bin.
//
// Usage: node tools/diffusion/prepare_icons.mjs [--show heart,home,…]
//   --show prints the named icons as ASCII art (# = ink) after writing the files.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PKG = path.join(ROOT, 'node_modules', 'pixelarticons');
const OUT = path.join(ROOT, 'public', 'diffusion');
const EXPECTED_VERSION = '2.4.1'; // keep in step with package.json
const SIDE = 24;
// Some exported paths drift off the grid (8.067, 14.998, 8.99805; the cross of volume-x sits
// 0.224 px low). A vertex at most SNAP from an integer is snapped to it, which is also what sampling
// pixel centres would see. Nearer half a pixel the centre sample turns ambiguous, so the icon is skipped.
const SNAP = 0.25;

class Unsupported extends Error {}

// 1. Read the package: its version and the sorted list of icon names.
function readPackage() {
  const { version, license } = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8'));
  if (version !== EXPECTED_VERSION) {
    throw new Error(`pixelarticons ${version} installed, expected ${EXPECTED_VERSION} (run npm ci)`);
  }
  const names = readdirSync(path.join(PKG, 'svg'))
    .filter((f) => f.endsWith('.svg'))
    .map((f) => f.slice(0, -4))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // code-unit order, independent of locale
  return { version, license, names };
}

// 2. Pull the <path> elements out of one SVG file, checking the frame is the expected 24×24.
function pathsOf(svg) {
  if (!/viewBox="0 0 24 24"/.test(svg)) throw new Unsupported('viewBox is not 0 0 24 24');
  // None of these occur in 2.4.1; each would change what is ink, so a later version using one is skipped.
  const STYLING = /fill-rule|clip-rule|transform=|stroke|style=|class=|mask|clip-path|fill-opacity|fill="none"/;
  const styling = STYLING.exec(svg);
  if (styling) throw new Unsupported(`unsupported styling: ${styling[0]}`);
  const elements = [...svg.matchAll(/<([a-zA-Z]+)\b([^>]*)>/g)];
  const paths = [];
  for (const [, tag, attrs] of elements) {
    if (tag === 'svg') continue;
    if (tag !== 'path') throw new Unsupported(`<${tag}> element`);
    const d = /\sd="([^"]*)"/.exec(attrs);
    if (!d) throw new Unsupported('<path> without d');
    const opacity = /\sopacity="([^"]*)"/.exec(attrs);
    paths.push({ d: d[1], opacity: opacity ? Number(opacity[1]) : 1 });
  }
  return paths;
}

// 3. Split path data into command letters and numbers ("1.5.5" is 1.5 then .5, "h-2" is h then -2).
function tokenize(d) {
  const tokens = [];
  const re = /[\s,]*(?:([A-Za-z])|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))/y;
  const end = d.trimEnd().length;
  while (re.lastIndex < end) {
    const at = re.lastIndex;
    const m = re.exec(d);
    if (!m) throw new Unsupported(`unparsed path data at ${at}: ${d.slice(at, at + 10)}`);
    tokens.push(m[1] ?? Number(m[2]));
  }
  return tokens;
}

// 4. Turn path data into closed polygons (lists of absolute [x, y] vertices), one per subpath.
//    Only straight-line commands exist in this icon set; anything else rejects the icon.
function polygonsOf(d) {
  const tokens = tokenize(d);
  const polygons = [];
  let poly = null; // the open subpath
  let x = 0, y = 0, startX = 0, startY = 0;
  let i = 0, cmd = null;
  const num = () => {
    if (typeof tokens[i] !== 'number') throw new Unsupported(`command ${cmd} lacks a number`);
    return tokens[i++];
  };
  const lineTo = (nx, ny) => { x = nx; y = ny; poly.push([x, y]); };
  while (i < tokens.length) {
    // A number where a letter is expected repeats the previous command (after M/m it means L/l).
    if (typeof tokens[i] === 'string') cmd = tokens[i++];
    else if (cmd === 'M') cmd = 'L';
    else if (cmd === 'm') cmd = 'l';
    else if (cmd === null || cmd === 'Z' || cmd === 'z') throw new Unsupported('number without command');
    const rel = cmd === cmd.toLowerCase();
    const draws = !/^[MmZz]$/.test(cmd);
    if (draws && poly === null) {
      // A drawing command right after Z starts a new subpath at the point Z returned to.
      if (polygons.length === 0) throw new Unsupported('path data does not start with M');
      poly = [[x, y]];
      polygons.push(poly);
    }
    switch (cmd) {
      case 'M': case 'm': {
        const nx = num() + (rel ? x : 0), ny = num() + (rel ? y : 0);
        poly = [];
        polygons.push(poly);
        lineTo(nx, ny);
        startX = x; startY = y;
        break;
      }
      case 'L': case 'l': { const nx = num() + (rel ? x : 0); lineTo(nx, num() + (rel ? y : 0)); break; }
      case 'H': case 'h': lineTo(num() + (rel ? x : 0), y); break;
      case 'V': case 'v': lineTo(x, num() + (rel ? y : 0)); break;
      case 'Z': case 'z': x = startX; y = startY; poly = null; break; // closing edge is implicit
      default: throw new Unsupported(`path command ${cmd}`);
    }
  }
  return polygons;
}

// 5. Snap vertices to the integer grid and check every edge (including the closing one) is
//    horizontal or vertical: then pixel-centre sampling is exact and never lands on an edge.
function snapToGrid(polygon) {
  const snapped = polygon.map(([px, py]) => [px, py].map((c) => {
    const r = Math.round(c);
    if (Math.abs(c - r) > SNAP) throw new Unsupported(`off-grid coordinate ${c}`);
    if (r < 0 || r > SIDE) throw new Unsupported(`coordinate ${c} outside the 24×24 frame`);
    return r;
  }));
  snapped.forEach(([x0, y0], k) => {
    const [x1, y1] = snapped[(k + 1) % snapped.length];
    if (x0 !== x1 && y0 !== y1) throw new Unsupported(`diagonal edge (${x0},${y0})-(${x1},${y1})`);
  });
  return snapped;
}

// 6. Nonzero winding number of the point (px, py) for one path: cast a ray towards +x and add
//    +1 / −1 for every vertical edge it crosses going down / up (horizontal edges never count).
function winding(polygons, px, py) {
  let w = 0;
  for (const poly of polygons) {
    for (let k = 0; k < poly.length; k++) {
      const [x0, y0] = poly[k];
      const [x1, y1] = poly[(k + 1) % poly.length];
      if (x0 !== x1 || x0 < px) continue; // only vertical edges right of the point
      if (y0 < py && py < y1) w += 1;
      else if (y1 < py && py < y0) w -= 1;
    }
  }
  return w;
}

// 7. Rasterise one icon: a pixel is ink if its centre is inside any opaque path (nonzero rule).
function rasterise(svg) {
  const paths = pathsOf(svg)
    .filter((p) => p.opacity >= 1)
    .map((p) => polygonsOf(p.d).map(snapToGrid));
  if (paths.length === 0) throw new Unsupported('no opaque path');
  const ink = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      ink[y * SIDE + x] = paths.some((polys) => winding(polys, x + 0.5, y + 0.5) !== 0) ? 1 : 0;
    }
  }
  return ink;
}

// 8. Pack 0/1 pixels into bytes, row-major, most significant bit first.
function packBits(ink) {
  const bytes = Buffer.alloc(ink.length / 8);
  ink.forEach((bit, k) => { if (bit) bytes[k >> 3] |= 0x80 >> (k & 7); });
  return bytes;
}

// 9. Assemble icons.bin: header, then one record per icon.
function encode(icons) {
  const header = Buffer.alloc(9);
  header.write('ICN1', 0, 'ascii');
  header.writeUInt32LE(icons.length, 4);
  header.writeUInt8(SIDE, 8);
  const records = icons.map(({ name, ink }) => {
    const utf8 = Buffer.from(name, 'utf8');
    if (utf8.length > 255) throw new Error(`name too long: ${name}`);
    return Buffer.concat([Buffer.from([utf8.length]), utf8, packBits(ink)]);
  });
  return Buffer.concat([header, ...records]);
}

function asciiArt(name, ink) {
  const rows = [];
  for (let y = 0; y < SIDE; y++) {
    rows.push([...ink.subarray(y * SIDE, (y + 1) * SIDE)].map((b) => (b ? '#' : '.')).join(''));
  }
  return `${name}\n${rows.join('\n')}\n`;
}

function main() {
  const { version, license, names } = readPackage();
  const icons = [];
  const skipped = [];
  for (const name of names) {
    const svg = readFileSync(path.join(PKG, 'svg', `${name}.svg`), 'utf8');
    try {
      icons.push({ name, ink: rasterise(svg) });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      skipped.push({ name, reason: e.message });
    }
  }
  const bin = encode(icons);
  const sha256 = createHash('sha256').update(bin).digest('hex');
  const manifest = { source: 'npm pixelarticons', version, license, count: icons.length, skipped, sha256 };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, 'icons.bin'), bin);
  writeFileSync(path.join(OUT, 'icons.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`${icons.length} icons (${skipped.length} skipped), ${bin.length} bytes, sha256 ${sha256}`);
  for (const s of skipped) console.log(`  skipped ${s.name}: ${s.reason}`);

  const show = process.argv.indexOf('--show');
  if (show > 0) {
    for (const name of (process.argv[show + 1] ?? '').split(',').filter(Boolean)) {
      const icon = icons.find((ic) => ic.name === name);
      console.log(icon ? asciiArt(name, icon.ink) : `${name}: not in the set\n`);
    }
  }
}

main();
