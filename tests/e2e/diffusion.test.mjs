// The diffusion widget in headless Chromium: scrubbing t over real schedules, and generation with
// the optimal denoiser landing on a training digit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser } from './lib/browser.mjs';

const env = useServerAndBrowser();

// ᾱ_t in closed form, as the page should show it.
const linear = (t) => { let a = 1; for (let s = 0; s < t; s++) a *= 1 - (1e-4 + (0.02 - 1e-4) * s / 999); return a; };
const cosine = (t) => { const f = (x) => Math.cos(((x / 1000) + 0.008) / 1.008 * Math.PI / 2) ** 2; let a = 1; for (let s = 1; s <= t; s++) a *= 1 - Math.min(Math.max(1 - f(s) / f(s - 1), 0), 0.999); return a; };

describe('Diffusion widget', () => {
  it('scrubs t over the linear and cosine schedules with the closed-form ᾱ_t, by keyboard too', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=diffusion');
    await appReady(page);
    const region = page.getByRole('region', { name: 'Diffusion on handwritten digits' });
    const slider = region.getByRole('slider', { name: /Time step t/ });
    const alpha = () => page.getByTestId('diff-alpha-bar').innerText().then(Number);
    await slider.fill('500');
    await page.waitForFunction(() => location.search.includes('diffusion.t=500'));
    assert.ok(Math.abs((await alpha()) - linear(500)) < 1e-4, `linear ᾱ_500 = ${await alpha()}`);
    await region.getByRole('group', { name: 'Noise schedule' }).getByRole('radio', { name: 'Cosine' }).check();
    await page.waitForFunction(() => location.search.includes('diffusion.schedule=cosine'));
    assert.ok(Math.abs((await alpha()) - cosine(500)) < 1e-4, `cosine ᾱ_500 = ${await alpha()}`);
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => location.search.includes('diffusion.t=501'));
    assert.match(await slider.getAttribute('aria-valuetext'), /t = 501, signal share ᾱ = 0\.\d{3}/);
    await region.getByRole('img', { name: /Digit 3 \(image 3\) at t = 501/ }).waitFor();
    const [png] = await Promise.all([page.waitForEvent('download'), region.getByRole('button', { name: 'Download the frames (PNG)' }).click()]);
    assert.equal(png.suggestedFilename(), 'diffusion-frames.png');
    const cp = page.getByRole('group', { name: /Predict, then reveal/ });
    await cp.getByRole('radio', { name: 'Cosine' }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/^Right\. .*linear schedule keeps ᾱ = 0\.07\d/).waitFor();
    clean(log);
    await context.close();
  });

  it('generates from noise with DDIM and DDPM and lands on a training digit', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=diffusion&diffusion.steps=20');
    await appReady(page);
    const region = page.getByRole('region', { name: 'Diffusion on handwritten digits' });
    await region.getByRole('button', { name: 'One denoising step' }).click();
    await page.getByTestId('diff-reverse-t').getByText('t = 950').waitFor();
    await region.getByRole('button', { name: '▶ Generate' }).click();
    await page.getByTestId('diff-verdict').getByText(/^Finished\. The sample is 0\.0\d\d from training digit #\d+ \(a \d\): the perfect denoiser has reproduced/).waitFor({ timeout: 20000 });
    // The toy prompt: ask for a 7 with guidance; the sample lands on a training 7.
    await region.getByRole('combobox', { name: 'Ask for (the toy prompt)' }).selectOption({ label: 'a 7' });
    await page.waitForFunction(() => location.search.includes('diffusion.class=7'));
    await region.getByRole('button', { name: '▶ Generate' }).click();
    await page.getByTestId('diff-verdict').getByText(/^Finished\. The sample is 0\.0\d\d from training digit #\d+ \(a 7\)/).waitFor({ timeout: 20000 });
    await region.getByRole('slider', { name: /Guidance strength/ }).fill('3');
    await page.waitForFunction(() => location.search.includes('diffusion.guidance=3'));
    await region.getByRole('combobox', { name: 'Sampler' }).selectOption('ddpm');
    await page.waitForFunction(() => location.search.includes('diffusion.sampler=ddpm'));
    await region.getByRole('button', { name: '▶ Generate' }).click();
    await page.getByTestId('diff-verdict').getByText(/^Finished\./).waitFor({ timeout: 20000 });
    clean(log);
    await context.close();
  });

  it('explains a damaged digits file', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.route('**/public/diffusion/digits.bin', (route) => route.fulfill({ status: 200, body: 'DIG1xx' }));
    await page.goto(env.server.origin + '/?page=diffusion');
    await appReady(page);
    await page.getByRole('alert').filter({ hasText: /The digits file is damaged/ }).waitFor();
    clean(log);
    await context.close();
  });

  it('trains a 2-D denoiser live and samples points onto the data', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=diffusion-2d&diffusion-2d.field_t=25');
    await appReady(page);
    const region = page.getByRole('region', { name: '2-D diffusion trained live' });
    await region.getByRole('button', { name: '▶ Train the denoiser' }).click();
    // Long enough to be past the noisy early phase (natively ≈ 0.03 by 3,000 steps), so the exact step
    // at which the pause lands does not decide the outcome.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="d2-steps"]').textContent) >= 3000, null, { timeout: 90000 });
    await region.getByRole('button', { name: '❚❚ Pause' }).click();
    await region.getByRole('button', { name: '▶ Sample 500 points' }).click();
    await page.waitForFunction(() => /^\d\.\d{3}$/.test(document.querySelector('[data-testid="d2-distance"]').textContent), null, { timeout: 20000 });
    const text = await region.getByText(/median distance from a sample to the nearest data point/).textContent();
    const [, d, base] = text.match(/point (\d\.\d{3}) \(pure Gaussian noise: (\d\.\d{3})\)/).map(Number);
    assert.ok(d < base / 3, `samples lie on the data: ${d} vs noise ${base}`);
    assert.match(await region.getByRole('img', { name: /Training loss .* over \d+ steps/ }).getAttribute('aria-label'), /steps/);
    await region.getByRole('combobox', { name: 'Data' }).selectOption({ label: 'Ring of 8 Gaussians' });
    await page.waitForFunction(() => location.search.includes('diffusion-2d.preset=ring'));
    assert.equal(await page.getByTestId('d2-steps').innerText(), '0', 'new data, new run');
    clean(log);
    await context.close();
  });
});
