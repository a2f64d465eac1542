//! Three generative families on the same 2-D data — a GAN, a VAE and a diffusion model — and the
//! measures that compare them: maximum mean discrepancy, precision and recall by nearest
//! neighbours, and modes covered.
//!
//! Each family is the one the rest of the site teaches ([`crate::gan`], [`crate::vae`] with a
//! Gaussian decoder, [`crate::diffusion::points`]); this module only fixes comparable settings and
//! the yardstick.

use crate::diffusion::points::PointDiffusion;
use crate::diffusion::sampling_times;
use crate::gan::{Gan, GanConfig};
use crate::rng::Rng;
use crate::vae::{Likelihood, Trainer, Vae};

/// Hidden layers of every network (generator, discriminator, encoder, decoder, denoiser).
pub const HIDDEN: [usize; 2] = [64, 64];
/// Examples per training step, for all three.
pub const BATCH: usize = 128;
/// Diffusion: T cosine steps for training; sampled with DDIM in `SAMPLE_STEPS` steps.
pub const DIFFUSION_T: usize = 50;
pub const SAMPLE_STEPS: usize = 25;
/// The VAE decoder's fixed standard deviation σ_x, and its learning rate.
pub const VAE_SIGMA: f32 = 0.1;
pub const VAE_LR: f32 = 2e-3;
pub const DIFFUSION_LR: f32 = 3e-3;

/// Squared maximum mean discrepancy (Gretton et al. 2012), the biased V-statistic
///
///   MMD² = mean k(x, x′) + mean k(y, y′) − 2 · mean k(x, y)
///
/// between point sets `x` and `y` (rows of `dim`), with k the average of Gaussian kernels
/// exp(−‖a − b‖² / 2h²) over the `bandwidths` h. Zero when the sets are equal; with a
/// characteristic kernel it is zero in the limit only for equal distributions.
pub fn mmd2(x: &[f32], y: &[f32], dim: usize, bandwidths: &[f32]) -> f64 {
    (kernel_mean(x, x, dim, bandwidths) + kernel_mean(y, y, dim, bandwidths) - 2.0 * kernel_mean(x, y, dim, bandwidths)).max(0.0)
}

/// The kernel bandwidths of the widget's MMD: fine enough to see a blurred mode, coarse enough to
/// see a missing one (the presets lie within ±2.5).
pub const MMD_BANDWIDTHS: [f32; 3] = [0.05, 0.2, 0.8];

/// Precision and recall of generated points against real ones (Kynkäänniemi et al. 2019): each
/// set's support is the union of balls around its points with radius the distance to the k-th
/// nearest neighbour in the same set. Precision is the share of generated points inside the real
/// support (are samples realistic?); recall the share of real points inside the generated support
/// (is all of the data covered?).
pub fn precision_recall(real: &[f32], generated: &[f32], dim: usize, k: usize) -> (f64, f64) {
    (share_inside(generated, real, &knn_radii(real, dim, k), dim), share_inside(real, generated, &knn_radii(generated, dim, k), dim))
}

/// What one family's samples score against the data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    pub mmd2: f64,
    pub precision: f64,
    pub recall: f64,
    /// Modes with a fair share of the samples, for data made of separate modes.
    pub modes: Option<usize>,
}

/// The data side of the comparison, computed once: the real points, their k-NN radii and the
/// real–real kernel mean of MMD², so that scoring a sample only computes the terms that involve it
/// (and a page can spread the two halves over two frames).
#[derive(Clone, Debug)]
pub struct Yardstick {
    pub real: Vec<f32>,
    real_radii: Vec<f32>,
    real_kernel_mean: f64,
    /// Mode centres and the radius that counts for a mode, if the data has them.
    pub modes: Option<(Vec<(f32, f32)>, f32)>,
}

/// k for the precision / recall radii.
pub const PR_K: usize = 3;

