// "A VAE trained on handwritten digits" in headless Chromium: trained live, the held-out ELBO
// improves, the latent beats 2-D PCA for a 5-NN classifier, the latent point moves by keys and
// pointer and its decoded digit changes, β = 0 answers the checkpoint, bad URL values and a far
// too high learning rate are explained.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, appReady, assertCleanConsole as clean, useServerAndBrowser, screenshot } from './lib/browser.mjs';

const env = useServerAndBrowser();
const TITLE = 'A VAE trained on handwritten digits';

async function open(page, query) {
  await page.goto(env.server.origin + '/' + query);
  await appReady(page);
  const region = page.getByRole('region', { name: TITLE });
  await region.scrollIntoViewIfNeeded({ timeout: 60000 });
  await region.getByTestId('vae-pca').waitFor({ timeout: 60000 });
  return region;
}
const num = async (region, id) => parseFloat(await region.getByTestId(id).innerText());

async function trainTo(page, region, epochs) {
  await region.getByRole('button', { name: /▶ Train/ }).click();
  await page.waitForFunction((n) => parseFloat(document.querySelector('[data-testid="vae-epochs"]')?.innerText ?? '0') >= n, epochs, { timeout: 120000 });
  await region.getByRole('button', { name: /Pause/ }).click();
}

describe('VAE on digits', () => {
  it('trains live: the held-out ELBO improves and the latent beats 2-D PCA; the point moves by keys and pointer', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?page=vae');
    const elbo0 = await num(region, 'vae-elbo');
    const pca = await num(region, 'vae-pca');
    await trainTo(page, region, 40);
    const elbo1 = await num(region, 'vae-elbo');
    const knn = await num(region, 'vae-knn');
    console.log(`# VAE 40 epochs: held-out −ELBO ${elbo0} → ${elbo1} nats; 5-NN latent ${knn} % vs PCA ${pca} %`);
    assert.ok(elbo1 < elbo0 - 5, `−ELBO ${elbo0} → ${elbo1}`);
    assert.ok(knn > pca, `5-NN in the latent ${knn} % vs PCA ${pca} %`);
    // keyboard: the plane is focusable, arrows move z, and the decoded digit changes
    const plane = region.getByRole('img', { name: /The 2-D latent space/ });
    await region.getByText('Show the pixels as text').click();
    const before = await region.getByTestId('vae-decoded').innerText();
    await plane.focus();
    for (let i = 0; i < 15; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowUp');
    assert.match(page.url(), /vae\.zx=1\.5/);
    assert.match(page.url(), /vae\.zy=1(&|$)/);
    await page.waitForFunction((b) => document.querySelector('[data-testid="vae-decoded"]')?.innerText !== b, before);
    // pointer: a click at the plane's lower left puts z there
    const box = await plane.boundingBox();
    await plane.click({ position: { x: box.width * 0.25, y: box.height * 0.75 } });
    const [zx, zy] = (await region.getByRole('heading', { name: /Decoded at z/ }).innerText()).match(/\((-?[\d.]+), (-?[\d.]+)\)/).slice(1).map(Number);
    assert.ok(Math.abs(zx + 2) < 0.05 && Math.abs(zy + 2) < 0.05, `clicked at (−2, −2), got (${zx}, ${zy})`);
    assert.match(page.url(), new RegExp(`vae\\.zx=${zx}(&|$)`));
    await region.getByText('Show the classes as a table').click();
    assert.equal(await region.getByRole('table', { name: /Where each digit class sits/ }).getByRole('row').count(), 11);
    await screenshot(page, 'vae-desktop');
    clean(log);
    await context.close();
  });

  it('β = 0 (a plain autoencoder): the codes spread beyond the prior, measured in the checkpoint', async () => {
    const { context, page, log } = await openPage(env.browser, { viewport: { width: 360, height: 800 } });
    const region = await open(page, '?embed=vae&vae.beta=0');
    const cp = region.getByRole('group', { name: /where do the digits' codes end up/ });
    await cp.getByRole('radio', { name: /Spread far beyond/ }).check();
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    await cp.getByText(/train for at least 20 epochs first/).waitFor();
    await trainTo(page, region, 20);
    await cp.getByRole('button', { name: 'Reveal the answer' }).click();
    const said = await cp.getByRole('status').innerText();
    console.log(`# β = 0: ${said}`);
    assert.match(said, /^Right\. Measured now/);
    const outside = Number(said.match(/(\d+) % of the digits' means lie outside/)[1]);
    assert.ok(outside > 10, said);
    await screenshot(page, 'vae-phone');
    clean(log);
    await context.close();
  });

  it('a learning rate far too high is detected and explained; bad URL values become notices', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=vae&vae.lr=1&vae.beta=banana&vae.zx=99');
    await region.getByText(/vae\.beta/).first().waitFor();
    await region.getByText(/vae\.zx/).first().waitFor();
    await region.getByRole('button', { name: /▶ Train/ }).click();
    await region.getByRole('alert').getByText(/Training diverged at step \d+/).waitFor({ timeout: 60000 });
    await region.getByLabel('Learning rate').selectOption('0.002');
    await region.getByRole('button', { name: 'Reset the run' }).click();
    assert.equal(await region.getByRole('alert').count(), 0);
    clean(log);
    await context.close();
  });

  it('your own digit: drawn by keys and clicks, encoded as a Gaussian; a blank pad and a bad drawing link are explained; a walk between two digits', async () => {
    const { context, page, log } = await openPage(env.browser);
    const region = await open(page, '?embed=vae&vae.draw=zz');
    await region.getByText(/vae\.draw/).first().waitFor();
    const said = region.getByTestId('vae-encoded');
    assert.match(await said.innerText(), /The pad is empty/);
    const pad = region.getByRole('group', { name: /Your digit, 8 by 8 cells/ });
    const cell = pad.getByRole('button', { name: 'row 1, column 1' });
    await cell.focus();
    await page.keyboard.press('Space');
    assert.equal(await cell.getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    assert.equal(await pad.getByRole('button', { name: 'row 1, column 2' }).getAttribute('aria-pressed'), 'true');
    await pad.getByRole('button', { name: 'row 5, column 4' }).click();
    assert.match(await said.innerText(), /^q\(z \| your digit\): μ = \(-?[\d.]+, -?[\d.]+\), σ = /);
    assert.match(page.url(), /vae\.draw=c000000010000000(&|$)/);
    await region.getByRole('button', { name: 'Clear the pad' }).click();
    assert.match(await said.innerText(), /The pad is empty/);
    await region.getByRole('button', { name: 'Copy held-out digit #1' }).click();
    assert.match(await said.innerText(), /μ = /);
    await region.getByLabel('From held-out digit #').fill('5');
    await region.getByLabel('From held-out digit #').press('Enter');
    await region.getByLabel('to held-out digit #').fill('9999');
    await region.getByLabel('to held-out digit #').press('Enter');
    assert.match(await region.getByRole('img', { name: /ten images decoded along the straight line/ }).getAttribute('aria-label'), /^Held-out digit #5 \(a \d\).*held-out digit #360 \(a \d\)$/);
    clean(log);
    await context.close();
  });
});
