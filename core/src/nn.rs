//! A small neural-network core: dense layers, activations, losses, SGD and Adam, backpropagation.
//!
//! Batched f32, row-major: a batch of `n` inputs of width `d` is a slice of `n·d` numbers. Each layer
//! keeps its buffers between steps, so a training step allocates nothing once the batch size is
//! fixed. Shared by every widget that trains a network (GAN, diffusion, VAE).

use crate::rng::Rng;
use crate::simd::{axpy, dot};

/// An elementwise activation function φ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Activation {
    /// φ(z) = z
    #[default]
    Identity,
    /// φ(z) = max(0, z)
    Relu,
    /// φ(z) = z for z > 0, 0.2·z otherwise
    LeakyRelu,
    /// φ(z) = tanh z
    Tanh,
    /// φ(z) = 1 / (1 + e^(−z))
    Sigmoid,
    /// φ(z) = z·Φ(z), tanh approximation (Hendrycks & Gimpel 2016)
    Gelu,
    /// φ(z) = z·σ(z) (SiLU / swish)
    Silu,
}

const LEAK: f32 = 0.2;
const GELU_C: f32 = 0.797_884_6; // √(2/π)

/// tanh z in f32 without calling libm: an odd rational function x·P(x²)/Q(x²) of degrees 13/6
/// (the minimax fit used by the Eigen library), on x clamped to ±7.9 where tanh is ±1 in f32.
/// Largest error against f64 tanh: 3.3·10⁻⁷ (tested). A libm call per unit made tanh, sigmoid,
/// GELU and SiLU networks about ten times slower than ReLU ones in the browser.
#[inline]
pub fn tanh(z: f32) -> f32 {
    const A: [f32; 7] = [4.893_524_6e-3, 6.372_619_3e-4, 1.485_722_4e-5, 5.122_297e-8, -8.604_672e-11, 2.000_187_9e-13, -2.760_768_5e-16];
    const B: [f32; 4] = [4.893_525e-3, 2.268_434_6e-3, 1.185_347e-4, 1.198_258_4e-6];
    let x = z.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    // Horner's rule, plain multiply-adds (mul_add is a slow libm call on wasm without FMA).
    let p = ((((((A[6] * x2 + A[5]) * x2 + A[4]) * x2 + A[3]) * x2 + A[2]) * x2 + A[1]) * x2) + A[0];
    let q = ((B[3] * x2 + B[2]) * x2 + B[1]) * x2 + B[0];
    x * p / q
}

