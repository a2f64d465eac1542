//! A generative adversarial network on 2-D points (Goodfellow et al. 2014).
//!
//! The generator G maps noise z to a point; the discriminator D maps a point to a logit s, with
//! D(x) = σ(s) the probability that x is real. Each iteration takes `k_d` steps on D (real points
//! labelled 1, generated points 0) and `k_g` steps on G (make D call its points real).

use crate::nn::{bce_with_logits, sigmoid, Activation, Mlp, Optimizer};
use crate::rng::Rng;

/// What G and D minimise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GanLoss {
    /// G minimises log(1 − D(G(z))): the original zero-sum game (its gradient vanishes early on).
    Minimax,
    /// G minimises −log D(G(z)): same fixed point, strong gradients when D wins.
    #[default]
    NonSaturating,
    /// Least squares (Mao et al. 2017): D minimises ½(s_real − 1)² + ½s_fake², G minimises ½(s_fake − 1)².
    LeastSquares,
}

/// The noise distribution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Noise {
    #[default]
    Gaussian,
    Uniform,
}

/// Everything that defines a run.
#[derive(Clone, Debug)]
pub struct GanConfig {
    pub g_hidden: Vec<usize>,
    pub d_hidden: Vec<usize>,
    pub activation: Activation,
    pub noise_dim: usize,
    pub noise: Noise,
    pub loss: GanLoss,
    pub adam: bool,
    pub lr_g: f32,
    pub lr_d: f32,
    pub k_d: usize,
    pub k_g: usize,
    pub batch: usize,
    pub seed: u64,
}

impl Default for GanConfig {
    fn default() -> Self {
        GanConfig {
            g_hidden: vec![64, 64],
            d_hidden: vec![64, 64],
            activation: Activation::Relu,
            noise_dim: 2,
            noise: Noise::Gaussian,
            loss: GanLoss::NonSaturating,
            adam: true,
            lr_g: 1e-3,
            lr_d: 1e-3,
            k_d: 1,
            k_g: 1,
            batch: 128,
            seed: 1,
        }
    }
}

/// Losses of one iteration (means over the batch).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepLosses {
    pub d: f32,
    pub g: f32,
}

/// A GAN in training.
#[derive(Clone, Debug)]
pub struct Gan {
    pub cfg: GanConfig,
    pub g: Mlp,
    pub d: Mlp,
    opt_g: Optimizer,
    opt_d: Optimizer,
    rng: Rng,
    data: Vec<f32>,
    pub iteration: u64,
    // Reused buffers.
    z: Vec<f32>,
    real: Vec<f32>,
    grad: Vec<f32>,
    targets: Vec<f32>,
}

