//! Denoising diffusion (Ho, Jain & Abbeel 2020; DDIM: Song, Meng & Ermon 2021).
//!
//! Forward process: q(x_t | x₀) = N(√ᾱ_t·x₀, (1 − ᾱ_t)·I), with ᾱ_t = Π_{s≤t} (1 − β_s).
//! Reverse process: start from pure noise x_T and remove the predicted noise step by step. Here the
//! noise is predicted by the *optimal* denoiser for a finite training set — the exact posterior
//! mean E[x₀ | x_t] — which shows what a perfect denoiser does: it reproduces its training data.

/// A noise schedule over t = 1 … T (stored 0-based: index t − 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// β_t, the variance added at step t.
    pub beta: Vec<f64>,
    /// ᾱ_t = Π_{s≤t} (1 − β_s), the share of the signal's variance left at step t.
    pub alpha_bar: Vec<f64>,
}

impl Schedule {
    fn from_betas(beta: Vec<f64>) -> Schedule {
        let mut alpha_bar = Vec::with_capacity(beta.len());
        let mut prod = 1.0;
        for b in &beta {
            prod *= 1.0 - b;
            alpha_bar.push(prod);
        }
        Schedule { beta, alpha_bar }
    }

    /// Linear β from `beta_1` to `beta_t` (DDPM used 10⁻⁴ to 0.02 over T = 1000).
    pub fn linear(steps: usize, beta_1: f64, beta_t: f64) -> Schedule {
        let steps = steps.max(1);
        let beta = (0..steps)
            .map(|i| if steps == 1 { beta_1 } else { beta_1 + (beta_t - beta_1) * i as f64 / (steps - 1) as f64 })
            .collect();
        Schedule::from_betas(beta)
    }

    /// Cosine schedule (Nichol & Dhariwal 2021): ᾱ_t = f(t)/f(0), f(t) = cos²(((t/T) + s)/(1 + s)·π/2),
    /// s = 0.008, with β_t = 1 − ᾱ_t/ᾱ_{t−1} clipped to 0.999.
    pub fn cosine(steps: usize) -> Schedule {
        let steps = steps.max(1);
        let s = 0.008;
        let f = |t: f64| (((t / steps as f64) + s) / (1.0 + s) * std::f64::consts::FRAC_PI_2).cos().powi(2);
        let beta = (1..=steps).map(|t| (1.0 - f(t as f64) / f(t as f64 - 1.0)).clamp(0.0, 0.999)).collect();
        Schedule::from_betas(beta)
    }

    /// T, the number of steps.
    pub fn steps(&self) -> usize {
        self.beta.len()
    }

    /// ᾱ_t for t in 0 … T (ᾱ₀ = 1: no noise yet).
    pub fn alpha_bar_at(&self, t: usize) -> f64 {
        if t == 0 {
            1.0
        } else {
            self.alpha_bar[(t - 1).min(self.alpha_bar.len() - 1)]
        }
    }

    /// Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t).
    pub fn snr(&self, t: usize) -> f64 {
        let a = self.alpha_bar_at(t);
        a / (1.0 - a).max(f64::MIN_POSITIVE)
    }
}

/// x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, written into `out`.
pub fn forward(schedule: &Schedule, x0: &[f32], eps: &[f32], t: usize, out: &mut [f32]) {
    let a = schedule.alpha_bar_at(t);
    let (s, n) = (a.sqrt() as f32, (1.0 - a).sqrt() as f32);
    for ((o, &x), &e) in out.iter_mut().zip(x0).zip(eps) {
        *o = s * x + n * e;
    }
}

