//! Contrastive image–text learning at toy scale: CLIP (Radford et al. 2021) with a locked text side
//! (LiT, Zhai et al. 2022).
//!
//! Two encoders map an image and a caption into one space of unit vectors:
//!
//! - the **image encoder** f is an MLP on the 24 × 24 pixels of an icon, trained from scratch;
//! - the **text encoder** g is a trained linear projection of *frozen* text features: the mean of
//!   the caption's word vectors from a real sentence model (all-MiniLM-L6-v2, precomputed offline by
//!   `tools/multimodal/prepare.py`). Only the projection learns, so words the icons never used (e.g.
//!   "cat") still land somewhere sensible.
//!
//! For a batch of n pairs, uᵢ = f(xᵢ)/‖f(xᵢ)‖ and vⱼ = g(cⱼ)/‖g(cⱼ)‖, the logits are
//! Lᵢⱼ = s·uᵢ·vⱼ with a learned scale s = eᵗ (the inverse temperature 1/τ), and the loss is the
//! symmetric InfoNCE: the mean cross-entropy of picking the right caption in each row and the right
//! image in each column,
//!
//! ```text
//! loss = ½ [ (1/n) Σᵢ −log softmax(Lᵢ·)ᵢ  +  (1/n) Σⱼ −log softmax(L·ⱼ)ⱼ ]
//! ```
//!
//! Its gradient is G = ∂loss/∂L = ½(P − I)/n + ½(Q − I)/n with P the row softmax and Q the column
//! softmax; then ∂/∂uᵢ = s Σⱼ Gᵢⱼ vⱼ, ∂/∂vⱼ = s Σᵢ Gᵢⱼ uᵢ and ∂/∂t = Σᵢⱼ Gᵢⱼ Lᵢⱼ.

use std::collections::HashMap;

use crate::diffusion::Icons;
use crate::embed::Table;
use crate::nn::{Activation, Mlp, Optimizer};
use crate::rng::Rng;
use crate::simd::dot;

/// Width of the shared space.
pub const DIM: usize = 32;
/// Hidden units of the image encoder.
pub const HIDDEN: usize = 128;
/// The starting temperature τ = 0.07 of the CLIP paper, as t = ln(1/τ).
pub const T_INIT: f32 = 2.659_26;
/// CLIP clips the scale at 100: t ≤ ln 100.
pub const T_MAX: f32 = 4.605_17;
/// The held-out share of the icons, and the fixed seed that picks them (the split never depends on
/// the training seed, so every run is scored on the same icons).
pub const TEST_FRACTION: f64 = 0.2;
pub const SPLIT_SEED: u64 = 20_211_030;

/// The words of a caption or a typed label: lower case, split at anything that is not a letter or
/// a digit ("arrow-left" → ["arrow", "left"]).
pub fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect()
}

/// A caption turned into frozen text features, with what could and could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoded {
    /// The mean of the known words' vectors (the sentence model's dimension).
    pub features: Vec<f32>,
    pub known: Vec<String>,
    pub unknown: Vec<String>,
}

/// Why a text has no features.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextError {
    /// No words at all (empty, or only punctuation).
    Empty,
    /// Words, but none in the vocabulary.
    AllUnknown(Vec<String>),
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::Empty => write!(f, "there are no words to read"),
            TextError::AllUnknown(w) => write!(f, "none of the words ({}) is in the vocabulary", w.join(", ")),
        }
    }
}

/// The frozen text side: one sentence-model vector per vocabulary word.
#[derive(Clone, Debug)]
pub struct Vocabulary {
    pub table: Table,
    pub words: Vec<String>,
    index: HashMap<String, usize>,
}

impl Vocabulary {
    pub fn new(table: Table, words: Vec<String>) -> Result<Vocabulary, String> {
        if words.len() != table.n {
            return Err(format!("{} words for {} vectors", words.len(), table.n));
        }
        let index = words.iter().enumerate().map(|(i, w)| (w.clone(), i)).collect();
        Ok(Vocabulary { table, words, index })
    }

    pub fn dim(&self) -> usize {
        self.table.dim
    }

    pub fn contains(&self, word: &str) -> bool {
        self.index.contains_key(word)
    }

