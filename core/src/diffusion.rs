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

/// Pixel-art icons on a square grid (npm pixelarticons, rasterised by
/// `tools/diffusion/prepare_icons.mjs`): ink is 1, background −1.
#[derive(Clone, Debug)]
pub struct Icons {
    pub names: Vec<String>,
    pub side: usize,
    /// n × side², row-major.
    pub pixels: Vec<f32>,
}

impl Icons {
    /// Reads `ICN1`: magic, u32 n, u8 side, then n × (u8 name length, name, side²/8 bytes of bits,
    /// rows top first, most significant bit first). Errors are sentences.
    pub fn from_icn1(bytes: &[u8]) -> Result<Icons, String> {
        if bytes.len() < 9 || &bytes[..4] != b"ICN1" {
            return Err("not an icons file (it should start with ICN1)".into());
        }
        let n = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let side = bytes[8] as usize;
        if side == 0 || !side.is_multiple_of(8) || n > 100_000 {
            return Err(format!("{n} icons of side {side} is not plausible"));
        }
        let bits = side * side / 8;
        let (mut names, mut pixels, mut at) = (Vec::with_capacity(n), Vec::with_capacity(n * side * side), 9);
        for _ in 0..n {
            let len = *bytes.get(at).ok_or("the file ends early")? as usize;
            let name = bytes.get(at + 1..at + 1 + len).ok_or("the file ends inside a name")?;
            names.push(String::from_utf8(name.to_vec()).map_err(|_| "a name is not UTF-8")?);
            let img = bytes.get(at + 1 + len..at + 1 + len + bits).ok_or("the file ends inside an image")?;
            pixels.extend(img.iter().flat_map(|&b| (0..8).rev().map(move |k| if (b >> k) & 1 == 1 { 1.0 } else { -1.0 })));
            at += 1 + len + bits;
        }
        if at != bytes.len() {
            return Err("there are bytes after the last icon".into());
        }
        Ok(Icons { names, side, pixels })
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn image(&self, i: usize) -> &[f32] {
        let n = self.side * self.side;
        &self.pixels[i * n..(i + 1) * n]
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// An image given as RGBA bytes (`side` × `side`), as grey values in [−1, 1] (transparent pixels
/// count as white paper, like a drawing).
pub fn grey_from_rgba(rgba: &[u8]) -> Vec<f32> {
    rgba.chunks_exact(4)
        .map(|p| {
            let a = p[3] as f32 / 255.0;
            let lum = (0.2126 * p[0] as f32 + 0.7152 * p[1] as f32 + 0.0722 * p[2] as f32) / 255.0;
            (lum * a + (1.0 - a)) * 2.0 - 1.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_icons_load_and_bad_files_are_errors() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/diffusion/icons.bin")).unwrap();
        let icons = Icons::from_icn1(&bytes).unwrap();
        assert_eq!((icons.len(), icons.side), (1036, 24));
        let heart = icons.image(icons.find("heart").unwrap());
        // A heart is symmetric left–right and has ink.
        for row in heart.chunks(24) {
            assert!(row.iter().zip(row.iter().rev()).all(|(a, b)| a == b));
        }
        assert!(heart.iter().filter(|&&v| v > 0.0).count() > 40);
        for cut in [0, 5, 9, 100, bytes.len() - 1] {
            assert!(Icons::from_icn1(&bytes[..cut]).is_err());
        }
        assert_eq!(grey_from_rgba(&[255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 0]), vec![1.0, -1.0, 1.0]);
    }
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
    fn the_shipped_digit_denoiser_makes_new_digits_that_follow_the_prompt() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/diffusion");
        let digits = Digits::from_dig1(&std::fs::read(format!("{root}/digits.bin")).unwrap()).unwrap();
        let json = std::fs::read_to_string(format!("{root}/denoiser.json")).unwrap();
        assert!(json.contains(&format!("\"steps\": {},", digit_model::PRETRAINED_STEPS)), "denoiser.json and PRETRAINED_STEPS disagree");
        let net = crate::nn::Mlp::from_bytes(&std::fs::read(format!("{root}/denoiser.bin")).unwrap()).unwrap();
        let mut model = digit_model::model(&digits, Some(net), 1).unwrap();
        let sample = |model: &mut learned::LearnedDiffusion, schedule: &Schedule, class: Option<u8>, w: f32, seed: u64| {
            let mut rng = Rng::new(seed);
            let mut xs = vec![0.0f32; 16 * 64];
            rng.fill_normal(&mut xs);
            for s in sampling_times(digit_model::T, 25).windows(2) {
                model.reverse_step_under(schedule, &mut xs, s[0], s[1], false, class, w, &mut rng);
            }
            xs.chunks_exact(64).map(|x| nearest_item(&digits.pixels, 64, x).unwrap()).collect::<Vec<_>>()
        };
        // Unguided, under either schedule: no sample is a copy of a training digit, and the median
        // sample is far nearer to some digit than noise is (noise: ≈ 9; digits among themselves ≈ 2).
        for schedule in [Schedule::cosine(digit_model::T), Schedule::linear(digit_model::T, 1e-4, 0.02)] {
            let mut d: Vec<f32> = sample(&mut model, &schedule, None, 0.0, 5).iter().map(|n| n.1).collect();
            d.sort_by(|a, b| a.total_cmp(b));
            assert!(d[0] > 0.5, "a copy: {d:?}");
            assert!(d[8] < 3.5, "not digit-like: median {}", d[8]);
        }
        // Asked for a 4 with w = 3: most samples are nearest to a training 4.
        let hits = sample(&mut model, &Schedule::cosine(digit_model::T), Some(4), 3.0, 6).iter().filter(|n| digits.labels[n.0] == 4).count();
        assert!(hits >= 13, "{hits} of 16 follow the prompt");
        // Training further lowers the loss of a fresh model quickly (the loss falls).
        let mut fresh = digit_model::model(&digits, None, 2).unwrap();
        fresh.batch = 32;
        let first: f32 = (0..10).map(|_| fresh.train_step()).sum::<f32>() / 10.0;
        for _ in 0..150 {
            fresh.train_step();
        }
        let last: f32 = (0..10).map(|_| fresh.train_step()).sum::<f32>() / 10.0;
        assert!(last < 0.8 * first, "loss {first} → {last}");
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

/// A learned diffusion model: an MLP ε_θ(x_t, t, c) predicts the noise in x_t, trained on the DDPM
/// "simple" loss ‖ε − ε_θ(√ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, t, c)‖² (Ho et al. 2020). The time enters as
/// sinusoidal features (Vaswani et al. 2017); an optional class c enters one-hot, and is dropped
/// (replaced by "no class") for a share of the training examples so that the same network also
/// predicts unconditionally — what classifier-free guidance needs (Ho & Salimans 2022). The shared
/// `nn` core does the learning.
pub mod learned {
    use super::{ddim_step, ddpm_step, implied_clean, implied_noise, Schedule};
    use crate::nn::{mse, Activation, Mlp, Optimizer};
    use crate::rng::Rng;

    /// Sinusoidal features of the time: sin and cos of π·2^k·τ for k < `TIME_FEATURES / 2`.
    pub const TIME_FEATURES: usize = 16;

    /// What the network is told about the time.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum TimeInput {
        /// τ = t / T, the step number.
        Step,
        /// τ = √(1 − ᾱ_t), the noise level itself: the network then works under any schedule.
        NoiseLevel,
        /// τ = (log-SNR + 10)/20 with log-SNR = ln(ᾱ_t/(1 − ᾱ_t)) clamped to ±10: also schedule-free,
        /// and spread evenly over the noise levels where the image appears (Kingma et al. 2021).
        LogSnr,
    }

    fn time_features(tau: f32, out: &mut [f32]) {
        for k in 0..TIME_FEATURES / 2 {
            let f = std::f32::consts::PI * (1 << k) as f32 * tau;
            out[2 * k] = f.sin();
            out[2 * k + 1] = f.cos();
        }
    }

    /// What a prediction is conditioned on: nothing, a class, or a vector (e.g. a text embedding).
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub enum Cond<'a> {
        None,
        Class(u8),
        Vector(&'a [f32]),
    }

    /// The network's input width: the item, the time features, the class one-hot (with a "no
    /// class" slot) and the condition vector (all zeros for "no condition").
    fn input_width(dim: usize, classes: usize, cond_dim: usize) -> usize {
        dim + TIME_FEATURES + if classes > 0 { classes + 1 } else { 0 } + cond_dim
    }

    /// The model and its training state.
    pub struct LearnedDiffusion {
        /// The schedule training draws t from.
        pub schedule: Schedule,
        pub net: Mlp,
        opt: Optimizer,
        rng: Rng,
        data: Vec<f32>,
        labels: Vec<u8>,
        /// Width of one data item (2 for points, 64 for 8 × 8 images).
        pub dim: usize,
        /// Number of classes (0: unconditional). The one-hot input has `classes + 1` slots, the last
        /// meaning "no class".
        pub classes: usize,
        /// Width of the condition vectors (0: none); `conds` holds one per training item.
        pub cond_dim: usize,
        conds: Vec<f32>,
        /// The network outputs the clean item x̂₀ instead of the noise ε̂ (ε̂ is then derived:
        /// ε̂ = (x_t − √ᾱ_t·x̂₀)/√(1 − ᾱ_t)). For wide items (a 24 × 24 image) through narrow hidden
        /// layers: predicting ε means passing 576 independent noise values through the bottleneck,
        /// predicting x₀ only needs the image, which is compressible.
        pub predicts_clean: bool,
        /// Share of training examples whose class (or condition vector) is dropped.
        pub p_uncond: f32,
        pub time_input: TimeInput,
        /// |x̂₀| is clipped to this when sampling with DDIM.
        pub clip: f32,
        pub batch: usize,
        pub step: u64,
        input: Vec<f32>,
        eps: Vec<f32>,
        grad: Vec<f32>,
    }

    impl LearnedDiffusion {
        /// A fresh model for `data` (items of width `dim`, with `labels` if `classes` > 0): an MLP
        /// (dim + 16 + one-hot) → `hidden`… → dim with SiLU units, trained by Adam at `lr`.
        #[allow(clippy::too_many_arguments)]
        pub fn new(data: Vec<f32>, labels: Vec<u8>, dim: usize, classes: usize, schedule: Schedule, time_input: TimeInput, hidden: &[usize], lr: f32, batch: usize, seed: u64) -> LearnedDiffusion {
            let mut rng = Rng::new(seed);
            let net = Self::fresh_net(input_width(dim, classes, 0), hidden, dim, &mut rng);
            LearnedDiffusion::with_net(net, data, labels, dim, classes, schedule, time_input, lr, batch, rng)
        }

        fn fresh_net(width: usize, hidden: &[usize], dim: usize, rng: &mut Rng) -> Mlp {
            let mut sizes = vec![width];
            sizes.extend_from_slice(hidden);
            sizes.push(dim);
            Mlp::new(&sizes, Activation::Silu, Activation::Identity, rng)
        }

        /// A model conditioned on one vector per training item (`conds`, width `cond_dim`; e.g. the
        /// text embedding of each image's caption), dropped to zeros for a share `p_uncond` of the
        /// examples so that classifier-free guidance works. A fresh network if `net` is None.
        #[allow(clippy::too_many_arguments)]
        pub fn vector_conditioned(net: Option<Mlp>, data: Vec<f32>, conds: Vec<f32>, dim: usize, cond_dim: usize, schedule: Schedule, time_input: TimeInput, hidden: &[usize], lr: f32, batch: usize, seed: u64) -> Result<LearnedDiffusion, String> {
            let mut rng = Rng::new(seed);
            let want = input_width(dim, 0, cond_dim);
            let net = match net {
                Some(net) if net.n_in() != want || net.n_out() != dim => return Err(format!("the network maps {} → {} numbers; this model needs {want} → {dim}", net.n_in(), net.n_out())),
                Some(net) => net,
                None => Self::fresh_net(want, hidden, dim, &mut rng),
            };
            if conds.len() / cond_dim.max(1) != data.len() / dim.max(1) {
                return Err(format!("{} condition vectors for {} items", conds.len() / cond_dim.max(1), data.len() / dim.max(1)));
            }
            let mut m = LearnedDiffusion::with_net(net, data, Vec::new(), dim, 0, schedule, time_input, lr, batch, rng);
            m.cond_dim = cond_dim;
            m.conds = conds;
            Ok(m)
        }

        /// A model around an existing (e.g. pretrained) network. Errors if its widths do not fit.
        #[allow(clippy::too_many_arguments)]
        pub fn from_net(net: Mlp, data: Vec<f32>, labels: Vec<u8>, dim: usize, classes: usize, schedule: Schedule, time_input: TimeInput, lr: f32, batch: usize, seed: u64) -> Result<LearnedDiffusion, String> {
            let want = input_width(dim, classes, 0);
            if net.n_in() != want || net.n_out() != dim {
                return Err(format!("the network maps {} → {} numbers; this model needs {want} → {dim}", net.n_in(), net.n_out()));
            }
            Ok(LearnedDiffusion::with_net(net, data, labels, dim, classes, schedule, time_input, lr, batch, Rng::new(seed)))
        }

        #[allow(clippy::too_many_arguments)]
        fn with_net(net: Mlp, data: Vec<f32>, labels: Vec<u8>, dim: usize, classes: usize, schedule: Schedule, time_input: TimeInput, lr: f32, batch: usize, rng: Rng) -> LearnedDiffusion {
            LearnedDiffusion {
                schedule,
                net,
                opt: Optimizer::adam(lr, 0.9, 0.999),
                rng,
                data,
                labels,
                dim,
                classes,
                cond_dim: 0,
                conds: Vec::new(),
                predicts_clean: false,
                p_uncond: 0.1,
                time_input,
                clip: 1.0,
                batch: batch.max(1),
                step: 0,
                input: Vec::new(),
                eps: Vec::new(),
                grad: Vec::new(),
            }
        }

        /// The 2-D point model of the "trained live" widget: T steps of the cosine schedule, time
        /// given as t / T, no classes, x̂₀ clipped to ±3 (the data lie within ±2.6).
        pub fn points(data: Vec<f32>, steps: usize, hidden: &[usize], lr: f32, batch: usize, seed: u64) -> LearnedDiffusion {
            let mut m = LearnedDiffusion::new(data, Vec::new(), 2, 0, Schedule::cosine(steps), TimeInput::Step, hidden, lr, batch, seed);
            m.clip = 3.0;
            m
        }

        /// τ, the time as the network sees it, for step t of `schedule`.
        fn tau(time_input: TimeInput, schedule: &Schedule, t: usize) -> f32 {
            match time_input {
                TimeInput::Step => t as f32 / schedule.steps() as f32,
                TimeInput::NoiseLevel => (1.0 - schedule.alpha_bar_at(t)).sqrt() as f32,
                TimeInput::LogSnr => {
                    let a = schedule.alpha_bar_at(t).clamp(1e-12, 1.0 - 1e-12);
                    (((a / (1.0 - a)).ln().clamp(-10.0, 10.0) + 10.0) / 20.0) as f32
                }
            }
        }

        /// Network inputs for items `xs` at times `taus` (see [`Self::tau`]), with conditions `cs`.
        fn fill_input(&mut self, xs: &[f32], taus: &[f32], cs: &[Cond<'_>]) {
            let (dim, cond_dim) = (self.dim, self.cond_dim);
            let onehot = if self.classes > 0 { self.classes + 1 } else { 0 };
            let width = input_width(dim, self.classes, cond_dim);
            let mut input = std::mem::take(&mut self.input);
            input.clear();
            input.resize(taus.len() * width, 0.0);
            for (k, (&tau, &c)) in taus.iter().zip(cs).enumerate() {
                let row = &mut input[k * width..(k + 1) * width];
                row[..dim].copy_from_slice(&xs[dim * k..dim * (k + 1)]);
                time_features(tau, &mut row[dim..dim + TIME_FEATURES]);
                let at = dim + TIME_FEATURES;
                if onehot > 0 {
                    let slot = match c {
                        Cond::Class(c) => (c as usize).min(self.classes),
                        _ => self.classes,
                    };
                    row[at + slot] = 1.0;
                }
                if let (Cond::Vector(v), true) = (c, cond_dim > 0) {
                    row[at + onehot..at + onehot + cond_dim].copy_from_slice(&v[..cond_dim]);
                }
            }
            self.input = input;
        }

        /// One Adam step on a fresh batch; returns the batch's loss ½·mean(ε − ε_θ)² per coordinate.
        pub fn train_step(&mut self) -> f32 {
            let (n, dim) = (self.batch, self.dim);
            let count = (self.data.len() / dim) as u64;
            let mut x0 = vec![0.0f32; dim * n];
            let mut ts = vec![0usize; n];
            // the item whose condition each example keeps (None: dropped, or an unconditional model)
            let mut kept = vec![None; n];
            for k in 0..n {
                let i = self.rng.below(count) as usize;
                x0[dim * k..dim * (k + 1)].copy_from_slice(&self.data[dim * i..dim * (i + 1)]);
                ts[k] = 1 + self.rng.below(self.schedule.steps() as u64) as usize;
                if (self.classes > 0 || self.cond_dim > 0) && self.rng.next_f64() >= self.p_uncond as f64 {
                    kept[k] = Some(i);
                }
            }
            self.eps.resize(dim * n, 0.0);
            self.rng.fill_normal(&mut self.eps);
            let mut xt = vec![0.0f32; dim * n];
            for k in 0..n {
                let a = self.schedule.alpha_bar_at(ts[k]);
                let (s, q) = (a.sqrt() as f32, (1.0 - a).sqrt() as f32);
                for j in dim * k..dim * (k + 1) {
                    xt[j] = s * x0[j] + q * self.eps[j];
                }
            }
            let taus: Vec<f32> = ts.iter().map(|&t| Self::tau(self.time_input, &self.schedule, t)).collect();
            let conds = std::mem::take(&mut self.conds);
            let cs: Vec<Cond<'_>> = kept
                .iter()
                .map(|k| match *k {
                    Some(i) if self.classes > 0 => self.labels.get(i).map_or(Cond::None, |&c| Cond::Class(c)),
                    Some(i) if self.cond_dim > 0 => Cond::Vector(&conds[i * self.cond_dim..(i + 1) * self.cond_dim]),
                    _ => Cond::None,
                })
                .collect();
            self.fill_input(&xt, &taus, &cs);
            drop(cs);
            self.conds = conds;
            self.net.zero_grad();
            let pred = self.net.forward(&self.input).to_vec();
            let target = if self.predicts_clean { &x0 } else { &self.eps };
            let loss = mse(&pred, target, &mut self.grad);
            let grad = std::mem::take(&mut self.grad);
            self.net.backward_with(&grad, true, false);
            self.grad = grad;
            self.opt.step(&mut self.net, 1.0 / (dim * n) as f32);
            self.step += 1;
            loss
        }

        /// ε_θ(x, t, c) for every item of `xs`, at step t of `schedule`.
        pub fn predict_under(&mut self, schedule: &Schedule, xs: &[f32], t: usize, class: Option<u8>) -> Vec<f32> {
            self.predict_cond(schedule, xs, t, class.map_or(Cond::None, Cond::Class))
        }

        /// ε_θ(x, t, c) for every item of `xs` under any condition.
        pub fn predict_cond(&mut self, schedule: &Schedule, xs: &[f32], t: usize, cond: Cond<'_>) -> Vec<f32> {
            let n = xs.len() / self.dim;
            let tau = Self::tau(self.time_input, schedule, t);
            self.fill_input(xs, &vec![tau; n], &vec![cond; n]);
            let mut out = self.net.forward(&self.input).to_vec();
            if self.predicts_clean {
                let a = schedule.alpha_bar_at(t);
                let (s, q) = (a.sqrt() as f32, (1.0 - a).sqrt().max(1e-4) as f32);
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o = (x - s * *o) / q;
                }
            }
            out
        }

        /// ε_θ(x, t) for every item of `xs` under the training schedule, no class.
        pub fn predict(&mut self, xs: &[f32], t: usize) -> Vec<f32> {
            let schedule = self.schedule.clone();
            self.predict_under(&schedule, xs, t, None)
        }

        /// The guided noise prediction ε_∅ + w·(ε_c − ε_∅) (classifier-free guidance); just ε_∅
        /// without a class.
        pub fn guided_noise(&mut self, schedule: &Schedule, xs: &[f32], t: usize, class: Option<u8>, w: f32) -> Vec<f32> {
            self.guided_noise_cond(schedule, xs, t, class.map_or(Cond::None, Cond::Class), w)
        }

        /// [`Self::guided_noise`] under any condition.
        pub fn guided_noise_cond(&mut self, schedule: &Schedule, xs: &[f32], t: usize, cond: Cond<'_>, w: f32) -> Vec<f32> {
            let mut eps = self.predict_cond(schedule, xs, t, Cond::None);
            let usable = match cond {
                Cond::None => false,
                Cond::Class(_) => self.classes > 0,
                Cond::Vector(_) => self.cond_dim > 0,
            };
            if usable {
                let eps_c = self.predict_cond(schedule, xs, t, cond);
                super::guide(&mut eps, &eps_c, w);
            }
            eps
        }

        /// One reverse step for all items of `xs` from t to t' under `schedule` (DDIM, or DDPM with
        /// noise from `rng`), optionally guided towards `class`. Returns x̂₀.
        #[allow(clippy::too_many_arguments)]
        pub fn reverse_step_under(&mut self, schedule: &Schedule, xs: &mut [f32], t: usize, t_prev: usize, ddpm: bool, class: Option<u8>, w: f32, rng: &mut Rng) -> Vec<f32> {
            self.reverse_step_cond(schedule, xs, t, t_prev, ddpm, class.map_or(Cond::None, Cond::Class), w, rng)
        }

        /// [`Self::reverse_step_under`] under any condition.
        #[allow(clippy::too_many_arguments)]
        pub fn reverse_step_cond(&mut self, schedule: &Schedule, xs: &mut [f32], t: usize, t_prev: usize, ddpm: bool, cond: Cond<'_>, w: f32, rng: &mut Rng) -> Vec<f32> {
            let mut eps = self.guided_noise_cond(schedule, xs, t, cond, w);
            // x̂₀ is clipped to the data's range (near t = T, where ᾱ_t ≈ 0, dividing by √ᾱ_t
            // amplifies any error in ε̂), and ε̂ re-derived from it: "clipped" sampling.
            let mut x0 = vec![0.0f32; xs.len()];
            implied_clean(schedule, xs, &eps, t, &mut x0);
            let clip = self.clip;
            x0.iter_mut().for_each(|v| *v = v.clamp(-clip, clip));
            if ddpm {
                let mut z = vec![0.0f32; xs.len()];
                rng.fill_normal(&mut z);
                ddpm_step(schedule, xs, &eps, &z, t, t_prev);
            } else {
                implied_noise(schedule, xs, &x0, t, &mut eps);
                ddim_step(schedule, xs, &x0, &eps, t_prev);
            }
            x0
        }

        /// One unguided reverse step under the training schedule.
        pub fn reverse_step(&mut self, xs: &mut [f32], t: usize, t_prev: usize, ddpm: bool, rng: &mut Rng) {
            let schedule = self.schedule.clone();
            self.reverse_step_under(&schedule, xs, t, t_prev, ddpm, None, 0.0, rng);
        }

        /// Changes Adam's learning rate.
        pub fn set_learning_rate(&mut self, lr: f32) {
            self.opt.set_learning_rate(lr);
        }

        /// The training items.
        pub fn data(&self) -> &[f32] {
            &self.data
        }

        /// Whether every weight is finite.
        pub fn is_finite(&self) -> bool {
            self.net.is_finite()
        }
    }
}

/// The digit denoiser: trained offline by `tools/diffusion/train_denoiser.rs` (weights shipped as
/// `public/diffusion/denoiser.bin`) and trained further in the page, with the same settings here.
pub mod digit_model {
    use super::learned::{LearnedDiffusion, TimeInput};
    use super::{Digits, Schedule};
    use crate::nn::Mlp;

    /// Diffusion steps; the network is told the noise level (as log-SNR), so it samples under either
    /// schedule.
    pub const T: usize = 1000;
    pub const HIDDEN: [usize; 2] = [256, 256];
    /// Adam's peak learning rate; pretraining decays it linearly to ≈ 0 over its second half
    /// (measured: median nearest-training distance 2.76 after 30k steps, against 3.11 at a constant 10⁻³).
    pub const LEARNING_RATE: f32 = 2e-3;
    pub const BATCH: usize = 128;

    /// Training steps of the shipped weights (`public/diffusion/denoiser.json` records the same; tested).
    pub const PRETRAINED_STEPS: u64 = 40_000;

    /// The learning rate at `step` of a pretraining run of `steps`: constant, then a linear decay.
    pub fn learning_rate(step: u64, steps: u64) -> f32 {
        let half = (steps / 2).max(1);
        if step <= half {
            LEARNING_RATE
        } else {
            LEARNING_RATE * (steps.saturating_sub(step)) as f32 / half as f32 + 1e-5
        }
    }

    /// A model on all the digits: fresh if `net` is None, else around the given (pretrained) network.
    pub fn model(digits: &Digits, net: Option<Mlp>, seed: u64) -> Result<LearnedDiffusion, String> {
        let (data, labels) = (digits.pixels.clone(), digits.labels.clone());
        let schedule = Schedule::cosine(T);
        match net {
            None => Ok(LearnedDiffusion::new(data, labels, Digits::DIM, 10, schedule, TimeInput::LogSnr, &HIDDEN, LEARNING_RATE, BATCH, seed)),
            Some(net) => LearnedDiffusion::from_net(net, data, labels, Digits::DIM, 10, schedule, TimeInput::LogSnr, LEARNING_RATE, BATCH, seed),
        }
    }
}

/// For scale: the median, over every `stride`-th item of `data`, of the distance to its nearest
/// *other* item — how far apart two training items typically are.
pub fn median_nearest_other(data: &[f32], dim: usize, stride: usize) -> Option<f32> {
    let mut gaps: Vec<f32> = data
        .chunks_exact(dim)
        .enumerate()
        .step_by(stride.max(1))
        .map(|(i, x)| {
            let d2 = data.chunks_exact(dim).enumerate().filter(|(j, _)| *j != i).map(|(_, y)| y.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum::<f32>()).fold(f32::MAX, f32::min);
            d2.sqrt()
        })
        .collect();
    gaps.sort_by(|a, b| a.total_cmp(b));
    gaps.get(gaps.len() / 2).copied()
}

/// The item of `data` (items of width `dim`) nearest to `x` in Euclidean distance, and that distance.
pub fn nearest_item(data: &[f32], dim: usize, x: &[f32]) -> Option<(usize, f32)> {
    data.chunks_exact(dim)
        .map(|item| item.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum::<f32>().sqrt())
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Diffusion on 2-D points, trained live, and its quality measure.
pub mod points {
    pub use super::learned::LearnedDiffusion as PointDiffusion;

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
        use crate::rng::Rng;
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
            let mut model = PointDiffusion::points(data.clone(), 50, &[64, 64, 64], 3e-3, 128, 1);
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
        fn a_condition_vector_steers_sampling_both_parameterisations() {
            // Two clusters, at x = −2 and x = +2, each item tagged with a 2-d condition vector.
            let mut rng = Rng::new(3);
            let mut data = Vec::new();
            let mut conds = Vec::new();
            for i in 0..400 {
                let side = if i % 2 == 0 { -2.0 } else { 2.0 };
                let mut e = [0.0f32; 2];
                rng.fill_normal(&mut e);
                data.extend([side + 0.2 * e[0], 0.2 * e[1]]);
                conds.extend(if side < 0.0 { [1.0, 0.0] } else { [0.0, 1.0] });
            }
            for clean in [false, true] {
                use crate::diffusion::learned::{Cond, LearnedDiffusion, TimeInput};
                use crate::diffusion::Schedule;
                let mut m = LearnedDiffusion::vector_conditioned(None, data.clone(), conds.clone(), 2, 2, Schedule::cosine(50), TimeInput::Step, &[64, 64], 3e-3, 128, 1).unwrap();
                m.predicts_clean = clean;
                m.clip = 3.0;
                for _ in 0..3000 {
                    m.train_step();
                }
                for (v, sign) in [([1.0f32, 0.0], -1.0f32), ([0.0, 1.0], 1.0)] {
                    let mut r = Rng::new(11);
                    let mut xs = vec![0.0f32; 2 * 100];
                    r.fill_normal(&mut xs);
                    let schedule = m.schedule.clone();
                    for w in sampling_times(50, 25).windows(2) {
                        m.reverse_step_cond(&schedule, &mut xs, w[0], w[1], false, Cond::Vector(&v), 2.0, &mut r);
                    }
                    let right = xs.chunks_exact(2).filter(|p| p[0] * sign > 1.0).count();
                    assert!(right >= 90, "x0-prediction {clean}, condition {v:?}: {right} of 100 on the asked-for side");
                }
            }
            // a wrong number of condition vectors is an error, not a panic
            assert!(crate::diffusion::learned::LearnedDiffusion::vector_conditioned(None, data.clone(), vec![0.0; 6], 2, 2, crate::diffusion::Schedule::cosine(50), crate::diffusion::learned::TimeInput::Step, &[8], 1e-3, 8, 1).is_err());
        }

        #[test]
        fn training_is_deterministic_for_a_seed() {
            let data = Preset::Ring.sample(500, &mut Rng::new(2));
            let run = || {
                let mut m = PointDiffusion::points(data.clone(), 50, &[16], 1e-3, 32, 4);
                (0..20).map(|_| m.train_step()).collect::<Vec<f32>>()
            };
            assert_eq!(run(), run());
        }
    }
}
