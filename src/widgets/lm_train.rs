//! Watch a language model learn: a tiny decoder-only transformer (core `gpt.rs`) trained from random
//! weights in the page on Moby Dick, State of the Union addresses or the learner's own text.
//!
//! Training runs in the shared animation loop with a time budget per frame. The unit of work is one
//! micro-batch (one window of 64 tokens, forward and backward); four micro-batches accumulate their
//! gradients into one AdamW step, so no frame blocks for a whole step. The held-out loss (the last
//! 10 % of the text, never trained on) is measured every 50 steps, one window per unit of work. Every
//! few seconds the model continues the same prompt with the same seed, so the samples differ only
//! because the model changed. Texts are tokenized a slice at a time, yielding to the browser.

use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::assets;
use crate::shell::dom;
use crate::shell::plot::{line_chart, push_thinned, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame};
use crate::widgets::lm_store::{use_lm, LmLoad};
use genai_core::gpt::{self, tokenizer::Tokenizer, AdamW, Config, Gpt, KvCache, Workspace};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use crate::widgets::lm::fmt_int;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

pub const META_ID: &str = "lm-train";
pub const META: crate::shell::widget::WidgetMeta = crate::shell::widget::WidgetMeta { id: META_ID, page: "llm", title: "Watch a language model learn", embed_height: 720 };

/// Context (tokens per window), blocks and heads of the tiny model; the width is a setting.
const CTX: usize = 64;
const LAYERS: usize = 2;
const HEADS: usize = 2;
/// Windows per optimiser step (each one micro-batch, gradients accumulated).
const BATCH: usize = 4;
const WARMUP: usize = 20;
/// Cosine decay of the learning rate to a tenth over this many steps, then constant.
const DECAY_STEPS: usize = 3000;
/// Held-out loss every this many steps, over this many windows of the last 10 % of the text.
const EVAL_EVERY: usize = 50;
const EVAL_WINDOWS: usize = 8;
/// A new sample every this many milliseconds of training.
const SAMPLE_EVERY_MS: f64 = 3000.0;
const TEMPERATURE: f32 = 0.8;
/// Samples kept besides the one at step 0.
const SAMPLES_KEPT: usize = 5;
/// Pasted text longer than this is not written into the link.
pub const URL_TEXT_MAX: usize = 2000;
const LR_MIN: f64 = 1e-5;
const LR_MAX: f64 = 10.0;
/// Training losses averaged for the "training loss" readout.
const RECENT: usize = 20;
/// Bytes of text tokenized per slice before yielding to the browser.
const SLICE_BYTES: usize = 32_768;

const LR_CHOICES: &[(f64, &str)] = &[
    (3e-4, "0.0003 (slow)"),
    (1e-3, "0.001"),
    (3e-3, "0.003 (default)"),
    (1e-2, "0.01"),
    (3e-2, "0.03"),
    (0.1, "0.1"),
    (1.0, "1 (too high)"),
    (10.0, "10 (far too high)"),
];

/// The text the model learns from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Corpus {
    #[default]
    Moby,
    Sotu,
    Own,
}

impl Choice for Corpus {
    const ALL: &'static [Corpus] = &[Corpus::Moby, Corpus::Sotu, Corpus::Own];
    fn key(self) -> &'static str {
        match self {
            Corpus::Moby => "moby",
            Corpus::Sotu => "sotu",
            Corpus::Own => "own",
        }
    }
}

impl Corpus {
    fn title(self) -> &'static str {
        match self {
            Corpus::Moby => "Moby Dick (Melville, 1.2 MB)",
            Corpus::Sotu => "State of the Union addresses (a 390 KB sample)",
            Corpus::Own => "Your own text (paste it)",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Corpus::Moby => "Moby Dick",
            Corpus::Sotu => "the State of the Union sample",
            Corpus::Own => "your text",
        }
    }
    fn file(self) -> Option<&'static str> {
        match self {
            Corpus::Moby => Some("tokens/moby-dick.txt"),
            Corpus::Sotu => Some("lm/sotu-sample.txt"),
            Corpus::Own => None,
        }
    }
    fn prompt(self) -> &'static str {
        match self {
            Corpus::Moby => "The whale",
            Corpus::Sotu => "The people of",
            Corpus::Own => "",
        }
    }
}

/// Width d of the residual stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Width {
    W32,
    #[default]
    W48,
    W64,
}

impl Choice for Width {
    const ALL: &'static [Width] = &[Width::W32, Width::W48, Width::W64];
    fn key(self) -> &'static str {
        match self {
            Width::W32 => "32",
            Width::W48 => "48",
            Width::W64 => "64",
        }
    }
}