    /// Features of `text`: the mean of its known words' vectors. Unknown words are skipped and
    /// reported; a text with no known word is an error.
    pub fn encode(&self, text: &str) -> Result<Encoded, TextError> {
        let words = words_of(text);
        if words.is_empty() {
            return Err(TextError::Empty);
        }
        let (mut known, mut unknown) = (Vec::new(), Vec::new());
        let mut features = vec![0.0f32; self.dim()];
        for w in words {
            match self.index.get(&w) {
                Some(&i) => {
                    for (f, &x) in features.iter_mut().zip(self.table.row(i)) {
                        *f += x;
                    }
                    known.push(w);
                }
                None => unknown.push(w),
            }
        }
        if known.is_empty() {
            return Err(TextError::AllUnknown(unknown));
        }
        let k = known.len() as f32;
        features.iter_mut().for_each(|f| *f /= k);
        Ok(Encoded { features, known, unknown })
    }
}

/// The icons with their names as captions, and a held-out split that keeps an icon and its
/// "-sharp" twin on the same side (otherwise the test set would be near-copies of training icons).
#[derive(Clone, Debug)]
pub struct Dataset {
    pub names: Vec<String>,
    /// The caption: the name with its hyphens read as spaces.
    pub captions: Vec<String>,
    /// n × 576 pixels, ink 1, background −1.
    pub images: Vec<f32>,
    pub pixels: usize,
    /// n × vocabulary dimension frozen caption features.
    pub text: Vec<f32>,
    pub text_dim: usize,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

impl Dataset {
    pub fn new(icons: &Icons, vocab: &Vocabulary) -> Result<Dataset, String> {
        let n = icons.len();
        let mut text = Vec::with_capacity(n * vocab.dim());
        let mut captions = Vec::with_capacity(n);
        for name in &icons.names {
            let caption = words_of(name).join(" ");
            let e = vocab.encode(&caption).map_err(|e| format!("icon “{name}”: {e}"))?;
            if !e.unknown.is_empty() {
                return Err(format!("icon “{name}”: {} not in the vocabulary", e.unknown.join(", ")));
            }
            text.extend_from_slice(&e.features);
            captions.push(caption);
        }
        // Group by the name without "-sharp"; shuffle the groups with a fixed seed; the first groups
        // until TEST_FRACTION of the icons form the test split.
        let base = |s: &str| s.strip_suffix("-sharp").unwrap_or(s).to_owned();
        let mut size: HashMap<String, usize> = HashMap::new();
        for name in &icons.names {
            *size.entry(base(name)).or_default() += 1;
        }
        let mut groups: Vec<String> = size.keys().cloned().collect();
        groups.sort();
        Rng::new(SPLIT_SEED).shuffle(&mut groups);
        let target = (n as f64 * TEST_FRACTION).round() as usize;
        let mut in_test = std::collections::HashSet::new();
        let mut count = 0;
        for g in &groups {
            if count >= target {
                break;
            }
            count += size[g];
            in_test.insert(g.clone());
        }
        let (test, train) = (0..n).partition(|&i| in_test.contains(&base(&icons.names[i])));
        Ok(Dataset {
            names: icons.names.clone(),
            captions,
            images: icons.pixels.clone(),
            pixels: icons.side * icons.side,
            text,
            text_dim: vocab.dim(),
            train,
            test,
        })
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn image(&self, i: usize) -> &[f32] {
        &self.images[i * self.pixels..(i + 1) * self.pixels]
    }

    pub fn features(&self, i: usize) -> &[f32] {
        &self.text[i * self.text_dim..(i + 1) * self.text_dim]
    }
}

/// The symmetric InfoNCE loss of a batch and its gradients.
#[derive(Clone, Debug)]
pub struct InfoNce {
    pub loss: f32,
    /// n × n logits Lᵢⱼ = s·uᵢ·vⱼ (row i = image i).
    pub logits: Vec<f32>,
    pub du: Vec<f32>,
    pub dv: Vec<f32>,
    pub dt: f32,
}

/// Symmetric InfoNCE of n unit image vectors `u` and text vectors `v` (rows of width d), pair i ↔ i,
/// at scale s = eᵗ. Softmaxes are computed in f64 with the maximum subtracted.
pub fn info_nce(u: &[f32], v: &[f32], n: usize, d: usize, t: f32) -> InfoNce {
    let s = t.exp();
    let mut logits = vec![0.0f32; n * n];
    for i in 0..n {
        for j in 0..n {
            logits[i * n + j] = s * dot(&u[i * d..(i + 1) * d], &v[j * d..(j + 1) * d]);
        }
    }
    // G = ½(P − I)/n + ½(Q − I)/n.
    let mut g = vec![0.0f64; n * n];
    let mut loss = 0.0f64;
    let half_n = 0.5 / n as f64;
    for i in 0..n {
        let row = |j: usize| logits[i * n + j] as f64;
        let m = (0..n).map(row).fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = (0..n).map(|j| (row(j) - m).exp()).sum();
        loss += z.ln() + m - row(i);
        for j in 0..n {
            g[i * n + j] += half_n * ((row(j) - m).exp() / z - if i == j { 1.0 } else { 0.0 });
        }
    }
    for j in 0..n {
        let col = |i: usize| logits[i * n + j] as f64;
        let m = (0..n).map(col).fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = (0..n).map(|i| (col(i) - m).exp()).sum();
        loss += z.ln() + m - col(j);
        for i in 0..n {
            g[i * n + j] += half_n * ((col(i) - m).exp() / z - if i == j { 1.0 } else { 0.0 });
        }
    }
    let (mut du, mut dv, mut dt) = (vec![0.0f32; n * d], vec![0.0f32; n * d], 0.0f64);
    for i in 0..n {
        for j in 0..n {
            let gij = g[i * n + j];
            dt += gij * logits[i * n + j] as f64;
            let w = (s as f64 * gij) as f32;
            for k in 0..d {
                du[i * d + k] += w * v[j * d + k];
                dv[j * d + k] += w * u[i * d + k];
            }
        }
    }
    InfoNce { loss: (loss * half_n) as f32, logits, du, dv, dt: dt as f32 }
}

/// Scales each row of z (width d) to unit length: y = z/‖z‖. Returns the norms.
pub fn normalize_rows(z: &[f32], d: usize, y: &mut Vec<f32>) -> Vec<f32> {
    y.clear();
    let mut norms = Vec::with_capacity(z.len() / d);
    for row in z.chunks_exact(d) {
        let norm = dot(row, row).sqrt().max(1e-12);
        y.extend(row.iter().map(|x| x / norm));
        norms.push(norm);
    }
    norms
}

/// The gradient through y = z/‖z‖: ∂/∂z = (∂/∂y − y (y·∂/∂y)) / ‖z‖, row by row.
pub fn normalize_rows_backward(y: &[f32], norms: &[f32], dy: &[f32], d: usize) -> Vec<f32> {
    let mut dz = Vec::with_capacity(y.len());
    for ((yr, dyr), &norm) in y.chunks_exact(d).zip(dy.chunks_exact(d)).zip(norms) {
        let p = dot(yr, dyr);
        dz.extend(yr.iter().zip(dyr).map(|(y, g)| (g - y * p) / norm));
    }
    dz
}

/// What one training step reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub loss: f32,
    /// The scale s = eᵗ after the step (1/τ).
    pub scale: f32,
}

/// The two encoders, the learned temperature and their optimisers.
#[derive(Clone, Debug)]
pub struct Clip {
    pub image: Mlp,
    pub text: Mlp,
    /// t = ln s; the logits are s·cosine.
    pub t: f32,
    pub batch: usize,
    pub steps: usize,
    /// Shift each training image by up to one pixel (data augmentation).
    pub augment: bool,
    opt_image: Optimizer,
    opt_text: Optimizer,
    /// Adam moments of t.
    t_moments: (f32, f32),
    lr: f32,
    rng: Rng,
    // Buffers reused between steps.
    x: Vec<f32>,
    c: Vec<f32>,
    u: Vec<f32>,
    v: Vec<f32>,
}

impl Clip {
    pub fn new(pixels: usize, text_dim: usize, batch: usize, lr: f32, seed: u64) -> Clip {
        let mut rng = Rng::new(seed);
        let image = Mlp::new(&[pixels, HIDDEN, DIM], Activation::Relu, Activation::Identity, &mut rng);
        let text = Mlp::new(&[text_dim, DIM], Activation::Identity, Activation::Identity, &mut rng);
        Clip {
            image,
            text,
            t: T_INIT,
            batch,
            steps: 0,
            augment: true,
            opt_image: Optimizer::adam(lr, 0.9, 0.999),
            opt_text: Optimizer::adam(lr, 0.9, 0.999),
            t_moments: (0.0, 0.0),
            lr,
            rng,
            x: Vec::new(),
            c: Vec::new(),
            u: Vec::new(),
            v: Vec::new(),
        }
    }

