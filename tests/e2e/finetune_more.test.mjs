// The rest of the fine-tuning section in headless Chromium: continued pre-training on one domain,
// preference tuning (DPO) by the stated rater and by the visitor's own picks, and the comparison
// of prompts, RAG and fine-tuning on the same questions. Found by role and name, as a visitor would.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const DOMAIN = 'Continued pre-training on one domain';
const PREF = 'Tune the model to preferences (RLHF)';
const COMPARE = 'Prompt, RAG or fine-tune? One table';

async function open(page, query, title) {
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  return page.getByRole('region', { name: title });
}
const status = (page, id) => page.getByTestId(id).innerText();
const rows = async (table) => (await table.getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t').map((c) => c.trim()));

describe('Continued pre-training on one domain', () => {
  it('Moby Dick only: the domain loss falls, samples before and after, a bar per matrix', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=domain&domain.steps=20', DOMAIN);
    await page.waitForFunction(() => /Ready\.$/.test(document.querySelector('[data-testid="dom-status"]')?.innerText ?? ''), null, { timeout: 120000 });
    await region.getByRole('button', { name: 'Continue pre-training' }).click();
    await page.waitForFunction(() => /done$/.test(document.querySelector('[data-testid="dom-status"]')?.innerText ?? ''), null, { timeout: 180000 });
    await region.getByText('Show the losses as a table').click();
    const curve = await rows(region.getByRole('table', { name: /Held-out loss every/ }));
    assert.deepEqual(curve.map((r) => r[0]), ['0', '10', '20']);
    const [first, last] = [curve[0].map(Number), curve.at(-1).map(Number)];
    console.log(`# domain Moby Dick, 20 steps: held-out loss ${first[1]} → ${last[1]}, other corpus ${first[2]} → ${last[2]}; ${await status(page, 'dom-status')}`);
    assert.ok(last[1] < first[1], `the domain's held-out loss falls: ${first[1]} → ${last[1]}`);
    const samples = await rows(region.getByRole('table', { name: /before and after/ }));
    assert.ok(samples[0][0].startsWith('The whale') && samples[0][1].startsWith('The whale'), JSON.stringify(samples));
    const changes = await rows(region.getByRole('table', { name: /How far each weight matrix moved/ }));
    assert.ok(changes.length >= 10 && changes.some((r) => r[0] === 'wte'), JSON.stringify(changes.slice(0, 3)));
    assert.ok(changes.every((r) => Number(r[1].replace(' %', '')) > 0));
    await screenshot(page, 'domain-desktop');
    await region.getByRole('button', { name: 'Reset to the shipped model' }).click();
    await page.waitForFunction(() => /Ready\.$/.test(document.querySelector('[data-testid="dom-status"]')?.innerText ?? ''));
    clean(log);
    await context.close();
  });

  it('your own text: too short is explained, nothing else breaks; LoRA leaves the embeddings alone', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=domain&domain.domain=own', DOMAIN);
    await region.getByRole('alert').getByText(/no text to train on/).waitFor({ timeout: 60000 });
    await region.getByRole('textbox', { name: /Your text/ }).fill('Call me <b>Ishmael</b>. '.repeat(5));
    await region.getByRole('button', { name: 'Use this text' }).click();
    await region.getByRole('alert').getByText(/tokens long; continued pre-training here needs at least/).waitFor({ timeout: 60000 });
    assert.equal(await page.locator('b').count(), 0, 'pasted text is shown as text');
    const long = Array.from({ length: 400 }, (_, i) => `Line ${i}: the harbour master wrote down the ships that came and went, and the tide.`).join('\n');
    await region.getByRole('textbox', { name: /Your text/ }).fill(long);
    await region.getByRole('button', { name: 'Use this text' }).click();
    await page.waitForFunction(() => /Ready\.$/.test(document.querySelector('[data-testid="dom-status"]')?.innerText ?? ''), null, { timeout: 120000 });
    await region.getByRole('radio', { name: /LoRA/ }).check();
    await region.getByRole('spinbutton', { name: 'Steps' }).fill('10');
    await region.getByRole('spinbutton', { name: 'Steps' }).press('Enter');
    await region.getByRole('button', { name: 'Continue pre-training' }).click();
    await page.waitForFunction(() => /done$/.test(document.querySelector('[data-testid="dom-status"]')?.innerText ?? ''), null, { timeout: 180000 });
    const changes = await rows(region.getByRole('table', { name: /How far each weight matrix moved/ }));
    assert.equal(changes.find((r) => r[0] === 'wte')[1], '0.000 %');
    assert.ok(changes.some((r) => Number(r[1].replace(' %', '')) > 0));
    await screenshot(page, 'domain-phone');
    clean(log);
    await context.close();
  });
  it('a pasted 1 MB text is tokenized in slices, the page stays live, and the link stays short', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=domain&domain.domain=own', DOMAIN);
    const para = 'The lighthouse keeper logged each passing ship, its flag, its cargo and the hour of the tide. ';
    const big = para.repeat(Math.ceil(1_000_000 / para.length)).slice(0, 1_000_000);
    await region.getByRole('textbox', { name: /Your text/ }).fill(big);
    await region.getByRole('button', { name: 'Use this text' }).click();
    await page.waitForFunction(() => /Ready\.$/.test(document.querySelector('[data-testid="dom-status"]')?.innerText ?? ''), null, { timeout: 240000 });
    const st = await status(page, 'dom-status');
    console.log(`# 1 MB pasted: ${st}`);
    const tokens = Number(st.match(/^([\d,]+) tokens/)[1].replace(/,/g, ''));
    assert.ok(tokens > 100000, st);
    assert.ok(!page.url().includes('domain.text='), 'a 1 MB text is not put into the link');
    assert.equal(await region.getByRole('button', { name: 'Continue pre-training' }).isEnabled(), true);
    clean(log);
    await context.close();
  });
});

