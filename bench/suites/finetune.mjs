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
  await context.close();
  return [['Fine-tuning in the page (headless Chromium, embed)', rows]];
}