    /// The model the widgets start from: batch 64, Adam at 2·10⁻³.
    pub fn standard(data: &Dataset, seed: u64) -> Clip {
        Clip::new(data.pixels, data.text_dim, 64, 2e-3, seed)
    }

    pub fn learning_rate(&self) -> f32 {
        self.lr
    }

    pub fn set_learning_rate(&mut self, lr: f32) {
        self.lr = lr;
        self.opt_image.set_learning_rate(lr);
        self.opt_text.set_learning_rate(lr);
    }

    pub fn scale(&self) -> f32 {
        self.t.exp()
    }

    pub fn is_finite(&self) -> bool {
        self.image.is_finite() && self.text.is_finite() && self.t.is_finite()
    }

    /// Unit image vectors for a batch of images (rows of `pixels`).
    pub fn embed_images(&mut self, images: &[f32]) -> Vec<f32> {
        let z = self.image.forward(images).to_vec();
        let mut y = Vec::new();
        normalize_rows(&z, DIM, &mut y);
        y
    }

    /// Unit text vectors for a batch of frozen text features.
    pub fn embed_texts(&mut self, features: &[f32]) -> Vec<f32> {
        let z = self.text.forward(features).to_vec();
        let mut y = Vec::new();
        normalize_rows(&z, DIM, &mut y);
        y
    }