fn d2(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

fn kernel(a: &[f32], b: &[f32], bandwidths: &[f32]) -> f64 {
    let d = d2(a, b);
    // terms below e^−40 ≈ 4·10⁻¹⁸ are skipped: they change no printed digit and cost an exp each
    bandwidths.iter().map(|h| d / (2.0 * h * h)).filter(|&u| u < 40.0).map(|u| (-u as f64).exp()).sum::<f64>() / bandwidths.len().max(1) as f64
}

fn kernel_mean(a: &[f32], b: &[f32], dim: usize, bandwidths: &[f32]) -> f64 {
    let (na, nb) = (a.len() / dim, b.len() / dim);
    if na == 0 || nb == 0 {
        return 0.0;
    }
    a.chunks_exact(dim).map(|p| b.chunks_exact(dim).map(|q| kernel(p, q, bandwidths)).sum::<f64>()).sum::<f64>() / (na * nb) as f64
}

/// Squared distance from each point of `set` to its k-th nearest other point in `set`.
fn knn_radii(set: &[f32], dim: usize, k: usize) -> Vec<f32> {
    set.chunks_exact(dim)
        .map(|p| {
            let mut d: Vec<f32> = set.chunks_exact(dim).map(|q| d2(p, q)).collect();
            // d holds the point itself at 0: the k-th other neighbour is at index k
            let k = k.min(d.len().saturating_sub(1));
            d.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
            d[k]
        })
        .collect()
}

/// The share of `points` inside the union of balls (centres `support`, squared radii `r2`).
fn share_inside(points: &[f32], support: &[f32], r2: &[f32], dim: usize) -> f64 {
    let n = points.len() / dim;
    if n == 0 {
        return 0.0;
    }
    let inside = points.chunks_exact(dim).filter(|p| support.chunks_exact(dim).zip(r2).any(|(q, &r)| d2(p, q) <= r)).count();
    inside as f64 / n as f64
}

impl Yardstick {
    pub fn new(real: Vec<f32>, modes: Option<(Vec<(f32, f32)>, f32)>) -> Yardstick {
        let real_radii = knn_radii(&real, 2, PR_K);
        let real_kernel_mean = kernel_mean(&real, &real, 2, &MMD_BANDWIDTHS);
        Yardstick { real, real_radii, real_kernel_mean, modes }
    }

    /// MMD² of `samples` against the data (as [`mmd2`] with [`MMD_BANDWIDTHS`]); non-finite samples are dropped.
    pub fn mmd2(&self, samples: &[f32]) -> f64 {
        self.mmd2_from(self.self_mean(samples), self.cross_mean(samples))
    }

    /// The samples' own kernel mean, mean k(y, y′): one of the two terms of MMD² that involve them.
    pub fn self_mean(&self, samples: &[f32]) -> f64 {
        let s = finite(samples);
        kernel_mean(&s, &s, 2, &MMD_BANDWIDTHS)
    }

    /// The cross kernel mean, mean k(x, y) over data x and samples y.
    pub fn cross_mean(&self, samples: &[f32]) -> f64 {
        kernel_mean(&self.real, &finite(samples), 2, &MMD_BANDWIDTHS)
    }

    /// MMD² from the two sample terms (so a page can compute them in separate frames).
    pub fn mmd2_from(&self, self_mean: f64, cross_mean: f64) -> f64 {
        (self.real_kernel_mean + self_mean - 2.0 * cross_mean).max(0.0)
    }

    /// Precision, recall (as [`precision_recall`] with k = [`PR_K`]) and modes covered.
    pub fn coverage(&self, samples: &[f32]) -> (f64, f64, Option<usize>) {
        let s = finite(samples);
        let precision = share_inside(&s, &self.real, &self.real_radii, 2);
        let recall = share_inside(&self.real, &s, &knn_radii(&s, 2, PR_K), 2);
        let modes = self.modes.as_ref().map(|(c, r)| crate::gan::modes_covered(&s, c, *r, 0.5 / c.len().max(1) as f32));
        (precision, recall, modes)
    }

    pub fn score(&self, samples: &[f32]) -> Score {
        let (precision, recall, modes) = self.coverage(samples);
        Score { mmd2: self.mmd2(samples), precision, recall, modes }
    }
}

fn finite(samples: &[f32]) -> Vec<f32> {
    samples.chunks_exact(2).filter(|p| p[0].is_finite() && p[1].is_finite()).flatten().copied().collect()
}

/// The three models, trained on the same points with the same networks and batch size.
pub struct Families {
    pub gan: Gan,
    pub vae: Trainer,
    pub diffusion: PointDiffusion,
}

impl Families {
    pub fn new(data: Vec<f32>, seed: u64) -> Families {
        let gan = Gan::new(GanConfig { g_hidden: HIDDEN.to_vec(), d_hidden: HIDDEN.to_vec(), batch: BATCH, seed, ..GanConfig::default() }, data.clone());
        let mut vae = Trainer::new(Vae::with_layers(2, 2, &HIDDEN, Likelihood::Gaussian { sigma: VAE_SIGMA }, 1.0, VAE_LR, seed), data.clone(), seed);
        vae.batch_size = BATCH;
        let diffusion = PointDiffusion::points(data, DIFFUSION_T, &HIDDEN, DIFFUSION_LR, BATCH, seed);
        Families { gan, vae, diffusion }
    }

    /// `n` samples of the GAN: G(z), z ~ N(0, I).
    pub fn sample_gan(&mut self, n: usize) -> Vec<f32> {
        self.gan.generate(n)
    }

    /// `n` samples of the VAE: z ~ N(0, I), x ~ N(μ_θ(z), σ_x² I).
    pub fn sample_vae(&mut self, n: usize, rng: &mut Rng) -> Vec<f32> {
        self.vae.vae.sample(n, rng)
    }

    /// The start of a diffusion sample: `n` points of pure noise, and the DDIM times to visit.
    pub fn diffusion_start(n: usize, rng: &mut Rng) -> (Vec<f32>, Vec<usize>) {
        let mut xs = vec![0.0f32; 2 * n];
        rng.fill_normal(&mut xs);
        (xs, sampling_times(DIFFUSION_T, SAMPLE_STEPS))
    }

    /// A whole diffusion sample at once (the page spreads the same steps over frames).
    pub fn sample_diffusion(&mut self, n: usize, rng: &mut Rng) -> Vec<f32> {
        let (mut xs, times) = Families::diffusion_start(n, rng);
        for w in times.windows(2) {
            self.diffusion.reverse_step(&mut xs, w[0], w[1], false, rng);
        }
        xs
    }

    pub fn is_finite(&self) -> bool {
        self.gan.is_finite() && self.vae.vae.is_finite() && self.diffusion.is_finite()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gan::Preset;

    #[test]
    fn mmd_closed_forms() {
        // one point each: k(x,x) + k(y,y) − 2k(x,y) = 2 − 2·exp(−d²/2h²)
        let (x, y) = ([0.0f32, 0.0], [0.3f32, 0.4]);
        let got = mmd2(&x, &y, 2, &[0.5]);
        let want = 2.0 - 2.0 * (-(0.25f64) / (2.0 * 0.25)).exp();
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        // equal sets: zero; symmetric
        let a = [0.1f32, 0.2, -1.0, 0.5, 2.0, 2.0];
        assert!(mmd2(&a, &a, 2, &MMD_BANDWIDTHS).abs() < 1e-12);
        let b = [0.0f32, 0.0, 1.0, 1.0];
        assert!((mmd2(&a, &b, 2, &MMD_BANDWIDTHS) - mmd2(&b, &a, 2, &MMD_BANDWIDTHS)).abs() < 1e-12);
    }

    #[test]
    fn mmd_separates_distributions() {
        let mut rng = Rng::new(3);
        let p = Preset::Ring.sample(400, &mut rng);
        let q = Preset::Ring.sample(400, &mut rng);
        let mut g = vec![0.0f32; 800];
        rng.fill_normal(&mut g);
        let (same, other) = (mmd2(&p, &q, 2, &MMD_BANDWIDTHS), mmd2(&p, &g, 2, &MMD_BANDWIDTHS));
        assert!(same * 10.0 < other, "same distribution {same}, Gaussian {other}");
    }

    #[test]
    fn precision_and_recall_by_hand() {
        // real: four corners of a unit square; generated: two of them and a far point
        let real = [0.0f32, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let gen = [0.0f32, 0.0, 1.0, 1.0, 9.0, 9.0];
        let (p, r) = precision_recall(&real, &gen, 2, 1);
        // real radii = 1 (nearest corner): (0,0) and (1,1) inside, (9,9) not → 2/3.
        assert!((p - 2.0 / 3.0).abs() < 1e-9, "precision {p}");
        // generated radii: nearest other generated point: √2 for the two corners (9,9 is far):
        // every real corner is within √2 of (0,0) or (1,1) → 4/4.
        assert!((r - 1.0).abs() < 1e-9, "recall {r}");
        let (p, r) = precision_recall(&real, &real, 2, 1);
        assert_eq!((p, r), (1.0, 1.0));
    }

    /// The widget's settings on the ring of 8 Gaussians, seed 1, the same number of steps for each
    /// family: all three beat Gaussian noise by MMD, and the figures the README reports.
    #[test]
    fn three_families_on_the_ring() {
        let data = Preset::Ring.sample(2000, &mut Rng::new(1 ^ 0xda7a));
        let centres = Preset::Ring.modes().unwrap();
        let yard = Yardstick::new(data[..1000].to_vec(), Some((centres, Preset::Ring.mode_radius())));
        let mut f = Families::new(data.clone(), 1);
        let mut noise = vec![0.0f32; 1000];
        Rng::new(9).fill_normal(&mut noise);
        let base = yard.score(&noise);
        let steps = 3000;
        let t0 = std::time::Instant::now();
        for _ in 0..steps {
            f.gan.step();
        }
        let t_gan = t0.elapsed();
        let t0 = std::time::Instant::now();
        for _ in 0..steps {
            f.vae.step();
        }
        let t_vae = t0.elapsed();
        let t0 = std::time::Instant::now();
        for _ in 0..steps {
            f.diffusion.train_step();
        }
        let t_diff = t0.elapsed();
        let mut rng = Rng::new(5);
        let g = yard.score(&f.sample_gan(500));
        let v = yard.score(&f.sample_vae(500, &mut rng));
        let d = yard.score(&f.sample_diffusion(500, &mut rng));
        // the yardstick's cached terms agree with the plain functions
        let s = f.sample_gan(300);
        assert!((yard.mmd2(&s) - mmd2(&yard.real, &s, 2, &MMD_BANDWIDTHS)).abs() < 1e-9);
        let (p, r, _) = yard.coverage(&s);
        assert_eq!((p, r), precision_recall(&yard.real, &s, 2, PR_K));
        eprintln!("noise {base:?}\nGAN {g:?} {t_gan:?}\nVAE {v:?} {t_vae:?}\ndiffusion {d:?} {t_diff:?}");
        for s in [g, v, d] {
            assert!(s.mmd2 < base.mmd2 / 2.0, "{s:?} vs noise {base:?}");
        }
        assert!(f.is_finite());
    }
}
