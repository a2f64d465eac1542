//! Low-rank adaptation (LoRA, Hu et al. 2021): the base weights stay frozen and every block matrix
//! W (out × in) of the attention and the MLP gets a trainable low-rank change,
//!
//!   W′ = W + (α / r) · B · A,   A: r × in (random, N(0, 1/in)),   B: out × r (zeros),
//!
//! so at the start W′ = W exactly, and only r · (in + out) numbers per matrix are trained instead of
//! in · out. The model runs with the merged W′; by the chain rule
//!
//!   ∂L/∂B = (α / r) · (∂L/∂W′) · Aᵀ,   ∂L/∂A = (α / r) · Bᵀ · (∂L/∂W′),
//!
//! where ∂L/∂W′ is what the full model's backward pass already computes. (A production LoRA never
//! forms ∂L/∂W′ to save memory; at this size the exact, readable route is cheaper to trust.)

use super::{Gpt, Tensor};
use crate::rng::Rng;

/// The adapters of one model: per adapted matrix, A (r × in) and B (out × r), row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Lora {
    pub rank: usize,
    pub alpha: f32,
    /// The adapted matrices of the base model (the attention's qkv and output, the MLP's two).
    pub targets: Vec<Tensor>,
    pub a: Vec<Vec<f32>>,
    pub b: Vec<Vec<f32>>,
    // Adam moments over [A, B] of every target, flattened in that order.
    m: Vec<f32>,
    v: Vec<f32>,
    t: u32,
}

impl Lora {
    /// Adapters of rank `rank` for every block matrix of `base` (rank 0: none; the model is the base).
    pub fn new(base: &Gpt, rank: usize, alpha: f32, seed: u64) -> Lora {
        let targets: Vec<Tensor> = base.cfg.tensors().into_iter().filter(|t| t.layer.is_some() && t.name.ends_with(".w")).collect();
        let mut rng = Rng::new(seed);
        let mut a = Vec::new();
        let mut b = Vec::new();
        for t in &targets {
            let (out, inn) = t.shape;
            let mut x = vec![0.0; rank * inn];
            rng.fill_normal(&mut x);
            let s = 1.0 / (inn as f32).sqrt();
            x.iter_mut().for_each(|v| *v *= s);
            a.push(x);
            b.push(vec![0.0; out * rank]);
        }
        let n = a.iter().chain(&b).map(Vec::len).sum();
        Lora { rank, alpha, targets, a, b, m: vec![0.0; n], v: vec![0.0; n], t: 0 }
    }

    /// Trained numbers: r · (in + out) per adapted matrix.
    pub fn n_params(&self) -> usize {
        self.a.iter().chain(&self.b).map(Vec::len).sum()
    }

    fn scale(&self) -> f32 {
        if self.rank == 0 { 0.0 } else { self.alpha / self.rank as f32 }
    }

    /// The model with W′ = W + (α/r)·B·A in place of every adapted W (everything else as in `base`).
    pub fn merged(&self, base: &Gpt) -> Gpt {
        let mut m = base.clone();
        let (s, r) = (self.scale(), self.rank);
        for (k, t) in self.targets.iter().enumerate() {
            let (out, inn) = t.shape;
            let (a, b) = (&self.a[k], &self.b[k]);
            for o in 0..out {
                for j in 0..r {
                    let bo = s * b[o * r + j];
                    if bo != 0.0 {
                        let row = &mut m.params[t.offset + o * inn..t.offset + (o + 1) * inn];
                        for (w, &x) in row.iter_mut().zip(&a[j * inn..(j + 1) * inn]) {
                            *w += bo * x;
                        }
                    }
                }
            }
        }
        m
    }

    /// ∂L/∂A and ∂L/∂B of every adapter from the full gradient ∂L/∂W′ (a Workspace's grads after a
    /// backward pass through the merged model), flattened as [A₀, …, B₀, …].
    pub fn grads(&self, full: &[f32]) -> Vec<f32> {
        let (s, r) = (self.scale(), self.rank);
        let mut da_all = Vec::new();
        let mut db_all = Vec::new();
        for (k, t) in self.targets.iter().enumerate() {
            let (out, inn) = t.shape;
            let g = &full[t.range()];
            let (a, b) = (&self.a[k], &self.b[k]);
            // ∂L/∂A[j, c] = s Σ_o B[o, j] · G[o, c]
            let mut da = vec![0.0f32; r * inn];
            // ∂L/∂B[o, j] = s Σ_c G[o, c] · A[j, c]
            let mut db = vec![0.0f32; out * r];
            for o in 0..out {
                let go = &g[o * inn..(o + 1) * inn];
                for j in 0..r {
                    let aj = &a[j * inn..(j + 1) * inn];
                    db[o * r + j] = s * go.iter().zip(aj).map(|(x, y)| x * y).sum::<f32>();
                    let bo = s * b[o * r + j];
                    if bo != 0.0 {
                        for (d, &x) in da[j * inn..(j + 1) * inn].iter_mut().zip(go) {
                            *d += bo * x;
                        }
                    }
                }
            }
            da_all.push(da);
            db_all.push(db);
        }
        da_all.into_iter().chain(db_all).flatten().collect()
    }

