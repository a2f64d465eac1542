// The embeddings widget in headless Chromium: real vectors, neighbours and arithmetic as the
// offline script computed them, PCA and t-SNE maps, contextual senses, URL state and embedding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser } from './lib/browser.mjs';

const env = useServerAndBrowser();
const fixture = (name) => JSON.parse(fs.readFileSync(new URL(`../../core/tests/fixtures/embeddings/${name}.json`, import.meta.url)));

async function openWidget(query = '?page=embeddings') {
  const { context, page, log } = await openPage(env.browser);
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: 'Embedding map' });
  await region.getByRole('table', { name: /Nearest to/ }).waitFor({ timeout: 20000 });
  return { context, page, log, region };
}

describe('Embeddings widget', () => {
  it('lists the nearest neighbours in 384-d with the cosines the offline script computed', async () => {
    const { context, page, log, region } = await openWidget();
    const table = region.getByRole('table', { name: 'Nearest to “cat” (cosine similarity in 384 dimensions)' });
    const rows = await table.getByRole('row').allInnerTexts();
    const expected = fixture('neighbours').neighbours.cat;
    const got = rows.slice(1).map((r) => r.split('\t').map((s) => s.trim()));
    assert.equal(got.length, 10);
    got.forEach(([w, c], k) => {
      assert.equal(w, expected[k].word);
      assert.equal(c, expected[k].cos.toFixed(3));
    });
    const kitten = fixture('cosines').pairs.find((p) => p.a === 'cat' && p.b === 'kitten');
    assert.equal(got[0][1], kitten.cos_int8.toFixed(3));
    // Clicking a neighbour searches it; an unknown word explains itself; the search is in the URL.
    await table.getByRole('button', { name: 'kitten' }).click();
    await region.getByRole('table', { name: /Nearest to “kitten”/ }).waitFor();
    await region.getByRole('textbox', { name: 'Search a word' }).fill('zyzzyva');
    await region.getByRole('textbox', { name: 'Search a word' }).press('Enter');
    await region.getByText(/“zyzzyva” is not among the 5,000 words/).waitFor();
    await page.waitForFunction(() => location.search.includes('embeddings.word=zyzzyva'));
    await region.getByRole('button', { name: 'car', exact: true }).click();
    await region.getByRole('table', { name: /Nearest to “car”/ }).waitFor();
    const [csv] = await Promise.all([page.waitForEvent('download'), region.getByRole('button', { name: 'Download neighbours (CSV)' }).click()]);
    const text = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
    assert.equal(text[0], 'word,neighbour,cosine');
    assert.equal(text.length, 11);
    clean(log);
    await context.close();
  });

  it('does vector arithmetic like the fixture, and says which words are missing', async () => {
    const { context, page, log, region } = await openWidget();
    const king = fixture('analogy').analogies.find((a) => a.expression === 'king - man + woman');
    const list = region.getByRole('list', { name: 'Nearest words to the result' });
    const items = await list.getByRole('listitem').allInnerTexts();
    assert.deepEqual(items.map((t) => t.split(' ')[0]), king.top.map((t) => t.word));
    assert.equal(items[0].split(' ')[1], king.top[0].cos.toFixed(3));
    await region.getByRole('textbox', { name: 'take away' }).fill('qwxyz');
    await region.getByRole('textbox', { name: 'take away' }).press('Enter');
    await region.getByText('Not in the table: “qwxyz”.').waitFor();
    clean(log);
    await context.close();
  });

  it('switches to t-SNE, runs it live, and measures what each map keeps of the neighbours', async () => {
    const { context, page, log, region } = await openWidget('?page=embeddings&embeddings.perplexity=10');
    const keeps = page.getByTestId('emb-preservation');
    await page.waitForFunction(() => /PCA keeps \d+\.\d %/.test(document.querySelector('[data-testid="emb-preservation"]').textContent), null, { timeout: 30000 });
    await region.getByRole('radio', { name: /t-SNE/ }).check();
    await page.waitForFunction(() => location.search.includes('embeddings.projection=tsne'));
    await region.getByRole('button', { name: '▶ Run t-SNE' }).click();
    await region.getByText(/^Iteration ([3-9]\d|\d{3,})/).waitFor({ timeout: 30000 });
    await region.getByRole('button', { name: '❚❚ Pause' }).click();
    await page.waitForFunction(() => /t-SNE after \d+ iterations keeps \d+\.\d %/.test(document.querySelector('[data-testid="emb-preservation"]').textContent), null, { timeout: 20000 });
    const [, pcaKeeps] = (await keeps.innerText()).match(/PCA keeps (\d+\.\d) %/);
    const ref = fixture('neighbour_preservation');
    assert.ok(Math.abs(Number(pcaKeeps) / 100 - ref.pca_2d) < 0.002, `PCA keeps ${pcaKeeps} %, script says ${ref.pca_2d}`);
    assert.match(await region.getByRole('img', { name: /t-SNE after \d+ iterations/ }).getAttribute('aria-label'), /5,000 English words/);
    // Keyboard: the map can be focused, zoomed and panned.
    const map = region.getByRole('img', { name: /Map of 5,000 English words/ });
    await map.focus();
    await page.keyboard.press('+');
    await page.keyboard.press('ArrowLeft');
    // n steps a highlight through the searched word and its neighbours, for keyboard users.
    await page.keyboard.press('n');
    await page.keyboard.press('n');
    assert.match(await map.getAttribute('aria-label'), /Highlighted: “kitten”/);
    clean(log);
    await context.close();
  });

  it('shows a word in different sentences, and embeds alone with its state', async () => {
    const { context, page, log, region } = await openWidget('?embed=embeddings&embeddings.sense=bank&embeddings.word=king');
    await region.getByRole('table', { name: /Nearest to “king”/ }).waitFor();
    await page.getByTestId('emb-senses-score').getByText(/of 20 sentences are closer/).waitFor();
    assert.match(await page.getByTestId('emb-senses-score').innerText(), /bank \(/);
    // Pointing at a dot reads out its sentence.
    const plot = region.getByRole('img', { name: /The word in 20 sentences/ });
    await plot.scrollIntoViewIfNeeded();
    const box = await plot.boundingBox();
    let found = false;
    for (let i = 1; i < 20 && !found; i++) {
      for (let j = 1; j < 20 && !found; j++) {
        await page.mouse.move(box.x + box.width * i / 20, box.y + box.height * j / 20);
        found = !(await region.getByText('Point at a dot to read its sentence.').isVisible());
      }
    }
    assert.ok(found, 'some dot shows its sentence');
    assert.match(await region.locator('.sense-sentence').innerText(), /^“.*bank.*” — bank \(/i);
    await region.getByText('Show the sentences').click();
    assert.equal(await region.getByRole('table', { name: /Sentences and the meaning/ }).getByRole('row').count(), 21);
    const cp = page.getByRole('group', { name: /Predict, then reveal/ });
    await cp.getByRole('radio', { name: 'car' }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/cos\(cat, kitten\) = 0\.789/).waitFor();
    assert.equal(await page.getByRole('navigation').count(), 0, 'embed mode shows no site navigation');
    clean(log);
    await context.close();
  });

  it('explains a damaged or missing data file instead of breaking the page', async () => {
    for (const [file, body, status, message] of [
      ['words.bin', 'EMB1 not really', 200, /The embedding data \(words\.bin\) is damaged/],
      ['senses.json', '{"rows": [', 200, /The embedding data \(senses\.json\) is damaged: not valid JSON/],
      ['words.json', 'gone', 404, /Could not load public\/embeddings\/words\.json: the server answered 404/],
    ]) {
      const { context, page, log } = await openPage(env.browser);
      await page.route(`**/public/embeddings/${file}`, (route) => route.fulfill({ status, body }));
      await page.goto(env.server.origin + '/?page=embeddings');
      await appReady(page);
      const region = page.getByRole('region', { name: 'Embedding map' });
      await region.getByRole('alert').filter({ hasText: message }).waitFor();
      // The rest of the page still works: the site navigation leads on.
      await page.getByRole('navigation').getByRole('link', { name: 'GANs' }).click();
      await page.getByRole('heading', { name: 'Generative adversarial networks' }).waitFor();
      log.console = log.console.filter((m) => !/404|Failed to load resource/.test(m));
      clean(log);
      await context.close();
    }
  });
});
