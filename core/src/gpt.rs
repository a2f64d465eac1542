//! A decoder-only transformer (GPT-2 shape, Radford et al. 2019), written out by hand like
//! Karpathy's llm.c: every forward operation has its backward written next to it, no autograd.
//!
//! ```text
//! x₀ = W_te[token] + W_pe[position]
//! for each block l:   a = x + Attn(LN₁(x))        causal multi-head self-attention
//!                     x = a + W₂·GELU(W₁·LN₂(a))   the MLP, width 4d
//! logits = LN_f(x) · W_teᵀ                          output tied to the token embedding
//! ```
//!
//! All parameters live in one flat vector ([`Gpt::params`]) described by [`Config::tensors`], so the
//! optimiser, gradient clipping, the weights file and "how much did each matrix move" all walk one
//! list. Activations and gradients of a training step live in a [`Workspace`], so several workspaces
//! can share one model (a native trainer runs one per thread). Generation uses a [`KvCache`]: each new
//! token attends to the keys and values stored for the earlier ones.

pub mod dpo;
pub mod finetune;
pub mod lora;
pub mod prompt;
pub mod tokenizer;

use crate::nn::{from_bf16, tanh, to_bf16};
use crate::rng::Rng;
use crate::simd::{axpy, axpy4, dot, dot4};

/// LayerNorm's ε (as in GPT-2).
pub const LN_EPS: f32 = 1e-5;
/// A target that takes no part in the loss (e.g. prompt tokens in instruction tuning).
pub const IGNORE: u32 = u32::MAX;

/// The shape of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Number of tokens V (the embedding table has V rows).
    pub vocab: usize,
    /// Longest context T_max (rows of the position table).
    pub ctx: usize,
    /// Width d of the residual stream.
    pub d: usize,
    /// Number of blocks L.
    pub layers: usize,
    /// Attention heads H (d must be a multiple of H).
    pub heads: usize,
}

/// One named parameter tensor inside [`Gpt::params`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tensor {
    pub name: String,
    pub offset: usize,
    /// Rows × columns (a vector has one row).
    pub shape: (usize, usize),
    /// Block index, or `None` for the embeddings and the final LayerNorm.
    pub layer: Option<usize>,
    /// Matrices take weight decay; biases and LayerNorm gains do not (as in nanoGPT).
    pub decay: bool,
}

impl Tensor {
    pub fn len(&self) -> usize {
        self.shape.0 * self.shape.1
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }
}

/// Offsets of one block's tensors. Matrices are stored (out, in), row-major, as in llm.c: output
/// unit o of y = W·x + b reads row o, so the forward pass is one dot product per output.
#[derive(Clone, Copy, Debug)]
struct Block {
    ln1_g: usize,
    ln1_b: usize,
    qkv_w: usize, // (3d, d): rows 0..d make q, d..2d k, 2d..3d v
    qkv_b: usize,
    proj_w: usize, // (d, d)
    proj_b: usize,
    ln2_g: usize,
    ln2_b: usize,
    fc_w: usize, // (4d, d)
    fc_b: usize,
    out_w: usize, // (d, 4d)
    out_b: usize,
}

impl Config {
    /// Width of one head, d / H.
    pub fn head_dim(&self) -> usize {
        self.d / self.heads
    }

    /// Whether the shape is usable (positive sizes, heads divide d, not absurdly large).
    pub fn check(&self) -> Result<(), String> {
        let Config { vocab, ctx, d, layers, heads } = *self;
        if vocab == 0 || ctx == 0 || d == 0 || layers == 0 || heads == 0 {
            return Err("every size of the model must be at least 1".into());
        }
        if d % heads != 0 {
            return Err(format!("the width {d} is not a multiple of the {heads} heads"));
        }
        if vocab > 1 << 17 || ctx > 1 << 13 || d > 1 << 12 || layers > 64 || heads > 64 {
            return Err(format!("a model of V {vocab}, T {ctx}, d {d}, L {layers}, H {heads} is not plausible here"));
        }
        Ok(())
    }

    fn block(&self, l: usize) -> Block {
        let d = self.d;
        let per = Self::block_len(d);
        let mut at = self.vocab * d + self.ctx * d + l * per;
        let mut take = |n: usize| {
            let o = at;
            at += n;
            o
        };
        Block {
            ln1_g: take(d),
            ln1_b: take(d),
            qkv_w: take(3 * d * d),
            qkv_b: take(3 * d),
            proj_w: take(d * d),
            proj_b: take(d),
            ln2_g: take(d),
            ln2_b: take(d),
            fc_w: take(4 * d * d),
            fc_b: take(4 * d),
            out_w: take(4 * d * d),
            out_b: take(d),
        }
    }

    fn block_len(d: usize) -> usize {
        12 * d * d + 13 * d
    }

    fn wpe(&self) -> usize {
        self.vocab * self.d
    }

    fn lnf(&self) -> usize {
        self.vocab * self.d + self.ctx * self.d + self.layers * Self::block_len(self.d)
    }

    /// Total number of parameters.
    pub fn n_params(&self) -> usize {
        self.lnf() + 2 * self.d
    }

    /// Every parameter tensor, in storage order.
    pub fn tensors(&self) -> Vec<Tensor> {
        let d = self.d;
        let t = |name: String, offset, shape, layer, decay| Tensor { name, offset, shape, layer, decay };
        let mut out = vec![t("wte".into(), 0, (self.vocab, d), None, true), t("wpe".into(), self.wpe(), (self.ctx, d), None, true)];
        for l in 0..self.layers {
            let b = self.block(l);
            let n = |s: &str| format!("h{l}.{s}");
            out.extend([
                t(n("ln1.g"), b.ln1_g, (1, d), Some(l), false),
                t(n("ln1.b"), b.ln1_b, (1, d), Some(l), false),
                t(n("attn.qkv.w"), b.qkv_w, (3 * d, d), Some(l), true),
                t(n("attn.qkv.b"), b.qkv_b, (1, 3 * d), Some(l), false),
                t(n("attn.proj.w"), b.proj_w, (d, d), Some(l), true),
                t(n("attn.proj.b"), b.proj_b, (1, d), Some(l), false),
                t(n("ln2.g"), b.ln2_g, (1, d), Some(l), false),
                t(n("ln2.b"), b.ln2_b, (1, d), Some(l), false),
                t(n("mlp.fc.w"), b.fc_w, (4 * d, d), Some(l), true),
                t(n("mlp.fc.b"), b.fc_b, (1, 4 * d), Some(l), false),
                t(n("mlp.proj.w"), b.out_w, (d, 4 * d), Some(l), true),
                t(n("mlp.proj.b"), b.out_b, (1, d), Some(l), false),
            ]);
        }
        out.push(t("lnf.g".into(), self.lnf(), (1, d), None, false));
        out.push(t("lnf.b".into(), self.lnf() + d, (1, d), None, false));
        out
    }
}

