// "GAN, VAE and diffusion on the same data" in headless Chromium: all three train side by side,
// each scored by MMD², precision, recall and modes covered against the same data, and all beat
// Gaussian noise; drawing your own data by keyboard; bad URL values are explained.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const TITLE = 'GAN, VAE and diffusion on the same data';

async function open(page, query) {
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: TITLE });
  await region.scrollIntoViewIfNeeded({ timeout: 60000 });
  await region.getByTestId('fam-steps').waitFor({ timeout: 60000 });
  return region;
}
const cell = async (region, id) => (await region.getByTestId(id).innerText()).trim();

describe('three generative families', () => {
  it('trains all three on the ring; each beats Gaussian noise by MMD²; one step each; the table names every figure', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?page=vae');
    const table = region.getByRole('table', { name: /The same yardstick for all three/ });
    const noiseRow = table.getByRole('row', { name: /Gaussian noise/ });
    const noiseMmd = parseFloat((await noiseRow.getByRole('cell').nth(2).innerText()));
    assert.ok(noiseMmd > 0.05, `noise MMD² ${noiseMmd}`);
    await region.getByRole('button', { name: 'One step each' }).click();
    assert.equal(await cell(region, 'fam-steps'), '1');
    assert.equal(await cell(region, 'fam-measured'), '1');
    await region.getByRole('button', { name: /▶ Train all three/ }).click();
    await page.waitForFunction(() => parseInt(document.querySelector('[data-testid="fam-steps"]')?.innerText ?? '0', 10) >= 3000, null, { timeout: 120000 });
    await region.getByRole('button', { name: /Pause/ }).click();
    // after a pause the shown samples are measured at the current step
    await page.waitForFunction(() => document.querySelector('[data-testid="fam-measured"]')?.innerText === document.querySelector('[data-testid="fam-steps"]')?.innerText);
    const steps = await cell(region, 'fam-steps');
    const figures = {};
    for (const f of ['gan', 'vae', 'diffusion']) {
      figures[f] = Object.fromEntries(await Promise.all(['mmd', 'precision', 'recall', 'modes'].map(async (m) => [m, await cell(region, `fam-${f}-${m}`)])));
      assert.ok(parseFloat(figures[f].mmd) < noiseMmd / 2, `${f}: MMD² ${figures[f].mmd} vs noise ${noiseMmd}`);
      assert.match(figures[f].modes, /^\d of 8$/);
      assert.match(figures[f].precision, /^\d+ %$/);
    }
    console.log(`# ring, ${steps} steps each: noise MMD² ${noiseMmd}; ${JSON.stringify(figures)}`);
    for (const name of ['GAN', 'VAE', 'Diffusion']) {
      await region.getByRole('img', { name: new RegExp(`^${name}: 400 samples .* after ${steps} steps`) }).waitFor();
    }
    await screenshot(page, 'families-desktop');
    clean(log);
    await context.close();
  });

  it('your own data, drawn by keyboard on a phone; too few points are explained; bad URL values become notices', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=families&families.preset=drawn&families.seed=banana');
    await region.getByText(/families\.seed/).first().waitFor();
    await region.getByTestId('fam-problem').getByText(/0 points drawn/).waitFor();
    assert.equal(await region.getByTestId('fam-gan-mmd').innerText(), '—');
    const plane = region.getByRole('img', { name: /Drawing area: 0 points drawn/ });
    await plane.focus();
    for (const key of ['Space', 'ArrowLeft', 'Space', 'Shift+ArrowDown', 'Space', 'ArrowRight', 'Space', 'Shift+ArrowUp', 'Shift+ArrowUp', 'Space']) await page.keyboard.press(key);
    await region.getByRole('img', { name: /Drawing area: 5 points drawn/ }).waitFor();
    assert.equal(await region.getByTestId('fam-problem').count(), 0);
    assert.match(page.url(), /families\.points=/);
    await region.getByRole('button', { name: 'One step each' }).click();
    assert.equal(await cell(region, 'fam-measured'), '1');
    assert.equal(await cell(region, 'fam-gan-modes'), '—'); // a drawing has no named modes
    assert.match(await cell(region, 'fam-vae-mmd'), /^\d\.\d{4}$/);
    await screenshot(page, 'families-phone');
    clean(log);
    await context.close();
  });
});
