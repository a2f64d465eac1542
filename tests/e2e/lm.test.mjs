// The LLM section's next-token widget in headless Chromium: generation with the real model,
// sampling controls, token inspection, attention, URL round trip, embed, bad input, damaged weights.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const TITLE = 'Next-token prediction with a small GPT';

async function open(page, query) {
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: TITLE });
  await region.getByRole('textbox', { name: 'Prompt' }).waitFor({ timeout: 30000 });
  return region;
}

const continuation = (page) => page.getByTestId('lm-continuation').innerText();

describe('LLM next-token widget', () => {
  it('generates from a prompt, and the link reproduces the same text', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?page=llm');
    await region.getByRole('textbox', { name: 'Prompt' }).fill('The whale');
    await page.waitForFunction(() => location.search.includes('lm.prompt=The%20whale') || location.search.includes('lm.prompt=The+whale'));
    const promptTokens = Number(await page.getByTestId('lm-prompt-tokens').innerText());
    assert.ok(promptTokens >= 2 && promptTokens <= 4, `"The whale" is a few tokens: ${promptTokens}`);
    assert.ok(Number(await page.getByTestId('lm-perplexity').innerText()) > 1);
    await region.getByRole('button', { name: 'Generate 40 tokens' }).click();
    await page.waitForFunction(() => location.search.includes('lm.tokens=40'), null, { timeout: 20000 });
    const text = await continuation(page);
    assert.ok(text.length > 20, `generated: ${text}`);
    // the start token, the prompt's tokens and 40 generated ones
    assert.equal(await region.getByRole('group', { name: /The tokens/ }).getByRole('button').count(), 1 + promptTokens + 40);
    await region.getByRole('button', { name: 'One token' }).click();
    await page.waitForFunction(() => location.search.includes('lm.tokens=41'));
    const longer = await continuation(page);
    assert.ok(longer.startsWith(text), 'one more token extends the same text');
    const url = page.url();
    await screenshot(page, 'llm-desktop');
    const again = await context.newPage();
    await again.goto(url);
    await again.getByTestId('lm-continuation').getByText(longer.trim().slice(0, 10), { exact: false }).waitFor({ timeout: 30000 });
    assert.equal(await continuation(again), longer);
    clean(log);
    await context.close();
  });

  it('reshapes the distribution with temperature, top-k and top-p; greedy ignores the seed', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=lm&lm.prompt=Call%20me');
    const table = region.getByRole('table', { name: /most probable next tokens/ });
    await table.waitFor();
    assert.equal(await table.getByRole('row').count(), 1 + 20 + 1);
    await region.getByRole('slider', { name: /Top-k/ }).fill('5');
    await region.getByText(/^5 of 2048 tokens kept/).waitFor();
    await region.getByRole('slider', { name: /Top-k/ }).fill('0');
    await region.getByRole('slider', { name: /Top-p/ }).fill('0');
    await region.getByText(/^1 of 2048 tokens kept/).waitFor();
    assert.equal(await table.getByRole('cell', { name: 'cut' }).count(), 19);
    await region.getByRole('slider', { name: /Top-p/ }).fill('1');
    await region.getByRole('radio', { name: /Greedy/ }).check();
    await page.waitForFunction(() => location.search.includes('lm.mode=greedy'));
    await region.getByRole('button', { name: 'Generate 40 tokens' }).click();
    await page.waitForFunction(() => location.search.includes('lm.tokens=40'), null, { timeout: 20000 });
    const a = await continuation(page);
    await region.getByRole('spinbutton', { name: 'Seed' }).fill('7');
    await region.getByRole('spinbutton', { name: 'Seed' }).press('Tab');
    await page.waitForFunction(() => location.search.includes('lm.seed=7') && location.search.includes('lm.tokens=40'));
    assert.equal(await continuation(page), a, 'greedy text does not depend on the seed');
    const cp = page.getByRole('group', { name: /Predict, then reveal/ });
    await cp.getByRole('radio', { name: 'They write the same text' }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/^Right\. Computed just now/).waitFor();
    clean(log);
    await context.close();
  });

  it('inspects any token: its step, the inside of the step and the attention per head', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=lm&lm.prompt=It%20was%20the%20best%20of%20times&lm.tokens=10&lm.seed=3');
    const seq = region.getByRole('group', { name: /The tokens/ });
    const buttons = seq.getByRole('button');
    await page.waitForFunction(() => document.querySelectorAll('.lm-seq button').length > 10);
    const n = await buttons.count();
    await buttons.nth(n - 3).click();
    await page.waitForFunction((k) => location.search.includes(`lm.pick=${k}`), n - 3);
    assert.match(await page.getByTestId('lm-chosen').innerText(), new RegExp(`^After token ${n - 3} sampled with u = 0\\.\\d{3} → “.+” \\(probability \\d+\\.\\d % before filtering`));
    assert.equal(await buttons.nth(n - 3).getAttribute('aria-pressed'), 'true');
    // Keyboard: the tokens are buttons reachable by Tab and pressed by Enter.
    await buttons.nth(2).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('lm.pick=2'));
    assert.match(await page.getByTestId('lm-chosen').innerText(), /^After token 2 the prompt continues with/);
    await region.getByRole('combobox', { name: 'Block (layer)' }).selectOption({ label: 'Block 3' });
    await page.waitForFunction(() => location.search.includes('lm.layer=2'));
    await region.getByText(/Attention weights of token 2 in block 3 as a table/).click();
    const att = region.locator('.lm-att-table');
    assert.equal(await att.getByRole('row').count(), 1 + 3);
    // every head's weights over tokens 0..2 sum to 1
    const sums = await att.evaluate((t) => {
      const rows = [...t.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map((c) => Number(c.textContent)));
      return rows[0].map((_, h) => rows.reduce((s, r) => s + r[h], 0));
    });
    for (const s of sums) assert.ok(Math.abs(s - 1) < 0.01, `head sums ${sums}`);
    await region.getByText(/^Embedding: row \d+ of the 2048×128 token table/).waitFor();
    await region.getByText(/^Block 4: attention and MLP add a vector of length/).waitFor();
    clean(log);
    await context.close();
  });

  it('handles an empty prompt, a prompt longer than the context, unknown text and bad link values', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=lm&lm.prompt=&lm.temperature=NaN&lm.top_p=7&lm.tokens=5');
    await region.getByText(/The prompt is empty: the model starts from the end-of-text token/).waitFor();
    await page.getByText(/lm\.temperature=NaN/).waitFor();
    await page.getByText(/lm\.top_p=7/).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.lm-seq button').length === 6);
    await screenshot(page, 'llm-phone');
    const long = 'The sea was calm and the ship sailed on. '.repeat(80);
    await region.getByRole('textbox', { name: 'Prompt' }).fill(long);
    await region.getByText(/The prompt is longer than this model's context of 256 tokens: its first \d+ tokens were left out/).waitFor();
    await region.getByRole('textbox', { name: 'Prompt' }).fill('日本語 🙂 <|endoftext|> <script>alert(1)</script>');
    await region.getByRole('button', { name: 'Generate 40 tokens' }).click();
    await page.waitForFunction(() => location.search.includes('lm.tokens=40'), null, { timeout: 20000 });
    assert.equal(await page.locator('script:text("alert(1)")').count(), 0);
    const bodyWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(bodyWidth <= 362, `no sideways scrolling at 360 px (${bodyWidth})`);
    clean(log);
    await context.close();
  });

  it('explains damaged weights, and the rest of the page keeps working', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.route('**/public/lm/model.bin', (r) => r.fulfill({ status: 200, body: Buffer.from('GPT1 this is not a model') }));
    await page.goto(env.server.origin + '/?page=llm');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    await region.getByRole('alert').getByText(/The model weights are damaged/).waitFor({ timeout: 30000 });
    await page.getByRole('link', { name: 'Tokens' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Tokens' }).waitFor();
    assert.deepEqual(log.pageErrors, []);
    await context.close();
  });
});