/// A transformer: its shape and its parameters.
#[derive(Clone, Debug)]
pub struct Gpt {
    pub cfg: Config,
    pub params: Vec<f32>,
}

impl Gpt {
    /// GPT-2's initialisation: weights N(0, 0.02²), the two projections that write into the residual
    /// stream N(0, (0.02/√(2L))²), biases 0, LayerNorm gains 1.
    pub fn new(cfg: Config, seed: u64) -> Result<Gpt, String> {
        cfg.check()?;
        let mut params = vec![0.0f32; cfg.n_params()];
        let mut rng = Rng::new(seed);
        for t in cfg.tensors() {
            let p = &mut params[t.range()];
            if t.name.ends_with(".g") {
                p.fill(1.0);
            } else if t.decay {
                rng.fill_normal(p);
                let std = if t.name.ends_with("proj.w") { 0.02 / (2.0 * cfg.layers as f32).sqrt() } else { 0.02 };
                p.iter_mut().for_each(|x| *x *= std);
            }
        }
        Ok(Gpt { cfg, params })
    }

    /// The embedding vector of token `id` (a row of W_te).
    pub fn token_embedding(&self, id: usize) -> &[f32] {
        &self.params[id * self.cfg.d..(id + 1) * self.cfg.d]
    }

    pub fn is_finite(&self) -> bool {
        self.params.iter().all(|p| p.is_finite())
    }
}

// ---------------------------------------------------------------------------------------------
// The operations, each forward with its backward.

/// y[r, o] = b[o] + Σ_c x[r, c]·W[o, c] for `rows` rows (W is (out, in), row-major). Rows go four
/// at a time through [`dot4`], so each weight row is read once per four rows; the sums are the same
/// bits as one row at a time.
fn matmul(y: &mut [f32], x: &[f32], w: &[f32], b: Option<&[f32]>, rows: usize, n_in: usize, n_out: usize) {
    let x_row = |r: usize| &x[r * n_in..(r + 1) * n_in];
    let mut r = 0;
    while r + 4 <= rows {
        let xs = [x_row(r), x_row(r + 1), x_row(r + 2), x_row(r + 3)];
        for o in 0..n_out {
            let s = dot4(xs, &w[o * n_in..(o + 1) * n_in]);
            let bias = b.map_or(0.0, |b| b[o]);
            for (k, s) in s.into_iter().enumerate() {
                y[(r + k) * n_out + o] = s + bias;
            }
        }
        r += 4;
    }
    for r in r..rows {
        let xr = x_row(r);
        let yr = &mut y[r * n_out..(r + 1) * n_out];
        for (o, y) in yr.iter_mut().enumerate() {
            *y = dot(xr, &w[o * n_in..(o + 1) * n_in]) + b.map_or(0.0, |b| b[o]);
        }
    }
}

/// Backward of [`matmul`]: dx += dy·W, dW += dyᵀ·x, db += Σ_r dy (each accumulates, four terms per
/// pass through [`axpy4`], in the order of one term at a time).
#[allow(clippy::too_many_arguments)]
fn matmul_backward(dx: &mut [f32], dw: &mut [f32], db: Option<&mut [f32]>, dy: &[f32], x: &[f32], w: &[f32], rows: usize, n_in: usize, n_out: usize) {
    let w_row = |o: usize| &w[o * n_in..(o + 1) * n_in];
    for r in 0..rows {
        let dyr = &dy[r * n_out..(r + 1) * n_out];
        let dxr = &mut dx[r * n_in..(r + 1) * n_in];
        let mut o = 0;
        while o + 4 <= n_out {
            axpy4([dyr[o], dyr[o + 1], dyr[o + 2], dyr[o + 3]], [w_row(o), w_row(o + 1), w_row(o + 2), w_row(o + 3)], dxr);
            o += 4;
        }
        for o in o..n_out {
            axpy(dyr[o], w_row(o), dxr);
        }
    }
    let x_row = |r: usize| &x[r * n_in..(r + 1) * n_in];
    for o in 0..n_out {
        let dwo = &mut dw[o * n_in..(o + 1) * n_in];
        let g = |r: usize| dy[r * n_out + o];
        let mut r = 0;
        while r + 4 <= rows {
            axpy4([g(r), g(r + 1), g(r + 2), g(r + 3)], [x_row(r), x_row(r + 1), x_row(r + 2), x_row(r + 3)], dwo);
            r += 4;
        }
        for r in r..rows {
            axpy(g(r), x_row(r), dwo);
        }
    }
    if let Some(db) = db {
        for r in 0..rows {
            for (b, &g) in db.iter_mut().zip(&dy[r * n_out..(r + 1) * n_out]) {
                *b += g;
            }
        }
    }
}

/// LayerNorm over each row: x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β. Stores μ and 1/√(σ² + ε).
fn layernorm(y: &mut [f32], mean: &mut [f32], rstd: &mut [f32], x: &[f32], g: &[f32], b: &[f32], rows: usize, d: usize) {
    for r in 0..rows {
        let xr = &x[r * d..(r + 1) * d];
        let m = xr.iter().sum::<f32>() / d as f32;
        let v = xr.iter().map(|&v| (v - m) * (v - m)).sum::<f32>() / d as f32;
        let s = 1.0 / (v + LN_EPS).sqrt();
        for (i, yv) in y[r * d..(r + 1) * d].iter_mut().enumerate() {
            *yv = (xr[i] - m) * s * g[i] + b[i];
        }
        mean[r] = m;
        rstd[r] = s;
    }
}

