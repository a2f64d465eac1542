//! Retrieval-augmented generation: the openings of all 233 State of the Union addresses (and, on
//! request, the chapters of Moby Dick) cut into chunks in the page, every chunk scored against a
//! question by BM25 or by word-vector similarity (genai_core::rag), the top k written into a
//! four-part prompt with their citations, and the instruction-tuned model's answer with and without
//! them, beside a fingerprint of its weights taken before and after answering. An evaluation panel
//! scores closed book, the right document given by hand, and retrieval on the held-out questions.

use crate::shell::anim::now_ms;
use crate::shell::assets::{fetch_bytes, fetch_text, js_get, js_strings};
use crate::shell::dom::yield_to_browser;
use crate::shell::plot::{Area, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use crate::widgets::lm::fmt_int;
use crate::widgets::prompt::pct;
use crate::widgets::lm_store::{load_eval, use_instruct, EvalRow, Lm, LmLoad};
use genai_core::embed::Table;
use genai_core::gpt::prompt::{exact_match, greedy_answer, Prompt};
use genai_core::query::{Choice, Notice, StateReader, StateWriter, UrlState};
use genai_core::rag::{embedding_scores, fit_prompt, fnv1a_f32, top_k, Bm25, Chunk, ChunkVectors, Corpus, Fitted, Scored, WordVectors};
use leptos::prelude::*;
use plotters::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

pub const META_ID: &str = "rag";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "prompts", title: "Retrieval-augmented generation", embed_height: 1600 };

/// Tokens the model may write for an answer (as in the fine-tuning's evaluation).
pub const ANSWER_TOKENS: usize = 12;
const QUERY_MAX_CHARS: usize = 500;
const QA_CONTEXT: &str = "Answer the question from the documents.";
const QA_CLOSED: &str = "Answer the question.";
/// A quote from the opening of the 1797 address (John Adams), one of the held-out addresses.
const DEFAULT_QUERY: &str = "Who said \"the contagious sickness which afflicted the city of Philadelphia\"?";
/// The same address asked for by its year.
const YEAR_QUERY: &str = "Who gave the State of the Union address in 1797?";
/// The failure preset: no address was given in 1788 (the first is from 1790).
const FAILURE_QUERY: &str = "Who gave the State of the Union address in 1788?";
/// A question whose words match the wrong passages: "the war with Spain" is the Spanish–American
/// War, in William Mc Kinley's 1898 address, but BM25 matches words, not events.
const SPAIN_QUERY: &str = "Who gave the address about the war with Spain?";
/// Rows of the top-chunks table.
const TABLE_ROWS: usize = 10;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    #[default]
    Bm25,
    Embedding,
}

impl Choice for Method {
    const ALL: &'static [Method] = &[Method::Bm25, Method::Embedding];
    fn key(self) -> &'static str {
        match self {
            Method::Bm25 => "bm25",
            Method::Embedding => "embedding",
        }
    }
}

impl Method {
    fn label(self) -> &'static str {
        match self {
            Method::Bm25 => "BM25 (shared terms)",
            Method::Embedding => "Embedding similarity (mean word vectors)",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CorpusChoice {
    #[default]
    Addresses,
    WithMoby,
}

impl Choice for CorpusChoice {
    const ALL: &'static [CorpusChoice] = &[CorpusChoice::Addresses, CorpusChoice::WithMoby];
    fn key(self) -> &'static str {
        match self {
            CorpusChoice::Addresses => "addresses",
            CorpusChoice::WithMoby => "addresses-moby",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RagState {
    pub query: String,
    pub method: Method,
    pub k: i64,
    /// Chunk size and overlap in words.
    pub size: i64,
    pub overlap: i64,
    pub corpus: CorpusChoice,
}

impl Default for RagState {
    fn default() -> Self {
        RagState { query: DEFAULT_QUERY.into(), method: Method::Bm25, k: 3, size: 20, overlap: 5, corpus: CorpusChoice::Addresses }
    }
}

const SIZE_MIN: i64 = 5;
const SIZE_MAX: i64 = 150;

impl UrlState for RagState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.text("query", &self.query);
        w.choice("method", self.method);
        w.int("k", self.k);
        w.int("size", self.size);
        w.int("overlap", self.overlap);
        w.choice("corpus", self.corpus);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = RagState::default();
        let query = r.text("query", QUERY_MAX_CHARS, &d.query);
        let method = r.choice("method", d.method);
        let k = r.int("k", 1..=5, d.k);
        let size = r.int("size", SIZE_MIN..=SIZE_MAX, d.size);
        // the overlap must stay below the size; the check against the size read above is in the widget
        let overlap = r.int("overlap", 0..=SIZE_MAX - 1, d.overlap.min(size - 1));
        let corpus = r.choice("corpus", d.corpus);
        RagState { query, method, k, size, overlap, corpus }
    }
}

// ---------------------------------------------------------------------------------------------
// Data: the addresses' openings, Moby Dick's chapters, the word table
// ---------------------------------------------------------------------------------------------

/// Where a document comes from (its citation).
#[derive(Clone, Debug, PartialEq)]
enum Source {
    Address { year: i64, president: String, party: String },
    Chapter(usize),
}

impl Source {
    /// The header the model reads before the passage (as in fine-tuning, tools/lm/common.rs).
    fn header(&self) -> String {
        match self {
            Source::Address { year, president, party, .. } => format!("State of the Union, {year}. {president} ({party})."),
            Source::Chapter(n) => format!("Moby Dick, chapter {n}."),
        }
    }
    fn cite(&self) -> String {
        match self {
            Source::Address { year, president, .. } => format!("{year}, {president}"),
            Source::Chapter(n) => format!("Moby Dick, ch. {n}"),
        }
    }
}

pub(crate) struct Addresses {
    sources: Vec<Source>,
    texts: Vec<String>,
}

pub(crate) async fn load_addresses() -> Result<Rc<Addresses>, String> {
    let damaged = |what: &str, why: String| format!("The retrieval corpus ({what}) is damaged: {why}. Reload the page; if it persists, the site's copy is broken.");
    let meta = fetch_text("lm/sotu-meta.json").await?;
    let text = fetch_text("lm/sotu-excerpts.txt").await?;
    let v = js_sys::JSON::parse(&meta).map_err(|_| damaged("sotu-meta.json", "not valid JSON".into()))?;
    if !js_sys::Array::is_array(&v) {
        return Err(damaged("sotu-meta.json", "not a list".into()));
    }
    let mut sources = Vec::new();
    for (i, r) in js_sys::Array::from(&v).iter().enumerate() {
        let year = js_get(&r, "year").as_f64();
        let president = js_get(&r, "president").as_string();
        let party = js_get(&r, "party").as_string();
        match (year, president, party) {
            (Some(y), Some(p), Some(q)) if y.fract() == 0.0 => sources.push(Source::Address { year: y as i64, president: p, party: q }),
            _ => return Err(damaged("sotu-meta.json", format!("entry {i} lacks a year, president or party"))),
        }
    }
    let texts: Vec<String> = text.split('\u{1e}').map(str::to_string).collect();
    if texts.len() != sources.len() || texts.iter().any(|t| t.trim().is_empty()) {
        return Err(damaged("sotu-excerpts.txt", format!("{} passages for {} addresses", texts.iter().filter(|t| !t.trim().is_empty()).count(), sources.len())));
    }
    Ok(Rc::new(Addresses { sources, texts }))
}

/// Moby Dick's chapters: (number, text after "CHAPTER n.", i.e. the title and the chapter).
async fn load_moby() -> Result<Rc<Vec<(usize, String)>>, String> {
    let text = fetch_text("tokens/moby-dick.txt").await?;
    let text = text.replace("\r\n", "\n");
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for line in text.split('\n') {
        let number = line.strip_prefix("CHAPTER ").and_then(|r| r.split_once('.')).and_then(|(n, _)| n.trim().parse::<usize>().ok());
        if let Some(n) = number {
            if let Some(c) = cur.take() {
                out.push(c);
            }
            let rest = line.split_once('.').map(|x| x.1).unwrap_or("").trim().to_string();
            cur = Some((n, rest));
        } else if let Some((_, t)) = cur.as_mut() {
            t.push('\n');
            t.push_str(line);
        }
    }
    out.extend(cur);
    if out.len() < 100 {
        return Err(format!("The Moby Dick text is damaged: {} chapters found instead of 135. Reload the page; if it persists, the site's copy is broken.", out.len()));
    }
    Ok(Rc::new(out))
}

async fn load_words() -> Result<Rc<WordVectors>, String> {
    let damaged = |what: &str, why: String| format!("The word vectors ({what}) are damaged: {why}. Reload the page; if it persists, the site's copy is broken.");
    let json = fetch_text("embeddings/words.json").await?;
    let bin = fetch_bytes("embeddings/words.bin").await?;
    let meta = js_sys::JSON::parse(&json).map_err(|_| damaged("words.json", "not valid JSON".into()))?;
    let words = js_strings(&js_get(&meta, "words"));
    let table = Table::from_emb1(&bin).map_err(|e| damaged("words.bin", e.to_string()))?;
    if words.len() != table.n {
        return Err(damaged("words.json", format!("{} words for {} vectors", words.len(), table.n)));
    }
    Ok(Rc::new(WordVectors::new(table, &words)))
}

/// A lazily loaded file: nothing asked yet, on its way, or its result.
enum Lazy<T> {
    Idle,
    Loading,
    Done(Result<Rc<T>, String>),
}

impl<T> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        match self {
            Lazy::Idle => Lazy::Idle,
            Lazy::Loading => Lazy::Loading,
            Lazy::Done(r) => Lazy::Done(r.clone()),
        }
    }
}

