//! Word embeddings: a table of vectors, cosine similarity, nearest neighbours, analogies, PCA and
//! the k-nearest-neighbour graph that measures how much of a table survives a 2-D map.
//!
//! The table comes from the `EMB1` file written by `tools/embeddings/prepare.py`:
//! little-endian `b"EMB1"`, `u32 n`, `u32 dim`, `f32 scale[n]`, `i8 data[n·dim]` (row-major), with
//! component j of row i = `data[i·dim + j] × scale[i]` (rows were L2-normalised before quantisation).
//!
//! Conventions (the same as the fixtures in `core/tests/fixtures/embeddings/`):
//! - cos(a, b) = a·b / (‖a‖‖b‖), and 0 when either vector is zero;
//! - rankings are by similarity descending, ties by the lower row index;
//! - an analogy a − b + c uses the rows as stored (not renormalised) and excludes a, b and c.

use crate::rng::Rng;
use crate::simd::{axpy, dot};
use std::fmt;

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

/// Why bytes could not be read as an `EMB1` table. Every variant is a message a user can act on.
#[derive(Clone, Debug, PartialEq)]
pub enum EmbError {
    /// Fewer bytes than the layout needs (`needed` may be the 12-byte header).
    Truncated { needed: u64, got: usize },
    /// The first four bytes are not `EMB1`.
    BadMagic([u8; 4]),
    /// n·dim (or the file size it implies) does not fit in memory addresses on this machine.
    TooLarge { n: u32, dim: u32 },
    /// More bytes than n and dim account for.
    TrailingBytes { expected: u64, got: usize },
    /// n = 0 or dim = 0.
    Empty { n: u32, dim: u32 },
    /// A row's scale is NaN or infinite.
    NonFiniteScale { row: usize, value: f32 },
    /// `Table::from_rows` was given data whose length is not n·dim.
    SizeMismatch { n: usize, dim: usize, len: usize },
}

impl fmt::Display for EmbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmbError::Truncated { needed, got } => {
                write!(
                    f,
                    "the embedding file is cut short: {got} bytes, but its header needs {needed}"
                )
            }
            EmbError::BadMagic(m) => write!(
                f,
                "not an embedding table: the file starts with {:?} instead of \"EMB1\"",
                String::from_utf8_lossy(m)
            ),
            EmbError::TooLarge { n, dim } => {
                write!(
                    f,
                    "the embedding table claims {n} rows × {dim} dimensions, too large to load"
                )
            }
            EmbError::TrailingBytes { expected, got } => write!(
                f,
                "the embedding file has {got} bytes, but its header accounts for only {expected}"
            ),
            EmbError::Empty { n, dim } => {
                write!(
                    f,
                    "the embedding table is empty ({n} rows × {dim} dimensions)"
                )
            }
            EmbError::NonFiniteScale { row, value } => {
                write!(
                    f,
                    "row {row} of the embedding table has an invalid scale ({value})"
                )
            }
            EmbError::SizeMismatch { n, dim, len } => {
                write!(
                    f,
                    "{len} numbers cannot form a table of {n} rows × {dim} dimensions"
                )
            }
        }
    }
}

impl std::error::Error for EmbError {}

/// An n × dim table of vectors (row-major), with the Euclidean norm of every row.
#[derive(Clone, Debug)]
pub struct Table {
    pub n: usize,
    pub dim: usize,
    /// Row i is `data[i·dim .. (i+1)·dim]`; for an `EMB1` file, f32(int8) × f32(scale), one rounding.
    pub data: Vec<f32>,
    /// ‖row i‖₂.
    pub norms: Vec<f32>,
}

const HEADER: usize = 12;