/// Backward of [`layernorm`]: with ĝ = dy ⊙ γ, dx = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / √(σ² + ε).
#[allow(clippy::too_many_arguments)]
fn layernorm_backward(dx: &mut [f32], dg: &mut [f32], db: &mut [f32], dy: &[f32], x: &[f32], g: &[f32], mean: &[f32], rstd: &[f32], rows: usize, d: usize) {
    for r in 0..rows {
        let (xr, dyr) = (&x[r * d..(r + 1) * d], &dy[r * d..(r + 1) * d]);
        let (m, s) = (mean[r], rstd[r]);
        let (mut mean_g, mut mean_gx) = (0.0f32, 0.0f32);
        for i in 0..d {
            let gi = dyr[i] * g[i];
            mean_g += gi;
            mean_gx += gi * (xr[i] - m) * s;
        }
        mean_g /= d as f32;
        mean_gx /= d as f32;
        let dxr = &mut dx[r * d..(r + 1) * d];
        for i in 0..d {
            let xhat = (xr[i] - m) * s;
            dg[i] += dyr[i] * xhat;
            db[i] += dyr[i];
            dxr[i] += (dyr[i] * g[i] - mean_g - xhat * mean_gx) * s;
        }
    }
}

const GELU_C: f32 = 0.797_884_6; // √(2/π)

/// GELU, tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (Hendrycks & Gimpel 2016).
#[inline]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + tanh(GELU_C * (x + 0.044_715 * x * x * x)))
}

#[inline]
fn gelu_grad(x: f32) -> f32 {
    let u = GELU_C * (x + 0.044_715 * x * x * x);
    let t = tanh(u);
    0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * 0.044_715 * x * x)
}

/// Softmax in place, shifted by the maximum so that exp never overflows.
pub fn softmax(z: &mut [f32]) {
    let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut s = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    z.iter_mut().for_each(|v| *v /= s);
}

// ---------------------------------------------------------------------------------------------
// Training: a workspace holds a batch's activations and the gradients.

/// Activations of one forward pass over a (B, T) batch, kept for the backward pass, and the
/// gradient of every parameter. Reused between steps: nothing is allocated once sized.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    b: usize,
    t: usize,
    tokens: Vec<u32>,
    targets: Vec<u32>,
    /// x₀ = W_te[token] + W_pe[position], (B·T, d).
    pub embedded: Vec<f32>,
    /// Per block: the residual stream entering it; one more at the end (the final stream).
    pub residual: Vec<Vec<f32>>,
    ln1: Vec<Vec<f32>>,
    ln1_stats: Vec<(Vec<f32>, Vec<f32>)>,
    qkv: Vec<Vec<f32>>,
    /// Attention probabilities per block, (B, H, T, T); row t has zeros after column t.
    pub att: Vec<Vec<f32>>,
    atty: Vec<Vec<f32>>,
    resid_mid: Vec<Vec<f32>>,
    ln2: Vec<Vec<f32>>,
    ln2_stats: Vec<(Vec<f32>, Vec<f32>)>,
    fch: Vec<Vec<f32>>,
    fch_gelu: Vec<Vec<f32>>,
    lnf: Vec<f32>,
    lnf_stats: (Vec<f32>, Vec<f32>),
    /// Next-token probabilities, (B·T, V).
    pub probs: Vec<f32>,
    /// ∂loss/∂θ, accumulated by [`Workspace::backward`]; laid out like [`Gpt::params`].
    pub grads: Vec<f32>,
    counted: usize,
    // scratch for the backward pass
    d_res: Vec<f32>,
    d_a: Vec<f32>,
    d_b: Vec<f32>,
    d_qkv: Vec<f32>,
    d_fch: Vec<f32>,
    d_att: Vec<f32>,
    d_q: Vec<f32>,
}