/// σ(z), stable for large |z|.
#[inline]
pub fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Activation {
    /// φ(z).
    #[inline]
    pub fn f(self, z: f32) -> f32 {
        match self {
            Activation::Identity => z,
            Activation::Relu => if z > 0.0 { z } else { 0.0 },
            Activation::LeakyRelu => if z > 0.0 { z } else { LEAK * z },
            Activation::Tanh => tanh(z),
            // σ(z) = ½ + ½·tanh(z/2)
            Activation::Sigmoid => 0.5 + 0.5 * tanh(0.5 * z),
            Activation::Gelu => 0.5 * z * (1.0 + tanh(GELU_C * (z + 0.044_715 * z * z * z))),
            Activation::Silu => z * (0.5 + 0.5 * tanh(0.5 * z)),
        }
    }

    /// y = φ(z) elementwise (the match is hoisted out of the loop).
    pub fn apply(self, z: &[f32], y: &mut [f32]) {
        fn map(z: &[f32], y: &mut [f32], f: impl Fn(f32) -> f32) {
            for (y, &z) in y.iter_mut().zip(z) {
                *y = f(z);
            }
        }
        match self {
            Activation::Identity => y.copy_from_slice(z),
            // A select rather than f32::max: on wasm, max with Rust's NaN rule is a libm call.
            Activation::Relu => map(z, y, |z| if z > 0.0 { z } else { 0.0 }),
            Activation::Silu => map(z, y, |z| z * (0.5 + 0.5 * tanh(0.5 * z))),
            a => map(z, y, |z| a.f(z)),
        }
    }

    /// dz = dy · φ′(z) elementwise, given z and y = φ(z).
    pub fn chain(self, dy: &[f32], z: &[f32], y: &[f32], dz: &mut [f32]) {
        fn map(dy: &[f32], z: &[f32], y: &[f32], dz: &mut [f32], f: impl Fn(f32, f32) -> f32) {
            for (((d, &g), &z), &y) in dz.iter_mut().zip(dy).zip(z).zip(y) {
                *d = g * f(z, y);
            }
        }
        match self {
            Activation::Identity => dz.copy_from_slice(dy),
            Activation::Relu => map(dy, z, y, dz, |z, _| if z > 0.0 { 1.0 } else { 0.0 }),
            Activation::LeakyRelu => map(dy, z, y, dz, |z, _| if z > 0.0 { 1.0 } else { LEAK }),
            Activation::Tanh => map(dy, z, y, dz, |_, y| 1.0 - y * y),
            // SiLU: σ(z) = y/z recovers the sigmoid without another tanh (σ(0) = ½ near 0).
            Activation::Silu => map(dy, z, y, dz, |z, y| {
                let s = if z.abs() > 1e-3 { y / z } else { 0.5 + 0.25 * z };
                s + z * s * (1.0 - s)
            }),
            a => map(dy, z, y, dz, |z, y| a.df(z, y)),
        }
    }

    /// φ′(z), given z and y = φ(z).
    #[inline]
    pub fn df(self, z: f32, y: f32) -> f32 {
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => if z > 0.0 { 1.0 } else { 0.0 },
            Activation::LeakyRelu => if z > 0.0 { 1.0 } else { LEAK },
            Activation::Tanh => 1.0 - y * y,
            Activation::Sigmoid => y * (1.0 - y),
            Activation::Gelu => {
                let u = GELU_C * (z + 0.044_715 * z * z * z);
                let t = tanh(u);
                0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * 0.044_715 * z * z)
            }
            Activation::Silu => {
                let s = 0.5 + 0.5 * tanh(0.5 * z);
                s + z * s * (1.0 - s)
            }
        }
    }
}

/// Copies a row-major `rows × cols` matrix into `out` as column-major (its transpose).
fn transpose(m: &[f32], rows: usize, cols: usize, out: &mut Vec<f32>) {
    out.clear();
    if rows == 1 || cols == 1 {
        out.extend_from_slice(&m[..rows * cols]);
        return;
    }
    out.resize(rows * cols, 0.0);
    for (c, col) in out.chunks_exact_mut(rows).enumerate() {
        for (o, row) in col.iter_mut().zip(m.chunks_exact(cols)) {
            *o = row[c];
        }
    }
}

/// A fully connected layer: y = φ(W·x + b), with W of shape out × in (row-major, `w[o·n_in + i]`).
///
/// Inside a layer a batch is stored feature-major: row k of a buffer holds feature k of every
/// sample. The inner loops then run along the batch — long and contiguous, so they vectorise even
/// when the layer is as narrow as a 2-D point. [`Mlp`] converts to and from the usual one-sample-
/// per-row layout at its ends.
#[derive(Clone, Debug)]
pub struct Dense {
    pub n_in: usize,
    pub n_out: usize,
    pub act: Activation,
    /// Weights, row-major (row = output unit).
    pub w: Vec<f32>,
    pub b: Vec<f32>,
    /// ∂loss/∂W and ∂loss/∂b, accumulated by [`Dense::backward`].
    pub gw: Vec<f32>,
    pub gb: Vec<f32>,
    batch: usize,
    x: Vec<f32>,
    z: Vec<f32>,
    y: Vec<f32>,
    dz: Vec<f32>,
    dx: Vec<f32>,
}

impl Dense {
    /// Glorot-uniform weights (He-uniform for ReLU-like units), zero biases.
    pub fn new(n_in: usize, n_out: usize, act: Activation, rng: &mut Rng) -> Dense {
        let limit = match act {
            Activation::Relu | Activation::LeakyRelu | Activation::Gelu | Activation::Silu => (6.0 / n_in as f64).sqrt(),
            _ => (6.0 / (n_in + n_out) as f64).sqrt(),
        };
        let w = (0..n_in * n_out).map(|_| ((rng.next_f64() * 2.0 - 1.0) * limit) as f32).collect();
        Dense {
            n_in,
            n_out,
            act,
            w,
            b: vec![0.0; n_out],
            gw: vec![0.0; n_in * n_out],
            gb: vec![0.0; n_out],
            batch: 0,
            x: Vec::new(),
            z: Vec::new(),
            y: Vec::new(),
            dz: Vec::new(),
            dx: Vec::new(),
        }
    }

