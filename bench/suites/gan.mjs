// GAN training speed in the page: GAN Lab's default shape (batch 150, one hidden layer of 8 in G and D,
// 2 D-steps per iteration, SGD 0.1), bare and inside the live widget while its views redraw.
export const name = 'gan';

export async function run({ origin, browser }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const rows = [];
  await page.goto(origin + '/?page=gan');
  await page.waitForFunction(() => window.sectionBindings);
  const bare = await page.evaluate(() => {
    const b = window.sectionBindings;
    b.bench_gan(200, 8, 150, 2, false, 0.1); // warm-up
    const t0 = performance.now();
    const n = b.bench_gan(5000, 8, 150, 2, false, 0.1);
    return n / ((performance.now() - t0) / 1000);
  });
  rows.push({ measure: 'training only (wasm, GAN Lab shape)', 'iterations/s': bare.toFixed(0), 'vs GAN Lab (≈60/s)': (bare / 60).toFixed(0) + '×' });
  const bigger = await page.evaluate(() => {
    const t0 = performance.now();
    const n = window.sectionBindings.bench_gan(1000, 32, 128, 1, true, 0.001);
    return n / ((performance.now() - t0) / 1000);
  });
  rows.push({ measure: 'training only (widget default: 2×32 units, batch 128, Adam)', 'iterations/s': bigger.toFixed(0), 'vs GAN Lab (≈60/s)': '—' });
  // In the widget, with the views drawn every frame: a fixed 200 iterations per frame, and
  // "as many as fit" (12 ms of training per frame, then one redraw).
  for (const [label, option] of [['200 iterations/frame', '200'], ['"as many as fit" (training fills what drawing leaves of each frame)', { label: 'as many as fit' }]]) {
    await page.goto(origin + '/?page=gan&gan.layers=1&gan.neurons=8&gan.d_layers=1&gan.d_neurons=8&gan.batch=150&gan.k_d=2&gan.adam=0&gan.lr_d=0.1&gan.lr_g=0.1');
    await page.getByRole('combobox', { name: 'Iterations per frame' }).selectOption(option);
    await page.getByRole('button', { name: '▶ Train' }).click();
    await page.waitForTimeout(500);
    const read = () => page.evaluate(() => [Number(document.querySelector('[data-testid="gan-iteration"]').textContent), performance.now()]);
    const [i0, t0] = await read();
    await page.waitForTimeout(3000);
    const [i1, t1] = await read();
    const live = (i1 - i0) / ((t1 - t0) / 1000);
    rows.push({ measure: `in the widget at ${label}, views redrawn every frame`, 'iterations/s': live.toFixed(0), 'vs GAN Lab (≈60/s)': (live / 60).toFixed(0) + '×' });
  }
  await context.close();
  return [['GAN training speed (headless Chromium; GAN Lab trains one iteration per frame)', rows]];
}