/// The optimal denoiser for a training set of `data.len() / dim` items: the posterior mean
/// E[x₀ | x_t] = Σᵢ wᵢ·xᵢ with wᵢ ∝ exp(−‖x_t − √ᾱ_t·xᵢ‖² / (2(1 − ᾱ_t))) (a softmax, computed with the
/// log-sum-exp shift). Writes x̂₀ into `x0_hat` and the weights into `weights`.
pub fn optimal_denoise(schedule: &Schedule, data: &[f32], dim: usize, xt: &[f32], t: usize, x0_hat: &mut [f32], weights: &mut Vec<f64>) {
    let a = schedule.alpha_bar_at(t);
    let (s, var) = (a.sqrt(), (1.0 - a).max(1e-12));
    weights.clear();
    for item in data.chunks_exact(dim) {
        let d2: f64 = item.iter().zip(xt).map(|(&x, &y)| (y as f64 - s * x as f64).powi(2)).sum();
        weights.push(-d2 / (2.0 * var));
    }
    let max = weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for w in weights.iter_mut() {
        *w = (*w - max).exp();
        total += *w;
    }
    x0_hat.iter_mut().for_each(|v| *v = 0.0);
    for (w, item) in weights.iter_mut().zip(data.chunks_exact(dim)) {
        *w /= total;
        for (o, &x) in x0_hat.iter_mut().zip(item) {
            *o += (*w * x as f64) as f32;
        }
    }
}

/// The noise a denoiser's x̂₀ implies: ε̂ = (x_t − √ᾱ_t·x̂₀) / √(1 − ᾱ_t).
pub fn implied_noise(schedule: &Schedule, xt: &[f32], x0_hat: &[f32], t: usize, eps_hat: &mut [f32]) {
    let a = schedule.alpha_bar_at(t);
    let (s, n) = (a.sqrt() as f32, (1.0 - a).sqrt().max(1e-12) as f32);
    for ((e, &x), &x0) in eps_hat.iter_mut().zip(xt).zip(x0_hat) {
        *e = (x - s * x0) / n;
    }
}

/// One DDPM step from t to t' < t (t' = t − 1 in the original; larger jumps use the same formulas
/// with β = 1 − ᾱ_t/ᾱ_{t'}): x_{t'} = (x_t − β/√(1 − ᾱ_t)·ε̂)/√(1 − β) + σ·z, with
/// σ² = β̃ = β(1 − ᾱ_{t'})/(1 − ᾱ_t) (the posterior variance) and z ~ N(0, I) given in `z`.
pub fn ddpm_step(schedule: &Schedule, xt: &mut [f32], eps_hat: &[f32], z: &[f32], t: usize, t_prev: usize) {
    let (a, a_prev) = (schedule.alpha_bar_at(t), schedule.alpha_bar_at(t_prev));
    let beta = 1.0 - a / a_prev;
    let c = (beta / (1.0 - a).sqrt()) as f32;
    let k = (1.0 / (1.0 - beta).sqrt()) as f32;
    let sigma = if t_prev > 0 { (beta * (1.0 - a_prev) / (1.0 - a)).sqrt() as f32 } else { 0.0 };
    for ((x, &e), &zz) in xt.iter_mut().zip(eps_hat).zip(z) {
        *x = k * (*x - c * e) + sigma * zz;
    }
}

/// One deterministic DDIM step (η = 0) from t to `t_prev` < t: x_{t'} = √ᾱ_{t'}·x̂₀ + √(1 − ᾱ_{t'})·ε̂.
pub fn ddim_step(schedule: &Schedule, xt: &mut [f32], x0_hat: &[f32], eps_hat: &[f32], t_prev: usize) {
    let a = schedule.alpha_bar_at(t_prev);
    let (s, n) = (a.sqrt() as f32, (1.0 - a).sqrt() as f32);
    for ((x, &x0), &e) in xt.iter_mut().zip(x0_hat).zip(eps_hat) {
        *x = s * x0 + n * e;
    }
}

/// Classifier-free guidance (Ho & Salimans 2022): ε̂ = ε̂_uncond + w·(ε̂_cond − ε̂_uncond), written over
/// `eps_uncond`. w = 0 ignores the condition, w = 1 follows it, w > 1 exaggerates it.
pub fn guide(eps_uncond: &mut [f32], eps_cond: &[f32], w: f32) {
    for (u, &c) in eps_uncond.iter_mut().zip(eps_cond) {
        *u += w * (c - *u);
    }
}