fn request<T: 'static, F: std::future::Future<Output = Result<Rc<T>, String>> + 'static>(sig: RwSignal<Lazy<T>, LocalStorage>, load: fn() -> F) {
    if matches!(sig.get_untracked(), Lazy::Idle) {
        sig.set(Lazy::Loading);
        leptos::task::spawn_local(async move {
            let r = load().await;
            let _ = sig.try_set(Lazy::Done(r));
        });
    }
}

// ---------------------------------------------------------------------------------------------
// The index and one question's retrieval
// ---------------------------------------------------------------------------------------------

struct Docs {
    choice: CorpusChoice,
    corpus: Corpus,
    sources: Vec<Source>,
    build_ms: f64,
}

fn build_docs(choice: CorpusChoice, a: &Addresses, moby: Option<&[(usize, String)]>) -> Docs {
    let t0 = now_ms();
    let mut corpus = Corpus::new();
    let mut sources = Vec::new();
    for (s, t) in a.sources.iter().zip(&a.texts) {
        corpus.add(&s.header(), t);
        sources.push(s.clone());
    }
    for (n, t) in moby.unwrap_or(&[]) {
        let s = Source::Chapter(*n);
        corpus.add(&s.header(), t);
        sources.push(s);
    }
    Docs { choice, corpus, sources, build_ms: now_ms() - t0 }
}

struct Index {
    key: (CorpusChoice, usize, usize),
    chunks: Vec<Chunk>,
    bm25: Bm25,
    bm25_ms: f64,
    /// Built the first time the embedding method needs them.
    vectors: Option<(ChunkVectors, f64)>,
}

/// One question's scores over every chunk and the chosen chunks.
#[derive(Clone)]
struct Retrieval {
    method: Method,
    scored: Scored,
    /// The k best chunks with a positive score, best first.
    top: Vec<usize>,
    /// The best `TABLE_ROWS` (for the table), whatever their score.
    best: Vec<usize>,
    ms: f64,
    positive: usize,
}

fn retrieve(docs: &Docs, index: &Index, words: Option<&WordVectors>, method: Method, query: &str, k: usize) -> Option<Retrieval> {
    let t0 = now_ms();
    let scored = match method {
        Method::Bm25 => index.bm25.score(&docs.corpus, query),
        Method::Embedding => embedding_scores(&index.vectors.as_ref()?.0, words?, query),
    };
    let best = top_k(&scored.scores, TABLE_ROWS.max(k));
    let ms = now_ms() - t0;
    let top: Vec<usize> = best.iter().copied().filter(|&c| scored.scores[c] > 0.0).take(k).collect();
    let positive = scored.scores.iter().filter(|&&s| s > 0.0).count();
    Some(Retrieval { method, scored, top, best, ms, positive })
}

/// The RAG widget's default retrieval (BM25, the top 3 of 20-word chunks overlapping by 5, over the
/// addresses), ready for many questions: the comparison table of the fine-tuning section uses it.
pub(crate) struct DefaultRag {
    docs: Docs,
    index: Index,
    k: usize,
    /// Milliseconds to chunk the corpus and build the index.
    pub(crate) build_ms: f64,
}

impl DefaultRag {
    pub(crate) fn new(a: &Addresses) -> Result<DefaultRag, String> {
        let s = RagState::default();
        let docs = build_docs(CorpusChoice::Addresses, a, None);
        let t0 = now_ms();
        let chunks = docs.corpus.chunks(s.size as usize, s.overlap as usize).map_err(|e| e.to_string())?;
        let bm25 = Bm25::build(&docs.corpus, &chunks);
        let bm25_ms = now_ms() - t0;
        let build_ms = docs.build_ms + bm25_ms;
        Ok(DefaultRag { docs, index: Index { key: (CorpusChoice::Addresses, s.size as usize, s.overlap as usize), chunks, bm25, bm25_ms, vectors: None }, k: s.k as usize, build_ms })
    }