    /// The batch a step would draw next is drawn here: `batch` distinct training pairs.
    pub fn draw_batch(&mut self, data: &Dataset) -> Vec<usize> {
        let mut pool = data.train.clone();
        let b = self.batch.min(pool.len());
        for k in 0..b {
            let j = k + self.rng.below((pool.len() - k) as u64) as usize;
            pool.swap(k, j);
        }
        pool.truncate(b);
        pool
    }

    /// One step of Adam on the symmetric InfoNCE loss of the given pairs; returns the loss before
    /// the step, and the batch's logits through `logits` if asked.
    pub fn step_on(&mut self, data: &Dataset, batch: &[usize], logits: Option<&mut Vec<f32>>) -> Step {
        let n = batch.len();
        let side = (data.pixels as f64).sqrt() as usize;
        self.x.clear();
        self.c.clear();
        for &i in batch {
            let img = data.image(i);
            if self.augment && side * side == data.pixels {
                let (dx, dy) = (self.rng.below(3) as isize - 1, self.rng.below(3) as isize - 1);
                for r in 0..side as isize {
                    for q in 0..side as isize {
                        let (r0, q0) = (r - dy, q - dx);
                        let inside = r0 >= 0 && q0 >= 0 && r0 < side as isize && q0 < side as isize;
                        self.x.push(if inside { img[(r0 as usize) * side + q0 as usize] } else { -1.0 });
                    }
                }
            } else {
                self.x.extend_from_slice(img);
            }
            self.c.extend_from_slice(data.features(i));
        }
        let zi = self.image.forward(&self.x).to_vec();
        let zt = self.text.forward(&self.c).to_vec();
        let ni = normalize_rows(&zi, DIM, &mut self.u);
        let nt = normalize_rows(&zt, DIM, &mut self.v);
        let out = info_nce(&self.u, &self.v, n, DIM, self.t);
        let dzi = normalize_rows_backward(&self.u, &ni, &out.du, DIM);
        let dzt = normalize_rows_backward(&self.v, &nt, &out.dv, DIM);
        self.image.zero_grad();
        self.image.backward_with(&dzi, true, false);
        self.opt_image.step(&mut self.image, 1.0);
        self.text.zero_grad();
        self.text.backward_with(&dzt, true, false);
        self.opt_text.step(&mut self.text, 1.0);
        // Adam on the scalar t, clipped to [0, ln 100] as in CLIP.
        self.steps += 1;
        let (m, v) = &mut self.t_moments;
        *m = 0.9 * *m + 0.1 * out.dt;
        *v = 0.999 * *v + 0.001 * out.dt * out.dt;
        let k = self.steps as i32;
        let (mh, vh) = (*m / (1.0 - 0.9f32.powi(k)), *v / (1.0 - 0.999f32.powi(k)));
        self.t = (self.t - self.lr * mh / (vh.sqrt() + 1e-8)).clamp(0.0, T_MAX);
        if let Some(l) = logits {
            *l = out.logits;
        }
        Step { loss: out.loss, scale: self.scale() }
    }

