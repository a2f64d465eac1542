//! A variational autoencoder (Kingma & Welling, 2014) on the shared [`crate::nn`] core.
//!
//! The encoder maps an image x to the mean μ and log-variance log σ² of a Gaussian q(z | x) over a
//! low-dimensional latent z; the decoder maps z back to one Bernoulli logit per pixel, p(x | z).
//! Training minimises, per image, the negative evidence lower bound
//!
//!   −ELBO_β = −E_q[log p(x | z)] + β · KL(q(z | x) ‖ N(0, I))
//!
//! with one sample of z drawn by the reparameterisation trick z = μ + σ ⊙ ε, ε ~ N(0, I), so the
//! gradient flows through μ and σ. The KL term has the closed form ½ Σ (μ² + σ² − 1 − log σ²).
//! β = 1 is the VAE; β = 0 leaves only reconstruction: a plain (noisy) autoencoder whose latent
//! is not pulled toward the prior, so decoding samples of N(0, I) lands in holes.
//!
//! Pixels are grey levels in [0, 1] used as Bernoulli targets (the usual practice with MNIST); the
//! reconstruction term is then the binary cross-entropy summed over the pixels, in nats per image.
//! For real-valued data (the 2-D point clouds of the three-families widget) the decoder outputs the
//! mean of a Gaussian with a fixed standard deviation σ_x instead, and the reconstruction term is
//! −log N(x; μ_θ(z), σ_x² I) = Σ ½((x − μ)/σ_x)² + log σ_x + ½ log 2π.

use crate::nn::{sigmoid, Activation, Mlp, Optimizer};
use crate::rng::Rng;

/// Settings measured natively on the 1,797 UCI digits (see the tests): 64 → 128 → 2·z,
/// z → 128 → 64, ReLU hidden units (tanh ones let the latent collapse: 5-NN 0.54), Adam 2·10⁻³, batches of 64.
pub const HIDDEN: usize = 128;
pub const LR: f32 = 2e-3;
pub const BATCH: usize = 64;
/// log σ² is clamped to ±LOGVAR_MAX in the forward pass (its gradient is zero beyond): keeps
/// exp(log σ²) finite when a learning rate is far too high.
pub const LOGVAR_MAX: f32 = 10.0;

/// The two terms of −ELBO, per image (nats), averaged over a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Terms {
    /// −E_q[log p(x | z)] estimated with one z per image.
    pub recon: f64,
    /// KL(q(z | x) ‖ N(0, I)), exact.
    pub kl: f64,
}

impl Terms {
    /// The evidence lower bound (β = 1): −(recon + KL). Higher is better.
    pub fn elbo(&self) -> f64 {
        -(self.recon + self.kl)
    }
    /// The training loss for a given β.
    pub fn loss(&self, beta: f64) -> f64 {
        self.recon + beta * self.kl
    }
}

/// KL(N(μ, σ²) ‖ N(0, 1)) for one coordinate: ½(μ² + σ² − 1 − log σ²).
pub fn gaussian_kl(mu: f64, logvar: f64) -> f64 {
    0.5 * (mu * mu + logvar.exp() - 1.0 - logvar)
}

/// Binary cross-entropy of one pixel with logit s and target x ∈ [0, 1], stable for any s:
/// max(s, 0) − s·x + log(1 + e^(−|s|)).
fn bce(s: f32, x: f32) -> f64 {
    (s.max(0.0) - s * x + (-s.abs()).exp().ln_1p()) as f64
}

/// What the decoder's outputs parameterise: p(x | z).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Likelihood {
    /// One Bernoulli per coordinate; outputs are logits, targets in [0, 1].
    Bernoulli,
    /// N(μ, σ² I) with a fixed σ; outputs are the means.
    Gaussian { sigma: f32 },
}

/// −log N(x; m, σ²) for one coordinate.
fn gaussian_nll(m: f32, x: f32, sigma: f32) -> f64 {
    let r = ((x - m) / sigma) as f64;
    0.5 * r * r + (sigma as f64).ln() + 0.5 * (std::f64::consts::TAU).ln()
}

#[derive(Clone, Debug)]
pub struct Vae {
    /// x (d) → [μ (z), log σ² (z)].
    pub enc: Mlp,
    /// z → d logits.
    pub dec: Mlp,
    pub z_dim: usize,
    pub beta: f32,
    pub likelihood: Likelihood,
    pub steps: u64,
    opt_enc: Optimizer,
    opt_dec: Optimizer,
    rng: Rng,
    // scratch, one batch
    eps: Vec<f32>,
    z: Vec<f32>,
    grad: Vec<f32>,
}

