//! Preference tuning without a reward model: direct preference optimisation (DPO, Rafailov et al.
//! 2023). For a prompt x, a preferred answer y_w and a rejected one y_l, with a frozen reference
//! model π_ref (the model before tuning),
//!
//!   m = β · [(log π_θ(y_w | x) − log π_ref(y_w | x)) − (log π_θ(y_l | x) − log π_ref(y_l | x))]
//!   L = −log σ(m) = log(1 + e^(−m))
//!
//! so ∂L/∂m = −σ(−m), ∂L/∂log π_θ(y_w) = −β σ(−m) and ∂L/∂log π_θ(y_l) = +β σ(−m). Minimising L
//! raises the preferred answer's likelihood relative to the rejected one's, measured against the
//! reference, which keeps the model near where it started (β sets how near).

use super::{AdamW, Gpt, Workspace, IGNORE};

/// The loss of one pair and its derivatives with respect to the two log-likelihoods.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DpoTerms {
    /// m = β · (chosen log-ratio − rejected log-ratio)
    pub margin: f64,
    /// L = log(1 + e^(−m))
    pub loss: f64,
    /// ∂L/∂log π_θ(y_w)
    pub d_chosen: f64,
    /// ∂L/∂log π_θ(y_l)
    pub d_rejected: f64,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The DPO terms from the four log-likelihoods (policy and reference, chosen and rejected).
pub fn dpo_terms(chosen: f64, rejected: f64, ref_chosen: f64, ref_rejected: f64, beta: f64) -> DpoTerms {
    let margin = beta * ((chosen - ref_chosen) - (rejected - ref_rejected));
    // log(1 + e^(−m)) without overflow for large |m|
    let loss = if margin > 0.0 { (-margin).exp().ln_1p() } else { -margin + margin.exp().ln_1p() };
    let s = sigmoid(-margin);
    DpoTerms { margin, loss, d_chosen: -beta * s, d_rejected: beta * s }
}

/// log π(answer | prompt) = Σ log p(answer token) by a forward pass in `ws` (which keeps that pass,
/// so a backward can follow). The answer's ids should end with end-of-text if its end is part of
/// what is compared. Prompt and answer together must fit the context; the prompt must not be empty.
pub fn sequence_log_prob(ws: &mut Workspace, model: &Gpt, prompt: &[u32], answer: &[u32]) -> f64 {
    assert!(!prompt.is_empty() && !answer.is_empty(), "a prompt and an answer");
    let seq: Vec<u32> = prompt.iter().chain(answer).copied().collect();
    let x = &seq[..seq.len() - 1];
    let y: Vec<u32> = seq[1..].iter().enumerate().map(|(i, &t)| if i + 1 < prompt.len() { IGNORE } else { t }).collect();
    let mean = ws.forward(model, x, Some(&y), 1, x.len()) as f64;
    -mean * ws.counted() as f64
}

/// One preference pair: a prompt, the preferred answer and the rejected one (token ids).
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub prompt: Vec<u32>,
    pub chosen: Vec<u32>,
    pub rejected: Vec<u32>,
}

/// Adds `weight` · ∂L/∂θ of one pair to `ws.grads` (the reference log-likelihoods are given: they
/// come from the frozen model and never change) and returns the pair's terms. Three forward passes:
/// both answers for the loss, then the chosen one again for its backward.
pub fn accumulate(ws: &mut Workspace, model: &Gpt, pair: &Pair, ref_chosen: f64, ref_rejected: f64, beta: f64, weight: f64) -> DpoTerms {
    let chosen = sequence_log_prob(ws, model, &pair.prompt, &pair.chosen);
    let rejected = sequence_log_prob(ws, model, &pair.prompt, &pair.rejected);
    let t = dpo_terms(chosen, rejected, ref_chosen, ref_rejected, beta);
    // ∂L/∂θ = ∂L/∂log π · ∂log π/∂θ and log π = −Σ cross-entropy, so each backward gets −∂L/∂log π
    ws.backward_scaled(model, (-t.d_rejected * weight) as f32);
    sequence_log_prob(ws, model, &pair.prompt, &pair.chosen);
    ws.backward_scaled(model, (-t.d_chosen * weight) as f32);
    t
}