fn sized(v: &mut Vec<f32>, n: usize) {
    v.clear();
    v.resize(n, 0.0);
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Batch and sequence length of the last forward pass.
    pub fn shape(&self) -> (usize, usize) {
        (self.b, self.t)
    }

    /// Number of targets (not [`IGNORE`]) in the last forward pass.
    pub fn counted(&self) -> usize {
        self.counted
    }

    fn prepare(&mut self, cfg: &Config, b: usize, t: usize) {
        let (n, d, l, h) = (b * t, cfg.d, cfg.layers, cfg.heads);
        self.b = b;
        self.t = t;
        let per_layer = |v: &mut Vec<Vec<f32>>, k: usize, len: usize| {
            v.resize(k, Vec::new());
            v.iter_mut().for_each(|x| sized(x, len));
        };
        sized(&mut self.embedded, n * d);
        per_layer(&mut self.residual, l + 1, n * d);
        per_layer(&mut self.ln1, l, n * d);
        per_layer(&mut self.qkv, l, n * 3 * d);
        per_layer(&mut self.att, l, b * h * t * t);
        per_layer(&mut self.atty, l, n * d);
        per_layer(&mut self.resid_mid, l, n * d);
        per_layer(&mut self.ln2, l, n * d);
        per_layer(&mut self.fch, l, n * 4 * d);
        per_layer(&mut self.fch_gelu, l, n * 4 * d);
        for stats in [&mut self.ln1_stats, &mut self.ln2_stats] {
            stats.resize(l, (Vec::new(), Vec::new()));
            stats.iter_mut().for_each(|(m, s)| {
                sized(m, n);
                sized(s, n);
            });
        }
        sized(&mut self.lnf, n * d);
        sized(&mut self.lnf_stats.0, n);
        sized(&mut self.lnf_stats.1, n);
        sized(&mut self.probs, n * cfg.vocab);
        if self.grads.len() != cfg.n_params() {
            sized(&mut self.grads, cfg.n_params());
        }
    }

    /// Forward pass over `b` sequences of `t` tokens (`tokens` is (B, T), row-major). With `targets`
    /// (same shape, [`IGNORE`] to skip a position), returns the mean cross-entropy −log p(target) over
    /// the counted positions (natural log); without, 0. Token ids must be < V and t ≤ T_max.
    pub fn forward(&mut self, model: &Gpt, tokens: &[u32], targets: Option<&[u32]>, b: usize, t: usize) -> f32 {
        let cfg = &model.cfg;
        assert!(t >= 1 && t <= cfg.ctx && tokens.len() == b * t, "a batch of {b}×{t} tokens, context {}", cfg.ctx);
        self.prepare(cfg, b, t);
        let (n, d, h, hs, v) = (b * t, cfg.d, cfg.heads, cfg.head_dim(), cfg.vocab);
        let p = &model.params;
        self.tokens.clear();
        self.tokens.extend_from_slice(tokens);
        self.targets.clear();
        if let Some(tg) = targets {
            self.targets.extend_from_slice(tg);
        }
        // x₀ = W_te[token] + W_pe[position]
        for (i, &tok) in tokens.iter().enumerate() {
            let tok = tok as usize;
            assert!(tok < v, "token id {tok} ≥ vocabulary {v}");
            let pos = i % t;
            let x = &mut self.embedded[i * d..(i + 1) * d];
            for c in 0..d {
                x[c] = p[tok * d + c] + p[cfg.wpe() + pos * d + c];
            }
        }
        self.residual[0].copy_from_slice(&self.embedded);
        let scale = 1.0 / (hs as f32).sqrt();
        for l in 0..cfg.layers {
            let o = cfg.block(l);
            let (m, s) = &mut self.ln1_stats[l];
            layernorm(&mut self.ln1[l], m, s, &self.residual[l], &p[o.ln1_g..], &p[o.ln1_b..], n, d);
            matmul(&mut self.qkv[l], &self.ln1[l], &p[o.qkv_w..], Some(&p[o.qkv_b..]), n, d, 3 * d);
            // causal self-attention, per sequence and head: softmax(q·kᵀ/√d_h) over positions ≤ t
            let (qkv, att, y) = (&self.qkv[l], &mut self.att[l], &mut self.atty[l]);
            for bi in 0..b {
                for hi in 0..h {
                    for ti in 0..t {
                        let q = &qkv[(bi * t + ti) * 3 * d + hi * hs..][..hs];
                        let row = &mut att[((bi * h + hi) * t + ti) * t..][..t];
                        for t2 in 0..=ti {
                            let k = &qkv[(bi * t + t2) * 3 * d + d + hi * hs..][..hs];
                            row[t2] = dot(q, k) * scale;
                        }
                        softmax(&mut row[..=ti]);
                        let yo = &mut y[(bi * t + ti) * d + hi * hs..][..hs];
                        yo.fill(0.0);
                        for t2 in 0..=ti {
                            let vv = &qkv[(bi * t + t2) * 3 * d + 2 * d + hi * hs..][..hs];
                            axpy(row[t2], vv, yo);
                        }
                    }
                }
            }
            matmul(&mut self.resid_mid[l], &self.atty[l], &p[o.proj_w..], Some(&p[o.proj_b..]), n, d, d);
            for (a, &x) in self.resid_mid[l].iter_mut().zip(&self.residual[l]) {
                *a += x;
            }
            let (m, s) = &mut self.ln2_stats[l];
            layernorm(&mut self.ln2[l], m, s, &self.resid_mid[l], &p[o.ln2_g..], &p[o.ln2_b..], n, d);
            matmul(&mut self.fch[l], &self.ln2[l], &p[o.fc_w..], Some(&p[o.fc_b..]), n, d, 4 * d);
            for (g, &x) in self.fch_gelu[l].iter_mut().zip(&self.fch[l]) {
                *g = gelu(x);
            }
            let (before, after) = self.residual.split_at_mut(l + 1);
            let next = &mut after[0];
            matmul(next, &self.fch_gelu[l], &p[o.out_w..], Some(&p[o.out_b..]), n, 4 * d, d);
            for (x, &a) in next.iter_mut().zip(&self.resid_mid[l]) {
                *x += a;
            }
            let _ = before;
        }
        let lf = cfg.lnf();
        let (m, s) = &mut self.lnf_stats;
        layernorm(&mut self.lnf, m, s, &self.residual[cfg.layers], &p[lf..], &p[lf + d..], n, d);
        matmul(&mut self.probs, &self.lnf, &p[..v * d], None, n, d, v);
        let mut loss = 0.0f64;
        self.counted = 0;
        for i in 0..n {
            let row = &mut self.probs[i * v..(i + 1) * v];
            softmax(row);
            if let Some(&tg) = self.targets.get(i) {
                if tg != IGNORE {
                    assert!((tg as usize) < v, "target id {tg} ≥ vocabulary {v}");
                    loss -= (row[tg as usize].max(1e-30) as f64).ln();
                    self.counted += 1;
                }
            }
        }
        if self.counted == 0 {
            0.0
        } else {
            (loss / self.counted as f64) as f32
        }
    }

    /// Sets every gradient to 0.
    pub fn zero_grad(&mut self) {
        self.grads.iter_mut().for_each(|g| *g = 0.0);
    }

    /// Backward pass of the last [`forward`](Workspace::forward) (which must have had targets):
    /// adds ∂(mean loss)/∂θ to [`grads`](Workspace::grads), the mean taken over `denominator`
    /// counted targets (pass [`counted`](Workspace::counted) unless several workspaces share a batch).
    pub fn backward(&mut self, model: &Gpt, denominator: usize) {
        self.backward_scaled(model, 1.0 / denominator.max(1) as f32);
    }

    /// Backward pass of the last forward pass, adding `scale` · ∂(Σ cross-entropy over the counted
    /// targets)/∂θ to the gradients. `scale` may be negative: a preference loss (DPO) pushes the
    /// log-likelihood of one answer up and of another down.
    pub fn backward_scaled(&mut self, model: &Gpt, scale: f32) {
        let cfg = &model.cfg;
        let (b, t) = (self.b, self.t);
        let (n, d, h, hs, v) = (b * t, cfg.d, cfg.heads, cfg.head_dim(), cfg.vocab);
        let p = &model.params;
        assert!(self.targets.len() == n, "backward needs a forward pass with targets");
        if self.grads.len() != cfg.n_params() {
            sized(&mut self.grads, cfg.n_params());
        }
        let inv = scale;
        // ∂ℓ/∂logits = scale · (p − onehot(target)), computed in place over the probabilities
        let mut dlogits = std::mem::take(&mut self.probs);
        for i in 0..n {
            let row = &mut dlogits[i * v..(i + 1) * v];
            let tg = self.targets[i];
            if tg == IGNORE {
                row.fill(0.0);
            } else {
                row[tg as usize] -= 1.0;
                row.iter_mut().for_each(|x| *x *= inv);
            }
        }
        sized(&mut self.d_a, n * d);
        let (gte, _) = self.grads.split_at_mut(v * d);
        matmul_backward(&mut self.d_a, gte, None, &dlogits, &self.lnf, &p[..v * d], n, d, v);
        self.probs = dlogits; // keep the buffer (it now holds gradients, not probabilities)
        let lf = cfg.lnf();
        sized(&mut self.d_res, n * d);
        {
            let (dg, db) = g_pair(&mut self.grads, lf, lf + d, d);
            layernorm_backward(&mut self.d_res, dg, db, &self.d_a, &self.residual[cfg.layers], &p[lf..], &self.lnf_stats.0, &self.lnf_stats.1, n, d);
        }
        let scale = 1.0 / (hs as f32).sqrt();
        for l in (0..cfg.layers).rev() {
            let o = cfg.block(l);
            // x = a + W₂·GELU(W₁·LN₂(a)): d_res is ∂/∂x; it flows to a unchanged, plus through the MLP
            sized(&mut self.d_fch, n * 4 * d);
            {
                let (dw, db) = g_pair(&mut self.grads, o.out_w, o.out_b, 4 * d * d);
                matmul_backward(&mut self.d_fch, dw, Some(&mut db[..d]), &self.d_res, &self.fch_gelu[l], &p[o.out_w..], n, 4 * d, d);
            }
            for (dz, &z) in self.d_fch.iter_mut().zip(&self.fch[l]) {
                *dz *= gelu_grad(z);
            }
            sized(&mut self.d_b, n * d);
            {
                let (dw, db) = g_pair(&mut self.grads, o.fc_w, o.fc_b, 4 * d * d);
                matmul_backward(&mut self.d_b, dw, Some(&mut db[..4 * d]), &self.d_fch, &self.ln2[l], &p[o.fc_w..], n, d, 4 * d);
            }
            {
                let (dg, db) = g_pair(&mut self.grads, o.ln2_g, o.ln2_b, d);
                let (m, s) = &self.ln2_stats[l];
                layernorm_backward(&mut self.d_res, dg, &mut db[..d], &self.d_b, &self.resid_mid[l], &p[o.ln2_g..], m, s, n, d);
            }
            // a = x + W_o·Attn(LN₁(x)) + b_o
            sized(&mut self.d_a, n * d);
            {
                let (dw, db) = g_pair(&mut self.grads, o.proj_w, o.proj_b, d * d);
                matmul_backward(&mut self.d_a, dw, Some(&mut db[..d]), &self.d_res, &self.atty[l], &p[o.proj_w..], n, d, d);
            }
            sized(&mut self.d_qkv, n * 3 * d);
            sized(&mut self.d_att, t);
            let (qkv, att) = (&self.qkv[l], &self.att[l]);
            for bi in 0..b {
                for hi in 0..h {
                    for ti in 0..t {
                        let row = &att[((bi * h + hi) * t + ti) * t..][..t];
                        let dy = &self.d_a[(bi * t + ti) * d + hi * hs..][..hs];
                        // y = Σ_t2 a_t2·v_t2  →  ∂a_t2 = dy·v_t2,  ∂v_t2 += a_t2·dy
                        let datt = &mut self.d_att;
                        let mut sum = 0.0f32;
                        for t2 in 0..=ti {
                            let vo = (bi * t + t2) * 3 * d + 2 * d + hi * hs;
                            datt[t2] = dot(dy, &qkv[vo..vo + hs]);
                            axpy(row[t2], dy, &mut self.d_qkv[vo..vo + hs]);
                            sum += row[t2] * datt[t2];
                        }
                        // softmax: ∂s_t2 = a_t2(∂a_t2 − Σ a·∂a); s = q·k/√d_h → ∂q += ∂s·k, ∂k += ∂s·q
                        let qo = (bi * t + ti) * 3 * d + hi * hs;
                        let dq = &mut self.d_q;
                        dq.clear();
                        dq.resize(hs, 0.0);
                        for t2 in 0..=ti {
                            let ds = row[t2] * (datt[t2] - sum) * scale;
                            if ds == 0.0 {
                                continue;
                            }
                            let ko = (bi * t + t2) * 3 * d + d + hi * hs;
                            axpy(ds, &qkv[ko..ko + hs], dq);
                            axpy(ds, &qkv[qo..qo + hs], &mut self.d_qkv[ko..ko + hs]);
                        }
                        axpy(1.0, dq, &mut self.d_qkv[qo..qo + hs]);
                    }
                }
            }
            sized(&mut self.d_b, n * d);
            {
                let (dw, db) = g_pair(&mut self.grads, o.qkv_w, o.qkv_b, 3 * d * d);
                matmul_backward(&mut self.d_b, dw, Some(&mut db[..3 * d]), &self.d_qkv, &self.ln1[l], &p[o.qkv_w..], n, d, 3 * d);
            }
            {
                let (dg, db) = g_pair(&mut self.grads, o.ln1_g, o.ln1_b, d);
                let (m, s) = &self.ln1_stats[l];
                layernorm_backward(&mut self.d_res, dg, &mut db[..d], &self.d_b, &self.residual[l], &p[o.ln1_g..], m, s, n, d);
            }
        }
        // x₀ = W_te[token] + W_pe[position]
        let wpe = cfg.wpe();
        for (i, &tok) in self.tokens.iter().enumerate() {
            let dx = &self.d_res[i * d..(i + 1) * d];
            axpy(1.0, dx, &mut self.grads[tok as usize * d..][..d]);
            axpy(1.0, dx, &mut self.grads[wpe + (i % t) * d..][..d]);
        }
    }
}

