// Lesson links: `<id>.hide=…` and `<id>.lock=…` hide or lock a widget's controls (shell/lesson.rs).
// Every widget embed of ROUTES is checked: a control with URL state is changed, then hidden by a
// lesson link (its value kept), and another control is locked (disabled, described as locked).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole, useServerAndBrowser } from './lib/browser.mjs';
import { EMBEDS, widgetReady, controlsOf } from './lib/widgets.mjs';
import { runAxe } from './lib/axe.mjs';

const env = useServerAndBrowser();

const sel = (key) => `[data-lesson-control="${key}"]`;

/** Params under `id.` that differ between two URLs: [[key, value], …]. */
function changedState(before, after, id) {
  const a = new URL(before).searchParams;
  const b = new URL(after).searchParams;
  return [...b.entries()].filter(([k, v]) => k.startsWith(id + '.') && a.get(k) !== v);
}

/** The value a control shows: checked state, or its value. */
function valueOf(page, key) {
  return page.locator(sel(key)).evaluateAll((els) => els.map((e) => (e.type === 'checkbox' || e.type === 'radio' ? String(e.checked) : e.value)).join('|'));
}

/** Changes a control through the UI; true when its value changed. */
async function change(page, c) {
  const el = page.locator(sel(c.key));
  const before = await valueOf(page, c.key);
  if (c.type === 'range') {
    await el.first().focus();
    await page.keyboard.press('ArrowRight');
    if ((await valueOf(page, c.key)) === before) await page.keyboard.press('ArrowLeft');
  } else if (c.tag === 'select') {
    const values = await el.first().evaluate((s) => [...s.options].filter((o) => !o.disabled).map((o) => o.value));
    const other = values.find((v) => v !== before);
    if (other === undefined) return false;
    await el.first().selectOption(other);
  } else if (c.type === 'checkbox') {
    await el.first().click();
  } else if (c.type === 'radio') {
    const unchecked = el.and(page.locator(':not(:checked)')).and(page.locator(':enabled'));
    if ((await unchecked.count()) === 0) return false;
    await unchecked.last().check();
  } else if (c.type === 'number') {
    const v = Number(before);
    await el.first().fill(String(Number.isFinite(v) ? v + 1 : 1));
    await el.first().press('Tab');
  } else {
    return false;
  }
  return (await valueOf(page, c.key)) !== before;
}

const KIND_ORDER = (c) => (c.type === 'range' ? 0 : c.tag === 'select' ? 1 : c.type === 'checkbox' ? 2 : c.type === 'number' ? 3 : c.type === 'radio' ? 4 : 9);

