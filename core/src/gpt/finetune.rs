//! Supervised fine-tuning on question → answer examples, in small units of work so that a page can
//! run it between frames: full fine-tuning (every weight trained by AdamW) or LoRA (only the
//! adapters of [`super::lora`]; the base weights stay frozen).
//!
//! One unit is one example's forward and backward pass; after `batch` units the optimiser steps.
//! The loss counts the answer and its closing end-of-text only, as in instruction tuning.

use super::lora::Lora;
use super::{AdamW, Gpt, Workspace, IGNORE};

/// How the weights are changed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    Full,
    /// LoRA of this rank (α = 2·rank, so the scale α/r is 2 whatever the rank).
    Lora(usize),
}

/// One training example as token ids: the prompt, and the answer the model should write (ending
/// with end-of-text).
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub prompt: Vec<u32>,
    pub answer: Vec<u32>,
}

impl Example {
    fn sequence(&self) -> (Vec<u32>, Vec<u32>) {
        let seq: Vec<u32> = self.prompt.iter().chain(&self.answer).copied().collect();
        let x = seq[..seq.len() - 1].to_vec();
        let y = seq[1..].iter().enumerate().map(|(i, &t)| if i + 1 < self.prompt.len() { IGNORE } else { t }).collect();
        (x, y)
    }
}

/// A fine-tuning run in progress.
pub struct Tuner {
    pub base: Gpt,
    pub method: Method,
    /// The model as it now is (for LoRA: the base with the adapters merged in).
    pub model: Gpt,
    lora: Option<Lora>,
    opt: AdamW,
    lr: f32,
    ws: Workspace,
    examples: Vec<(Vec<u32>, Vec<u32>)>,
    next: usize,
    batch: usize,
    loss_sum: f64,
    /// Optimiser steps taken.
    pub steps: usize,
    /// Mean loss of the last finished step (nats per answer token).
    pub last_loss: Option<f64>,
}

impl Tuner {
    /// A run over `examples` (each step sees `batch` of them, in turn) at learning rate `lr`.
    /// Examples longer than the context are an error, as is an empty set.
    pub fn new(base: &Gpt, method: Method, examples: &[Example], batch: usize, lr: f32, seed: u64) -> Result<Tuner, String> {
        if examples.is_empty() {
            return Err("There is nothing to train on: add at least one example.".into());
        }
        if let Some(e) = examples.iter().find(|e| e.prompt.is_empty() || e.answer.is_empty() || e.prompt.len() + e.answer.len() > base.cfg.ctx + 1) {
            return Err(format!("An example is empty or longer than the model's context ({} tokens): {} + {} tokens.", base.cfg.ctx, e.prompt.len(), e.answer.len()));
        }
        let lora = match method {
            Method::Lora(r) => Some(Lora::new(base, r, 2.0 * r as f32, seed)),
            Method::Full => None,
        };
        let mut opt = AdamW::new(lr, usize::MAX / 2);
        opt.warmup = 0;
        opt.weight_decay = 0.0;
        Ok(Tuner {
            base: base.clone(),
            method,
            model: base.clone(),
            lora,
            opt,
            lr,
            ws: Workspace::new(),
            examples: examples.iter().map(Example::sequence).collect(),
            next: 0,
            batch: batch.clamp(1, examples.len()),
            loss_sum: 0.0,
            steps: 0,
            last_loss: None,
        })
    }

    /// Numbers the optimiser changes: every weight (full) or the adapters' (LoRA).
    pub fn trained_params(&self) -> usize {
        self.lora.as_ref().map_or(self.base.params.len(), Lora::n_params)
    }

    /// One example's forward and backward pass; returns true when it finished an optimiser step.
    pub fn unit(&mut self) -> bool {
        let k = self.next % self.examples.len();
        if self.next % self.batch == 0 {
            self.ws.zero_grad();
            self.loss_sum = 0.0;
        }
        let (x, y) = &self.examples[k];
        self.loss_sum += self.ws.forward(&self.model, x, Some(y), 1, x.len()) as f64;
        let counted = self.ws.counted();
        self.ws.backward(&self.model, counted * self.batch);
        self.next += 1;
        if self.next % self.batch != 0 {
            return false;
        }
        match &mut self.lora {
            None => {
                self.opt.step(&mut self.model, &self.ws.grads);
            }
            Some(l) => {
                let g = l.grads(&self.ws.grads);
                l.adam_step(&g, self.lr);
                self.model = l.merged(&self.base);
            }
        }
        self.steps += 1;
        self.last_loss = Some(self.loss_sum / self.batch as f64);
        true
    }

    /// ‖W − W₀‖ / ‖W₀‖ over all weights: how far tuning moved the model.
    pub fn relative_change(&self) -> f64 {
        relative_change(&self.base.params, &self.model.params)
    }
}

