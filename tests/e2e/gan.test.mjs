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
    assert.equal(lines[0], 'iteration,d_loss,g_loss,kl_grid,js_grid');
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

  it('learns a distribution the visitor draws with the mouse, touch or the keyboard; the drawing is in the link', async () => {
    const { context, page, log } = await openPage(env.browser, { hasTouch: true });
    await page.goto(env.server.origin + '/?page=gan');
    await appReady(page);
    const region = page.getByRole('region', { name: 'GAN training' });
    await region.getByRole('combobox', { name: 'Real data' }).selectOption({ label: 'Draw your own' });
    await region.getByText(/Nothing drawn yet/).waitFor();
    const canvas = region.getByRole('img', { name: /Drawing area: 0 points drawn/ });
    // Mouse: one stroke across the plane.
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await page.mouse.down();
    for (let k = 1; k <= 12; k++) await page.mouse.move(box.x + box.width * (0.2 + 0.05 * k), box.y + box.height * (0.5 - 0.02 * k));
    await page.mouse.up();
    // A stroke leaves a trail of points, one per 0.12 units moved.
    await page.waitForFunction(() => Number(document.querySelector('.draw-tools').textContent.match(/(\d+) of at most 300/)?.[1]) >= 8);
    await region.getByRole('button', { name: 'Undo last stroke' }).click();
    await region.getByText(/Nothing drawn yet/).waitFor();
    // Touch: taps add points; one point gets its own message. (Clicking Undo may have scrolled the
    // page, so the plane is measured again.)
    await canvas.scrollIntoViewIfNeeded();
    const at = await canvas.boundingBox();
    await page.touchscreen.tap(at.x + at.width * 0.7, at.y + at.height * 0.3);
    await region.getByText(/One point is not much of a distribution/).waitFor();
    await page.touchscreen.tap(at.x + at.width * 0.75, at.y + at.height * 0.35);
    // Keyboard: focus the plane, move the cross, add points with Space.
    const plane = region.getByRole('img', { name: /Drawing area/ });
    await plane.focus();
    for (const key of ['ArrowLeft', 'Space', 'Shift+ArrowDown', 'Space', 'ArrowRight', 'Space']) await page.keyboard.press(key);
    await region.getByRole('img', { name: /Drawing area: 5 points drawn.*Cross at \(0\.0, -0\.5\)/ }).waitFor();
    assert.equal(await region.getByText(/Nothing drawn yet|points drawn; draw at least/).count(), 0);
    await page.waitForFunction(() => /gan\.points=[A-Za-z0-9_-]{14}(&|$)/.test(location.search));
    await region.getByRole('button', { name: 'One iteration' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="gan-iteration"]').textContent === '1');
    // The link reproduces the drawing.
    await page.goto(page.url());
    await appReady(page);
    await page.getByRole('img', { name: /Drawing area: 5 points drawn/ }).waitFor();
    clean(log);
    await context.close();
  });

  it('detects divergence, pauses with an explanation, and resets', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=gan&gan.adam=0&gan.lr_d=1&gan.lr_g=1&gan.loss=least-squares');
    await appReady(page);
    const region = page.getByRole('region', { name: 'GAN training' });
    await region.getByRole('button', { name: '▶ Train' }).click();
    await region.getByRole('alert').filter({ hasText: 'Training diverged.' }).waitFor({ timeout: 20000 });
    await region.getByRole('button', { name: '▶ Train' }).waitFor(); // paused by itself
    await region.getByRole('button', { name: 'Reset the run' }).click();
    assert.equal(await region.getByRole('alert').filter({ hasText: 'Training diverged.' }).count(), 0);
    assert.equal(await iteration(page), 0);
    clean(log);
    await context.close();
  });

  it('switches data, activation and noise; reports KL and JS; trains as fast as frames allow', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=gan');
    await appReady(page);
    const region = page.getByRole('region', { name: 'GAN training' });
    await region.getByRole('combobox', { name: 'Activation' }).selectOption({ label: 'tanh' });
    await region.getByRole('combobox', { name: 'Noise', exact: true }).selectOption({ label: 'Uniform' });
    await region.getByRole('combobox', { name: 'Noise dimensions' }).selectOption('4');
    await region.getByRole('combobox', { name: 'Discriminator hidden layers' }).selectOption('1');
    await region.getByRole('combobox', { name: 'G steps per iteration' }).selectOption('2');
    await region.getByRole('combobox', { name: 'Real data' }).selectOption({ label: 'Spiral' });
    await page.waitForFunction(() => ['gan.activation=tanh', 'gan.noise=uniform', 'gan.noise_dim=4', 'gan.preset=spiral', 'gan.d_layers=1', 'gan.k_g=2'].every((k) => location.search.includes(k)));
    assert.equal(await page.getByTestId('gan-modes').count(), 0, 'the spiral has no separate modes to count');
    const js0 = Number(await page.getByTestId('gan-js').innerText());
    assert.ok(js0 > 0 && js0 <= 0.7, `JS in (0, ln 2]: ${js0}`);
    await region.getByRole('combobox', { name: 'Iterations per frame' }).selectOption({ label: 'as many as fit' });
    await region.getByRole('button', { name: '▶ Train' }).click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="gan-iteration"]').textContent) > 3000, null, { timeout: 30000 });
    await region.getByRole('button', { name: '❚❚ Pause' }).click();
    const js1 = Number(await page.getByTestId('gan-js').innerText());
    assert.ok(js1 < js0, `training brings the generated points closer (JS ${js0} → ${js1})`);
    assert.match(await region.getByRole('img', { name: /Jensen–Shannon divergence/ }).getAttribute('aria-label'), /latest 0\.\d{3}/);
    clean(log);
    await context.close();
  });
});