/// The clean image a noise prediction implies: x̂₀ = (x_t − √(1 − ᾱ_t)·ε̂)/√ᾱ_t.
pub fn implied_clean(schedule: &Schedule, xt: &[f32], eps_hat: &[f32], t: usize, x0_hat: &mut [f32]) {
    let a = schedule.alpha_bar_at(t);
    let (s, n) = (a.sqrt().max(1e-6) as f32, (1.0 - a).sqrt() as f32);
    for ((o, &x), &e) in x0_hat.iter_mut().zip(xt).zip(eps_hat) {
        *o = (x - n * e) / s;
    }
}

/// The reverse process's time steps for `count` sampling steps out of T: T = t_count > … > t_1 > t_0 = 0,
/// evenly spaced (DDIM's "uniform" skipping).
pub fn sampling_times(steps: usize, count: usize) -> Vec<usize> {
    let count = count.clamp(1, steps.max(1));
    (0..=count).rev().map(|i| (i * steps + count / 2) / count).collect()
}

/// Handwritten digits, 8 × 8 pixels, scaled from 0 … 16 to [−1, 1].
#[derive(Clone, Debug)]
pub struct Digits {
    pub labels: Vec<u8>,
    /// n × 64, row-major, in [−1, 1].
    pub pixels: Vec<f32>,
}

impl Digits {
    pub const SIDE: usize = 8;
    pub const DIM: usize = 64;