    /// One training step on a freshly drawn batch.
    pub fn step(&mut self, data: &Dataset) -> Step {
        let batch = self.draw_batch(data);
        self.step_on(data, &batch, None)
    }

    /// Image and text vectors of the pairs `ids` (unit rows of width [`DIM`]).
    pub fn embed_pairs(&mut self, data: &Dataset, ids: &[usize]) -> (Vec<f32>, Vec<f32>) {
        let x: Vec<f32> = ids.iter().flat_map(|&i| data.image(i).iter().copied()).collect();
        let c: Vec<f32> = ids.iter().flat_map(|&i| data.features(i).iter().copied()).collect();
        (self.embed_images(&x), self.embed_texts(&c))
    }

    /// Held-out recall@k both ways over the test split.
    pub fn test_recall(&mut self, data: &Dataset, k: usize) -> Recall {
        let (u, v) = self.embed_pairs(data, &data.test);
        recall_at_k(&u, &v, data.test.len(), DIM, k)
    }
}

/// Recall@k of a retrieval among n pairs (i ↔ i): the share of images whose caption is among the k
/// most similar captions, and of captions whose image is among the k most similar images.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recall {
    pub image_to_text: f64,
    pub text_to_image: f64,
    /// What picking k of n at random achieves: k/n.
    pub chance: f64,
}

impl Recall {
    pub fn mean(&self) -> f64 {
        0.5 * (self.image_to_text + self.text_to_image)
    }
}

/// Rank of item `i` among `scores` (0 = best); ties count against it.
fn rank_of(scores: &[f32], i: usize) -> usize {
    scores.iter().enumerate().filter(|&(j, &s)| j != i && s >= scores[i]).count()
}

pub fn recall_at_k(u: &[f32], v: &[f32], n: usize, d: usize, k: usize) -> Recall {
    let sim = similarity(u, v, n, d);
    let mut hit_it = 0;
    let mut hit_ti = 0;
    for i in 0..n {
        if rank_of(&sim[i * n..(i + 1) * n], i) < k {
            hit_it += 1;
        }
        let col: Vec<f32> = (0..n).map(|r| sim[r * n + i]).collect();
        if rank_of(&col, i) < k {
            hit_ti += 1;
        }
    }
    let n_f = n.max(1) as f64;
    Recall { image_to_text: hit_it as f64 / n_f, text_to_image: hit_ti as f64 / n_f, chance: (k as f64 / n_f).min(1.0) }
}

/// The n × m cosine matrix of unit rows `u` (n of them) and `v` (m = v.len()/d).
pub fn similarity(u: &[f32], v: &[f32], n: usize, d: usize) -> Vec<f32> {
    let m = v.len() / d;
    let mut out = Vec::with_capacity(n * m);
    for i in 0..n {
        for j in 0..m {
            out.push(dot(&u[i * d..(i + 1) * d], &v[j * d..(j + 1) * d]));
        }
    }
    out
}

/// The k best of `scores` (index, score), best first; ties by index.
pub fn top_k(scores: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    idx.into_iter().take(k).map(|i| (i, scores[i])).collect()
}

/// Softmax of s·cosines (zero-shot classification over typed labels), in f64 with the maximum
/// subtracted.
pub fn softmax_scaled(cosines: &[f32], s: f32) -> Vec<f64> {
    let m = cosines.iter().map(|&c| (c * s) as f64).fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = cosines.iter().map(|&c| ((c * s) as f64 - m).exp()).collect();
    let z: f64 = e.iter().sum();
    e.into_iter().map(|x| x / z).collect()
}

/// Text → image: a diffusion model over the icons' pixels conditioned on the shared text embedding
/// (classifier-free guidance, Ho & Salimans 2022), trained offline by
/// `tools/multimodal/train_generator.rs` on the caption vectors of a CLIP model trained there with
/// [`generator::CLIP_SEED`]; the file ships that CLIP's two towers too, so a typed text is embedded
/// exactly as during training and each generated picture can be scored against it.
pub mod generator {
    use super::{normalize_rows, Vocabulary, DIM};
    use crate::diffusion::learned::{Cond, LearnedDiffusion, TimeInput};
    use crate::diffusion::{sampling_times, Schedule};
    use crate::nn::Mlp;
    use crate::rng::Rng;

