// The language model of the LLM section: our wasm forward pass (core/src/gpt.rs, in the sections
// module) against ONNX Runtime Web (npm onnxruntime-web, the runtime Transformer Explainer uses; its
// wasm backend), in one Chromium page on the same weights (the shipped public/lm/model.bin, widened
// from bfloat16 to f32 for both). The ONNX graphs come from tools/lm/export_onnx.py (run here when
// target/lm-onnx/ does not match dist's model.bin; needs python3 with the PyPI packages onnx and
// numpy). Measured: a 128-token prompt; 100 generated tokens (greedy) with and without a KV cache;
// ORT's thread settings; the section opened cold until its first next-token distribution is shown;
// the weights' transfer size. The prompt is seeded pseudo-random token ids (cost does not depend on
// which ids).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';

export const name = 'lm';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ONNX_DIR = path.join(ROOT, 'target/lm-onnx');
const ORT_DIR = '/peer/onnxruntime-web/dist/';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const kb = (n) => (n / 1024).toFixed(0) + ' KB';
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) + ' ms';

/** The ONNX export of dist's weights (re-exported when the weights changed). */
async function onnxFor(weightsPath) {
  const sha = createHash('sha256').update(await readFile(weightsPath)).digest('hex');
  let meta = null;
  try {
    meta = JSON.parse(readFileSync(path.join(ONNX_DIR, 'meta.json'), 'utf8'));
  } catch { /* not exported yet */ }
  if (meta?.source_sha256 !== sha) {
    try {
      execFileSync('python3', [path.join(ROOT, 'tools/lm/export_onnx.py'), weightsPath, ONNX_DIR], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (e) {
      throw new Error(`tools/lm/export_onnx.py failed (it needs python3 with: pip install onnx numpy onnxruntime): ${e.message}`);
    }
    meta = JSON.parse(readFileSync(path.join(ONNX_DIR, 'meta.json'), 'utf8'));
  }
  return {
    meta,
    plain: await readFile(path.join(ONNX_DIR, 'model.onnx')),
    kv: await readFile(path.join(ONNX_DIR, 'model-kv.onnx')),
  };
}

// Runs in the page: loads our model and ORT's two sessions, then times them interleaved.
async function measureInPage({ ortDir, threads, reps, promptLen, genPromptLen, genN }) {
  const now = () => performance.now();
  const m = await import(new URL('genai-sections.js', location.href).href);
  await m.default({ module_or_path: new URL('genai-sections_bg.wasm', location.href) });
  const weights = new Uint8Array(await (await fetch('public/lm/model.bin')).arrayBuffer());
  let t0 = now();
  if (!m.bench_lm_load(weights)) throw new Error('our model did not load');
  const ourLoad = now() - t0;
  const [V, ctx, , L, H] = m.bench_lm_shape();
  const hs = m.bench_lm_shape()[2] / H;

  const ort = await import(ortDir + 'ort.wasm.min.mjs');
  ort.env.wasm.wasmPaths = ortDir;
  if (threads !== null) ort.env.wasm.numThreads = threads;
  const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  t0 = now();
  const plain = await ort.InferenceSession.create('/bench-onnx/model.onnx', opts);
  const ortCreatePlain = now() - t0;
  t0 = now();
  const kv = await ort.InferenceSession.create('/bench-onnx/model-kv.onnx', opts);
  const ortCreateKv = now() - t0;

  // seeded prompt ids (ordinary tokens only; the 16 specials are the last ids)
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % (V - 16);
  const prompt = Array.from({ length: promptLen }, rand);
  const genPrompt = prompt.slice(0, genPromptLen);

  const ids64 = (ids) => new ort.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [1, ids.length]);
  const lastRow = (t) => t.data.subarray((t.dims[1] - 1) * V, t.dims[1] * V);
  const argmax = (row) => { let b = 0; for (let i = 1; i < row.length; i++) if (row[i] > row[b]) b = i; return b; };
  const emptyPast = () => {
    const f = {};
    for (let l = 0; l < L; l++) for (const k of ['key', 'value']) f[`past_${k}_${l}`] = new ort.Tensor('float32', new Float32Array(0), [1, H, 0, hs]);
    return f;
  };
  const present = (r) => {
    const f = {};
    for (let l = 0; l < L; l++) for (const k of ['key', 'value']) f[`past_${k}_${l}`] = r[`present_${k}_${l}`];
    return f;
  };
  const ortPlain = async (ids) => (await plain.run({ input_ids: ids64(ids) })).logits;
  const ortKvPrefill = async (ids) => (await kv.run({ input_ids: ids64(ids), ...emptyPast() }));
  // greedy generation; timings: the prompt pass, then the rest (n − 1 forward passes)
  const ortGenRecompute = async (p, n) => {
    const ids = [...p], out = [];
    const s = now();
    let first = 0;
    for (let k = 0; k < n; k++) {
      const next = argmax(lastRow(await ortPlain(ids)));
      if (k === 0) first = now() - s;
      out.push(next); ids.push(next);
    }
    return { out, prompt: first, total: now() - s };
  };
  const ortGenKv = async (p, n) => {
    const out = [];
    const s = now();
    let r = await ortKvPrefill(p);
    const first = now() - s;
    for (let k = 0; k < n; k++) {
      const next = argmax(lastRow(r.logits));
      out.push(next);
      if (k + 1 < n) r = await kv.run({ input_ids: ids64([next]), ...present(r) });
    }
    return { out, prompt: first, total: now() - s };
  };
  const ourGenKv = (p, n, temperature) => {
    const s = now();
    m.bench_lm_prefill(Uint32Array.from(p));
    const first = now() - s;
    const out = [...m.bench_lm_decode(n, temperature, 1)];
    return { out, prompt: first, total: now() - s };
  };
  const ourGenRecompute = (p, n) => {
    const s = now();
    m.bench_lm_forward(Uint32Array.from(p)); // the prompt pass alone, for the split
    const first = now() - s;
    const s2 = now();
    const out = [...m.bench_lm_generate_recompute(Uint32Array.from(p), n)];
    return { out, prompt: first, total: now() - s2 };
  };

  // agreement on the same weights: logits after the prompt, ours (KV) vs ORT; probabilities, ours
  // full pass vs softmax of ORT's logits
  const ourLogits = m.bench_lm_prefill(Uint32Array.from(prompt));
  const ortLogits = lastRow(await ortPlain(prompt));
  let dLogit = 0;
  for (let i = 0; i < V; i++) dLogit = Math.max(dLogit, Math.abs(ourLogits[i] - ortLogits[i]));
  const ourProbs = m.bench_lm_forward(Uint32Array.from(prompt));
  const mx = Math.max(...ortLogits);
  let z = 0;
  const e = Array.from(ortLogits, (x) => { const v = Math.exp(x - mx); z += v; return v; });
  let dProb = 0;
  for (let i = 0; i < V; i++) dProb = Math.max(dProb, Math.abs(ourProbs[i] - e[i] / z));

  // warm-up (ORT's first run allocates and plans)
  for (let k = 0; k < 2; k++) {
    await ortPlain(prompt); await ortKvPrefill(prompt); m.bench_lm_forward(Uint32Array.from(prompt)); m.bench_lm_prefill(Uint32Array.from(prompt));
  }
  await ortGenKv(genPrompt, 5); ourGenKv(genPrompt, 5, 0);

  const t = { ourPrefill: [], ourForward: [], ortPlain: [], ortKvPrefill: [], gen: {} };
  const gens = {
    ourKv: () => ourGenKv(genPrompt, genN, 0),
    ourKvSampled: () => ourGenKv(genPrompt, genN, 1),
    ourRecompute: () => ourGenRecompute(genPrompt, genN),
    ortKv: () => ortGenKv(genPrompt, genN),
    ortRecompute: () => ortGenRecompute(genPrompt, genN),
  };
  for (const k of Object.keys(gens)) t.gen[k] = [];
  for (let r = 0; r < reps; r++) {
    let s = now(); m.bench_lm_prefill(Uint32Array.from(prompt)); t.ourPrefill.push(now() - s);
    s = now(); m.bench_lm_forward(Uint32Array.from(prompt)); t.ourForward.push(now() - s);
    s = now(); await ortPlain(prompt); t.ortPlain.push(now() - s);
    s = now(); await ortKvPrefill(prompt); t.ortKvPrefill.push(now() - s);
    for (const [k, f] of Object.entries(gens)) t.gen[k].push(await f());
  }
  return {
    shape: { V, ctx, d: hs * H, L, H }, ourLoad, ortCreatePlain, ortCreateKv, dLogit, dProb,
    isolated: self.crossOriginIsolated, ortThreads: ort.env.wasm.numThreads, ortVersion: ort.env.versions?.web ?? '?',
    cores: navigator.hardwareConcurrency, t,
  };
}

export async function run({ dist, origin, browser, runs }) {
  const weightsPath = path.join(dist, 'public/lm/model.bin');
  const onnx = await onnxFor(weightsPath);
  const weights = await readFile(weightsPath);
  const ctx = weights.readUInt32LE(8);
  const reps = Math.max(3, Math.min(runs, 7));
  const promptLen = Math.min(128, ctx);
  const genN = 100;
  const genPromptLen = Math.max(1, Math.min(128, ctx - genN));

  // One page per ORT thread setting (ORT reads numThreads once per page). "isolated" adds the
  // COOP/COEP headers a host would need for SharedArrayBuffer (ORT's threads); the app sends none.
  const measure = async (threads, isolated, r) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const foreign = [];
    context.on('request', (q) => { if (!q.url().startsWith(origin)) foreign.push(q.url()); });
    await context.route(origin + '/**', async (route) => {
      const u = new URL(route.request().url());
      const extra = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
      if (u.pathname.startsWith('/bench-onnx/')) {
        const body = u.pathname.endsWith('model-kv.onnx') ? onnx.kv : onnx.plain;
        return route.fulfill({ status: 200, body, headers: { 'content-type': 'application/octet-stream', ...extra } });
      }
      if (!isolated) return route.continue();
      const resp = await route.fetch();
      return route.fulfill({ response: resp, headers: { ...resp.headers(), ...extra } });
    });
    const page = await context.newPage();
    await page.goto(origin + '/');
    await page.locator('main h1').first().waitFor();
    const res = await page.evaluate(measureInPage, { ortDir: ORT_DIR, threads, reps: r, promptLen, genPromptLen, genN });
    await context.close();
    if (foreign.length) throw new Error(`the LM bench requested files off the local server: ${foreign.join(', ')}`);
    return res;
  };
  const main = await measure(1, false, reps);
  const configs = [
    ['numThreads = 1 (page as served)', main],
    ['default numThreads, page as served (not cross-origin isolated)', await measure(null, false, 3)],
    ['default numThreads, cross-origin isolated (COOP/COEP added)', await measure(null, true, 3)],
    ['numThreads = 2, cross-origin isolated', await measure(2, true, 3)],
  ];

  const { V, d, L, H } = main.shape;
  const g = main.t.gen;
  const ours128 = median(main.t.ourPrefill);
  const row128 = (impl, times) => {
    const x = median(times);
    return { implementation: impl, time: ms(x), 'tokens/s': (promptLen / (x / 1000)).toFixed(0), 'time ÷ ours (KV)': (x / ours128).toFixed(2) + '×' };
  };
  const prefillRows = [
    row128('ours: Gpt::prefill into the KV cache (rows batched, logits of the last row only)', main.t.ourPrefill),
    row128('ours: one full forward pass (Workspace::forward, b = 1, softmax of every row)', main.t.ourForward),
    row128('ORT-web wasm: model.onnx (full pass, logits of every row)', main.t.ortPlain),
    row128('ORT-web wasm: model-kv.onnx, empty past (also returns the cache)', main.t.ortKvPrefill),
  ];

  const ourSame = g.ourKv[0].out;
  const same = (k) => g[k].every((x) => x.out.length === ourSame.length && x.out.every((v, i) => v === ourSame[i]));
  const ourStep = median(g.ourKv.map((x) => (x.total - x.prompt) / (genN - 1)));
  const genRow = (impl, k) => {
    const step = median(g[k].map((x) => (x.total - x.prompt) / (genN - 1)));
    return {
      implementation: impl,
      [`prompt pass (${genPromptLen} tokens)`]: ms(median(g[k].map((x) => x.prompt))),
      'per new token': ms(step),
      'tokens/s': (1000 / step).toFixed(0),
      [`total, ${genN} tokens`]: ms(median(g[k].map((x) => x.total))),
      'per token ÷ ours (KV)': (step / ourStep).toFixed(2) + '×',
      'same ids as ours': k === 'ourKvSampled' ? '(sampled)' : same(k) ? 'yes' : 'NO',
    };
  };
  const genRows = [
    genRow('ours: KV cache, greedy', 'ourKv'),
    genRow('ours: KV cache, sampled (T = 1: softmax + sort per token)', 'ourKvSampled'),
    genRow('ours: no cache, full pass per token', 'ourRecompute'),
    genRow('ORT-web wasm: model-kv.onnx, past keys/values fed back', 'ortKv'),
    genRow('ORT-web wasm: model.onnx, full pass per token (no cache)', 'ortRecompute'),
  ];

  const threadRows = configs.map(([label, r]) => {
    const step = (k) => median(r.t.gen[k].map((x) => (x.total - x.prompt) / (genN - 1)));
    return {
      'ORT setting': label,
      'crossOriginIsolated': String(r.isolated),
      'ORT numThreads': r.ortThreads,
      [`ORT ${promptLen}-token pass`]: ms(median(r.t.ortPlain)),
      'ORT KV tokens/s': (1000 / step('ortKv')).toFixed(0),
      [`ours ${promptLen}-token prompt`]: ms(median(r.t.ourPrefill)),
      'ours KV tokens/s': (1000 / step('ourKv')).toFixed(0),
    };
  });

  // Section open, cold (fresh context each run): navigation → the distribution table in the DOM.
  const opens = [];
  const weightsDone = [];
  for (let i = 0; i < reps; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        const t = [...document.querySelectorAll('table')].find((x) => /most probable next tokens/.test(x.getAttribute('aria-label') ?? ''));
        if (t) { window.__lmDist = performance.now(); obs.disconnect(); }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(origin + '/?page=llm');
    await page.getByRole('table', { name: /most probable next tokens/ }).first().waitFor({ timeout: 60000 });
    opens.push(await page.evaluate(() => window.__lmDist));
    weightsDone.push(await page.evaluate(() => performance.getEntriesByType('resource').find((e) => e.name.endsWith('lm/model.bin'))?.responseEnd ?? NaN));
    await context.close();
  }
  const tokenizer = await readFile(path.join(dist, 'public/lm/tokenizer.bpe'));
  const sizes = (b) => `${kb(b.length)} raw, ${kb(gzipSync(b, { level: 9 }).length)} gzip -9, ${kb(brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length)} brotli 11`;
  const ortPkg = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/onnxruntime-web/package.json'), 'utf8'));
  const ortWasm = readFileSync(path.join(ROOT, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'));
  const chk = onnx.meta.check;
  const other = [
    { measure: `section open (?page=llm, cold) → first next-token distribution table shown, median of ${reps}`, value: ms(median(opens)) },
    { measure: '  of which: model.bin fully received (resource timing responseEnd)', value: ms(median(weightsDone)) },
    { measure: `weights public/lm/model.bin (bfloat16, ${(weights.length - 28) / 2} parameters)`, value: sizes(weights) },
    { measure: 'tokenizer public/lm/tokenizer.bpe', value: sizes(tokenizer) },
    { measure: 'ours: parse GPT1 (bf16 → f32) and build the cache', value: ms(main.ourLoad) },
    { measure: 'ORT-web: InferenceSession.create (model.onnx / model-kv.onnx, f32, from memory)', value: `${ms(main.ortCreatePlain)} / ${ms(main.ortCreateKv)}` },
    { measure: 'ORT-web files, never shipped: ort-wasm-simd-threaded.wasm; model.onnx; model-kv.onnx', value: `${kb(ortWasm.length)}; ${kb(onnx.plain.length)}; ${kb(onnx.kv.length)}` },
    { measure: `agreement after the ${promptLen}-token prompt: max |Δlogit| ours (KV) vs ORT-web; max |Δp| ours (full pass) vs ORT-web`, value: `${main.dLogit.toExponential(1)}; ${main.dProb.toExponential(1)}` },
    { measure: 'export check (tools/lm/export_onnx.py): max |Δlogit| ONNX (onnxruntime CPU) vs numpy float64', value: chk ? `${chk.max_abs_logit_diff.toExponential(1)} over ${chk.positions} positions (onnxruntime ${chk.onnxruntime})` : 'not checked (no onnxruntime)' },
    { measure: 'versions', value: `onnxruntime-web ${ortPkg.version} (wasm backend, SIMD), onnx ${onnx.meta.onnx}, opset ${onnx.meta.opset}; ${main.cores} logical cores` },
  ];
  const shape = `V ${V}, d ${d}, L ${L}, H ${H}, ctx ${ctx}`;
  return [
    [`LM: a ${promptLen}-token prompt, one page, same weights (${shape}), ORT numThreads 1, median of ${reps}`, prefillRows],
    [`LM: ${genN} generated tokens (greedy) after a ${genPromptLen}-token prompt, ORT numThreads 1, median of ${reps}`, genRows],
    ['LM: ORT-web thread settings (each its own page, ours measured beside it; median of 3 except the first)', threadRows],
    ['LM: section open, transfer sizes, agreement', other],
  ];
}