impl Vae {
    /// A fresh VAE for images of `d` pixels with a `z_dim`-dimensional latent.
    pub fn new(d: usize, z_dim: usize, hidden: usize, beta: f32, lr: f32, seed: u64) -> Vae {
        Vae::with_layers(d, z_dim, &[hidden], Likelihood::Bernoulli, beta, lr, seed)
    }

    /// A VAE with the given hidden layers (the same for encoder and decoder) and likelihood.
    pub fn with_layers(d: usize, z_dim: usize, hidden: &[usize], likelihood: Likelihood, beta: f32, lr: f32, seed: u64) -> Vae {
        let mut rng = Rng::new(seed);
        let sizes = |a: usize, b: usize| [&[a][..], hidden, &[b]].concat();
        let enc = Mlp::new(&sizes(d, 2 * z_dim), Activation::Relu, Activation::Identity, &mut rng);
        let dec = Mlp::new(&sizes(z_dim, d), Activation::Relu, Activation::Identity, &mut rng);
        Vae { enc, dec, z_dim, beta, likelihood, steps: 0, opt_enc: Optimizer::adam(lr, 0.9, 0.999), opt_dec: Optimizer::adam(lr, 0.9, 0.999), rng, eps: Vec::new(), z: Vec::new(), grad: Vec::new() }
    }

    pub fn d(&self) -> usize {
        self.enc.n_in()
    }

    pub fn set_learning_rate(&mut self, lr: f32) {
        self.opt_enc.set_learning_rate(lr);
        self.opt_dec.set_learning_rate(lr);
    }

    /// The encoder's μ and log σ² (clamped) for a batch of images (row-major, n × d): two n × z arrays.
    pub fn encode(&mut self, x: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let z = self.z_dim;
        let out = self.enc.forward(x);
        let mut mu = Vec::with_capacity(out.len() / 2);
        let mut lv = Vec::with_capacity(out.len() / 2);
        for row in out.chunks_exact(2 * z) {
            mu.extend_from_slice(&row[..z]);
            lv.extend(row[z..].iter().map(|v| v.clamp(-LOGVAR_MAX, LOGVAR_MAX)));
        }
        (mu, lv)
    }

    /// The decoder's mean for latent points (n × z): n × d (pixel probabilities σ(logit) for
    /// Bernoulli, the Gaussian's μ otherwise).
    pub fn decode(&mut self, z: &[f32]) -> Vec<f32> {
        match self.likelihood {
            Likelihood::Bernoulli => self.dec.forward(z).iter().map(|&s| sigmoid(s)).collect(),
            Likelihood::Gaussian { .. } => self.dec.forward(z).to_vec(),
        }
    }

    /// `n` draws from the model: z ~ N(0, I), then x ~ p(x | z) for a Gaussian likelihood (the mean
    /// plus σ_x·ε), or the decoded probabilities for a Bernoulli one.
    pub fn sample(&mut self, n: usize, rng: &mut Rng) -> Vec<f32> {
        let mut z = vec![0.0f32; n * self.z_dim];
        rng.fill_normal(&mut z);
        let mut x = self.decode(&z);
        if let Likelihood::Gaussian { sigma } = self.likelihood {
            let mut e = vec![0.0f32; x.len()];
            rng.fill_normal(&mut e);
            x.iter_mut().zip(&e).for_each(|(v, e)| *v += sigma * e);
        }
        x
    }

