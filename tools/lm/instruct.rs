//! Instruction-tunes the shipped base model (public/lm/model.bin) into one that follows four-part
//! prompts (genai_core::gpt::prompt), on examples built from real data only — no hand-written
//! answers:
//!
//! - question answering from context: two to four documents (an address's header line and a real
//!   passage of it), one of them holding the answer, from the `sotu.jsonl` metadata: by a quote
//!   ("Who said "…"?" → the president; also the party, the year), which only the documents can
//!   answer, and by year ("Who gave the address in 1862?"), which pre-training may have half-taught
//!   (every address began with its header there);
//! - classification: is a real passage from Moby Dick or from an address; in which century was an
//!   address passage given;
//! - information extraction: the one year a real sentence of an address mentions;
//! - continuation: the next words of a real passage;
//! - and a little plain text, so the model keeps its pre-training.
//!
//! Held out, never trained on: the 12 validation addresses of prepare_corpus.mjs (id % 20 == 7) —
//! their facts and their passages — and the last 5 % of Moby Dick. The evaluation questions are built
//! from them, and ship as public/lm/instruct-eval.json for the page to score live.
//!
//!     node tools/lm/prepare_corpus.mjs          # writes target/lm-corpus/
//!     RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native \
//!       cargo run --release -p genai-core --example instruct -- [steps] [seed]
//!
//! Writes public/lm/instruct.bin (GPT1, bfloat16), public/lm/instruct-eval.json and
//! public/lm/instruct-manifest.json (settings, the curve, accuracy per task for the base and the tuned
//! model). Resumable from target/lm-ckpt/instruct-<steps>-<seed>.bin (every 100 steps);
//! deterministic for a seed (each step's examples come from a generator seeded with (seed, step)).

use genai_core::gpt::prompt::{exact_match, greedy_answer, Prompt};
use genai_core::gpt::tokenizer::Tokenizer;
use genai_core::gpt::{self, AdamW, Gpt, Workspace, IGNORE};
use genai_core::rng::Rng;
use std::time::Instant;

#[path = "common.rs"]
mod common;
use common::*;

const BATCH: usize = 16;
const LR: f32 = 1e-3;
const ANSWER_TOKENS: usize = 12;

/// The instructions, one per task (the page's presets use the same words).
const QA_CONTEXT: &str = "Answer the question from the documents.";
const QA_CLOSED: &str = "Answer the question.";
const SOURCE: &str = "Is this passage from Moby Dick or from a State of the Union address?";
const CENTURY: &str = "In which century was this address given?";
const EXTRACT: &str = "Which year does this passage mention?";
const CONTINUE: &str = "Continue the text.";

/// One example: a prompt in parts and the answer the model should write.
#[derive(Clone, Debug)]
struct Example {
    task: &'static str,
    prompt: Prompt,
    answer: String,
}

impl Example {
    fn new(task: &'static str, instruction: &str, docs: Vec<String>, input: String, answer: String) -> Example {
        let prompt = Prompt {
            instruction: Some(instruction.to_string()),
            context: (!docs.is_empty()).then_some(docs),
            input: Some(input),
            output: Some(String::new()),
        };
        Example { task, prompt, answer }
    }
}

/// Passages and sentences of real text, with word boundaries.
#[derive(Clone)]
struct Text {
    words: Vec<String>,
    /// Indices of words that begin a sentence.
    starts: Vec<usize>,
}

impl Text {
    fn new(s: &str) -> Text {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        let mut starts = vec![0];
        for (i, w) in words.iter().enumerate() {
            if i + 1 < words.len() && (w.ends_with('.') || w.ends_with('?') || w.ends_with('!')) {
                starts.push(i + 1);
            }
        }
        Text { words, starts }
    }