    /// The outputs (feature-major, `n_out × batch`) for a feature-major batch `x` (`n_in × batch`);
    /// remembers what backward needs.
    pub fn forward(&mut self, x: &[f32], batch: usize) -> &[f32] {
        let n = batch;
        self.batch = n;
        self.x.clear();
        self.x.extend_from_slice(&x[..self.n_in * n]);
        self.z.resize(self.n_out * n, 0.0);
        self.y.resize(self.n_out * n, 0.0);
        // z_o = b_o + Σᵢ W[o][i]·x_i, for all samples at once.
        for (o, zo) in self.z.chunks_exact_mut(n).enumerate() {
            zo.fill(self.b[o]);
            for (&w, xi) in self.w[o * self.n_in..(o + 1) * self.n_in].iter().zip(self.x.chunks_exact(n)) {
                axpy(w, xi, zo);
            }
        }
        self.act.apply(&self.z, &mut self.y);
        &self.y
    }

    /// Given ∂loss/∂y for the last forward batch (feature-major): accumulates ∂loss/∂W and ∂loss/∂b
    /// if `params`, and returns ∂loss/∂x (feature-major; left empty unless `input`).
    pub fn backward(&mut self, dy: &[f32], params: bool, input: bool) -> &[f32] {
        let n = self.batch;
        // ∂loss/∂z = ∂loss/∂y · φ′(z)
        self.dz.resize(self.n_out * n, 0.0);
        self.act.chain(&dy[..self.n_out * n], &self.z, &self.y, &mut self.dz);
        self.dx.clear();
        if input {
            self.dx.resize(self.n_in * n, 0.0);
        }
        for (o, dzo) in self.dz.chunks_exact(n).enumerate() {
            let row = o * self.n_in..(o + 1) * self.n_in;
            if params {
                self.gb[o] += dzo.iter().sum::<f32>();
                for (g, xi) in self.gw[row.clone()].iter_mut().zip(self.x.chunks_exact(n)) {
                    *g += dot(dzo, xi); // ∂loss/∂W[o][i] = Σₙ dz_o·x_i
                }
            }
            if input {
                for (&w, dxi) in self.w[row].iter().zip(self.dx.chunks_exact_mut(n)) {
                    axpy(w, dzo, dxi); // ∂loss/∂x_i = Σ_o W[o][i]·dz_o
                }
            }
        }
        &self.dx
    }
}

/// A multilayer perceptron: dense layers in sequence. Its inputs and outputs are one sample per
/// row (`batch · width` numbers).
#[derive(Clone, Debug)]
pub struct Mlp {
    pub layers: Vec<Dense>,
    t_in: Vec<f32>,
    out: Vec<f32>,
}

