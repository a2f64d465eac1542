// The Tokens section in headless Chromium: real tokenizers, compare, bytes, decoding, merge replay,
// training, labels, the checkpoint, bad input, and ids equal to the npm package gpt-tokenizer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser } from './lib/browser.mjs';

const env = useServerAndBrowser();


/** The ids shown for panel a or b, as numbers. */
async function shownIds(page, panel = 'First tokenizer') {
  const group = page.getByRole('region', { name: panel }).getByRole('group', { name: 'Token ids' });
  await group.waitFor();
  const text = await group.innerText();
  return text.split(/\s+/).filter(Boolean).map(Number);
}

async function typeText(page, text) {
  await page.getByRole('textbox', { name: 'Text to tokenize' }).fill(text);
}

async function openTokens(page, query = '') {
  await page.goto(env.server.origin + '/?page=tokens' + query);
  await appReady(page);
  await page.waitForFunction(() => !document.querySelector('.tokenizer .loading progress'), null, { timeout: 20000 });
}

const ADVERSARIAL = [
  '👩🏽‍💻👨‍👩‍👧‍👦🏳️‍🌈 family emoji with ZWJ and skin tones 👍🏿',
  'e\u0301 a\u0308\u0323 Z\u0335\u030d\u0353a\u0336l\u0334g\u0337o combining marks',
  '日本語のテキストを分割します。中文分词测试。한국어 문장입니다.',
  'مرحبا بالعالم שלום עולם mixed RTL and LTR',
  'Ελληνικά кириллица English日本 mixed scripts',
  '     runs    of   spaces\n\n\n\nand\r\nnewlines\t\ttabs  \n  ',
  '1234567890 3.14159 1,000,000 0x1F 2024-11-30',
  "I'm you're they've we'll she'd it's DON'T I'M 'S",
  'NUL\u0000and\u0001\u0007\u001b[0mcontrol\u007fchars',
  'camelCaseWords HTTPServer getHTTPResponseCode iPhone',
];