impl Table {
    /// Parses an `EMB1` file. Checks every size before allocating; never panics.
    pub fn from_emb1(bytes: &[u8]) -> Result<Table, EmbError> {
        if bytes.len() < 4 {
            return Err(EmbError::Truncated {
                needed: HEADER as u64,
                got: bytes.len(),
            });
        }
        if &bytes[..4] != b"EMB1" {
            return Err(EmbError::BadMagic([bytes[0], bytes[1], bytes[2], bytes[3]]));
        }
        if bytes.len() < HEADER {
            return Err(EmbError::Truncated {
                needed: HEADER as u64,
                got: bytes.len(),
            });
        }
        let u32_at =
            |o: usize| u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
        let (n32, dim32) = (u32_at(4), u32_at(8));
        if n32 == 0 || dim32 == 0 {
            return Err(EmbError::Empty { n: n32, dim: dim32 });
        }
        // Size = 12 + 4n + n·dim, in checked u64 arithmetic; compared with the bytes actually present
        // before anything is allocated (usize is 32 bits on wasm32).
        let expected = (n32 as u64)
            .checked_mul(dim32 as u64)
            .and_then(|nd| nd.checked_add(4 * n32 as u64 + HEADER as u64));
        let Some(expected) = expected else {
            return Err(EmbError::TooLarge { n: n32, dim: dim32 });
        };
        if (bytes.len() as u64) < expected {
            return Err(EmbError::Truncated {
                needed: expected,
                got: bytes.len(),
            });
        }
        if (bytes.len() as u64) > expected {
            return Err(EmbError::TrailingBytes {
                expected,
                got: bytes.len(),
            });
        }
        // The whole file is in memory, so n·dim ≤ len fits in usize from here on.
        let (n, dim) = (n32 as usize, dim32 as usize);
        let scales = &bytes[HEADER..HEADER + 4 * n];
        let quantised = &bytes[HEADER + 4 * n..];
        let mut data = Vec::with_capacity(n * dim);
        for (row, (s, q)) in scales
            .chunks_exact(4)
            .zip(quantised.chunks_exact(dim))
            .enumerate()
        {
            let scale = f32::from_le_bytes([s[0], s[1], s[2], s[3]]);
            if !scale.is_finite() {
                return Err(EmbError::NonFiniteScale { row, value: scale });
            }
            data.extend(q.iter().map(|&b| b as i8 as f32 * scale));
        }
        Ok(Table::with_norms(n, dim, data))
    }

    /// A table from row-major values (e.g. a synthetic data set).
    pub fn from_rows(n: usize, dim: usize, data: Vec<f32>) -> Result<Table, EmbError> {
        if n.checked_mul(dim) != Some(data.len()) {
            return Err(EmbError::SizeMismatch {
                n,
                dim,
                len: data.len(),
            });
        }
        Ok(Table::with_norms(n, dim, data))
    }

    fn with_norms(n: usize, dim: usize, data: Vec<f32>) -> Table {
        let norms = if dim == 0 {
            vec![0.0; n]
        } else {
            data.chunks_exact(dim).map(|r| dot(r, r).sqrt()).collect()
        };
        Table {
            n,
            dim,
            data,
            norms,
        }
    }

    /// Row i.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// cos(row i, row j).
    pub fn cosine(&self, i: usize, j: usize) -> f32 {
        ratio(dot(self.row(i), self.row(j)), self.norms[i] * self.norms[j])
    }

    /// The k rows most similar to `query` by cosine (exact, all dimensions), best first, ties by
    /// lower index, rows in `exclude` skipped. A zero query scores 0 against every row.
    pub fn nearest(&self, query: &[f32], k: usize, exclude: &[usize]) -> Vec<(usize, f32)> {
        let k = k.min(self.n);
        let qn = dot(query, query).sqrt();
        let mut keys = vec![0.0f32; k];
        let mut ids = vec![0u32; k];
        let mut len = 0;
        for i in 0..self.n {
            if exclude.contains(&i) {
                continue;
            }
            let s = ratio(dot(self.row(i), query), self.norms[i] * qn);
            offer(&mut keys, &mut ids, &mut len, s, i as u32);
        }
        ids[..len]
            .iter()
            .zip(&keys[..len])
            .map(|(&i, &s)| (i as usize, s))
            .collect()
    }

    /// The analogy a − b + c (Mikolov et al. 2013): the k rows nearest by cosine to
    /// row a − row b + row c, the three input rows excluded.
    pub fn analogy(&self, a: usize, b: usize, c: usize, k: usize) -> Vec<(usize, f32)> {
        let mut v = self.row(a).to_vec();
        axpy(-1.0, self.row(b), &mut v);
        axpy(1.0, self.row(c), &mut v);
        self.nearest(&v, k, &[a, b, c])
    }
}

/// cos(a, b) = a·b / (‖a‖‖b‖); 0 when either vector is zero.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    ratio(dot(a, b), (dot(a, a) * dot(b, b)).sqrt())
}

