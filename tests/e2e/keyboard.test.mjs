// A keyboard-only tour of every widget embed of ROUTES: every visible, enabled control is reached by
// Tab (a radio group by its checked radio), Shift+Tab goes back, and one control of each kind works
// from the keyboard alone: a slider moves with ArrowRight, a checkbox toggles with Space, a select
// changes with ArrowDown, a radio group with ArrowRight, a number with ArrowUp, a text field takes
// typing, a button activates with Enter, a disclosure opens with Enter, and a focusable canvas
// (a canvas that declares keyboard support with tabindex) changes what it shows with its keys
// (arrows, +, n or Enter). Variants of a widget in ROUTES (a drawing pad shown) are toured too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, assertCleanConsole, useServerAndBrowser } from './lib/browser.mjs';
import { EMBED_ROUTES, widgetReady, widgetIdle } from './lib/widgets.mjs';

const env = useServerAndBrowser();

/** Marks every visible, enabled interactive element of the widget with data-kb; returns them. */
function markInteractive(page) {
  return page.evaluate(() => {
    const widget = document.querySelector('section.widget');
    const found = [];
    const groups = new Map();
    let n = 0;
    for (const el of widget.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]')) {
      el.removeAttribute('data-kb');
      if (!el.checkVisibility() || el.disabled || el.closest('[inert]')) continue;
      if (el.getAttribute('tabindex') === '-1') continue; // deliberately out of the Tab order (roving focus)
      if (el.tagName === 'SUMMARY' && el.parentElement?.querySelector(':scope > summary') !== el) continue;
      const radio = el.type === 'radio' && el.name ? el.name : null;
      let kb;
      if (radio && groups.has(radio)) kb = groups.get(radio);
      else {
        kb = String(n++);
        if (radio) groups.set(radio, kb);
        const kind = el.tagName === 'CANVAS' ? 'canvas'
          : el.tagName === 'SELECT' ? 'select'
          : el.tagName === 'TEXTAREA' ? (el.readOnly ? 'readonly' : 'text')
          : el.tagName === 'BUTTON' ? 'button'
          : el.tagName === 'SUMMARY' ? 'summary'
          : el.tagName === 'A' ? 'link'
          : el.tagName === 'INPUT' ? ({ range: 'range', checkbox: 'checkbox', radio: 'radio', number: 'number', text: 'text', search: 'text', file: 'file' }[el.type] ?? 'other')
          : 'other';
        const label = (el.getAttribute('aria-label') ?? el.labels?.[0]?.innerText ?? el.innerText ?? el.tagName).trim().slice(0, 60);
        found.push({ kb, kind, label, tag: el.tagName.toLowerCase() });
      }
      el.setAttribute('data-kb', kb);
    }
    return found;
  });
}

const activeKb = (page) => page.evaluate(() => {
  const a = document.activeElement;
  if (!a || a === document.body || a === document.documentElement) return null;
  return a.getAttribute('data-kb') ?? `other:${a.tagName}`;
});

/** Focus before the first element of the document. */
async function fromTop(page) {
  await page.evaluate(() => { document.activeElement?.blur?.(); window.scrollTo(0, 0); });
}

/** Tabs from the top until the element marked `kb` has focus; false when it never does. */
async function tabTo(page, kb, limit) {
  await fromTop(page);
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if ((await activeKb(page)) === kb) return true;
  }
  return false;
}

const focusedValue = (page) => page.evaluate(() => {
  const a = document.activeElement;
  if (a.type === 'checkbox') return String(a.checked);
  if (a.type === 'radio') return [...document.querySelectorAll(`input[type=radio][name="${a.name}"]`)].findIndex((r) => r.checked);
  return a.value;
});

/** What a focused canvas shows, as a comparable string: its label, its pixels and the address. */
const canvasLook = (page) => page.evaluate(() => {
  const c = document.activeElement;
  const png = c.toDataURL();
  let h = 0;
  for (let i = 0; i < png.length; i++) h = (Math.imul(h, 31) + png.charCodeAt(i)) | 0;
  return `${location.search}|${c.getAttribute('aria-label')}|${png.length}|${h}`;
});

