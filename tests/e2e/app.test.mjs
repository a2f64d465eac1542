// End-to-end tests of the release build in Debian's headless Chromium.
// Elements are found by role and accessible name, as a visitor (or a screen reader) finds them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SUB_PATH } from './lib/server.mjs';
import { ROUTES } from './lib/routes.mjs';
import { openPage, appReady, screenshot, assertCleanConsole, useServerAndBrowser } from './lib/browser.mjs';
import { runAxe } from './lib/axe.mjs';

const WIDTHS = [1280, 360];

const env = useServerAndBrowser();

/** Every request went to our own server (data: URLs never leave the page). */
function assertOnlyLocalRequests(log) {
  const foreign = log.requests.filter((u) => !u.startsWith(env.server.origin) && !u.startsWith('data:'));
  assert.deepEqual(foreign, [], 'requests to other origins');
}

describe('every route, at desktop and phone width, in light and dark', () => {
  for (const route of ROUTES) {
    for (const width of WIDTHS) {
      for (const scheme of ['light', 'dark']) {
        it(`${route.name} at ${width}px (${scheme})`, async () => {
          const { context, page, log } = await openPage(env.browser, { viewport: { width, height: 900 }, colorScheme: scheme });
          await page.goto(env.server.origin + '/' + route.query);
          await appReady(page);
          assert.equal((await page.locator('main h1').first().innerText()).trim(), route.h1);
          assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), scheme);
          // Nothing overflows sideways on a phone.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
          await page.waitForTimeout(150); // let canvases draw before the screenshot
          // Sections with data: wait until it has loaded (no loading indicator left).
          await page.waitForFunction(() => !document.querySelector('.loading progress'), null, { timeout: 20000 });
          await screenshot(page, `${route.name}-${width}-${scheme}`);
          if (scheme === 'light') {
            const violations = await runAxe(page);
            assert.deepEqual(violations, [], 'serious or critical axe violations');
          }
          assertOnlyLocalRequests(log);
          assertCleanConsole(log);
          await context.close();
        });
      }
    }
  }
});

describe('routing', () => {
  it('works under a sub-path, through navigation and reload', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + SUB_PATH);
    await appReady(page);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Foundation models' }).click();
    await page.getByRole('heading', { level: 1, name: 'Foundation models' }).waitFor();
    const url = new URL(page.url());
    assert.equal(url.pathname, SUB_PATH);
    assert.equal(url.searchParams.get('page'), 'lifecycle');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Foundation models' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Generative AI you can touch' }).waitFor();
    assert.equal(new URL(page.url()).pathname, SUB_PATH);
    assertOnlyLocalRequests(log);
    assertCleanConsole(log);
    await context.close();
  });

  it('the curriculum links every topic to its open section', async () => {
    const { context, page } = await openPage(env.browser);
    await page.goto(env.server.origin + '/');
    await appReady(page);
    const list = page.getByRole('list').filter({ has: page.getByRole('heading', { name: 'Tokens' }) });
    assert.equal(await list.getByRole('listitem').count(), 12);
    assert.deepEqual(await list.getByRole('link').allInnerTexts(), ['Foundation models and their lifecycle', 'Self-supervised pre-training', 'Tokens', 'Embeddings', 'Large language models', 'Diffusion models', 'Multimodal models', 'Generative adversarial networks', 'Variational autoencoders', 'Prompt engineering', 'Fine-tuning: instructions and RLHF', 'Retrieval-augmented generation']);
    assert.equal(await list.getByText('Coming soon').count(), 0);
    await list.getByRole('link', { name: 'Foundation models and their lifecycle' }).click();
    await page.getByRole('heading', { level: 1, name: 'Foundation models' }).waitFor();
    await context.close();
  });
});