describe('a lesson link hides one control and locks another, in every widget embed', () => {
  for (const route of EMBEDS) {
    it(`${route.id}`, async (t) => {
      const { context, page, log } = await openPage(env.browser);
      await page.goto(env.server.origin + '/' + route.query);
      await widgetReady(page);
      // Some widgets work at first (an evaluation on load) with their controls disabled: wait a while.
      await page.waitForFunction(() => {
        const keys = new Set([...document.querySelectorAll('[data-lesson-control]')].filter((e) => e.checkVisibility() && !e.disabled).map((e) => e.getAttribute('data-lesson-control')));
        return keys.size >= 2;
      }, null, { timeout: 30000 }).catch(() => {});
      let controls = await controlsOf(page);
      assert.ok(controls.filter((c) => c.visible).length >= 2, `${route.id} has at least two controls (${JSON.stringify(controls.map((c) => c.key))})`);
      const usable = controls.filter((c) => c.visible && c.enabled);
      // Hide a control that has URL state: change it, see which parameter follows.
      let hidden = null;
      let state = null;
      let shown = null;
      for (const c of [...usable].sort((a, b) => KIND_ORDER(a) - KIND_ORDER(b))) {
        if (KIND_ORDER(c) === 9) break;
        const url = page.url();
        if (!(await change(page, c))) continue;
        await page.waitForFunction((u) => location.href !== u, url, { timeout: 3000 }).catch(() => {});
        const diff = changedState(url, page.url(), route.id);
        if (diff.length > 0) {
          hidden = c;
          state = diff;
          shown = await valueOf(page, c.key);
          break;
        }
      }
      controls = await controlsOf(page);
      hidden ??= usable[0] ?? controls.find((c) => c.visible);
      // Lock a button if one is usable (else any other control: a widget may have only two buttons, one
      // of them disabled while the other's work is not running).
      const others = controls.filter((c) => c.visible && c.key !== hidden.key);
      const lock = others.find((c) => c.enabled && c.tag === 'button') ?? others.find((c) => c.enabled) ?? others[0];
      assert.ok(lock, 'a second control to lock');
      const link = new URL(page.url());
      link.searchParams.set(`${route.id}.hide`, hidden.key);
      link.searchParams.set(`${route.id}.lock`, lock.key);

      t.diagnostic(`hidden ${hidden.key}${state ? ` (${state.map(([k, v]) => `${k}=${v}`).join(', ')})` : ' (no URL state)'}, locked ${lock.key}`);
      await page.goto(link.href);
      await widgetReady(page);
      await page.waitForFunction((s) => { const els = [...document.querySelectorAll(s)]; return els.length > 0 && els.every((e) => !e.checkVisibility()); }, sel(hidden.key), { timeout: 20000 });
      await page.waitForFunction((s) => { const els = [...document.querySelectorAll(s)]; return els.length > 0 && els.every((e) => e.disabled); }, sel(lock.key), { timeout: 20000 });
      assert.equal(await page.locator(sel(hidden.key)).first().isVisible(), false, `${hidden.key} is hidden`);
      assert.equal(await page.locator(sel(lock.key)).first().isDisabled(), true, `${lock.key} is locked`);
      // Locked controls are described as such, and the note above the widget says which.
      const description = await page.locator(sel(lock.key)).first().evaluate((e) => (e.getAttribute('aria-describedby') ?? '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
      assert.match(description, /Locked by this lesson link/);
      const note = page.getByRole('note', { name: 'Lesson link' });
      assert.match(await note.innerText(), /Locked by this lesson link: /);
      assert.doesNotMatch(await note.innerText(), /does not have/, 'every key is known');
      if (state) {
        // The hidden control keeps the link's value, and the URL keeps carrying it.
        for (const [k, v] of state) assert.equal(new URL(page.url()).searchParams.get(k), v, `${k} kept`);
        assert.equal(await valueOf(page, hidden.key), shown, `hidden ${hidden.key} keeps its value`);
      }
      assert.equal(new URL(page.url()).searchParams.get(`${route.id}.hide`), hidden.key, 'the lesson stays in the address');
      assertCleanConsole(log);
      await context.close();
    });
  }
});

describe('lesson links', () => {
  it('are built in the Share panel: hide, lock, start from the defaults; the link and the embed code work', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?page=lifecycle&lifecycle.stage=evaluation');
    await appReady(page);
    const share = page.getByRole('region', { name: 'The foundation-model lifecycle' }).locator('details.share');
    await share.locator('summary').press('Enter');
    const loopName = 'When feedback calls for improvement';
    const hide = share.getByRole('checkbox', { name: `Hide ${loopName}` });
    const lock = share.getByRole('checkbox', { name: 'Lock Next stage →' });
    await hide.focus();
    await page.keyboard.press('Space');
    await lock.check();
    assert.equal(await hide.isChecked(), true);
    const linkBox = page.getByRole('textbox', { name: 'Link to this exact view' });
    const link = await linkBox.inputValue();
    assert.equal(link, `${env.server.origin}/?page=lifecycle&lifecycle.stage=evaluation&lifecycle.loop=fine-tuning&lifecycle.play=0&lifecycle.hide=when-feedback-calls-for-improvement&lifecycle.lock=next-stage`);
    const snippet = await page.getByRole('textbox', { name: /Embed code/ }).inputValue();
    assert.match(snippet, /\?embed=lifecycle&amp;lifecycle\.stage=evaluation&amp;.*lifecycle\.hide=when-feedback-calls-for-improvement&amp;lifecycle\.lock=next-stage"/);
    // From the defaults: no state in the link, the lesson stays.
    await share.getByRole('radio', { name: "The widget's defaults" }).check();
    assert.equal(await linkBox.inputValue(), `${env.server.origin}/?page=lifecycle&lifecycle.hide=when-feedback-calls-for-improvement&lifecycle.lock=next-stage`);
    await share.getByRole('radio', { name: 'The current state' }).check();
    assert.equal(await linkBox.inputValue(), link);
    // The open panel is accessible and fits a phone.
    await page.setViewportSize({ width: 360, height: 900 });
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'no sideways overflow at 360 px');
    assert.deepEqual(await runAxe(page), [], 'serious or critical axe violations in the Share panel');

    // The page link: the select is hidden (its value kept), the button locked, the note says so.
    const lesson = await openPage(env.browser);
    await lesson.page.goto(link);
    await appReady(lesson.page);
    await lesson.page.getByRole('radio', { name: 'Evaluation' }).and(lesson.page.locator(':checked')).waitFor();
    await lesson.page.getByRole('combobox', { name: loopName, includeHidden: true }).waitFor({ state: 'hidden' });
    assert.equal(await lesson.page.getByRole('combobox', { name: loopName }).count(), 0, 'hidden from the accessibility tree');
    assert.equal(await lesson.page.getByRole('combobox', { name: loopName, includeHidden: true }).inputValue(), 'fine-tuning');
    const next = lesson.page.getByRole('button', { name: 'Next stage →' });
    assert.equal(await next.isDisabled(), true);
    assert.equal(await next.getAttribute('aria-describedby'), 'lifecycle-lesson-locked');
    assert.match(await lesson.page.getByRole('note', { name: 'Lesson link' }).innerText(), /One control is hidden by this lesson link\.\s+Locked by this lesson link: Next stage →/);
    assert.deepEqual(await runAxe(lesson.page), [], 'serious or critical axe violations with a lesson applied');
    // Its own Share panel starts from the lesson it was opened with.
    await lesson.page.locator('summary', { hasText: 'Share / embed' }).click();
    assert.equal(await lesson.page.getByRole('checkbox', { name: `Hide ${loopName}` }).isChecked(), true);
    assert.equal(await lesson.page.getByRole('textbox', { name: 'Link to this exact view' }).inputValue(), link);
    assertCleanConsole(lesson.log);
    await lesson.context.close();

    // The embed code in a plain course page.
    env.server.extra.set('/lesson-course.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A lesson</title><link rel="icon" href="data:,"></head><body><h1>Week 2</h1>${snippet}</body></html>`);
    const course = await openPage(env.browser);
    await course.page.goto(env.server.origin + '/lesson-course.html');
    const frame = course.page.frameLocator('iframe');
    await frame.getByRole('heading', { level: 1, name: 'The foundation-model lifecycle' }).waitFor({ timeout: 20000 });
    await frame.getByRole('button', { name: 'Next stage →' }).and(frame.locator(':disabled')).waitFor();
    assert.equal(await frame.getByRole('combobox', { name: loopName }).count(), 0);
    assert.equal(await frame.getByRole('radio', { name: 'Evaluation' }).isChecked(), true);
    // "Open in GenAI Explorables" keeps the lesson.
    const full = await frame.getByRole('link', { name: /Open in GenAI Explorables/ }).getAttribute('href');
    assert.match(full, /\?page=lifecycle&lifecycle\.stage=evaluation&.*lifecycle\.hide=when-feedback-calls-for-improvement&lifecycle\.lock=next-stage$/);
    // Only the named control is locked: the play button still works.
    assert.equal(await frame.getByRole('button', { name: '▶ Play the tour' }).isEnabled(), true);
    assertCleanConsole(course.log);
    await course.context.close();
    assertCleanConsole(log);
    await context.close();
  });

  it('unknown and malformed keys give a notice and the widget keeps working', async () => {
    const { context, page, log } = await openPage(env.browser);
    await page.goto(env.server.origin + '/?embed=lifecycle&lifecycle.hide=no-such-control,%3Cb%3Ebold%3C/b%3E&lifecycle.lock=stage,also-missing');
    await appReady(page);
    const note = page.getByRole('note', { name: 'Lesson link' });
    await note.getByText('This link names controls this widget does not have, which were ignored: no-such-control, also-missing').waitFor();
    const notice = page.getByRole('status').filter({ hasText: 'could not be used' });
    assert.match(await notice.innerText(), /lifecycle\.hide=<b>bold<\/b>” is not a control key/);
    assert.equal(await page.locator('main b').count(), 0, 'link text is shown as text');
    // The stage radios are locked; the rest works.
    assert.equal(await page.getByRole('radio', { name: 'Evaluation' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Next stage →' }).click();
    assert.equal(await page.getByRole('radio', { name: 'Pre-training' }).isChecked(), true);
    assertCleanConsole(log);
    await context.close();
  });
});