    /// Reads `DIG1`: magic, u32 n, then n × (label, 64 pixels 0–16). Errors are sentences.
    pub fn from_dig1(bytes: &[u8]) -> Result<Digits, String> {
        if bytes.len() < 8 || &bytes[..4] != b"DIG1" {
            return Err("not a digits file (it should start with DIG1)".into());
        }
        let n = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let need = n.checked_mul(65).and_then(|b| b.checked_add(8)).ok_or("the digit count is impossible")?;
        if bytes.len() != need {
            return Err(format!("{} bytes for {n} digits; expected {need}", bytes.len()));
        }
        let mut labels = Vec::with_capacity(n);
        let mut pixels = Vec::with_capacity(n * 64);
        for rec in bytes[8..].chunks_exact(65) {
            if rec[0] > 9 || rec[1..].iter().any(|&p| p > 16) {
                return Err("a label or pixel is out of range".into());
            }
            labels.push(rec[0]);
            pixels.extend(rec[1..].iter().map(|&p| p as f32 / 8.0 - 1.0));
        }
        Ok(Digits { labels, pixels })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image(&self, i: usize) -> &[f32] {
        &self.pixels[i * 64..(i + 1) * 64]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn schedules_have_their_closed_forms() {
        let lin = Schedule::linear(1000, 1e-4, 0.02);
        assert_eq!(lin.steps(), 1000);
        assert!((lin.beta[0] - 1e-4).abs() < 1e-15 && (lin.beta[999] - 0.02).abs() < 1e-15);
        // ᾱ_t = Π(1 − β_s); at T/2 ≈ 0.079 (REFERENCE.md), at T ≈ 4·10⁻⁵.
        let direct: f64 = lin.beta[..500].iter().map(|b| 1.0 - b).product();
        assert!((lin.alpha_bar_at(500) - direct).abs() < 1e-12);
        assert!((lin.alpha_bar_at(500) - 0.079).abs() < 0.001, "{}", lin.alpha_bar_at(500));
        assert!(lin.alpha_bar_at(1000) < 1e-4);
        let cos = Schedule::cosine(1000);
        let f = |t: f64| (((t / 1000.0) + 0.008) / 1.008 * std::f64::consts::FRAC_PI_2).cos().powi(2);
        for t in [1, 100, 500, 900] {
            assert!((cos.alpha_bar_at(t) - f(t as f64) / f(0.0)).abs() < 1e-9, "t = {t}");
        }
        assert!((cos.alpha_bar_at(500) - 0.494).abs() < 0.001, "{}", cos.alpha_bar_at(500));
        assert!(cos.beta.iter().all(|&b| b > 0.0 && b <= 0.999));
        assert_eq!(lin.alpha_bar_at(0), 1.0);
        assert!(lin.snr(10) > lin.snr(500) && lin.snr(500) > lin.snr(990));
    }

    #[test]
    fn the_forward_sample_has_the_predicted_mean_and_variance() {
        let sched = Schedule::linear(1000, 1e-4, 0.02);
        let mut rng = Rng::new(7);
        let n = 200_000;
        let x0 = vec![0.8f32; n];
        let mut eps = vec![0.0f32; n];
        rng.fill_normal(&mut eps);
        let mut xt = vec![0.0f32; n];
        for t in [50, 300, 700] {
            forward(&sched, &x0, &eps, t, &mut xt);
            let mean = xt.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
            let var = xt.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n as f64;
            let a = sched.alpha_bar_at(t);
            assert!((mean - a.sqrt() * 0.8).abs() < 0.01, "t = {t}: mean {mean}");
            assert!((var - (1.0 - a)).abs() < 0.01, "t = {t}: variance {var}");
        }
    }

    #[test]
    fn the_optimal_denoiser_returns_the_nearest_training_item_as_noise_vanishes() {
        let sched = Schedule::linear(100, 1e-4, 0.02);
        let data = [0.0f32, 1.0, 1.0, 0.0, -1.0, -1.0]; // three 2-D items
        let mut x0 = [0.0f32; 2];
        let mut w = Vec::new();
        // Near item 1 at t = 1 (almost no noise): the weight is all on item 1.
        optimal_denoise(&sched, &data, 2, &[0.97, 0.05], 1, &mut x0, &mut w);
        assert!(w[1] > 0.999 && (x0[0] - 1.0).abs() < 1e-3 && x0[1].abs() < 1e-3, "{w:?} {x0:?}");
        // At t = T of a schedule that ends in pure noise, the data is forgotten: weights near uniform.
        optimal_denoise(&Schedule::cosine(100), &data, 2, &[0.0, 0.0], 100, &mut x0, &mut w);
        assert!(w.iter().all(|&v| (v - 1.0 / 3.0).abs() < 0.05), "{w:?}");
    }

    #[test]
    fn sampling_with_the_optimal_denoiser_memorises_the_training_set() {
        // DDIM and DDPM from pure noise end (almost) exactly on a training item: a perfect denoiser
        // for a finite set can only reproduce it.
        let sched = Schedule::cosine(100);
        let mut rng = Rng::new(3);
        let dim = 4;
        let mut data = vec![0.0f32; 5 * dim];
        rng.fill_normal(&mut data);
        let (mut x0, mut eps, mut w) = (vec![0.0f32; dim], vec![0.0f32; dim], Vec::new());
        for ddim in [true, false] {
            let mut x = vec![0.0f32; dim];
            rng.fill_normal(&mut x);
            let mut z = vec![0.0f32; dim];
            for t in (1..=100).rev() {
                optimal_denoise(&sched, &data, dim, &x, t, &mut x0, &mut w);
                implied_noise(&sched, &x, &x0, t, &mut eps);
                if ddim {
                    ddim_step(&sched, &mut x, &x0, &eps, t - 1);
                } else {
                    rng.fill_normal(&mut z);
                    ddpm_step(&sched, &mut x, &eps, &z, t, t - 1);
                }
            }
            let nearest = data.chunks_exact(dim).map(|d| d.iter().zip(&x).map(|(a, b)| (a - b).powi(2)).sum::<f32>().sqrt()).fold(f32::MAX, f32::min);
            assert!(nearest < 0.02, "ddim = {ddim}: distance to the nearest training item {nearest}");
        }
    }

    #[test]
    fn sampling_times_run_from_t_to_zero() {
        assert_eq!(sampling_times(1000, 4), vec![1000, 750, 500, 250, 0]);
        assert_eq!(sampling_times(10, 10), (0..=10).rev().collect::<Vec<_>>());
        assert_eq!(sampling_times(10, 99), (0..=10).rev().collect::<Vec<_>>());
    }

    #[test]
    fn the_shipped_digits_load_and_bad_files_are_errors() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/diffusion/digits.bin")).unwrap();
        let d = Digits::from_dig1(&bytes).unwrap();
        assert_eq!(d.len(), 1797);
        assert_eq!(d.labels[..5], [0, 1, 2, 3, 4]);
        assert!(d.pixels.iter().all(|&p| (-1.0..=1.0).contains(&p)));
        for cut in [0, 3, 7, 8, 100, bytes.len() - 1] {
            assert!(Digits::from_dig1(&bytes[..cut]).is_err());
        }
        let mut bad = bytes.clone();
        bad[9] = 17;
        assert!(Digits::from_dig1(&bad).is_err());
    }

    #[test]
    fn guidance_towards_a_class_lands_on_that_class() {
        // Two classes of 2-D "images": class 0 near (−1, 0), class 1 near (1, 0). Guided towards
        // class 1 with w = 1 (the conditional model) or w = 3, DDIM ends on a class-1 item.
        let sched = Schedule::cosine(100);
        let data = [-1.0f32, 0.1, -1.1, -0.1, -0.9, 0.0, 1.0, 0.1, 1.1, -0.1];
        let labels = [0u8, 0, 0, 1, 1];
        let class1: Vec<f32> = data.chunks_exact(2).zip(labels).filter(|(_, l)| *l == 1).flat_map(|(d, _)| d.to_vec()).collect();
        let mut rng = Rng::new(11);
        for w in [1.0f32, 3.0] {
            for _ in 0..5 {
                let mut x = vec![0.0f32; 2];
                rng.fill_normal(&mut x);
                let (mut x0u, mut x0c, mut eu, mut ec, mut x0, mut wt) = (vec![0.0; 2], vec![0.0; 2], vec![0.0; 2], vec![0.0; 2], vec![0.0; 2], Vec::new());
                for t in (1..=100).rev() {
                    optimal_denoise(&sched, &data, 2, &x, t, &mut x0u, &mut wt);
                    implied_noise(&sched, &x, &x0u, t, &mut eu);
                    optimal_denoise(&sched, &class1, 2, &x, t, &mut x0c, &mut wt);
                    implied_noise(&sched, &x, &x0c, t, &mut ec);
                    guide(&mut eu, &ec, w);
                    implied_clean(&sched, &x, &eu, t, &mut x0);
                    ddim_step(&sched, &mut x, &x0, &eu, t - 1);
                }
                assert!(x[0] > 0.5, "w = {w}: ended at {x:?}, not in class 1");
            }
        }
        let mut e = [1.0f32, 2.0];
        guide(&mut e, &[3.0, 2.0], 0.0);
        assert_eq!(e, [1.0, 2.0]); // w = 0: the condition is ignored
    }
}

/// A diffusion model on 2-D points, trained live: an MLP ε_θ(x_t, t) predicts the noise in x_t
/// (the DDPM "simple" loss ‖ε − ε_θ(√ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, t)‖²), with t fed in as sinusoidal
/// features (Vaswani et al. 2017). The shared `nn` core does the learning.
pub mod points {
    use super::{ddim_step, ddpm_step, implied_clean, Schedule};
    use crate::nn::{mse, Activation, Mlp, Optimizer};
    use crate::rng::Rng;