/// Two disjoint mutable windows of the gradient vector: [a, a + len_a) and [b, end).
fn g_pair(g: &mut [f32], a: usize, b: usize, len_a: usize) -> (&mut [f32], &mut [f32]) {
    debug_assert!(a + len_a <= b);
    let (lo, hi) = g.split_at_mut(b);
    (&mut lo[a..a + len_a], hi)
}

// ---------------------------------------------------------------------------------------------
// The optimiser.

/// AdamW (Loshchilov & Hutter 2019) with linear warm-up, cosine decay to `min_lr`, and clipping
/// of the global gradient norm.
#[derive(Clone, Debug)]
pub struct AdamW {
    pub lr: f32,
    pub min_lr: f32,
    pub warmup: usize,
    pub total: usize,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    /// Largest allowed ‖g‖₂; 0 turns clipping off.
    pub clip: f32,
    /// Steps taken.
    pub t: usize,
    pub m: Vec<f32>,
    pub v: Vec<f32>,
}

/// What one optimiser step did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepInfo {
    pub lr: f32,
    /// ‖g‖₂ before clipping.
    pub grad_norm: f32,
}

impl AdamW {
    pub fn new(lr: f32, total: usize) -> AdamW {
        AdamW { lr, min_lr: lr / 10.0, warmup: total / 20, total, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1, clip: 1.0, t: 0, m: Vec::new(), v: Vec::new() }
    }