/// Mean per-token KL(π_θ ‖ π_ref) = Σ_v π_θ(v) log(π_θ(v) / π_ref(v)) over the positions that
/// predict the answer's tokens, exact over the whole vocabulary (no sampling): how far tuning has
/// moved the model's next-token distributions where the answer is written.
pub fn kl_to_reference(ws: &mut Workspace, ws_ref: &mut Workspace, model: &Gpt, reference: &Gpt, prompt: &[u32], answer: &[u32]) -> f64 {
    assert!(!prompt.is_empty() && !answer.is_empty(), "a prompt and an answer");
    let seq: Vec<u32> = prompt.iter().chain(answer).copied().collect();
    let x = &seq[..seq.len() - 1];
    ws.forward(model, x, None, 1, x.len());
    ws_ref.forward(reference, x, None, 1, x.len());
    let v = model.cfg.vocab;
    let first = prompt.len() - 1;
    let mut kl = 0.0f64;
    for i in first..x.len() {
        let (p, q) = (&ws.probs[i * v..(i + 1) * v], &ws_ref.probs[i * v..(i + 1) * v]);
        kl += p.iter().zip(q).filter(|(&p, _)| p > 0.0).map(|(&p, &q)| p as f64 * ((p as f64) / (q as f64).max(1e-30)).ln()).sum::<f64>();
    }
    kl / (x.len() - first) as f64
}

/// The stated automatic rater of the preference widget, a crowd of sailors tired of politics: a
/// text scores +1 for each word of the sea and −1 for each word of government it contains (whole
/// words, ignoring case), and the higher score is preferred.
pub const SEA_WORDS: &[&str] = &[
    "sea", "seas", "ocean", "oceans", "ship", "ships", "boat", "boats", "whale", "whales", "sail", "sails", "sailor", "sailors",
    "captain", "deck", "wave", "waves", "water", "waters", "harpoon", "voyage", "shore", "island", "fish", "crew",
];
pub const GOVERNMENT_WORDS: &[&str] = &[
    "government", "congress", "states", "united", "federal", "department", "public", "nation", "nations", "national", "country",
    "policy", "law", "laws", "treasury", "president", "citizens", "american", "america", "people", "army", "republic", "tax",
    "taxes", "debt", "bank", "senate", "legislation", "administration", "economy",
];

/// The sailors' rating of a text: (words of the sea) − (words of government).
pub fn sailors_rating(text: &str) -> i64 {
    let (mut sea, mut gov) = (0i64, 0i64);
    for w in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        sea += SEA_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w)) as i64;
        gov += GOVERNMENT_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w)) as i64;
    }
    sea - gov
}

/// Prompts the preference pairs are drawn for, and prompts never used in a pair (to see whether a
/// preference carries over).
pub const PAIR_PROMPTS: &[&str] = &["In the end", "It was a time", "Let us consider", "We must", "There is no", "I have seen", "At last the great", "Our first"];
pub const FRESH_PROMPTS: &[&str] = &["This year", "When the morning", "All of them", "He said that", "Now we", "For the first time", "And so the", "They were"];

/// How many of [`SEA_WORDS`] a text contains (with repeats).
pub fn sea_words(text: &str) -> usize {
    text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty() && SEA_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w))).count()
}

/// Length and temperature of the continuations that are rated.
pub const ANSWER_TOKENS: usize = 24;
pub const TEMPERATURE: f32 = 0.8;
/// Continuations drawn per prompt to pick a pair from, and rounds of drawing before a prompt whose
/// continuations all rate the same is skipped.
pub const DRAWS: usize = 4;
pub const ROUNDS: usize = 4;

/// Drawing preference pairs with a rater, one continuation per unit of work: the prompts in turn,
/// [`DRAWS`] continuations each; the best-rated becomes the chosen answer and the worst-rated the
/// rejected one. If all rate the same, another round is drawn (at most [`ROUNDS`]), then the prompt
/// is skipped. Deterministic for a seed.
pub struct PairDraw {
    prompts: Vec<Vec<u32>>,
    wanted: usize,
    rng: crate::rng::Rng,
    /// Prompts tried so far (the current one is `tried % prompts.len()`).
    tried: usize,
    round: usize,
    drawn: Vec<(i64, Vec<u32>)>,
    /// The pairs so far: prompt index, the pair, and the chosen and rejected ratings.
    pub pairs: Vec<(usize, Pair, i64, i64)>,
}

impl PairDraw {
    pub fn new(prompts: Vec<Vec<u32>>, wanted: usize, seed: u64) -> PairDraw {
        PairDraw { prompts, wanted, rng: crate::rng::Rng::new(seed), tried: 0, round: 0, drawn: Vec::new(), pairs: Vec::new() }
    }

    /// True when `wanted` prompts have been tried (each gave a pair or was skipped).
    pub fn done(&self) -> bool {
        self.tried >= self.wanted || self.prompts.is_empty()
    }

