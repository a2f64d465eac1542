// The retrieval-augmented generation widget in headless Chromium: BM25 and embedding retrieval over
// every chunk, chunk size / overlap / top-k, the augmented prompt, answers with and without
// retrieval, the weights' fingerprint, the failure preset, the evaluation panel, URL round trip,
// embed, bad input and damaged files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const TITLE = 'Retrieval-augmented generation';

async function open(page, query) {
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: TITLE });
  await region.getByRole('textbox', { name: 'Question' }).waitFor({ timeout: 60000 });
  return region;
}

const text = (page, id) => page.getByTestId(id).innerText();
const chunkCount = async (page) => Number((await text(page, 'rag-index')).match(/→ ([\d,]+) chunks/)[1].replace(/,/g, ''));
/** Waits until the URL holds every `key=value` given (the widget mirrors its state there). */
const urlHas = (page, ...parts) => page.waitForFunction((ps) => ps.every((p) => location.search.includes(p)), parts, { timeout: 30000 });

describe('RAG widget', () => {
  it('retrieves the quoted passage by BM25, builds the prompt and answers with and without it; the weights do not change', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=rag');
    await page.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    // every chunk scored, fast
    const retrieval = await text(page, 'rag-retrieval');
    const m = retrieval.match(/^BM25 \(shared terms\) of ([\d,]+) chunks scored in ([\d.]+) ms/);
    assert.ok(m, retrieval);
    assert.equal(Number(m[1].replace(/,/g, '')), await chunkCount(page));
    assert.match(await text(page, 'rag-index'), /^233 documents, 209,912 words → [\d,]+ chunks\. Index built in \d+ ms/);
    await region.getByRole('img', { name: /^Scores of all [\d,]+ chunks in corpus order \(BM25/ }).waitFor();
    // why this ranking: every query term with the chunks holding it and its idf
    assert.match(await text(page, 'rag-terms'), /philadelphia \d+ \(\d+\.\d\)/);
    // the best chunk is the quoted passage of John Adams's 1797 address
    const top = page.getByTestId('rag-top');
    const first = top.getByRole('row').nth(1);
    assert.match(await first.innerText(), /1 ★\s+[\d.]+\s+1797, John Adams/);
    assert.match(await first.innerText(), /contagious sickness which afflicted the city of Philadelphia/);
    assert.equal(await top.getByRole('row').filter({ hasText: '★' }).count(), 3, 'three passages in the prompt (top-k = 3)');
    // the chart's text alternative
    await region.getByText('Show the scores as a table').click();
    await region.getByRole('table', { name: /How the [\d,]+ chunks' scores are spread/ }).waitFor();
    // the prompt, part by part, with token counts and citations
    const prompt = page.getByTestId('rag-prompt');
    assert.match(await prompt.locator('caption').innerText(), /^The augmented prompt: \d+ of 256 tokens \(12 kept for the answer\)/);
    for (const part of ['instruction', 'context', 'input', 'output indicator']) await prompt.getByRole('rowheader', { name: part, exact: true }).waitFor();
    assert.equal(await prompt.locator('ol.rag-docs li').count(), 3);
    assert.match(await prompt.locator('ol.rag-docs li').first().innerText(), /^\[1797, John Adams\] State of the Union, 1797\. John Adams \(Federalist\)\. /);
    await prompt.getByText('Answer the question from the documents.').waitFor();
    // two answers, each with its probability and cost
    const withDocs = region.getByRole('region', { name: 'With retrieval' });
    const closed = region.getByRole('region', { name: 'Without retrieval (closed book)' });
    for (const card of [withDocs, closed]) {
      await card.getByText(/^P\(this answer\) = /).waitFor();
      await card.getByText(/^\d+ prompt tokens \+ \d+ written, \d+ ms \(\d+ tokens\/s\)$/).waitFor();
    }
    assert.ok((await text(page, 'rag-answer-rag')).trim().length > 0);
    // fingerprint: when loaded = before = after
    const fp = await text(page, 'rag-checksum');
    const hex = [...fp.matchAll(/\b[0-9a-f]{16}\b/g)].map((x) => x[0]);
    assert.equal(hex.length, 3, fp);
    assert.ok(hex.every((h) => h === hex[0]), fp);
    assert.match(fp, /unchanged/);
    await screenshot(page, 'rag-desktop');
    clean(log);
    await context.close();
  });

  it('re-chunks live with the size and overlap sliders, and top-k changes the prompt', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=rag');
    await page.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    const before = await chunkCount(page);
    await region.getByRole('slider', { name: /^Chunk size/ }).fill('40');
    await urlHas(page, 'rag.size=40');
    await region.getByText('Chunk size: 40 words').waitFor();
    await page.waitForFunction((n) => !document.querySelector('[data-testid=rag-index]').textContent.includes(`→ ${n.toLocaleString('en-US')} chunks`), before);
    const bigger = await chunkCount(page);
    assert.ok(bigger < before, `bigger chunks, fewer of them: ${before} → ${bigger}`);
    await region.getByRole('slider', { name: /^Overlap/ }).fill('0');
    await urlHas(page, 'rag.overlap=0');
    await page.getByTestId("rag-index").getByText(/→ 5,330 chunks/).waitFor(); // Σ ⌈words / 40⌉ over the 233 documents
    // top-k by keyboard: the slider keeps focus while it moves
    const k = region.getByRole('slider', { name: /^Passages in the prompt/ });
    await k.fill('1');
    await urlHas(page, 'rag.k=1');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=rag-prompt] ol.rag-docs li').length === 1);
    await k.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await urlHas(page, 'rag.k=3');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'range');
    await k.fill('5');
    await urlHas(page, 'rag.k=5');
    // five passages of 40 words do not fit in 256 tokens: cut with a notice
    await page.getByTestId('rag-cut').getByText(/^The augmented prompt needed \d+ tokens, more than the 244 the model can read/).waitFor();
    const cap = await page.getByTestId('rag-prompt').locator('caption').innerText();
    assert.ok(Number(cap.match(/prompt: (\d+) of 256/)[1]) <= 244, cap);
    clean(log);
    await context.close();
  });

  it('retrieves by embedding similarity and names the words without a vector', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=rag&rag.query=Who%20gave%20the%20State%20of%20the%20Union%20address%20in%201797%3F');
    await page.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    await region.getByRole('radio', { name: /Embedding similarity/ }).check();
    await urlHas(page, 'rag.method=embedding');
    await page.getByTestId('rag-retrieval').getByText(/^Embedding similarity \(mean word vectors\) of [\d,]+ chunks scored in [\d.]+ ms/).waitFor({ timeout: 60000 });
    const r = await text(page, 'rag-retrieval');
    assert.match(r, /No vector for [^(]*“1797”[^(]* \(not among the table's 5,000 words\)/);
    assert.match(await text(page, 'rag-index'), /ms for the chunk vectors/);
    await region.getByRole('img', { name: /Embedding similarity/ }).waitFor();
    clean(log);
    await context.close();
  });

  it('shows the failure: a year with no address retrieves a wrong passage; the note reports what the model made of it', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=rag&rag.method=embedding');
    await region.getByRole('button', { name: 'Ask about a year with no address (1788)' }).click();
    await urlHas(page, 'rag.method=bm25', 'rag.query=Who%20gave');
    const note = page.getByTestId('rag-failure');
    await note.waitFor({ timeout: 60000 });
    assert.match(await text(page, 'rag-retrieval'), /No chunk contains “1788”/);
    // the note is computed from what happened: the top passage's source and the answer shown
    const n = await note.innerText();
    const firstSource = (await page.getByTestId('rag-top').getByRole('row').nth(1).getByRole('cell').nth(1).innerText()).replace(/\s*\(chunk \d+\)$/, '');
    assert.ok(n.includes(`the best chunk is from ${firstSource}`), `${n} / ${firstSource}`);
    const answer = (await text(page, 'rag-answer-rag')).replace(/ …$/, '').trim();
    assert.ok(n.includes(`the model answers “${answer}”`), `${n} / ${answer}`);
    await screenshot(page, 'rag-failure');
    // a question whose words match the wrong passages: the note says which passage, if any, the answer came from
    await region.getByRole('button', { name: 'Ask about the war with Spain' }).click();
    await page.getByTestId('rag-failure').getByText(/Spanish–American War/).waitFor({ timeout: 60000 });
    const spain = await text(page, 'rag-failure');
    const said = (await text(page, 'rag-answer-rag')).replace(/ …$/, '').trim();
    assert.ok(spain.includes(`the model answers “${said}”`), spain);
    assert.match(spain, /retrieved passage \d|did not copy a name|honest answer/);
    clean(log);
    await context.close();
  });

  it('evaluates closed book, the right document by hand and retrieval on the held-out questions', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=rag');
    await page.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    await region.getByRole('button', { name: 'Run the evaluation' }).click();
    await page.getByTestId('rag-eval-progress').getByText(/^Done: 144 held-out questions, BM25/).waitFor({ timeout: 240000 });
    const rows = page.getByTestId('rag-eval').getByRole('row');
    assert.equal(await rows.count(), 1 + 3);
    const cells = await page.getByTestId('rag-eval').locator('td').allInnerTexts();
    assert.equal(cells.length, 9);
    for (const c of cells) assert.match(c, /^\d+\/\d+ = \d+ % · \d+ ms · \d+ tokens$/);
    const all = await rows.nth(3).innerText();
    assert.match(all, /^all questions/);
    console.log(`# eval: ${all.replace(/\s+/g, ' ')}`);
    console.log(`# ${await text(page, 'rag-eval-hits')}`);
    assert.match(await text(page, 'rag-eval-hits'), /^The retriever brought back the right address for \d+ of 144 questions[;.]/);
    clean(log);
    await context.close();
  });

  it('sits on the prompts page', async () => {
    // (no console check here: the page's other widgets load files of their own)
    const { context, page } = await openPage(env.browser);
    const region = await open(page, '?page=prompts');
    await region.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    assert.equal(await page.getByRole('heading', { level: 2, name: TITLE }).count() >= 1, true);
    await context.close();
  });

  it('keeps its state in the URL, embeds alone and can add Moby Dick', async () => {
    const { context, page, log } = await openPage(env.browser);
    const q = '?embed=rag&rag.query=the%20white%20whale%20and%20the%20harpoon&rag.k=2&rag.size=25&rag.overlap=3&rag.corpus=addresses-moby';
    const region = await open(page, q);
    await page.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    assert.equal(await page.getByRole('heading', { level: 1, name: TITLE }).count(), 1, 'embed: the widget is the page');
    assert.match(await text(page, 'rag-index'), /^368 documents/);
    assert.equal(await region.getByRole('checkbox', { name: /Moby Dick/ }).isChecked(), true);
    assert.equal(await region.getByRole('slider', { name: /^Chunk size/ }).inputValue(), '25');
    assert.equal(await region.getByRole('slider', { name: /^Overlap/ }).inputValue(), '3');
    assert.equal(await region.getByRole('slider', { name: /^Passages/ }).inputValue(), '2');
    assert.match(await page.getByTestId('rag-top').getByRole('row').nth(1).innerText(), /Moby Dick, ch\. \d+/);
    await region.getByRole('textbox', { name: 'Question' }).fill('Who said "the calamities of the inhabitants of this city"?');
    await urlHas(page, 'rag.query=Who%20said');
    const url = page.url();
    const again = await context.newPage();
    await again.goto(url);
    await again.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    assert.equal(await again.getByRole('textbox', { name: 'Question' }).inputValue(), 'Who said "the calamities of the inhabitants of this city"?');
    assert.equal(await text(again, 'rag-top'), await text(page, 'rag-top'));
    assert.equal(await text(again, 'rag-answer-rag'), await text(page, 'rag-answer-rag'));
    clean(log);
    await context.close();
  });

  it('handles bad link values, an empty question, no match and typed markup', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=rag&rag.k=9&rag.method=nope&rag.size=10&rag.overlap=20');
    await page.getByText(/The link's “rag\.k=9”/).waitFor();
    await page.getByText(/The link's “rag\.method=nope”/).waitFor();
    await page.getByText(/The link's “rag\.overlap=20” must be smaller than the chunk size \(10 words\)/).waitFor();
    await urlHas(page, 'rag.overlap=9');
    await page.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    await screenshot(page, 'rag-phone');
    const box = region.getByRole('textbox', { name: 'Question' });
    await box.fill('');
    await page.getByTestId('rag-message').getByText(/^Type a question/).waitFor();
    await box.fill('zqxv qqwz');
    await page.getByTestId('rag-message').getByText(/^No chunk shares a single term with the question/).waitFor();
    assert.match(await text(page, 'rag-answer-rag'), /Nothing was retrieved/);
    await box.fill('<script>alert(1)</script> <|doc|> 1797');
    await page.getByTestId('rag-prompt').getByText('<script>alert(1)</script> <|doc|> 1797').waitFor();
    assert.equal(await page.locator('script:text("alert(1)")').count(), 0);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 362, `no sideways scrolling at 360 px (${width})`);
    clean(log);
    await context.close();
  });

  it('explains a damaged corpus file, damaged weights and damaged word vectors', async () => {
    const { context, page } = await openPage(env.browser);
    await page.route('**/public/lm/sotu-excerpts.txt', (r) => r.fulfill({ status: 200, body: 'not the corpus' }));
    await page.goto(env.server.origin + '/?embed=rag');
    await page.getByRole('alert').getByText(/The retrieval corpus \(sotu-excerpts\.txt\) is damaged: 1 passages for 233 addresses/).waitFor({ timeout: 60000 });
    const p2 = await context.newPage();
    await p2.route('**/public/lm/instruct.bin', (r) => r.fulfill({ status: 200, body: Buffer.from('GPT1 this is not a model') }));
    await p2.goto(env.server.origin + '/?embed=rag');
    await p2.getByRole('alert').getByText(/The model weights are damaged/).waitFor({ timeout: 60000 });
    const p3 = await context.newPage();
    await p3.route('**/public/embeddings/words.bin', (r) => r.fulfill({ status: 200, body: Buffer.from('EMB1 broken') }));
    await p3.goto(env.server.origin + '/?embed=rag&rag.method=embedding');
    await p3.getByRole('alert').getByText(/The word vectors \(words\.bin\) are damaged/).waitFor({ timeout: 60000 });
    // BM25 does not need them: switching back works
    await p3.getByRole('radio', { name: /BM25/ }).check();
    await p3.getByTestId('rag-checksum').waitFor({ timeout: 60000 });
    await context.close();
  });
});