/** Operates the focused control of `kind` with its keys; returns a sentence when it did not respond. */
async function operate(page, kind) {
  const before = await focusedValue(page);
  const changed = async () => (await focusedValue(page)) !== before;
  // One key, or the other when the value sat at that end of its range.
  const either = async (a, b, what) => {
    await page.keyboard.press(a);
    if (!(await changed())) await page.keyboard.press(b);
    return (await changed()) ? null : `the ${what} did not change with ${a} / ${b}`;
  };
  switch (kind) {
    case 'range':
      return either('ArrowRight', 'ArrowLeft', 'slider');
    case 'number':
      return either('ArrowUp', 'ArrowDown', 'number');
    case 'select':
      return either('ArrowDown', 'ArrowUp', 'select');
    case 'checkbox':
      await page.keyboard.press('Space');
      return (await changed()) ? null : 'the checkbox did not toggle with Space';
    case 'radio': {
      const size = await page.evaluate(() => document.querySelectorAll(`input[type=radio][name="${document.activeElement.name}"]:enabled`).length);
      if (size < 2) return null;
      await page.keyboard.press('ArrowRight');
      return (await changed()) ? null : 'the radio group did not move with ArrowRight';
    }
    case 'text':
      await page.keyboard.press('End');
      await page.keyboard.type('x');
      return (await changed()) ? null : 'the text field did not take typing';
    case 'summary': {
      const open = () => page.evaluate(() => document.activeElement.parentElement.open);
      const was = await open();
      await page.keyboard.press('Enter');
      return (await open()) !== was ? null : 'the disclosure did not toggle with Enter';
    }
    case 'button': {
      await page.evaluate(() => {
        window.__kbClicked = false;
        document.activeElement.addEventListener('click', () => { window.__kbClicked = true; }, { once: true });
      });
      await page.keyboard.press('Enter');
      return (await page.evaluate(() => window.__kbClicked)) ? null : 'the button did not activate with Enter';
    }
    case 'canvas': {
      const look = await canvasLook(page);
      for (const key of ['ArrowRight', 'ArrowUp', '+', 'n', 'Enter']) {
        await page.keyboard.press(key);
        await page.waitForTimeout(150);
        if ((await page.evaluate(() => document.activeElement?.tagName)) !== 'CANVAS') return 'the canvas lost focus';
        if ((await canvasLook(page)) !== look) return null;
      }
      return 'the focusable canvas did not respond to arrow keys, +, n or Enter';
    }
    default:
      return null;
  }
}

describe('every widget embed by keyboard alone', () => {
  for (const route of EMBED_ROUTES) {
    it(`${route.name}`, async (t) => {
      const { context, page, log } = await openPage(env.browser);
      await page.goto(env.server.origin + '/' + route.query);
      await widgetReady(page);
      await widgetIdle(page); // controls disabled while a widget evaluates on load come back
      const expected = await markInteractive(page);
      assert.ok(expected.length > 0, 'the widget has controls');

      // Tab through the whole document once.
      await fromTop(page);
      const order = [];
      const limit = expected.length * 3 + 30;
      let last = null;
      let stuck = 0;
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        const kb = await activeKb(page);
        if (kb === null && order.length > 0) break; // focus left the document: one full round
        if (kb !== null && kb === order[0]) break; // wrapped around
        stuck = kb === last ? stuck + 1 : 0;
        assert.ok(stuck < 2, `Tab is stuck on ${kb}`);
        last = kb;
        if (kb !== null) order.push(kb);
      }
      const reached = new Set(order);
      // Elements that went away or were disabled meanwhile (a widget finishing work) are excused.
      const stillThere = new Set((await markInteractive(page)).map((e) => e.kb));
      const missing = expected.filter((e) => !reached.has(e.kb) && stillThere.has(e.kb));
      assert.deepEqual(missing, [], `controls Tab never reaches in ${route.id}`);

      // Shift+Tab goes back.
      const mine = order.filter((k) => !k.startsWith('other:'));
      if (mine.length >= 2) {
        assert.ok(await tabTo(page, mine[1], limit), `Tab reaches ${mine[1]} again`);
        await page.keyboard.press('Shift+Tab');
        assert.equal(await activeKb(page), mine[0], 'Shift+Tab returns to the previous control');
      }

      // One control of each kind, operated with its keys (the page is re-marked first: operating
      // one control may add or remove others).
      const problems = [];
      const operated = [];
      const kinds = ['canvas', 'range', 'checkbox', 'select', 'radio', 'number', 'text', 'summary', 'button'];
      for (const kind of kinds) {
        const now = await markInteractive(page);
        const target = now.find((e) => e.kind === kind);
        if (!target) continue;
        if (!(await tabTo(page, target.kb, limit))) {
          problems.push(`${kind} “${target.label}” not reached by Tab`);
          continue;
        }
        operated.push(kind);
        const problem = await operate(page, kind);
        if (problem) problems.push(`${kind} “${target.label}”: ${problem}`);
      }
      t.diagnostic(`${reached.size} focus stops, ${expected.length} controls expected; operated: ${operated.join(', ')}`);
      assert.deepEqual(problems, [], `keyboard problems in ${route.id}`);
      await page.waitForTimeout(300); // let a button's work start and report any error
      // Our own pixel reads make Chromium suggest willReadFrequently; that is not the app's.
      log.console = log.console.filter((m) => !m.includes('willReadFrequently'));
      assertCleanConsole(log);
      await context.close();
    });
  }
});