describe('Tune the model to preferences (RLHF)', () => {
  it('the sailors rater: pairs drawn, DPO raises the margin, fresh samples are measured before and after', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=preference&preference.pairs=8&preference.steps=12', PREF);
    await page.waitForFunction(() => /pairs ready/.test(document.querySelector('[data-testid="pref-status"]')?.innerText ?? ''), null, { timeout: 240000 });
    await region.getByRole('button', { name: 'Tune toward the picks' }).click();
    await page.waitForFunction(() => /DPO steps on \d+ pairs/.test(document.querySelector('[data-testid="pref-status"]')?.innerText ?? ''), null, { timeout: 240000 });
    const results = await rows(region.getByRole('table', { name: /sailors' rating/ }));
    assert.equal(results.length, 2);
    assert.ok(results.every((r) => /^[+-]\d/.test(r[1]) && /^[+-]\d/.test(r[2])), JSON.stringify(results));
    await region.getByText('Show the steps as a table').first().click();
    const curve = await rows(region.getByRole('table').filter({ has: page.getByRole('columnheader', { name: /KL/ }) }).first());
    const margin = (r) => Number(r[2]);
    console.log(`# DPO, sailors, 12 steps: margin ${margin(curve[0])} → ${margin(curve.at(-1))}; rating ${results.map((r) => r.join(' ')).join('; ')}; ${await status(page, 'pref-status')}`);
    assert.ok(margin(curve.at(-1)) > margin(curve[0]));
    await screenshot(page, 'preference-desktop');
    clean(log);
    await context.close();
  });

  it('you pick: two answers, keyboard choices, tune on your picks; bad URL values become notices', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=preference&preference.judge=you&preference.pairs=3&preference.steps=5&preference.beta=banana', PREF);
    await region.getByText(/preference\.beta/).first().waitFor({ timeout: 60000 });
    const ask = region.getByRole('group', { name: 'Which continuation is better?' });
    for (const choice of ['A is better', 'B is better', 'A is better']) {
      await ask.getByRole('button', { name: choice }).waitFor({ timeout: 240000 });
      await ask.getByRole('button', { name: choice }).focus();
      await page.keyboard.press('Enter');
      await page.waitForTimeout(50);
    }
    await page.waitForFunction(() => /3 pairs ready/.test(document.querySelector('[data-testid="pref-status"]')?.innerText ?? ''), null, { timeout: 120000 });
    await region.getByRole('button', { name: 'Tune toward the picks' }).click();
    await page.waitForFunction(() => /5 DPO steps on 3 pairs/.test(document.querySelector('[data-testid="pref-status"]')?.innerText ?? ''), null, { timeout: 240000 });
    await screenshot(page, 'preference-phone');
    await region.getByRole('button', { name: 'Reset to the shipped model' }).click();
    clean(log);
    await context.close();
  });
});

describe('Prompt, RAG or fine-tune? One table', () => {
  it('measures the four ways on the same questions', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=compare', COMPARE);
    await page.waitForFunction(() => /^Ready/.test(document.querySelector('[data-testid="cmp-status"]')?.innerText ?? ''), null, { timeout: 120000 });
    await region.getByRole('button', { name: 'Run the comparison' }).click();
    await page.waitForFunction(() => /^Done/.test(document.querySelector('[data-testid="cmp-status"]')?.innerText ?? ''), null, { timeout: 300000 });
    const table = await rows(region.getByRole('table', { name: /closed-book questions/ }));
    console.log('# ' + table.map((r) => r.join(' | ')).join('\n# '));
    const acc = (r) => Number(r[1].match(/= (\d+) %/)[1]);
    assert.equal(table.length, 4);
    assert.ok(acc(table[0]) <= 20, 'closed book knows few of the held-out facts');
    assert.ok(acc(table[1]) > acc(table[0]) && acc(table[3]) > acc(table[0]));
    assert.deepEqual(table.map((r) => r[5].split(':')[0]), ['no', 'no', 'no', 'yes']);
    await screenshot(page, 'compare-desktop');
    clean(log);
    await context.close();
  });
});