/// x / y, with 0 for a zero or non-finite denominator or result.
#[inline]
fn ratio(x: f32, y: f32) -> f32 {
    let r = x / y;
    if y > 0.0 && r.is_finite() {
        r
    } else {
        0.0
    }
}

// ---------------------------------------------------------------------------------------------
// Top-k lists and the k-nearest-neighbour graph
// ---------------------------------------------------------------------------------------------

/// Does (key a, id a) rank before (key b, id b)? Larger key first, then lower id.
#[inline]
fn before(ka: f32, ia: u32, kb: f32, ib: u32) -> bool {
    ka > kb || (ka == kb && ia < ib)
}

/// Offers (key, id) to a list of at most `keys.len()` entries kept in rank order; `len` is its fill.
/// A NaN key counts as −∞ so the order stays total.
#[inline]
fn offer(keys: &mut [f32], ids: &mut [u32], len: &mut usize, key: f32, id: u32) {
    let cap = keys.len();
    if cap == 0 {
        return;
    }
    let key = if key.is_nan() { f32::NEG_INFINITY } else { key };
    let mut pos = if *len < cap {
        *len += 1;
        *len - 1
    } else if before(key, id, keys[cap - 1], ids[cap - 1]) {
        cap - 1
    } else {
        return;
    };
    while pos > 0 && before(key, id, keys[pos - 1], ids[pos - 1]) {
        keys[pos] = keys[pos - 1];
        ids[pos] = ids[pos - 1];
        pos -= 1;
    }
    keys[pos] = key;
    ids[pos] = id;
}

/// The k nearest other rows of every row: `index[i·k .. (i+1)·k]`, nearest first, ties by lower index.
#[derive(Clone, Debug)]
pub struct Knn {
    pub n: usize,
    pub k: usize,
    pub index: Vec<u32>,
    /// Per neighbour: its cosine similarity (`by_cosine`) or squared Euclidean distance (`by_euclidean`).
    pub value: Vec<f32>,
}

impl Knn {
    /// Neighbours of row i.
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.index[i * self.k..(i + 1) * self.k]
    }

    /// Exact k-NN by cosine similarity, all pairs: ½n² dot products of length dim
    /// (5,000 × 384: 4.8·10⁹ multiply-adds, about 1 s natively). k is capped at n − 1.
    pub fn by_cosine(data: &[f32], n: usize, dim: usize, k: usize) -> Knn {
        KnnBuilder::new(data, n, dim, k, Metric::Cosine).finish()
    }

    /// Exact k-NN by Euclidean distance, all pairs (differences, not ‖a‖² + ‖b‖² − 2a·b, so that
    /// close points in a 2-D map keep their precision). k is capped at n − 1.
    pub fn by_euclidean(data: &[f32], n: usize, dim: usize, k: usize) -> Knn {
        KnnBuilder::new(data, n, dim, k, Metric::Euclidean).finish()
    }
}

/// How [`KnnBuilder`] measures nearness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Cosine similarity (rows normalised once up front).
    Cosine,
    /// Euclidean distance.
    Euclidean,
}

/// Rows per side of a tile of pairs: two 64-row blocks of 384-d rows (192 KB) stay in cache.
const TILE: usize = 64;

/// All-pairs exact k-NN that can be computed a few tiles at a time (the browser has no threads:
/// an animation frame can do part of the ½n² pairs and show progress). Each unordered pair is
/// computed once and offered to both rows' lists. The result does not depend on how the work is
/// split (the rank order — nearer first, then lower index — is total), so it equals a per-row sort.
#[derive(Clone, Debug)]
pub struct KnnBuilder {
    rows: Vec<f32>,
    n: usize,
    dim: usize,
    k: usize,
    metric: Metric,
    keys: Vec<f32>,
    ids: Vec<u32>,
    lens: Vec<usize>,
    /// A full list's last key: most pairs lose to it and are rejected without touching the list.
    worst: Vec<f32>,
    /// The next tile, as (first row of block i, first row of block j), j ≥ i.
    next: (usize, usize),
    tiles_done: usize,
}

