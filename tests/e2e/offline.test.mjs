// Offline use through the service worker (tools/sw/): "Make available offline" saves every file
// with a progress bar; with the browser context offline every page and embed reloads and finds
// its data; a changed service worker (a new build) is offered through the reload banner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, distDir } from './lib/browser.mjs';
import { ROUTES } from './lib/routes.mjs';
import { SUB_PATH } from './lib/server.mjs';

const env = useServerAndBrowser();

describe('offline', () => {
  it('saves the app, then every page and embed works offline; a new build offers a reload', async () => {
    const { context, page, log } = await openPage(env.browser, { serviceWorkers: 'allow' });
    await page.goto(env.server.origin + '/');
    await appReady(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    const save = page.getByRole('button', { name: /^Make available offline \(\d+\.\d MB\)$/ });
    await save.click();
    const bar = page.getByRole('progressbar', { name: 'Saving for offline use' });
    await bar.waitFor({ timeout: 30000 }).catch(() => {}); // may finish before it is seen on a fast disk
    await page.getByText(/^Saved: \d+ files, \d+\.\d MB\. Every page and widget now works without a network\.$/).waitFor({ timeout: 120000 });
    await context.setOffline(true);
    for (const r of ROUTES) {
      await page.goto(env.server.origin + '/' + r.query);
      await page.getByRole('heading', { level: 1, name: r.h1 }).waitFor({ timeout: 60000 });
      await page.waitForTimeout(300);
      assert.equal(await page.getByText(/Could not load|could not be fetched/).count(), 0, `${r.name}: a file was missing offline`);
    }
    // a widget that needs 2.2 MB of weights: the model answers offline
    await page.goto(env.server.origin + '/?embed=lm&lm.tokens=5');
    await page.getByRole('heading', { level: 1, name: 'Next-token prediction with a small GPT' }).waitFor();
    await page.waitForFunction(() => !document.body.innerText.includes('Loading the language model'), null, { timeout: 60000 });
    assert.equal(await page.getByText(/Could not load|could not be fetched/).count(), 0);
    await context.setOffline(false);
    // A new build: the server now serves a different sw.js; the page offers the new version.
    const sw = await readFile(path.join(distDir(), 'sw.js'), 'utf8');
    env.server.extra.set('/sw.js', sw + '\n// a newer build\n');
    await page.goto(env.server.origin + '/');
    await appReady(page);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    const banner = page.getByRole('status').filter({ hasText: 'A new version of GenAI Explorables is ready.' });
    await banner.waitFor({ timeout: 30000 });
    await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
    await appReady(page);
    assert.equal(await banner.count(), 0);
    env.server.extra.delete('/sw.js');
    clean(log);
    await context.close();
  });

  it('works the same under a sub-path; without the service worker an offline reload fails (the test has teeth)', async () => {
    const { context, page, log } = await openPage(env.browser, { serviceWorkers: 'allow' });
    await page.goto(env.server.origin + SUB_PATH);
    await appReady(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    assert.equal(await page.evaluate(async () => new URL((await navigator.serviceWorker.getRegistration()).scope).pathname), SUB_PATH);
    await page.getByRole('button', { name: /^Make available offline/ }).click();
    await page.getByText(/^Saved: \d+ files/).waitFor({ timeout: 120000 });
    await context.setOffline(true);
    await page.goto(env.server.origin + SUB_PATH + '?page=vae');
    await page.getByRole('heading', { level: 1, name: 'Variational autoencoders' }).waitFor({ timeout: 60000 });
    await page.getByTestId('vae-pca').waitFor({ timeout: 60000 }); // the digits came from the cache
    clean(log);
    await context.close();
    const blocked = await openPage(env.browser); // service workers blocked
    await blocked.page.goto(env.server.origin + '/');
    await appReady(blocked.page);
    await blocked.context.setOffline(true);
    await assert.rejects(blocked.page.goto(env.server.origin + '/?page=gan'), /ERR_INTERNET_DISCONNECTED/);
    await blocked.context.close();
  });

  it('with service workers blocked, "Make available offline" says so instead of waiting forever', async () => {
    const { context, page, log } = await openPage(env.browser); // blocked
    await page.goto(env.server.origin + '/');
    await appReady(page);
    await page.getByRole('button', { name: /^Make available offline/ }).click();
    await page.getByText(/^Could not save everything: the service worker did not start \(this browser may block it\)\./).waitFor({ timeout: 30000 });
    clean(log);
    await context.close();
  });
});