    /// Draws one continuation (`n_text`: the text tokens, which are the only ones drawn); returns
    /// [`PairDraw::done`].
    pub fn unit(&mut self, model: &Gpt, n_text: usize, rate: impl Fn(&[u32]) -> i64) -> bool {
        if self.done() {
            return true;
        }
        let k = self.tried % self.prompts.len();
        let x = super::sample_continuation(model, &self.prompts[k], ANSWER_TOKENS, n_text, TEMPERATURE, &mut self.rng);
        self.drawn.push((rate(&x), x));
        if self.drawn.len() < DRAWS {
            return false;
        }
        let mut drawn = std::mem::take(&mut self.drawn);
        // stable: among equal ratings the earliest drawn wins
        drawn.sort_by_key(|d| std::cmp::Reverse(d.0));
        let (best, worst) = (&drawn[0], &drawn[DRAWS - 1]);
        if best.0 > worst.0 {
            self.pairs.push((k, Pair { prompt: self.prompts[k].clone(), chosen: best.1.clone(), rejected: worst.1.clone() }, best.0, worst.0));
        }
        self.round += 1;
        if best.0 > worst.0 || self.round == ROUNDS {
            self.round = 0;
            self.tried += 1;
        }
        self.done()
    }
}

/// The `k`-th fresh continuation of prompt `i` used to measure a tuned model (a seed per prompt and
/// draw, so that before and after differ only because the model changed).
pub fn fresh_sample(model: &Gpt, prompt: &[u32], n_text: usize, seed: u64, i: usize, k: usize) -> Vec<u32> {
    let mut rng = crate::rng::Rng::new(seed ^ (1000 * i as u64 + k as u64));
    super::sample_continuation(model, prompt, ANSWER_TOKENS, n_text, TEMPERATURE, &mut rng)
}

/// Where a preference-tuning run stands after a step: the means over its pairs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepSummary {
    pub loss: f64,
    pub margin: f64,
    /// Pairs whose margin is positive (the tuned model prefers the chosen answer more than the
    /// reference did).
    pub preferred: usize,
}

/// DPO on a handful of pairs, one pair per unit of work (so a page can run it between frames); an
/// AdamW step on every weight after each pass over all the pairs. The reference is the model as it
/// was when the run began.
pub struct PreferenceTuner {
    pub reference: Gpt,
    pub model: Gpt,
    pub pairs: Vec<Pair>,
    /// log π_ref of each pair's chosen and rejected answers.
    refs: Vec<(f64, f64)>,
    pub beta: f64,
    opt: AdamW,
    ws: Workspace,
    next: usize,
    acc: StepSummary,
    pub steps: usize,
    pub last: Option<StepSummary>,
}

impl PreferenceTuner {
    /// A run over `pairs` (each must fit the context with its prompt) at strength β and rate `lr`.
    pub fn new(reference: &Gpt, pairs: Vec<Pair>, beta: f64, lr: f32) -> Result<PreferenceTuner, String> {
        if pairs.is_empty() {
            return Err("There are no preferences to learn from: pick the better answer of at least one pair.".into());
        }
        let ctx = reference.cfg.ctx;
        if let Some(p) = pairs.iter().find(|p| p.prompt.is_empty() || p.chosen.is_empty() || p.rejected.is_empty() || p.prompt.len() + p.chosen.len().max(p.rejected.len()) > ctx + 1) {
            return Err(format!("A pair is empty or longer than the model's context ({ctx} tokens): {} + {} / {} tokens.", p.prompt.len(), p.chosen.len(), p.rejected.len()));
        }
        if let Some(p) = pairs.iter().find(|p| p.chosen == p.rejected) {
            return Err(format!("A pair's two answers are the same text ({} tokens): there is nothing to prefer.", p.chosen.len()));
        }
        let mut ws = Workspace::new();
        let refs = pairs.iter().map(|p| (sequence_log_prob(&mut ws, reference, &p.prompt, &p.chosen), sequence_log_prob(&mut ws, reference, &p.prompt, &p.rejected))).collect();
        let mut opt = AdamW::new(lr, usize::MAX / 2);
        opt.warmup = 0;
        opt.weight_decay = 0.0;
        Ok(PreferenceTuner { reference: reference.clone(), model: reference.clone(), pairs, refs, beta, opt, ws, next: 0, acc: StepSummary::default(), steps: 0, last: None })
    }