impl KnnBuilder {
    pub fn new(data: &[f32], n: usize, dim: usize, k: usize, metric: Metric) -> KnnBuilder {
        let k = k.min(n.saturating_sub(1));
        let mut rows = data[..n * dim].to_vec();
        if metric == Metric::Cosine {
            for r in rows.chunks_exact_mut(dim.max(1)) {
                let norm = dot(r, r).sqrt();
                let inv = if norm > 0.0 { 1.0 / norm } else { 0.0 };
                r.iter_mut().for_each(|x| *x *= inv);
            }
        }
        KnnBuilder {
            rows,
            n,
            dim,
            k,
            metric,
            keys: vec![f32::NEG_INFINITY; n * k],
            ids: vec![0; n * k],
            lens: vec![0; n],
            worst: vec![f32::NEG_INFINITY; n],
            next: (0, 0),
            tiles_done: 0,
        }
    }

    /// Number of tiles of up to 64 × 64 pairs in the whole job.
    pub fn total_tiles(&self) -> usize {
        let blocks = self.n.div_ceil(TILE);
        blocks * (blocks + 1) / 2
    }

    /// Fraction of the work done, in [0, 1].
    pub fn progress(&self) -> f32 {
        let total = self.total_tiles();
        if total == 0 || self.k == 0 {
            1.0
        } else {
            self.tiles_done as f32 / total as f32
        }
    }

    pub fn is_done(&self) -> bool {
        self.k == 0 || self.next.0 >= self.n
    }

    /// Processes up to `tiles` more tiles (each 64·64·dim multiply-adds at most); returns whether
    /// the graph is complete.
    pub fn advance(&mut self, tiles: usize) -> bool {
        for _ in 0..tiles {
            if self.is_done() {
                break;
            }
            let (i0, j0) = self.next;
            match self.metric {
                Metric::Cosine => self.tile(i0, j0, dot),
                Metric::Euclidean => self.tile(i0, j0, |a, b| -squared_distance(a, b)),
            }
            self.tiles_done += 1;
            self.next = if j0 + TILE < self.n {
                (i0, j0 + TILE)
            } else {
                (i0 + TILE, i0 + TILE)
            };
        }
        self.is_done()
    }

    /// Finishes the remaining work and returns the graph.
    pub fn finish(mut self) -> Knn {
        while !self.advance(usize::MAX) {}
        let value = match self.metric {
            Metric::Cosine => self.keys,
            Metric::Euclidean => self.keys.into_iter().map(|s| -s).collect(),
        };
        Knn {
            n: self.n,
            k: self.k,
            index: self.ids,
            value,
        }
    }

    /// All pairs (i, j), i < j, with i in block i0 and j in block j0, under a similarity (larger = nearer).
    fn tile(&mut self, i0: usize, j0: usize, sim: impl Fn(&[f32], &[f32]) -> f32) {
        let (n, dim, k) = (self.n, self.dim, self.k);
        for i in i0..(i0 + TILE).min(n) {
            for j in j0.max(i + 1)..(j0 + TILE).min(n) {
                let s = sim(
                    &self.rows[i * dim..(i + 1) * dim],
                    &self.rows[j * dim..(j + 1) * dim],
                );
                for (a, b) in [(i, j), (j, i)] {
                    if s >= self.worst[a] || s.is_nan() {
                        let ka = a * k;
                        let (keys, ids) = (&mut self.keys[ka..ka + k], &mut self.ids[ka..ka + k]);
                        offer(keys, ids, &mut self.lens[a], s, b as u32);
                        if self.lens[a] == k {
                            self.worst[a] = keys[k - 1];
                        }
                    }
                }
            }
        }
    }
}