fn gaussian(rng: &mut Rng) -> f32 {
    // Box–Muller.
    let u1 = rng.next_f64().max(1e-12);
    let u2 = rng.next_f64();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

impl Gan {
    /// A fresh GAN for the real points `data` (x, y pairs, at least one point).
    pub fn new(cfg: GanConfig, data: Vec<f32>) -> Gan {
        assert!(data.len() >= 2, "a GAN needs at least one real point");
        let mut rng = Rng::new(cfg.seed);
        let mut gs = vec![cfg.noise_dim];
        gs.extend(&cfg.g_hidden);
        gs.push(2);
        let mut ds = vec![2];
        ds.extend(&cfg.d_hidden);
        ds.push(1);
        let g = Mlp::new(&gs, cfg.activation, Activation::Identity, &mut rng);
        let d = Mlp::new(&ds, cfg.activation, Activation::Identity, &mut rng);
        let opt = |lr| if cfg.adam { Optimizer::adam(lr, 0.5, 0.999) } else { Optimizer::sgd(lr) };
        Gan {
            opt_g: opt(cfg.lr_g),
            opt_d: opt(cfg.lr_d),
            cfg,
            g,
            d,
            rng,
            data,
            iteration: 0,
            z: Vec::new(),
            real: Vec::new(),
            grad: Vec::new(),
            targets: Vec::new(),
        }
    }

    fn sample_noise(&mut self, n: usize) {
        self.z.clear();
        for _ in 0..n * self.cfg.noise_dim {
            let v = match self.cfg.noise {
                Noise::Gaussian => gaussian(&mut self.rng),
                Noise::Uniform => self.rng.next_f64() as f32 * 2.0 - 1.0,
            };
            self.z.push(v);
        }
    }

    fn sample_real(&mut self, n: usize) {
        self.real.clear();
        let count = self.data.len() / 2;
        for _ in 0..n {
            let i = self.rng.below(count as u64) as usize;
            self.real.extend_from_slice(&self.data[2 * i..2 * i + 2]);
        }
    }

    /// ∂loss/∂s for D's logits `s` with label `real`, into self.grad; returns the mean loss.
    fn d_grad(&mut self, s: &[f32], real: bool) -> f32 {
        match self.cfg.loss {
            GanLoss::LeastSquares => {
                let t = if real { 1.0 } else { 0.0 };
                self.grad.clear();
                let mut l = 0.0;
                for &v in s {
                    l += 0.5 * (v - t) * (v - t);
                    self.grad.push(v - t);
                }
                l / s.len() as f32
            }
            _ => {
                self.targets.clear();
                self.targets.resize(s.len(), if real { 1.0 } else { 0.0 });
                let targets = std::mem::take(&mut self.targets);
                let l = bce_with_logits(s, &targets, &mut self.grad);
                self.targets = targets;
                l
            }
        }
    }

    /// One training iteration: `k_d` discriminator steps, then `k_g` generator steps.
    pub fn step(&mut self) -> StepLosses {
        self.step_parts(true, true)
    }

    /// One iteration training only D, only G, or both.
    pub fn step_parts(&mut self, train_d: bool, train_g: bool) -> StepLosses {
        let n = self.cfg.batch.max(1);
        let scale = 1.0 / n as f32;
        let mut losses = StepLosses::default();
        if train_d {
            for _ in 0..self.cfg.k_d.max(1) {
                self.d.zero_grad();
                self.sample_real(n);
                let real = std::mem::take(&mut self.real);
                let s = self.d.forward(&real).to_vec();
                self.real = real;
                let lr = self.d_grad(&s, true);
                let g = std::mem::take(&mut self.grad);
                self.d.backward(&g);
                self.grad = g;
                self.sample_noise(n);
                let z = std::mem::take(&mut self.z);
                let fake = self.g.forward(&z).to_vec();
                self.z = z;
                let s = self.d.forward(&fake).to_vec();
                let lf = self.d_grad(&s, false);
                let g = std::mem::take(&mut self.grad);
                self.d.backward(&g);
                self.grad = g;
                self.opt_d.step(&mut self.d, scale);
                losses.d = lr + lf;
            }
        }
        if train_g {
            for _ in 0..self.cfg.k_g.max(1) {
                self.g.zero_grad();
                self.sample_noise(n);
                let z = std::mem::take(&mut self.z);
                let fake = self.g.forward(&z).to_vec();
                self.z = z;
                let s = self.d.forward(&fake).to_vec();
                self.grad.clear();
                let mut l = 0.0;
                for &v in &s {
                    let (loss, ds) = match self.cfg.loss {
                        // log(1 − σ(s)) = −softplus(s); d/ds = −σ(s)
                        GanLoss::Minimax => (-(v.max(0.0) + (-v.abs()).exp().ln_1p()), -sigmoid(v)),
                        // −log σ(s) = softplus(−s); d/ds = σ(s) − 1
                        GanLoss::NonSaturating => ((-v).max(0.0) + (-v.abs()).exp().ln_1p(), sigmoid(v) - 1.0),
                        GanLoss::LeastSquares => (0.5 * (v - 1.0) * (v - 1.0), v - 1.0),
                    };
                    l += loss;
                    self.grad.push(ds);
                }
                losses.g = l / n as f32;
                let g = std::mem::take(&mut self.grad);
                let dfake = self.d.backward(&g).to_vec(); // D's gradients are discarded: zeroed before D's step
                self.grad = g;
                self.g.backward(&dfake);
                self.opt_g.step(&mut self.g, scale);
            }
        }
        self.iteration += 1;
        losses
    }

    /// `n` generated points (x, y pairs), from fresh noise.
    pub fn generate(&mut self, n: usize) -> Vec<f32> {
        self.sample_noise(n);
        let z = std::mem::take(&mut self.z);
        let out = self.g.forward(&z).to_vec();
        self.z = z;
        out
    }

    /// D(x) = σ(s) for each point.
    pub fn discriminate(&mut self, points: &[f32]) -> Vec<f32> {
        self.d.forward(points).iter().map(|&s| sigmoid(s)).collect()
    }

    /// For each point, the direction the generator's loss pushes a sample there: −∂L_G/∂x
    /// (x, y pairs). This is the gradient G follows, seen from the sample's side.
    pub fn sample_gradients(&mut self, points: &[f32]) -> Vec<f32> {
        let s = self.d.forward(points).to_vec();
        let ds: Vec<f32> = s
            .iter()
            .map(|&v| match self.cfg.loss {
                GanLoss::Minimax => -sigmoid(v),
                GanLoss::NonSaturating => sigmoid(v) - 1.0,
                GanLoss::LeastSquares => v - 1.0,
            })
            .collect();
        let dx = self.d.backward(&ds).iter().map(|g| -g).collect();
        self.d.zero_grad(); // these were not training gradients
        dx
    }

    /// The generator's manifold: `lines` lines of constant z₁ and as many of constant z₂ across
    /// z ∈ [−2, 2]² (the first two noise coordinates; others held at 0), each mapped through G as
    /// `steps + 1` points. Shows how G warps the noise plane onto the data plane.
    pub fn manifold(&mut self, lines: usize, steps: usize) -> Vec<Vec<f32>> {
        let dim = self.cfg.noise_dim.max(1);
        let lines = lines.max(2);
        let steps = steps.max(1);
        let mut out = Vec::with_capacity(2 * lines);
        for axis in 0..2.min(dim) {
            for l in 0..lines {
                let fixed = -2.0 + 4.0 * l as f32 / (lines - 1) as f32;
                let mut z = vec![0.0f32; (steps + 1) * dim];
                for k in 0..=steps {
                    let t = -2.0 + 4.0 * k as f32 / steps as f32;
                    z[k * dim + axis] = t;
                    if dim > 1 {
                        z[k * dim + (1 - axis)] = fixed;
                    }
                }
                out.push(self.g.forward(&z).to_vec());
            }
        }
        out
    }

    /// Whether both networks are still finite (training has not diverged).
    pub fn is_finite(&self) -> bool {
        self.g.is_finite() && self.d.is_finite()
    }
}

/// `n` points from a ring of `modes` Gaussians of standard deviation `std` on a circle of radius `r`.
pub fn ring_of_gaussians(modes: usize, r: f32, std: f32, n: usize, rng: &mut Rng) -> Vec<f32> {
    let mut out = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let k = rng.below(modes as u64) as f32;
        let a = std::f32::consts::TAU * k / modes as f32;
        out.push(r * a.cos() + std * gaussian(rng));
        out.push(r * a.sin() + std * gaussian(rng));
    }
    out
}

