// Real download progress: on a slow connection (Chromium's network throttling), a large file shows a
// determinate progress bar with bytes received of the file's size, and the widget works once it is in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, assertCleanConsole as clean, useServerAndBrowser } from './lib/browser.mjs';

const env = useServerAndBrowser();

describe('download progress', () => {
  it('the language model weights report bytes received of 2.2 MB while they arrive', async () => {
    const { context, page, log } = await openPage(env.browser);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // about 1 MB/s: the 2.2 MB of weights take a couple of seconds
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: 1_000_000, uploadThroughput: -1 });
    await page.goto(env.server.origin + '/?embed=lm');
    const bar = page.getByRole('progressbar', { name: 'Downloading lm/model.bin' });
    await bar.waitFor({ timeout: 60000 });
    const seen = [];
    let said = null;
    for (let i = 0; i < 40 && seen.length < 3; i++) {
      const v = await bar.evaluate((b) => [b.value, b.max, b.parentElement.textContent.trim()]).catch(() => null);
      if (v && v[0] > 0 && !seen.some((s) => s[0] === v[0])) seen.push(v.slice(0, 2));
      if (v && v[0] > 0) said = v[2];
      await page.waitForTimeout(150);
    }
    assert.match(said, /^lm\/model\.bin: \d\.\d of 2\.2 MB$/);
    assert.ok(seen.length >= 2, `several partial values seen: ${JSON.stringify(seen)}`);
    for (const [value, max] of seen) {
      assert.equal(max, 2176540);
      assert.ok(value > 0 && value <= max, `${value} of ${max}`);
    }
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await bar.waitFor({ state: 'detached', timeout: 60000 });
    clean(log);
    await context.close();
  });
});

describe('download progress of the sections module', () => {
  it('the 3 MB module of the heavy sections reports its bytes too', async () => {
    const { context, page, log } = await openPage(env.browser);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: 1_000_000, uploadThroughput: -1 });
    await page.goto(env.server.origin + '/');
    await page.getByRole('heading', { level: 1 }).waitFor({ timeout: 60000 });
    await page.getByRole('link', { name: 'GANs' }).first().click();
    const bar = page.getByRole('progressbar', { name: 'Downloading genai-sections_bg.wasm' });
    await bar.waitFor({ timeout: 30000 });
    let partial = null;
    for (let i = 0; i < 40 && !partial; i++) {
      const v = await bar.evaluate((b) => [b.value, b.max]).catch(() => null);
      if (v && v[0] > 0 && v[0] < v[1]) partial = v;
      else await page.waitForTimeout(100);
    }
    const size = (await import('node:fs')).statSync((await import('node:path')).join(process.env.E2E_DIST, 'genai-sections_bg.wasm')).size;
    assert.ok(partial, 'a partial value was shown');
    assert.equal(partial[1], size);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.getByRole('heading', { level: 1, name: 'Generative adversarial networks' }).waitFor({ timeout: 60000 });
    await bar.waitFor({ state: 'detached', timeout: 60000 });
    clean(log);
    await context.close();
  });
});
