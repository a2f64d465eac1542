// Benchmark harness: node bench/run.mjs <dist> [--runs N]
// Runs every suite in bench/suites/ against the built dist/ served on 127.0.0.1 in Debian's headless
// Chromium and prints one table per suite. Later issues add their in-browser suites (measured in the
// same page as their peers, reported as ratios) next to landing.mjs.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer } from '../tests/e2e/lib/server.mjs';
import { launch } from '../tests/e2e/lib/browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = process.argv[2];
if (!dist) {
  console.error('usage: node bench/run.mjs <dist-dir> [--runs N] [--only name]');
  process.exit(2);
}
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('--runs', 15));
const only = arg('--only', null);

function printTable(title, rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(width[i])).join(' | ') + ' |';
  console.log(`\n### ${title}\n`);
  console.log(line(cols));
  console.log('|' + width.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

const server = await startServer(dist);
const browser = await launch();
try {
  const files = (await readdir(path.join(here, 'suites'))).filter((f) => f.endsWith('.mjs')).sort();
  for (const f of files) {
    const suite = await import(pathToFileURL(path.join(here, 'suites', f)).href);
    if (only && suite.name !== only) continue;
    const tables = await suite.run({ dist, origin: server.origin, browser, runs });
    for (const [title, rows] of tables) printTable(title, rows);
  }
  console.log(`\n(${new Date().toISOString()}, Chromium ${browser.version()}, ${runs} runs where repeated)`);
} finally {
  await browser.close();
  await server.close();
}
