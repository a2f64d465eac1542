// Diffusion in the page: how long the 2-D swiss roll takes to be learned (median nearest-data
// distance ≤ 0.03; Diffusion Explorer's figure is ≈ 10 s), and training steps per second inside the
// widget while it redraws.
export const name = 'diffusion';

export async function run({ origin, browser }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const rows = [];
  await page.goto(origin + '/?page=diffusion');
  await page.waitForFunction(() => window.sectionBindings);
  const r = await page.evaluate(() => {
    const t = performance.now();
    const [steps, d] = window.sectionBindings.bench_diffusion_2d(0.03, 8000);
    return { ms: performance.now() - t, steps, d };
  });
  rows.push({ measure: 'swiss roll: train until median nearest-data distance ≤ 0.03 (incl. checks every 250 steps)', value: `${(r.ms / 1000).toFixed(1)} s (${r.steps} steps, median ${r.d.toFixed(3)})` });
  rows.push({ measure: 'training steps/s, bare wasm (batch 128, 18-64-64-64-2)', value: (r.steps / (r.ms / 1000)).toFixed(0) });
  const region = page.getByRole('region', { name: '2-D diffusion trained live' });
  await region.getByRole('button', { name: '▶ Train the denoiser' }).click();
  await page.waitForTimeout(1000);
  const read = () => page.evaluate(() => [Number(document.querySelector('[data-testid="d2-steps"]').textContent), performance.now()]);
  const [s0, t0] = await read();
  await page.waitForTimeout(3000);
  const [s1, t1] = await read();
  rows.push({ measure: 'training steps/s in the widget, loss curve and plane redrawn', value: ((s1 - s0) / ((t1 - t0) / 1000)).toFixed(0) });

  // The digit denoiser: training steps per second, bare and in the widget.
  const bare = await page.evaluate(async () => {
    const bytes = new Uint8Array(await (await fetch('public/diffusion/digits.bin')).arrayBuffer());
    window.sectionBindings.bench_digit_denoiser(bytes, 20);
    const t = performance.now();
    window.sectionBindings.bench_digit_denoiser(bytes, 300);
    return performance.now() - t;
  });
  rows.push({ measure: 'digit denoiser training steps/s, bare wasm (batch 128, 91-256-256-64, 106k weights)', value: (300 / (bare / 1000)).toFixed(0) });
  await page.goto(origin + '/?embed=diffusion&diffusion.denoiser=learned&diffusion.steps=1000');
  const digits = page.getByRole('region', { name: 'Diffusion on handwritten digits' });
  await digits.getByRole('button', { name: '▶ Train further' }).click();
  await page.waitForTimeout(1000);
  const live = () => page.evaluate(() => [Number(document.querySelector('[data-testid="diff-live-steps"]').textContent), performance.now()]);
  const [l0, u0] = await live();
  await page.waitForTimeout(4000);
  const [l1, u1] = await live();
  rows.push({ measure: 'digit denoiser training steps/s in the widget, loss curve redrawn', value: ((l1 - l0) / ((u1 - u0) / 1000)).toFixed(0) });
  await digits.getByRole('button', { name: '❚❚ Pause' }).last().click();
  // Frame times of the reverse animation: a 4 × 4 grid, one denoising step per frame (1,000 steps).
  for (const denoiser of ['optimal', 'learned']) {
    await page.goto(origin + `/?embed=diffusion&diffusion.denoiser=${denoiser}&diffusion.steps=1000`);
    const region = page.getByRole('region', { name: 'Diffusion on handwritten digits' });
    if (denoiser === 'learned') await region.getByRole('button', { name: '▶ Train further' }).waitFor();
    await region.getByRole('button', { name: '▶ Generate 16 digits' }).waitFor();
    await page.waitForTimeout(500);
    const frames = page.evaluate(() => new Promise((resolve) => {
      const stamps = [];
      const tick = (t) => { stamps.push(t); if (stamps.length < 181) requestAnimationFrame(tick); else resolve(stamps); };
      requestAnimationFrame(tick);
    }));
    await region.getByRole('button', { name: '▶ Generate 16 digits' }).click();
    const stamps = await frames;
    const raw = stamps.slice(1).map((t, i) => t - stamps[i]);
    if (process.env.BENCH_DEBUG) console.log(denoiser, raw.map((g, i) => [i, g.toFixed(1)]).filter(([, g]) => g > 20));
    const gaps = [...raw].sort((a, b) => a - b);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const q = (f) => gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * f))].toFixed(1);
    const long = gaps.filter((g) => g > 20).length;
    rows.push({ measure: `reverse animation, 4 × 4 grid, ${denoiser} denoiser, one step per frame: frame time median / p95 / mean (180 frames)`, value: `${q(0.5)} / ${q(0.95)} / ${mean.toFixed(1)} ms; ${long} frames > 20 ms` });
  }
  await context.close();
  return [['Diffusion (headless Chromium)', rows]];
}