    /// The retrieval-augmented answer to `query` (closed book when no chunk matches), with the
    /// retrieval's milliseconds added to the answer's.
    pub(crate) fn answer(&self, lm: &Lm, query: &str) -> Answer {
        let r = retrieve(&self.docs, &self.index, None, Method::Bm25, query, self.k);
        let retrieved: Vec<String> = r.as_ref().map(|r| r.top.iter().map(|&c| self.docs.corpus.chunk_document(&self.index.chunks[c])).collect()).unwrap_or_default();
        let mut a = if retrieved.is_empty() { answer(lm, &closed_prompt(query)) } else { answer(lm, &fit_prompt(&lm.tokenizer, &rag_prompt(retrieved, query), lm.model.cfg.ctx - ANSWER_TOKENS).prompt) };
        a.ms += r.map_or(0.0, |r| r.ms);
        a
    }
}

/// A greedy answer with what it cost.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Answer {
    pub(crate) text: String,
    p: f64,
    pub(crate) ms: f64,
    pub(crate) prompt_tokens: usize,
    pub(crate) new_tokens: usize,
    finished: bool,
}

pub(crate) fn answer(lm: &Lm, prompt: &Prompt) -> Answer {
    let ids = prompt.encode(&lm.tokenizer);
    let t0 = now_ms();
    let a = greedy_answer(&lm.model, &lm.tokenizer, &ids, ANSWER_TOKENS);
    let ms = now_ms() - t0;
    Answer { text: lm.tokenizer.decode(&a.ids).trim().to_string(), p: a.log_prob().exp(), ms, prompt_tokens: ids.len(), new_tokens: a.probs.len(), finished: a.finished }
}

fn rag_prompt(docs: Vec<String>, query: &str) -> Prompt {
    Prompt { instruction: Some(QA_CONTEXT.into()), context: Some(docs), input: Some(query.to_string()), output: Some(String::new()) }
}

pub(crate) fn closed_prompt(query: &str) -> Prompt {
    Prompt { instruction: Some(QA_CLOSED.into()), context: None, input: Some(query.to_string()), output: Some(String::new()) }
}

/// Everything the view shows for the current state.
#[derive(Clone)]
struct Snapshot {
    query: String,
    n_docs: usize,
    n_words: usize,
    n_chunks: usize,
    docs_ms: f64,
    bm25_ms: f64,
    vectors_ms: Option<f64>,
    retrieval: Option<Retrieval>,
    /// The retrieved documents in rank order (header + passage) with their citations.
    retrieved: Vec<(usize, String, String)>,
    /// Who each retrieved passage is by (the president, or "Moby Dick").
    retrieved_by: Vec<String>,
    /// BM25 only: each distinct query term, the chunks holding it n(t), and its idf.
    term_stats: Vec<(String, usize, f32)>,
    fitted: Option<Fitted>,
    with_docs: Option<Answer>,
    closed: Option<Answer>,
    checksum: (u64, u64),
}


#[component]
pub fn RagWidget() -> impl IntoView {
    let url = use_url_state::<RagState>();
    let model = use_instruct();
    let addresses = LocalResource::new(load_addresses);
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {move || {
                let a = match addresses.get() {
                    None => return view! { <Loading label="Loading the documents" text="Loading the documents (233 addresses, 1.3 MB)…"/> }.into_any(),
                    Some(Err(e)) => return view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                    Some(Ok(a)) => a,
                };
                match model.get() {
                    LmLoad::Loading => view! { <Loading label="Loading the language model" text="Loading the instruction-tuned language model and its weights…"/> }.into_any(),
                    LmLoad::Failed(e) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                    LmLoad::Ready(m) => view! { <RagInner lm=m addresses=a state=url.state notices=url.notices/> }.into_any(),
                }
            }}
        </WidgetFrame>
    }
}

