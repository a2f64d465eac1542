// "Teach the model new facts" in headless Chromium: full fine-tuning and LoRA run in the page,
// closed-book accuracy on the taught facts rises from what it was, the untouched task and the
// perplexity are reported, settings live in the URL, bad values become notices.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const TITLE = 'Teach the model new facts';

async function open(page, query) {
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: TITLE });
  // on the full page the widget sits below another one: a visitor scrolls to it (widgets off
  // screen pause their work)
  await region.scrollIntoViewIfNeeded({ timeout: 60000 });
  await region.getByRole('table', { name: /Before and after/ }).waitFor({ timeout: 120000 });
  return region;
}

const cell = async (region, row, col) => (await region.getByRole('table', { name: /Before and after/ }).getByRole('row').nth(row).getByRole('cell').nth(col).innerText()).trim();
const percent = (s) => Number(s.match(/^(\d+) %/)[1]);

async function train(page, region, steps) {
  await region.getByRole('button', { name: 'Fine-tune' }).click();
  await page.waitForFunction((n) => document.querySelector('[data-testid="ft-status"]')?.innerText.startsWith(`Step ${n} of ${n}`) && /weights moved/.test(document.querySelector('[data-testid="ft-status"]').innerText), steps, { timeout: 240000 });
}

describe('Teach the model new facts', () => {
  it('full fine-tuning teaches the held-out facts, and reports the untouched task and perplexity', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?page=finetune&finetune.steps=60');
    const before = percent(await cell(region, 1, 0));
    assert.ok(before <= 20, `closed book before: ${before} %`);
    await train(page, region, 60);
    const after = percent(await cell(region, 1, 1));
    const status = await page.getByTestId('ft-status').innerText();
    console.log(`# full fine-tuning, 60 steps: facts ${before} % → ${after} %; untouched ${await cell(region, 2, 0)} → ${await cell(region, 2, 1)}; perplexity ${await cell(region, 3, 0)} → ${await cell(region, 3, 1)}; ${status}`);
    assert.ok(after > before, `the taught facts: ${before} % → ${after} %`);
    assert.match(status, /1,088,256 numbers trained/);
    assert.ok(Number(await cell(region, 3, 1)) > 0);
    await screenshot(page, 'finetune-desktop');
    clean(log);
    await context.close();
  });

  it('LoRA trains far fewer numbers; settings are in the URL; bad values become notices', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=finetune&finetune.method=lora&finetune.rank=4&finetune.lr=0.01&finetune.steps=30');
    assert.equal(await region.getByRole('radio', { name: /LoRA/ }).isChecked(), true);
    await train(page, region, 30);
    const status = await page.getByTestId('ft-status').innerText();
    const trained = Number(status.match(/([\d,]+) numbers trained/)[1].replace(/,/g, ''));
    assert.ok(trained > 0 && trained < 100000, `LoRA rank 4 trains ${trained} numbers`);
    console.log(`# LoRA r = 4, 30 steps: facts ${await cell(region, 1, 0)} → ${await cell(region, 1, 1)}; ${status}`);
    await screenshot(page, 'finetune-phone');
    await region.getByRole('button', { name: 'Reset to the shipped model' }).click();
    await page.getByTestId('ft-status').getByText(/^Step 0 of 30/).waitFor();
    const bad = await context.newPage();
    await bad.goto(env.server.origin + '/?embed=finetune&finetune.rank=99&finetune.method=nope');
    await bad.getByRole('region', { name: TITLE }).getByText(/finetune\.rank/).first().waitFor({ timeout: 60000 });
    clean(log);
    await context.close();
  });

  it('your own facts: contradictions are refused, duplicates kept once, and the facts are learned', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=finetune&finetune.steps=40');
    await region.getByText('Teach your own facts').click();
    const box = region.getByRole('textbox', { name: /Your facts/ });
    await box.fill('Who was the first mate? = Starbuck\nwho was the first mate? = Stubb');
    await region.getByRole('button', { name: 'Teach these facts' }).click();
    await region.getByRole('alert').getByText(/contradicts an earlier line/).waitFor({ timeout: 60000 });
    await region.getByRole('table', { name: /Before and after/ }).waitFor({ timeout: 60000 });
    const facts = ['Who was the first mate? = Starbuck', 'Who carved the coffin? = Queequeg', 'What was the ship called? = <i>Pequod</i>', 'Who was the first mate? = Starbuck'];
    await box.fill(facts.join('\n'));
    await region.getByRole('button', { name: 'Teach these facts' }).click();
    await region.getByText(/the same fact again — kept once/).waitFor({ timeout: 60000 });
    await region.getByRole('table', { name: /Before and after/ }).waitFor({ timeout: 60000 });
    assert.equal(await page.locator('i').count(), 0, 'facts are shown as text');
    assert.match(await cell(region, 1, 0), /of 3\)$/);
    await train(page, region, 40);
    console.log(`# own facts, 40 steps: ${await cell(region, 1, 0)} → ${await cell(region, 1, 1)}`);
    assert.ok(percent(await cell(region, 1, 1)) > percent(await cell(region, 1, 0)));
    assert.match(page.url(), /finetune\.facts=/);
    clean(log);
    await context.close();
  });

  it('a learning rate far too high: divergence is detected, paused and explained; Reset recovers', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=finetune&finetune.lr=0.05&finetune.steps=200');
    await region.getByRole('button', { name: 'Fine-tune' }).click();
    await region.getByRole('alert').getByText(/Training diverged at step \d+/).waitFor({ timeout: 240000 });
    assert.match(await page.getByTestId('ft-status').innerText(), /paused: diverged/);
    assert.equal(await region.getByRole('button', { name: 'Stop' }).isDisabled(), true);
    await region.getByRole('button', { name: 'Reset to the shipped model' }).click();
    await page.getByTestId('ft-status').getByText(/^Step 0 of 200/).waitFor();
    assert.equal(await region.getByRole('alert').count(), 0);
    clean(log);
    await context.close();
  });
});
