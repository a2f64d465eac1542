// Fine-tuning new facts in the page ("Teach the model new facts"): full fine-tuning and LoRA on the
// 48 closed-book questions about the held-out addresses. Training time and tokens/s from the
// widget's own status line (steps × the examples' tokens), accuracy before and after, the longest
// frame while it ran.
export const name = 'finetune';

const RUNS = [
  ['full fine-tuning, AdamW 1e-3', 'finetune.method=full&finetune.lr=0.001&finetune.steps=60', 60],
  ['LoRA r = 4, Adam 1e-2', 'finetune.method=lora&finetune.rank=4&finetune.lr=0.01&finetune.steps=30', 30],
  ['LoRA r = 16, Adam 1e-2', 'finetune.method=lora&finetune.rank=16&finetune.lr=0.01&finetune.steps=30', 30],
];

export async function run({ origin, browser }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const rows = [];
  for (const [label, query, steps] of RUNS) {
    await page.goto(`${origin}/?embed=finetune&${query}`);
    const region = page.getByRole('region', { name: 'Teach the model new facts' });
    const table = region.getByRole('table', { name: /Before and after/ });
    await table.waitFor({ timeout: 120000 });
    await region.getByRole('button', { name: 'Fine-tune' }).click();
    await page.waitForFunction((n) => {
      const t = document.querySelector('[data-testid="ft-status"]')?.innerText ?? '';
      return t.startsWith(`Step ${n} of ${n}`) && /weights moved/.test(t);
    }, steps, { timeout: 300000 });
    const status = await page.getByTestId('ft-status').innerText();
    const secs = Number(status.match(/· ([\d.]+) s ·/)[1]);
    const longest = status.match(/longest frame (\d+) ms/)[1];
    const trained = status.match(/([\d,]+) numbers trained/)[1];
    const cell = async (r, c) => (await table.getByRole('row').nth(r).getByRole('cell').nth(c).innerText()).trim();
    rows.push({
      measure: `${label}, ${steps} steps of 16 examples (${trained} numbers trained)`,
      value: `${secs.toFixed(1)} s (${(steps / secs).toFixed(1)} steps/s, incl. scoring); facts ${await cell(1, 0)} → ${await cell(1, 1)}; untouched ${await cell(2, 0)} → ${await cell(2, 1)}; longest frame ${longest} ms`,
    });
  }
  // continued pre-training: tokens/s from the widget's status (8 windows of 64 tokens per step)
  const domain = [];
  for (const [label, query] of [['every weight, AdamW 1e-3', 'domain.method=full'], ['LoRA r = 8, Adam 1e-3', 'domain.method=lora']]) {
    await page.goto(`${origin}/?embed=domain&domain.steps=40&${query}`);
    const region = page.getByRole('region', { name: 'Continued pre-training on one domain' });
    const st = () => document.querySelector('[data-testid="dom-status"]')?.innerText ?? '';
    await page.waitForFunction(`(${st})().endsWith('Ready.')`, null, { timeout: 180000 });
    await region.getByRole('button', { name: 'Continue pre-training' }).click();
    await page.waitForFunction(`(${st})().endsWith('done')`, null, { timeout: 300000 });
    const status = await page.getByTestId('dom-status').innerText();
    domain.push({ measure: `continued pre-training on Moby Dick, ${label}, 40 steps`, value: `${status.match(/([\d,]+) tokens\/s/)[1]} tokens/s (incl. held-out scoring every 10 steps); ${status.match(/longest frame \d+ ms/)[0]}` });
  }
  // preference tuning: DPO steps/s on the sailors' pairs
  await page.goto(`${origin}/?embed=preference&preference.pairs=16&preference.steps=30`);
  const pref = page.getByRole('region', { name: 'Tune the model to preferences (RLHF)' });
  await page.waitForFunction(() => /pairs ready/.test(document.querySelector('[data-testid="pref-status"]')?.innerText ?? ''), null, { timeout: 300000 });
  await pref.getByRole('button', { name: 'Tune toward the picks' }).click();
  await page.waitForFunction(() => /DPO steps on \d+ pairs/.test(document.querySelector('[data-testid="pref-status"]')?.innerText ?? ''), null, { timeout: 300000 });
  const ps = await page.getByTestId('pref-status').innerText();
  const [, steps, pairs, secs] = ps.match(/(\d+) DPO steps on (\d+) pairs in ([\d.]+) s/);
  const rating = (await pref.getByRole('table', { name: /sailors' rating/ }).getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t').map((c) => c.trim()).join(' '));
  domain.push({ measure: `DPO, ${pairs} pairs (sailors' rater), β 0.5, lr 3e-5`, value: `${steps} steps in ${secs} s (${(steps / secs).toFixed(1)} steps/s, incl. the KL measurement); rating before → after: ${rating.join('; ')}; ${ps.match(/longest frame \d+ ms/)[0]}` });
  // the comparison table
  await page.goto(`${origin}/?embed=compare`);
  const cmp = page.getByRole('region', { name: 'Prompt, RAG or fine-tune? One table' });
  await page.waitForFunction(() => /^Ready/.test(document.querySelector('[data-testid="cmp-status"]')?.innerText ?? ''), null, { timeout: 180000 });
  await cmp.getByRole('button', { name: 'Run the comparison' }).click();
  await page.waitForFunction(() => /^Done/.test(document.querySelector('[data-testid="cmp-status"]')?.innerText ?? ''), null, { timeout: 300000 });
  const table = (await cmp.getByRole('table').getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t').map((c) => c.trim()));
  const compare = table.map((r) => ({ measure: r[0], value: `${r[1]} · ${r[2]} per answer · ${r[3]} tokens per answer · before answering: ${r[4]} · weights changed: ${r[5]}` }));
  await context.close();
  return [['Fine-tuning in the page (headless Chromium, embed)', rows], ['Continued pre-training and preference tuning in the page', domain], ['Prompt, RAG or fine-tune: the 48 closed-book questions', compare]];
}
