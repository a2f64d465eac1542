//! t-distributed stochastic neighbour embedding with the Barnes–Hut approximation
//! (van der Maaten & Hinton 2008; van der Maaten 2014, "Accelerating t-SNE using tree-based algorithms").
//!
//! 1. Input affinities. Each point i keeps its K = ⌊3·perplexity⌋ nearest neighbours by squared
//!    Euclidean distance d²ᵢⱼ (for L2-normalised rows d² = 2 − 2cos, so these are the cosine
//!    neighbours; [`Tsne::from_neighbours`] takes any precomputed graph). pⱼ|ᵢ = exp(−βᵢd²ᵢⱼ) / Σₖ exp(−βᵢd²ᵢₖ), with βᵢ = 1/(2σᵢ²)
//!    found by bisection so that the entropy H(Pᵢ) = ln(perplexity); then pᵢⱼ = (pⱼ|ᵢ + pᵢ|ⱼ) / 2n.
//! 2. The map. qᵢⱼ = wᵢⱼ / Z with wᵢⱼ = (1 + ‖yᵢ − yⱼ‖²)⁻¹ and Z = Σ_{k≠l} w_kl. The gradient of
//!    KL(P‖Q) is ∂C/∂yᵢ = 4 [Σⱼ α·pᵢⱼwᵢⱼ(yᵢ − yⱼ) − Σⱼ wᵢⱼ²(yᵢ − yⱼ) / Z]: the attractive sum runs
//!    over the sparse P, the repulsive sum and Z over a quadtree, a cell of N points at distance r
//!    (to its centre of mass) standing for all of them when width / r < θ.
//! 3. The optimiser (as in the reference bhtsne): early exaggeration α = 12 for 250 iterations,
//!    momentum 0.5 then 0.8, per-coordinate gains (Jacobs 1988: +0.2 when the gradient changes
//!    sign against the last update, ×0.8 otherwise, at least 0.01), map re-centred every step.
//!
//! [`Tsne::step`] runs one iteration, so an animation can run a few per frame. Everything is
//! sequential and deterministic for a seed; the quadtree is built and walked without recursion and
//! its depth is capped, so duplicate points share a leaf instead of splitting forever.

use crate::embed::{pca, squared_distance, Knn};
use crate::rng::Rng;
use std::fmt;

/// How the map starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Init {
    /// yᵢ ~ N(0, 10⁻⁴ I) from the seed (van der Maaten 2014).
    #[default]
    Random,
    /// The first two principal components, scaled so PC1 has standard deviation 10⁻⁴
    /// (Kobak & Berens 2019): keeps more global structure and differs less between seeds.
    Pca,
}

/// Everything that defines a run.
#[derive(Clone, Debug)]
pub struct TsneConfig {
    /// Effective number of neighbours; clamped to [2, (n − 1)/3].
    pub perplexity: f32,
    /// η; `None` = max(n / (4α), 50) (Belkina et al. 2019, in this gradient's scale). Clamped to [1, 10⁵].
    pub learning_rate: Option<f32>,
    /// Barnes–Hut accuracy θ (0 = exact O(n²)); clamped to [0, 0.7] so that the cell containing a
    /// point is never summarised.
    pub theta: f32,
    /// α, the factor on P during the first `exaggeration_iters` iterations.
    pub early_exaggeration: f32,
    pub exaggeration_iters: usize,
    /// Momentum before / after iteration `exaggeration_iters`.
    pub momentum: (f32, f32),
    pub init: Init,
    pub seed: u64,
    /// The KL divergence is estimated during every `kl_every`-th step (costs n·K logarithms).
    pub kl_every: usize,
}

impl Default for TsneConfig {
    fn default() -> Self {
        TsneConfig {
            perplexity: 30.0,
            learning_rate: None,
            theta: 0.5,
            early_exaggeration: 12.0,
            exaggeration_iters: 250,
            momentum: (0.5, 0.8),
            init: Init::Random,
            seed: 1,
            kl_every: 10,
        }
    }
}

/// A setting that was changed to keep the run well defined.
#[derive(Clone, Debug, PartialEq)]
pub enum TsneNotice {
    Perplexity { requested: f32, used: f32 },
    LearningRate { requested: f32, used: f32 },
    Theta { requested: f32, used: f32 },
}

