// A tiny static server for the built dist/ on 127.0.0.1. It serves the app at "/" and again under
// "/courses/genai/" (to prove sub-path hosting), plus any extra in-memory pages a test adds.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

export const SUB_PATH = '/courses/genai/';
// Peer libraries for comparisons in tests and benchmarks, served from node_modules under /peer/.
const NODE_MODULES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../node_modules');

export async function startServer(distDir) {
  const extra = new Map();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (extra.has(url.pathname)) {
      res.writeHead(200, { 'content-type': TYPES[path.extname(url.pathname)] ?? 'text/html; charset=utf-8' });
      res.end(extra.get(url.pathname));
      return;
    }
    let rel = url.pathname;
    let root = distDir;
    if (rel.startsWith('/peer/')) {
      root = NODE_MODULES;
      rel = rel.slice('/peer'.length);
    } else if (rel.startsWith(SUB_PATH)) rel = '/' + rel.slice(SUB_PATH.length);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(decodeURIComponent(rel)).replace(/^(\.\.[/\\])+/, ''));
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    extra,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