    pub const CLIP_SEED: u64 = 1;
    pub const CLIP_STEPS: usize = 2000;
    pub const T: usize = 1000;
    pub const HIDDEN: [usize; 2] = [256, 256];
    pub const LEARNING_RATE: f32 = 2e-3;
    pub const BATCH: usize = 128;

    /// The diffusion model (fresh if `net` is None) on `images` (n × 576, ±1) with one unit text
    /// vector per image.
    pub fn model(net: Option<Mlp>, images: Vec<f32>, conds: Vec<f32>, seed: u64) -> Result<LearnedDiffusion, String> {
        let dim = images.len() / (conds.len() / DIM).max(1);
        let mut m = LearnedDiffusion::vector_conditioned(net, images, conds, dim, DIM, Schedule::cosine(T), TimeInput::LogSnr, &HIDDEN, LEARNING_RATE, BATCH, seed)?;
        m.predicts_clean = true;
        Ok(m)
    }

    /// The shipped generator: the offline CLIP's towers and the conditional denoiser.
    pub struct Generator {
        pub text: Mlp,
        pub image: Mlp,
        pub diffusion: LearnedDiffusion,
    }

    /// `GEN1`: magic, then three (u32 length, MLP1 bytes) blobs: text projection, image encoder,
    /// denoiser.
    pub fn to_bytes(text: &Mlp, image: &Mlp, denoiser: &Mlp) -> Vec<u8> {
        let mut out = b"GEN1".to_vec();
        for m in [text, image, denoiser] {
            let b = m.to_bytes();
            out.extend((b.len() as u32).to_le_bytes());
            out.extend(b);
        }
        out
    }

    impl Generator {
        /// Reads `GEN1`. Errors are sentences.
        pub fn from_bytes(bytes: &[u8], pixels: usize) -> Result<Generator, String> {
            if bytes.len() < 4 || &bytes[..4] != b"GEN1" {
                return Err("not a generator file (it should start with GEN1)".into());
            }
            let mut at = 4;
            let mut nets = Vec::new();
            for _ in 0..3 {
                let len = bytes.get(at..at + 4).ok_or("the file ends early")?;
                let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
                let blob = bytes.get(at + 4..at + 4 + len).ok_or("the file ends inside a network")?;
                nets.push(Mlp::from_bytes(blob)?);
                at += 4 + len;
            }
            let denoiser = nets.pop().expect("three");
            let image = nets.pop().expect("two");
            let text = nets.pop().expect("one");
            if text.n_out() != DIM || image.n_out() != DIM || image.n_in() != pixels {
                return Err("the networks in the generator file do not fit together".into());
            }
            let diffusion = model(Some(denoiser), vec![0.0; pixels], vec![0.0; DIM], 0)?;
            Ok(Generator { text, image, diffusion })
        }

        /// The unit text vector of a caption's frozen features.
        pub fn embed_text(&mut self, features: &[f32]) -> Vec<f32> {
            let z = self.text.forward(features).to_vec();
            let mut y = Vec::new();
            normalize_rows(&z, DIM, &mut y);
            y
        }

        /// Unit image vectors of pictures (rows of 576).
        pub fn embed_images(&mut self, images: &[f32]) -> Vec<f32> {
            let z = self.image.forward(images).to_vec();
            let mut y = Vec::new();
            normalize_rows(&z, DIM, &mut y);
            y
        }

        /// The text vector of `text` through the vocabulary, or why there is none.
        pub fn condition(&mut self, vocab: &Vocabulary, text: &str) -> Result<Vec<f32>, super::TextError> {
            let e = vocab.encode(text)?;
            Ok(self.embed_text(&e.features))
        }

        /// A sampling run of `n` pictures in `steps` DDIM steps, from noise drawn with `seed`.
        pub fn start(&self, n: usize, steps: usize, seed: u64) -> Sampling {
            let mut rng = Rng::new(seed);
            let mut xs = vec![0.0f32; n * self.diffusion.dim];
            rng.fill_normal(&mut xs);
            Sampling { xs, rng, times: sampling_times(T, steps), k: 0 }
        }