    /// −ELBO terms of a batch with the given noise ε (n × z), and, if `grads`, the gradients of the
    /// mean loss recon + β·KL accumulated (summed over the batch; the caller scales by 1/n).
    pub fn terms_with_noise(&mut self, x: &[f32], eps: &[f32], grads: bool) -> Terms {
        let (d, zd) = (self.d(), self.z_dim);
        let n = x.len() / d;
        let beta = self.beta;
        let enc_out = self.enc.forward(x).to_vec();
        // z = μ + σ ⊙ ε
        self.z.clear();
        let mut kl = 0.0f64;
        for (row, e) in enc_out.chunks_exact(2 * zd).zip(eps.chunks_exact(zd)) {
            for j in 0..zd {
                let (mu, lv) = (row[j], row[zd + j].clamp(-LOGVAR_MAX, LOGVAR_MAX));
                self.z.push(mu + (0.5 * lv).exp() * e[j]);
                kl += gaussian_kl(mu as f64, lv as f64);
            }
        }
        let out = self.dec.forward(&self.z);
        let mut recon = 0.0f64;
        self.grad.clear();
        match self.likelihood {
            Likelihood::Bernoulli => {
                for (&s, &t) in out.iter().zip(x) {
                    recon += bce(s, t);
                    self.grad.push(sigmoid(s) - t); // ∂BCE/∂s
                }
            }
            Likelihood::Gaussian { sigma } => {
                for (&m, &t) in out.iter().zip(x) {
                    recon += gaussian_nll(m, t, sigma);
                    self.grad.push((m - t) / (sigma * sigma)); // ∂/∂μ
                }
            }
        }
        if grads {
            let dz = self.dec.backward(&self.grad).to_vec();
            // ∂/∂μ = ∂L/∂z + β·μ;  ∂/∂log σ² = ∂L/∂z · ε · ½σ + β·½(σ² − 1)
            let mut d_enc = vec![0.0f32; enc_out.len()];
            for i in 0..n {
                for j in 0..zd {
                    let (mu, raw) = (enc_out[i * 2 * zd + j], enc_out[i * 2 * zd + zd + j]);
                    let lv = raw.clamp(-LOGVAR_MAX, LOGVAR_MAX);
                    let g = dz[i * zd + j];
                    d_enc[i * 2 * zd + j] = g + beta * mu;
                    d_enc[i * 2 * zd + zd + j] = if raw.abs() > LOGVAR_MAX { 0.0 } else { g * eps[i * zd + j] * 0.5 * (0.5 * lv).exp() + beta * 0.5 * (lv.exp() - 1.0) };
                }
            }
            self.enc.backward_with(&d_enc, true, false);
        }
        Terms { recon: recon / n.max(1) as f64, kl: kl / n.max(1) as f64 }
    }

    /// One Adam step on a batch (n × d); returns the batch's terms before the step.
    pub fn train_step(&mut self, x: &[f32]) -> Terms {
        let n = x.len() / self.d();
        let mut eps = std::mem::take(&mut self.eps);
        eps.resize(n * self.z_dim, 0.0);
        self.rng.fill_normal(&mut eps);
        self.enc.zero_grad();
        self.dec.zero_grad();
        let t = self.terms_with_noise(x, &eps, true);
        self.eps = eps;
        let scale = 1.0 / n.max(1) as f32;
        self.opt_enc.step(&mut self.enc, scale);
        self.opt_dec.step(&mut self.dec, scale);
        self.steps += 1;
        t
    }

    /// The terms on a whole set (fresh ε from `seed`), without training.
    pub fn evaluate(&mut self, x: &[f32], seed: u64) -> Terms {
        let n = x.len() / self.d();
        let mut eps = vec![0.0f32; n * self.z_dim];
        Rng::new(seed).fill_normal(&mut eps);
        self.terms_with_noise(x, &eps, false)
    }

    pub fn is_finite(&self) -> bool {
        self.enc.is_finite() && self.dec.is_finite()
    }
}

/// Trains on `data` (n × d) in shuffled mini-batches: a stateful epoch iterator, so a page can do
/// a few batches per frame.
#[derive(Clone, Debug)]
pub struct Trainer {
    pub vae: Vae,
    pub data: Vec<f32>,
    order: Vec<usize>,
    at: usize,
    rng: Rng,
    batch: Vec<f32>,
    /// Examples per step (default [`BATCH`]).
    pub batch_size: usize,
    pub epochs: f64,
}

impl Trainer {
    pub fn new(vae: Vae, data: Vec<f32>, seed: u64) -> Trainer {
        let n = data.len() / vae.d();
        Trainer { vae, data, order: (0..n).collect(), at: n, rng: Rng::new(seed ^ 0x0bad_5eed), batch: Vec::new(), batch_size: BATCH, epochs: 0.0 }
    }

    pub fn n(&self) -> usize {
        self.order.len()
    }

    /// One mini-batch step; the batch's terms.
    pub fn step(&mut self) -> Terms {
        let (n, d) = (self.n(), self.vae.d());
        if self.at >= n {
            self.rng.shuffle(&mut self.order);
            self.at = 0;
        }
        let end = (self.at + self.batch_size.max(1)).min(n);
        self.batch.clear();
        for &i in &self.order[self.at..end] {
            self.batch.extend_from_slice(&self.data[i * d..(i + 1) * d]);
        }
        self.epochs += (end - self.at) as f64 / n as f64;
        self.at = end;
        let batch = std::mem::take(&mut self.batch);
        let t = self.vae.train_step(&batch);
        self.batch = batch;
        t
    }
}

