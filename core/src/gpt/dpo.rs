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

use super::{Gpt, Workspace, IGNORE};

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