    /// `n` words from a sentence start chosen by `rng` (None if the text is too short).
    fn passage(&self, rng: &mut Rng, n: usize) -> Option<(usize, String)> {
        let ok: Vec<usize> = self.starts.iter().copied().filter(|&s| s + n <= self.words.len()).collect();
        if ok.is_empty() {
            return None;
        }
        let s = ok[rng.below(ok.len() as u64) as usize];
        Some((s, self.words[s..s + n].join(" ")))
    }

    /// Sentences (8–40 words) that mention exactly one year 1700–2029, with that year.
    fn year_sentences(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, &s) in self.starts.iter().enumerate() {
            let e = self.starts.get(k + 1).copied().unwrap_or(self.words.len());
            if !(8..=40).contains(&(e - s)) {
                continue;
            }
            let years: Vec<String> = self.words[s..e]
                .iter()
                .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()).to_string())
                .filter(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()) && (1700..2030).contains(&w.parse::<i32>().unwrap()))
                .collect();
            let digits_words = self.words[s..e].iter().filter(|w| w.chars().any(|c| c.is_ascii_digit())).count();
            if years.len() == 1 && digits_words == 1 {
                out.push((self.words[s..e].join(" "), years[0].clone()));
            }
        }
        out
    }
}

fn century(year: i64) -> String {
    match year / 100 + 1 {
        18 => "18th century".into(),
        19 => "19th century".into(),
        20 => "20th century".into(),
        _ => "21st century".into(),
    }
}

/// Everything examples are drawn from, split into training and held-out halves.
struct Sources {
    train: Vec<(Address, Text)>,
    held: Vec<(Address, Text)>,
    moby_train: Text,
    moby_val: Text,
    years_train: Vec<(String, String)>,
    years_held: Vec<(String, String)>,
}

impl Sources {
    fn new(corpus: &Corpus) -> Sources {
        let mut train = Vec::new();
        let mut held = Vec::new();
        for a in &corpus.addresses {
            let t = Text::new(&a.text);
            if a.held_out() { held.push((a.clone(), t)) } else { train.push((a.clone(), t)) }
        }
        let years_train = train.iter().flat_map(|(_, t)| t.year_sentences()).collect();
        let years_held = held.iter().flat_map(|(_, t)| t.year_sentences()).collect();
        Sources { train, held, moby_train: Text::new(&corpus.moby_train), moby_val: Text::new(&corpus.moby_val), years_train, years_held }
    }
}

fn pick<'a, T>(v: &'a [T], rng: &mut Rng) -> &'a T {
    &v[rng.below(v.len() as u64) as usize]
}

/// A document for the context: the address's header and a real passage of it (10–34 words), and
/// where the passage starts and ends in the address's words.
fn document(a: &Address, t: &Text, rng: &mut Rng) -> (String, usize, usize) {
    let words = 10 + rng.below(25) as usize;
    let (at, p) = t.passage(rng, words).unwrap_or_default();
    (format!("{} {}", a.header(), p), at, at + words)
}

/// What a question asks of an address.
#[derive(Clone, Copy, PartialEq)]
enum Ask {
    President,
    Party,
    Year,
}

/// A question about the address `a`: by a quote from its passage (which only the context can answer)
/// or by its year (which a model may half-remember from pre-training, where every address began with
/// its header).
fn question(a: &Address, ask: Ask, quote: Option<&str>, rng: &mut Rng) -> (String, String) {
    let answer = match ask {
        Ask::President => a.president.clone(),
        Ask::Party => a.party.clone(),
        Ask::Year => a.year.to_string(),
    };
    let q = match (quote, ask) {
        (Some(q), Ask::President) => format!("Who said \"{q}\"?"),
        (Some(q), Ask::Party) => format!("Which party was the president who said \"{q}\"?"),
        (Some(q), Ask::Year) => format!("In which year was \"{q}\" said?"),
        (None, Ask::Party) => format!("Which party did the president of the {} address belong to?", a.year),
        (None, _) => {
            if rng.below(2) == 0 {
                format!("Who gave the State of the Union address in {}?", a.year)
            } else {
                format!("Which president gave the {} address?", a.year)
            }
        }
    };
    (q, answer)
}