impl Width {
    fn d(self) -> usize {
        match self {
            Width::W32 => 32,
            Width::W48 => 48,
            Width::W64 => 64,
        }
    }
    fn config(self, vocab: usize) -> Config {
        Config { vocab, ctx: CTX, d: self.d(), layers: LAYERS, heads: HEADS }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LmTrainState {
    pub corpus: Corpus,
    /// The pasted text (for `Corpus::Own`); only written to the link up to [`URL_TEXT_MAX`] characters.
    pub text: String,
    pub width: Width,
    pub lr: f64,
    pub seed: u64,
}

impl Default for LmTrainState {
    fn default() -> Self {
        LmTrainState { corpus: Corpus::Moby, text: String::new(), width: Width::W48, lr: 3e-3, seed: 1 }
    }
}

impl UrlState for LmTrainState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("corpus", self.corpus);
        if self.corpus == Corpus::Own && !self.text.is_empty() && self.text.chars().count() <= URL_TEXT_MAX {
            w.text("text", &self.text);
        }
        w.choice("width", self.width);
        w.float("lr", self.lr);
        w.seed("seed", self.seed);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = LmTrainState::default();
        LmTrainState {
            corpus: r.choice("corpus", d.corpus),
            text: r.text("text", URL_TEXT_MAX, ""),
            width: r.choice("width", d.width),
            lr: r.float("lr", LR_MIN..=LR_MAX, d.lr),
            seed: r.seed("seed", d.seed),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The training text, tokenized.

/// Token ids of a text, split into training (first 90 %) and held-out (last 10 %) parts.
struct Data {
    corpus: Corpus,
    ids: Rc<Vec<u32>>,
    /// First held-out token.
    split: usize,
    /// Window length for training and for the held-out windows (64 unless the text is short).
    t_train: usize,
    t_held: usize,
    /// Start of every held-out window (into `ids`).
    held: Vec<usize>,
    prompt: Vec<u32>,
    /// BPE tokens (ids below are text; the model's V also counts the specials).
    n_text: usize,
    vocab: usize,
    tok: Rc<Tokenizer>,
}

impl Data {
    fn new(corpus: Corpus, ids: Rc<Vec<u32>>, tok: &Rc<Tokenizer>) -> Result<Data, String> {
        let n = ids.len();
        if n < CTX + 1 {
            return Err(format!(
                "Your text is {n} token{} long; the model needs at least {} (one window of {CTX} plus the token after it). Paste a longer text — a few paragraphs at least.",
                if n == 1 { "" } else { "s" },
                CTX + 1
            ));
        }
        // Fewer than 9 held-out tokens would measure almost nothing: then there is no held-out part.
        let held_len = if n / 10 >= 9 { n / 10 } else { 0 };
        let split = n - held_len;
        let t_train = CTX.min(split - 1);
        let (t_held, held) = if held_len > 0 {
            let t = CTX.min(held_len - 1);
            let room = held_len - t - 1;
            let mut starts: Vec<usize> = (0..EVAL_WINDOWS).map(|k| split + k * room / (EVAL_WINDOWS - 1)).collect();
            starts.dedup();
            (t, starts)
        } else {
            (0, Vec::new())
        };
        let prompt = match corpus {
            Corpus::Own => ids[..3].to_vec(),
            c => tok.encode(c.prompt()),
        };
        Ok(Data { corpus, ids, split, t_train, t_held, held, prompt, n_text: tok.n_text(), vocab: tok.vocab_size(), tok: tok.clone() })
    }

    fn held_tokens(&self) -> usize {
        self.ids.len() - self.split
    }
}

thread_local! {
    /// Token ids of the two shipped texts, kept once tokenized (switching back is instant).
    static CORPUS_IDS: RefCell<HashMap<Corpus, Rc<Vec<u32>>>> = RefCell::new(HashMap::new());
}

/// Where `text[from..]`'s next slice should end: just before a space that follows a letter or digit
/// and precedes a letter, where the pre-tokenizer always starts a new piece, so slicing does not
/// change the tokens.
fn next_cut(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let start = from + SLICE_BYTES;
    if start >= b.len() {
        return b.len();
    }
    let limit = (start + 8192).min(b.len() - 1);
    for i in start..limit {
        if b[i] == b' ' && b[i - 1].is_ascii_alphanumeric() && b[i + 1].is_ascii_alphabetic() {
            return i;
        }
    }
    let mut i = limit;
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Tokenizes `text` a slice at a time, yielding to the browser between slices; `None` when
/// `alive` says the result is no longer wanted.
pub(crate) async fn tokenize_sliced(tok: &Tokenizer, text: &str, progress: impl Fn(usize), alive: impl Fn() -> bool) -> Option<Vec<u32>> {
    let mut out = Vec::with_capacity(text.len() / 3);
    let mut at = 0;
    while at < text.len() {
        let end = next_cut(text, at);
        out.extend(tok.encode(&text[at..end]));
        at = end;
        progress(at * 100 / text.len().max(1));
        dom::yield_to_browser().await;
        if !alive() {
            return None;
        }
    }
    Some(out)
}

#[derive(Clone)]
enum DataLoad {
    /// What is being loaded (a sentence).
    Waiting(String),
    Ready(Rc<Data>),
    /// A problem with the learner's input (shown as a status).
    Problem(String),
    /// A download failed or a file is damaged (shown as an alert).
    Failed(String),
}

// ---------------------------------------------------------------------------------------------
// The trainer.

enum Event {
    Micro,
    /// One held-out window scored (the evaluation is not finished).
    Eval,
    Step(f32),
    Held(f32),
    Diverged(f32),
}

struct Trainer {
    model: Gpt,
    opt: AdamW,
    ws: Workspace,
    data: Rc<Data>,
    rng: Rng,
    seed: u64,
    /// Micro-batches done towards the current step.
    micro: usize,
    step_loss: f64,
    step: usize,
    /// Tokens trained on (inputs of every window).
    tokens: u64,
    /// A held-out evaluation under way: next window and the sum so far.
    eval: Option<(usize, f64)>,
    recent: VecDeque<f32>,
    diverged: bool,
    x: Vec<u32>,
    y: Vec<u32>,
}

/// Losses above this (three times a uniform guess) mean training blew up.
fn diverged_above(vocab: usize) -> f32 {
    3.0 * (vocab as f32).ln()
}

impl Trainer {
    fn new(data: Rc<Data>, width: Width, lr: f64, seed: u64) -> Result<Trainer, String> {
        let cfg = width.config(data.vocab);
        let model = Gpt::new(cfg, seed)?;
        let mut opt = AdamW::new(lr as f32, DECAY_STEPS);
        opt.warmup = WARMUP;
        let eval = (!data.held.is_empty()).then_some((0, 0.0));
        Ok(Trainer {
            model,
            opt,
            ws: Workspace::new(),
            data,
            rng: Rng::new(seed ^ 0x0ba7_c4e5),
            seed,
            micro: 0,
            step_loss: 0.0,
            step: 0,
            tokens: 0,
            eval,
            recent: VecDeque::new(),
            diverged: false,
            x: Vec::new(),
            y: Vec::new(),
        })
    }

    /// One unit of work: a held-out window when an evaluation is due, otherwise one micro-batch
    /// (an optimiser step after every [`BATCH`] of them).
    fn unit(&mut self) -> Event {
        let d = self.data.clone();
        if let Some((next, sum)) = self.eval {
            let (s, t) = (d.held[next], d.t_held);
            let loss = self.ws.forward(&self.model, &d.ids[s..s + t], Some(&d.ids[s + 1..s + t + 1]), 1, t) as f64;
            if next + 1 == d.held.len() {
                self.eval = None;
                return Event::Held(((sum + loss) / d.held.len() as f64) as f32);
            }
            self.eval = Some((next + 1, sum + loss));
            return Event::Eval;
        }
        if self.micro == 0 {
            self.ws.zero_grad();
            self.step_loss = 0.0;
        }
        let t = d.t_train;
        let at = self.rng.below((d.split - t) as u64) as usize;
        self.x.clear();
        self.x.extend_from_slice(&d.ids[at..at + t]);
        self.y.clear();
        self.y.extend_from_slice(&d.ids[at + 1..at + t + 1]);
        let loss = self.ws.forward(&self.model, &self.x, Some(&self.y), 1, t);
        self.ws.backward(&self.model, BATCH * t);
        self.step_loss += loss as f64 / BATCH as f64;
        self.micro += 1;
        self.tokens += t as u64;
        if self.micro < BATCH {
            return Event::Micro;
        }
        let grads = std::mem::take(&mut self.ws.grads);
        self.opt.step(&mut self.model, &grads);
        self.ws.grads = grads;
        self.micro = 0;
        self.step += 1;
        let loss = self.step_loss as f32;
        if !loss.is_finite() || loss > diverged_above(d.vocab) || !self.model.is_finite() {
            self.diverged = true;
            return Event::Diverged(loss);
        }
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(loss);
        if self.step.is_multiple_of(EVAL_EVERY) && !d.held.is_empty() {
            self.eval = Some((0, 0.0));
        }
        Event::Step(loss)
    }

    fn recent_loss(&self) -> Option<f32> {
        (!self.recent.is_empty()).then(|| self.recent.iter().sum::<f32>() / self.recent.len() as f32)
    }

    /// The prompt continued to the end of the context, at temperature [`TEMPERATURE`], always with
    /// the same seed (special tokens are never drawn). Returns the prompt and the continuation.
    fn sample(&self) -> (String, String) {
        let d = &self.data;
        let cfg = self.model.cfg;
        let mut cache = KvCache::new(&cfg);
        let mut rng = Rng::new(self.seed ^ 0x005a_3f1e);
        let mut logits = self.model.prefill(&mut cache, &d.prompt);
        let mut out = Vec::with_capacity(cfg.ctx);
        let mut z = vec![0.0f32; d.n_text];
        loop {
            // softmax(z / T) over the text tokens, then one draw: gpt::sample with top-k 0 and top-p 1,
            // without its sort (the full distribution is kept anyway).
            for (zi, &l) in z.iter_mut().zip(&logits) {
                *zi = l / TEMPERATURE;
            }
            gpt::softmax(&mut z);
            let tok = gpt::draw(&z, rng.next_f64()) as u32;
            out.push(tok);
            if cache.len >= cfg.ctx {
                break;
            }
            self.model.step(&mut cache, tok, &mut logits);
        }
        let prompt = d.tok.decode(&d.prompt);
        let mut all = d.prompt.clone();
        all.extend(&out);
        let whole = d.tok.decode(&all);
        // Decode together (a character may straddle the boundary), then split after the prompt.
        let cont = whole.strip_prefix(prompt.as_str()).map(str::to_owned).unwrap_or_else(|| d.tok.decode(&out));
        (prompt, cont)
    }
}

// ---------------------------------------------------------------------------------------------
// What the view shows.

#[derive(Clone, Debug, Default, PartialEq)]
struct Readout {
    step: usize,
    tokens: u64,
    train: Option<f32>,
    held: Option<(usize, f32)>,
    tokens_per_s: Option<f64>,
    step_ms: Option<f64>,
    slowest_frame: Option<f64>,
    longest_slice: Option<f64>,
}

#[derive(Clone, Debug, Default)]
struct Timing {
    last_frame: f64,
    slowest_frame: f64,
    longest_slice: f64,
    play_ms: f64,
    play_tokens: u64,
    step_ms_acc: f64,
    /// Computing time of every finished step, summed, and their number.
    step_ms_sum: f64,
    steps_timed: u32,
    last_sample: f64,
    last_text: f64,
    last_curve: f64,
}

#[derive(Clone, Debug, Default)]
struct Curves {
    train: Vec<(f64, f64)>,
    held: Vec<(f64, f64)>,
    /// Held-out evaluations: step, training loss (recent mean) then, held-out loss.
    table: Vec<(usize, Option<f32>, f32)>,
}

#[derive(Clone, Debug, PartialEq)]
struct Sample {
    step: usize,
    prompt: String,
    text: String,
}


fn lr_label(lr: f64) -> String {
    LR_CHOICES.iter().find(|(v, _)| (v - lr).abs() <= 1e-12 * v.abs().max(1.0)).map(|(_, l)| (*l).to_owned()).unwrap_or_else(|| format!("{lr} (from the link)"))
}

#[component]
pub fn LmTrainWidget() -> impl IntoView {
    let url = use_url_state::<LmTrainState>();
    let state = url.state;
    let root = NodeRef::<Div>::new();
    let embed = dom::is_embed();

    // The tokenizer (the shared 2,048-token BPE of the section), fetched alone: 13 KB.
    let tokenizer = RwSignal::new_local(None::<Result<Rc<Tokenizer>, String>>);
    leptos::task::spawn_local(async move {
        let result = match assets::fetch_bytes("lm/tokenizer.bpe").await {
            Ok(bytes) => Tokenizer::from_binary(&bytes).map(Rc::new).map_err(|e| format!("The tokenizer file is damaged ({e}). Reload the page; if it persists, the site's copy is broken.")),
            Err(e) => Err(e),
        };
        let _ = tokenizer.try_set(Some(result));
    });

    // The chosen text, fetched and tokenized (a slice at a time), or why not.
    let data = RwSignal::new_local(DataLoad::Waiting("Loading the tokenizer…".to_owned()));
    let source = Memo::new(move |_| state.with(|s| (s.corpus, if s.corpus == Corpus::Own { s.text.clone() } else { String::new() })));
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (corpus, text) = source.get();
        job.update_value(|j| *j += 1);
        let mine = job.get_value();
        let tok = match tokenizer.get() {
            None => {
                data.set(DataLoad::Waiting("Loading the tokenizer…".to_owned()));
                return;
            }
            Some(Err(e)) => {
                data.set(DataLoad::Failed(e));
                return;
            }
            Some(Ok(t)) => t,
        };
        if corpus == Corpus::Own && text.trim().is_empty() {
            data.set(DataLoad::Problem("There is no text to learn from yet. Paste a text above (a few paragraphs at least) and press “Train on this text”.".to_owned()));
            return;
        }
        if let Some(ids) = CORPUS_IDS.with(|c| c.borrow().get(&corpus).cloned()) {
            data.set(Data::new(corpus, ids, &tok).map(|d| DataLoad::Ready(Rc::new(d))).unwrap_or_else(DataLoad::Problem));
            return;
        }
        data.set(DataLoad::Waiting(format!("Loading {}…", corpus.name())));
        leptos::task::spawn_local(async move {
            let alive = move || job.try_get_value() == Some(mine);
            let text = match corpus.file() {
                Some(file) => match assets::fetch_text(file).await {
                    Ok(t) => t,
                    Err(e) => {
                        if alive() {
                            let _ = data.try_set(DataLoad::Failed(e));
                        }
                        return;
                    }
                },
                None => text,
            };
            if !alive() {
                return;
            }
            let size = if text.len() >= 100_000 { format!("{:.1} MB", text.len() as f64 / 1e6) } else { format!("{} characters", fmt_int(text.chars().count() as u64)) };
            let progress = move |pct: usize| {
                let _ = data.try_set(DataLoad::Waiting(format!("Tokenizing {} ({size})… {pct}%", corpus.name())));
            };
            progress(0);
            let Some(ids) = tokenize_sliced(&tok, &text, progress, alive).await else { return };
            let ids = Rc::new(ids);
            if corpus != Corpus::Own {
                CORPUS_IDS.with(|c| c.borrow_mut().insert(corpus, ids.clone()));
            }
            let loaded = Data::new(corpus, ids, &tok).map(|d| DataLoad::Ready(Rc::new(d))).unwrap_or_else(DataLoad::Problem);
            let _ = data.try_set(loaded);
        });
    });
    let vocab = Memo::new(move |_| match data.get() {
        DataLoad::Ready(d) => d.vocab,
        _ => tokenizer.with(|t| t.as_ref().and_then(|t| t.as_ref().ok()).map(|t| t.vocab_size()).unwrap_or(2048)),
    });
    let ln_v = move || (vocab.get() as f64).ln();

    // The run.
    let trainer = StoredValue::new_local(None::<Trainer>);
    let ready = RwSignal::new(false);
    let diverged = RwSignal::new(None::<f32>);
    let build_error = RwSignal::new(None::<String>);
    let readout = RwSignal::new(Readout::default());
    let timing = StoredValue::new(Timing::default());
    let curves = StoredValue::new(Curves::default());
    let curve_version = RwSignal::new(0u64);
    let samples = RwSignal::new(Vec::<Sample>::new());

    let make_readout = move || -> Readout {
        let tm = timing.get_value();
        let r = trainer.with_value(|t| t.as_ref().map(|t| (t.step, t.tokens, t.recent_loss())));
        let Some((step, tokens, train)) = r else { return Readout::default() };
        let held = curves.with_value(|c| c.table.last().map(|&(s, _, h)| (s, h)));
        Readout {
            step,
            tokens,
            train,
            held,
            tokens_per_s: (tm.play_ms > 500.0).then(|| tm.play_tokens as f64 / tm.play_ms * 1000.0),
            step_ms: (tm.steps_timed > 0).then(|| tm.step_ms_sum / tm.steps_timed as f64),
            slowest_frame: (tm.slowest_frame > 0.0).then_some(tm.slowest_frame),
            longest_slice: (tm.longest_slice > 0.0).then_some(tm.longest_slice),
        }
    };
    let push_sample = move |s: Sample| {
        samples.update(|v| {
            if v.last().map(|l| l.step) == Some(s.step) {
                return;
            }
            v.push(s);
            // keep the sample of the random model (step 0) and the latest few
            if v.len() > SAMPLES_KEPT + 1 {
                v.remove(1);
            }
        });
    };
    let rebuild = move || {
        let s = state.get_untracked();
        let built = match data.get_untracked() {
            DataLoad::Ready(d) => Some(Trainer::new(d, s.width, s.lr, s.seed)),
            _ => None,
        };
        let (tr, err) = match built {
            Some(Ok(t)) => (Some(t), None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        samples.set(Vec::new());
        if let Some(t) = &tr {
            let (prompt, text) = t.sample();
            push_sample(Sample { step: 0, prompt, text });
        }
        ready.set(tr.is_some());
        trainer.set_value(tr);
        build_error.set(err);
        diverged.set(None);
        timing.set_value(Timing::default());
        curves.set_value(Curves::default());
        curve_version.update(|v| *v += 1);
        readout.set(make_readout());
    };

    let train = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        if diverged.get_untracked().is_some() || !ready.get_untracked() {
            return;
        }
        let t0 = now_ms();
        if !f.single_step {
            timing.update_value(|tm| {
                // The first frame after a start has dt 0: the time before it was a pause, not a frame.
                if f.dt_ms > 0.0 {
                    let gap = t0 - tm.last_frame;
                    tm.slowest_frame = tm.slowest_frame.max(gap);
                    tm.play_ms += gap;
                }
                tm.last_frame = t0;
            });
        }
        let mut events: Vec<(Event, f64)> = Vec::new();
        let mut sample = None;
        let mut trained = 0u64;
        // Samples every few seconds of training, counted from the first frame of the run.
        let last_sample = timing.with_value(|tm| tm.last_sample);
        if last_sample == 0.0 {
            timing.update_value(|tm| tm.last_sample = t0);
        }
        let due_sample = f.single_step || (last_sample > 0.0 && t0 - last_sample >= SAMPLE_EVERY_MS);
        trainer.update_value(|tr| {
            let Some(tr) = tr.as_mut() else { return };
            let before = tr.tokens;
            let mut unit = || {
                let a = now_ms();
                let ev = tr.unit();
                let stop = matches!(ev, Event::Step(_) | Event::Diverged(_));
                let diverged = matches!(ev, Event::Diverged(_));
                events.push((ev, now_ms() - a));
                (stop, diverged)
            };
            if f.single_step {
                // "One training step" finishes a whole optimiser step (four windows).
                while !unit().0 {}
            } else {
                f.repeat(|| !unit().1);
            }
            trained = tr.tokens - before;
            if !tr.diverged && due_sample {
                sample = Some((tr.step, tr.sample()));
            }
        });
        let recent = trainer.with_value(|t| t.as_ref().and_then(|t| t.recent_loss()));
        let step_now = trainer.with_value(|t| t.as_ref().map(|t| t.step).unwrap_or(0));
        timing.update_value(|tm| {
            if !f.single_step {
                tm.play_tokens += trained;
            }
            for (ev, ms) in &events {
                tm.longest_slice = tm.longest_slice.max(*ms);
                match ev {
                    Event::Micro => tm.step_ms_acc += ms,
                    Event::Step(_) => {
                        tm.step_ms_sum += tm.step_ms_acc + ms;
                        tm.steps_timed += 1;
                        tm.step_ms_acc = 0.0;
                    }
                    _ => {}
                }
            }
            if sample.is_some() {
                tm.last_sample = t0;
            }
        });
        let mut step_of = step_now - events.iter().filter(|(e, _)| matches!(e, Event::Step(_) | Event::Diverged(_))).count();
        curves.update_value(|c| {
            for (ev, _) in &events {
                match ev {
                    Event::Step(loss) => {
                        step_of += 1;
                        push_thinned(&mut c.train, (step_of as f64, *loss as f64), 600);
                    }
                    Event::Held(loss) => {
                        push_thinned(&mut c.held, (step_of as f64, *loss as f64), 300);
                        c.table.push((step_of, recent, *loss));
                    }
                    Event::Diverged(loss) => {
                        step_of += 1;
                        push_thinned(&mut c.train, (step_of as f64, *loss as f64), 600);
                        diverged.set(Some(*loss));
                    }
                    Event::Micro | Event::Eval => {}
                }
            }
        });
        if let Some((step, (prompt, text))) = sample {
            push_sample(Sample { step, prompt, text });
        }
        let t1 = now_ms();
        let (due_text, due_curve) = timing.with_value(|tm| (t1 - tm.last_text >= 250.0, t1 - tm.last_curve >= 100.0));
        if f.single_step || due_curve || diverged.get_untracked().is_some() {
            timing.update_value(|tm| tm.last_curve = t1);
            curve_version.update(|v| *v += 1);
        }
        if f.single_step || due_text || diverged.get_untracked().is_some() {
            timing.update_value(|tm| tm.last_text = t1);
            readout.set(make_readout());
        }
    });

    // A new text or new settings start a new run.
    Effect::new(move |_| {
        let _ = data.get();
        let _ = state.with(|s| (s.width, s.lr.to_bits(), s.seed));
        train.pause();
        rebuild();
    });
    Effect::new(move |_| {
        if diverged.get().is_some() || (train.playing.get() && !ready.get()) {
            train.pause();
        }
    });
    // On pause: the numbers at once, and a sample of the model as it is now.
    Effect::new(move |prev: Option<bool>| {
        let playing = train.playing.get();
        if prev == Some(true) && !playing && diverged.get_untracked().is_none() {
            let s = trainer.with_value(|t| t.as_ref().filter(|t| t.step > 0).map(|t| (t.step, t.sample())));
            if let Some((step, (prompt, text))) = s {
                push_sample(Sample { step, prompt, text });
            }
            readout.set(make_readout());
            curve_version.update(|v| *v += 1);
        }
        playing
    });

    let params = Memo::new(move |_| state.with(|s| s.width).config(vocab.get()).n_params());
    let draft = RwSignal::new(state.get_untracked().text);
    let own = Memo::new(move |_| state.with(|s| s.corpus == Corpus::Own));
    let st = move || state.get();
    let fmt_loss = |l: Option<f32>| l.map(|l| format!("{l:.3}")).unwrap_or_else(|| "—".to_owned());
    let worse_than_guessing = move || {
        let r = readout.get();
        r.step >= 50 && r.train.is_some_and(|l| (l as f64) > ln_v())
    };
    let chart_label = Signal::derive(move || {
        let r = readout.get();
        let guess = format!("guessing every one of the {} tokens equally scores ln {} = {:.2}", fmt_int(vocab.get() as u64), vocab.get(), ln_v());
        if r.step == 0 {
            format!("Loss curve: no training steps yet; {guess}.")
        } else {
            let held = r.held.map(|(s, h)| format!(", held-out loss {h:.2} (at step {s})")).unwrap_or_default();
            format!("Loss curve over {} training steps: training loss now {}{held}; {guess}.", r.step, fmt_loss(r.train))
        }
    });

    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="lm-train" node_ref=root>
                <p class="muted">
                    {move || format!(
                        "A tiny transformer — {} parameters: {LAYERS} blocks of width {}, {HEADS} attention heads, a context of {CTX} tokens and the section's {}-token tokenizer — starting from random weights and trained here, in your browser. ",
                        fmt_int(params.get() as u64), st().width.d(), fmt_int(vocab.get() as u64))}
                    "Each step shows it " {BATCH.to_string()} " windows of " {CTX.to_string()} " tokens and nudges every weight with AdamW (the learning rate warms up over "
                    {WARMUP.to_string()} " steps, then decays to a tenth over " {fmt_int(DECAY_STEPS as u64)} "). The last 10% of the text is never trained on: the held-out loss measures the model on it every "
                    {EVAL_EVERY.to_string()} " steps."
                </p>
                <div class="controls-row">
                    <label class="field" for="lmt-corpus">
                        <span>"Text to learn from"</span>
                        <select id="lmt-corpus" on:change=move |ev| { let v = event_target_value(&ev); if let Some(c) = Corpus::from_key(&v) { state.update(|s| s.corpus = c) } }>
                            {Corpus::ALL.iter().map(|&c| view! { <option value=c.key() prop:selected=move || st().corpus == c>{c.title()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field" for="lmt-width">
                        <span>"Model width d"</span>
                        <select id="lmt-width" on:change=move |ev| { let v = event_target_value(&ev); if let Some(w) = Width::from_key(&v) { state.update(|s| s.width = w) } }>
                            {Width::ALL.iter().map(|&w| view! {
                                <option value=w.key() prop:selected=move || st().width == w>{move || format!("{} ({} parameters)", w.d(), fmt_int(w.config(vocab.get()).n_params() as u64))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field" for="lmt-lr">
                        <span>"Learning rate"</span>
                        <select id="lmt-lr" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { if (LR_MIN..=LR_MAX).contains(&v) { state.update(|s| s.lr = v) } } }>
                            {move || {
                                let lr = state.with(|s| s.lr);
                                let mut opts: Vec<f64> = LR_CHOICES.iter().map(|c| c.0).collect();
                                if !opts.iter().any(|v| (v - lr).abs() <= 1e-12 * v.max(1.0)) {
                                    opts.push(lr);
                                    opts.sort_by(f64::total_cmp);
                                }
                                opts.into_iter().map(|v| view! { <option value=v.to_string() prop:selected=(v - lr).abs() <= 1e-12 * v.max(1.0)>{lr_label(v)}</option> }).collect_view()
                            }}
                        </select>
                    </label>
                    <label class="field" for="lmt-seed">
                        <span>"Seed"</span>
                        <input id="lmt-seed" type="number" min="0" step="1" prop:value=move || st().seed.to_string()
                            on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() { state.update(|s| s.seed = v) } }/>
                    </label>
                </div>
                <Show when=move || own.get()>
                    <div class="lmt-own">
                        <label class="field wide" for="lmt-text">
                            <span>"Your text (the more, the better: a few pages learn for minutes, a few lines are memorised in seconds)"</span>
                            <textarea id="lmt-text" rows="6" prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                        </label>
                        <div class="controls-row">
                            <button type="button" class="btn" on:click=move |_| { let t = draft.get_untracked(); state.update(|s| s.text = t) }>"Train on this text"</button>
                            <span class="muted" data-testid="lmt-url-note">{move || {
                                let n = draft.with(|t| t.chars().count());
                                if n > URL_TEXT_MAX {
                                    format!("{} characters: longer than {}, so this text is not kept in the page's link — after a reload, paste it again.", fmt_int(n as u64), fmt_int(URL_TEXT_MAX as u64))
                                } else {
                                    format!("{} characters (texts up to {} characters are kept in the link).", fmt_int(n as u64), fmt_int(URL_TEXT_MAX as u64))
                                }
                            }}</span>
                        </div>
                    </div>
                </Show>
                <div class="controls-row">
                    <LoopControls anim=train play_label="Train" step_label="One training step"/>
                    <button type="button" class="btn" on:click=move |_| { train.pause(); rebuild(); }>"Reset"</button>
                </div>
                {move || match data.get() {
                    DataLoad::Waiting(what) => view! { <Loading label="Preparing the training text" text=what/> }.into_any(),
                    DataLoad::Problem(why) => view! { <p class="notice" role="status" data-testid="lmt-problem">{why}</p> }.into_any(),
                    DataLoad::Failed(why) => view! { <p class="error-panel" role="alert">{why}</p> }.into_any(),
                    DataLoad::Ready(d) => {
                        let note = if d.held.is_empty() {
                            " The text is too short to keep a held-out part: only the training loss is measured.".to_owned()
                        } else if d.corpus == Corpus::Own && d.ids.len() < 5000 {
                            " With this little text the model can memorise it: watch the training loss keep falling while the held-out loss stops, then rises (overfitting).".to_owned()
                        } else {
                            String::new()
                        };
                        view! { <p class="muted" data-testid="lmt-data">{format!("{}: {} tokens, {} for training and {} held out.{note}", capitalise(d.corpus.name()), fmt_int(d.ids.len() as u64), fmt_int(d.split as u64), fmt_int(d.held_tokens() as u64))}</p> }.into_any()
                    }
                }}
                {move || build_error.get().map(|e| view! { <p class="error-panel" role="alert">{e}</p> })}
                {move || diverged.get().map(|loss| view! {
                    <div class="error-panel" role="alert">
                        <strong>"Training diverged."</strong>
                        {format!(
                            " The loss reached {} — more than three times a uniform guess ({:.2}): the model now gives the right next tokens almost no probability. The learning rate ({}) is too high: each step overshoots, so the model gets worse instead of better. Training is paused. ",
                            if loss.is_finite() { format!("{loss:.1}") } else { "infinity".to_owned() }, ln_v(), state.with_untracked(|s| s.lr))}
                        <button type="button" class="btn btn-small" on:click=move |_| rebuild()>"Reset the run"</button>
                        " (or choose a lower learning rate)."
                    </div>
                })}
                <Show when=worse_than_guessing>
                    <p class="notice" role="status">{move || format!("The training loss is above ln {} = {:.2}: worse than guessing every token equally. The learning rate is probably too high; reset with a lower one.", vocab.get(), ln_v())}</p>
                </Show>
                <div class="gan-grid">
                    <div>
                        <PlotCanvas label=chart_label aspect=0.62 draw=move |area: &Area, ctx: &PlotCtx| {
                            let _ = curve_version.get();
                            let guess = ln_v();
                            curves.with_value(|c| {
                                let x_max = c.train.last().map(|p| p.0).unwrap_or(0.0).max(c.held.last().map(|p| p.0).unwrap_or(0.0)).max(10.0);
                                let ys = || c.train.iter().chain(&c.held).map(|p| p.1).filter(|y| y.is_finite());
                                let hi = ys().fold(guess + 0.6, f64::max).min(2.0 * guess);
                                let lo = (ys().fold(guess, f64::min) - 0.7).floor().max(0.0);
                                let line = [(0.0, guess), (x_max, guess)];
                                line_chart(area, ctx, "training step", "loss (nats per token)", x_max, lo..hi * 1.02, &[
                                    Line { points: &line, color: ctx.palette.muted },
                                    Line { points: &c.train, color: ctx.palette.series[0] },
                                    Line { points: &c.held, color: ctx.palette.series[1] },
                                ]);
                            });
                        } alt_title="Show the losses as a table">
                            <table class="data-table" data-testid="lmt-table">
                                <caption>{move || format!("Held-out evaluations (first and latest ten). A uniform guess scores {:.2}.", ln_v())}</caption>
                                <thead><tr><th scope="col">"Step"</th><th scope="col">"Training loss (mean of the last 20 steps)"</th><th scope="col">"Held-out loss"</th></tr></thead>
                                <tbody>
                                    {move || {
                                        let _ = curve_version.get();
                                        curves.with_value(|c| {
                                            let n = c.table.len();
                                            c.table.iter().enumerate().filter(|(i, _)| *i == 0 || *i + 10 >= n).map(|(_, &(s, t, h))| view! {
                                                <tr><td>{fmt_int(s as u64)}</td><td>{fmt_loss(t)}</td><td>{format!("{h:.3}")}</td></tr>
                                            }).collect_view()
                                        })
                                    }}
                                </tbody>
                            </table>
                        </PlotCanvas>
                        <ul class="legend">
                            <li><span class="swatch s1"></span>"Training loss (each step)"</li>
                            <li><span class="swatch lmt-held"></span>"Held-out loss (last 10%)"</li>
                            <li><span class="swatch lmt-guess"></span>{move || format!("Uniform guess, ln {} = {:.2}", vocab.get(), ln_v())}</li>
                        </ul>
                        <dl class="stats">
                            <div><dt>"Step"</dt><dd data-testid="lmt-step">{move || readout.with(|r| r.step)}</dd></div>
                            <div><dt>"Tokens seen"</dt><dd>{move || fmt_int(readout.with(|r| r.tokens))}</dd></div>
                            <div><dt>"Training loss"</dt><dd data-testid="lmt-train-loss">{move || fmt_loss(readout.with(|r| r.train))}</dd></div>
                            <div><dt>"Held-out loss"</dt><dd data-testid="lmt-held-loss">{move || fmt_loss(readout.with(|r| r.held.map(|h| h.1)))}</dd></div>
                            <div><dt>"Tokens / s"</dt><dd data-testid="lmt-tps">{move || readout.with(|r| r.tokens_per_s.map(|v| fmt_int(v.round() as u64)).unwrap_or_else(|| "—".to_owned()))}</dd></div>
                            <div><dt>"One step (computing)"</dt><dd data-testid="lmt-step-ms">{move || readout.with(|r| r.step_ms.map(|v| format!("{v:.0} ms")).unwrap_or_else(|| "—".to_owned()))}</dd></div>
                            <div><dt>"Slowest frame"</dt><dd data-testid="lmt-slowest">{move || readout.with(|r| r.slowest_frame.map(|v| format!("{v:.0} ms")).unwrap_or_else(|| "—".to_owned()))}</dd></div>
                        </dl>
                        <p class="muted">{move || {
                            let r = readout.get();
                            match (r.step_ms, r.longest_slice) {
                                (Some(_), Some(slice)) => format!(
                                    "A step's {} windows run as separate slices of work (the longest took {slice:.0} ms), a few per frame within a time budget, so the page keeps drawing and responding while the model trains. Slowest frame = the longest gap between two frames while training, drawing included.",
                                    BATCH),
                                _ if r.step > 0 => format!("{} steps taken one at a time.", r.step),
                                _ => format!("Press Train. A step's {BATCH} windows run as separate slices of work, a few per frame, so the page keeps responding."),
                            }
                        }}</p>
                    </div>
                    <div>
                        <h3 class="lmt-heading">"Samples as it learns"</h3>
                        <p class="muted">{move || format!(
                            "Every {} seconds of training the model continues the same prompt with the same seed (temperature {TEMPERATURE}), so the text changes only because the model did. Step 0 is the random model.",
                            SAMPLE_EVERY_MS / 1000.0)}</p>
                        <ol class="lmt-samples" data-testid="lmt-samples">
                            {move || samples.get().into_iter().rev().map(|s| view! {
                                <li>
                                    <span class="lmt-sample-step">{format!("Step {}", fmt_int(s.step as u64))}</span>
                                    <p class="lm-generated"><strong>{s.prompt}</strong>{s.text}</p>
                                </li>
                            }).collect_view()}
                        </ol>
                        {if embed {
                            let show = RwSignal::new(false);
                            view! {
                                <Show when=move || show.get() fallback=move || view! {
                                    <button type="button" class="btn btn-small" on:click=move |_| show.set(true)>"Compare with the site's pre-trained model (2.2 MB download)"</button>
                                }>
                                    <PretrainedComparison data=data/>
                                </Show>
                            }.into_any()
                        } else {
                            view! { <PretrainedComparison data=data/> }.into_any()
                        }}
                    </div>
                </div>
            </div>
        </WidgetFrame>
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The section's pre-trained model scored on the same held-out windows, a window at a time.
#[component]
fn PretrainedComparison(data: RwSignal<DataLoad, LocalStorage>) -> impl IntoView {
    let lm = use_lm();
    let result = RwSignal::new(None::<f32>);
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        job.update_value(|j| *j += 1);
        let mine = job.get_value();
        result.set(None);
        let (DataLoad::Ready(d), LmLoad::Ready(lm)) = (data.get(), lm.get()) else { return };
        if d.held.is_empty() || lm.model.cfg.vocab != d.vocab || lm.model.cfg.ctx < d.t_held {
            return;
        }
        leptos::task::spawn_local(async move {
            let mut ws = Workspace::new();
            let mut sum = 0.0f64;
            let t = d.t_held;
            for &s in &d.held {
                dom::yield_to_browser().await;
                if job.try_get_value() != Some(mine) {
                    return;
                }
                sum += ws.forward(&lm.model, &d.ids[s..s + t], Some(&d.ids[s + 1..s + t + 1]), 1, t) as f64;
            }
            let _ = result.try_set(Some((sum / d.held.len() as f64) as f32));
        });
    });
    view! {
        <p class="muted" data-testid="lmt-pretrained">{move || match lm.get() {
            LmLoad::Loading => "Loading the site's pre-trained model for a comparison…".to_owned(),
            LmLoad::Failed(e) => format!("The pre-trained model could not be loaded for a comparison: {e}"),
            LmLoad::Ready(m) => {
                let c = m.model.cfg;
                let about = format!(
                    "For comparison: the site's pre-trained model has {} parameters ({} blocks of width {}, a context of {} tokens) and was trained offline by the same code on Moby Dick and State of the Union addresses",
                    fmt_int(c.n_params() as u64), c.layers, c.d, c.ctx);
                let corpus = match data.get() { DataLoad::Ready(d) if !d.held.is_empty() && d.vocab == c.vocab && d.t_held <= c.ctx => Some(d.corpus), _ => None };
                match (result.get(), corpus) {
                    (Some(l), Some(corpus)) => {
                        let seen = match corpus {
                            Corpus::Moby => " (it was trained on the first 95% of the book, so it has read about half of these windows)",
                            Corpus::Sotu => " (these addresses were held out of its training)",
                            Corpus::Own => "",
                        };
                        format!("{about}. On the same held-out windows it scores {l:.2}{seen}.")
                    }
                    (None, Some(_)) => format!("{about}. Scoring it on the same held-out windows…"),
                    _ => format!("{about}."),
                }
            }
        }}</p>
    }
}