/// ‖w − w₀‖₂ / ‖w₀‖₂ (0 when both are zero).
pub fn relative_change(w0: &[f32], w: &[f32]) -> f64 {
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (&a, &b) in w.iter().zip(w0) {
        num += ((a - b) as f64).powi(2);
        den += (b as f64).powi(2);
    }
    if num == 0.0 {
        0.0
    } else {
        (num / den.max(1e-30)).sqrt()
    }
}

/// The relative change ‖W − W₀‖ / ‖W₀‖ of every weight matrix (biases and LayerNorm parameters
/// left out: they are vectors), named as in [`crate::gpt::Config::tensors`].
pub fn change_per_matrix(base: &Gpt, model: &Gpt) -> Vec<(String, f64)> {
    base.cfg
        .tensors()
        .into_iter()
        .filter(|t| t.decay)
        .map(|t| {
            let r = t.range();
            (t.name, relative_change(&base.params[r.clone()], &model.params[r]))
        })
        .collect()
}

/// Continued pre-training data: `ids` cut into consecutive windows of `window` + 1 tokens (the
/// last, shorter one kept if it has at least two tokens), in an order shuffled by `seed`. Each
/// window is an [`Example`] whose prompt is its first token, so every following token is a target:
/// plain next-token prediction, the pre-training objective, run by the same [`Tuner`].
pub fn text_windows(ids: &[u32], window: usize, seed: u64) -> Vec<Example> {
    let w = window.max(1) + 1;
    let mut out: Vec<Example> = ids.chunks(w).filter(|c| c.len() >= 2).map(|c| Example { prompt: vec![c[0]], answer: c[1..].to_vec() }).collect();
    crate::rng::Rng::new(seed).shuffle(&mut out);
    out
}

/// Mean next-token loss (nats per token) of `model` over windows of at most `window` tokens of
/// `ids` starting at `starts` (each window needs the token after it as its last target).
pub fn mean_loss(ws: &mut Workspace, model: &Gpt, ids: &[u32], starts: &[usize], window: usize) -> Option<f64> {
    let (mut nll, mut n) = (0.0f64, 0usize);
    for &s in starts {
        let t = window.min(model.cfg.ctx).min(ids.len().saturating_sub(s + 1));
        if t == 0 {
            continue;
        }
        nll += ws.forward(model, &ids[s..s + t], Some(&ids[s + 1..s + t + 1]), 1, t) as f64 * t as f64;
        n += t;
    }
    (n > 0).then(|| nll / n as f64)
}

/// Most facts a learner's list may hold.
pub const MAX_FACTS: usize = 64;