describe('lifecycle widget', () => {
  it('keeps its state in the URL: change, reload, same view', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=lifecycle');
    await appReady(page);
    await page.getByRole('radio', { name: 'Deployment' }).check();
    await page.getByRole('combobox', { name: 'When feedback calls for improvement' }).selectOption('retraining');
    await page.waitForFunction(() => location.search.includes('lifecycle.loop=retraining'));
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('lifecycle.stage'), 'deployment');
    assert.equal(url.searchParams.get('lifecycle.loop'), 'retraining');
    await page.goto(url.href);
    await appReady(page);
    assert.equal(await page.getByRole('radio', { name: 'Deployment' }).isChecked(), true);
    assert.equal(await page.getByRole('combobox', { name: 'When feedback calls for improvement' }).inputValue(), 'retraining');
    await page.getByRole('heading', { level: 3, name: '5. Deployment' }).waitFor();
    assertCleanConsole(log);
    await context.close();
  });

  it('a malformed link value falls back to the default with a visible notice', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=lifecycle&lifecycle.stage=banana&lifecycle.loop=retraining');
    await appReady(page);
    const notice = page.getByRole('status').filter({ hasText: 'could not be used' });
    await notice.waitFor();
    assert.match(await notice.innerText(), /lifecycle\.stage=banana.*is not one of data, pretraining/s);
    assert.equal(await page.getByRole('radio', { name: 'Data selection' }).isChecked(), true);
    assert.equal(await page.getByRole('combobox', { name: 'When feedback calls for improvement' }).inputValue(), 'retraining');
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await page.getByText('could not be used').count(), 0);
    assertCleanConsole(log);
    await context.close();
  });

  it('can be driven by keyboard alone', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=lifecycle');
    await appReady(page);
    // Tab from the top of the page to the stage radios.
    let name = '';
    for (let i = 0; i < 30 && name !== 'Data selection'; i++) {
      await page.keyboard.press('Tab');
      name = await page.evaluate(() => document.activeElement?.labels?.[0]?.innerText?.replace(/^\d+\s*/, '').trim() ?? '');
    }
    assert.equal(name, 'Data selection', 'Tab reaches the stage picker');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('radio', { name: 'Optimization' }).isChecked(), true);
    await page.getByRole('heading', { level: 3, name: '3. Optimization' }).waitFor();
    // Tab on to the text alternative and open it with the keyboard.
    const summary = page.getByText('Show the lifecycle as a table');
    await summary.focus();
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', { name: 'Stages of the lifecycle and where each leads' });
    await table.waitFor();
    assert.match(await table.getByRole('row', { name: /^6 Feedback/ }).innerText(), /Optimization/);
    // The loop route by keyboard.
    await page.getByRole('combobox', { name: 'When feedback calls for improvement' }).focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => location.search.includes('lifecycle.loop=continued-pretraining'));
    // Step with the keyboard: Optimization → Evaluation.
    await page.getByRole('button', { name: 'Next stage →' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.getByRole('radio', { name: 'Evaluation' }).isChecked(), true);
    // From Feedback the step follows the chosen loop.
    await page.getByRole('radio', { name: 'Feedback & improvement' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Next stage →' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.getByRole('radio', { name: 'Pre-training' }).isChecked(), true);
    assert.match(await page.getByText(/Laps completed/).innerText(), /Laps completed: 1/);
    assertCleanConsole(log);
    await context.close();
  });

  it('plays the tour around the loop, and pauses', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=lifecycle&lifecycle.stage=deployment');
    await appReady(page);
    await page.getByRole('button', { name: '▶ Play the tour' }).click();
    await page.getByRole('radio', { name: 'Feedback & improvement' }).and(page.locator(':checked')).waitFor({ timeout: 10000 });
    await page.getByRole('button', { name: '❚❚ Pause' }).click();
    await page.getByRole('button', { name: '▶ Play the tour' }).waitFor();
    assertCleanConsole(log);
    await context.close();
  });

  it('selects a stage when its node in the diagram is clicked', async () => {
    const { context, page } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=lifecycle&lifecycle.stage=evaluation');
    await appReady(page);
    const canvas = page.getByRole('img', { name: /Diagram of the foundation-model lifecycle/ });
    const box = await canvas.boundingBox();
    // Stage 1 sits at 12 o'clock, horizontally centred near the top of the diagram.
    let hit = false;
    for (let y = 10; y < box.height / 2 && !hit; y += 6) {
      await canvas.click({ position: { x: box.width / 2, y } });
      hit = await page.getByRole('radio', { name: 'Data selection' }).isChecked();
    }
    assert.ok(hit, 'clicking the top node selects data selection');
    assert.match(await canvas.getAttribute('aria-label'), /Selected stage: Data selection/);
    await context.close();
  });

  it('offers a share link and an embed snippet that work in a plain HTML page', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=lifecycle&lifecycle.stage=evaluation');
    await appReady(page);
    await page.locator('summary', { hasText: 'Share / embed' }).click();
    const link = await page.getByRole('textbox', { name: 'Link to this exact view' }).inputValue();
    assert.equal(link, `${env.server.origin}/?page=lifecycle&lifecycle.stage=evaluation&lifecycle.loop=fine-tuning&lifecycle.play=0`);
    const snippet = await page.getByRole('textbox', { name: /Embed code/ }).inputValue();
    assert.match(snippet, /^<iframe src="[^"]+\?embed=lifecycle&amp;lifecycle\.stage=evaluation/);
    env.server.extra.set('/course.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A course page</title><link rel="icon" href="data:,"></head><body><h1>Week 1</h1>${snippet}</body></html>`);
    const course = await openPage(env.browser);
    await course.page.goto(env.server.origin + '/course.html');
    const frame = course.page.frameLocator('iframe');
    await frame.getByRole('heading', { level: 1, name: 'The foundation-model lifecycle' }).waitFor({ timeout: 20000 });
    assert.equal(await frame.getByRole('radio', { name: 'Evaluation' }).isChecked(), true);
    assert.equal(await frame.getByRole('navigation').count(), 0, 'embed shows no site navigation');
    assert.equal(await frame.getByText('Share / embed').count(), 0);
    assertCleanConsole(course.log);
    await course.context.close();
    assertCleanConsole(log);
    await context.close();
  });

  it('a link can start the tour, except when the visitor prefers reduced motion', async () => {
    const link = '/?page=lifecycle&lifecycle.stage=evaluation&lifecycle.play=1';
    {
      const { context, page, log } = await openPage(env.browser);
      await page.goto(env.server.origin + link);
      await appReady(page);
      await page.getByRole('button', { name: '❚❚ Pause' }).waitFor();
      await page.getByRole('radio', { name: 'Deployment' }).and(page.locator(':checked')).waitFor({ timeout: 10000 });
      assertCleanConsole(log);
      await context.close();
    }
    {
      const { context, page, log } = await openPage(env.browser, { reducedMotion: 'reduce' });
      await page.goto(env.server.origin + link);
      await appReady(page);
      await page.getByText('Not started automatically: your system asks for reduced motion.').waitFor();
      assert.equal(await page.getByRole('button', { name: '▶ Play the tour' }).count(), 1);
      await page.waitForFunction(() => location.search.includes('lifecycle.play=0'));
      assert.equal(await page.getByRole('radio', { name: 'Evaluation' }).isChecked(), true);
      assertCleanConsole(log);
      await context.close();
    }
  });

  it('pauses the tour while the widget is scrolled out of view', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 1280, height: 420 } });
    await page.goto(env.server.origin + '/?page=lifecycle&lifecycle.stage=data');
    await appReady(page);
    await page.getByRole('button', { name: '▶ Play the tour' }).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByText('Paused while out of view.').waitFor();
    const before = new URL(page.url()).searchParams.get('lifecycle.stage');
    await page.waitForTimeout(3000); // longer than one stage of the tour
    assert.equal(new URL(page.url()).searchParams.get('lifecycle.stage'), before, 'no progress while off screen');
    await page.getByRole('button', { name: '❚❚ Pause' }).scrollIntoViewIfNeeded();
    await page.getByRole('radio', { name: 'Pre-training' }).and(page.locator(':checked')).waitFor({ timeout: 10000 });
    assertCleanConsole(log);
    await context.close();
  });
});