/// ‖a − b‖², eight running sums like [`dot`].
#[inline]
pub fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 8];
    let body = n - n % 8;
    for (x, y) in a[..body].chunks_exact(8).zip(b[..body].chunks_exact(8)) {
        for t in 0..8 {
            let d = x[t] - y[t];
            acc[t] += d * d;
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in a[body..].iter().zip(&b[body..]) {
        s += (x - y) * (x - y);
    }
    s
}

/// Neighbour preservation of a map (Venna et al. 2010; Kobak & Berens 2019): the mean over points of
/// |kNN in the original space ∩ kNN in the map| / k, the map's neighbours by Euclidean distance.
/// `high` must hold at least k neighbours per point (its first k are used); `low` is n × `low_dim`.
/// Cost: ½n² distances in the map (5,000 points in 2-D: a few ms natively).
pub fn neighbour_preservation(high: &Knn, low: &[f32], low_dim: usize, k: usize) -> f32 {
    let n = high.n;
    let k = k.min(high.k);
    if n == 0 || k == 0 {
        return 0.0;
    }
    let mapped = Knn::by_euclidean(low, n, low_dim, k);
    let mut shared = 0usize;
    for i in 0..n {
        let a = &high.neighbours(i)[..k];
        shared += mapped
            .neighbours(i)
            .iter()
            .filter(|j| a.contains(j))
            .count();
    }
    shared as f32 / (n * k) as f32
}

// ---------------------------------------------------------------------------------------------
// Principal component analysis
// ---------------------------------------------------------------------------------------------

/// The first principal components of a table (Pearson 1901; Hotelling 1933).
#[derive(Clone, Debug)]
pub struct Pca {
    pub dim: usize,
    /// Number of components k.
    pub k: usize,
    /// Column means μ (dim).
    pub mean: Vec<f32>,
    /// k unit vectors, row-major (k × dim), by decreasing variance; each signed so that its
    /// largest-magnitude entry is positive.
    pub components: Vec<f32>,
    /// λⱼ: variance along component j, with the 1/(n − 1) normalisation.
    pub variance: Vec<f32>,
    /// λⱼ / Σ all variances (the trace of the covariance).
    pub explained_variance_ratio: Vec<f32>,
    /// (xᵢ − μ)·vⱼ, row-major (n × k).
    pub projections: Vec<f32>,
}

impl Pca {
    /// Component j.
    pub fn component(&self, j: usize) -> &[f32] {
        &self.components[j * self.dim..(j + 1) * self.dim]
    }

    /// Projects any vector x: `out[j]` = (x − μ)·vⱼ.
    pub fn project(&self, x: &[f32], out: &mut [f32]) {
        for (j, o) in out.iter_mut().enumerate().take(self.k) {
            *o = dot(x, self.component(j)) - dot(&self.mean, self.component(j));
        }
    }
}

/// PCA of n rows of dimension dim: the covariance C = X̃ᵀX̃ / (n − 1) of the centred rows X̃, then
/// orthogonal (subspace) iteration Q ← orth(C·Q) on a block of k + 8 random vectors, and a final
/// Rayleigh–Ritz step (eigenvectors of QᵀCQ, Golub & Van Loan §8.2.4): the first k Ritz vectors
/// converge like (λ_{k+9}/λ_k)^iters. Forming C costs ½n·dim² multiply-adds (5,000 × 384: 3.7·10⁸),
/// each iteration dim²·(k + 8). Deterministic for a seed. `components` is capped at min(n, dim);
/// directions beyond the rank of C come out as zero vectors.
pub fn pca(data: &[f32], n: usize, dim: usize, components: usize, iters: usize, seed: u64) -> Pca {
    let k = components.min(dim).min(n);
    let data = &data[..n * dim];
    // μ and the covariance (upper triangle accumulated row by row, then mirrored).
    let mut mean = vec![0.0f32; dim];
    if n > 0 {
        let mut sum = vec![0.0f64; dim];
        for r in data.chunks_exact(dim) {
            sum.iter_mut().zip(r).for_each(|(s, &x)| *s += x as f64);
        }
        mean.iter_mut()
            .zip(&sum)
            .for_each(|(m, &s)| *m = (s / n as f64) as f32);
    }
    let cov = covariance(data, n, dim, &mean);
    let trace: f64 = (0..dim).map(|a| cov[a * dim + a] as f64).sum();

    // Orthogonal iteration on a block of b vectors (row-major b × dim).
    let b = (k + 8).min(dim);
    let mut q = vec![0.0f32; b * dim];
    Rng::new(seed).fill_normal(&mut q);
    orthonormalise(&mut q, dim);
    let mut cq = vec![0.0f32; b * dim];
    for _ in 0..iters {
        multiply_symmetric(&cov, dim, &q, &mut cq);
        std::mem::swap(&mut q, &mut cq);
        orthonormalise(&mut q, dim);
    }
    // Rayleigh–Ritz: T = Qᵀ C Q (b × b) = W Λ Wᵀ; Ritz vectors Q W.
    multiply_symmetric(&cov, dim, &q, &mut cq);
    let mut t = vec![0.0f64; b * b];
    for i in 0..b {
        for j in 0..b {
            t[i * b + j] = dot(&q[i * dim..(i + 1) * dim], &cq[j * dim..(j + 1) * dim]) as f64;
        }
    }
    for i in 0..b {
        for j in 0..i {
            let s = 0.5 * (t[i * b + j] + t[j * b + i]);
            t[i * b + j] = s;
            t[j * b + i] = s;
        }
    }
    let mut w = vec![0.0f64; b * b];
    jacobi_eigen(&mut t, b, &mut w);
    let mut order: Vec<usize> = (0..b).collect();
    order.sort_by(|&x, &y| t[y * b + y].total_cmp(&t[x * b + x]).then(x.cmp(&y)));

    let mut comps = vec![0.0f32; k * dim];
    let mut variance = vec![0.0f32; k];
    for (j, &col) in order.iter().take(k).enumerate() {
        let v = &mut comps[j * dim..(j + 1) * dim];
        for i in 0..b {
            axpy(w[i * b + col] as f32, &q[i * dim..(i + 1) * dim], v);
        }
        let norm = dot(v, v).sqrt();
        let inv = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        // Sign convention: the largest-magnitude entry (first if tied) is positive.
        let big = v
            .iter()
            .enumerate()
            .fold(0, |m, (i, x)| if x.abs() > v[m].abs() { i } else { m });
        let sign = if v.get(big).is_some_and(|&x| x < 0.0) {
            -inv
        } else {
            inv
        };
        v.iter_mut().for_each(|x| *x *= sign);
        variance[j] = t[col * b + col].max(0.0) as f32;
    }
    let explained_variance_ratio = variance
        .iter()
        .map(|&l| {
            if trace > 0.0 {
                (l as f64 / trace) as f32
            } else {
                0.0
            }
        })
        .collect();

    let mut projections = vec![0.0f32; n * k];
    let mut centred = vec![0.0f32; dim];
    for (i, r) in data.chunks_exact(dim.max(1)).enumerate().take(n) {
        centred
            .iter_mut()
            .zip(r.iter().zip(&mean))
            .for_each(|(c, (&x, &m))| *c = x - m);
        for j in 0..k {
            projections[i * k + j] = dot(&centred, &comps[j * dim..(j + 1) * dim]);
        }
    }
    Pca {
        dim,
        k,
        mean,
        components: comps,
        variance,
        explained_variance_ratio,
        projections,
    }
}

/// C = Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ / (n − 1), dim × dim. Rows are taken four at a time (a rank-4 update of
/// the upper triangle), so C, which stays in cache, is read and written n/4 times.
fn covariance(data: &[f32], n: usize, dim: usize, mean: &[f32]) -> Vec<f32> {
    let mut c = vec![0.0f32; dim * dim];
    if dim == 0 {
        return c;
    }
    let mut x = vec![0.0f32; 4 * dim];
    let mut i = 0;
    while i < n {
        let m = (n - i).min(4);
        for r in 0..4 {
            let xr = &mut x[r * dim..(r + 1) * dim];
            if r < m {
                let row = &data[(i + r) * dim..(i + r + 1) * dim];
                xr.iter_mut()
                    .zip(row.iter().zip(mean))
                    .for_each(|(v, (&a, &mu))| *v = a - mu);
            } else {
                xr.fill(0.0);
            }
        }
        let (x0, rest) = x.split_at(dim);
        let (x1, rest) = rest.split_at(dim);
        let (x2, x3) = rest.split_at(dim);
        for a in 0..dim {
            let (u0, u1, u2, u3) = (x0[a], x1[a], x2[a], x3[a]);
            let ca = &mut c[a * dim + a..(a + 1) * dim];
            let (y0, y1, y2, y3) = (&x0[a..], &x1[a..], &x2[a..], &x3[a..]);
            for t in 0..ca.len() {
                ca[t] += u0 * y0[t] + u1 * y1[t] + u2 * y2[t] + u3 * y3[t];
            }
        }
        i += m;
    }
    let scale = 1.0 / (n.saturating_sub(1).max(1)) as f32;
    for a in 0..dim {
        for b in a..dim {
            let v = c[a * dim + b] * scale;
            c[a * dim + b] = v;
            c[b * dim + a] = v;
        }
    }
    c
}

/// out_j = C·q_j for every row q_j of `q` (C symmetric, dim × dim).
fn multiply_symmetric(c: &[f32], dim: usize, q: &[f32], out: &mut [f32]) {
    for (qj, oj) in q.chunks_exact(dim).zip(out.chunks_exact_mut(dim)) {
        for (a, o) in oj.iter_mut().enumerate() {
            *o = dot(&c[a * dim..(a + 1) * dim], qj);
        }
    }
}

/// Modified Gram–Schmidt on the rows of `q` (each of length dim), done twice ("twice is enough",
/// Giraud et al. 2005). A row that vanishes (beyond the rank) is set to zero.
fn orthonormalise(q: &mut [f32], dim: usize) {
    let b = q.len() / dim.max(1);
    for _pass in 0..2 {
        for j in 0..b {
            let (done, rest) = q.split_at_mut(j * dim);
            let v = &mut rest[..dim];
            for i in 0..j {
                let u = &done[i * dim..(i + 1) * dim];
                axpy(-dot(u, v), u, v);
            }
            let norm = dot(v, v).sqrt();
            let inv = if norm > 1e-30 && norm.is_finite() {
                1.0 / norm
            } else {
                0.0
            };
            v.iter_mut().for_each(|x| *x *= inv);
        }
    }
}

/// Eigen-decomposition of a small symmetric m × m matrix by cyclic Jacobi rotations (Jacobi 1846;
/// Golub & Van Loan §8.5): on return the diagonal of `a` holds the eigenvalues and column j of `v`
/// (row-major m × m) the eigenvector of `a[j][j]`.
pub fn jacobi_eigen(a: &mut [f64], m: usize, v: &mut [f64]) {
    v.iter_mut()
        .enumerate()
        .for_each(|(i, x)| *x = if i / m == i % m { 1.0 } else { 0.0 });
    let total: f64 = a.iter().map(|x| x * x).sum();
    for _sweep in 0..100 {
        let mut off = 0.0;
        for p in 0..m {
            for q in 0..m {
                if p != q {
                    off += a[p * m + q] * a[p * m + q];
                }
            }
        }
        if off <= 1e-30 * total || off.is_nan() {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                let apq = a[p * m + q];
                if apq == 0.0 {
                    continue;
                }
                // tan of the rotation angle that zeroes a[p][q]: t = sgn θ / (|θ| + √(θ² + 1)).
                let theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..m {
                    // columns p, q of A and V: A ← A·J
                    let (arp, arq) = (a[r * m + p], a[r * m + q]);
                    a[r * m + p] = c * arp - s * arq;
                    a[r * m + q] = s * arp + c * arq;
                    let (vrp, vrq) = (v[r * m + p], v[r * m + q]);
                    v[r * m + p] = c * vrp - s * vrq;
                    v[r * m + q] = s * vrp + c * vrq;
                }
                for r in 0..m {
                    // rows p, q: A ← Jᵀ·A
                    let (apr, aqr) = (a[p * m + r], a[q * m + r]);
                    a[p * m + r] = c * apr - s * aqr;
                    a[q * m + r] = s * apr + c * aqr;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises_a_symmetric_matrix() {
        let m = 4;
        let a0 = [
            4.0, 1.0, 0.5, 0.0, 1.0, 3.0, 0.2, 0.1, 0.5, 0.2, 2.0, 0.3, 0.0, 0.1, 0.3, 1.0,
        ];
        let mut a = a0.to_vec();
        let mut v = vec![0.0; 16];
        jacobi_eigen(&mut a, m, &mut v);
        for j in 0..m {
            let lambda = a[j * m + j];
            for r in 0..m {
                let av: f64 = (0..m).map(|c| a0[r * m + c] * v[c * m + j]).sum();
                assert!((av - lambda * v[r * m + j]).abs() < 1e-10);
            }
        }
    }

    #[test]
    fn top_k_lists_rank_by_key_then_index() {
        let (mut keys, mut ids, mut len) = ([0.0f32; 3], [0u32; 3], 0);
        for (k, i) in [
            (0.5, 4),
            (0.9, 7),
            (0.5, 2),
            (f32::NAN, 1),
            (0.7, 9),
            (0.5, 0),
        ] {
            offer(&mut keys, &mut ids, &mut len, k, i);
        }
        assert_eq!((len, ids), (3, [7, 9, 0]));
    }
}