/// A question about `target` with it and 1–3 other addresses (other presidents, other years) as
/// documents in a random order. `by_quote`: the question quotes 4–8 words of the target's passage.
fn qa(target: &(Address, Text), pool: &[(Address, Text)], rng: &mut Rng, ask: Ask, by_quote: bool) -> Example {
    let (a, t) = target;
    let n_docs = 2 + rng.below(3) as usize;
    let (doc, from, to) = document(a, t, rng);
    let quote = by_quote.then(|| {
        let n = (4 + rng.below(5) as usize).min(to - from);
        let at = from + rng.below((to - from - n + 1) as u64) as usize;
        t.words[at..at + n].join(" ").trim_end_matches([',', '.', ';', ':']).to_string()
    });
    let (input, answer) = question(a, if by_quote { ask } else if ask == Ask::Year { Ask::President } else { ask }, quote.as_deref(), rng);
    let mut docs = vec![doc];
    let mut used = vec![a.president.clone()];
    while docs.len() < n_docs {
        let (b, u) = pick(pool, rng);
        if used.contains(&b.president) || b.year == a.year {
            continue;
        }
        used.push(b.president.clone());
        docs.push(document(b, u, rng).0);
    }
    for i in (1..docs.len()).rev() {
        docs.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let task = if by_quote { "question answering" } else { "question by year" };
    Example::new(task, QA_CONTEXT, docs, input, answer)
}

/// The same question with no documents and the closed-book instruction.
fn closed_book(e: &Example) -> Example {
    let mut c = e.clone();
    c.task = if e.task == "question answering" { "closed book" } else { "question by year, closed book" };
    c.prompt.context = None;
    c.prompt.instruction = Some(QA_CLOSED.into());
    c
}

const ASKS: [Ask; 3] = [Ask::President, Ask::Party, Ask::Year];

fn source(s: &Sources, rng: &mut Rng, held: bool) -> Example {
    let n = 15 + rng.below(26) as usize;
    let moby = rng.below(2) == 0;
    let text = if moby {
        if held { &s.moby_val } else { &s.moby_train }
    } else {
        let v = if held { &s.held } else { &s.train };
        &pick(v, rng).1
    };
    let p = text.passage(rng, n).map(|p| p.1).unwrap_or_default();
    Example::new("classification", SOURCE, Vec::new(), p, if moby { "Moby Dick".into() } else { "State of the Union".into() })
}

fn century_example(s: &Sources, rng: &mut Rng, held: bool) -> Example {
    let (a, t) = pick(if held { &s.held } else { &s.train }, rng);
    let n = 20 + rng.below(21) as usize;
    let p = t.passage(rng, n).map(|p| p.1).unwrap_or_default();
    Example::new("century", CENTURY, Vec::new(), p, century(a.year))
}

fn extract(s: &Sources, rng: &mut Rng, held: bool) -> Example {
    let (sentence, year) = pick(if held { &s.years_held } else { &s.years_train }, rng).clone();
    Example::new("extraction", EXTRACT, Vec::new(), sentence, year)
}

fn continuation(s: &Sources, rng: &mut Rng, held: bool) -> Example {
    let text = match (rng.below(2), held) {
        (0, false) => &s.moby_train,
        (0, true) => &s.moby_val,
        (_, false) => &pick(&s.train, rng).1,
        (_, true) => &pick(&s.held, rng).1,
    };
    let (n, m) = (20 + rng.below(21) as usize, 6 + rng.below(5) as usize);
    let (at, p) = text.passage(rng, n + m).unwrap_or_default();
    let words = &text.words[at..at + n + m];
    let _ = p;
    Example::new("continuation", CONTINUE, Vec::new(), words[..n].join(" "), words[n..].join(" "))
}

/// One training example (the task mix of the module doc), with the instruction left out one time
/// in ten so the model also answers a prompt without it. There are no closed-book examples: the
/// model is taught to read the documents, not to recite the training facts.
fn training_example(s: &Sources, rng: &mut Rng) -> Example {
    let r = rng.below(100);
    let ask = ASKS[rng.below(3) as usize];
    let mut e = match r {
        0..=49 => qa(pick(&s.train, rng), &s.train, rng, ask, true),
        50..=59 => qa(pick(&s.train, rng), &s.train, rng, ask, false),
        60..=69 => source(s, rng, false),
        70..=79 => century_example(s, rng, false),
        80..=91 => extract(s, rng, false),
        _ => continuation(s, rng, false),
    };
    if rng.below(10) == 0 {
        e.prompt.instruction = None;
    }
    e
}

/// The held-out evaluation set, fixed by its own seed: per held-out address 8 quote questions
/// (president / party / year in turn) and 4 year questions (president / party), each with the answer's
/// document among 1–3 distractors and again closed book; 40 passages to classify by source and by
/// century; every held-out sentence with one year; 12 continuations (shown, not scored).
fn evaluation_set(s: &Sources) -> Vec<Example> {
    let mut rng = Rng::new(0xe7a1);
    let mut out = Vec::new();
    let mut pool = s.train.clone();
    pool.extend(s.held.iter().cloned());
    for target in &s.held {
        for k in 0..12 {
            let by_quote = k < 8;
            let ask = if by_quote { ASKS[k % 3] } else { ASKS[k % 2] };
            let e = qa(target, &pool, &mut rng, ask, by_quote);
            out.push(closed_book(&e));
            out.push(e);
        }
    }
    for k in 0..40 {
        let mut e = source(s, &mut rng, true);
        // exactly half from each source
        while (k % 2 == 0) != (e.answer == "Moby Dick") {
            e = source(s, &mut rng, true);
        }
        out.push(e);
    }
    for _ in 0..40 {
        out.push(century_example(s, &mut rng, true));
    }
    for (sentence, year) in &s.years_held {
        out.push(Example::new("extraction", EXTRACT, Vec::new(), sentence.clone(), year.clone()));
    }
    for _ in 0..12 {
        out.push(continuation(s, &mut rng, true));
    }
    out
}

/// Token ids and targets of one example: the loss counts the answer and the closing end-of-text.
fn sequence(e: &Example, tok: &Tokenizer) -> (Vec<u32>, Vec<u32>) {
    let prompt = e.prompt.encode(tok);
    let mut seq = prompt.clone();
    seq.extend(tok.encode(&e.answer));
    seq.push(tok.eot());
    let x = seq[..seq.len() - 1].to_vec();
    let y = seq[1..].iter().enumerate().map(|(i, &t)| if i + 1 < prompt.len() { IGNORE } else { t }).collect();
    (x, y)
}

/// Exact-match accuracy per task (continuation is shown in the page, not scored).
fn accuracy(model: &Gpt, tok: &Tokenizer, set: &[Example]) -> Vec<(&'static str, usize, usize)> {
    let mut out: Vec<(&'static str, usize, usize)> = Vec::new();
    for e in set.iter().filter(|e| e.task != "continuation") {
        let a = greedy_answer(model, tok, &e.prompt.encode(tok), ANSWER_TOKENS);
        let right = exact_match(&tok.decode(&a.ids), &e.answer) as usize;
        match out.iter_mut().find(|r| r.0 == e.task) {
            Some(r) => {
                r.1 += right;
                r.2 += 1;
            }
            None => out.push((e.task, right, 1)),
        }
    }
    out
}

fn accuracy_json(acc: &[(&str, usize, usize)]) -> String {
    let rows: Vec<String> = acc.iter().map(|(t, r, n)| format!("\"{t}\": {{\"right\": {r}, \"of\": {n}, \"accuracy\": {:.4}}}", *r as f64 / *n as f64)).collect();
    format!("{{{}}}", rows.join(", "))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let steps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3000);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out_dir = format!("{root}/public/lm");
    let ckpt_dir = format!("{root}/target/lm-ckpt");
    std::fs::create_dir_all(&ckpt_dir).unwrap();
    let corpus = load_corpus(&format!("{root}/target/lm-corpus"));
    let sources = Sources::new(&corpus);
    let tok = Tokenizer::from_binary(&std::fs::read(format!("{out_dir}/tokenizer.bpe")).unwrap()).unwrap();
    let base = gpt::from_bytes(&std::fs::read(format!("{out_dir}/model.bin")).unwrap()).unwrap();
    let cfg = base.cfg;
    let plain: Vec<u32> = tok.encode(&corpus.moby_train[..400_000.min(corpus.moby_train.len())]);
    println!(
        "sources: {} + {} addresses, {} + {} year sentences; base model {} parameters",
        sources.train.len(),
        sources.held.len(),
        sources.years_train.len(),
        sources.years_held.len(),
        cfg.n_params()
    );

    let eval = evaluation_set(&sources);
    let quick: Vec<Example> = eval.iter().filter(|e| e.task == "question answering").cloned().collect();

    let mut model = base.clone();
    let mut opt = AdamW::new(LR, steps);
    opt.warmup = 50;
    opt.weight_decay = 0.0;
    let mut curve: Vec<String> = Vec::new();
    let mut seconds = 0.0f64;
    let ckpt = format!("{ckpt_dir}/instruct-{steps}-{seed}.bin");
    if let Ok(bytes) = std::fs::read(&ckpt) {
        let (m, o, c, s) = load_checkpoint(&bytes, cfg);
        model = m;
        (opt.t, opt.m, opt.v) = o;
        curve = c;
        seconds = s;
        println!("resumed from step {}", opt.t);
    }
    let mut workspaces = [Workspace::new(), Workspace::new()];
    let mut clock = Instant::now();
    let (mut recent, mut recent_n, mut tokens) = (0.0f64, 0usize, 0usize);
    while opt.t < steps {
        let step = opt.t;
        let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (step as u64) ^ 0x1257);
        let mut batch: Vec<(Vec<u32>, Vec<u32>)> = Vec::with_capacity(BATCH + 2);
        while batch.len() < BATCH {
            let (x, y) = sequence(&training_example(&sources, &mut rng), &tok);
            if x.len() <= cfg.ctx {
                batch.push((x, y));
            }
        }
        // two windows of plain Moby Dick, every token counted, against forgetting
        for _ in 0..2 {
            let at = rng.below((plain.len() - 97) as u64) as usize;
            batch.push((plain[at..at + 96].to_vec(), plain[at + 1..at + 97].to_vec()));
        }
        tokens += batch.iter().map(|b| b.0.len()).sum::<usize>();
        let n_ex = batch.len();
        let m = &model;
        let half = n_ex / 2;
        let losses = on_two_threads(&mut workspaces, |k, ws| {
            ws.zero_grad();
            let mut sum = 0.0f64;
            for (x, y) in batch.chunks(half).nth(k).unwrap_or_default() {
                sum += ws.forward(m, x, Some(y), 1, x.len()) as f64;
                let c = ws.counted();
                ws.backward(m, c * n_ex);
            }
            sum
        });
        let a = &workspaces[0];
        let info = opt.step(&mut model, &a.grads);
        recent += losses.iter().sum::<f64>() / n_ex as f64;
        recent_n += 1;
        let done = opt.t;
        if done % 100 == 0 || done == steps {
            seconds += clock.elapsed().as_secs_f64();
            let quick_acc = if done % 500 == 0 || done == steps { accuracy(&model, &tok, &quick)[0].1 as f64 / quick.len() as f64 } else { f64::NAN };
            let loss = recent / recent_n as f64;
            println!(
                "step {done:>5}  loss {loss:.3}  lr {:.2e}  |g| {:.2}  {:.0} tok/s  {:.0} s  held-out QA with context {}",
                info.lr,
                info.grad_norm,
                tokens as f64 / clock.elapsed().as_secs_f64().max(1e-9),
                seconds,
                if quick_acc.is_nan() { "-".to_string() } else { format!("{:.0} %", 100.0 * quick_acc) }
            );
            let acc = if quick_acc.is_nan() { "null".to_string() } else { format!("{quick_acc:.4}") };
            curve.push(format!("{{\"step\":{done},\"seconds\":{seconds:.1},\"loss\":{loss:.4},\"qa_context\":{acc}}}"));
            (recent, recent_n, tokens) = (0.0, 0, 0);
            assert!(model.is_finite(), "diverged at step {done}");
            std::fs::write(&ckpt, save_checkpoint(&model, &opt, &curve, seconds)).unwrap();
            clock = Instant::now();
        }
    }

    // ---- the shipped files, and both models measured on the held-out set
    let weights = gpt::to_bytes(&model, true);
    std::fs::write(format!("{out_dir}/instruct.bin"), &weights).unwrap();
    let tuned = gpt::from_bytes(&weights).unwrap();
    let started = Instant::now();
    let acc_tuned = accuracy(&tuned, &tok, &eval);
    let eval_seconds = started.elapsed().as_secs_f64();
    let acc_base = accuracy(&base, &tok, &eval);
    for ((t, r, n), (_, rb, _)) in acc_tuned.iter().zip(&acc_base) {
        println!("{t:>20}: instruct {r}/{n} ({:.0} %), base {rb}/{n}", 100.0 * *r as f64 / *n as f64);
    }
    let rows: Vec<String> = eval
        .iter()
        .map(|e| {
            let docs: Vec<String> = e.prompt.context.iter().flatten().map(|d| json_quote(d)).collect();
            format!(
                "{{\"task\":{},\"instruction\":{},\"docs\":[{}],\"input\":{},\"answer\":{}}}",
                json_quote(e.task),
                json_quote(e.prompt.instruction.as_deref().unwrap_or("")),
                docs.join(","),
                json_quote(e.prompt.input.as_deref().unwrap_or("")),
                json_quote(&e.answer)
            )
        })
        .collect();
    std::fs::write(format!("{out_dir}/instruct-eval.json"), format!("[\n{}\n]\n", rows.join(",\n"))).unwrap();
    let manifest = format!(
        "{{\n  \"about\": \"The base model of manifest.json instruction-tuned by tools/lm/instruct.rs on examples built from the corpus (no hand-written answers)\",\n  \"training\": {{\"steps\": {steps}, \"seed\": {seed}, \"batch\": \"{BATCH} examples + 2 windows of 96 plain tokens\", \"lr\": {LR}, \"warmup\": 50, \"schedule\": \"cosine to lr/10\", \"weight_decay\": 0, \"seconds\": {seconds:.0}, \"threads\": 2}},\n  \"held_out\": \"addresses with id % 20 == 7 (facts and passages) and the last 5 % of Moby Dick\",\n  \"instructions\": {{\"question answering\": {}, \"closed book\": {}, \"classification\": {}, \"century\": {}, \"extraction\": {}, \"continuation\": {}}},\n  \"accuracy\": {{\"instruct\": {}, \"base\": {}, \"unit\": \"exact match of the greedy answer (at most {ANSWER_TOKENS} tokens)\", \"seconds_instruct\": {eval_seconds:.1}}},\n  \"curve\": [\n    {}\n  ]\n}}\n",
        json_quote(QA_CONTEXT),
        json_quote(QA_CLOSED),
        json_quote(SOURCE),
        json_quote(CENTURY),
        json_quote(EXTRACT),
        json_quote(CONTINUE),
        accuracy_json(&acc_tuned),
        accuracy_json(&acc_base),
        curve.join(",\n    ")
    );
    std::fs::write(format!("{out_dir}/instruct-manifest.json"), manifest).unwrap();
}