/// A learner's facts, one per line as `question = answer` (split at the last ` = `). Blank lines
/// are skipped; a fact given twice is kept once (said in the notes); the same question with two
/// different answers is a contradiction and an error, as are malformed lines and an empty list.
/// Questions are compared ignoring case and runs of spaces.
pub fn parse_facts(text: &str) -> Result<(Vec<(String, String)>, Vec<String>), String> {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut facts: Vec<(String, String)> = Vec::new();
    let mut notes = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((q, a)) = line.rsplit_once(" = ") else {
            return Err(format!("Line {} has no “ = ” between the question and the answer: write one fact per line as “question = answer”.", n + 1));
        };
        let (q, a) = (squash(q), squash(a));
        if q.is_empty() || a.is_empty() {
            return Err(format!("Line {} lacks a question or an answer.", n + 1));
        }
        match facts.iter().find(|(fq, _)| fq.to_lowercase() == q.to_lowercase()) {
            Some((_, fa)) if *fa == a => notes.push(format!("Line {}: the same fact again — kept once.", n + 1)),
            Some((_, fa)) => return Err(format!("Line {} contradicts an earlier line: “{q}” is answered both “{fa}” and “{a}”. A model cannot learn both; keep one.", n + 1)),
            None => facts.push((q, a)),
        }
    }
    if facts.is_empty() {
        return Err("There are no facts to teach: write at least one line “question = answer”.".into());
    }
    if facts.len() > MAX_FACTS {
        return Err(format!("{} facts are more than the {MAX_FACTS} this widget teaches at once.", facts.len()));
    }
    Ok((facts, notes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn facts_parse_with_duplicates_kept_once_and_contradictions_refused() {
        let (f, notes) = super::parse_facts("Who is the captain? = Ahab\n\n who  is the CAPTAIN? = Ahab\nWhat is 2 = 2? = yes").unwrap();
        assert_eq!(f, vec![("Who is the captain?".to_string(), "Ahab".to_string()), ("What is 2 = 2?".to_string(), "yes".to_string())]);
        assert_eq!(notes.len(), 1);
        assert!(super::parse_facts("Who? = Ahab\nwho? = Ishmael").unwrap_err().contains("contradicts"));
        assert!(super::parse_facts("no separator").unwrap_err().contains("Line 1"));
        assert!(super::parse_facts("  \n").is_err());
        assert!(super::parse_facts(&"q = a\n".repeat(1).repeat(1)).is_ok());
        let many: String = (0..65).map(|i| format!("q{i} = a\n")).collect();
        assert!(super::parse_facts(&many).unwrap_err().contains("64"));
    }

    use super::*;
    use crate::gpt::dpo::sequence_log_prob;
    use crate::gpt::Config;

    #[test]
    fn continued_pretraining_lowers_the_held_out_loss_of_its_domain() {
        // a "domain" with a fixed pattern: 0 1 2 … 7 repeated; training on its first part lowers the
        // loss on its last part, which the tuner never sees
        let cfg = Config { vocab: 10, ctx: 16, d: 16, layers: 1, heads: 2 };
        let base = Gpt::new(cfg, 3).unwrap();
        let ids: Vec<u32> = (0..400).map(|i| (i % 8) as u32).collect();
        let (train, held) = ids.split_at(320);
        let windows = text_windows(train, 12, 7);
        assert_eq!(windows.iter().map(|e| 1 + e.answer.len()).sum::<usize>(), 320, "every token in one window");
        assert!(windows.iter().all(|e| e.prompt.len() == 1 && e.answer.len() <= 12));
        let mut ws = Workspace::new();
        let starts = [0, 20, 40, 60];
        let before = mean_loss(&mut ws, &base, held, &starts, 12).unwrap();
        let mut t = Tuner::new(&base, Method::Full, &windows, 4, 1e-2, 1).unwrap();
        while t.steps < 40 {
            t.unit();
        }
        let after = mean_loss(&mut ws, &t.model, held, &starts, 12).unwrap();
        assert!(after < 0.5 * before, "{before} → {after}");
        assert!(mean_loss(&mut ws, &base, &[1], &[0], 4).is_none(), "no window fits");
    }

    #[test]
    fn both_methods_teach_new_facts_and_report_what_they_train() {
        let cfg = Config { vocab: 12, ctx: 8, d: 16, layers: 1, heads: 2 };
        // a base that is not at its initialisation (LoRA adapts a trained model: at initialisation the
        // inputs of the block matrices are near zero, and so are the adapters' gradients)
        let mut base = Gpt::new(cfg, 9).unwrap();
        let mut rng = crate::rng::Rng::new(10);
        let mut noise = vec![0.0; base.params.len()];
        rng.fill_normal(&mut noise);
        base.params.iter_mut().zip(noise).for_each(|(p, n)| *p += 0.2 * n);
        let facts = vec![Example { prompt: vec![1, 2], answer: vec![7, 8, 0] }, Example { prompt: vec![1, 3], answer: vec![9, 0] }];
        // LoRA is run at a higher learning rate, as usual (few numbers, starting from B = 0)
        for (method, lr) in [(Method::Full, 1e-2), (Method::Lora(2), 5e-2)] {
            let mut t = Tuner::new(&base, method, &facts, 2, lr, 1).unwrap();
            let mut ws = Workspace::new();
            let before: f64 = facts.iter().map(|f| sequence_log_prob(&mut ws, &base, &f.prompt, &f.answer)).sum();
            while t.steps < 100 {
                t.unit();
            }
            let after: f64 = facts.iter().map(|f| sequence_log_prob(&mut ws, &t.model, &f.prompt, &f.answer)).sum();
            assert!(after > before + 2.0, "{method:?}: {before} → {after}");
            assert!(t.relative_change() > 0.0);
            let per = change_per_matrix(&base, &t.model);
            assert_eq!(per.len(), 2 + 4 * cfg.layers, "wte, wpe and four matrices per block");
            assert!(per.iter().any(|(_, c)| *c > 0.0));
            if method != Method::Full {
                // LoRA adapts the block matrices only: the embeddings do not move
                assert!(per.iter().filter(|(n, _)| n.starts_with("wte") || n.starts_with("wpe")).all(|(_, c)| *c == 0.0));
            }
            match method {
                Method::Full => assert_eq!(t.trained_params(), base.params.len()),
                Method::Lora(_) => assert!(t.trained_params() < base.params.len() / 2),
            }
        }
        assert!(Tuner::new(&base, Method::Full, &[], 1, 1e-3, 1).is_err());
        let full = Tuner::new(&base, Method::Full, &facts, 2, 1e-2, 1).unwrap();
        assert!(change_per_matrix(&base, &full.model).iter().all(|(_, c)| *c == 0.0), "untrained: no change");
        assert!(Tuner::new(&base, Method::Full, &[Example { prompt: vec![1; 8], answer: vec![2, 0] }], 1, 1e-3, 1).is_err());
    }
}
