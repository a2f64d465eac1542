// The embeddings section in the page: data size and load, PCA of the 5,000 × 384 table, the
// background neighbour search, and t-SNE iterations per second while the map redraws.
export const name = 'embeddings';

export async function run({ origin, browser }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const rows = [];
  let bytes = 0;
  page.on('response', async (r) => {
    if (r.url().includes('/public/embeddings/')) bytes += Number((await r.headerValue('content-length')) || (await r.body()).length);
  });
  const t0 = Date.now();
  await page.goto(origin + '/?page=embeddings&embeddings.projection=tsne');
  await page.getByRole('table', { name: /Nearest to/ }).waitFor({ timeout: 30000 });
  const ready = Date.now() - t0;
  rows.push({ measure: 'embedding data transferred (words + senses)', value: `${(bytes / 1e6).toFixed(2)} MB` });
  rows.push({ measure: 'page open → neighbours of “cat” listed (fetch, parse, PCA)', value: `${ready} ms` });
  const pcaMs = await page.evaluate(async () => {
    const buf = new Uint8Array(await (await fetch('public/embeddings/words.bin')).arrayBuffer());
    const times = [];
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      window.sectionBindings.bench_pca(buf);
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[1];
  });
  rows.push({ measure: 'parse + PCA of 5,000 × 384 (2 components), median of 3', value: `${pcaMs.toFixed(0)} ms` });
  await page.waitForFunction(() => /Iteration 0/.test(document.body.innerText), null, { timeout: 60000 });
  const knn = Date.now() - t0;
  rows.push({ measure: 'page open → every word’s 150 nearest neighbours found (background, sliced)', value: `${knn} ms` });
  await page.getByRole('button', { name: '▶ Run t-SNE' }).click();
  await page.waitForTimeout(1000);
  const read = () => page.evaluate(() => [Number(document.body.innerText.match(/Iteration (\d+)/)[1]), performance.now()]);
  const [i0, s0] = await read();
  await page.waitForTimeout(4000);
  const [i1, s1] = await read();
  rows.push({ measure: 't-SNE on 5,000 points, iterations/s with the map redrawn every frame', value: ((i1 - i0) / ((s1 - s0) / 1000)).toFixed(1) });
  await context.close();
  return [['Embeddings (headless Chromium)', rows]];
}