describe('tokenizer widget', () => {
  it('tokenizes typed text with each real encoding, ids equal to gpt-tokenizer', async () => {
    const { context, page, log } = await openPage(env.browser);
    await openTokens(page);
    const peers = await page.evaluate(async () => {
      const load = async (name) => (await import(`/peer/gpt-tokenizer/esm/encoding/${name}.js`)).default;
      window.__peers = { gpt2: await load('r50k_base'), cl100k: await load('cl100k_base'), o200k: await load('o200k_base') };
      return Object.keys(window.__peers);
    });
    assert.deepEqual(peers, ['gpt2', 'cl100k', 'o200k']);
    for (const key of ['gpt2', 'cl100k', 'o200k']) {
      await page.getByRole('combobox', { name: 'Tokenizer', exact: true }).selectOption(key);
      for (const s of ADVERSARIAL) {
        await typeText(page, s);
        // A textarea turns \r\n into \n: compare on the text the page really holds.
        const value = await page.getByRole('textbox', { name: 'Text to tokenize' }).inputValue();
        const want = await page.evaluate(([k, text]) => window.__peers[k].encode(text, { disallowedSpecial: new Set() }), [key, value]);
        assert.deepEqual(await shownIds(page), want, `${key}: ${JSON.stringify(s)}`);
      }
    }
    clean(log);
    await context.close();
  });

  it('counts, marks whitespace, and shows the bytes of a token that cuts a character', async () => {
    const { context, page, log } = await openPage(env.browser);
    await openTokens(page, '&tokens.enc=gpt2');
    await typeText(page, 'hi  there\n日');
    const region = page.getByRole('region', { name: 'First tokenizer' });
    await region.getByText('Tokens', { exact: true }).waitFor();
    const list = region.getByRole('list', { name: /Tokens of the text/ });
    const items = list.getByRole('listitem');
    const labels = await items.allInnerTexts();
    assert.ok(labels.includes('·'), 'a space is shown as a middle dot');
    assert.ok(labels.some((l) => l.startsWith('↵')), 'a line break is shown');
    assert.ok(labels.some((l) => /^⟨[0-9A-F ]+⟩$/.test(l)), 'a partial character is shown as bytes');
    // Focus the byte token and read the inspector.
    const byteToken = items.filter({ hasText: /^⟨/ }).first();
    await byteToken.click();
    assert.match(await region.locator('.inspector').innerText(), /part of “日” \(⟨E6 97 A5⟩\)/);
    // Keyboard: arrows move between tokens.
    await items.first().focus();
    await page.keyboard.press('ArrowRight');
    assert.match(await region.locator('.inspector').innerText(), /^Token 2 /);
    // Turning whitespace marks off shows the raw text.
    await page.getByRole('checkbox', { name: 'Show spaces and line breaks' }).uncheck();
    assert.ok(!(await items.allInnerTexts()).includes('·'));
    clean(log);
    await context.close();
  });

  it('compares two tokenizers and marks where they disagree', async () => {
    const { context, page, log } = await openPage(env.browser);
    await openTokens(page, '&tokens.enc=o200k');
    await typeText(page, '今日はとても良い天気ですね。');
    await page.getByRole('checkbox', { name: 'Compare with a second tokenizer' }).check();
    await page.getByRole('combobox', { name: 'Second tokenizer' }).selectOption('gpt2');
    const diff = page.locator('.difference');
    await diff.filter({ hasText: /more tokens/ }).waitFor({ timeout: 20000 });
    assert.match(await diff.innerText(), /^GPT-2 needs \d+ more tokens than o200k/);
    assert.ok(await page.getByRole('region', { name: 'Second tokenizer' }).locator('.tok.differs').count() > 0);
    assert.equal(new URL(page.url()).searchParams.get('tokens.cmp'), 'gpt2');
    clean(log);
    await context.close();
  });

  it('decodes ids, and explains bad ids instead of failing', async () => {
    const { context, page, log } = await openPage(env.browser);
    await openTokens(page, '&tokens.enc=cl100k');
    await page.getByText('Decode ids back into text').click();
    const box = page.getByRole('textbox', { name: /Token ids for cl100k/ });
    await box.fill('[15339, 1917]');
    await page.locator('.decoded-text').filter({ hasText: 'hello world' }).waitFor();
    await box.fill('15339, banana');
    await page.getByText('“banana” is not a token id').waitFor();
    await box.fill('15339 999999999');
    await page.getByText(/id 999999999 \(number 2 in the list\) is not in this vocabulary of 100256 tokens/).waitFor();
    clean(log);
    await context.close();
  });

  it('shows the self-supervised examples of the text', async () => {
    const { context, page, log } = await openPage(env.browser);
    await openTokens(page, '&tokens.enc=words');
    await typeText(page, 'The cat sat on the mat.');
    await page.locator('summary', { hasText: 'Labels for free' }).click();
    const next = page.getByRole('table', { name: /Next-token prediction/ });
    assert.deepEqual(await next.getByRole('row').nth(1).getByRole('cell').allInnerTexts(), ['The', '·']);
    assert.deepEqual(await next.getByRole('row').nth(2).getByRole('cell').allInnerTexts(), ['The·', 'cat']);
    const masked = page.getByRole('table', { name: /Masked-token prediction/ });
    assert.match(await masked.getByRole('row').nth(1).innerText(), /\[MASK\]/);
    clean(log);
    await context.close();
  });

  it('keeps text, tokenizer and options in the URL, and warns about a bad value', async () => {
    const { context, page, log } = await openPage(env.browser);
    await openTokens(page, '&tokens.enc=klingon&tokens.text=hello%20world');
    await page.getByText(/tokens\.enc=klingon.*is not one of gpt2, cl100k, o200k/).waitFor();
    await page.getByRole('combobox', { name: 'Tokenizer', exact: true }).selectOption('o200k');
    await page.waitForFunction(() => location.search.includes('tokens.enc=o200k'));
    await page.goto(page.url());
    await appReady(page);
    assert.equal(await page.getByRole('textbox', { name: 'Text to tokenize' }).inputValue(), 'hello world');
    assert.equal(await page.getByRole('combobox', { name: 'Tokenizer', exact: true }).inputValue(), 'o200k');
    await page.waitForFunction(() => document.querySelector('.tok-ids')?.innerText.split(/\s+/).join(' ') === '24912 2375');
    assert.deepEqual(await shownIds(page), [24912, 2375]);
    clean(log);
    await context.close();
  });

  it('stays usable with a 1 MB paste and an empty text', async () => {
    const { context, page, log } = await openPage(env.browser);
    await openTokens(page);
    await typeText(page, '');
    await page.locator('[data-testid="a-count"]').filter({ hasText: /^0$/ }).waitFor();
    const big = 'All work and no play makes Jack a dull boy. '.repeat(24000); // ≈ 1 MB
    await typeText(page, big);
    await page.getByText(/Showing the first 1500 of \d+ tokens/).waitFor({ timeout: 30000 });
    const n = Number(await page.locator('[data-testid="a-count"]').innerText());
    assert.ok(n > 200000, `counted ${n} tokens`);
    assert.match(await page.getByText(/Links keep only the first 2000 characters/).innerText(), /2000/);
    clean(log);
    await context.close();
  });
});