impl Mlp {
    /// Layers of the given widths (`sizes[0]` inputs … `sizes[last]` outputs); hidden layers use
    /// `hidden`, the last `output`.
    pub fn new(sizes: &[usize], hidden: Activation, output: Activation, rng: &mut Rng) -> Mlp {
        assert!(sizes.len() >= 2, "an MLP needs at least an input and an output width");
        let last = sizes.len() - 2;
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(i, w)| Dense::new(w[0], w[1], if i == last { output } else { hidden }, rng))
            .collect();
        Mlp { layers, t_in: Vec::new(), out: Vec::new() }
    }

    pub fn n_in(&self) -> usize {
        self.layers[0].n_in
    }

    pub fn n_out(&self) -> usize {
        self.layers[self.layers.len() - 1].n_out
    }

    /// Number of weights and biases.
    pub fn n_params(&self) -> usize {
        self.layers.iter().map(|l| l.w.len() + l.b.len()).sum()
    }

    /// The outputs for a batch.
    pub fn forward(&mut self, x: &[f32]) -> &[f32] {
        let batch = x.len() / self.n_in();
        let n_out = self.n_out();
        transpose(x, batch, self.n_in(), &mut self.t_in);
        let (first, rest) = self.layers.split_first_mut().expect("at least one layer");
        let mut y = first.forward(&self.t_in, batch);
        for l in rest {
            y = l.forward(y, batch);
        }
        transpose(y, n_out, batch, &mut self.out);
        &self.out
    }

    /// Backpropagates ∂loss/∂output of the last forward batch: accumulates every parameter's
    /// gradient and returns ∂loss/∂input.
    pub fn backward(&mut self, dy: &[f32]) -> &[f32] {
        self.backward_with(dy, true, true)
    }

    /// Backpropagation that skips what the caller does not need: parameter gradients (`params`;
    /// e.g. when only the input gradient is wanted) or the gradient with respect to the input
    /// (`input`; returns an empty slice then).
    pub fn backward_with(&mut self, dy: &[f32], params: bool, input: bool) -> &[f32] {
        let batch = self.layers[0].batch;
        let n_in = self.n_in();
        transpose(dy, batch, self.n_out(), &mut self.t_in);
        let mut d: &[f32] = &self.t_in;
        for (k, l) in self.layers.iter_mut().enumerate().rev() {
            d = l.backward(d, params, k > 0 || input);
        }
        if !input {
            self.out.clear();
            return &self.out;
        }
        transpose(d, n_in, batch, &mut self.out);
        &self.out
    }

    /// Sets every gradient to zero.
    pub fn zero_grad(&mut self) {
        for l in &mut self.layers {
            l.gw.fill(0.0);
            l.gb.fill(0.0);
        }
    }

    /// Whether every weight is finite (training has not diverged).
    pub fn is_finite(&self) -> bool {
        self.layers.iter().all(|l| l.w.iter().chain(&l.b).all(|v| v.is_finite()))
    }
}

/// Rounds to bfloat16 (the top 16 bits of an f32, round-to-nearest-even): 8 bits of exponent like
/// f32, 8 of mantissa — about 2–3 significant digits, plenty for shipped weights.
pub fn to_bf16(v: f32) -> u16 {
    let bits = v.to_bits();
    ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

pub fn from_bf16(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

impl Activation {
    const CODES: [Activation; 7] = [Activation::Identity, Activation::Relu, Activation::LeakyRelu, Activation::Tanh, Activation::Sigmoid, Activation::Gelu, Activation::Silu];
}

impl Mlp {
    /// The `MLP1` weights file: magic, u32 layer count, per layer (u32 n_in, u32 n_out, u8
    /// activation), then every layer's W (row-major) and b as little-endian bfloat16.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = b"MLP1".to_vec();
        out.extend((self.layers.len() as u32).to_le_bytes());
        for l in &self.layers {
            out.extend((l.n_in as u32).to_le_bytes());
            out.extend((l.n_out as u32).to_le_bytes());
            out.push(Activation::CODES.iter().position(|&a| a == l.act).unwrap_or(0) as u8);
        }
        for l in &self.layers {
            for &v in l.w.iter().chain(&l.b) {
                out.extend(to_bf16(v).to_le_bytes());
            }
        }
        out
    }

    /// Reads an `MLP1` file. Errors are sentences; nothing in the bytes can make it panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Mlp, String> {
        if bytes.len() < 8 || &bytes[..4] != b"MLP1" {
            return Err("not a network weights file (it should start with MLP1)".into());
        }
        let u32_at = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        let count = u32_at(4).unwrap_or(0);
        if count == 0 || count > 64 {
            return Err(format!("{count} layers is not a plausible network"));
        }
        let mut shapes = Vec::with_capacity(count);
        let mut at = 8;
        for _ in 0..count {
            let (Some(n_in), Some(n_out), Some(&code)) = (u32_at(at), u32_at(at + 4), bytes.get(at + 8)) else {
                return Err("the file ends inside the layer list".into());
            };
            let act = *Activation::CODES.get(code as usize).ok_or("unknown activation code")?;
            if n_in == 0 || n_out == 0 || n_in > 1 << 16 || n_out > 1 << 16 {
                return Err(format!("a layer of {n_in} → {n_out} units is not plausible"));
            }
            if let Some(&(_, prev_out, _)) = shapes.last() {
                if prev_out != n_in {
                    return Err("consecutive layers do not fit together".into());
                }
            }
            shapes.push((n_in, n_out, act));
            at += 9;
        }
        let params: usize = shapes.iter().map(|&(i, o, _)| i * o + o).sum();
        if bytes.len() != at + 2 * params {
            return Err(format!("{} bytes; the layers need {}", bytes.len(), at + 2 * params));
        }
        let mut values = bytes[at..].chunks_exact(2).map(|b| from_bf16(u16::from_le_bytes([b[0], b[1]])));
        let mut rng = Rng::new(0);
        let layers = shapes
            .into_iter()
            .map(|(n_in, n_out, act)| {
                let mut l = Dense::new(n_in, n_out, act, &mut rng);
                l.w.iter_mut().chain(l.b.iter_mut()).for_each(|p| *p = values.next().unwrap_or(0.0));
                l
            })
            .collect();
        Ok(Mlp { layers, t_in: Vec::new(), out: Vec::new() })
    }
}