#[component]
fn RagInner(lm: Rc<Lm>, addresses: Rc<Addresses>, state: RwSignal<RagState>, notices: RwSignal<Vec<Notice>>) -> impl IntoView {
    let ctx = lm.model.cfg.ctx;
    let n_params = lm.model.params.len();
    let loaded_checksum = fnv1a_f32(&lm.model.params);
    let lm = StoredValue::new_local(lm);
    let addresses = StoredValue::new_local(addresses);
    let moby = RwSignal::new_local(Lazy::<Vec<(usize, String)>>::Idle);
    let words = RwSignal::new_local(Lazy::<WordVectors>::Idle);
    let docs = StoredValue::new_local(None::<Rc<Docs>>);
    let index = StoredValue::new_local(None::<Rc<RefCell<Index>>>);
    let snap = RwSignal::new_local(None::<Result<Rc<Snapshot>, String>>);
    // answer caches: prompt ids → answer
    let cache = StoredValue::new_local(Vec::<(Vec<u32>, Answer)>::new());

    // The overlap must stay below the chunk size (a link can ask for more): clamp with a notice.
    Effect::new(move |_| {
        let (size, overlap) = state.with(|s| (s.size, s.overlap));
        if overlap >= size {
            state.update(|s| s.overlap = s.size - 1);
            notices.update(|n| {
                let msg = Notice { key: "rag.overlap".into(), value: overlap.to_string(), reason: format!("must be smaller than the chunk size ({size} words), or the window would never move on: it is {} instead.", size - 1) };
                if !n.contains(&msg) {
                    n.push(msg);
                }
            });
        }
    });

    // URL state → documents → index → retrieval → prompt → answers.
    Effect::new(move |_| {
        let s = state.get();
        if s.overlap >= s.size {
            return;
        }
        if s.corpus == CorpusChoice::WithMoby {
            request(moby, load_moby);
        }
        if s.method == Method::Embedding {
            request(words, load_words);
        }
        let moby_now = moby.get();
        let words_now = words.get();
        let moby_data = match (&s.corpus, &moby_now) {
            (CorpusChoice::Addresses, _) => None,
            (_, Lazy::Done(Ok(m))) => Some(m.clone()),
            (_, Lazy::Done(Err(e))) => return snap.set(Some(Err(e.clone()))),
            _ => return snap.set(None),
        };
        let wv = match (&s.method, &words_now) {
            (Method::Bm25, _) => None,
            (_, Lazy::Done(Ok(w))) => Some(w.clone()),
            (_, Lazy::Done(Err(e))) => return snap.set(Some(Err(e.clone()))),
            _ => return snap.set(None),
        };
        // documents (once per corpus choice)
        if docs.with_value(|d| d.as_ref().is_none_or(|d| d.choice != s.corpus)) {
            let d = addresses.with_value(|a| build_docs(s.corpus, a, moby_data.as_deref().map(|m| m.as_slice())));
            docs.set_value(Some(Rc::new(d)));
            index.set_value(None);
        }
        let d = docs.get_value().expect("just built");
        // chunks and BM25 (once per chunking)
        let key = (s.corpus, s.size as usize, s.overlap as usize);
        if index.with_value(|i| i.as_ref().is_none_or(|i| i.borrow().key != key)) {
            let t0 = now_ms();
            let chunks = match d.corpus.chunks(key.1, key.2) {
                Ok(c) => c,
                Err(e) => return snap.set(Some(Err(format!("These chunk settings cannot be used: {e}.")))),
            };
            let bm25 = Bm25::build(&d.corpus, &chunks);
            let bm25_ms = now_ms() - t0;
            index.set_value(Some(Rc::new(RefCell::new(Index { key, chunks, bm25, bm25_ms, vectors: None }))));
        }
        let ix = index.get_value().expect("just built");
        if let Some(w) = &wv {
            let mut i = ix.borrow_mut();
            if i.vectors.is_none() {
                let t0 = now_ms();
                let v = ChunkVectors::build(&d.corpus, &i.chunks, w);
                i.vectors = Some((v, now_ms() - t0));
            }
        }
        let i = ix.borrow();
        let query = s.query.trim().to_string();
        let retrieval = (!query.is_empty()).then(|| retrieve(&d, &i, wv.as_deref(), s.method, &query, s.k as usize)).flatten();
        let retrieved: Vec<(usize, String, String)> = retrieval
            .as_ref()
            .map(|r| r.top.iter().map(|&c| (c, d.corpus.chunk_document(&i.chunks[c]), d.sources[i.chunks[c].doc].cite())).collect())
            .unwrap_or_default();
        let retrieved_by: Vec<String> = retrieval
            .as_ref()
            .map(|r| r.top.iter().map(|&c| match &d.sources[i.chunks[c].doc] { Source::Address { president, .. } => president.clone(), Source::Chapter(_) => "Moby Dick".into() }).collect())
            .unwrap_or_default();
        let term_stats: Vec<(String, usize, f32)> = match (&retrieval, s.method) {
            (Some(r), Method::Bm25) => r
                .scored
                .terms
                .iter()
                .map(|t| {
                    let n = d.corpus.term_id(t).map_or(0, |id| i.bm25.df(id));
                    (t.clone(), n, if n == 0 { 0.0 } else { genai_core::rag::idf(i.chunks.len(), n) })
                })
                .collect(),
            _ => Vec::new(),
        };
        // answers, with the weights' fingerprint before and after
        let (fitted, with_docs, closed, checksum) = lm.with_value(|l| {
            let before = fnv1a_f32(&l.model.params);
            if query.is_empty() {
                return (None, None, None, (before, before));
            }
            let cached = |p: &Prompt| {
                let ids = p.encode(&l.tokenizer);
                if let Some(a) = cache.with_value(|c| c.iter().find(|(k, _)| *k == ids).map(|(_, a)| a.clone())) {
                    return a;
                }
                let a = answer(l, p);
                cache.update_value(|c| {
                    if c.len() > 64 {
                        c.remove(0);
                    }
                    c.push((ids, a.clone()));
                });
                a
            };
            let fitted = (!retrieved.is_empty()).then(|| fit_prompt(&l.tokenizer, &rag_prompt(retrieved.iter().map(|r| r.1.clone()).collect(), &query), ctx - ANSWER_TOKENS));
            let with_docs = fitted.as_ref().map(|f| cached(&f.prompt));
            let closed = cached(&closed_prompt(&query));
            (fitted, with_docs, Some(closed), (before, fnv1a_f32(&l.model.params)))
        });
        snap.set(Some(Ok(Rc::new(Snapshot {
            query,
            n_docs: d.corpus.docs.len(),
            n_words: d.corpus.n_words(),
            n_chunks: i.chunks.len(),
            docs_ms: d.build_ms,
            bm25_ms: i.bm25_ms,
            vectors_ms: i.vectors.as_ref().map(|v| v.1),
            retrieval,
            retrieved,
            retrieved_by,
            term_stats,
            fitted,
            with_docs,
            closed,
            checksum,
        }))));
    });

    // ---- controls (each attribute reactive on its own, so a slider keeps focus while it moves) ----
    let controls = move || {
        view! {
            <div class="controls-row">
                <label class="check"><input type="checkbox" prop:checked=move || state.with(|s| s.corpus == CorpusChoice::WithMoby)
                    on:change=move |ev| { let on = event_target_checked(&ev); state.update(|st| st.corpus = if on { CorpusChoice::WithMoby } else { CorpusChoice::Addresses }) }/>
                    " Also index the 135 chapters of Moby Dick"</label>
            </div>
            <div class="controls-row">
                <label class="field slider"><span>{move || format!("Chunk size: {} words", state.with(|s| s.size))}</span>
                    <input type="range" min=SIZE_MIN.to_string() max=SIZE_MAX.to_string() step="1" prop:value=move || state.with(|s| s.size.to_string())
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|st| { st.size = v.clamp(SIZE_MIN, SIZE_MAX); st.overlap = st.overlap.min(st.size - 1); }) } }/>
                </label>
                <label class="field slider"><span>{move || format!("Overlap: {} words", state.with(|s| s.overlap))}</span>
                    <input type="range" min="0" prop:max=move || state.with(|s| (s.size - 1).to_string()) step="1" prop:value=move || state.with(|s| s.overlap.to_string())
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|st| st.overlap = v.clamp(0, st.size - 1)) } }/>
                </label>
                <label class="field slider"><span>{move || format!("Passages in the prompt (top-k): {}", state.with(|s| s.k))}</span>
                    <input type="range" min="1" max="5" step="1" prop:value=move || state.with(|s| s.k.to_string())
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|st| st.k = v.clamp(1, 5)) } }/>
                </label>
            </div>
            <fieldset class="field">
                <legend>"Retrieval method"</legend>
                {Method::ALL.iter().map(|&m| view! {
                    <label class="check"><input type="radio" name="rag-method" prop:checked=move || state.with(|s| s.method == m) on:change=move |_| state.update(|st| st.method = m)/>
                        {format!(" {}", m.label())}</label>
                }).collect_view()}
            </fieldset>
        }
    };

    let status = move || match snap.get() {
        None => {
            let s = state.get();
            let what = if s.method == Method::Embedding && !matches!(words.get(), Lazy::Done(_)) { "Loading the word vectors (5,000 words, 1.9 MB)…" } else { "Loading the chapters of Moby Dick (1.2 MB)…" };
            view! { <Loading label="Loading more documents" text=what/> }.into_any()
        }
        Some(Err(e)) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
        Some(Ok(sn)) => {
            let vec_line = sn.vectors_ms.map(|v| format!(" + {v:.0} ms for the chunk vectors")).unwrap_or_default();
            view! {
                <p class="muted" data-testid="rag-index">{format!("{} documents, {} words → {} chunks. Index built in {:.0} ms (terms of the documents {:.0} ms once, chunks and BM25 postings {:.0} ms{vec_line}).", fmt_int(sn.n_docs), fmt_int(sn.n_words), fmt_int(sn.n_chunks), sn.docs_ms + sn.bm25_ms + sn.vectors_ms.unwrap_or(0.0), sn.docs_ms, sn.bm25_ms)}</p>
            }.into_any()
        }
    };

    let with_snap = move |f: &dyn Fn(&Snapshot) -> AnyView| -> AnyView {
        match snap.get() {
            Some(Ok(sn)) => f(&sn),
            _ => view! { <span></span> }.into_any(),
        }
    };

    // ---- retrieval: message, chart, table ----
    let retrieval_view = move || {
        with_snap(&|sn| {
            let Some(r) = &sn.retrieval else {
                return view! { <p class="notice" role="status" data-testid="rag-message">"Type a question: the retriever needs words to search for."</p> }.into_any();
            };
            let missing = if r.scored.missing.is_empty() {
                String::new()
            } else {
                match r.method {
                    Method::Bm25 => format!(" No chunk contains {}.", quote_list(&r.scored.missing)),
                    Method::Embedding => format!(" No vector for {} (not among the table's 5,000 words), so {} ignored.", quote_list(&r.scored.missing), if r.scored.missing.len() == 1 { "it is" } else { "they are" }),
                }
            };
            let summary = format!("{} of {} chunks scored in {:.1} ms; {} have a score above 0.{missing}", r.method.label(), fmt_int(r.scored.scores.len()), r.ms, fmt_int(r.positive));
            let none = r.top.is_empty().then(|| view! {
                <p class="notice" role="status" data-testid="rag-message">{match r.method {
                    Method::Bm25 => "No chunk shares a single term with the question, so nothing is retrieved: every BM25 score is 0. The model can only answer closed book.",
                    Method::Embedding => "None of the question's words has a vector, so the question has no embedding and every similarity is 0: nothing is retrieved.",
                }}</p>
            });
            let terms = (!sn.term_stats.is_empty()).then(|| view! {
                <p class="muted" data-testid="rag-terms">
                    "Each question term, the chunks that hold it n(t) and its weight idf = ln(1 + (N − n + 0.5)/(n + 0.5)): "
                    {sn.term_stats.iter().map(|(t, n, w)| format!("{t} {} ({w:.1})", fmt_int(*n))).collect::<Vec<_>>().join(" · ")}
                    ". Rare terms count most; a term in every chunk (the header's “state of the union”) counts almost nothing."
                </p>
            });
            view! {
                <p data-testid="rag-retrieval">{summary}</p>
                {terms}
                {none}
            }.into_any()
        })
    };

    let chart_label = Signal::derive(move || match snap.get() {
        Some(Ok(sn)) => match &sn.retrieval {
            Some(r) => format!("Scores of all {} chunks in corpus order ({}); the {} retrieved are marked", r.scored.scores.len(), r.method.label(), r.top.len()),
            None => "Scores of all chunks: no question yet".into(),
        },
        _ => "Scores of all chunks".into(),
    });
    let draw = move |area: &Area, ctx: &PlotCtx| {
        let Some(Ok(sn)) = snap.get() else { return };
        let Some(r) = &sn.retrieval else { return };
        draw_scores(area, ctx, &r.scored.scores, &r.top, index.with_value(|i| i.as_ref().map(|i| i.borrow().chunks.iter().map(|c| c.doc).collect::<Vec<_>>())).unwrap_or_default(), addresses.with_value(|a| a.texts.len()));
    };

    let table = move || {
        with_snap(&|sn| {
            let Some(r) = &sn.retrieval else { return view! { <span></span> }.into_any() };
            let rows = index.with_value(|i| {
                docs.with_value(|d| {
                    let (Some(i), Some(d)) = (i, d) else { return Vec::new() };
                    let i = i.borrow();
                    r.best.iter().take(TABLE_ROWS).enumerate().map(|(rank, &c)| {
                        let ch = &i.chunks[c];
                        let used = r.top.contains(&c);
                        let passage = d.corpus.docs[ch.doc].passage(ch.words.clone());
                        (rank + 1, c, r.scored.scores[c], d.sources[ch.doc].cite(), passage, used)
                    }).collect::<Vec<_>>()
                })
            });
            view! {
                <table class="data-table rag-table" data-testid="rag-top">
                    <caption>{format!("The {} best-scoring chunks (★ = in the prompt)", rows.len())}</caption>
                    <thead><tr><th scope="col">"Rank"</th><th scope="col">"Score"</th><th scope="col">"Source"</th><th scope="col">"Passage"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(rank, c, score, cite, passage, used)| view! {
                            <tr class=if used { "rag-used" } else { "" }>
                                <th scope="row">{format!("{rank}{}", if used { " ★" } else { "" })}</th>
                                <td class="num">{format!("{score:.3}")}</td>
                                <td>{cite}<span class="muted">{format!(" (chunk {c})")}</span></td>
                                <td class="rag-passage">{passage}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })
    };

    // The chart as text: how many chunks fall in each band of score.
    let alt_table = move || {
        with_snap(&|sn| {
            let Some(r) = &sn.retrieval else { return view! { <p>"No question yet."</p> }.into_any() };
            let max = r.scored.scores.iter().cloned().fold(0.0f32, f32::max);
            let zero = r.scored.scores.iter().filter(|&&x| x <= 0.0).count();
            let bands = (0..5).map(|b| {
                let (lo, hi) = (max * b as f32 / 5.0, max * (b + 1) as f32 / 5.0);
                let n = r.scored.scores.iter().filter(|&&x| x > 0.0 && x > lo && (x <= hi || b == 4)).count();
                (format!("{lo:.3} – {hi:.3}"), n)
            }).collect::<Vec<_>>();
            view! {
                <table class="data-table">
                    <caption>{format!("How the {} chunks' scores are spread (the best are listed in the table below)", fmt_int(r.scored.scores.len()))}</caption>
                    <thead><tr><th scope="col">"Score"</th><th scope="col">"Chunks"</th></tr></thead>
                    <tbody>
                        <tr><th scope="row">"0"</th><td class="num">{fmt_int(zero)}</td></tr>
                        {bands.into_iter().rev().map(|(band, n)| view! { <tr><th scope="row">{band}</th><td class="num">{fmt_int(n)}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })
    };

    // ---- the augmented prompt, part by part ----
    let prompt_view = move || {
        with_snap(&|sn| {
            let Some(f) = &sn.fitted else {
                return view! { <p class="muted">"No passages retrieved, so there is no augmented prompt."</p> }.into_any();
            };
            let parts = lm.with_value(|l| f.prompt.parts(&l.tokenizer));
            let docs_shown: Vec<String> = f.prompt.context.clone().unwrap_or_default();
            let cut = (f.tokens_before > f.tokens).then(|| {
                let mut why = Vec::new();
                if f.dropped_docs > 0 {
                    why.push(format!("{} lowest-ranked passage{} left out", f.dropped_docs, if f.dropped_docs == 1 { "" } else { "s" }));
                }
                if f.cut_words > 0 {
                    why.push(format!("the last {} words of the last passage cut", f.cut_words));
                }
                view! { <p class="notice" role="status" data-testid="rag-cut">{format!("The augmented prompt needed {} tokens, more than the {} the model can read while keeping {} for the answer: {}, so it now takes {} tokens.", f.tokens_before, ctx - ANSWER_TOKENS, ANSWER_TOKENS, why.join(" and "), f.tokens)}</p> }
            });
            let cites = sn.retrieved.iter().map(|r| r.2.clone()).collect::<Vec<_>>();
            let rows = parts.iter().map(|p| {
                let body = match p.name {
                    "instruction" => view! { <span>{f.prompt.instruction.clone().unwrap_or_default()}</span> }.into_any(),
                    "context" => view! { <ol class="rag-docs">{docs_shown.iter().enumerate().map(|(j, d)| view! { <li><span class="muted">{format!("[{}] ", cites.get(j).cloned().unwrap_or_default())}</span>{d.clone()}</li> }).collect_view()}</ol> }.into_any(),
                    "input" => view! { <span>{f.prompt.input.clone().unwrap_or_default()}</span> }.into_any(),
                    _ => view! { <span class="muted">"(the model writes its answer here)"</span> }.into_any(),
                };
                view! { <tr><th scope="row">{p.name}</th><td class="num">{p.ids.len()}</td><td>{body}</td></tr> }
            }).collect_view();
            view! {
                {cut}
                <table class="data-table rag-prompt" data-testid="rag-prompt">
                    <caption>{format!("The augmented prompt: {} of {} tokens ({} kept for the answer)", f.tokens, ctx, ANSWER_TOKENS)}</caption>
                    <thead><tr><th scope="col">"Part"</th><th scope="col">"Tokens"</th><th scope="col">"Text"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        })
    };

    // ---- answers side by side, and the weights' fingerprint ----
    let answers = move || {
        with_snap(&|sn| {
            let card = |title: &'static str, which: &'static str, a: &Option<Answer>, note: String| {
                let body = match a {
                    Some(a) => view! {
                        <p class="pb-answer-text" data-testid=format!("rag-answer-{which}")>{if a.text.is_empty() { "(nothing: it ended at once)".to_string() } else { a.text.clone() }}{(!a.finished).then_some(" …")}</p>
                        <p class="muted">{format!("P(this answer) = {}", pct(a.p))}</p>
                        <p class="muted">{format!("{} prompt tokens + {} written, {:.0} ms ({:.0} tokens/s)", a.prompt_tokens, a.new_tokens, a.ms, (a.prompt_tokens + a.new_tokens) as f64 / (a.ms.max(0.1) / 1000.0))}</p>
                    }.into_any(),
                    None => view! { <p class="muted" data-testid=format!("rag-answer-{which}")>{note}</p> }.into_any(),
                };
                view! { <section class="tok-panel pb-answer" aria-label=title><h4>{title}</h4>{body}</section> }
            };
            let (b, a) = sn.checksum;
            let same = b == a && a == loaded_checksum;
            view! {
                <div class="pb-answers">
                    {card("With retrieval", "rag", &sn.with_docs, if sn.query.is_empty() { "No question.".into() } else { "Nothing was retrieved.".into() })}
                    {card("Without retrieval (closed book)", "closed", &sn.closed, "No question.".into())}
                </div>
                <p data-testid="rag-checksum" class=if same { "pb-right rag-checksum" } else { "pb-wrong rag-checksum" }>
                    {format!("Fingerprint of all {} weights (FNV-1a, 64-bit): when loaded {loaded_checksum:016x}; before answering {b:016x}; after answering {a:016x} — {}", fmt_int(n_params), if same { "unchanged. Retrieval only changed the prompt." } else { "CHANGED (this should never happen)." })}
                </p>
            }.into_any()
        })
    };

    let failure = move |q: &'static str| {
        move |_| {
            state.update(|s| {
                s.query = q.into();
                s.method = Method::Bm25;
            })
        }
    };
    let failure_note = move || {
        with_snap(&|sn| {
            if sn.query != FAILURE_QUERY && sn.query != SPAIN_QUERY {
                return view! { <span></span> }.into_any();
            }
            let top = sn.retrieved.first().map(|r| r.2.clone()).unwrap_or_else(|| "nothing".into());
            let ans = sn.with_docs.as_ref().map(|a| a.text.clone()).unwrap_or_default();
            // what the model did with the passages, read off the answer (not assumed)
            let followed = sn.retrieved_by.iter().position(|who| exact_match(&ans, who));
            let declined = exact_match(&ans, "Not in the documents");
            let verdict = match (declined, followed) {
                (true, _) => "That is the honest answer: the tuned model was also trained on questions whose documents do not hold the answer, and here it noticed. The retriever did not help — it returned passages anyway; the safeguard is in the model, and it does not always hold.".to_string(),
                (false, Some(j)) if sn.query == SPAIN_QUERY && sn.retrieved[j].2.contains("1898") => format!("That is right, from retrieved passage {} ({}).", j + 1, sn.retrieved[j].2),
                (false, Some(j)) => format!("That is the president of retrieved passage {} ({}): the model took a wrong passage at its word. Retrieval always returns something, and nothing in the prompt says that it does not answer the question.", j + 1, sn.retrieved[j].2),
                (false, None) => format!("None of the retrieved passages is by {}: the model did not copy a name from them, and its answer is not grounded in any document either.", if ans.is_empty() { "that".to_string() } else { format!("“{ans}”") }),
            };
            let intro = if sn.query == FAILURE_QUERY {
                "No address was given in 1788 (the first is from 1790), so no chunk contains “1788”. BM25 still ranks the chunks by the question's other words".to_string()
            } else {
                "“The war with Spain” is the Spanish–American War, in William Mc Kinley's address of 1898. BM25 matches words, not events".to_string()
            };
            view! { <p class="notice" role="status" data-testid="rag-failure">{format!("{intro}; the best chunk is from {top}, and with the retrieved passages in the prompt the model answers “{ans}”. {verdict}")}</p> }.into_any()
        })
    };

    let query_box = move || {
        view! {
            <label class="field wide"><span>"Question"</span>
                <input type="text" maxlength=QUERY_MAX_CHARS.to_string() spellcheck="false" prop:value=move || state.with(|s| s.query.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); state.update(|s| s.query = v) }/>
            </label>
            <div class="controls-row">
                <button type="button" class="btn" on:click=move |_| state.update(|s| s.query = DEFAULT_QUERY.into())>"Ask with a quote"</button>
                <button type="button" class="btn" on:click=move |_| state.update(|s| s.query = YEAR_QUERY.into())>"Ask by the year (1797)"</button>
                <button type="button" class="btn" on:click=failure(FAILURE_QUERY)>"Ask about a year with no address (1788)"</button>
                <button type="button" class="btn" on:click=failure(SPAIN_QUERY)>"Ask about the war with Spain"</button>
            </div>
        }
    };

    view! {
        <div class="rag">
            <p class="muted">{format!("The documents are the 233 State of the Union addresses (1790–2018) — the first 600 or so words of each, and the 12 that the model was never trained on in full — optionally with Moby Dick, cut into chunks here in your browser. The model is the instruction-tuned GPT ({} parameters, context {ctx} tokens): it only ever sees what the retriever puts in its prompt.", fmt_int(n_params))}</p>
            {query_box}
            {controls}
            {status}
            <h3>"Every chunk's score"</h3>
            {retrieval_view}
            <PlotCanvas label=chart_label aspect=0.28 draw=draw alt_title="Show the scores as a table">
                {alt_table}
            </PlotCanvas>
            {table}
            {failure_note}
            <h3>"The augmented prompt"</h3>
            {prompt_view}
            <h3>"The answers"</h3>
            {answers}
            <EvalPanel lm=lm docs=docs index=index words=words state=state/>
        </div>
    }
}

fn quote_list(words: &[String]) -> String {
    words.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join(", ")
}

/// All scores as thin bars in corpus order (addresses, then Moby Dick in a second colour), the
/// retrieved chunks as dots above their bars.
fn draw_scores(area: &Area, ctx: &PlotCtx, scores: &[f32], top: &[usize], doc_of: Vec<usize>, n_addresses: usize) {
    let p = &ctx.palette;
    let (w, h) = (ctx.width as f64, ctx.height as f64);
    let (left, right, top_m, bottom) = (ctx.px(44.0), ctx.px(8.0), ctx.px(14.0), ctx.px(22.0));
    let pw = (w - left - right).max(1.0);
    let ph = (h - top_m - bottom).max(1.0);
    let max = scores.iter().cloned().fold(0.0f32, f32::max).max(1e-6) as f64;
    let n = scores.len().max(1);
    // per pixel column, the highest score of the chunks that fall in it
    let cols = pw.round().max(1.0) as usize;
    let mut col_max = vec![0.0f32; cols];
    let mut col_moby = vec![false; cols];
    for (c, &s) in scores.iter().enumerate() {
        let x = c * cols / n;
        if s > col_max[x] {
            col_max[x] = s;
        }
        if doc_of.get(c).is_some_and(|&d| d >= n_addresses) {
            col_moby[x] = true;
        }
    }
    let _ = area.draw(&PathElement::new(vec![(left as i32, (top_m + ph) as i32), ((left + pw) as i32, (top_m + ph) as i32)], p.muted));
    for (x, &s) in col_max.iter().enumerate() {
        if s <= 0.0 {
            continue;
        }
        let bh = s as f64 / max * ph;
        let x0 = left + x as f64;
        let color = if col_moby[x] { p.series[1] } else { p.series[0] };
        let _ = area.draw(&Rectangle::new([(x0 as i32, (top_m + ph - bh) as i32), ((x0 + 1.0).max(x0 + ctx.px(1.0)) as i32, (top_m + ph) as i32)], color.filled()));
    }
    for &c in top {
        let x = left + (c * cols / n) as f64 + 0.5;
        let y = top_m + ph - scores[c] as f64 / max * ph;
        let _ = area.draw(&Circle::new((x as i32, (y - ctx.px(5.0)) as i32), ctx.px(4.0).round() as i32, p.accent.filled()));
    }
    let font = ctx.font(11.0, p.muted);
    if doc_of.last().is_some_and(|&d| d >= n_addresses) {
        // a legend in the bars' own colours
        let x = w - right - ctx.px(170.0);
        let _ = area.draw(&Text::new("■ addresses", (x as i32, (top_m - ctx.px(10.0)).max(0.0) as i32), ctx.font(11.0, p.series[0])));
        let _ = area.draw(&Text::new("■ Moby Dick", ((x + ctx.px(85.0)) as i32, (top_m - ctx.px(10.0)).max(0.0) as i32), ctx.font(11.0, p.series[1])));
    }
    let _ = area.draw(&Text::new(format!("{max:.2}"), (ctx.px(4.0) as i32, top_m as i32), font.clone()));
    let _ = area.draw(&Text::new("0", (ctx.px(4.0) as i32, (top_m + ph - ctx.px(10.0)) as i32), font.clone()));
    let _ = area.draw(&Text::new(format!("chunk 0 … {} (addresses 1790 → 2018{})", n - 1, if doc_of.last().is_some_and(|&d| d >= n_addresses) { ", then Moby Dick" } else { "" }), (left as i32, (top_m + ph + ctx.px(5.0)) as i32), font));
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default, PartialEq)]
struct Tally {
    right: usize,
    of: usize,
    ms: f64,
    tokens: usize,
}

impl Tally {
    fn add(&mut self, a: &Answer, right: bool, extra_ms: f64) {
        self.right += right as usize;
        self.of += 1;
        self.ms += a.ms + extra_ms;
        self.tokens += a.prompt_tokens + a.new_tokens;
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
struct EvalResult {
    /// Per task ("question answering", "question by year") and mode (closed, given, rag).
    rows: Vec<(String, [Tally; 3])>,
    /// Questions whose right address was among the retrieved chunks, and whose quoted words are in the index.
    hits: usize,
    in_index: usize,
    /// Of those in the index, how many the RAG answer got right.
    in_index_right: usize,
    quotes: usize,
    done: usize,
    total: usize,
    settings: String,
    finished: bool,
}

/// The header at the start of a document ("State of the Union, 1862. Abraham Lincoln (Republican).").
fn header_of(doc: &str) -> &str {
    doc.find(").").map(|i| &doc[..i + 2]).unwrap_or(doc)
}

/// The words between the first and the last straight double quote of a question.
fn quoted(q: &str) -> Option<&str> {
    let a = q.find('"')?;
    let b = q.rfind('"')?;
    (b > a + 1).then(|| &q[a + 1..b])
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[component]
fn EvalPanel(
    lm: StoredValue<Rc<Lm>, LocalStorage>,
    docs: StoredValue<Option<Rc<Docs>>, LocalStorage>,
    index: StoredValue<Option<Rc<RefCell<Index>>>, LocalStorage>,
    words: RwSignal<Lazy<WordVectors>, LocalStorage>,
    state: RwSignal<RagState>,
) -> impl IntoView {
    let result = RwSignal::new(None::<Result<EvalResult, String>>);
    let running = RwSignal::new(false);
    let run = move |_| {
        if running.get_untracked() {
            return;
        }
        running.set(true);
        leptos::task::spawn_local(async move {
            let rows = match load_eval().await {
                Ok(r) => r,
                Err(e) => {
                    result.set(Some(Err(e)));
                    running.set(false);
                    return;
                }
            };
            let qs: Vec<EvalRow> = rows.iter().filter(|r| r.task == "question answering" || r.task == "question by year").cloned().collect();
            if qs.is_empty() {
                result.set(Some(Err("The held-out examples hold no questions to score.".into())));
                running.set(false);
                return;
            }
            let s = state.get_untracked();
            let settings = format!("{}, top {}, chunks of {} words overlapping by {}, {} documents", s.method.label(), s.k, s.size, s.overlap, if s.corpus == CorpusChoice::WithMoby { "addresses and Moby Dick" } else { "addresses" });
            let mut res = EvalResult { total: qs.len(), settings, ..EvalResult::default() };
            let wv = match &words.get_untracked() {
                Lazy::Done(Ok(w)) => Some(w.clone()),
                _ => None,
            };
            // the index as it is now: later changes of the settings do not affect a run under way
            let (Some(d), Some(ix)) = (docs.get_value(), index.get_value()) else {
                result.set(Some(Err("The index is not built yet: wait for the scores above, then run the evaluation.".into())));
                running.set(false);
                return;
            };
            for (n, q) in qs.iter().enumerate() {
                let (closed, given, rag, hit, in_index, retrieval_ms) = lm.with_value(|l| {
                    let closed = answer(l, &closed_prompt(&q.input));
                    let given = answer(l, &q.prompt());
                    let i = ix.borrow();
                    let r = retrieve(&d, &i, wv.as_deref(), s.method, &q.input, s.k as usize);
                    let retrieved: Vec<String> = r.as_ref().map(|r| r.top.iter().map(|&c| d.corpus.chunk_document(&i.chunks[c])).collect()).unwrap_or_default();
                    let rag = if retrieved.is_empty() { answer(l, &closed_prompt(&q.input)) } else { answer(l, &fit_prompt(&l.tokenizer, &rag_prompt(retrieved.clone(), &q.input), l.model.cfg.ctx - ANSWER_TOKENS).prompt) };
                    // the right document: the one holding the quote, else the one whose header has the asked year
                    let quote = quoted(&q.input);
                    let target = q.docs.iter().find(|doc| match quote {
                        Some(qt) => squash(doc).contains(&squash(qt)),
                        None => q.input.split(|c: char| !c.is_ascii_digit()).filter(|t| t.len() == 4).any(|y| doc.starts_with(&format!("State of the Union, {y}."))),
                    });
                    let hit = target.is_some_and(|t| retrieved.iter().any(|r| header_of(r) == header_of(t)));
                    let in_index = match (quote, target) {
                        (Some(qt), Some(t)) => {
                            let h = header_of(t);
                            let qt = squash(qt);
                            Some(d.corpus.docs.iter().any(|doc| doc.header == h && squash(&doc.text).contains(&qt)))
                        }
                        _ => None,
                    };
                    (closed, given, rag, hit, in_index, r.map(|r| r.ms).unwrap_or(0.0))
                });
                let row = match res.rows.iter().position(|r| r.0 == q.task) {
                    Some(i) => i,
                    None => {
                        res.rows.push((q.task.clone(), Default::default()));
                        res.rows.len() - 1
                    }
                };
                let t = &mut res.rows[row].1;
                t[0].add(&closed, exact_match(&closed.text, &q.answer), 0.0);
                t[1].add(&given, exact_match(&given.text, &q.answer), 0.0);
                let rag_right = exact_match(&rag.text, &q.answer);
                t[2].add(&rag, rag_right, retrieval_ms);
                if in_index == Some(true) && rag_right {
                    res.in_index_right += 1;
                }
                res.hits += hit as usize;
                if let Some(x) = in_index {
                    res.quotes += 1;
                    res.in_index += x as usize;
                }
                res.done = n + 1;
                if n % 4 == 3 || n + 1 == qs.len() {
                    result.set(Some(Ok(res.clone())));
                    yield_to_browser().await;
                }
            }
            res.finished = res.done == res.total;
            result.set(Some(Ok(res)));
            running.set(false);
        });
    };

    let table = move || {
        result.get().map(|r| match r {
            Err(e) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
            Ok(r) => {
                let mut total: [Tally; 3] = Default::default();
                for (_, t) in &r.rows {
                    for m in 0..3 {
                        total[m].right += t[m].right;
                        total[m].of += t[m].of;
                        total[m].ms += t[m].ms;
                        total[m].tokens += t[m].tokens;
                    }
                }
                let cell = |t: &Tally| {
                    let of = t.of.max(1) as f64;
                    format!("{}/{} = {:.0} % · {:.0} ms · {:.0} tokens", t.right, t.of, 100.0 * t.right as f64 / of, t.ms / of, t.tokens as f64 / of)
                };
                let mut rows: Vec<(String, [Tally; 3])> = r.rows.clone();
                rows.push(("all questions".into(), total));
                view! {
                    <p role="status" aria-live="polite" data-testid="rag-eval-progress">{if r.finished { format!("Done: {} held-out questions, {}.", r.total, r.settings) } else { format!("Answering… {} of {} questions ({}).", r.done, r.total, r.settings) }}</p>
                    <table class="data-table" data-testid="rag-eval">
                        <caption>"Exact-match accuracy · time per answer · tokens per answer (prompt + written)"</caption>
                        <thead><tr><th scope="col">"Questions"</th><th scope="col">"Closed book"</th><th scope="col">"Right document given by hand"</th><th scope="col">"Retrieved (RAG)"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(task, t)| view! {
                                <tr><th scope="row">{task}</th><td>{cell(&t[0])}</td><td>{cell(&t[1])}</td><td>{cell(&t[2])}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="muted" data-testid="rag-eval-hits">{if r.in_index == r.quotes {
                        format!("The retriever brought back the right address for {} of {} questions; every quote is in the index, and RAG answered {} of the {} quote questions right.", r.hits, r.done, r.in_index_right, r.quotes)
                    } else {
                        format!("The retriever brought back the right address for {} of {} questions. {} of the {} quotes are in the index at all (RAG answered {} of those right); the others come from beyond the part of their address that was indexed, so no retriever could find them.", r.hits, r.done, r.in_index, r.quotes, r.in_index_right)
                    }}</p>
                }.into_any()
            }
        })
    };

    view! {
        <section class="tok-panel" aria-labelledby="rag-eval-h">
            <h3 id="rag-eval-h">"Evaluation on held-out questions"</h3>
            <p class="muted">"Every question about the twelve held-out addresses, answered three ways by the same model: closed book (no documents), with the document that holds the answer given by hand among distractors (prompt engineering alone), and with the passages the retriever finds with the settings above. Computed in your browser."</p>
            <button type="button" class="btn btn-primary" on:click=run prop:disabled=move || running.get()>{move || if running.get() { "Evaluating…" } else { "Run the evaluation" }}</button>
            {table}
        </section>
    }
}