/// How many of the `centres` have at least `min_share` of the `points` within `radius` of them.
pub fn modes_covered(points: &[f32], centres: &[(f32, f32)], radius: f32, min_share: f32) -> usize {
    let n = (points.len() / 2).max(1);
    centres
        .iter()
        .filter(|&&(cx, cy)| {
            let near = points.chunks_exact(2).filter(|p| (p[0] - cx).hypot(p[1] - cy) <= radius).count();
            near as f32 / n as f32 >= min_share
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_centres(modes: usize, r: f32) -> Vec<(f32, f32)> {
        (0..modes)
            .map(|k| {
                let a = std::f32::consts::TAU * k as f32 / modes as f32;
                (r * a.cos(), r * a.sin())
            })
            .collect()
    }

    #[test]
    fn d_alone_learns_to_separate_two_fixed_distributions() {
        // Real points around (1, 1); G frozen at its initial output near the origin.
        let mut rng = Rng::new(9);
        let data: Vec<f32> = (0..500).flat_map(|_| [1.0 + 0.1 * gaussian(&mut rng), 1.0 + 0.1 * gaussian(&mut rng)]).collect();
        let mut gan = Gan::new(GanConfig { g_hidden: vec![8], d_hidden: vec![16], ..GanConfig::default() }, data.clone());
        for _ in 0..1000 {
            gan.step_parts(true, false);
        }
        let fake = gan.generate(200);
        let d_real: f32 = gan.discriminate(&data[..400]).iter().sum::<f32>() / 200.0;
        let d_fake: f32 = gan.discriminate(&fake).iter().sum::<f32>() / 200.0;
        assert!(d_real > 0.9 && d_fake < 0.1, "D(real) {d_real}, D(fake) {d_fake}");
    }

    #[test]
    fn sample_gradients_match_finite_differences_of_the_generator_loss() {
        let mut rng = Rng::new(4);
        let data = ring_of_gaussians(8, 2.0, 0.05, 64, &mut rng);
        for loss in [GanLoss::NonSaturating, GanLoss::Minimax, GanLoss::LeastSquares] {
            let mut gan = Gan::new(GanConfig { g_hidden: vec![8], d_hidden: vec![8], loss, ..GanConfig::default() }, data.clone());
            let p = [0.3f32, -0.4];
            let g = gan.sample_gradients(&p);
            let l = |gan: &mut Gan, x: f32, y: f32| {
                let s = gan.d.forward(&[x, y])[0];
                match loss {
                    GanLoss::NonSaturating => (-s).max(0.0) + (-s.abs()).exp().ln_1p(),
                    GanLoss::Minimax => -(s.max(0.0) + (-s.abs()).exp().ln_1p()),
                    GanLoss::LeastSquares => 0.5 * (s - 1.0) * (s - 1.0),
                }
            };
            let h = 1e-2;
            let fx = -(l(&mut gan, p[0] + h, p[1]) - l(&mut gan, p[0] - h, p[1])) / (2.0 * h);
            let fy = -(l(&mut gan, p[0], p[1] + h) - l(&mut gan, p[0], p[1] - h)) / (2.0 * h);
            assert!((fx - g[0]).abs() < 1e-3 && (fy - g[1]).abs() < 1e-3, "{loss:?}: {fx},{fy} vs {g:?}");
        }
        let mut gan = Gan::new(GanConfig::default(), data);
        let m = gan.manifold(5, 10);
        assert_eq!(m.len(), 10);
        assert!(m.iter().all(|line| line.len() == 22 && line.iter().all(|v| v.is_finite())));
        for p in <Preset as crate::query::Choice>::ALL {
            let pts = p.sample(200, &mut rng);
            assert!(pts.iter().all(|v| v.abs() < 2.6), "{p:?} stays in the plotted square");
        }
    }

    #[test]
    fn identical_seeds_give_identical_runs() {
        let mut rng = Rng::new(1);
        let data = ring_of_gaussians(8, 2.0, 0.05, 256, &mut rng);
        let cfg = GanConfig { g_hidden: vec![16], d_hidden: vec![16], batch: 32, ..GanConfig::default() };
        let run = |data: Vec<f32>| {
            let mut gan = Gan::new(cfg.clone(), data);
            let l: Vec<StepLosses> = (0..30).map(|_| gan.step()).collect();
            (l, gan.generate(4))
        };
        assert_eq!(run(data.clone()), run(data));
    }

    #[test]
    fn ring_of_eight_default_covers_the_modes_and_weak_d_collapses() {
        let mut rng = Rng::new(2026);
        let data = ring_of_gaussians(8, 2.0, 0.05, 4096, &mut rng);
        let centres = ring_centres(8, 2.0);
        // Seed and length fixed: the run is deterministic (by 2,000 iterations this seed covers all 8).
        let cfg = GanConfig { g_hidden: vec![32, 32], d_hidden: vec![32, 32], batch: 128, seed: 1, ..GanConfig::default() };
        let mut good = Gan::new(cfg.clone(), data.clone());
        let mut weak = Gan::new(GanConfig { lr_d: 1e-4, ..cfg }, data);
        for _ in 0..4000 {
            good.step();
            weak.step();
        }
        let covered = modes_covered(&good.generate(2000), &centres, 0.3, 0.03);
        let collapsed = modes_covered(&weak.generate(2000), &centres, 0.3, 0.03);
        assert!(covered >= 7, "default covers {covered} modes");
        assert!(collapsed <= 2, "weak D covers {collapsed} modes");
    }
}

/// The real-data presets of the GAN widget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Preset {
    Line,
    TwoGaussians,
    #[default]
    Ring,
    Spiral,
    SwissRoll,
    Disjoint,
}

impl crate::query::Choice for Preset {
    const ALL: &'static [Preset] = &[Preset::Line, Preset::TwoGaussians, Preset::Ring, Preset::Spiral, Preset::SwissRoll, Preset::Disjoint];
    fn key(self) -> &'static str {
        match self {
            Preset::Line => "line",
            Preset::TwoGaussians => "two-gaussians",
            Preset::Ring => "ring",
            Preset::Spiral => "spiral",
            Preset::SwissRoll => "swiss-roll",
            Preset::Disjoint => "disjoint",
        }
    }
}

