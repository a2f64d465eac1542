// "One model, many tasks" in headless Chromium: the whole held-out set answered by both models in
// the page, accuracy per task, the per-task models' costs, the link that starts it, damaged files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const TITLE = 'One model, many tasks';

describe('One model, many tasks', () => {
  it('scores every held-out example for both models, live, and shows what per-task models cost', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=tasks');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    await region.getByRole('button', { name: 'Run the evaluation' }).click();
    await page.waitForFunction(() => location.search.includes('tasks.run=1'));
    const progress = region.getByTestId('tasks-progress');
    await page.waitForFunction(() => {
      const m = document.querySelector('[data-testid="tasks-progress"]')?.innerText.match(/^(\d+) of (\d+) answers/);
      return m && m[1] === m[2];
    }, null, { timeout: 120000 });
    const [done, total] = (await progress.innerText()).match(/\d+/g).map(Number);
    assert.equal(done, total);
    assert.equal(total, 2 * (96 * 2 + 48 * 2 + 24 + 40 + 40 + 38), 'every scored held-out example, by both models');
    const table = region.getByRole('table', { name: /Exact-match accuracy on held-out examples/ });
    const rows = (await table.getByRole('row').allInnerTexts()).slice(1);
    assert.equal(rows.length, 8);
    for (const r of rows) assert.match(r, /\d+ % \(\d+ of \d+\)/, r);
    // classification is the easy task: the tuned model must beat a coin toss there, the base model cannot answer at all
    const source = rows.find((r) => r.startsWith('Moby Dick or an address?')).split('\t');
    const [tuned, base] = [source[2], source[3]].map((c) => Number(c.match(/^(\d+) %/)[1]));
    assert.ok(tuned >= 70, `classification ${tuned} %`);
    assert.ok(base <= 10, `base model ${base} %`);
    const costs = region.getByRole('table', { name: /What each way cost/ });
    assert.ok((await costs.getByRole('row').count()) >= 4);
    await screenshot(page, 'tasks-embed');
    clean(log);
    await context.close();
  });

  it('a link with tasks.run=1 starts the evaluation by itself; a damaged file is explained', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=tasks&tasks.run=1');
    await appReady(page);
    const region = page.getByRole('region', { name: TITLE });
    await page.waitForFunction(() => /^[1-9]\d* of/.test(document.querySelector('[data-testid="tasks-progress"]')?.innerText ?? ''), null, { timeout: 60000 });
    clean(log);
    const other = await context.newPage();
    await other.route('**/public/lm/instruct-eval.json', (r) => r.fulfill({ status: 200, body: '{"not": "a list"' }));
    await other.goto(env.server.origin + '/?embed=tasks');
    await other.getByRole('region', { name: TITLE }).getByRole('alert').getByText(/held-out examples .* are damaged/).waitFor({ timeout: 30000 });
    await context.close();
  });
});