    /// One pair's loss and gradient; returns true when it finished an optimiser step.
    pub fn unit(&mut self) -> bool {
        let n = self.pairs.len();
        let k = self.next % n;
        if k == 0 {
            self.ws.zero_grad();
            self.acc = StepSummary::default();
        }
        let (rw, rl) = self.refs[k];
        let t = accumulate(&mut self.ws, &self.model, &self.pairs[k], rw, rl, self.beta, 1.0 / n as f64);
        self.acc.loss += t.loss / n as f64;
        self.acc.margin += t.margin / n as f64;
        self.acc.preferred += (t.margin > 0.0) as usize;
        self.next += 1;
        if self.next % n != 0 {
            return false;
        }
        self.opt.step(&mut self.model, &self.ws.grads);
        self.steps += 1;
        self.last = Some(self.acc);
        true
    }

    /// Mean per-token KL to the reference over every pair's two answers.
    pub fn kl(&self) -> f64 {
        (0..self.pairs.len()).map(|i| self.kl_of(i)).sum::<f64>() / self.pairs.len() as f64
    }

    /// The mean of pair `i`'s two answers' per-token KL to the reference (a unit of work for a page).
    pub fn kl_of(&self, i: usize) -> f64 {
        let (mut a, mut b) = (Workspace::new(), Workspace::new());
        let p = &self.pairs[i];
        0.5 * (kl_to_reference(&mut a, &mut b, &self.model, &self.reference, &p.prompt, &p.chosen) + kl_to_reference(&mut a, &mut b, &self.model, &self.reference, &p.prompt, &p.rejected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpt::{AdamW, Config};
    use crate::rng::Rng;

    #[test]
    fn terms_equal_the_closed_form() {
        // β = 0.5, log-likelihoods (policy w, l; reference w, l) = (−3, −2; −4, −1.5):
        // m = 0.5 · ((−3 + 4) − (−2 + 1.5)) = 0.75, L = ln(1 + e^−0.75) = 0.386871… (python: math.log1p(math.exp(-0.75))),
        // σ(−0.75) = 0.320821…, so ∂L/∂w = −0.160411…, ∂L/∂l = +0.160411…
        let t = dpo_terms(-3.0, -2.0, -4.0, -1.5, 0.5);
        assert!((t.margin - 0.75).abs() < 1e-12);
        assert!((t.loss - (1.0 + (-0.75f64).exp()).ln()).abs() < 1e-12);
        assert!((t.loss - 0.386_871).abs() < 1e-6);
        assert!((t.d_chosen + 0.160_411).abs() < 1e-6 && (t.d_rejected - 0.160_411).abs() < 1e-6);
        // no overflow far out; equal log-ratios give ln 2
        assert!(dpo_terms(0.0, -1e6, 0.0, 0.0, 1.0).loss < 1e-12);
        assert!((dpo_terms(-1e6, 0.0, 0.0, 0.0, 1.0).loss - 1e6).abs() < 1e-6);
        assert!((dpo_terms(-2.0, -2.0, -1.0, -1.0, 0.3).loss - 2f64.ln()).abs() < 1e-12);
    }

    fn tiny() -> (Gpt, Pair) {
        let cfg = Config { vocab: 9, ctx: 8, d: 8, layers: 1, heads: 2 };
        let mut m = Gpt::new(cfg, 4).unwrap();
        let mut rng = Rng::new(5);
        let mut noise = vec![0.0; m.params.len()];
        rng.fill_normal(&mut noise);
        m.params.iter_mut().zip(noise).for_each(|(p, n)| *p += 0.1 * n);
        (m, Pair { prompt: vec![1, 2, 3], chosen: vec![4, 5, 0], rejected: vec![6, 0] })
    }

    #[test]
    fn the_rater_counts_whole_words() {
        assert_eq!(sailors_rating("The Ship sailed; seashore, whales and WATER."), 3);
        assert_eq!(sailors_rating("The people of the United States, at sea"), -2);
        assert_eq!(sailors_rating(""), 0);
    }

    #[test]
    fn kl_is_zero_at_the_reference_and_matches_a_direct_sum() {
        let (model, pair) = tiny();
        let (mut a, mut b) = (Workspace::new(), Workspace::new());
        assert!(kl_to_reference(&mut a, &mut b, &model, &model, &pair.prompt, &pair.chosen).abs() < 1e-9);
        let mut other = model.clone();
        other.params.iter_mut().enumerate().for_each(|(i, p)| *p += 0.05 * ((i % 7) as f32 - 3.0));
        let kl = kl_to_reference(&mut a, &mut b, &other, &model, &pair.prompt, &pair.chosen);
        // the same from softmax rows of the two models, position by position (answer positions 2 and 3)
        let v = model.cfg.vocab;
        let x = [1u32, 2, 3, 4, 5];
        a.forward(&other, &x, None, 1, 5);
        b.forward(&model, &x, None, 1, 5);
        let mut direct = 0.0;
        for i in 2..5 {
            for j in 0..v {
                let (p, q) = (a.probs[i * v + j] as f64, b.probs[i * v + j] as f64);
                direct += p * (p / q).ln();
            }
        }
        assert!(kl > 0.0 && (kl - direct / 3.0).abs() < 1e-9, "{kl} vs {}", direct / 3.0);
    }

    #[test]
    fn the_tuner_raises_the_margin_of_every_pair_and_moves_away_from_the_reference() {
        let (model, pair) = tiny();
        let second = Pair { prompt: vec![2, 3], chosen: vec![7, 0], rejected: vec![8, 8, 0] };
        let mut t = PreferenceTuner::new(&model, vec![pair.clone(), second], 0.5, 1e-2).unwrap();
        assert_eq!(t.kl(), 0.0);
        while t.steps < 40 {
            t.unit();
        }
        let last = t.last.unwrap();
        assert_eq!(last.preferred, 2);
        assert!(last.margin > 0.5 && last.loss < 2f64.ln(), "{last:?}");
        assert!(t.kl() > 0.0);
        assert!(PreferenceTuner::new(&model, vec![], 0.5, 1e-2).is_err());
        let same = Pair { prompt: vec![1], chosen: vec![4, 0], rejected: vec![4, 0] };
        assert!(PreferenceTuner::new(&model, vec![same], 0.5, 1e-2).is_err());
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let (model, pair) = tiny();
        let (ref_w, ref_l, beta) = (-6.0, -4.5, 0.7);
        let mut ws = Workspace::new();
        let loss = |m: &Gpt, ws: &mut Workspace| {
            let w = sequence_log_prob(ws, m, &pair.prompt, &pair.chosen);
            let l = sequence_log_prob(ws, m, &pair.prompt, &pair.rejected);
            dpo_terms(w, l, ref_w, ref_l, beta).loss
        };
        ws.zero_grad();
        sequence_log_prob(&mut ws, &model, &pair.prompt, &pair.chosen); // sizes the gradient buffer
        ws.zero_grad();
        accumulate(&mut ws, &model, &pair, ref_w, ref_l, beta, 1.0);
        let grads = ws.grads.clone();
        let mut probe = model.clone();
        let h = 1e-3f32;
        // every tensor's first entry and a spread of others
        let mut checked = 0;
        for t in model.cfg.tensors() {
            for i in [t.range().start, t.range().start + t.len() / 2] {
                let keep = probe.params[i];
                probe.params[i] = keep + h;
                let up = loss(&probe, &mut ws);
                probe.params[i] = keep - h;
                let down = loss(&probe, &mut ws);
                probe.params[i] = keep;
                let numeric = (up - down) / (2.0 * h as f64);
                assert!((numeric - grads[i] as f64).abs() < 2e-3 + 2e-2 * numeric.abs(), "{} [{i}]: numeric {numeric}, analytic {}", t.name, grads[i]);
                checked += 1;
            }
        }
        assert!(checked > 10);
    }

    #[test]
    fn steps_raise_the_margin_and_the_preferred_answer() {
        let (mut model, pair) = tiny();
        let mut ws = Workspace::new();
        let ref_w = sequence_log_prob(&mut ws, &model, &pair.prompt, &pair.chosen);
        let ref_l = sequence_log_prob(&mut ws, &model, &pair.prompt, &pair.rejected);
        // at the reference the margin is 0 and the loss ln 2
        let first = dpo_terms(ref_w, ref_l, ref_w, ref_l, 0.5);
        assert!((first.loss - 2f64.ln()).abs() < 1e-12);
        let mut opt = AdamW::new(1e-2, 60);
        opt.warmup = 0;
        let mut last = first;
        for _ in 0..60 {
            ws.zero_grad();
            last = accumulate(&mut ws, &model, &pair, ref_w, ref_l, 0.5, 1.0);
            let g = ws.grads.clone();
            opt.step(&mut model, &g);
        }
        assert!(last.margin > 1.0 && last.loss < first.loss, "{last:?}");
        let w = sequence_log_prob(&mut ws, &model, &pair.prompt, &pair.chosen);
        let l = sequence_log_prob(&mut ws, &model, &pair.prompt, &pair.rejected);
        assert!(w - ref_w > l - ref_l, "the preferred answer gained on the rejected one");
    }
}
