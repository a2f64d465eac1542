//! Prompts in four parts and greedy answers with their probability.
//!
//! A prompt engineer's four parts — an instruction, context, input data and an output indicator —
//! become token ids with a special marker before each part:
//!
//! `<|instruction|> …  <|context|> <|doc|> … <|doc|> …  <|input|> …  <|output|>` → the model writes
//! the answer, then `<|endoftext|>`. The context holds one or more documents, each after `<|doc|>`.
//!
//! Any part may be left out (its marker goes too), which is how the prompt-engineering section shows
//! what each part is worth. The markers are placed by id, never parsed from text, so a learner's
//! text cannot forge them. The instruction-tuned model (tools/lm/instruct.rs) was fine-tuned on
//! exactly this layout; the base model has never seen the markers.

use super::tokenizer::Tokenizer;
use super::{softmax, Gpt, KvCache};

/// The four parts of a prompt; `None` leaves a part (and its marker) out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prompt {
    pub instruction: Option<String>,
    /// The context's documents (a retrieved passage each, or one text the learner typed).
    pub context: Option<Vec<String>>,
    pub input: Option<String>,
    /// The output indicator: `Some("")` is the bare `<|output|>` marker, `Some(text)` adds text
    /// after it (a prefix the answer continues, e.g. "The answer is").
    pub output: Option<String>,
}

/// One part's tokens, so a page can show what each part costs of the context.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub name: &'static str,
    pub ids: Vec<u32>,
}

impl Prompt {
    /// The parts in order with their token ids (marker first), skipping those left out.
    pub fn parts(&self, tok: &Tokenizer) -> Vec<Part> {
        let marker = |m: &str| tok.special(m).expect("a marker of SPECIALS");
        let part = |name: &'static str, m: &str, texts: &[&String]| {
            let mut ids = vec![marker(m)];
            for t in texts {
                if name == "context" {
                    ids.push(marker("<|doc|>"));
                }
                ids.extend(tok.encode(t));
            }
            Part { name, ids }
        };
        let mut out = Vec::new();
        if let Some(t) = &self.instruction {
            out.push(part("instruction", "<|instruction|>", &[t]));
        }
        if let Some(docs) = &self.context {
            out.push(part("context", "<|context|>", &docs.iter().collect::<Vec<_>>()));
        }
        if let Some(t) = &self.input {
            out.push(part("input", "<|input|>", &[t]));
        }
        if let Some(t) = &self.output {
            out.push(part("output indicator", "<|output|>", &[t]));
        }
        out
    }

    /// All the prompt's ids, parts in order.
    pub fn encode(&self, tok: &Tokenizer) -> Vec<u32> {
        self.parts(tok).into_iter().flat_map(|p| p.ids).collect()
    }
}

/// A greedy answer: the tokens the model wrote (without the closing end-of-text), the probability
/// of each under the model, and whether it closed with end-of-text before `max_tokens`.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub ids: Vec<u32>,
    pub probs: Vec<f32>,
    pub finished: bool,
}

impl Answer {
    /// log P(answer | prompt) = Σ log p(token), counting the closing end-of-text when written.
    pub fn log_prob(&self) -> f64 {
        self.probs.iter().map(|&p| (p as f64).ln()).sum()
    }
}

/// Writes the most probable token again and again (T = 0) after `prompt` until end-of-text, a
/// context's worth or `max_tokens`. A prompt longer than the context keeps its last tokens (the
/// answer needs room: at most ctx − max_tokens of them). An empty prompt starts from end-of-text.
pub fn greedy_answer(model: &Gpt, tok: &Tokenizer, prompt: &[u32], max_tokens: usize) -> Answer {
    let ctx = model.cfg.ctx;
    let max_tokens = max_tokens.min(ctx - 1);
    let eot = tok.eot();
    let keep = ctx - max_tokens;
    let start: Vec<u32> = if prompt.is_empty() { vec![eot] } else { prompt[prompt.len().saturating_sub(keep)..].to_vec() };
    let mut cache = KvCache::new(&model.cfg);
    let mut logits = model.prefill(&mut cache, &start);
    let (mut ids, mut probs) = (Vec::new(), Vec::new());
    for _ in 0..max_tokens {
        let mut p = logits.clone();
        softmax(&mut p);
        let next = argmax(&p);
        probs.push(p[next]);
        if next as u32 == eot {
            return Answer { ids, probs, finished: true };
        }
        ids.push(next as u32);
        if cache.len == ctx {
            break;
        }
        model.step(&mut cache, next as u32, &mut logits);
    }
    Answer { ids, probs, finished: false }
}

