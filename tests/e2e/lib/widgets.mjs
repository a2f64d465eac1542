// Every widget embed of ROUTES, once per id (lesson.test.mjs, keyboard.test.mjs), and helpers to
// read a widget's controls as the frame keyed them (shell/lesson.rs: data-lesson-control).
import { ROUTES } from './routes.mjs';

/** Every embed route of ROUTES (variants of one widget included), with its widget id. */
export const EMBED_ROUTES = ROUTES.map((r) => ({ ...r, id: new URLSearchParams(r.query).get('embed') })).filter((r) => r.id);

/** One entry per embed id, the first route of ROUTES that opens it (later widgets join by themselves). */
export const EMBEDS = EMBED_ROUTES.filter((r, i) => EMBED_ROUTES.findIndex((o) => o.id === r.id) === i);

/** Waits until the widget has its data (no loading indicator left) and has controls keyed. */
export async function widgetReady(page, timeout = 60000) {
  await page.locator('main h1').first().waitFor({ state: 'visible', timeout: 30000 });
  await page.waitForFunction(() => !document.querySelector('.loading progress'), null, { timeout });
  // The frame keys its controls in a MutationObserver callback: one more frame for the last change.
  await page.waitForTimeout(200);
}

/**
 * The keyed controls of the page, one per key: { key, name, tag, type, visible, enabled, count }.
 * A radio group is one control (count > 1).
 */
export function controlsOf(page) {
  return page.evaluate(() => {
    const out = new Map();
    for (const el of document.querySelectorAll('[data-lesson-control]')) {
      const key = el.getAttribute('data-lesson-control');
      const visible = el.checkVisibility();
      const enabled = !el.disabled;
      const c = out.get(key);
      if (c) {
        c.count += 1;
        c.visible ||= visible;
        c.enabled ||= enabled;
      } else {
        out.set(key, { key, name: el.getAttribute('data-lesson-name') ?? '', tag: el.tagName.toLowerCase(), type: (el.getAttribute('type') ?? '').toLowerCase(), visible, enabled, count: 1 });
      }
    }
    return [...out.values()];
  });
}

/**
 * Waits (at most `timeout` ms) until a widget that works on load (an evaluation, a baseline) is idle:
 * no enabled "Stop" button, no status line ending in "…" (e.g. "Scoring the shipped model…"), and
 * neither its enabled controls nor its text changed for 1.5 s.
 */
export async function widgetIdle(page, timeout = 30000) {
  const look = () => page.evaluate(() => {
    const w = document.querySelector('section.widget');
    const els = [...w.querySelectorAll('button, input, select, textarea')].filter((e) => e.checkVisibility());
    const busy = els.some((e) => e.tagName === 'BUTTON' && !e.disabled && /^\W*Stop\b/.test(e.textContent.trim()))
      || [...w.querySelectorAll('[role="status"], [aria-live]')].some((e) => e.checkVisibility() && /…$/.test(e.textContent.trim()));
    return busy ? null : `${els.filter((e) => !e.disabled).length}|${w.innerText}`;
  });
  const end = Date.now() + timeout;
  let last = await look();
  let since = Date.now();
  while (Date.now() < end) {
    await page.waitForTimeout(250);
    const now = await look();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (now !== null && Date.now() - since >= 1500) return;
  }
}