    /// |x̂₀| is clipped to this when sampling (the data lie within ±2.6).
    pub const CLIP: f32 = 3.0;

    /// Sinusoidal features of t: sin and cos of t/T·π·2^k·… for `TIME_FEATURES / 2` frequencies.
    pub const TIME_FEATURES: usize = 16;

    fn time_features(t: usize, steps: usize, out: &mut [f32]) {
        let x = t as f32 / steps as f32;
        for k in 0..TIME_FEATURES / 2 {
            let f = std::f32::consts::PI * (1 << k) as f32 * x;
            out[2 * k] = f.sin();
            out[2 * k + 1] = f.cos();
        }
    }

    pub struct PointDiffusion {
        pub schedule: Schedule,
        pub net: Mlp,
        opt: Optimizer,
        rng: Rng,
        data: Vec<f32>,
        pub batch: usize,
        pub step: u64,
        input: Vec<f32>,
        eps: Vec<f32>,
        grad: Vec<f32>,
    }

    impl PointDiffusion {
        /// A fresh model for the points `data` (x, y pairs): `steps` diffusion steps (cosine
        /// schedule), an MLP (2 + 16) → hidden… → 2 with SiLU units, Adam at `lr`.
        pub fn new(data: Vec<f32>, steps: usize, hidden: &[usize], lr: f32, batch: usize, seed: u64) -> PointDiffusion {
            let mut rng = Rng::new(seed);
            let mut sizes = vec![2 + TIME_FEATURES];
            sizes.extend_from_slice(hidden);
            sizes.push(2);
            let net = Mlp::new(&sizes, Activation::Silu, Activation::Identity, &mut rng);
            PointDiffusion {
                schedule: Schedule::cosine(steps),
                net,
                opt: Optimizer::adam(lr, 0.9, 0.999),
                rng,
                data,
                batch: batch.max(1),
                step: 0,
                input: Vec::new(),
                eps: Vec::new(),
                grad: Vec::new(),
            }
        }