impl fmt::Display for TsneNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TsneNotice::Perplexity { requested, used } => {
                write!(
                    f,
                    "perplexity {requested} is out of range for this many points; using {used}"
                )
            }
            TsneNotice::LearningRate { requested, used } => {
                write!(f, "learning rate {requested} is out of range; using {used}")
            }
            TsneNotice::Theta { requested, used } => {
                write!(f, "θ {requested} is out of range; using {used}")
            }
        }
    }
}

/// The symmetric input affinities P in compressed sparse rows: the neighbours of i are
/// `col[start[i]..start[i+1]]` with weights `p[..]`; Σ p = 1.
#[derive(Clone, Debug)]
pub struct Affinities {
    pub n: usize,
    pub start: Vec<usize>,
    pub col: Vec<u32>,
    pub p: Vec<f32>,
}

/// Conditional affinities pⱼ|ᵢ for one point from the squared distances to its neighbours, βᵢ found
/// by bisection on H(Pᵢ) = ln(perplexity) (at most 200 halvings, |ΔH| < 10⁻⁵). Distances are
/// shifted by their minimum (it cancels) so exp never underflows to an all-zero row; a non-finite
/// distance counts as unreachable.
pub fn conditional_affinities(sq_dist: &[f32], perplexity: f32, out: &mut [f32]) {
    let target = (perplexity as f64).ln();
    let clean = |d: f32| {
        if d.is_finite() {
            d.max(0.0) as f64
        } else {
            f32::MAX as f64
        }
    };
    let d_min = sq_dist
        .iter()
        .map(|&d| clean(d))
        .fold(f64::INFINITY, f64::min);
    let (mut beta, mut lo, mut hi) = (1.0f64, 0.0f64, f64::INFINITY);
    for _ in 0..200 {
        let (mut sum, mut weighted) = (0.0f64, 0.0f64);
        for &d in sq_dist {
            let delta = clean(d) - d_min;
            let p = (-beta * delta).exp();
            sum += p;
            if p > 0.0 {
                weighted += delta * p;
            }
        }
        let entropy = sum.ln() + beta * weighted / sum; // H = ln Σ + β Σ δⱼpⱼ / Σ
        if (entropy - target).abs() < 1e-5 {
            break;
        }
        if entropy > target {
            lo = beta;
            beta = if hi.is_finite() {
                0.5 * (beta + hi)
            } else {
                2.0 * beta
            };
        } else {
            hi = beta;
            beta = 0.5 * (beta + lo);
        }
    }
    let mut sum = 0.0f64;
    for (o, &d) in out.iter_mut().zip(sq_dist) {
        let p = (-beta * (clean(d) - d_min)).exp();
        *o = p as f32;
        sum += p;
    }
    out.iter_mut().for_each(|o| *o = (*o as f64 / sum) as f32);
}

