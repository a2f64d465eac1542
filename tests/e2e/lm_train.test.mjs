// "Watch a language model learn" in headless Chromium: a tiny transformer trained from random weights
// in the page — the loss falls below a uniform guess, samples of a fixed prompt appear, the slowest
// frame is shown; settings round-trip through the URL; bad pasted text and divergence are explained.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, SCREENSHOTS } from './lib/browser.mjs';

const env = useServerAndBrowser();
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious or critical WCAG 2.1 A/AA violations inside the widget. */
async function axeViolations(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run('[data-widget="lm-train"]', { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
const TITLE = 'Watch a language model learn';
const LN_V = Math.log(2048);
const num = (page, id) => page.getByTestId(id).innerText().then((t) => Number(t.replace(/,/g, '')));

describe('LM training widget', () => {
  it('trains from random weights on Moby Dick: the loss falls below ln V, samples improve, frames stay short', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=llm');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    await region.scrollIntoViewIfNeeded();
    await page.getByTestId('lmt-data').getByText(/^Moby Dick: [\d,]+ tokens, [\d,]+ for training and [\d,]+ held out\./).waitFor({ timeout: 30000 });
    assert.match(await region.innerText(), /A tiny transformer — 158,016 parameters: 2 blocks of width 48/);
    // The random model's sample is there before training.
    await page.getByTestId('lmt-samples').getByText('Step 0', { exact: true }).waitFor();
    assert.match(await region.getByRole('img', { name: /^Loss curve/ }).getAttribute('aria-label'), /no training steps yet; .*ln 2048 = 7\.62/);
    // Keyboard: Tab to the Train button and press Enter.
    const trainBtn = region.getByRole('button', { name: '▶ Train' });
    await trainBtn.focus();
    await page.keyboard.press('Enter');
    const t0 = Date.now();
    await page.waitForFunction((lnv) => {
      const l = Number(document.querySelector('[data-testid="lmt-train-loss"]').textContent);
      return l > 0 && l < lnv - 0.6;
    }, LN_V, { timeout: 60000 });
    const fallSeconds = (Date.now() - t0) / 1000;
    // A later sample, taken at a later step, and the held-out loss (step 0 is measured first).
    await page.getByTestId('lmt-samples').locator('li').nth(1).waitFor({ timeout: 30000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="lmt-step"]').textContent) >= 50, null, { timeout: 90000 });
    await page.waitForFunction(() => /^\d\.\d{3}$/.test(document.querySelector('[data-testid="lmt-held-loss"]').textContent), null, { timeout: 30000 });
    await region.getByRole('button', { name: '❚❚ Pause' }).click();
    const step = await num(page, 'lmt-step');
    const train = await num(page, 'lmt-train-loss');
    const held = await num(page, 'lmt-held-loss');
    const tps = await num(page, 'lmt-tps');
    const slowest = await page.getByTestId('lmt-slowest').innerText();
    const stepMs = await page.getByTestId('lmt-step-ms').innerText();
    console.log(`  lm-train: loss < ln V − 0.6 after ${fallSeconds.toFixed(1)} s; step ${step}, train ${train}, held-out ${held}, ${tps} tokens/s, step ${stepMs}, slowest frame ${slowest}`);
    assert.ok(train < LN_V - 0.6 && held < LN_V - 0.6, `below a uniform guess: ${train}, ${held}`);
    assert.ok(tps > 100, `tokens/s ${tps}`);
    assert.match(slowest, /^\d+ ms$/);
    assert.match(stepMs, /^\d+ ms$/);
    const label = await region.getByRole('img', { name: /^Loss curve over \d+ training steps/ }).getAttribute('aria-label');
    assert.match(label, /training loss now \d\.\d{3}, held-out loss \d\.\d\d \(at step \d+\)/);
    // Samples: newest first, each with its step; the prompt is the same every time.
    const steps = await page.getByTestId('lmt-samples').locator('.lmt-sample-step').allInnerTexts();
    assert.equal(steps.at(-1), 'Step 0');
    assert.ok(Number(steps[0].replace(/\D/g, '')) > 0, `latest sample at a later step: ${steps}`);
    const prompts = await page.getByTestId('lmt-samples').locator('strong').allInnerTexts();
    assert.ok(prompts.every((p) => p === 'The whale'), prompts.join('|'));
    // The table alternative lists the held-out evaluations.
    await region.getByText('Show the losses as a table').click();
    assert.ok(await page.getByTestId('lmt-table').locator('tbody tr').count() >= 2);
    // The shipped pre-trained model, scored on the same windows.
    await page.getByTestId('lmt-pretrained').getByText(/On the same held-out windows it scores \d\.\d\d/).waitFor({ timeout: 60000 });
    // Reset: back to step 0 with only the random model's sample.
    await region.getByRole('button', { name: 'Reset', exact: true }).click();
    assert.equal(await num(page, 'lmt-step'), 0);
    assert.equal(await page.getByTestId('lmt-samples').locator('li').count(), 1);
    clean(log);
    await context.close();
  });

  it('keeps its settings in the URL, checks them, and renders alone as an embed', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    await page.goto(env.server.origin + '/?embed=lm-train&lm-train.corpus=sotu&lm-train.lr=0.01&lm-train.seed=7&lm-train.width=32');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    await region.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByTestId('lmt-data').getByText(/^The State of the Union sample: [\d,]+ tokens/).waitFor({ timeout: 30000 });
    assert.equal(await region.getByRole('combobox', { name: 'Text to learn from' }).inputValue(), 'sotu');
    assert.equal(await region.getByRole('combobox', { name: 'Learning rate' }).inputValue(), '0.01');
    assert.equal(await region.getByRole('combobox', { name: 'Model width d' }).inputValue(), '32');
    assert.equal(await region.getByRole('spinbutton', { name: 'Seed' }).inputValue(), '7');
    assert.match(await region.innerText(), /A tiny transformer — [\d,]+ parameters: 2 blocks of width 32/);
    await page.getByTestId('lmt-samples').getByText('Step 0', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('lmt-samples').locator('strong').innerText(), 'The people of');
    // Embed mode does not download the pre-trained model unless asked.
    await region.getByRole('button', { name: /Compare with the site's pre-trained model/ }).waitFor();
    await region.getByRole('button', { name: 'One training step' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="lmt-step"]').textContent === '1');
    // Changing settings writes the URL and starts a new run.
    await region.getByRole('spinbutton', { name: 'Seed' }).fill('9');
    await region.getByRole('spinbutton', { name: 'Seed' }).press('Tab');
    await page.waitForFunction(() => location.search.includes('lm-train.seed=9'));
    assert.equal(await num(page, 'lmt-step'), 0);
    await region.getByRole('combobox', { name: 'Learning rate' }).selectOption('0.001');
    await region.getByRole('combobox', { name: 'Model width d' }).selectOption('64');
    await region.getByRole('combobox', { name: 'Text to learn from' }).selectOption('moby');
    await page.waitForFunction(() => ['lm-train.lr=0.001', 'lm-train.width=64', 'lm-train.corpus=moby'].every((k) => location.search.includes(k)));
    await page.reload();
    await appReady(page);
    assert.equal(await region.getByRole('combobox', { name: 'Learning rate' }).inputValue(), '0.001');
    assert.equal(await region.getByRole('combobox', { name: 'Model width d' }).inputValue(), '64');
    assert.equal(await region.getByRole('spinbutton', { name: 'Seed' }).inputValue(), '9');
    await page.getByTestId('lmt-data').getByText(/^Moby Dick:/).waitFor({ timeout: 30000 });
    clean(log);
    // A learning rate outside the range becomes a notice and the default.
    await page.goto(env.server.origin + '/?embed=lm-train&lm-train.lr=50&lm-train.width=12');
    await appReady(page);
    const notice = region.getByRole('status').filter({ hasText: 'Some settings in this link could not be used' });
    await notice.getByText(/lm-train\.lr=50” is outside 0\.00001–10; using 0\.003/).waitFor();
    await notice.getByText(/lm-train\.width=12” is not one of 32, 48, 64/).waitFor();
    assert.equal(await region.getByRole('combobox', { name: 'Learning rate' }).inputValue(), '0.003');
    await context.close();
  });

  it('explains empty and too-short pasted text, keeps short text in the link and long text out of it', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=lm-train&lm-train.corpus=own');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    const problem = page.getByTestId('lmt-problem');
    await problem.getByText(/^There is no text to learn from yet/).waitFor({ timeout: 20000 });
    await region.getByRole('button', { name: 'One training step' }).click(); // nothing to train: no panic
    assert.equal(await num(page, 'lmt-step'), 0);
    const box = region.getByRole('textbox', { name: /^Your text/ });
    await box.fill('Call me Ishmael.');
    await region.getByRole('button', { name: 'Train on this text' }).click();
    await problem.getByText(/^Your text is \d+ tokens long; the model needs at least 65/).waitFor();
    await page.waitForFunction(() => location.search.includes('lm-train.text=Call'));
    await region.getByRole('button', { name: '▶ Train' }).click();
    await region.getByRole('button', { name: '▶ Train' }).waitFor(); // paused again: nothing to train
    const long = 'It is a way I have of driving off the spleen and regulating the circulation. '.repeat(40);
    await box.fill(long);
    await page.getByTestId('lmt-url-note').getByText(/longer than 2,000, so this text is not kept in the page's link/).waitFor();
    await region.getByRole('button', { name: 'Train on this text' }).click();
    await page.getByTestId('lmt-data').getByText(/^Your text: [\d,]+ tokens.*memorise it/).waitFor({ timeout: 20000 });
    await page.waitForFunction(() => !location.search.includes('lm-train.text='));
    assert.match(await page.getByTestId('lmt-samples').locator('strong').innerText(), /^It/, 'the prompt is the start of the text');
    await region.getByRole('button', { name: 'One training step' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="lmt-step"]').textContent === '1');
    clean(log);
    await context.close();
  });

  it('pauses and explains when the loss blows up, and resets', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=lm-train&lm-train.lr=10');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    await page.getByTestId('lmt-data').waitFor({ timeout: 30000 });
    await region.getByRole('button', { name: '▶ Train' }).click();
    const alert = region.getByRole('alert').filter({ hasText: 'Training diverged.' });
    await alert.waitFor({ timeout: 30000 });
    assert.match(await alert.innerText(), /learning rate \(10\) is too high/);
    await region.getByRole('button', { name: '▶ Train' }).waitFor(); // paused by itself
    await alert.getByRole('button', { name: 'Reset the run' }).click();
    await alert.waitFor({ state: 'detached' });
    assert.equal(await num(page, 'lmt-step'), 0);
    clean(log);
    await context.close();
  });

  it('looks right at desktop and phone width, light and dark, with no serious axe violations (screenshots)', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const [width, scheme] of [[1280, 'light'], [360, 'light'], [360, 'dark']]) {
      const { context, page, log } = await openPage(env.browser, { viewport: { width, height: 900 }, colorScheme: scheme });
      await page.goto(env.server.origin + '/?page=llm');
      await appReady(page);
      const region = page.getByRole('region', { name: TITLE });
      await region.scrollIntoViewIfNeeded();
      await page.getByTestId('lmt-data').getByText(/^Moby Dick: /).waitFor({ timeout: 30000 });
      await region.getByRole('button', { name: '▶ Train' }).click();
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="lmt-step"]').textContent) >= 60, null, { timeout: 90000 });
      await page.getByTestId('lmt-samples').locator('li').nth(1).waitFor({ timeout: 30000 });
      await region.getByRole('button', { name: '❚❚ Pause' }).click();
      await region.getByText('Show the losses as a table').click();
      assert.deepEqual(await axeViolations(page), [], `axe at ${width}px ${scheme}`);
      await region.getByText('Show the losses as a table').click();
      // A full-page shot clipped to the widget (an element shot would show the sticky header over it).
      const top = await region.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
      const box = await region.boundingBox();
      await page.screenshot({ path: path.join(SCREENSHOTS, `lm-train-${width}-${scheme}.png`), fullPage: true, clip: { x: box.x, y: top, width: box.width, height: box.height } });
      const overflow = await region.evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok(overflow <= 1, `no horizontal overflow at ${width}px (${overflow}px)`);
      clean(log);
      await context.close();
    }
  });
});