/// An optimiser: stochastic gradient descent or Adam (Kingma & Ba 2015).
#[derive(Clone, Debug)]
pub enum Optimizer {
    /// θ ← θ − η·g
    Sgd { lr: f32 },
    /// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − η·m̂/(√v̂ + ε) with bias-corrected m̂, v̂.
    Adam { lr: f32, beta1: f32, beta2: f32, eps: f32, t: i32, m: Vec<Vec<f32>>, v: Vec<Vec<f32>> },
}

impl Optimizer {
    pub fn sgd(lr: f32) -> Optimizer {
        Optimizer::Sgd { lr }
    }

    pub fn adam(lr: f32, beta1: f32, beta2: f32) -> Optimizer {
        Optimizer::Adam { lr, beta1, beta2, eps: 1e-8, t: 0, m: Vec::new(), v: Vec::new() }
    }

    /// Changes the learning rate η (Adam keeps its moment estimates).
    pub fn set_learning_rate(&mut self, rate: f32) {
        match self {
            Optimizer::Sgd { lr } | Optimizer::Adam { lr, .. } => *lr = rate,
        }
    }

    /// Applies one update to `net` from its accumulated gradients, scaled by `scale` (e.g. 1/batch).
    pub fn step(&mut self, net: &mut Mlp, scale: f32) {
        match self {
            Optimizer::Sgd { lr } => {
                for l in &mut net.layers {
                    for (p, g) in l.w.iter_mut().zip(&l.gw).chain(l.b.iter_mut().zip(&l.gb)) {
                        *p -= *lr * g * scale;
                    }
                }
            }
            Optimizer::Adam { lr, beta1, beta2, eps, t, m, v } => {
                if m.is_empty() {
                    for l in &net.layers {
                        m.push(vec![0.0; l.w.len() + l.b.len()]);
                        v.push(vec![0.0; l.w.len() + l.b.len()]);
                    }
                }
                *t += 1;
                let c1 = 1.0 - beta1.powi(*t);
                let c2 = 1.0 - beta2.powi(*t);
                for (k, l) in net.layers.iter_mut().enumerate() {
                    let params = l.w.iter_mut().zip(&l.gw).chain(l.b.iter_mut().zip(&l.gb));
                    for ((p, g), (mi, vi)) in params.zip(m[k].iter_mut().zip(v[k].iter_mut())) {
                        let g = g * scale;
                        *mi = *beta1 * *mi + (1.0 - *beta1) * g;
                        *vi = *beta2 * *vi + (1.0 - *beta2) * g * g;
                        *p -= *lr * (*mi / c1) / ((*vi / c2).sqrt() + *eps);
                    }
                }
            }
        }
    }
}

/// Binary cross-entropy on logits s with targets y ∈ [0, 1]:
/// ℓ = max(s, 0) − s·y + log(1 + e^(−|s|)), ∂ℓ/∂s = σ(s) − y. Returns the mean loss and writes
/// the per-example gradients (not divided by the batch) into `grad`.
pub fn bce_with_logits(logits: &[f32], targets: &[f32], grad: &mut Vec<f32>) -> f32 {
    grad.clear();
    let mut total = 0.0f64;
    for (&s, &y) in logits.iter().zip(targets) {
        total += (s.max(0.0) - s * y + (-s.abs()).exp().ln_1p()) as f64;
        grad.push(sigmoid(s) - y);
    }
    (total / logits.len().max(1) as f64) as f32
}