    /// One Adam step (β₁ 0.9, β₂ 0.999, no weight decay) on the adapters with gradients from
    /// [`Lora::grads`].
    pub fn adam_step(&mut self, grads: &[f32], lr: f32) {
        self.t += 1;
        let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
        let (c1, c2) = (1.0 - b1.powi(self.t as i32), 1.0 - b2.powi(self.t as i32));
        let (m, v) = (&mut self.m, &mut self.v);
        for (i, p) in self.a.iter_mut().chain(self.b.iter_mut()).flatten().enumerate() {
            let g = grads[i];
            m[i] = b1 * m[i] + (1.0 - b1) * g;
            v[i] = b2 * v[i] + (1.0 - b2) * g * g;
            *p -= lr * (m[i] / c1) / ((v[i] / c2).sqrt() + eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpt::dpo::sequence_log_prob;
    use crate::gpt::{Config, Workspace};

    fn base() -> Gpt {
        let cfg = Config { vocab: 9, ctx: 8, d: 8, layers: 2, heads: 2 };
        let mut m = Gpt::new(cfg, 2).unwrap();
        let mut rng = Rng::new(3);
        let mut noise = vec![0.0; m.params.len()];
        rng.fill_normal(&mut noise);
        m.params.iter_mut().zip(noise).for_each(|(p, n)| *p += 0.1 * n);
        m
    }

    #[test]
    fn zero_b_or_rank_zero_is_the_base_model() {
        let m = base();
        let lora = Lora::new(&m, 4, 8.0, 1);
        assert_eq!(lora.merged(&m).params, m.params, "B starts at zero: W′ = W exactly");
        assert_eq!(lora.targets.len(), 4 * m.cfg.layers);
        // r (in + out) per matrix: qkv 4·(8+24), proj 4·(8+8), fc 4·(8+32), out 4·(32+8) per block
        assert_eq!(lora.n_params(), 2 * 4 * ((8 + 24) + (8 + 8) + (8 + 32) + (32 + 8)));
        let none = Lora::new(&m, 0, 8.0, 1);
        assert_eq!(none.n_params(), 0);
        assert_eq!(none.merged(&m).params, m.params);
    }

    #[test]
    fn adapter_gradients_match_finite_differences() {
        let m = base();
        let mut lora = Lora::new(&m, 2, 4.0, 7);
        // non-zero B, so that A's gradient is not zero either
        let mut rng = Rng::new(11);
        for b in lora.b.iter_mut() {
            rng.fill_normal(b);
            b.iter_mut().for_each(|x| *x *= 0.1);
        }
        let (prompt, answer) = (vec![1u32, 2, 3], vec![4u32, 5, 0]);
        let mut ws = Workspace::new();
        let loss = |l: &Lora, ws: &mut Workspace| -sequence_log_prob(ws, &l.merged(&m), &prompt, &answer);
        sequence_log_prob(&mut ws, &lora.merged(&m), &prompt, &answer);
        ws.zero_grad();
        ws.backward_scaled(&lora.merged(&m), 1.0); // ∂(Σ cross-entropy)/∂W′
        let g = lora.grads(&ws.grads);
        let h = 1e-3f32;
        let n_a: usize = lora.a.iter().map(Vec::len).sum();
        let mut flat_index = 0;
        let mut checked = 0;
        for which in 0..2 {
            for k in 0..lora.targets.len() {
                let len = if which == 0 { lora.a[k].len() } else { lora.b[k].len() };
                for i in [0, len / 2, len - 1] {
                    let at = flat_index + i;
                    let at_cell = |p: &mut Lora, v: f32| if which == 0 { p.a[k][i] = v } else { p.b[k][i] = v };
                    let keep = if which == 0 { lora.a[k][i] } else { lora.b[k][i] };
                    let mut probe = lora.clone();
                    at_cell(&mut probe, keep + h);
                    let up = loss(&probe, &mut ws);
                    at_cell(&mut probe, keep - h);
                    let down = loss(&probe, &mut ws);
                    let numeric = (up - down) / (2.0 * h as f64);
                    assert!((numeric - g[at] as f64).abs() < 2e-3 + 2e-2 * numeric.abs(), "{} of {}: numeric {numeric}, analytic {}", if which == 0 { "A" } else { "B" }, lora.targets[k].name, g[at]);
                    checked += 1;
                }
                flat_index += len;
            }
        }
        assert_eq!(flat_index, lora.n_params());
        assert!(n_a > 0 && checked == 2 * 3 * lora.targets.len());
    }

    #[test]
    fn training_the_adapters_raises_a_facts_likelihood_and_leaves_the_base_alone() {
        let m = base();
        let before_params = m.params.clone();
        let mut lora = Lora::new(&m, 2, 4.0, 5);
        let (prompt, answer) = (vec![1u32, 2, 3], vec![6u32, 7, 0]);
        let mut ws = Workspace::new();
        let start = sequence_log_prob(&mut ws, &m, &prompt, &answer);
        for _ in 0..80 {
            let merged = lora.merged(&m);
            sequence_log_prob(&mut ws, &merged, &prompt, &answer);
            ws.zero_grad();
            ws.backward_scaled(&merged, 1.0);
            let g = lora.grads(&ws.grads);
            lora.adam_step(&g, 1e-2);
        }
        let end = sequence_log_prob(&mut ws, &lora.merged(&m), &prompt, &answer);
        assert!(end > start + 1.0, "log-likelihood {start} → {end}");
        assert_eq!(m.params, before_params, "the base weights never change");
    }
}