        fn fill_input(&mut self, xs: &[f32], ts: &[usize]) {
            let width = 2 + TIME_FEATURES;
            let steps = self.schedule.steps();
            self.input.resize(ts.len() * width, 0.0);
            for (k, &t) in ts.iter().enumerate() {
                let row = &mut self.input[k * width..(k + 1) * width];
                row[..2].copy_from_slice(&xs[2 * k..2 * k + 2]);
                time_features(t, steps, &mut row[2..]);
            }
        }

        /// One Adam step on a fresh batch; returns the batch's loss ½·mean‖ε − ε_θ‖² per coordinate.
        pub fn train_step(&mut self) -> f32 {
            let n = self.batch;
            let count = (self.data.len() / 2) as u64;
            let mut x0 = vec![0.0f32; 2 * n];
            let mut ts = vec![0usize; n];
            for k in 0..n {
                let i = self.rng.below(count) as usize;
                x0[2 * k..2 * k + 2].copy_from_slice(&self.data[2 * i..2 * i + 2]);
                ts[k] = 1 + self.rng.below(self.schedule.steps() as u64) as usize;
            }
            self.eps.resize(2 * n, 0.0);
            self.rng.fill_normal(&mut self.eps);
            let mut xt = vec![0.0f32; 2 * n];
            for k in 0..n {
                let a = self.schedule.alpha_bar_at(ts[k]);
                let (s, q) = (a.sqrt() as f32, (1.0 - a).sqrt() as f32);
                for j in 0..2 {
                    xt[2 * k + j] = s * x0[2 * k + j] + q * self.eps[2 * k + j];
                }
            }
            self.fill_input(&xt, &ts);
            self.net.zero_grad();
            let input = std::mem::take(&mut self.input);
            let pred = self.net.forward(&input).to_vec();
            self.input = input;
            let loss = mse(&pred, &self.eps, &mut self.grad);
            let grad = std::mem::take(&mut self.grad);
            self.net.backward_with(&grad, true, false);
            self.grad = grad;
            self.opt.step(&mut self.net, 1.0 / (2 * n) as f32);
            self.step += 1;
            loss
        }

        /// ε_θ(x, t) for every point of `xs`.
        pub fn predict(&mut self, xs: &[f32], t: usize) -> Vec<f32> {
            let ts = vec![t; xs.len() / 2];
            self.fill_input(xs, &ts);
            let input = std::mem::take(&mut self.input);
            let out = self.net.forward(&input).to_vec();
            self.input = input;
            out
        }