describe('merge replay', () => {
  it('steps through the merges of a word with their ranks', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=tokens&merges.word=%20lower&merges.enc=gpt2');
    await appReady(page);
    const region = page.getByRole('region', { name: 'Merge replay' });
    await region.getByText(/Merge step 0 of \d+/).waitFor({ timeout: 20000 });
    const row = region.getByRole('list', { name: 'Tokens of this piece at this step' });
    assert.deepEqual(await row.getByRole('listitem').allInnerTexts(), ['·', 'l', 'o', 'w', 'e', 'r']);
    await region.getByRole('button', { name: 'Next merge ▶' }).click();
    assert.match(await region.locator('.merge-next').innerText(), /rank \d+/);
    // Slider to the end: the final tokens equal the encoder's.
    const slider = region.getByRole('slider', { name: /Merge step/ });
    await slider.focus();
    await page.keyboard.press('End');
    await region.getByText(/^Done after \d+ merges/).waitFor();
    assert.deepEqual(await row.getByRole('listitem').allInnerTexts(), ['·lower']);
    clean(log);
    await context.close();
  });
});

describe('BPE training', () => {
  it('learns merges live on Moby Dick, starting with the most frequent pairs, then tokenizes with them', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=tokens&bpe-train.size=300');
    await appReady(page);
    const region = page.getByRole('region', { name: 'Train your own BPE tokenizer' });
    await region.getByText(/Moby Dick loaded/).waitFor({ timeout: 20000 });
    for (let i = 0; i < 5; i++) await region.getByRole('button', { name: 'Learn one merge' }).click();
    const table = region.getByRole('table', { name: /most recent merges/ });
    const newest = await table.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
    assert.deepEqual(newest.slice(0, 4), ['5', '“·t”', '“he”', '“·the”']);
    await region.getByRole('button', { name: '▶ Train' }).click();
    await region.getByText(/Done: the tokenizer above can now use it/).waitFor({ timeout: 30000 });
    await page.getByRole('combobox', { name: 'Tokenizer', exact: true }).selectOption('trained');
    await typeText(page, 'the whale');
    const ids = await shownIds(page);
    assert.ok(ids.length >= 2 && ids.length < 9, `trained tokenizer used ${ids.length} tokens`);
    clean(log);
    await context.close();
  });

  it('says so when the corpus is too small for the vocabulary', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=bpe-train&bpe-train.corpus=own&bpe-train.text=abab&bpe-train.size=400');
    await appReady(page);
    await page.getByRole('button', { name: '▶ Train' }).click();
    await page.getByText(/The corpus is too small for more/).waitFor({ timeout: 10000 });
    clean(log);
    await context.close();
  });
});

describe('checkpoint', () => {
  it('reveals the answer computed live', async () => {
    const { context, page, log } = await openPage(env.browser);
    await openTokens(page);
    const cp = page.getByRole('group', { name: /Predict, then reveal/ });
    await cp.getByRole('radio', { name: 'GPT-2 (r50k_base)' }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/^Not quite\. Counted just now: GPT-2 needs \d+ tokens/).waitFor({ timeout: 20000 });
    clean(log);
    await context.close();
  });
});