impl Affinities {
    /// P from each point's k neighbours (`index`, `sq_dist`: n × k, row-major): calibrate every row
    /// to the perplexity, symmetrise pᵢⱼ = pⱼ|ᵢ + pᵢ|ⱼ, normalise to Σ = 1.
    pub fn from_neighbours(
        n: usize,
        k: usize,
        index: &[u32],
        sq_dist: &[f32],
        perplexity: f32,
    ) -> Affinities {
        let mut cond = vec![0.0f32; n * k];
        for i in 0..n {
            conditional_affinities(
                &sq_dist[i * k..(i + 1) * k],
                perplexity,
                &mut cond[i * k..(i + 1) * k],
            );
        }
        // Both directions of every edge, bucketed by row (counting sort), then merged per row.
        let mut count = vec![0usize; n + 1];
        for i in 0..n {
            for &j in &index[i * k..(i + 1) * k] {
                count[i + 1] += 1;
                count[j as usize + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut edges = vec![(0u32, 0.0f32); count[n]];
        for i in 0..n {
            for (&j, &p) in index[i * k..(i + 1) * k]
                .iter()
                .zip(&cond[i * k..(i + 1) * k])
            {
                edges[fill[i]] = (j, p);
                fill[i] += 1;
                edges[fill[j as usize]] = (i as u32, p);
                fill[j as usize] += 1;
            }
        }
        let (mut start, mut col, mut p) = (Vec::with_capacity(n + 1), Vec::new(), Vec::new());
        let mut total = 0.0f64;
        start.push(0);
        for i in 0..n {
            let row = &mut edges[count[i]..count[i + 1]];
            row.sort_by_key(|e| e.0);
            for &(j, v) in row.iter() {
                if j as usize == i {
                    continue;
                }
                if col.len() > start[i] && *col.last().unwrap() == j {
                    *p.last_mut().unwrap() += v;
                } else {
                    col.push(j);
                    p.push(v);
                }
                total += v as f64;
            }
            start.push(col.len());
        }
        if total > 0.0 {
            p.iter_mut().for_each(|v| *v = (*v as f64 / total) as f32);
        }
        Affinities { n, start, col, p }
    }
}

// ---------------------------------------------------------------------------------------------
// Quadtree
// ---------------------------------------------------------------------------------------------

/// Deeper cells than this are not split: a leaf at this depth holds any number of points (duplicates).
const MAX_DEPTH: usize = 24;
const NO_CHILD: u32 = 0;

/// A square cell: centre, half-width, number of points, their coordinate sums (for the centre of
/// mass), its first child (the four children are consecutive; 0 = leaf) and, in a one-point leaf,
/// that point.
#[derive(Clone, Copy, Debug)]
struct Cell {
    cx: f32,
    cy: f32,
    half: f32,
    count: u32,
    sx: f32,
    sy: f32,
    first_child: u32,
    point: u32,
}

impl Cell {
    fn new(cx: f32, cy: f32, half: f32) -> Cell {
        Cell {
            cx,
            cy,
            half,
            count: 0,
            sx: 0.0,
            sy: 0.0,
            first_child: NO_CHILD,
            point: 0,
        }
    }

    /// Index of the child quadrant containing (x, y).
    fn child(&self, x: f32, y: f32) -> usize {
        self.first_child as usize + (x >= self.cx) as usize + 2 * (y >= self.cy) as usize
    }
}

/// A point-region quadtree over the map, in one arena reused between steps.
#[derive(Clone, Debug, Default)]
struct QuadTree {
    cells: Vec<Cell>,
    stack: Vec<u32>,
}

impl QuadTree {
    fn build(&mut self, y: &[f32]) {
        self.cells.clear();
        let (mut x0, mut x1, mut y0, mut y1) = (
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::INFINITY,
            f32::NEG_INFINITY,
        );
        for p in y.chunks_exact(2) {
            x0 = x0.min(p[0]);
            x1 = x1.max(p[0]);
            y0 = y0.min(p[1]);
            y1 = y1.max(p[1]);
        }
        let half = (0.5 * (x1 - x0).max(y1 - y0)).max(1e-6) * (1.0 + 1e-4);
        self.cells
            .push(Cell::new(0.5 * (x0 + x1), 0.5 * (y0 + y1), half));
        for (i, p) in y.chunks_exact(2).enumerate() {
            self.insert(i as u32, p[0], p[1], y);
        }
    }

    fn insert(&mut self, i: u32, px: f32, py: f32, y: &[f32]) {
        let mut node = 0usize;
        let mut depth = 0;
        loop {
            let c = &mut self.cells[node];
            c.count += 1;
            c.sx += px;
            c.sy += py;
            if c.first_child != NO_CHILD {
                node = c.child(px, py);
                depth += 1;
                continue;
            }
            if c.count == 1 {
                c.point = i;
                return;
            }
            if depth >= MAX_DEPTH {
                return; // a multi-point leaf
            }
            // Split: four children, then move the resident point down into one of them.
            let (cx, cy, h, resident) = (c.cx, c.cy, 0.5 * c.half, c.point as usize);
            let first = self.cells.len() as u32;
            self.cells[node].first_child = first;
            for (dx, dy) in [(-h, -h), (h, -h), (-h, h), (h, h)] {
                self.cells.push(Cell::new(cx + dx, cy + dy, h));
            }
            let (qx, qy) = (y[2 * resident], y[2 * resident + 1]);
            let ch = self.cells[node].child(qx, qy);
            let r = &mut self.cells[ch];
            r.count = 1;
            r.sx = qx;
            r.sy = qy;
            r.point = resident as u32;
            node = self.cells[node].child(px, py);
            depth += 1;
        }
    }

    /// Σⱼ wᵢⱼ²(yᵢ − yⱼ) and Σⱼ wᵢⱼ over all j (including i itself, which adds exactly w = 1 and no
    /// force when its cell is opened down to the leaf — guaranteed for θ < 1/√2).
    fn repulsion(&mut self, px: f32, py: f32, theta2: f32) -> (f32, f32, f32) {
        let (mut fx, mut fy, mut z) = (0.0f32, 0.0f32, 0.0f32);
        self.stack.clear();
        self.stack.push(0);
        while let Some(node) = self.stack.pop() {
            let c = &self.cells[node as usize];
            if c.count == 0 {
                continue;
            }
            let inv = 1.0 / c.count as f32;
            let (dx, dy) = (px - c.sx * inv, py - c.sy * inv);
            let d2 = dx * dx + dy * dy;
            let width = 2.0 * c.half;
            if c.first_child == NO_CHILD || width * width < theta2 * d2 {
                let w = 1.0 / (1.0 + d2);
                let nw = c.count as f32 * w;
                z += nw;
                fx += nw * w * dx;
                fy += nw * w * dy;
            } else {
                let f = c.first_child;
                self.stack.extend_from_slice(&[f, f + 1, f + 2, f + 3]);
            }
        }
        (fx, fy, z)
    }
}

// ---------------------------------------------------------------------------------------------
// The optimiser
// ---------------------------------------------------------------------------------------------

/// A t-SNE run in progress.
#[derive(Clone, Debug)]
pub struct Tsne {
    n: usize,
    p: Affinities,
    /// Σ pᵢⱼ ln pᵢⱼ, the constant part of KL(P‖Q).
    p_log_p: f64,
    y: Vec<f32>,
    update: Vec<f32>,
    gains: Vec<f32>,
    grad: Vec<f32>,
    tree: QuadTree,
    iteration: usize,
    perplexity: f32,
    learning_rate: f32,
    theta: f32,
    cfg: TsneConfig,
    kl: Option<(usize, f64)>,
    notices: Vec<TsneNotice>,
}

impl Tsne {
    /// A run on n points of dimension dim (row-major), neighbours by exact all-pairs Euclidean
    /// search: ½n²·dim operations, the dominant set-up cost (5,000 × 384: ~1.5 s natively; on 50
    /// principal components from [`pca`]: ~0.35 s). To spread the search over animation frames, build
    /// the graph with [`crate::embed::KnnBuilder`] and start with [`Tsne::from_neighbours`].
    pub fn new(data: &[f32], n: usize, dim: usize, cfg: &TsneConfig) -> Tsne {
        let perplexity = clamp_perplexity(cfg.perplexity, n);
        let k = ((3.0 * perplexity).floor() as usize).min(n.saturating_sub(1));
        let knn = Knn::by_euclidean(data, n, dim, k);
        let initial = match cfg.init {
            Init::Pca if n >= 2 => {
                let pc = pca(data, n, dim, 2, 30, cfg.seed);
                let (sd, _) = column_std(&pc.projections, pc.k);
                (pc.k == 2 && sd > 0.0).then(|| {
                    pc.projections
                        .iter()
                        .map(|&v| v * (1e-4 / sd))
                        .collect::<Vec<_>>()
                })
            }
            _ => None,
        };
        Tsne::from_neighbours(n, knn.k, &knn.index, &knn.value, cfg, initial.as_deref())
    }

    /// A run from precomputed neighbours (`index`, squared distances `sq_dist`: n × k row-major),
    /// e.g. cosine neighbours with d² = 2 − 2cos. `initial` (n × 2) overrides `cfg.init`.
    pub fn from_neighbours(
        n: usize,
        k: usize,
        index: &[u32],
        sq_dist: &[f32],
        cfg: &TsneConfig,
        initial: Option<&[f32]>,
    ) -> Tsne {
        let mut notices = Vec::new();
        let perplexity = clamp_perplexity(cfg.perplexity, n);
        if perplexity != cfg.perplexity {
            notices.push(TsneNotice::Perplexity {
                requested: cfg.perplexity,
                used: perplexity,
            });
        }
        let alpha = if cfg.early_exaggeration.is_finite() {
            cfg.early_exaggeration.clamp(1.0, 100.0)
        } else {
            12.0
        };
        let auto_rate = (n as f32 / (4.0 * alpha)).max(50.0);
        let requested = cfg.learning_rate.unwrap_or(auto_rate);
        let learning_rate = if requested.is_finite() {
            requested.clamp(1.0, 1e5)
        } else {
            auto_rate
        };
        if learning_rate != requested {
            notices.push(TsneNotice::LearningRate {
                requested,
                used: learning_rate,
            });
        }
        let theta = if cfg.theta.is_finite() {
            cfg.theta.clamp(0.0, 0.7)
        } else {
            0.5
        };
        if theta != cfg.theta {
            notices.push(TsneNotice::Theta {
                requested: cfg.theta,
                used: theta,
            });
        }
        // K may exceed what this perplexity needs (e.g. a shared neighbour list): use the first 3·perplexity.
        let use_k = ((3.0 * perplexity).floor() as usize)
            .clamp(1, k.max(1))
            .min(k);
        let mut idx = Vec::with_capacity(n * use_k);
        let mut d2 = Vec::with_capacity(n * use_k);
        for i in 0..n {
            idx.extend_from_slice(&index[i * k..i * k + use_k]);
            d2.extend_from_slice(&sq_dist[i * k..i * k + use_k]);
        }
        let p = Affinities::from_neighbours(n, use_k, &idx, &d2, perplexity);
        let p_log_p =
            p.p.iter()
                .filter(|&&v| v > 0.0)
                .map(|&v| v as f64 * (v as f64).ln())
                .sum();

        let y = match initial {
            Some(init) if init.len() == 2 * n && init.iter().all(|v| v.is_finite()) => {
                init.to_vec()
            }
            _ => {
                let mut y = vec![0.0f32; 2 * n];
                Rng::new(cfg.seed).fill_normal(&mut y);
                y.iter_mut().for_each(|v| *v *= 1e-4);
                y
            }
        };
        let mut cfg = cfg.clone();
        cfg.early_exaggeration = alpha;
        Tsne {
            n,
            p,
            p_log_p,
            y,
            update: vec![0.0; 2 * n],
            gains: vec![1.0; 2 * n],
            grad: vec![0.0; 2 * n],
            tree: QuadTree::default(),
            iteration: 0,
            perplexity,
            learning_rate,
            theta,
            cfg,
            kl: None,
            notices,
        }
    }

    /// One gradient-descent iteration. Cost: a quadtree build and walk per point, O(n log n), plus
    /// the attractive forces over the ~2nK entries of P.
    pub fn step(&mut self) {
        let n = self.n;
        if n < 2 {
            self.iteration += 1;
            return;
        }
        let exaggerating = self.iteration < self.cfg.exaggeration_iters;
        let alpha = if exaggerating {
            self.cfg.early_exaggeration
        } else {
            1.0
        };
        let momentum = if exaggerating {
            self.cfg.momentum.0
        } else {
            self.cfg.momentum.1
        };
        let want_kl = self.cfg.kl_every > 0 && self.iteration.is_multiple_of(self.cfg.kl_every);

        // Repulsion: grad ← Σⱼ wᵢⱼ²(yᵢ − yⱼ) per point, and Z.
        self.tree.build(&self.y);
        let theta2 = self.theta * self.theta;
        let mut z = 0.0f64;
        for i in 0..n {
            let (fx, fy, zi) = self
                .tree
                .repulsion(self.y[2 * i], self.y[2 * i + 1], theta2);
            self.grad[2 * i] = fx;
            self.grad[2 * i + 1] = fy;
            z += zi as f64 - 1.0; // minus the point itself
        }
        let inv_z = if z > f64::MIN_POSITIVE {
            (1.0 / z) as f32
        } else {
            0.0
        };

        // Attraction over P, and the gradient 4(α·attraction − repulsion / Z).
        let mut p_log_w = 0.0f64;
        for i in 0..n {
            let (yi0, yi1) = (self.y[2 * i], self.y[2 * i + 1]);
            let (mut ax, mut ay) = (0.0f32, 0.0f32);
            for e in self.p.start[i]..self.p.start[i + 1] {
                let j = self.p.col[e] as usize;
                let (dx, dy) = (yi0 - self.y[2 * j], yi1 - self.y[2 * j + 1]);
                let w = 1.0 / (1.0 + dx * dx + dy * dy);
                let pw = self.p.p[e] * w;
                ax += pw * dx;
                ay += pw * dy;
                if want_kl {
                    p_log_w += self.p.p[e] as f64 * (w as f64).ln();
                }
            }
            self.grad[2 * i] = 4.0 * (alpha * ax - self.grad[2 * i] * inv_z);
            self.grad[2 * i + 1] = 4.0 * (alpha * ay - self.grad[2 * i + 1] * inv_z);
        }
        if want_kl {
            // KL(P‖Q) = Σ p ln p − Σ p ln w + ln Z, for the positions this step started from.
            self.kl = Some((
                self.iteration,
                self.p_log_p - p_log_w + z.max(f64::MIN_POSITIVE).ln(),
            ));
        }

        // Gains, momentum, update; then re-centre.
        let eta = self.learning_rate;
        let (mut mx, mut my) = (0.0f64, 0.0f64);
        for d in 0..2 * n {
            let (g, u) = (self.grad[d], self.update[d]);
            let gain = if sign(g) != sign(u) {
                self.gains[d] + 0.2
            } else {
                self.gains[d] * 0.8
            };
            let gain = gain.max(0.01);
            self.gains[d] = gain;
            let u = momentum * u - eta * gain * g;
            self.update[d] = if u.is_finite() { u } else { 0.0 };
            self.y[d] += self.update[d];
            if d % 2 == 0 {
                mx += self.y[d] as f64
            } else {
                my += self.y[d] as f64
            }
        }
        let (mx, my) = ((mx / n as f64) as f32, (my / n as f64) as f32);
        for p in self.y.chunks_exact_mut(2) {
            p[0] -= mx;
            p[1] -= my;
        }
        self.iteration += 1;
    }

    /// The map, n × 2 row-major.
    pub fn positions(&self) -> &[f32] {
        &self.y
    }

    /// Iterations done so far.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// The perplexity, learning rate and θ actually used (after clamping).
    pub fn perplexity(&self) -> f32 {
        self.perplexity
    }
    pub fn learning_rate(&self) -> f32 {
        self.learning_rate
    }
    pub fn theta(&self) -> f32 {
        self.theta
    }

    /// Settings that were clamped, for the UI to show.
    pub fn notices(&self) -> &[TsneNotice] {
        &self.notices
    }

    /// The input affinities P.
    pub fn affinities(&self) -> &Affinities {
        &self.p
    }

    /// The latest Barnes–Hut estimate of KL(P‖Q) (unexaggerated P), with the iteration whose
    /// starting positions it describes; refreshed every `kl_every` steps at no extra tree cost.
    pub fn kl_estimate(&self) -> Option<(usize, f64)> {
        self.kl
    }

    /// KL(P‖Q) for the current positions with Z summed exactly over all pairs: O(n²)
    /// (5,000 points: 1.25·10⁷ pairs, tens of milliseconds natively). For tests and occasional display.
    pub fn kl_divergence(&self) -> f64 {
        let n = self.n;
        if n < 2 {
            return 0.0;
        }
        let mut z = 0.0f64;
        for i in 0..n {
            let yi = &self.y[2 * i..2 * i + 2];
            let mut zi = 0.0f32;
            for j in i + 1..n {
                zi += 1.0 / (1.0 + squared_distance(yi, &self.y[2 * j..2 * j + 2]));
            }
            z += 2.0 * zi as f64;
        }
        let mut p_log_w = 0.0f64;
        for i in 0..n {
            for e in self.p.start[i]..self.p.start[i + 1] {
                let j = self.p.col[e] as usize;
                let d2 =
                    squared_distance(&self.y[2 * i..2 * i + 2], &self.y[2 * j..2 * j + 2]) as f64;
                p_log_w -= self.p.p[e] as f64 * (1.0 + d2).ln();
            }
        }
        self.p_log_p - p_log_w + z.max(f64::MIN_POSITIVE).ln()
    }
}

/// Perplexity clamped to [2, (n − 1)/3] (so that 3·perplexity neighbours exist); for n < 7 the upper
/// bound wins, and it is at least 1. A non-finite request becomes 30 before clamping.
pub fn clamp_perplexity(requested: f32, n: usize) -> f32 {
    let upper = ((n.saturating_sub(1)) as f32 / 3.0).max(1.0);
    let p = if requested.is_finite() {
        requested
    } else {
        30.0
    };
    p.max(2.0).min(upper)
}

/// −1, 0 or 1, as in the reference implementation's gain rule.
#[inline]
fn sign(x: f32) -> i8 {
    (x > 0.0) as i8 - (x < 0.0) as i8
}

/// Standard deviation of column 0 of an n × k matrix, and the mean.
fn column_std(m: &[f32], k: usize) -> (f32, f32) {
    let col: Vec<f64> = m.iter().step_by(k.max(1)).map(|&v| v as f64).collect();
    let n = col.len().max(1) as f64;
    let mean = col.iter().sum::<f64>() / n;
    let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (var.sqrt() as f32, mean as f32)
}