/// log P(answer, end-of-text | prompt): how likely the model finds a given answer (teacher forcing).
/// Used to score one fixed answer across prompt variants. The prompt keeps its last tokens if the
/// two do not fit the context together.
pub fn answer_log_prob(model: &Gpt, tok: &Tokenizer, prompt: &[u32], answer: &[u32]) -> f64 {
    let ctx = model.cfg.ctx;
    let mut target: Vec<u32> = answer.to_vec();
    target.push(tok.eot());
    target.truncate(ctx - 1);
    let keep = ctx - target.len();
    let start: Vec<u32> = if prompt.is_empty() { vec![tok.eot()] } else { prompt[prompt.len().saturating_sub(keep)..].to_vec() };
    let mut cache = KvCache::new(&model.cfg);
    let mut logits = model.prefill(&mut cache, &start);
    let mut total = 0.0f64;
    for (i, &t) in target.iter().enumerate() {
        let mut p = logits.clone();
        softmax(&mut p);
        total += (p[t as usize].max(f32::MIN_POSITIVE) as f64).ln();
        if i + 1 < target.len() {
            model.step(&mut cache, t, &mut logits);
        }
    }
    total
}

/// Exact match after trimming whitespace and a final full stop, ignoring case: how answers are scored.
pub fn exact_match(answer: &str, reference: &str) -> bool {
    let norm = |s: &str| s.trim().trim_end_matches('.').trim().to_lowercase();
    norm(answer) == norm(reference)
}

fn argmax(p: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in p.iter().enumerate() {
        if x > p[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpe::Vocab;
    use crate::gpt::{AdamW, Config, Workspace, IGNORE};

    fn byte_tokenizer() -> Tokenizer {
        Tokenizer::new(Vocab::from_tokens((0..=255u8).map(|b| vec![b]).collect()).unwrap())
    }

    #[test]
    fn parts_carry_their_markers_and_can_be_left_out() {
        let tok = byte_tokenizer();
        let p = Prompt { instruction: Some("Answer.".into()), context: None, input: Some("Q?".into()), output: Some(String::new()) };
        let with_docs = Prompt { context: Some(vec!["a".into(), "bc".into()]), ..p.clone() }.parts(&tok);
        let doc = tok.special("<|doc|>").unwrap();
        assert_eq!(with_docs[1].ids, vec![tok.special("<|context|>").unwrap(), doc, b'a' as u32, doc, b'b' as u32, b'c' as u32]);
        let parts = p.parts(&tok);
        assert_eq!(parts.iter().map(|p| p.name).collect::<Vec<_>>(), ["instruction", "input", "output indicator"]);
        assert_eq!(parts[0].ids[0], tok.special("<|instruction|>").unwrap());
        assert_eq!(parts[0].ids.len(), 1 + "Answer.".len());
        assert_eq!(parts[2].ids, vec![tok.special("<|output|>").unwrap()]);
        // typed markers stay text
        let forged = Prompt { input: Some("<|output|>".into()), ..Prompt::default() }.encode(&tok);
        assert_eq!(forged.iter().filter(|&&id| tok.is_special(id)).count(), 1);
    }

    #[test]
    fn a_memorised_answer_comes_back_greedily_with_its_probability() {
        let tok = byte_tokenizer();
        let cfg = Config { vocab: tok.vocab_size(), ctx: 32, d: 16, layers: 1, heads: 2 };
        let mut model = Gpt::new(cfg, 3).unwrap();
        let prompt = Prompt { input: Some("ab".into()), output: Some(String::new()), ..Prompt::default() }.encode(&tok);
        let answer = tok.encode("cd");
        let mut seq = prompt.clone();
        seq.extend(&answer);
        seq.push(tok.eot());
        let x = &seq[..seq.len() - 1];
        let y: Vec<u32> = seq[1..].iter().enumerate().map(|(i, &t)| if i + 1 < prompt.len() { IGNORE } else { t }).collect();
        let mut ws = Workspace::new();
        let mut opt = AdamW::new(1e-2, 300);
        opt.warmup = 0;
        for _ in 0..300 {
            ws.forward(&model, x, Some(&y), 1, x.len());
            ws.zero_grad();
            ws.backward(&model, ws.counted());
            let g = ws.grads.clone();
            opt.step(&mut model, &g);
        }
        let a = greedy_answer(&model, &tok, &prompt, 8);
        assert_eq!(a.ids, answer);
        assert!(a.finished);
        assert!(a.log_prob() > -0.1, "{}", a.log_prob());
        // teacher forcing of the same answer gives the same probability
        assert!((answer_log_prob(&model, &tok, &prompt, &answer) - a.log_prob()).abs() < 1e-4);
        assert!(exact_match(&tok.decode(&a.ids), " CD. "));
    }

    #[test]
    fn prompts_past_the_context_keep_their_end() {
        let tok = byte_tokenizer();
        let cfg = Config { vocab: tok.vocab_size(), ctx: 16, d: 8, layers: 1, heads: 1 };
        let model = Gpt::new(cfg, 1).unwrap();
        let long = tok.encode(&"x".repeat(100));
        let a = greedy_answer(&model, &tok, &long, 4);
        assert!(a.ids.len() <= 4);
        assert!(answer_log_prob(&model, &tok, &long, &tok.encode("yy")).is_finite());
        assert!(greedy_answer(&model, &tok, &[], 3).ids.len() <= 3);
    }
}
