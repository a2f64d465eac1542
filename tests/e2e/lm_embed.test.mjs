// The LLM section's token-embedding map in headless Chromium: the model's own W_te rows on a PCA
// (or t-SNE) map, a token chosen by typing, its 10 nearest tokens by cosine, URL state, embedding,
// and damaged weights. Nothing here depends on which checkpoint is shipped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, SCREENSHOTS } from './lib/browser.mjs';

const env = useServerAndBrowser();
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious or critical WCAG 2.1 A/AA violations inside the widget (as app.test.mjs checks pages). */
async function axeViolations(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run('[data-widget="lm-embed"]', { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
const TITLE = "The model's own token embeddings";

async function openWidget(query = '?page=llm', options = {}) {
  const { context, page, log } = await openPage(env.browser, options);
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: TITLE });
  await region.getByRole('img', { name: /^Map of [\d,]+ text tokens/ }).waitFor({ timeout: 30000 });
  return { context, page, log, region };
}

/** The neighbours table of `token` (as shown, with ␣): its rows as [token, cosine]. */
async function neighbours(region, token) {
  const table = region.getByRole('table', { name: `Nearest to “${token}” (cosine similarity in 128 dimensions)` });
  await table.waitFor({ timeout: 20000 });
  const rows = (await table.getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t').map((s) => s.trim()));
  return { table, rows };
}

function assertCosines(rows, self) {
  assert.equal(rows.length, 10, 'ten neighbours');
  const cos = rows.map((r) => Number(r[1]));
  for (const c of cos) assert.ok(Number.isFinite(c) && c >= -1 && c <= 1, `cosine ${c} in [−1, 1]`);
  for (let k = 1; k < cos.length; k++) assert.ok(cos[k] <= cos[k - 1], `sorted descending: ${cos}`);
  assert.ok(!rows.some((r) => r[0] === self), 'the token itself is not its own neighbour');
  assert.ok(rows.every((r) => !r[0].includes(' ')), 'spaces are shown as ␣');
}

describe('LLM token-embedding map', () => {
  it('draws the map and lists 10 neighbours with cosines, for the default and for a typed token', async () => {
    const { context, page, log, region } = await openWidget();
    const map = region.getByRole('img', { name: /^Map of [\d,]+ text tokens/ });
    const label = await map.getAttribute('aria-label');
    const shownCount = Number(label.match(/^Map of ([\d,]+) text tokens/)[1].replace(',', ''));
    assert.ok(shownCount > 1500 && shownCount <= 2032, `${shownCount} tokens on the map`);
    assert.match(label, /128 dimensions squeezed to 2 by PCA\. “␣whale” and its 10 nearest tokens are marked/);
    // The canvas is really drawn: many distinct colours, not a blank rectangle.
    const colours = await map.evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 37) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
    assert.ok(colours > 20, `${colours} colours on the map`);
    assert.match(await page.getByTestId('lm-embed-facts').innerText(), /tokens shown: the \d+ single bytes .* 16 special tokens are left out\. PCA's two axes carry \d+\.\d % of the variance/);

    const whale = await neighbours(region, '␣whale');
    assertCosines(whale.rows, '␣whale');

    // Typing " the" (a space, or ␣) selects that single token; its neighbours follow; the URL keeps it.
    const box = region.getByRole('textbox', { name: /Choose a token/ });
    await box.fill(' the');
    await box.press('Enter');
    const the = await neighbours(region, '␣the');
    assertCosines(the.rows, '␣the');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('lm-embed.token') === ' the');
    assert.equal(await box.inputValue(), '␣the');
    // A neighbour is a button that chooses it.
    const first = the.rows[0][0];
    await the.table.getByRole('button', { name: first, exact: true }).click();
    assertCosines((await neighbours(region, first)).rows, first);
    // An example button chooses its token.
    await region.getByRole('group', { name: 'Example tokens' }).getByRole('button', { name: '␣ship', exact: true }).click();
    assertCosines((await neighbours(region, '␣ship')).rows, '␣ship');
    // Clicking a dot on the map chooses its token.
    await map.scrollIntoViewIfNeeded();
    const bb = await map.boundingBox();
    let picked = false;
    for (let i = 8; i <= 12 && !picked; i++) {
      for (let j = 8; j <= 12 && !picked; j++) {
        await page.mouse.click(bb.x + (bb.width * i) / 20, bb.y + (bb.height * j) / 20);
        picked = (await page.evaluate(() => new URLSearchParams(location.search).get('lm-embed.token'))) !== ' ship';
      }
    }
    assert.ok(picked, 'a click near the middle of the map chooses a token');
    await region.getByRole('table', { name: /^Nearest to “/ }).waitFor();
    clean(log);
    await context.close();
  });

  it('explains how a word that is not one token splits, and lets the learner pick a piece', async () => {
    const { context, page, log, region } = await openWidget();
    const box = region.getByRole('textbox', { name: /Choose a token/ });
    // "whale" without its space is not a token of this vocabulary; " whale" is.
    await box.fill('whale');
    await box.press('Enter');
    const split = page.getByTestId('lm-embed-split');
    await split.getByText(/“whale” is not one token: the tokenizer splits it into \d+ tokens/).waitFor();
    await split.getByRole('button', { name: '␣whale', exact: true }).click();
    assertCosines((await neighbours(region, '␣whale')).rows, '␣whale');
    // A name the tokenizer never merged: its pieces are offered, and each one is on the map.
    await box.fill('Ahab');
    await box.press('Enter');
    await split.getByText(/“Ahab” is not one token: the tokenizer splits it into [2-4] tokens/).waitFor();
    const pieces = split.getByRole('group', { name: 'Tokens of the text' }).getByRole('button');
    const names = await pieces.allInnerTexts();
    assert.ok(names.length >= 2, `pieces: ${names}`);
    assert.equal(names.join(''), 'Ahab');
    assert.deepEqual(await axeViolations(page), [], 'axe with the split explanation shown');
    await pieces.first().click();
    assertCosines((await neighbours(region, names[0])).rows, names[0]);
    assert.equal(await split.count(), 0, 'the explanation goes once a token is chosen');
    clean(log);
    await context.close();
  });

  it('keeps the token and the map method in the URL, runs t-SNE, and turns bad link values into notices', async () => {
    const { context, page, log, region } = await openWidget('?page=llm&lm-embed.token=%20he&lm-embed.method=tsne');
    assertCosines((await neighbours(region, '␣he')).rows, '␣he');
    assert.ok(await region.getByRole('radio', { name: /t-SNE/ }).isChecked());
    await region.getByText('Ready: press Run. The map starts from the PCA picture.').waitFor({ timeout: 30000 });
    await region.getByRole('button', { name: '▶ Run t-SNE' }).click();
    await region.getByText(/^Iteration ([3-9]\d|\d{3,})/).waitFor({ timeout: 30000 });
    await region.getByRole('button', { name: '❚❚ Pause' }).click();
    assert.match(await region.getByRole('img', { name: /^Map of/ }).getAttribute('aria-label'), /by t-SNE after \d+ iterations\. “␣he” and its 10 nearest/);
    // Back to PCA, and the URL follows; a reload restores it.
    await region.getByRole('radio', { name: /PCA/ }).check();
    await page.waitForFunction(() => location.search.includes('lm-embed.method=pca'));
    await page.reload();
    await appReady(page);
    const again = page.getByRole('region', { name: TITLE });
    assertCosines((await neighbours(again, '␣he')).rows, '␣he');
    assert.ok(await again.getByRole('radio', { name: /PCA/ }).isChecked());
    clean(log);
    await context.close();

    const bad = await openWidget('?page=llm&lm-embed.method=umap&lm-embed.token=Ahab');
    const notice = bad.region.getByRole('status').filter({ hasText: 'Some settings in this link could not be used' });
    await notice.getByText(/lm-embed\.method=umap/).waitFor();
    await notice.getByText(/lm-embed\.token=Ahab” is not a single token on this map/).waitFor();
    assert.ok(await bad.region.getByRole('radio', { name: /PCA/ }).isChecked());
    await bad.page.getByTestId('lm-embed-split').waitFor();
    clean(bad.log);
    await bad.context.close();
  });

  it('embeds alone with its state, and works by keyboard', async () => {
    const { context, page, log, region } = await openWidget('?embed=lm-embed&lm-embed.token=%20Congress');
    assert.equal((await page.locator('main h1').first().innerText()).trim(), TITLE);
    assert.equal(await page.getByRole('navigation').count(), 0, 'embed mode shows no site navigation');
    const { rows } = await neighbours(region, '␣Congress');
    assertCosines(rows, '␣Congress');
    const map = region.getByRole('img', { name: /^Map of/ });
    await map.focus();
    await page.keyboard.press('n');
    assert.match(await map.getAttribute('aria-label'), new RegExp(`Highlighted: “${rows[0][0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}”`));
    await page.keyboard.press('Enter');
    await neighbours(region, rows[0][0]);
    // The text alternative lists the chosen token and its neighbours with their map positions.
    await region.getByText('Show the marked tokens as text').click();
    const alt = region.getByRole('table', { name: /The chosen token and its nearest tokens on the map/ });
    assert.equal(await alt.getByRole('row').count(), 12);
    clean(log);
    await context.close();
  });

  it('explains damaged weights inside the widget; the rest of the page keeps working', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.route('**/lm/model.bin', (route) => route.fulfill({ status: 200, body: 'GPT1 this is not a model' }));
    await page.goto(env.server.origin + '/?page=llm');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    await region.getByRole('alert').filter({ hasText: /The model weights are damaged/ }).waitFor({ timeout: 30000 });
    assert.equal(await region.getByRole('img', { name: /^Map of/ }).count(), 1, 'the (empty) map is still there');
    await page.getByRole('navigation').getByRole('link', { name: 'Embeddings' }).click();
    await page.getByRole('heading', { level: 1, name: /Embeddings/ }).waitFor();
    clean(log);
    await context.close();
  });

  it('runs t-SNE until it settles and stops itself', async (t) => {
    const { context, page, log, region } = await openWidget('?page=llm&lm-embed.token=%20he');
    const t0 = Date.now();
    await region.getByRole('radio', { name: /t-SNE/ }).check();
    await region.getByText('Ready: press Run. The map starts from the PCA picture.').waitFor({ timeout: 30000 });
    const graphMs = Date.now() - t0;
    const t1 = Date.now();
    await region.getByRole('button', { name: '▶ Run t-SNE' }).click();
    await region.getByText(/^Iteration 1000: settled, stopped\.$/).waitFor({ timeout: 120000 });
    t.diagnostic(`neighbour graph ${graphMs} ms, 1000 t-SNE iterations ${Date.now() - t1} ms`);
    await region.getByRole('button', { name: '▶ Run t-SNE' }).waitFor();
    await mkdir(SCREENSHOTS, { recursive: true });
    const top = await region.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    const box = await region.boundingBox();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lm-embed-tsne-1280.png'), fullPage: true, clip: { x: box.x, y: top, width: box.width, height: box.height } });
    clean(log);
    await context.close();
  });

  it('looks right at desktop and phone width, light and dark, with no serious axe violations (screenshots)', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const [width, scheme] of [[1280, 'light'], [360, 'light'], [360, 'dark']]) {
      const { context, page, log, region } = await openWidget('?page=llm&lm-embed.token=%20he', { viewport: { width, height: 900 }, colorScheme: scheme });
      await neighbours(region, '␣he');
      await region.getByText('Show the marked tokens as text').click();
      assert.deepEqual(await axeViolations(page), [], `axe at ${width}px ${scheme}`);
      await region.getByText('Show the marked tokens as text').click();
      // A full-page shot clipped to the widget (an element shot would show the sticky header over it).
      const top = await region.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
      const box = await region.boundingBox();
      await page.screenshot({ path: path.join(SCREENSHOTS, `lm-embed-${width}-${scheme}.png`), fullPage: true, clip: { x: box.x, y: top, width: box.width, height: box.height } });
      const overflow = await region.evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok(overflow <= 1, `no horizontal overflow at ${width}px (${overflow}px)`);
      clean(log);
      await context.close();
    }
  });
});
