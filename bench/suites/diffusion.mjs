// Diffusion in the page: how long the 2-D swiss roll takes to be learned (median nearest-data
// distance ≤ 0.03; Diffusion Explorer's figure is ≈ 10 s), and training steps per second inside the
// widget while it redraws.
export const name = 'diffusion';

export async function run({ origin, browser }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const rows = [];
  await page.goto(origin + '/?page=diffusion');
  await page.waitForFunction(() => window.wasmBindings);
  const r = await page.evaluate(() => {
    const t = performance.now();
    const [steps, d] = window.wasmBindings.bench_diffusion_2d(0.03, 8000);
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
  await context.close();
  return [['Diffusion (headless Chromium)', rows]];
}
