// "Watch a language model learn": the tiny transformer (158k parameters, d = 48, 2 blocks, context 64)
// trained from random weights inside the widget on Moby Dick. How fast the loss falls, tokens/s and
// step time as the widget reports them, and how long the main thread is blocked: the widget's own
// "slowest frame", requestAnimationFrame gaps measured from the page, and long tasks (> 50 ms).
export const name = 'lm-train';

export async function run({ origin, browser }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const rows = [];
  await page.goto(origin + '/?embed=lm-train');
  const region = page.getByRole('region', { name: 'Watch a language model learn' });
  await page.getByTestId('lmt-data').getByText(/^Moby Dick: /).waitFor({ timeout: 60000 });
  // Frame gaps and long tasks from the page's side, for 20 s of training.
  await page.evaluate(() => {
    window.__lmt = { stamps: [], long: [] };
    try {
      new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__lmt.long.push(e.duration))).observe({ type: 'longtask' });
    } catch { /* not supported */ }
    const tick = (t) => { window.__lmt.stamps.push(t); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const num = (id) => page.getByTestId(id).innerText().then((t) => Number(t.replace(/[^\d.]/g, '')));
  await region.getByRole('button', { name: '▶ Train' }).click();
  const t0 = Date.now();
  const reach = {};
  const targets = [7.0, 6.5, 6.0, 5.8];
  while (Date.now() - t0 < 20000) {
    const loss = await num('lmt-train-loss');
    for (const v of targets) if (!(v in reach) && loss > 0 && loss < v) reach[v] = [(Date.now() - t0) / 1000, await num('lmt-step')];
    await page.waitForTimeout(100);
  }
  await region.getByRole('button', { name: '❚❚ Pause' }).click();
  const r = {
    step: await num('lmt-step'), train: await num('lmt-train-loss'), held: await num('lmt-held-loss'),
    tps: await num('lmt-tps'), stepMs: await num('lmt-step-ms'), slowest: await num('lmt-slowest'),
  };
  const slice = (await region.getByText(/the longest took \d+ ms/).innerText()).match(/the longest took (\d+) ms/)[1];
  const m = await page.evaluate(() => window.__lmt);
  const gaps = m.stamps.slice(1).map((t, i) => t - m.stamps[i]).sort((a, b) => a - b);
  const q = (f) => gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * f))].toFixed(1);
  for (const v of targets) {
    rows.push({ measure: `training loss (mean of 20 steps) below ${v} (ln V = 7.62)`, value: reach[v] ? `${reach[v][0].toFixed(1)} s (step ${reach[v][1]})` : 'not within 20 s' });
  }
  rows.push({ measure: 'after 20 s: step, training loss, held-out loss', value: `${r.step}, ${r.train.toFixed(3)}, ${r.held.toFixed(3)}` });
  rows.push({ measure: 'tokens/s in the widget (charts and samples redrawn)', value: r.tps.toFixed(0) });
  rows.push({ measure: 'one step (4 × 64 tokens), computing time', value: `${r.stepMs} ms` });
  rows.push({ measure: 'longest slice of work (one 64-token window, forward + backward)', value: `${slice} ms` });
  rows.push({ measure: "slowest frame (the widget's own figure)", value: `${r.slowest} ms` });
  rows.push({ measure: `rAF gaps while training: median / p95 / max (${gaps.length} frames)`, value: `${q(0.5)} / ${q(0.95)} / ${gaps.at(-1).toFixed(1)} ms; ${gaps.filter((g) => g > 50).length} > 50 ms` });
  rows.push({ measure: 'long tasks (> 50 ms) during the run', value: m.long.length ? `${m.long.length}, longest ${Math.max(...m.long).toFixed(0)} ms` : '0' });
  await context.close();
  return [['LM trained in the page (headless Chromium, embed, Moby Dick, d = 48)', rows]];
}