        /// One reverse step for all of `xs` from t to t' (DDIM, or DDPM with noise from `rng`).
        pub fn reverse_step(&mut self, xs: &mut [f32], t: usize, t_prev: usize, ddpm: bool, rng: &mut Rng) {
            let eps = self.predict(xs, t);
            if ddpm {
                let mut z = vec![0.0f32; xs.len()];
                rng.fill_normal(&mut z);
                ddpm_step(&self.schedule, xs, &eps, &z, t, t_prev);
            } else {
                // x̂₀ is clipped to the plotted square (near t = T, where ᾱ_t ≈ 0, dividing by √ᾱ_t
                // amplifies any error in ε̂), and ε̂ re-derived from it — "clipped" DDIM sampling.
                let mut x0 = vec![0.0f32; xs.len()];
                implied_clean(&self.schedule, xs, &eps, t, &mut x0);
                x0.iter_mut().for_each(|v| *v = v.clamp(-CLIP, CLIP));
                let mut eps = eps;
                super::implied_noise(&self.schedule, xs, &x0, t, &mut eps);
                ddim_step(&self.schedule, xs, &x0, &eps, t_prev);
            }
        }

        /// The training points.
        pub fn data(&self) -> &[f32] {
            &self.data
        }

        /// Whether every weight is finite.
        pub fn is_finite(&self) -> bool {
            self.net.is_finite()
        }
    }

    /// The median, over `samples`, of the distance to the nearest point of `data` (x, y pairs):
    /// small when the samples lie on the data, whatever its shape.
    pub fn median_nearest_distance(samples: &[f32], data: &[f32]) -> f32 {
        let mut d: Vec<f32> = samples
            .chunks_exact(2)
            .map(|s| data.chunks_exact(2).map(|p| (p[0] - s[0]).hypot(p[1] - s[1])).fold(f32::INFINITY, f32::min))
            .collect();
        if d.is_empty() {
            return f32::NAN;
        }
        d.sort_by(|a, b| a.total_cmp(b));
        d[d.len() / 2]
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::diffusion::sampling_times;
        use crate::gan::Preset;

        fn generate(model: &mut PointDiffusion, n: usize, steps: usize, seed: u64) -> Vec<f32> {
            let mut rng = Rng::new(seed);
            let mut xs = vec![0.0f32; 2 * n];
            rng.fill_normal(&mut xs);
            let times = sampling_times(model.schedule.steps(), steps);
            for w in times.windows(2) {
                model.reverse_step(&mut xs, w[0], w[1], false, &mut rng);
            }
            xs
        }

        #[test]
        fn a_swiss_roll_is_learned_and_sampled() {
            let data = Preset::SwissRoll.sample(2000, &mut Rng::new(5));
            // Settings scanned natively: T = 50, Adam 3·10⁻³ reaches ≈ 0.03 by 3,000 steps.
            let mut model = PointDiffusion::new(data.clone(), 50, &[64, 64, 64], 3e-3, 128, 1);
            let first: f32 = (0..20).map(|_| model.train_step()).sum::<f32>() / 20.0;
            for _ in 0..3000 {
                model.train_step();
            }
            let last: f32 = (0..50).map(|_| model.train_step()).sum::<f32>() / 50.0;
            assert!(last < 0.7 * first, "loss {first} → {last}");
            let samples = generate(&mut model, 400, 50, 9);
            let ours = median_nearest_distance(&samples, &data);
            let mut gauss = vec![0.0f32; 800];
            Rng::new(9).fill_normal(&mut gauss);
            let baseline = median_nearest_distance(&gauss, &data);
            assert!(ours < 0.045 && ours < baseline / 3.0, "median nearest-data distance {ours} (Gaussian {baseline})");
            assert!(model.is_finite());
        }

        #[test]
        fn training_is_deterministic_for_a_seed() {
            let data = Preset::Ring.sample(500, &mut Rng::new(2));
            let run = || {
                let mut m = PointDiffusion::new(data.clone(), 50, &[16], 1e-3, 32, 4);
                (0..20).map(|_| m.train_step()).collect::<Vec<f32>>()
            };
            assert_eq!(run(), run());
        }
    }
}