/// Mean squared error ½·mean((p − t)²) with per-example gradient p − t written into `grad`.
pub fn mse(pred: &[f32], target: &[f32], grad: &mut Vec<f32>) -> f32 {
    grad.clear();
    let mut total = 0.0f64;
    for (&p, &t) in pred.iter().zip(target) {
        total += 0.5 * ((p - t) as f64).powi(2);
        grad.push(p - t);
    }
    (total / pred.len().max(1) as f64) as f32
}

#[cfg(test)]
mod tests {
    #[test]
    fn weights_files_round_trip_and_bad_files_are_errors() {
        let net = Mlp::new(&[5, 7, 3], Activation::Silu, Activation::Identity, &mut Rng::new(2));
        let bytes = net.to_bytes();
        let back = Mlp::from_bytes(&bytes).unwrap();
        assert_eq!(back.layers.len(), 2);
        assert_eq!((back.layers[0].act, back.layers[1].act), (Activation::Silu, Activation::Identity));
        for (a, b) in net.layers.iter().zip(&back.layers) {
            for (x, y) in a.w.iter().chain(&a.b).zip(b.w.iter().chain(&b.b)) {
                assert!((x - y).abs() <= x.abs() / 256.0, "{x} vs {y}"); // bfloat16: 8 bits of mantissa
            }
        }
        assert_eq!(to_bf16(1.0), 0x3f80);
        assert_eq!(from_bf16(to_bf16(-2.5)), -2.5);
        for cut in 0..bytes.len() {
            assert!(Mlp::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut rng = Rng::new(9);
        for _ in 0..500 {
            let len = rng.below(80) as usize;
            let mut junk: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
            if len >= 4 && rng.below(2) == 0 {
                junk[..4].copy_from_slice(b"MLP1");
            }
            let _ = Mlp::from_bytes(&junk);
        }
    }

    use super::*;

    const ALL: [Activation; 7] = [
        Activation::Identity,
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
        Activation::Silu,
    ];

    #[test]
    fn rational_tanh_matches_the_true_tanh() {
        let worst = (-120_000..=120_000)
            .map(|k| k as f32 * 1e-4)
            .map(|x| (tanh(x) as f64 - (x as f64).tanh()).abs())
            .fold(0.0, f64::max);
        assert!(worst < 5e-7, "largest error {worst}");
        assert!(tanh(50.0) > 0.999_999 && tanh(-50.0) < -0.999_999 && tanh(50.0) <= 1.0);
        assert!((Activation::Sigmoid.f(1.3) as f64 - 1.0 / (1.0 + (-1.3f64).exp())).abs() < 5e-7);
    }

    #[test]
    fn activation_derivatives_match_finite_differences() {
        for act in ALL {
            for &z in &[-2.3f32, -0.7, 0.4, 1.9] {
                let h = 1e-3f32;
                let fd = (act.f(z + h) - act.f(z - h)) / (2.0 * h);
                let an = act.df(z, act.f(z));
                assert!((fd - an).abs() < 2e-3, "{act:?} at {z}: fd {fd} vs {an}");
            }
        }
        assert!((Activation::Gelu.f(1.0) - 0.841_192).abs() < 1e-4); // closed form of the approximation
    }

    /// loss = ½·Σ(output − target)²; compares backprop with central differences for every parameter.
    #[test]
    fn backprop_gradients_match_finite_differences() {
        for act in ALL {
            let mut rng = Rng::new(5);
            let mut net = Mlp::new(&[3, 5, 4, 2], act, Activation::Tanh, &mut rng);
            let x: Vec<f32> = (0..4 * 3).map(|_| rng.next_f64() as f32 * 2.0 - 1.0).collect();
            let t: Vec<f32> = (0..4 * 2).map(|_| rng.next_f64() as f32 - 0.5).collect();
            let loss = |net: &mut Mlp| -> f64 {
                net.forward(&x).iter().zip(&t).map(|(&o, &y)| 0.5 * ((o - y) as f64).powi(2)).sum()
            };
            net.zero_grad();
            let out = net.forward(&x).to_vec();
            let dy: Vec<f32> = out.iter().zip(&t).map(|(o, y)| o - y).collect();
            net.backward(&dy);
            for li in 0..net.layers.len() {
                for pi in 0..net.layers[li].w.len() {
                    let analytic = net.layers[li].gw[pi] as f64;
                    let orig = net.layers[li].w[pi];
                    let h = 1e-2f32;
                    net.layers[li].w[pi] = orig + h;
                    let up = loss(&mut net);
                    net.layers[li].w[pi] = orig - h;
                    let down = loss(&mut net);
                    net.layers[li].w[pi] = orig;
                    let fd = (up - down) / (2.0 * h as f64);
                    assert!((fd - analytic).abs() < 2e-3 + 2e-2 * analytic.abs(), "{act:?} layer {li} w{pi}: fd {fd} vs {analytic}");
                }
            }
        }
    }

    #[test]
    fn input_gradient_matches_finite_differences() {
        let mut rng = Rng::new(11);
        let mut net = Mlp::new(&[2, 8, 1], Activation::Tanh, Activation::Identity, &mut rng);
        let x = vec![0.3f32, -0.6];
        net.zero_grad();
        net.forward(&x);
        let dx = net.backward(&[1.0]).to_vec();
        for i in 0..2 {
            let mut a = x.clone();
            a[i] += 1e-2;
            let mut b = x.clone();
            b[i] -= 1e-2;
            let fd = (net.forward(&a)[0] - net.forward(&b)[0]) / 2e-2;
            assert!((fd - dx[i]).abs() < 1e-3, "dx{i}: {fd} vs {}", dx[i]);
        }
    }

    #[test]
    fn losses_have_their_closed_forms() {
        let mut g = Vec::new();
        let l = bce_with_logits(&[0.0, 2.0], &[1.0, 0.0], &mut g);
        let want = (2f64.ln() + (1.0 + 2f64.exp()).ln()) / 2.0;
        assert!((l as f64 - want).abs() < 1e-6);
        assert!((g[0] + 0.5).abs() < 1e-6 && (g[1] - sigmoid(2.0)).abs() < 1e-6);
        // Huge logits stay finite.
        assert!(bce_with_logits(&[1e4, -1e4], &[0.0, 1.0], &mut g).is_finite());
        assert!((mse(&[1.0, 3.0], &[0.0, 1.0], &mut g) - 1.25).abs() < 1e-6);
    }

    #[test]
    fn an_mlp_learns_xor_with_adam_and_with_sgd() {
        let x = [0.0f32, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        let y = [0.0f32, 1.0, 1.0, 0.0];
        for mut opt in [Optimizer::adam(0.05, 0.9, 0.999), Optimizer::sgd(1.0)] {
            let mut rng = Rng::new(3);
            let mut net = Mlp::new(&[2, 8, 1], Activation::Tanh, Activation::Identity, &mut rng);
            let mut g = Vec::new();
            let mut loss = f32::INFINITY;
            for _ in 0..2000 {
                net.zero_grad();
                let out = net.forward(&x).to_vec();
                loss = bce_with_logits(&out, &y, &mut g);
                net.backward(&g);
                opt.step(&mut net, 1.0 / 4.0);
            }
            assert!(loss < 0.05, "{opt:?}: loss {loss}");
            let out = net.forward(&x).to_vec();
            let pred: Vec<bool> = out.iter().map(|&s| s > 0.0).collect();
            assert_eq!(pred, [false, true, true, false]);
            assert!(net.is_finite());
        }
    }

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let run = || {
            let mut rng = Rng::new(42);
            let mut net = Mlp::new(&[2, 4, 1], Activation::Relu, Activation::Identity, &mut rng);
            let mut opt = Optimizer::adam(0.01, 0.5, 0.999);
            for _ in 0..50 {
                net.zero_grad();
                net.forward(&[0.5, -0.5]);
                net.backward(&[1.0]);
                opt.step(&mut net, 1.0);
            }
            net.layers[0].w.clone()
        };
        assert_eq!(run(), run());
    }
}