/// Accuracy of the k-nearest-neighbour vote (Euclidean, ties to the nearer neighbour's class) of
/// each `test` point among the `train` points, in `dim` dimensions.
pub fn knn_accuracy(train: &[f32], train_labels: &[u8], test: &[f32], test_labels: &[u8], dim: usize, k: usize) -> f64 {
    let mut right = 0usize;
    let mut near: Vec<(f32, u8)> = Vec::with_capacity(train_labels.len());
    for (q, &label) in test.chunks_exact(dim).zip(test_labels) {
        near.clear();
        near.extend(train.chunks_exact(dim).zip(train_labels).map(|(p, &l)| (p.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum::<f32>(), l)));
        let k = k.min(near.len());
        if k == 0 {
            continue;
        }
        near.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
        let mut top: Vec<(f32, u8)> = near[..k].to_vec();
        top.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut votes = [0usize; 256];
        for &(_, l) in &top {
            votes[l as usize] += 1;
        }
        let best = *votes.iter().max().unwrap_or(&0);
        // among the classes with the most votes, the one of the nearest neighbour
        let pick = top.iter().find(|(_, l)| votes[*l as usize] == best).map(|p| p.1);
        right += (pick == Some(label)) as usize;
    }
    right as f64 / test_labels.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::Digits;
    use crate::embed::pca;

    fn digits() -> Digits {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/diffusion/digits.bin")).unwrap();
        Digits::from_dig1(&bytes).unwrap()
    }

    /// Grey levels in [0, 1] from the digits' [−1, 1].
    pub(crate) fn unit(p: &[f32]) -> Vec<f32> {
        p.iter().map(|v| (v + 1.0) / 2.0).collect()
    }

    #[test]
    fn kl_closed_form_matches_monte_carlo() {
        // E_q[log q(z) − log p(z)] by 200,000 samples of q = N(μ, σ²)
        for &(mu, lv) in &[(0.0f64, 0.0f64), (1.5, -1.0), (-0.7, 0.8)] {
            let mut rng = Rng::new(7);
            let mut e = vec![0.0f32; 200_000];
            rng.fill_normal(&mut e);
            let s = (0.5 * lv).exp();
            let mc: f64 = e.iter().map(|&e| {
                let z = mu + s * e as f64;
                let log_q = -0.5 * (e as f64).powi(2) - s.ln();
                let log_p = -0.5 * z * z;
                log_q - log_p
            }).sum::<f64>() / e.len() as f64;
            assert!((mc - gaussian_kl(mu, lv)).abs() < 0.01, "μ {mu}, log σ² {lv}: MC {mc} vs {}", gaussian_kl(mu, lv));
        }
        assert_eq!(gaussian_kl(0.0, 0.0), 0.0);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mut vae = Vae::new(6, 2, 5, 0.7, 1e-3, 3);
        let mut rng = Rng::new(11);
        let x: Vec<f32> = (0..4 * 6).map(|_| rng.next_f64() as f32).collect();
        let mut eps = vec![0.0f32; 4 * 2];
        rng.fill_normal(&mut eps);
        let loss = |v: &mut Vae| {
            let t = v.terms_with_noise(&x, &eps, false);
            t.loss(v.beta as f64) * 4.0 // summed over the batch, as the accumulated gradient is
        };
        vae.enc.zero_grad();
        vae.dec.zero_grad();
        vae.terms_with_noise(&x, &eps, true);
        let h = 1e-3f32;
        let mut worst = 0.0f64;
        for net in 0..2 {
            for li in 0..2 {
                let nw = if net == 0 { vae.enc.layers[li].w.len() } else { vae.dec.layers[li].w.len() };
                for k in (0..nw).step_by(3) {
                    let analytic = if net == 0 { vae.enc.layers[li].gw[k] } else { vae.dec.layers[li].gw[k] } as f64;
                    let mut v = vae.clone();
                    let w = if net == 0 { &mut v.enc.layers[li].w[k] } else { &mut v.dec.layers[li].w[k] };
                    *w += h;
                    let up = loss(&mut v);
                    let w = if net == 0 { &mut v.enc.layers[li].w[k] } else { &mut v.dec.layers[li].w[k] };
                    *w -= 2.0 * h;
                    let down = loss(&mut v);
                    let numeric = (up - down) / (2.0 * h as f64);
                    let err = (numeric - analytic).abs() / (1e-2 + numeric.abs().max(analytic.abs()));
                    worst = worst.max(err);
                }
            }
        }
        assert!(worst < 2e-2, "largest relative gradient error {worst}");
    }

    #[test]
    fn gaussian_likelihood_gradients_match_finite_differences() {
        // σ_x = 1 keeps the loss small enough that f32 central differences are accurate
        let mut vae = Vae::with_layers(2, 2, &[6, 5], Likelihood::Gaussian { sigma: 1.0 }, 1.0, 1e-3, 5);
        let mut rng = Rng::new(2);
        let mut x = vec![0.0f32; 5 * 2];
        rng.fill_normal(&mut x);
        let mut eps = vec![0.0f32; 5 * 2];
        rng.fill_normal(&mut eps);
        vae.enc.zero_grad();
        vae.dec.zero_grad();
        vae.terms_with_noise(&x, &eps, true);
        let h = 2e-3f32;
        let mut worst = 0.0f64;
        for li in 0..3 {
            for k in 0..vae.enc.layers[li].w.len() {
                let analytic = vae.enc.layers[li].gw[k] as f64;
                let mut v = vae.clone();
                v.enc.layers[li].w[k] += h;
                let up = v.terms_with_noise(&x, &eps, false).loss(1.0) * 5.0;
                v.enc.layers[li].w[k] -= 2.0 * h;
                let down = v.terms_with_noise(&x, &eps, false).loss(1.0) * 5.0;
                let numeric = (up - down) / (2.0 * h as f64);
                // the floor: f32 rounding of a summed loss of ≈ 15 nats leaves ≈ 3·10⁻⁴ of noise in
                // a central difference at h = 2·10⁻³, so tiny gradients are compared absolutely
                worst = worst.max((numeric - analytic).abs() / (5e-2 + numeric.abs().max(analytic.abs())));
            }
        }
        assert!(worst < 2e-2, "largest relative gradient error {worst}");
        // The Gaussian term itself: at x = μ it is log σ + ½ log 2π per coordinate.
        assert!((gaussian_nll(1.0, 1.0, 0.5) - (0.5f64.ln() + 0.5 * std::f64::consts::TAU.ln())).abs() < 1e-9);
    }

    #[test]
    fn beta_zero_is_an_autoencoder_loss_without_kl() {
        let mut v = Vae::new(4, 2, 3, 0.0, 1e-3, 1);
        let x = vec![0.2f32, 0.9, 0.0, 1.0];
        let t = v.evaluate(&x, 5);
        assert!(t.kl > 0.0);
        assert_eq!(t.loss(0.0), t.recon);
    }

    /// The shipped settings on the UCI digits, seed 1: the held-out ELBO and a 2-D latent in which
    /// a 5-NN classifier beats one on the 2-D PCA projection.
    #[test]
    fn digits_latent_beats_pca() {
        let dg = digits();
        let n = dg.labels.len();
        let n_train = n * 4 / 5;
        let x = unit(&dg.pixels);
        let (train, test) = x.split_at(n_train * 64);
        let (ltrain, ltest) = dg.labels.split_at(n_train);
        let mut tr = Trainer::new(Vae::new(64, 2, HIDDEN, 1.0, LR, 1), train.to_vec(), 1);
        let start = tr.vae.evaluate(test, 9);
        while tr.epochs < 60.0 {
            tr.step();
        }
        let end = tr.vae.evaluate(test, 9);
        let (mu_train, _) = tr.vae.encode(train);
        let (mu_test, _) = tr.vae.encode(test);
        let acc_vae = knn_accuracy(&mu_train, ltrain, &mu_test, ltest, 2, 5);
        let p = pca(train, n_train, 64, 2, 30, 1);
        let mut p_test = vec![0.0f32; (n - n_train) * 2];
        for (q, out) in test.chunks_exact(64).zip(p_test.chunks_exact_mut(2)) {
            p.project(q, out);
        }
        let acc_pca = knn_accuracy(&p.projections, ltrain, &p_test, ltest, 2, 5);
        eprintln!("held-out −ELBO {:.2} → {:.2} (recon {:.2}, KL {:.2}); 5-NN: VAE {acc_vae:.3}, PCA {acc_pca:.3}; {} steps", -start.elbo(), -end.elbo(), end.recon, end.kl, tr.vae.steps);
        assert!(end.elbo() > start.elbo() + 5.0);
        assert!(acc_vae > acc_pca + 0.05, "5-NN in the latent {acc_vae} vs PCA {acc_pca}");
    }

    #[test]
    fn knn_votes() {
        let train = [0.0f32, 0.1, 0.2, 5.0, 5.1];
        let labels = [1u8, 1, 1, 2, 2];
        assert_eq!(knn_accuracy(&train, &labels, &[0.05, 4.9], &[1, 2], 1, 1), 1.0);
        assert_eq!(knn_accuracy(&train, &labels, &[4.9], &[1], 1, 5), 1.0); // 3 ones outvote 2 twos
    }
}
