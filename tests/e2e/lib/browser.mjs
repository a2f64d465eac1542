// Launching Debian's Chromium through playwright-core, and watching what a page does.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { startServer } from './server.mjs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
];

export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export function distDir() {
  const d = process.env.E2E_DIST;
  if (!d) throw new Error('E2E_DIST is not set: run the tests with scripts/test.sh');
  return d;
}

/**
 * Opens a page and records console errors/warnings, page errors and every request's URL.
 * `options` go to browser.newContext (viewport, colorScheme, reducedMotion…).
 */
export async function openPage(browser, options = {}) {
  // Service workers are blocked unless a test asks for them (offline.test.mjs): a worker's fetches
  // would bypass page.route(), which other tests use to serve damaged files.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block', ...options });
  const page = await context.newPage();
  const log = { console: [], pageErrors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('request', (r) => log.requests.push(r.url()));
  return { context, page, log };
}

/** Waits until the app has rendered (the main heading exists). */
export async function appReady(page) {
  await page.locator('main h1').first().waitFor({ state: 'visible', timeout: 20000 });
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** No uncaught errors and no console errors or warnings on the page. */
export function assertCleanConsole(log) {
  assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
  // Playwright's own notice when a test context blocks service workers (openPage's default) is not the app's.
  const ours = log.console.filter((m) => m !== 'warning: Service Worker registration blocked by Playwright');
  assert.deepEqual(ours, [], 'console errors or warnings');
}

/**
 * Starts the static server on the built app and one browser for a test file, stopped after it.
 * Returns an object whose `server` and `browser` are set once the tests begin.
 */
export function useServerAndBrowser() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer(distDir());
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
