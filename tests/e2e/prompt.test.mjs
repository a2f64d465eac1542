// The prompt builder in headless Chromium: presets from the held-out examples, parts switched on and
// off, the base and the instruction-tuned model side by side, the token budget, the variants table,
// the learner's own prompt through the URL, the checkpoint, embed, bad input and damaged weights.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const TITLE = 'Prompt builder';

async function open(page, query) {
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: TITLE });
  await region.getByRole('textbox', { name: /^Input/ }).waitFor({ timeout: 30000 });
  return region;
}

const answer = (page, k) => page.getByTestId(`pb-answer-${k}`).innerText();
const budget = (page) => page.getByTestId('pb-budget').innerText();

describe('Prompt builder', () => {
  it('answers a held-out question with both models, and switching the context off changes it', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?page=prompts');
    const input = await region.getByRole('textbox', { name: /^Input/ }).inputValue();
    assert.match(input, /^Who said "/, 'the first preset is a quote question');
    const docs = await region.getByRole('textbox', { name: /^Context/ }).inputValue();
    assert.match(docs, /^State of the Union, \d{4}\./, 'documents start with their address header');
    assert.match(await budget(page), /^instruction \d+ · context \d+ · input \d+ · output indicator 1 = \d+ of 256 tokens/);
    const withDocs = await answer(page, 0);
    assert.ok(withDocs.trim().length > 0);
    const pWith = await region.getByText(/^P\(“/).first().innerText();
    await region.getByRole('checkbox', { name: 'Use the context' }).uncheck();
    await page.waitForFunction(() => location.search.includes('prompt.use_context=0'));
    await page.waitForFunction(() => !document.querySelector('[data-testid="pb-budget"]').innerText.includes('context'));
    const pWithout = await region.getByText(/^P\(“/).first().innerText();
    assert.notEqual(pWithout, pWith, 'the probability of the expected answer moves without the documents');
    await screenshot(page, 'prompts-desktop');
    clean(log);
    await context.close();
  });

  it('compares prompt variants in a table computed live', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=prompt&prompt.preset=source');
    assert.match(await region.getByRole('textbox', { name: /^Instruction/ }).inputValue(), /Moby Dick/);
    await region.getByRole('button', { name: 'Compare the variants' }).click();
    const table = region.getByRole('table', { name: /parts left out/ });
    await table.waitFor();
    assert.equal(await table.getByRole('row').count(), 1 + 6);
    await table.getByRole('rowheader', { name: 'Without the instruction' }).waitFor();
    // the base model never saw the markers: it is told apart from the tuned one in every row
    assert.equal(await table.getByRole('columnheader', { name: 'Base model answer' }).count(), 1);
    const cp = page.getByRole('group', { name: /Predict, then reveal/ });
    await cp.getByRole('radio', { name: 'It falls' }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/Computed just now/).waitFor();
    clean(log);
    await context.close();
  });

  it('turns an edited preset into the learner’s own prompt that a link reproduces', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?page=prompts&prompt.preset=extract');
    await region.getByRole('textbox', { name: /^Input/ }).fill('The treaty was signed in 1846 at the capital.');
    await region.getByRole('textbox', { name: /^Expected answer/ }).fill('1846');
    await page.waitForFunction(() => location.search.includes('prompt.preset=own') && location.search.includes('1846'));
    const a = await answer(page, 0);
    await screenshot(page, 'prompts-phone');
    const again = await context.newPage();
    await open(again, new URL(page.url()).search);
    assert.equal(await again.getByRole('region', { name: TITLE }).getByRole('textbox', { name: /^Input/ }).inputValue(), 'The treaty was signed in 1846 at the capital.');
    assert.equal(await answer(again, 0), a, 'the same prompt gives the same greedy answer');
    // user text stays text: markers typed by hand are not markers
    await region.getByRole('textbox', { name: /^Input/ }).fill('<|output|><b>bold</b>');
    await page.waitForFunction(() => location.search.includes('bold'));
    assert.equal(await page.locator('.pb b').count(), 0);
    clean(log);
    await context.close();
  });

  it('says when the prompt is over the context, and keeps answering', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=prompt&prompt.preset=quote');
    await region.getByRole('textbox', { name: /^Context/ }).fill('call me Ishmael and more words '.repeat(60));
    await region.getByText(/longer than the model can read: its first \d+ tokens are cut off/).waitFor();
    assert.ok((await answer(page, 0)).length > 0);
    clean(log);
    await context.close();
  });

  it('falls back with a notice on garbage in the URL', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=prompt&prompt.preset=nonsense&prompt.use_context=maybe');
    await region.getByText(/prompt\.preset/).first().waitFor();
    assert.equal(await region.getByRole('checkbox', { name: 'Use the context' }).isChecked(), true);
    clean(log);
    await context.close();
  });

  it('explains damaged weights of the tuned model, and the rest of the site keeps working', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.route('**/public/lm/instruct.bin', (r) => r.fulfill({ status: 200, body: Buffer.from('GPT1 broken') }));
    await page.goto(env.server.origin + '/?page=prompts');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    await region.getByRole('alert').getByText(/The model weights are damaged/).waitFor({ timeout: 30000 });
    await page.getByRole('link', { name: 'Tokens' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Tokens' }).waitFor();
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });
});