impl Preset {
    pub fn title(self) -> &'static str {
        match self {
            Preset::Line => "A line",
            Preset::TwoGaussians => "Two Gaussians",
            Preset::Ring => "Ring of 8 Gaussians",
            Preset::Spiral => "Spiral",
            Preset::SwissRoll => "Swiss roll",
            Preset::Disjoint => "Two disjoint bars",
        }
    }

    /// `n` points (x, y pairs) inside [−2.5, 2.5]².
    pub fn sample(self, n: usize, rng: &mut Rng) -> Vec<f32> {
        match self {
            Preset::Ring => ring_of_gaussians(8, 2.0, 0.05, n, rng),
            Preset::TwoGaussians => {
                let mut out = Vec::with_capacity(2 * n);
                for _ in 0..n {
                    let side = if rng.below(2) == 0 { -1.0 } else { 1.0 };
                    out.push(side * 1.2 + 0.25 * gaussian(rng));
                    out.push(side * 0.8 + 0.25 * gaussian(rng));
                }
                out
            }
            Preset::Line => (0..n)
                .flat_map(|_| {
                    let t = rng.next_f64() as f32 * 3.6 - 1.8;
                    [t, 0.5 * t + 0.02 * gaussian(rng)]
                })
                .collect(),
            Preset::SwissRoll => (0..n)
                .flat_map(|_| {
                    let t = 1.5 * std::f32::consts::PI * (1.0 + 2.0 * rng.next_f64() as f32);
                    let (x, y) = (t * t.cos(), t * t.sin());
                    [x / 6.0 + 0.03 * gaussian(rng), y / 6.0 + 0.03 * gaussian(rng)]
                })
                .collect(),
            Preset::Disjoint => (0..n)
                .flat_map(|_| {
                    let x = if rng.below(2) == 0 { -1.4 } else { 1.4 };
                    [x + 0.12 * (rng.next_f64() as f32 - 0.5), 3.6 * (rng.next_f64() as f32 - 0.5)]
                })
                .collect(),
            Preset::Spiral => (0..n)
                .flat_map(|_| {
                    let t = (rng.next_f64() as f32).sqrt() * 3.0 * std::f32::consts::PI;
                    let r = 0.25 + 0.2 * t;
                    [r * t.cos() + 0.04 * gaussian(rng), r * t.sin() + 0.04 * gaussian(rng)]
                })
                .collect(),
        }
    }

    /// The mode centres, for presets made of separate modes.
    pub fn modes(self) -> Option<Vec<(f32, f32)>> {
        match self {
            Preset::Ring => Some(
                (0..8)
                    .map(|k| {
                        let a = std::f32::consts::TAU * k as f32 / 8.0;
                        (2.0 * a.cos(), 2.0 * a.sin())
                    })
                    .collect(),
            ),
            Preset::TwoGaussians => Some(vec![(-1.2, -0.8), (1.2, 0.8)]),
            _ => None,
        }
    }

    /// The radius within which a sample counts for a mode.
    pub fn mode_radius(self) -> f32 {
        match self {
            Preset::TwoGaussians => 0.6,
            _ => 0.3,
        }
    }
}
