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

  it('generates 16 digits with the optimal denoiser (DDIM and DDPM): every one a copy of a training digit', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=diffusion&diffusion.steps=20');
    await appReady(page);
    const region = page.getByRole('region', { name: 'Diffusion on handwritten digits' });
    const verdict = page.getByTestId('diff-verdict');
    await region.getByRole('button', { name: 'One denoising step' }).click();
    await page.getByTestId('diff-reverse-t').getByText('t = 950').waitFor();
    await region.getByRole('img', { name: /^16 samples at t = 950/ }).waitFor();
    await region.getByRole('button', { name: '▶ Generate 16 digits' }).click();
    await verdict.getByText(/^Finished\. Median distance to the nearest training digit: 0\.0\d\d; 16 of 16 samples are copies of a training digit/).waitFor({ timeout: 20000 });
    // The table alternative lists each sample's nearest training digit.
    await page.getByTestId('diff-committed').getByText(/^Sample 1 committed to training digit #\d+ at t = \d+/).waitFor();
    await region.getByText("Each sample's nearest training digit", { exact: true }).click();
    assert.equal(await page.getByTestId('diff-nearest').getByRole('row').count(), 17);
    // The toy prompt: ask for a 7 with guidance; every sample lands on a training 7.
    await region.getByRole('combobox', { name: 'Ask for (the toy prompt)' }).selectOption({ label: 'a 7' });
    await page.waitForFunction(() => location.search.includes('diffusion.class=7'));
    await region.getByRole('button', { name: '▶ Generate 16 digits' }).click();
    await verdict.getByText(/16 of 16 are nearest to a training 7\./).waitFor({ timeout: 20000 });
    await region.getByRole('slider', { name: /Guidance strength/ }).fill('3');
    await page.waitForFunction(() => location.search.includes('diffusion.guidance=3'));
    await region.getByRole('combobox', { name: 'Sampler' }).selectOption('ddpm');
    await page.waitForFunction(() => location.search.includes('diffusion.sampler=ddpm'));
    await region.getByRole('button', { name: '▶ Generate 16 digits' }).click();
    await verdict.getByText(/^Finished\./).waitFor({ timeout: 20000 });
    clean(log);
    await context.close();
  });

  it('generates new digits with the learned network, follows the prompt, trains further live and survives divergence', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=diffusion&diffusion.steps=50');
    await appReady(page);
    const region = page.getByRole('region', { name: 'Diffusion on handwritten digits' });
    const verdict = page.getByTestId('diff-verdict');
    await region.getByRole('radio', { name: /Learned network/ }).check();
    await page.waitForFunction(() => location.search.includes('diffusion.denoiser=learned'));
    await region.getByRole('button', { name: '▶ Train further' }).waitFor();
    await region.getByRole('button', { name: '▶ Generate 16 digits' }).click();
    await verdict.getByText(/^Finished\. Median distance to the nearest training digit: \d\.\d{3}; 0 of 16 samples are copies/).waitFor({ timeout: 30000 });
    const median = Number((await verdict.innerText()).match(/training digit: (\d\.\d{3})/)[1]);
    assert.ok(median > 0.5, `new images, not copies: ${median}`);
    // Ask for a 3 with strong guidance: most samples are nearest to a training 3.
    await region.getByRole('combobox', { name: 'Ask for (the toy prompt)' }).selectOption({ label: 'a 3' });
    await region.getByRole('slider', { name: /Guidance strength/ }).fill('3');
    await page.waitForFunction(() => location.search.includes('diffusion.guidance=3'));
    await region.getByRole('button', { name: '▶ Generate 16 digits' }).click();
    await verdict.getByText(/are nearest to a training 3\./).waitFor({ timeout: 30000 });
    const onClass = Number((await verdict.innerText()).match(/(\d+) of 16 are nearest to a training 3/)[1]);
    assert.ok(onClass >= 12, `${onClass} of 16 follow the prompt`);
    // Train further: steps count up, a rate is shown, the loss curve has its text alternative.
    await region.getByRole('button', { name: '▶ Train further' }).click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="diff-live-steps"]').textContent) >= 30, null, { timeout: 30000 });
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="diff-live-rate"]').textContent), null, { timeout: 10000 });
    await region.getByRole('button', { name: '❚❚ Pause' }).last().click();
    await region.getByRole('img', { name: /Training loss of the live steps/ }).waitFor();
    // A learning rate of 1 blows the network up: an alert, training stops, the shipped weights come back.
    await region.getByRole('combobox', { name: 'Learning rate' }).selectOption('1');
    await page.waitForFunction(() => location.search.includes('diffusion.lr=1'));
    await region.getByRole('button', { name: '▶ Train further' }).click();
    const alert = region.getByRole('alert').filter({ hasText: 'Training diverged.' });
    await alert.waitFor({ timeout: 30000 });
    await alert.getByRole('button', { name: 'Restore the shipped weights' }).click();
    await alert.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('diff-live-steps').innerText(), '0');
    clean(log);
    await context.close();
  });

  it('noises a pixel-art icon and the learner\'s own image: drawn, typed, uploaded, blank and too large', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=diffusion&diffusion.t=100');
    await appReady(page);
    const region = page.getByRole('region', { name: 'Diffusion on handwritten digits' });
    await region.getByRole('radio', { name: /A pixel-art icon/ }).check();
    const icon = region.getByRole('combobox', { name: /^Icon/ });
    await icon.selectOption('star');
    await page.waitForFunction(() => location.search.includes('diffusion.source=icon') && location.search.includes('diffusion.icon=star'));
    await region.getByRole('img', { name: /^The “star” icon at t = 100/ }).waitFor();
    assert.ok((await icon.getByRole('option').count()) > 1000);
    // Your own image: blank at first, with a message.
    await region.getByRole('radio', { name: /Your own image/ }).check();
    await page.getByTestId('diff-blank').waitFor();
    const pad = region.getByRole('img', { name: /^Your 24 × 24 image/ });
    const box = await pad.boundingBox();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5, { steps: 12 });
    await page.mouse.up();
    await page.getByTestId('diff-blank').waitFor({ state: 'detached' });
    await page.waitForFunction(() => location.search.includes('diffusion.drawing='));
    await region.getByRole('img', { name: /^Your image at t = 100/ }).waitFor();
    // The drawing survives a reload through the link.
    await page.reload();
    await appReady(page);
    await page.getByTestId('diff-blank').waitFor({ state: 'detached' });
    // Clear, then paint by keyboard: focus, move, Space.
    await region.getByRole('button', { name: 'Clear' }).click();
    await page.getByTestId('diff-blank').waitFor();
    await pad.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Space');
    await page.getByTestId('diff-blank').waitFor({ state: 'detached' });
    assert.match(await pad.getAttribute('aria-label'), /column 12, row 13/);
    // Uploads: a picture is scaled in; a text file and an over-large file are refused with a reason.
    const upload = region.getByLabel('Or upload a picture');
    const png = await page.evaluate(async () => {
      const c = new OffscreenCanvas(3000, 2000);
      const g = c.getContext('2d');
      g.fillStyle = '#fff'; g.fillRect(0, 0, 3000, 2000);
      g.fillStyle = '#000'; g.fillRect(1000, 500, 1000, 1000);
      const b = await c.convertToBlob({ type: 'image/png' });
      return Array.from(new Uint8Array(await b.arrayBuffer()));
    });
    await upload.setInputFiles({ name: 'square.png', mimeType: 'image/png', buffer: Buffer.from(png) });
    await page.getByTestId('diff-upload-message').getByText(/^Picture loaded/).waitFor();
    await upload.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByTestId('diff-upload-message').getByText(/“notes\.txt” is not a picture/).waitFor();
    await upload.setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
    await page.getByTestId('diff-upload-message').getByText(/could not be decoded/).waitFor();
    await upload.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(41 * 1024 * 1024) });
    await page.getByTestId('diff-upload-message').getByText(/That file is 41 MB/).waitFor();
    // The uploaded square is still the image being noised; the rest of the widget still works.
    await region.getByRole('slider', { name: /Time step t/ }).fill('0');
    await region.getByRole('img', { name: /^Your image at t = 0/ }).waitFor();
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

  it('explains damaged network weights and keeps the optimal denoiser working', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.route('**/public/diffusion/denoiser.bin', (route) => route.fulfill({ status: 200, body: 'MLP1 but truncated' }));
    await page.goto(env.server.origin + '/?embed=diffusion&diffusion.denoiser=learned&diffusion.steps=10');
    await appReady(page);
    const region = page.getByRole('region', { name: 'Diffusion on handwritten digits' });
    await region.getByRole('alert').filter({ hasText: /The network weights are damaged/ }).waitFor();
    await region.getByRole('radio', { name: /Optimal/ }).check();
    await region.getByRole('button', { name: '▶ Generate 16 digits' }).click();
    await page.getByTestId('diff-verdict').getByText(/^Finished\./).waitFor({ timeout: 20000 });
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
    // Your own data: nothing to learn until enough points are drawn, by mouse or keyboard.
    await region.getByRole('combobox', { name: 'Data' }).selectOption({ label: 'Draw your own' });
    await page.getByTestId('d2-problem').getByText(/^0 points drawn/).waitFor();
    const plane = region.getByRole('img', { name: /^Drawing area/ });
    await region.getByRole('img', { name: /^Drawing area: 0 points drawn/ }).waitFor();
    const box = await plane.boundingBox();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.7, { steps: 20 });
    await page.mouse.up();
    await page.getByTestId('d2-problem').waitFor({ state: 'detached' });
    await page.waitForFunction(() => location.search.includes('diffusion-2d.points='));
    await plane.focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    await region.getByRole('img', { name: /^Drawing area: \d+ points drawn.*Cross at \(0\.0, 0\.1\)/ }).waitFor();
    await region.getByRole('button', { name: 'One training step' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="d2-steps"]').textContent === '1');
    await region.getByRole('button', { name: 'Clear drawing' }).click();
    await page.getByTestId('d2-problem').getByText(/^0 points drawn/).waitFor();
    clean(log);
    await context.close();
  });
});
