// The messages an embedded widget posts to its course page (README, "Messages to the embedding
// page"), through the example course page shipped in public/examples/: the checkpoint answer
// arrives with widget id, question id, answer and correctness; the frame's height follows the widget.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, assertCleanConsole as clean, useServerAndBrowser } from './lib/browser.mjs';

const env = useServerAndBrowser();

describe('embed messages', () => {
  it('the example course page records a checkpoint answer and sizes the frame from height messages', async () => {
    const { context, page, log } = await openPage(env.browser);
    const messages = [];
    await page.exposeFunction('recordMessage', (m) => messages.push(m));
    await page.addInitScript(() => window.addEventListener('message', (e) => window.recordMessage(e.data)));
    await page.goto(env.server.origin + '/public/examples/course.html');
    const frame = page.frameLocator('iframe[title^="GAN training"]');
    await frame.getByRole('heading', { name: 'GAN training' }).waitFor({ timeout: 60000 });
    // the height message arrives and the page applies it
    await page.waitForFunction(() => document.getElementById('widget').style.height.endsWith('px'));
    const height = messages.find((m) => m.type === 'height');
    assert.equal(height.source, 'genai-explorables');
    assert.equal(height.widget, 'gan');
    assert.ok(height.height > 500, `height ${height.height}`);
    const cp = frame.getByRole('group', { name: /Predict, then reveal/ });
    await cp.getByRole('radio', { name: 'One or two' }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/^(Right|Not quite)\./).waitFor({ timeout: 20000 });
    const said = await cp.getByRole('status').innerText();
    const right = said.startsWith('Right.');
    const logRegion = page.getByRole('log');
    await logRegion.getByText(new RegExp(`^gan / cp-gan-collapse: answer 2 \\(“One or two”\\) — ${right ? 'correct' : 'not correct'}$`)).waitFor({ timeout: 20000 });
    const m = messages.find((x) => x.type === 'checkpoint');
    assert.deepEqual(Object.keys(m).sort(), ['answer', 'answerText', 'correct', 'question', 'questionText', 'source', 'type', 'widget']);
    assert.equal(m.correct, right);
    assert.equal(m.answer, 2);
    clean(log);
    await context.close();
  });

  it('a widget on its own page (not in a frame) posts nothing', async () => {
    const { context, page, log } = await openPage(env.browser);
    const messages = [];
    await page.exposeFunction('recordMessage', (m) => messages.push(m));
    await page.addInitScript(() => window.addEventListener('message', (e) => window.recordMessage(e.data)));
    await page.goto(env.server.origin + '/?embed=gan');
    await page.getByRole('heading', { name: 'GAN training' }).waitFor({ timeout: 60000 });
    const cp = page.getByRole('group', { name: /Predict, then reveal/ });
    await cp.getByRole('radio', { name: 'One or two' }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/^(Right|Not quite)\./).waitFor({ timeout: 20000 });
    assert.equal(messages.filter((x) => x?.source === 'genai-explorables').length, 0);
    clean(log);
    await context.close();
  });
});
