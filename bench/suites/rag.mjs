// Retrieval-augmented generation in the page: BM25 and word-vector retrieval over every chunk (the
// widget's own timings of one query, medians over several questions), the index build, and the
// instruction-tuned model's answer with and without retrieval (prompt tokens, written tokens, ms).
export const name = 'rag';

const QUESTIONS = [
  'Who said "the contagious sickness which afflicted the city of Philadelphia"?',
  'Who gave the State of the Union address in 1797?',
  'Which party was the president who said "the public debt"?',
  'What did the president say about the army and the navy?',
  'Who gave the address about the war with Spain?',
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function run({ origin, browser }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const text = (id) => page.getByTestId(id).innerText();
  const rows = [];
  for (const [label, query] of [['addresses (chunks of 20, overlap 5)', ''], ['addresses + Moby Dick', '&rag.corpus=addresses-moby'], ['addresses, chunks of 10, overlap 9', '&rag.size=10&rag.overlap=9']]) {
    for (const method of ['bm25', 'embedding']) {
      const ms = [];
      let chunks = '';
      let index = '';
      const answers = [];
      for (const q of QUESTIONS) {
        await page.goto(`${origin}/?embed=rag&rag.method=${method}${query}&rag.query=${encodeURIComponent(q)}`);
        await page.getByTestId('rag-retrieval').getByText(/scored in [\d.]+ ms/).waitFor({ timeout: 120000 });
        const r = await text('rag-retrieval');
        const m = r.match(/of ([\d,]+) chunks scored in ([\d.]+) ms/);
        chunks = m[1];
        ms.push(Number(m[2]));
        index = (await text('rag-index')).match(/Index built in (\d+) ms/)[1];
        if (method === 'bm25' && query === '') {
          await page.getByText(/^\d+ prompt tokens \+ \d+ written, \d+ ms/).nth(1).waitFor({ timeout: 60000 });
          answers.push(await page.getByText(/^\d+ prompt tokens \+ \d+ written, \d+ ms/).allInnerTexts());
        }
      }
      rows.push({ measure: `${label}: ${method === 'bm25' ? 'BM25' : 'word vectors'} over ${chunks} chunks, one query (median of ${ms.length} questions)`, value: `${median(ms).toFixed(2)} ms (max ${Math.max(...ms).toFixed(2)})` });
      if (method === 'bm25') rows.push({ measure: `${label}: index build (last page load)`, value: `${index} ms` });
      if (answers.length) {
        const parse = (s) => s.match(/^(\d+) prompt tokens \+ (\d+) written, (\d+) ms/).slice(1).map(Number);
        const withR = answers.map((a) => parse(a[0]));
        const without = answers.map((a) => parse(a[1]));
        const fmt = (xs) => `${median(xs.map((x) => x[0]))} prompt + ${median(xs.map((x) => x[1]))} written tokens, median ${median(xs.map((x) => x[2]))} ms`;
        rows.push({ measure: 'answer with retrieval (top 3)', value: fmt(withR) });
        rows.push({ measure: 'answer without retrieval (closed book)', value: fmt(without) });
      }
    }
  }
  await context.close();
  return [['RAG in the page (headless Chromium, embed)', rows]];
}
