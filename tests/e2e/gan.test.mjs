// The GAN widget in headless Chromium: it trains, its state is in the URL, it shows mode collapse.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser } from './lib/browser.mjs';

const env = useServerAndBrowser();


const iteration = async (page) => Number(await page.getByTestId('gan-iteration').innerText());

describe('GAN widget', () => {
  it('trains live: iterations advance, losses and modes are reported, pause stops it', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=gan');
    await appReady(page);
    const region = page.getByRole('region', { name: 'GAN training' });
    assert.equal(await iteration(page), 0);
    await region.getByRole('button', { name: 'One iteration' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="gan-iteration"]').textContent === '1');
    await region.getByRole('combobox', { name: 'Iterations per frame' }).selectOption('50');
    await region.getByRole('button', { name: '▶ Train' }).click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="gan-iteration"]').textContent) > 1000, null, { timeout: 30000 });
    await region.getByRole('button', { name: '❚❚ Pause' }).click();
    const a = await iteration(page);
    await page.waitForTimeout(300);
    assert.equal(await iteration(page), a, 'paused');
    assert.match(await page.getByTestId('gan-modes').innerText(), /^\d of 8$/);
    assert.match(await region.getByRole('img', { name: /Discriminator and generator loss over \d+ iterations/ }).getAttribute('aria-label'), /latest D \d/);
    // View options redraw without restarting the run, and go into the URL.
    await region.getByRole('checkbox', { name: /Show the generator's manifold/ }).check();
    await region.getByRole('checkbox', { name: /Show gradient arrows/ }).check();
    await page.waitForFunction(() => location.search.includes('gan.manifold=1') && location.search.includes('gan.arrows=1'));
    assert.equal(await iteration(page), a, 'toggling a view option keeps the run');
    await region.getByText('Show the loss table').click();
    assert.ok(await region.getByRole('table', { name: /Losses/ }).getByRole('row').count() > 2);
    clean(log);
    await context.close();
  });

  it('steps D or G alone, and exports the losses as CSV and PNG', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=gan');
    await appReady(page);
    await page.getByRole('button', { name: 'Step D only' }).click();
    await page.getByRole('button', { name: 'Step G only' }).click();
    await page.getByRole('button', { name: 'One iteration' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="gan-iteration"]').textContent === '3');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download losses (CSV)' }).click()]);
    assert.equal(csv.suggestedFilename(), 'gan-losses.csv');
    const text = await (await import('node:fs/promises')).readFile(await csv.path(), 'utf8');
    const lines = text.trim().split('\n');
    assert.equal(lines[0], 'iteration,d_loss,g_loss');
    assert.equal(lines.length, 5); // the start plus three steps
    assert.match(lines[4], /^3,\d/);
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download loss chart (PNG)' }).click()]);
    const bytes = await (await import('node:fs/promises')).readFile(await png.path());
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    clean(log);
    await context.close();
  });

  it('answers the mode-collapse checkpoint by training live', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=gan');
    await appReady(page);
    const cp = page.getByRole('group', { name: /Predict, then reveal/ });
    await cp.getByRole('radio', { name: 'All or nearly all 8' }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/^Not quite\. Trained just now .* covers [0-2] of the 8 modes/).waitFor({ timeout: 20000 });
    clean(log);
    await context.close();
  });

  it('keeps its settings in the URL, and a bad value falls back with a notice', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=gan&gan.neurons=9999&gan.preset=spiral');
    await appReady(page);
    await page.getByText(/gan\.neurons=9999.*is outside 2–128/).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Real data' }).evaluate((s) => s.options[s.selectedIndex].text), 'Spiral');
    await page.getByRole('combobox', { name: 'Loss' }).selectOption({ label: 'Least squares' });
    await page.getByRole('button', { name: 'Show mode collapse (slow discriminator)' }).click();
    await page.waitForFunction(() => location.search.includes('gan.lr_d=0.0001') && location.search.includes('gan.loss=least-squares'));
    await page.goto(page.url());
    await appReady(page);
    assert.equal(await page.getByRole('combobox', { name: 'Discriminator learning rate' }).evaluate((s) => s.options[s.selectedIndex].text), '0.0001');
    assert.equal(await page.getByRole('combobox', { name: 'Real data' }).evaluate((s) => s.options[s.selectedIndex].text), 'Ring of 8 Gaussians');
    clean(log);
    await context.close();
  });
});