        /// One reverse step of `run` toward the condition `v` (None: unconditional) with guidance
        /// weight `w`; returns the current x̂₀, or None once the run is finished.
        pub fn step(&mut self, run: &mut Sampling, v: Option<&[f32]>, w: f32) -> Option<Vec<f32>> {
            let (t, t_prev) = (*run.times.get(run.k)?, *run.times.get(run.k + 1)?);
            let schedule = self.diffusion.schedule.clone();
            let cond = v.map_or(Cond::None, Cond::Vector);
            run.k += 1;
            Some(self.diffusion.reverse_step_cond(&schedule, &mut run.xs, t, t_prev, false, cond, w, &mut run.rng))
        }

        /// `n` pictures for the condition `v` (None: unconditional), DDIM in `steps` steps with
        /// guidance weight `w`, from noise drawn with `seed`, clipped to [−1, 1].
        pub fn sample(&mut self, v: Option<&[f32]>, n: usize, steps: usize, w: f32, seed: u64) -> Vec<f32> {
            let mut run = self.start(n, steps, seed);
            while self.step(&mut run, v, w).is_some() {}
            run.xs.iter_mut().for_each(|x| *x = x.clamp(-1.0, 1.0));
            run.xs
        }
    }

    /// A sampling run in progress: the pictures (n × 576, row-major), the noise source and the steps.
    pub struct Sampling {
        pub xs: Vec<f32>,
        rng: Rng,
        times: Vec<usize>,
        k: usize,
    }