    /// η at step s (0-based): s/warm-up·η during warm-up, then
    /// η_min + ½(η − η_min)(1 + cos(π·progress)), constant η_min after `total`.
    pub fn rate(&self, s: usize) -> f32 {
        if s < self.warmup {
            return self.lr * (s + 1) as f32 / self.warmup as f32;
        }
        if s >= self.total {
            return self.min_lr;
        }
        let progress = (s - self.warmup) as f32 / (self.total - self.warmup).max(1) as f32;
        self.min_lr + 0.5 * (self.lr - self.min_lr) * (1.0 + (std::f32::consts::PI * progress).cos())
    }

    /// One update of `model` from `grads`: clip, then m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
    /// θ ← θ − η(m̂/(√v̂ + ε) + λθ) with decay λ on matrices only.
    pub fn step(&mut self, model: &mut Gpt, grads: &[f32]) -> StepInfo {
        let n = model.params.len();
        if self.m.len() != n {
            self.m = vec![0.0; n];
            self.v = vec![0.0; n];
        }
        let norm = grads.iter().map(|&g| g as f64 * g as f64).sum::<f64>().sqrt() as f32;
        let clip = if self.clip > 0.0 && norm > self.clip { self.clip / norm } else { 1.0 };
        let lr = self.rate(self.t);
        self.t += 1;
        let c1 = 1.0 - self.beta1.powi(self.t as i32);
        let c2 = 1.0 - self.beta2.powi(self.t as i32);
        for tensor in model.cfg.tensors() {
            let wd = if tensor.decay { self.weight_decay } else { 0.0 };
            for i in tensor.range() {
                let g = grads[i] * clip;
                self.m[i] = self.beta1 * self.m[i] + (1.0 - self.beta1) * g;
                self.v[i] = self.beta2 * self.v[i] + (1.0 - self.beta2) * g * g;
                let p = &mut model.params[i];
                *p -= lr * ((self.m[i] / c1) / ((self.v[i] / c2).sqrt() + self.eps) + wd * *p);
            }
        }
        StepInfo { lr, grad_norm: norm }
    }
}

// ---------------------------------------------------------------------------------------------
// Generation with a key/value cache.

/// Keys and values of the tokens seen so far, per block, so that each new token costs one
/// position's work instead of the whole sequence's.
#[derive(Clone, Debug)]
pub struct KvCache {
    /// Tokens in the cache.
    pub len: usize,
    k: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    /// Attention of the latest token, per block and head, over positions 0..len: (L, H, len).
    pub last_attention: Vec<f32>,
    /// The residual stream of the latest token: x₀, then after each block (L + 1 rows of d).
    pub last_stream: Vec<f32>,
    x: Vec<f32>,
    ln: Vec<f32>,
    qkv: Vec<f32>,
    y: Vec<f32>,
    h: Vec<f32>,
    tmp: Vec<f32>,
}

impl KvCache {
    pub fn new(cfg: &Config) -> KvCache {
        let d = cfg.d;
        KvCache {
            len: 0,
            k: vec![vec![0.0; cfg.ctx * d]; cfg.layers],
            v: vec![vec![0.0; cfg.ctx * d]; cfg.layers],
            last_attention: Vec::new(),
            last_stream: Vec::new(),
            x: vec![0.0; d],
            ln: vec![0.0; d],
            qkv: vec![0.0; 3 * d],
            y: vec![0.0; d],
            h: vec![0.0; 4 * d],
            tmp: vec![0.0; 4 * d],
        }
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }
}

impl Gpt {
    /// Feeds one token at the next position of `cache` and writes the next-token logits into
    /// `logits` (length V). The cache must not be full (len < T_max) and the id must be < V.
    pub fn step(&self, cache: &mut KvCache, token: u32, logits: &mut [f32]) {
        let cfg = &self.cfg;
        let (d, h, hs, v) = (cfg.d, cfg.heads, cfg.head_dim(), cfg.vocab);
        let pos = cache.len;
        assert!(pos < cfg.ctx, "the cache is full ({} tokens)", cfg.ctx);
        assert!((token as usize) < v, "token id {token} ≥ vocabulary {v}");
        let p = &self.params;
        let tok = token as usize;
        for c in 0..d {
            cache.x[c] = p[tok * d + c] + p[cfg.wpe() + pos * d + c];
        }
        cache.last_stream.clear();
        cache.last_stream.extend_from_slice(&cache.x);
        cache.last_attention.clear();
        cache.last_attention.resize(cfg.layers * h * (pos + 1), 0.0);
        let scale = 1.0 / (hs as f32).sqrt();
        let mut mean = [0.0f32];
        let mut rstd = [0.0f32];
        for l in 0..cfg.layers {
            let o = cfg.block(l);
            layernorm(&mut cache.ln, &mut mean, &mut rstd, &cache.x, &p[o.ln1_g..], &p[o.ln1_b..], 1, d);
            matmul(&mut cache.qkv, &cache.ln, &p[o.qkv_w..], Some(&p[o.qkv_b..]), 1, d, 3 * d);
            cache.k[l][pos * d..(pos + 1) * d].copy_from_slice(&cache.qkv[d..2 * d]);
            cache.v[l][pos * d..(pos + 1) * d].copy_from_slice(&cache.qkv[2 * d..]);
            for hi in 0..h {
                let q = &cache.qkv[hi * hs..(hi + 1) * hs];
                let row = &mut cache.last_attention[(l * h + hi) * (pos + 1)..][..pos + 1];
                for (t2, a) in row.iter_mut().enumerate() {
                    *a = dot(q, &cache.k[l][t2 * d + hi * hs..][..hs]) * scale;
                }
                softmax(row);
                let y = &mut cache.y[hi * hs..(hi + 1) * hs];
                y.fill(0.0);
                for (t2, &a) in row.iter().enumerate() {
                    axpy(a, &cache.v[l][t2 * d + hi * hs..][..hs], y);
                }
            }
            matmul(&mut cache.tmp[..d], &cache.y, &p[o.proj_w..], Some(&p[o.proj_b..]), 1, d, d);
            for (x, &a) in cache.x.iter_mut().zip(&cache.tmp[..d]) {
                *x += a;
            }
            layernorm(&mut cache.ln, &mut mean, &mut rstd, &cache.x, &p[o.ln2_g..], &p[o.ln2_b..], 1, d);
            matmul(&mut cache.h, &cache.ln, &p[o.fc_w..], Some(&p[o.fc_b..]), 1, d, 4 * d);
            cache.h.iter_mut().for_each(|z| *z = gelu(*z));
            matmul(&mut cache.tmp[..d], &cache.h, &p[o.out_w..], Some(&p[o.out_b..]), 1, 4 * d, d);
            for (x, &a) in cache.x.iter_mut().zip(&cache.tmp[..d]) {
                *x += a;
            }
            cache.last_stream.extend_from_slice(&cache.x);
        }
        let lf = cfg.lnf();
        layernorm(&mut cache.ln, &mut mean, &mut rstd, &cache.x, &p[lf..], &p[lf + d..], 1, d);
        matmul(logits, &cache.ln, &p[..v * d], None, 1, d, v);
        cache.len += 1;
    }

