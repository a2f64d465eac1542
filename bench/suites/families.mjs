// The three-families widget while all three models train: frames per second and frame intervals
// (counted by requestAnimationFrame in the page), training steps per second (one step of each
// family per step), and the yardstick after 10 s of training on the ring.
export const name = 'families';

export async function run({ origin, browser }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const rows = [];
  for (const seed of [1, 2]) {
    await page.goto(`${origin}/?embed=families&families.seed=${seed}`);
    const region = page.getByRole('region', { name: 'GAN, VAE and diffusion on the same data' });
    await region.getByTestId('fam-steps').waitFor({ timeout: 60000 });
    await region.getByRole('button', { name: /Train all three/ }).click();
    await page.waitForTimeout(1000);
    const frames = await page.evaluate(() => new Promise((resolve) => {
      const times = [];
      const steps0 = Number(document.querySelector('[data-testid="fam-steps"]').textContent);
      const t0 = performance.now();
      const tick = (t) => {
        times.push(t);
        if (t - t0 < 5000) requestAnimationFrame(tick);
        else resolve({ times, steps: Number(document.querySelector('[data-testid="fam-steps"]').textContent) - steps0, ms: t - t0 });
      };
      requestAnimationFrame(tick);
    }));
    const gaps = frames.times.slice(1).map((t, i) => t - frames.times[i]).sort((a, b) => a - b);
    const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
    const late = gaps.filter((g) => g > 18.5).length;
    rows.push({
      measure: `seed ${seed}: 5 s while all three train (views redrawn, measurements running)`,
      value: `${(gaps.length / (frames.ms / 1000)).toFixed(1)} fps; frame interval median ${q(0.5).toFixed(1)} ms, 95th percentile ${q(0.95).toFixed(1)} ms, longest ${gaps[gaps.length - 1].toFixed(1)} ms; ${late} of ${gaps.length} frames late (> 18.5 ms); ${(frames.steps / (frames.ms / 1000)).toFixed(0)} steps/s of each family`,
    });
    await page.waitForTimeout(4000);
    await region.getByRole('button', { name: /Pause/ }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="fam-measured"]')?.innerText === document.querySelector('[data-testid="fam-steps"]')?.innerText);
    const read = (id) => region.getByTestId(id).innerText();
    const steps = await read('fam-steps');
    const parts = [];
    for (const f of ['gan', 'vae', 'diffusion']) {
      parts.push(`${f} MMD² ${await read(`fam-${f}-mmd`)}, P ${await read(`fam-${f}-precision`)}, R ${await read(`fam-${f}-recall`)}, modes ${await read(`fam-${f}-modes`)}`);
    }
    const time = await region.getByRole('table', { name: /same yardstick/ }).getByRole('row').nth(1).getByRole('cell').nth(1).innerText();
    rows.push({ measure: `seed ${seed}: after ≈ 10 s of training (${steps} steps each; GAN's share ${time})`, value: parts.join('; ') });
  }
  await context.close();
  return [['Three families on the ring of 8 Gaussians (headless Chromium, embed)', rows]];
}