describe('shell', () => {
  it('remembers the theme toggle across reloads', async () => {
    const { context, page, log } = await openPage(env.browser, { colorScheme: 'light' });
    await page.goto(env.server.origin + '/');
    await appReady(page);
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.reload();
    await appReady(page);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await page.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed'), 'true');
    assertCleanConsole(log);
    await context.close();
  });

  it('loads a heavy section on demand; its plots follow the theme toggle; navigating away and back remounts it', async () => {
    const { context, page, log } = await openPage(env.browser, { colorScheme: 'light' });
    await page.goto(env.server.origin + '/');
    await appReady(page);
    const loaded = () => log.requests.some((u) => u.includes('genai-sections_bg.wasm'));
    assert.equal(loaded(), false, 'the landing page does not fetch the sections module');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Diffusion' }).click();
    await page.getByRole('heading', { level: 1, name: 'Diffusion models' }).waitFor();
    assert.equal(loaded(), true);
    // The ᾱ/β chart's corner pixel is the plot background: it changes with the theme.
    const chart = page.getByRole('img', { name: /schedule over t = 0…1000/ });
    await chart.waitFor();
    const corner = () => chart.evaluate((c) => Array.from(c.getContext('2d').getImageData(1, 1, 1, 1).data.slice(0, 3)).join(','));
    const light = await corner();
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.waitForFunction(([sel, before]) => {
      const c = document.querySelector(sel);
      return c && Array.from(c.getContext('2d').getImageData(1, 1, 1, 1).data.slice(0, 3)).join(',') !== before;
    }, ['canvas[aria-label*="schedule over t"]', light]);
    // Away and back: one module fetch per visit, the section mounts again.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'GANs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Generative adversarial networks' }).waitFor();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Home' }).click();
    await page.getByRole('heading', { level: 1, name: 'Generative AI you can touch' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Generative adversarial networks' }).waitFor();
    assert.equal(await page.locator('main h1').count(), 1);
    assert.equal(log.requests.filter((u) => u.includes('genai-sections_bg.wasm')).length, 1);
    // This test's own pixel reads make Chromium suggest willReadFrequently; that is not the app's.
    log.console = log.console.filter((m) => !m.includes('willReadFrequently'));
    assertCleanConsole(log);
    await context.close();
  });

  it('a bug in one widget shows an error panel there while the other widget keeps working', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=diagnostics');
    await appReady(page);
    const crash = page.getByRole('region', { name: 'A widget with a bug' });
    const healthy = page.getByRole('region', { name: 'A healthy widget' });
    await healthy.getByRole('button', { name: 'Add one' }).click();
    await crash.getByRole('button', { name: 'Trigger a bug' }).click();
    const alert = crash.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /This widget stopped because of a bug/);
    assert.match(await alert.innerText(), /deliberate panic/);
    await healthy.getByRole('button', { name: 'Add one' }).click();
    await healthy.getByRole('button', { name: 'Add one' }).click();
    assert.equal((await healthy.locator('output').innerText()).trim(), '3');
    // The page header still navigates.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Home' }).click();
    await page.getByRole('heading', { level: 1, name: 'Generative AI you can touch' }).waitFor();
    assert.ok(log.console.some((m) => m.includes('deliberate panic')), 'the panic is logged for developers');
    await context.close();
  });

  it('an unknown embed id explains itself', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=nonsense<script>');
    await appReady(page);
    assert.match(await page.locator('main').innerText(), /widget called “nonsense<script>”/);
    assertCleanConsole(log);
    await context.close();
  });
});
