//! The instruction-tuning tasks, built from the corpus of prepare_corpus.mjs with no hand-written
//! answers (see instruct.rs for the mix and the held-out split); shared by instruct.rs and
//! task_models.rs (one small model per task, the traditional way).
#![allow(dead_code)]

use crate::common::*;
use genai_core::gpt::prompt::{exact_match, greedy_answer, Prompt};
use genai_core::gpt::tokenizer::Tokenizer;
use genai_core::gpt::{Gpt, IGNORE};
use genai_core::rng::Rng;

pub const ANSWER_TOKENS: usize = 12;

/// The instructions, one per task (the page's presets use the same words).
pub const QA_CONTEXT: &str = "Answer the question from the documents.";
pub const QA_CLOSED: &str = "Answer the question.";
pub const SOURCE: &str = "Is this passage from Moby Dick or from a State of the Union address?";
pub const CENTURY: &str = "In which century was this address given?";
pub const EXTRACT: &str = "Which year does this passage mention?";
pub const CONTINUE: &str = "Continue the text.";

/// One example: a prompt in parts and the answer the model should write.
#[derive(Clone, Debug)]
pub struct Example {
    pub task: &'static str,
    pub prompt: Prompt,
    pub answer: String,
}

impl Example {
    pub fn new(task: &'static str, instruction: &str, docs: Vec<String>, input: String, answer: String) -> Example {
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
pub struct Text {
    pub words: Vec<String>,
    /// Indices of words that begin a sentence.
    pub starts: Vec<usize>,
}

impl Text {
    pub fn new(s: &str) -> Text {
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
    pub fn passage(&self, rng: &mut Rng, n: usize) -> Option<(usize, String)> {
        let ok: Vec<usize> = self.starts.iter().copied().filter(|&s| s + n <= self.words.len()).collect();
        if ok.is_empty() {
            return None;
        }
        let s = ok[rng.below(ok.len() as u64) as usize];
        Some((s, self.words[s..s + n].join(" ")))
    }

    /// Sentences (8–40 words) that mention exactly one year 1700–2029, with that year.
    pub fn year_sentences(&self) -> Vec<(String, String)> {
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

pub fn century(year: i64) -> String {
    match year / 100 + 1 {
        18 => "18th century".into(),
        19 => "19th century".into(),
        20 => "20th century".into(),
        _ => "21st century".into(),
    }
}

/// Everything examples are drawn from, split into training and held-out halves.
pub struct Sources {
    pub train: Vec<(Address, Text)>,
    pub held: Vec<(Address, Text)>,
    pub moby_train: Text,
    pub moby_val: Text,
    pub years_train: Vec<(String, String)>,
    pub years_held: Vec<(String, String)>,
}

impl Sources {
    pub fn new(corpus: &Corpus) -> Sources {
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

pub fn pick<'a, T>(v: &'a [T], rng: &mut Rng) -> &'a T {
    &v[rng.below(v.len() as u64) as usize]
}

/// A document for the context: the address's header and a real passage of it (10–34 words), and
/// where the passage starts and ends in the address's words.
pub fn document(a: &Address, t: &Text, rng: &mut Rng) -> (String, usize, usize) {
    let words = 10 + rng.below(25) as usize;
    let (at, p) = t.passage(rng, words).unwrap_or_default();
    (format!("{} {}", a.header(), p), at, at + words)
}

/// What a question asks of an address.
#[derive(Clone, Copy, PartialEq)]
pub enum Ask {
    President,
    Party,
    Year,
}

/// A question about the address `a`: by a quote from its passage (which only the context can answer)
/// or by its year (which a model may half-remember from pre-training, where every address began with
/// its header).
pub fn question(a: &Address, ask: Ask, quote: Option<&str>, rng: &mut Rng) -> (String, String) {
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

/// The answer to a question whose documents do not hold it (as in SQuAD 2.0's unanswerable
/// questions): without such examples a small model learns to recite the training facts from
/// memory instead of reading the documents, since both give the same answer on them.
pub const NOT_IN_DOCS: &str = "Not in the documents";

/// A question about `target` with it and 1–3 other addresses (other presidents, other years; half
/// the time from within 16 years of it, so that a half-remembered era does not pick the answer) as
/// documents in a random order. `by_quote`: the question quotes 4–8 words of the target's passage.
/// `absent`: the target's document is left out and the answer is [`NOT_IN_DOCS`].
pub fn qa(target: &(Address, Text), pool: &[(Address, Text)], rng: &mut Rng, ask: Ask, by_quote: bool, absent: bool) -> Example {
    let (a, t) = target;
    let n_docs = 2 + rng.below(3) as usize;
    let (doc, from, to) = document(a, t, rng);
    let quote = by_quote.then(|| {
        let n = (4 + rng.below(5) as usize).min(to - from);
        let at = from + rng.below((to - from - n + 1) as u64) as usize;
        t.words[at..at + n].join(" ").trim_end_matches([',', '.', ';', ':']).to_string()
    });
    let (input, answer) = question(a, if by_quote { ask } else if ask == Ask::Year { Ask::President } else { ask }, quote.as_deref(), rng);
    let mut docs = if absent { Vec::new() } else { vec![doc] };
    let mut used = vec![a.president.clone()];
    let near: Vec<&(Address, Text)> = pool.iter().filter(|(b, _)| (b.year - a.year).abs() <= 16).collect();
    while docs.len() < n_docs {
        let (b, u) = if rng.below(2) == 0 && !near.is_empty() { *pick(&near, rng) } else { pick(pool, rng) };
        if used.contains(&b.president) || b.year == a.year {
            continue;
        }
        used.push(b.president.clone());
        docs.push(document(b, u, rng).0);
    }
    for i in (1..docs.len()).rev() {
        docs.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let task = match (absent, by_quote) {
        (true, _) => "question without its document",
        (false, true) => "question answering",
        (false, false) => "question by year",
    };
    Example::new(task, QA_CONTEXT, docs, input, if absent { NOT_IN_DOCS.to_string() } else { answer })
}

/// The same question with no documents and the closed-book instruction.
pub fn closed_book(e: &Example) -> Example {
    let mut c = e.clone();
    c.task = if e.task == "question answering" { "closed book" } else { "question by year, closed book" };
    c.prompt.context = None;
    c.prompt.instruction = Some(QA_CLOSED.into());
    c
}

pub const ASKS: [Ask; 3] = [Ask::President, Ask::Party, Ask::Year];

pub fn source(s: &Sources, rng: &mut Rng, held: bool) -> Example {
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

pub fn century_example(s: &Sources, rng: &mut Rng, held: bool) -> Example {
    let (a, t) = pick(if held { &s.held } else { &s.train }, rng);
    let n = 20 + rng.below(21) as usize;
    let p = t.passage(rng, n).map(|p| p.1).unwrap_or_default();
    Example::new("century", CENTURY, Vec::new(), p, century(a.year))
}

pub fn extract(s: &Sources, rng: &mut Rng, held: bool) -> Example {
    let (sentence, year) = pick(if held { &s.years_held } else { &s.years_train }, rng).clone();
    Example::new("extraction", EXTRACT, Vec::new(), sentence, year)
}

pub fn continuation(s: &Sources, rng: &mut Rng, held: bool) -> Example {
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
/// in ten so the model also answers a prompt without it. A quarter of the questions come without
/// their document (answer [`NOT_IN_DOCS`]). There are no closed-book examples: the
/// model is taught to read the documents, not to recite the training facts.
pub fn training_example(s: &Sources, rng: &mut Rng) -> Example {
    let r = rng.below(100);
    let ask = ASKS[rng.below(3) as usize];
    let absent = rng.below(4) == 0;
    let mut e = match r {
        0..=24 => qa(pick(&s.train, rng), &s.train, rng, ask, true, absent),
        25..=59 => qa(pick(&s.train, rng), &s.train, rng, ask, false, absent),
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
/// document among 1–3 distractors and again closed book, and 2 year questions with only distractors
/// (the right answer: [`NOT_IN_DOCS`]); 40 passages to classify by source and by
/// century; every held-out sentence with one year; 12 continuations (shown, not scored).
pub fn evaluation_set(s: &Sources) -> Vec<Example> {
    let mut rng = Rng::new(0xe7a1);
    let mut out = Vec::new();
    let mut pool = s.train.clone();
    pool.extend(s.held.iter().cloned());
    for target in &s.held {
        for k in 0..12 {
            let by_quote = k < 8;
            let ask = if by_quote { ASKS[k % 3] } else { ASKS[k % 2] };
            let e = qa(target, &pool, &mut rng, ask, by_quote, false);
            out.push(closed_book(&e));
            out.push(e);
        }
        for ask in [Ask::President, Ask::Party] {
            out.push(qa(target, &pool, &mut rng, ask, false, true));
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
pub fn sequence(e: &Example, tok: &Tokenizer) -> (Vec<u32>, Vec<u32>) {
    let prompt = e.prompt.encode(tok);
    let mut seq = prompt.clone();
    seq.extend(tok.encode(&e.answer));
    seq.push(tok.eot());
    let x = seq[..seq.len() - 1].to_vec();
    let y = seq[1..].iter().enumerate().map(|(i, &t)| if i + 1 < prompt.len() { IGNORE } else { t }).collect();
    (x, y)
}

/// Exact-match accuracy per task (continuation is shown in the page, not scored).
pub fn accuracy(model: &Gpt, tok: &Tokenizer, set: &[Example]) -> Vec<(&'static str, usize, usize)> {
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

pub fn accuracy_json(acc: &[(&str, usize, usize)]) -> String {
    let rows: Vec<String> = acc.iter().map(|(t, r, n)| format!("\"{t}\": {{\"right\": {r}, \"of\": {n}, \"accuracy\": {:.4}}}", *r as f64 / *n as f64)).collect();
    format!("{{{}}}", rows.join(", "))
}

