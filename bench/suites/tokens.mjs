// Tokenizers: our Rust BPE (wasm) against gpt-tokenizer (the fastest JavaScript BPE), in one page,
// on the full text of Moby Dick; vocabulary load times; BPE training; a 1 MB paste in the widget.
export const name = 'tokens';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function run({ origin, browser, runs }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(origin + '/?page=tokens');
  await page.waitForFunction(() => window.sectionBindings);
  const reps = Math.max(3, Math.min(runs, 7));
  const result = await page.evaluate(async (reps) => {
    const now = () => performance.now();
    const moby = await (await fetch('public/tokens/moby-dick.txt')).text();
    const mb = new TextEncoder().encode(moby).length / 1e6;
    const rows = [];
    const loads = [];
    for (const [ours, peer] of [['r50k', 'r50k_base'], ['cl100k', 'cl100k_base'], ['o200k', 'o200k_base']]) {
      let t0 = now();
      const bytes = new Uint8Array(await (await fetch(`public/tokens/${ours}.bpe`, { cache: 'no-store' })).arrayBuffer());
      const fetched = now() - t0;
      t0 = now();
      const enc = new window.sectionBindings.BenchEncoder(bytes, ours);
      const built = now() - t0;
      t0 = now();
      const peerEnc = (await import(`/peer/gpt-tokenizer/esm/encoding/${peer}.js`)).default;
      const peerLoad = now() - t0;
      loads.push({ vocabulary: ours, 'file size': (bytes.length / 1024).toFixed(0) + ' KB', 'fetch (local)': fetched.toFixed(0) + ' ms', 'parse + build': built.toFixed(0) + ' ms', 'gpt-tokenizer import': peerLoad.toFixed(0) + ' ms' });
      const a = enc.encode(moby);
      const b = peerEnc.encode(moby, { disallowedSpecial: new Set() });
      const same = a.length === b.length && a.every((x, i) => x === b[i]);
      const ourTimes = [];
      const peerTimes = [];
      for (let i = 0; i < reps; i++) {
        t0 = now(); enc.encode(moby); ourTimes.push(now() - t0);
        t0 = now(); peerEnc.encode(moby, { disallowedSpecial: new Set() }); peerTimes.push(now() - t0);
      }
      rows.push({ ours, tokens: a.length, same, ourTimes, peerTimes, mb });
      enc.free();
    }
    let t0 = now();
    const merges = window.sectionBindings.bench_train(moby, 1000);
    const train = now() - t0;
    return { rows, loads, train, merges };
  }, reps);

  const median_ = (xs) => median(xs);
  const encodeRows = result.rows.map((r) => {
    const ours = median_(r.ourTimes);
    const peer = median_(r.peerTimes);
    return {
      encoding: r.ours,
      tokens: r.tokens,
      'ids identical': r.same ? 'yes' : 'NO',
      'ours (wasm)': `${(r.mb / (ours / 1000)).toFixed(2)} MB/s (${ours.toFixed(0)} ms)`,
      'gpt-tokenizer': `${(r.mb / (peer / 1000)).toFixed(2)} MB/s (${peer.toFixed(0)} ms)`,
      'ours ÷ peer throughput': (peer / ours).toFixed(2) + '×',
    };
  });

  // A 1 MB paste into the widget: time until the token count is on screen.
  const paste = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(origin + '/?page=tokens');
    await page.waitForFunction(() => document.querySelector('[data-testid="a-count"]'), null, { timeout: 20000 });
    paste.push(await page.evaluate(async () => {
      const big = 'All work and no play makes Jack a dull boy. '.repeat(24000);
      const box = document.getElementById('tokens-text');
      const longTasks = [];
      const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
      obs.observe({ type: 'longtask' });
      const t0 = performance.now();
      box.value = big;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      const echo = await new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now() - t0)));
      await new Promise((resolve) => {
        const poll = () => (Number(document.querySelector('[data-testid="a-count"]')?.textContent ?? 0) > 200000 ? resolve() : requestAnimationFrame(poll));
        poll();
      });
      const counted = performance.now() - t0;
      obs.disconnect();
      return { echo, counted, longest: Math.max(0, ...longTasks) };
    }));
  }
  await context.close();
  return [
    [`Encode all of Moby Dick (${result.rows[0].mb.toFixed(2)} MB) in one Chromium page, median of ${reps}`, encodeRows],
    ['Vocabulary load (local server; fetched lazily when the Tokens section opens)', result.loads],
    ['BPE training and a 1 MB paste', [
      { measure: `train ${result.merges} merges on Moby Dick (wasm)`, value: `${result.train.toFixed(0)} ms` },
      { measure: '1 MB paste: next frame painted (typing stays live)', value: `${median(paste.map((p) => p.echo)).toFixed(0)} ms` },
      { measure: '1 MB paste: tokens counted and shown (300 ms pause + sliced tokenizing)', value: `${median(paste.map((p) => p.counted)).toFixed(0)} ms` },
      { measure: '1 MB paste: longest main-thread block meanwhile (long task)', value: `${median(paste.map((p) => p.longest)).toFixed(0)} ms` },
    ]],
  ];
}
