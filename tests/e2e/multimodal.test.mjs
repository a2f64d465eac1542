// The multimodal section in headless Chromium: the CLIP-style model trains live (loss falls, the
// similarity matrix's diagonal rises, held-out recall@5 passes twice chance, the checkpoint answers
// from the run); the "use" widget searches icons with words, captions an icon and a drawing,
// classifies over typed labels, reports held-out recall@k against chance and its worst failures;
// bad input — an unknown word, an empty label list, a blank drawing, a huge or non-picture upload,
// garbage in the URL, a diverging learning rate — gets a clear message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const TRAIN = 'Train an image–text model (CLIP-style)';
const USE = 'Search, caption and classify in one space';

async function open(page, query, title, ready) {
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: title });
  await region.scrollIntoViewIfNeeded({ timeout: 60000 });
  await region.getByTestId(ready).waitFor({ timeout: 60000 });
  return region;
}
const pct = async (region, id) => parseFloat(await region.getByTestId(id).innerText());
const trained = (page) => page.waitForFunction(() => /Trained for/.test(document.querySelector('[data-testid="clip-use-progress"]')?.innerText ?? ''), null, { timeout: 120000 });

describe('Multimodal: a contrastive image–text model', () => {
  it('trains live: the loss falls, held-out recall@5 passes twice chance, the diagonal lights up, the checkpoint answers', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?page=multimodal', TRAIN, 'clip-steps');
    const matrix = region.getByRole('img', { name: /Similarity matrix of 10 training pairs/ });
    const diag = async () => Number((await matrix.getAttribute('aria-label')).match(/on the diagonal (-?[\d.]+)/)[1]);
    const off = async () => Number((await matrix.getAttribute('aria-label')).match(/off the diagonal (-?[\d.]+)/)[1]);
    const d0 = await diag();
    const cp = region.getByRole('group', { name: /how often will its own caption be among the 5 nearest/ });
    await cp.getByRole('radio', { name: /Well above chance/ }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/Train for at least 300 steps first/).waitFor();
    await region.getByRole('button', { name: /▶ Train/ }).click();
    await page.waitForFunction(() => parseInt(document.querySelector('[data-testid="clip-steps"]')?.innerText ?? '0') >= 400, null, { timeout: 120000 });
    await region.getByRole('button', { name: /Pause/ }).click();
    const it = await pct(region, 'clip-r5-it');
    const ti = await pct(region, 'clip-r5-ti');
    const reached = await region.getByTestId('clip-reached').innerText();
    const speed = await region.getByTestId('clip-speed').innerText();
    const d1 = await diag();
    const o1 = await off();
    console.log(`# CLIP 400+ steps: held-out R@5 ${it} % / ${ti} % (chance 2.4 %), 2× chance at ${reached}, ${speed}; diagonal cosine ${d0} → ${d1}, off-diagonal ${o1}`);
    assert.ok(it > 4.8 && ti > 4.8, `recall@5 ${it} / ${ti}`);
    assert.match(reached, /^step \d+/);
    assert.ok(d1 > d0 + 0.3 && d1 > o1 + 0.3, `diagonal ${d0} → ${d1}, off ${o1}`);
    assert.ok(parseFloat(await region.getByTestId('clip-loss').innerText()) < 2, 'the loss fell');
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    const said = await cp.getByRole('status').innerText();
    assert.match(said, /^Right\. Measured now, after \d+ steps/);
    // text alternatives: the projection and the matrix as tables
    await region.getByText('Show the matrix as a table').click();
    assert.equal(await region.getByRole('table', { name: /cosine with its own caption/ }).getByRole('row').count(), 11);
    await region.getByText('Show the pairs as a table').click();
    assert.equal(await region.getByRole('table', { name: /where its icon and its caption land/ }).getByRole('row').count(), 11);
    await screenshot(page, 'multimodal-desktop');
    clean(log);
    await context.close();
  });

  it('a far too high learning rate is caught, explained and reset; garbage in the URL gets notices', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=clip-train&clip-train.lr=1&clip-train.batch=zebra&clip-train.seed=-4', TRAIN, 'clip-steps');
    await region.getByRole('status').filter({ hasText: /batch/ }).first().waitFor();
    await region.getByRole('button', { name: /▶ Train/ }).click();
    const alert = region.getByRole('alert').filter({ hasText: /diverged|stalled/ });
    const outcome = await Promise.race([
      alert.waitFor({ timeout: 60000 }).then(() => 'alert'),
      page.waitForFunction(() => parseInt(document.querySelector('[data-testid="clip-steps"]')?.innerText ?? '0') >= 600, null, { timeout: 60000 }).then(() => 'ran'),
    ]);
    const msg = outcome === 'alert' ? await alert.innerText() : '';
    console.log(`# lr 1: ${outcome} ${msg}`);
    assert.equal(outcome, 'alert', 'learning rate 1 is reported');
    await region.getByRole('button', { name: 'Reset the run' }).click();
    assert.equal(await region.getByTestId('clip-steps').innerText(), '0');
    await screenshot(page, 'multimodal-phone');
    clean(log);
    await context.close();
  });

  it('uses the space: words → icons, an icon → captions, zero-shot labels, recall@k against chance, failures', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=clip-use', USE, 'clip-use-progress');
    await trained(page);
    const results = region.getByTestId('clip-use-results');
    await results.getByRole('listitem').first().waitFor();
    const top = await results.getByRole('listitem').allInnerTexts();
    console.log(`# “heart” → ${top.slice(0, 4).join(' | ')}`);
    assert.equal(top.length, 8);
    assert.ok(top.slice(0, 5).some((t) => /heart/.test(t)), top.join(' | '));
    const ms = parseFloat((await region.getByTestId('clip-use-time').innerText()).match(/([\d.]+) ms/)[1]);
    assert.ok(ms >= 0, 'search time shown');
    // an unknown word among known ones is named; only unknown words → a message, no results
    const q = region.getByRole('searchbox', { name: 'Search the icons with words' });
    await q.fill('heart qwzx');
    await region.getByTestId('clip-use-search-message').filter({ hasText: /Not in the vocabulary, ignored: qwzx/ }).waitFor();
    await q.fill('qwzx');
    await region.getByTestId('clip-use-search-message').filter({ hasText: /none of the words \(qwzx\) is in the vocabulary/ }).waitFor();
    await q.fill('');
    await region.getByTestId('clip-use-search-message').filter({ hasText: /Type a word or two/ }).waitFor();
    // user text is rendered as text
    await q.fill('<img src=x onerror=alert(1)> cloud');
    await region.getByText(/Not in the vocabulary, ignored: img, src, onerror/).waitFor();
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    // an icon → captions (the default: "cloud")
    const caps = await region.getByTestId('clip-use-captions').getByRole('listitem').allInnerTexts();
    assert.equal(caps.length, 5);
    console.log(`# cloud → ${caps.join(' | ')}`);
    // zero-shot: probabilities sum to 100 %
    const zero = region.getByTestId('clip-use-zero');
    const probs = (await zero.locator('tbody td:nth-child(3)').allInnerTexts()).map((t) => (t.trim().startsWith('<') ? 0 : parseFloat(t)));
    assert.equal(probs.length, 6);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 100) < 0.5, probs.join(','));
    const first = await zero.locator('tbody th').first().innerText();
    console.log(`# zero-shot on “cloud”: ${first} ${probs[0]} %`);
    const labels = region.getByRole('textbox', { name: 'Labels, separated by commas' });
    await labels.fill(' , ,');
    await region.getByTestId('clip-use-zero-message').filter({ hasText: /Type at least two labels/ }).waitFor();
    await labels.fill('qwzx, cloud');
    await region.getByTestId('clip-use-zero-message').filter({ hasText: /“qwzx” has no word the model knows/ }).waitFor();
    // held-out recall@k against chance, and the failures
    const recall = region.getByRole('table', { name: /Retrieval among the 208 held-out icons/ });
    const r5 = (await recall.getByRole('row', { name: /^5 / }).getByRole('cell').allInnerTexts()).map((t) => parseFloat(t));
    console.log(`# held-out R@5 after 800 steps: ${r5[0]} % / ${r5[1]} % (chance ${r5[2]} %)`);
    assert.ok(r5[0] > 2 * r5[2] && r5[1] > 2 * r5[2], r5.join(','));
    assert.equal(await region.getByRole('table', { name: 'Worst-ranked held-out icons' }).locator('tbody tr').count(), 5);
    clean(log);
    await context.close();
  });

  it('captions a drawing; a blank drawing, a huge or non-picture upload and an unknown icon get clear messages', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=clip-use&clip-use.steps=300&clip-use.icon=no-such-icon', USE, 'clip-use-progress');
    await region.getByTestId('clip-use-picture-message').filter({ hasText: /There is no icon called “no-such-icon”/ }).waitFor();
    await region.getByRole('combobox', { name: 'Icon' }).selectOption('heart');
    await trained(page);
    await region.getByRole('button', { name: 'Copy this icon into the drawing' }).click();
    assert.match(page.url(), /clip-use\.picture=own/);
    const caps = await region.getByTestId('clip-use-captions').getByRole('listitem').allInnerTexts();
    console.log(`# drawing (a copy of heart) → ${caps.join(' | ')}`);
    assert.equal(caps.length, 5);
    await region.getByRole('button', { name: 'Clear' }).click();
    await region.getByTestId('clip-use-picture-message').filter({ hasText: /Your drawing is blank/ }).waitFor();
    // draw by keyboard: focus the grid, paint a few cells
    const grid = region.getByRole('img', { name: /Your 24 × 24 image/ });
    await grid.focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+ArrowRight');
    await region.getByTestId('clip-use-captions').getByRole('listitem').first().waitFor();
    // uploads: not a picture; too large
    const upload = region.getByLabel('Or upload a picture');
    await upload.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await region.getByTestId('clip-use-upload-message').filter({ hasText: /is not a picture/ }).waitFor();
    await upload.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(41 * 1024 * 1024) });
    await region.getByTestId('clip-use-upload-message').filter({ hasText: /That file is 41 MB/ }).waitFor();
    clean(log);
    await context.close();
  });

  it('draws new pictures from words: guidance pulls them toward the words; empty and unknown words are explained', async () => {
    const { context, page, log } = await openPage(env.browser);
    const GEN = 'Words → a new picture (text-conditioned diffusion)';
    const made = () => page.waitForFunction(() => /^Made 4 pictures/.test(document.querySelector('[data-testid="clip-gen-status"]')?.innerText ?? ''), null, { timeout: 120000 });
    const cosines = async (region) => (await region.getByTestId('clip-gen-table').locator('tbody td:nth-child(2)').allInnerTexts()).map(Number);
    const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
    const region = await open(page, '?embed=clip-generate&clip-generate.prompt=heart&clip-generate.w=0', GEN, 'clip-gen-status');
    await made();
    const free = await cosines(region);
    await page.goto(env.server.origin + '/?embed=clip-generate&clip-generate.prompt=heart&clip-generate.w=4');
    await appReady(page);
    await made();
    const guided = await cosines(page.getByRole('region', { name: GEN }));
    const nearest = await page.getByTestId('clip-gen-table').locator('tbody td:nth-child(3)').allInnerTexts();
    console.log(`# “heart”: cosine with the words w = 0 ${free.join(', ')}; w = 4 ${guided.join(', ')}; nearest icons ${nearest.join(' | ')}`);
    assert.equal(guided.length, 4);
    assert.ok(mean(guided) > mean(free) + 0.1, `guidance raises the cosine: ${mean(free)} → ${mean(guided)}`);
    const r = page.getByRole('region', { name: GEN });
    await screenshot(page, 'multimodal-generate');
    await r.getByText('Show the pictures as text').click();
    assert.equal(await r.locator('pre').count(), 4);
    const prompt = r.getByRole('textbox', { name: 'Words to draw' });
    await prompt.fill('');
    await prompt.press('Enter');
    await prompt.blur();
    await r.getByTestId('clip-gen-message').filter({ hasText: /Type a word or two/ }).waitFor();
    await prompt.fill('qwzx');
    await prompt.blur();
    await r.getByTestId('clip-gen-message').filter({ hasText: /none of the words \(qwzx\) is in the vocabulary/ }).waitFor();
    clean(log);
    await context.close();
  });
});