    /// Feeds a whole prompt through the cache (from empty) and returns the logits after its last
    /// token (an empty prompt gives an empty vector; tokens past the context are dropped). The same
    /// numbers, bit for bit, as [`Gpt::step`] once per token, but every matrix product runs over all
    /// the prompt's rows at once and the output layer only for the last row.
    pub fn prefill(&self, cache: &mut KvCache, tokens: &[u32]) -> Vec<f32> {
        cache.clear();
        let cfg = &self.cfg;
        let (d, h, hs, v) = (cfg.d, cfg.heads, cfg.head_dim(), cfg.vocab);
        let tokens = &tokens[..tokens.len().min(cfg.ctx)];
        let n = tokens.len();
        if n == 0 {
            return Vec::new();
        }
        let p = &self.params;
        let mut x = vec![0.0f32; n * d];
        for (t, &tok) in tokens.iter().enumerate() {
            assert!((tok as usize) < v, "token id {tok} ≥ vocabulary {v}");
            for c in 0..d {
                x[t * d + c] = p[tok as usize * d + c] + p[cfg.wpe() + t * d + c];
            }
        }
        let last = (n - 1) * d;
        cache.last_stream.clear();
        cache.last_stream.extend_from_slice(&x[last..]);
        cache.last_attention.clear();
        cache.last_attention.resize(cfg.layers * h * n, 0.0);
        let (mut ln, mut y, mut tmp) = (vec![0.0f32; n * d], vec![0.0f32; n * d], vec![0.0f32; n * d]);
        let (mut qkv, mut hid) = (vec![0.0f32; n * 3 * d], vec![0.0f32; n * 4 * d]);
        let (mut mean, mut rstd) = (vec![0.0f32; n], vec![0.0f32; n]);
        let mut row = vec![0.0f32; n];
        let scale = 1.0 / (hs as f32).sqrt();
        for l in 0..cfg.layers {
            let o = cfg.block(l);
            layernorm(&mut ln, &mut mean, &mut rstd, &x, &p[o.ln1_g..], &p[o.ln1_b..], n, d);
            matmul(&mut qkv, &ln, &p[o.qkv_w..], Some(&p[o.qkv_b..]), n, d, 3 * d);
            for t in 0..n {
                cache.k[l][t * d..(t + 1) * d].copy_from_slice(&qkv[t * 3 * d + d..t * 3 * d + 2 * d]);
                cache.v[l][t * d..(t + 1) * d].copy_from_slice(&qkv[t * 3 * d + 2 * d..(t + 1) * 3 * d]);
            }
            for t in 0..n {
                for hi in 0..h {
                    let q = &qkv[t * 3 * d + hi * hs..][..hs];
                    let a = &mut row[..t + 1];
                    for (t2, a) in a.iter_mut().enumerate() {
                        *a = dot(q, &cache.k[l][t2 * d + hi * hs..][..hs]) * scale;
                    }
                    softmax(a);
                    let yt = &mut y[t * d + hi * hs..][..hs];
                    yt.fill(0.0);
                    for (t2, &a) in a.iter().enumerate() {
                        axpy(a, &cache.v[l][t2 * d + hi * hs..][..hs], yt);
                    }
                    if t == n - 1 {
                        cache.last_attention[(l * h + hi) * n..][..n].copy_from_slice(a);
                    }
                }
            }
            matmul(&mut tmp, &y, &p[o.proj_w..], Some(&p[o.proj_b..]), n, d, d);
            x.iter_mut().zip(&tmp).for_each(|(x, &a)| *x += a);
            layernorm(&mut ln, &mut mean, &mut rstd, &x, &p[o.ln2_g..], &p[o.ln2_b..], n, d);
            matmul(&mut hid, &ln, &p[o.fc_w..], Some(&p[o.fc_b..]), n, d, 4 * d);
            hid.iter_mut().for_each(|z| *z = gelu(*z));
            matmul(&mut tmp, &hid, &p[o.out_w..], Some(&p[o.out_b..]), n, 4 * d, d);
            x.iter_mut().zip(&tmp).for_each(|(x, &a)| *x += a);
            cache.last_stream.extend_from_slice(&x[last..]);
        }
        let lf = cfg.lnf();
        layernorm(&mut ln[..d], &mut mean[..1], &mut rstd[..1], &x[last..], &p[lf..], &p[lf + d..], 1, d);
        let mut logits = vec![0.0; v];
        matmul(&mut logits, &ln[..d], &p[..v * d], None, 1, d, v);
        cache.len = n;
        logits
    }
}

// ---------------------------------------------------------------------------------------------
// Sampling.

/// How the next token is chosen from the logits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sampling {
    /// T: logits are divided by T before the softmax; T = 0 means greedy (argmax).
    pub temperature: f32,
    /// Keep only the k most probable tokens (0 = all).
    pub top_k: usize,
    /// Keep the smallest set of most probable tokens whose probability reaches p (1 = all).
    pub top_p: f32,
}