    impl Sampling {
        /// Steps taken, and steps in all.
        pub fn progress(&self) -> (usize, usize) {
            (self.k, self.times.len().saturating_sub(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_rows(n: usize, d: usize, rng: &mut Rng) -> Vec<f32> {
        let mut z = vec![0.0f32; n * d];
        rng.fill_normal(&mut z);
        let mut y = Vec::new();
        normalize_rows(&z, d, &mut y);
        y
    }

    #[test]
    fn info_nce_matches_finite_differences() {
        let (n, d) = (5, 4);
        let mut rng = Rng::new(3);
        let u = unit_rows(n, d, &mut rng);
        let v = unit_rows(n, d, &mut rng);
        let t = 1.3f32;
        let out = info_nce(&u, &v, n, d, t);
        let h = 1e-3f32;
        let f = |u: &[f32], v: &[f32], t: f32| info_nce(u, v, n, d, t).loss as f64;
        for k in 0..n * d {
            let (mut up, mut um) = (u.clone(), u.clone());
            up[k] += h;
            um[k] -= h;
            let num = (f(&up, &v, t) - f(&um, &v, t)) / (2.0 * h as f64);
            assert!((num - out.du[k] as f64).abs() < 2e-3, "du[{k}] {num} vs {}", out.du[k]);
            let (mut vp, mut vm) = (v.clone(), v.clone());
            vp[k] += h;
            vm[k] -= h;
            let num = (f(&u, &vp, t) - f(&u, &vm, t)) / (2.0 * h as f64);
            assert!((num - out.dv[k] as f64).abs() < 2e-3, "dv[{k}] {num} vs {}", out.dv[k]);
        }
        let num = (f(&u, &v, t + h) - f(&u, &v, t - h)) / (2.0 * h as f64);
        assert!((num - out.dt as f64).abs() < 2e-3, "dt {num} vs {}", out.dt);
    }

    #[test]
    fn info_nce_closed_forms() {
        // Identical vectors everywhere: every softmax is uniform, loss = ln n.
        let (n, d) = (6, 3);
        let u: Vec<f32> = (0..n).flat_map(|_| [1.0, 0.0, 0.0]).collect();
        let out = info_nce(&u, &u, n, d, 2.0);
        assert!((out.loss as f64 - (n as f64).ln()).abs() < 1e-6);
        // Orthonormal pairs at a large scale: the loss goes to zero.
        let e: Vec<f32> = (0..3).flat_map(|i| (0..3).map(move |j| if i == j { 1.0 } else { 0.0 })).collect();
        assert!(info_nce(&e, &e, 3, 3, T_MAX).loss < 1e-3);
    }

    #[test]
    fn normalisation_gradient_matches_finite_differences() {
        let d = 4;
        let mut rng = Rng::new(9);
        let mut z = vec![0.0f32; 2 * d];
        rng.fill_normal(&mut z);
        let w: Vec<f32> = (0..2 * d).map(|k| (k as f32 * 0.7).sin()).collect();
        let loss = |z: &[f32]| {
            let mut y = Vec::new();
            normalize_rows(z, d, &mut y);
            y.iter().zip(&w).map(|(a, b)| (a * b) as f64).sum::<f64>()
        };
        let mut y = Vec::new();
        let norms = normalize_rows(&z, d, &mut y);
        let dz = normalize_rows_backward(&y, &norms, &w, d);
        for k in 0..2 * d {
            let (mut p, mut m) = (z.clone(), z.clone());
            p[k] += 1e-3;
            m[k] -= 1e-3;
            let num = (loss(&p) - loss(&m)) / 2e-3;
            assert!((num - dz[k] as f64).abs() < 1e-3, "dz[{k}]");
        }
    }

    #[test]
    fn whole_model_gradient_matches_finite_differences() {
        // A tiny dataset through Clip::step_on's maths: check ∂loss/∂(first image weight) numerically.
        let mut rng = Rng::new(5);
        let (n, pixels, text_dim) = (4, 16, 6);
        let mut images = vec![0.0f32; n * pixels];
        rng.fill_normal(&mut images);
        let mut text = vec![0.0f32; n * text_dim];
        rng.fill_normal(&mut text);
        let data = Dataset {
            names: (0..n).map(|i| i.to_string()).collect(),
            captions: (0..n).map(|i| i.to_string()).collect(),
            images,
            pixels,
            text,
            text_dim,
            train: (0..n).collect(),
            test: vec![],
        };
        let mut clip = Clip::new(pixels, text_dim, n, 0.0, 1);
        clip.augment = false;
        let ids: Vec<usize> = (0..n).collect();
        let loss_of = |c: &mut Clip| {
            let (u, v) = c.embed_pairs(&data, &ids);
            info_nce(&u, &v, n, DIM, c.t).loss as f64
        };
        // Gradient from one step at learning rate 0 (parameters unchanged).
        clip.step_on(&data, &ids, None);
        for (layer, k) in [(0usize, 3usize), (0, 40), (1, 7)] {
            let g = clip.image.layers[layer].gw[k] as f64;
            let mut p = clip.clone();
            p.image.layers[layer].w[k] += 1e-2;
            let mut m = clip.clone();
            m.image.layers[layer].w[k] -= 1e-2;
            let num = (loss_of(&mut p) - loss_of(&mut m)) / 2e-2;
            assert!((num - g).abs() < 2e-3 + 0.02 * g.abs(), "image layer {layer} w[{k}]: {num} vs {g}");
        }
        let g = clip.text.layers[0].gw[11] as f64;
        let mut p = clip.clone();
        p.text.layers[0].w[11] += 1e-2;
        let mut m = clip.clone();
        m.text.layers[0].w[11] -= 1e-2;
        let num = (loss_of(&mut p) - loss_of(&mut m)) / 2e-2;
        assert!((num - g).abs() < 2e-3 + 0.02 * g.abs(), "text w: {num} vs {g}");
    }

    #[test]
    fn recall_and_softmax_by_hand() {
        // Pairs 0 and 1 match; pair 2's caption is closest to image 0.
        let u = [1.0, 0.0, 0.0, 1.0, 0.6, 0.8];
        let v = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
        let r1 = recall_at_k(&u, &v, 3, 2, 1);
        // Image 0: captions 0 and 2 tie at 1.0 → ties count against it: rank 1, a miss at k = 1.
        assert_eq!(r1.image_to_text, 1.0 / 3.0);
        assert!((r1.chance - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(recall_at_k(&u, &v, 3, 2, 3).image_to_text, 1.0);
        let p = softmax_scaled(&[0.0, 0.0], 10.0);
        assert_eq!(p, vec![0.5, 0.5]);
        assert_eq!(top_k(&[0.1, 0.9, 0.5], 2), vec![(1, 0.9), (2, 0.5)]);
    }

    #[test]
    fn words_and_unknown_words() {
        assert_eq!(words_of("Arrow-left  sharp!"), vec!["arrow", "left", "sharp"]);
        let table = Table::from_rows(2, 2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
        let vocab = Vocabulary::new(table, vec!["cat".into(), "dog".into()]).unwrap();
        let e = vocab.encode("cat zebra dog").unwrap();
        assert_eq!(e.features, vec![0.5, 0.5]);
        assert_eq!(e.unknown, vec!["zebra"]);
        assert_eq!(vocab.encode("  ,, "), Err(TextError::Empty));
        assert_eq!(vocab.encode("zebra"), Err(TextError::AllUnknown(vec!["zebra".into()])));
    }
}