impl Default for Sampling {
    fn default() -> Sampling {
        Sampling { temperature: 1.0, top_k: 0, top_p: 1.0 }
    }
}

/// The distribution a token is drawn from: softmax(z/T), then top-k, then top-p (nucleus,
/// Holtzman et al. 2020), renormalised. T = 0 (or below 10⁻⁶) puts all mass on the argmax;
/// top-p 0 keeps only the most probable token. Ties keep the lower id first. Never NaN for finite
/// logits; non-finite settings are treated as their nearest sensible value.
pub fn filtered_probs(logits: &[f32], s: &Sampling) -> Vec<f32> {
    let n = logits.len();
    let mut out = vec![0.0; n];
    if n == 0 {
        return out;
    }
    let argmax = logits.iter().enumerate().fold(0, |best, (i, &z)| if z > logits[best] { i } else { best });
    let temp = if s.temperature.is_finite() { s.temperature } else { f32::MAX };
    if temp < 1e-6 || s.top_k == 1 {
        out[argmax] = 1.0;
        return out;
    }
    let m = logits[argmax];
    let mut sum = 0.0f64;
    for (o, &z) in out.iter_mut().zip(logits) {
        *o = ((z - m) / temp).exp();
        sum += *o as f64;
    }
    out.iter_mut().for_each(|o| *o = (*o as f64 / sum) as f32);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| out[b].total_cmp(&out[a]).then(a.cmp(&b)));
    let mut keep = if s.top_k == 0 { n } else { s.top_k.min(n) };
    let top_p = if s.top_p.is_nan() { 1.0 } else { s.top_p.clamp(0.0, 1.0) };
    if top_p < 1.0 {
        let mut acc = 0.0f32;
        for (rank, &i) in order.iter().enumerate().take(keep) {
            acc += out[i];
            if acc >= top_p {
                keep = rank + 1;
                break;
            }
        }
    }
    let kept: f64 = order[..keep].iter().map(|&i| out[i] as f64).sum();
    for &i in &order[keep..] {
        out[i] = 0.0;
    }
    for &i in &order[..keep] {
        out[i] = (out[i] as f64 / kept) as f32;
    }
    out
}

/// Draws an index from a distribution with one uniform number u ∈ [0, 1) (inverse CDF).
pub fn draw(probs: &[f32], u: f64) -> usize {
    let mut acc = 0.0f64;
    let mut last = 0;
    for (i, &p) in probs.iter().enumerate() {
        if p > 0.0 {
            acc += p as f64;
            last = i;
            if u < acc {
                return i;
            }
        }
    }
    last
}

/// Samples the next token: [`filtered_probs`] then [`draw`] with the seeded generator.
pub fn sample(logits: &[f32], s: &Sampling, rng: &mut Rng) -> usize {
    draw(&filtered_probs(logits, s), rng.next_f64())
}

/// Continues `prompt` by up to `n_new` tokens (fewer if the context fills), each drawn from
/// softmax(z / T) over the first `n_text` ids only (so special tokens are never written), with the
/// KV cache. The same model, prompt and generator state give the same tokens.
pub fn sample_continuation(model: &Gpt, prompt: &[u32], n_new: usize, n_text: usize, temperature: f32, rng: &mut Rng) -> Vec<u32> {
    let ctx = model.cfg.ctx;
    let prompt = &prompt[prompt.len().saturating_sub(ctx)..];
    if prompt.is_empty() {
        return Vec::new();
    }
    let mut cache = KvCache::new(&model.cfg);
    let mut logits = model.prefill(&mut cache, prompt);
    let n_text = n_text.min(model.cfg.vocab);
    let t = temperature.max(1e-3);
    let mut z = vec![0.0f32; n_text];
    let mut out = Vec::with_capacity(n_new);
    while out.len() < n_new {
        for (zi, &l) in z.iter_mut().zip(&logits) {
            *zi = l / t;
        }
        softmax(&mut z);
        let tok = draw(&z, rng.next_f64()) as u32;
        out.push(tok);
        if cache.len >= ctx || out.len() == n_new {
            break;
        }
        model.step(&mut cache, tok, &mut logits);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The weights file.

/// `GPT1` file: magic, u32 vocab, ctx, d, layers, heads, u32 dtype (0 = f32, 1 = bfloat16), then
/// every parameter in [`Config::tensors`] order, little-endian.
pub fn to_bytes(model: &Gpt, bf16: bool) -> Vec<u8> {
    let c = &model.cfg;
    let mut out = b"GPT1".to_vec();
    for v in [c.vocab, c.ctx, c.d, c.layers, c.heads, bf16 as usize] {
        out.extend((v as u32).to_le_bytes());
    }
    for &p in &model.params {
        if bf16 {
            out.extend(to_bf16(p).to_le_bytes());
        } else {
            out.extend(p.to_le_bytes());
        }
    }
    out
}

/// Reads a `GPT1` file. Errors are sentences; no bytes can make it panic.
pub fn from_bytes(bytes: &[u8]) -> Result<Gpt, String> {
    if bytes.len() < 28 || &bytes[..4] != b"GPT1" {
        return Err("not a language-model weights file (it should start with GPT1)".into());
    }
    let u = |i: usize| u32::from_le_bytes([bytes[4 + 4 * i], bytes[5 + 4 * i], bytes[6 + 4 * i], bytes[7 + 4 * i]]) as usize;
    let cfg = Config { vocab: u(0), ctx: u(1), d: u(2), layers: u(3), heads: u(4) };
    cfg.check()?;
    let width = match u(5) {
        0 => 4,
        1 => 2,
        k => return Err(format!("unknown number format {k} in the weights file")),
    };
    let n = cfg.n_params();
    if bytes.len() != 28 + width * n {
        return Err(format!("the weights file has {} bytes; this model needs {}", bytes.len(), 28 + width * n));
    }
    let body = &bytes[28..];
    let params: Vec<f32> = if width == 2 {
        body.chunks_exact(2).map(|b| from_bf16(u16::from_le_bytes([b[0], b[1]]))).collect()
    } else {
        body.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
    };
    if params.iter().any(|p| !p.is_finite()) {
        return Err("the weights file holds numbers that are not finite: it is damaged".into());
    }
    Ok(Gpt { cfg, params })
}

#[cfg(test)]
mod tests;
