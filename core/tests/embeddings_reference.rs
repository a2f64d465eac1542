//! The embeddings model core against the reference fixtures written by tools/embeddings/prepare.py
//! (numpy, f64, over the same dequantised table), plus t-SNE on synthetic clusters.
//!
//! Run: cargo test --profile native-test -p genai-core --test embeddings_reference

use genai_core::embed::{
    cosine, neighbour_preservation, pca, EmbError, Knn, KnnBuilder, Metric, Table,
};
use genai_core::rng::Rng;
use genai_core::tsne::{Init, Tsne, TsneConfig, TsneNotice};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// A minimal JSON reader (the fixtures are plain JSON; no dependency needed)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Json {
    /// true, false or null (the fixtures use none of them; parsed only to be skipped).
    Literal,
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value();
        p.ws();
        assert_eq!(p.i, p.s.len(), "trailing characters in JSON");
        v
    }
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(kv) => {
                &kv.iter()
                    .find(|(k, _)| k == key)
                    .unwrap_or_else(|| panic!("no key {key}"))
                    .1
            }
            _ => panic!("not an object (looking for {key})"),
        }
    }
    fn entries(&self) -> &[(String, Json)] {
        match self {
            Json::Obj(kv) => kv,
            _ => panic!("not an object"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            _ => panic!("not an array"),
        }
    }
    fn num(&self) -> f64 {
        match self {
            Json::Num(x) => *x,
            _ => panic!("not a number: {self:?}"),
        }
    }
    fn idx(&self) -> usize {
        self.num() as usize
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("not a string"),
        }
    }
    fn nums(&self) -> Vec<f64> {
        self.arr().iter().map(Json::num).collect()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(self.s[self.i], c, "expected {:?} at {}", c as char, self.i);
        self.i += 1;
    }
    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut kv = Vec::new();
                self.ws();
                if self.s[self.i] == b'}' {
                    self.i += 1;
                    return Json::Obj(kv);
                }
                loop {
                    self.ws();
                    let k = self.string();
                    self.eat(b':');
                    kv.push((k, self.value()));
                    self.ws();
                    self.i += 1;
                    if self.s[self.i - 1] == b'}' {
                        return Json::Obj(kv);
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut v = Vec::new();
                self.ws();
                if self.s[self.i] == b']' {
                    self.i += 1;
                    return Json::Arr(v);
                }
                loop {
                    v.push(self.value());
                    self.ws();
                    self.i += 1;
                    if self.s[self.i - 1] == b']' {
                        return Json::Arr(v);
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b't' | b'n' => {
                self.i += 4;
                Json::Literal
            }
            b'f' => {
                self.i += 5;
                Json::Literal
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                Json::Num(t.parse().unwrap_or_else(|_| panic!("bad number {t:?}")))
            }
        }
    }
    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = Vec::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).unwrap(),
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    let ch = match e {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let hex = |p: &mut Self| {
                                let h = std::str::from_utf8(&p.s[p.i..p.i + 4]).unwrap();
                                p.i += 4;
                                u32::from_str_radix(h, 16).unwrap()
                            };
                            let mut cp = hex(self);
                            if (0xD800..0xDC00).contains(&cp) && self.s[self.i] == b'\\' {
                                self.i += 2;
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (hex(self) - 0xDC00);
                            }
                            char::from_u32(cp).unwrap_or('\u{fffd}')
                        }
                        other => other as char,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared data
// ---------------------------------------------------------------------------------------------

fn read(rel: &str) -> Vec<u8> {
    let path = format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture(name: &str) -> Json {
    Json::parse(&String::from_utf8(read(&format!("tests/fixtures/embeddings/{name}"))).unwrap())
}

struct Words {
    table: Table,
    words: Vec<String>,
}

impl Words {
    fn index(&self, w: &str) -> usize {
        self.words
            .iter()
            .position(|x| x == w)
            .unwrap_or_else(|| panic!("{w} not in words.json"))
    }
}

fn words() -> &'static Words {
    static W: OnceLock<Words> = OnceLock::new();
    W.get_or_init(|| {
        let table =
            Table::from_emb1(&read("../public/embeddings/words.bin")).expect("words.bin parses");
        let meta =
            Json::parse(&String::from_utf8(read("../public/embeddings/words.json")).unwrap());
        let words: Vec<String> = meta
            .get("words")
            .arr()
            .iter()
            .map(|w| w.str().to_string())
            .collect();
        assert_eq!(table.n, meta.get("n").idx());
        assert_eq!(table.dim, meta.get("dim").idx());
        Words { table, words }
    })
}

// ---------------------------------------------------------------------------------------------
// The word table
// ---------------------------------------------------------------------------------------------

#[test]
fn words_bin_matches_words_json() {
    let w = words();
    assert_eq!((w.table.n, w.table.dim), (5000, 384));
    assert_eq!(w.words.len(), w.table.n);
    // Rows were L2-normalised before quantisation: norms stay within the int8 error of 1.
    assert!(w.table.norms.iter().all(|&r| (r - 1.0).abs() < 0.01));
    let senses =
        Table::from_emb1(&read("../public/embeddings/senses.bin")).expect("senses.bin parses");
    assert_eq!((senses.n, senses.dim), (101, 384));
}

#[test]
fn cosines_match_the_fixture() {
    let w = words();
    let fx = fixture("cosines.json");
    let bound = fx.get("max_abs_diff_pairs").num();
    let pairs = fx.get("pairs").arr();
    assert_eq!(pairs.len(), 55);
    for p in pairs {
        let (ia, ib) = (p.get("ia").idx(), p.get("ib").idx());
        assert_eq!(
            (w.words[ia].as_str(), w.words[ib].as_str()),
            (p.get("a").str(), p.get("b").str())
        );
        let c = w.table.cosine(ia, ib) as f64;
        let free = cosine(w.table.row(ia), w.table.row(ib)) as f64;
        assert!((c - p.get("cos_int8").num()).abs() < 1e-5, "{p:?}: {c}");
        assert!((free - c).abs() < 1e-6);
        assert!(
            (c - p.get("cos_float").num()).abs() <= bound + 1e-5,
            "quantisation error {p:?}"
        );
    }
}

#[test]
fn nearest_neighbours_match_the_fixture() {
    let w = words();
    let fx = fixture("neighbours.json");
    let queries = fx.get("neighbours").entries();
    assert_eq!(queries.len(), 12);
    for (word, expected) in queries {
        let i = w.index(word);
        let got = w.table.nearest(w.table.row(i), 10, &[i]);
        let expected = expected.arr();
        assert_eq!(got.len(), expected.len());
        for ((j, s), e) in got.iter().zip(expected) {
            assert_eq!(*j, e.get("index").idx(), "{word}: {got:?}");
            assert_eq!(w.words[*j], e.get("word").str());
            assert!(
                (*s as f64 - e.get("cos").num()).abs() < 1e-5,
                "{word} → {}",
                w.words[*j]
            );
        }
    }
}

#[test]
fn analogies_match_the_fixture() {
    let w = words();
    let fx = fixture("analogy.json");
    for a in fx.get("analogies").arr() {
        let (ia, ib, ic) = (
            w.index(a.get("a").str()),
            w.index(a.get("b").str()),
            w.index(a.get("c").str()),
        );
        let got = w.table.analogy(ia, ib, ic, 5);
        let top = a.get("top").arr();
        let got_words: Vec<&str> = got.iter().map(|&(j, _)| w.words[j].as_str()).collect();
        let want_words: Vec<&str> = top.iter().map(|t| t.get("word").str()).collect();
        assert_eq!(got_words, want_words, "{}", a.get("expression").str());
        for ((j, s), t) in got.iter().zip(top) {
            assert_eq!(*j, t.get("index").idx());
            assert!((*s as f64 - t.get("cos").num()).abs() < 1e-5);
        }
    }
}

#[test]
fn pca_matches_the_fixture_up_to_sign() {
    let w = words();
    let fx = fixture("pca.json");
    let t = &w.table;
    let p = pca(&t.data, t.n, t.dim, 2, 30, 7);
    assert_eq!((p.k, p.dim), (2, 384));
    for (m, e) in p.mean.iter().zip(fx.get("mean").nums()) {
        assert!((*m as f64 - e).abs() < 2e-6);
    }
    let comps = fx.get("components").arr();
    let mut signs = [1.0f64; 2];
    for (j, c) in comps.iter().enumerate() {
        let c = c.nums();
        let v = p.component(j);
        let cos: f64 = v.iter().zip(&c).map(|(&a, &b)| a as f64 * b).sum::<f64>()
            / c.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!(cos.abs() > 0.999, "component {j}: |cos| = {}", cos.abs());
        assert!(
            cos > 0.999,
            "same sign convention (largest entry positive): {cos}"
        );
        signs[j] = cos.signum();
    }
    for (r, e) in p
        .explained_variance_ratio
        .iter()
        .zip(fx.get("explained_variance_ratio").nums())
    {
        assert!((*r as f64 - e).abs() < 1e-3, "{r} vs {e}");
        assert!((*r as f64 - e).abs() < 1e-5, "tighter: {r} vs {e}");
    }
    for (i, row) in fx.get("projections").arr().iter().enumerate() {
        for (j, e) in row.nums().into_iter().enumerate() {
            let got = p.projections[i * 2 + j] as f64 * signs[j];
            assert!(
                (got - e).abs() < 2e-3,
                "row {i}, component {j}: {got} vs {e}"
            );
        }
    }
    // Deterministic for a seed, and a different seed finds the same components.
    let again = pca(&t.data, t.n, t.dim, 2, 30, 7);
    assert_eq!(again.components, p.components);
    let other = pca(&t.data, t.n, t.dim, 2, 30, 99);
    let dot: f32 = other
        .component(0)
        .iter()
        .zip(p.component(0))
        .map(|(a, b)| a * b)
        .sum();
    assert!(dot > 0.9999);
}

#[test]
fn neighbour_preservation_of_the_pca_maps_matches_the_fixture() {
    let w = words();
    let fx = fixture("neighbour_preservation.json");
    let t = &w.table;
    let knn = Knn::by_cosine(&t.data, t.n, t.dim, 10);
    // The all-pairs graph agrees with the per-query search.
    for i in [0, 1, 2119, 4942, 4999] {
        let got: Vec<u32> = t
            .nearest(t.row(i), 10, &[i])
            .iter()
            .map(|&(j, _)| j as u32)
            .collect();
        assert_eq!(knn.neighbours(i), &got[..]);
    }
    let p = pca(&t.data, t.n, t.dim, 3, 30, 1);
    let two: Vec<f32> = p
        .projections
        .chunks_exact(3)
        .flat_map(|r| [r[0], r[1]])
        .collect();
    let pres2 = neighbour_preservation(&knn, &two, 2, 10) as f64;
    let pres3 = neighbour_preservation(&knn, &p.projections, 3, 10) as f64;
    assert!(
        (pres2 - fx.get("pca_2d").num()).abs() < 1e-3,
        "2-D: {pres2}"
    );
    assert!(
        (pres3 - fx.get("pca_3d").num()).abs() < 1e-3,
        "3-D: {pres3}"
    );
}

#[test]
fn knn_built_a_few_tiles_at_a_time_equals_the_one_shot_graph() {
    let t = &words().table;
    let n = 300;
    let rows = &t.data[..n * t.dim];
    for metric in [Metric::Cosine, Metric::Euclidean] {
        let mut b = KnnBuilder::new(rows, n, t.dim, 12, metric);
        assert_eq!(b.total_tiles(), 15); // 5 blocks of 64: 5·6/2
        let mut last = 0.0;
        while !b.advance(2) {
            assert!(b.progress() > last);
            last = b.progress();
        }
        assert_eq!(b.progress(), 1.0);
        let chunked = b.finish();
        let one_shot = match metric {
            Metric::Cosine => Knn::by_cosine(rows, n, t.dim, 12),
            Metric::Euclidean => Knn::by_euclidean(rows, n, t.dim, 12),
        };
        assert_eq!(chunked.index, one_shot.index);
        assert_eq!(chunked.value, one_shot.value);
        // Rows of norm ≈ 1 (within the int8 error): nearly the same neighbour sets (d² ≈ 2 − 2cos).
        if metric == Metric::Euclidean {
            let cos = Knn::by_cosine(rows, n, t.dim, 12);
            let shared: usize = (0..n)
                .map(|i| {
                    chunked
                        .neighbours(i)
                        .iter()
                        .filter(|j| cos.neighbours(i).contains(j))
                        .count()
                })
                .sum();
            let overlap = shared as f64 / (n * 12) as f64;
            assert!(overlap > 0.9, "overlap {overlap}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Corrupt files are errors, never panics
// ---------------------------------------------------------------------------------------------

fn emb1(n: u32, dim: u32, scales: &[f32], q: &[i8]) -> Vec<u8> {
    let mut b = b"EMB1".to_vec();
    b.extend_from_slice(&n.to_le_bytes());
    b.extend_from_slice(&dim.to_le_bytes());
    scales
        .iter()
        .for_each(|s| b.extend_from_slice(&s.to_le_bytes()));
    b.extend(q.iter().map(|&x| x as u8));
    b
}

#[test]
fn corrupt_files_are_errors_not_panics() {
    let good = emb1(2, 3, &[0.5, 0.25], &[1, -2, 3, 127, -127, 0]);
    let t = Table::from_emb1(&good).unwrap();
    assert_eq!(t.data, vec![0.5, -1.0, 1.5, 31.75, -31.75, 0.0]);
    // Every truncation.
    for len in 0..good.len() {
        let e = Table::from_emb1(&good[..len]).unwrap_err();
        assert!(matches!(e, EmbError::Truncated { .. }), "{len}: {e}");
        assert!(!e.to_string().is_empty());
    }
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(
        Table::from_emb1(&long),
        Err(EmbError::TrailingBytes {
            expected: 26,
            got: 27
        })
    ));
    let mut bad = good.clone();
    bad[0] = b'X';
    let e = Table::from_emb1(&bad).unwrap_err();
    assert!(matches!(e, EmbError::BadMagic(_)));
    assert!(e.to_string().contains("EMB1"), "{e}");
    // n·dim far beyond the file (and beyond u32 and 32-bit usize): no allocation, no overflow.
    for (n, dim) in [
        (u32::MAX, u32::MAX),
        (u32::MAX, 1),
        (1 << 16, 1 << 16),
        (3, u32::MAX),
    ] {
        let e = Table::from_emb1(&emb1(n, dim, &[1.0], &[1, 2, 3])).unwrap_err();
        assert!(
            matches!(e, EmbError::Truncated { .. } | EmbError::TooLarge { .. }),
            "{e}"
        );
    }
    assert!(matches!(
        Table::from_emb1(&emb1(0, 384, &[], &[])),
        Err(EmbError::Empty { .. })
    ));
    assert!(matches!(
        Table::from_emb1(&emb1(1, 0, &[1.0], &[])),
        Err(EmbError::Empty { .. })
    ));
    for s in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let e = Table::from_emb1(&emb1(2, 3, &[0.5, s], &[0; 6])).unwrap_err();
        assert!(matches!(e, EmbError::NonFiniteScale { row: 1, .. }), "{e}");
    }
    // Random garbage, with and without a valid magic.
    let mut rng = Rng::new(5);
    for trial in 0..2000 {
        let len = rng.below(64) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
        if trial % 2 == 0 && len >= 4 {
            b[..4].copy_from_slice(b"EMB1");
        }
        if let Ok(t) = Table::from_emb1(&b) {
            assert_eq!(t.data.len(), t.n * t.dim);
        }
    }
    // The real file cut anywhere.
    let real = read("../public/embeddings/words.bin");
    for cut in [0, 5, 12, 100, 20_011, 20_012, real.len() - 1] {
        assert!(Table::from_emb1(&real[..cut]).is_err());
    }
    assert!(Table::from_rows(2, 3, vec![0.0; 5]).is_err());
    // Zero vectors have cosine 0, not NaN.
    let z = Table::from_rows(2, 2, vec![0.0, 0.0, 1.0, 0.0]).unwrap();
    assert_eq!(z.cosine(0, 1), 0.0);
    assert!(z
        .nearest(&[0.0, 0.0], 2, &[])
        .iter()
        .all(|&(_, s)| s == 0.0));
}

// ---------------------------------------------------------------------------------------------
// t-SNE
// ---------------------------------------------------------------------------------------------

/// `per` points around each of three centres in `dim` dimensions (centres 10 apart, unit noise).
fn clusters(per: usize, dim: usize, seed: u64) -> (Vec<f32>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut centres = vec![0.0f32; 3 * dim];
    rng.fill_normal(&mut centres);
    centres
        .iter_mut()
        .for_each(|c| *c *= 10.0 / (2.0f32 * dim as f32).sqrt() * 2.0);
    let mut data = vec![0.0f32; 3 * per * dim];
    rng.fill_normal(&mut data);
    let mut labels = Vec::new();
    for c in 0..3 {
        for i in 0..per {
            let r = (c * per + i) * dim;
            for d in 0..dim {
                data[r + d] += centres[c * dim + d];
            }
            labels.push(c);
        }
    }
    (data, labels)
}

/// Leave-one-out 1-nearest-neighbour label accuracy in the map.
fn one_nn_accuracy(y: &[f32], labels: &[usize]) -> f64 {
    let n = labels.len();
    let knn = Knn::by_euclidean(y, n, 2, 1);
    (0..n)
        .filter(|&i| labels[knn.neighbours(i)[0] as usize] == labels[i])
        .count() as f64
        / n as f64
}

#[test]
fn tsne_separates_three_clusters_and_lowers_kl() {
    let (data, labels) = clusters(50, 20, 3);
    let cfg = TsneConfig {
        perplexity: 20.0,
        seed: 11,
        ..TsneConfig::default()
    };
    let mut t = Tsne::new(&data, 150, 20, &cfg);
    assert!(t.notices().is_empty(), "{:?}", t.notices());
    let p_sum: f64 = t.affinities().p.iter().map(|&p| p as f64).sum();
    assert!((p_sum - 1.0).abs() < 1e-5);
    let kl0 = t.kl_divergence();
    let mut kl_250 = 0.0;
    for it in 0..500 {
        t.step();
        if it == 249 {
            kl_250 = t.kl_divergence();
        }
    }
    let kl = t.kl_divergence();
    assert!(
        kl < kl0 && kl <= kl_250 + 1e-3,
        "KL {kl0} → {kl_250} → {kl}"
    );
    assert!(kl < 0.5 * kl0, "KL {kl0} → {kl}");
    let (it, estimate) = t.kl_estimate().unwrap();
    assert_eq!(it, 490);
    assert!(
        (estimate - kl).abs() < 0.1 * kl + 0.05,
        "estimate {estimate} vs exact {kl}"
    );
    assert_eq!(t.iteration(), 500);
    let acc = one_nn_accuracy(t.positions(), &labels);
    assert!(acc > 0.95, "1-NN accuracy {acc}");
    assert!(t.positions().iter().all(|v| v.is_finite()));
}

#[test]
fn barnes_hut_agrees_with_the_exact_gradient() {
    // One step from the same spread-out map: θ = 0.5 moves the points as the exact gradient does.
    let (data, labels) = clusters(40, 10, 8);
    let n = 120;
    let knn = Knn::by_euclidean(&data, n, 10, 45);
    let mut init = vec![0.0f32; 2 * n];
    Rng::new(3).fill_normal(&mut init);
    init.iter_mut().for_each(|v| *v *= 5.0);
    let one_step = |theta: f32| {
        let cfg = TsneConfig {
            perplexity: 15.0,
            theta,
            exaggeration_iters: 0,
            ..TsneConfig::default()
        };
        let mut t = Tsne::from_neighbours(n, knn.k, &knn.index, &knn.value, &cfg, Some(&init));
        t.step();
        t.positions()
            .iter()
            .zip(&init)
            .map(|(a, b)| a - b)
            .collect::<Vec<f32>>()
    };
    let (exact, bh) = (one_step(0.0), one_step(0.5));
    let err: f32 = exact
        .iter()
        .zip(&bh)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f32>()
        .sqrt();
    let size: f32 = exact.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!(
        err < 0.02 * size,
        "relative error of the Barnes-Hut step {}",
        err / size
    );
    // Whole runs diverge (the optimisation is chaotic) but reach equally good maps.
    let run = |theta: f32| {
        let cfg = TsneConfig {
            perplexity: 15.0,
            theta,
            seed: 2,
            init: Init::Pca,
            ..TsneConfig::default()
        };
        let mut t = Tsne::new(&data, 120, 10, &cfg);
        for _ in 0..1000 {
            t.step();
        }
        (t.kl_divergence(), one_nn_accuracy(t.positions(), &labels))
    };
    let (exact_kl, exact_acc) = run(0.0);
    let (bh_kl, bh_acc) = run(0.5);
    assert!(
        (exact_kl - bh_kl).abs() < 0.05 * exact_kl + 0.02,
        "KL exact {exact_kl}, BH {bh_kl}"
    );
    assert!(exact_acc > 0.95 && bh_acc > 0.95);
}

#[test]
fn tsne_is_deterministic_for_a_seed() {
    let (data, _) = clusters(30, 8, 4);
    let cfg = TsneConfig {
        perplexity: 10.0,
        seed: 42,
        ..TsneConfig::default()
    };
    let run = |cfg: &TsneConfig| {
        let mut t = Tsne::new(&data, 90, 8, cfg);
        for _ in 0..300 {
            t.step();
        }
        t.positions().to_vec()
    };
    let a = run(&cfg);
    assert_eq!(a, run(&cfg));
    assert_ne!(
        a,
        run(&TsneConfig {
            seed: 43,
            ..cfg.clone()
        })
    );
}

#[test]
fn duplicate_points_and_extreme_settings_stay_finite() {
    // 60 identical rows, 40 more in two identical groups, and 20 distinct ones.
    let dim = 5;
    let mut data = vec![0.25f32; 60 * dim];
    data.extend([[1.0, 0.0, 0.0, 0.0, 0.0]; 20].iter().flatten());
    data.extend([[0.0, 3.0, 0.0, 0.0, 1.0]; 20].iter().flatten());
    let mut extra = vec![0.0f32; 20 * dim];
    Rng::new(1).fill_normal(&mut extra);
    data.extend(extra);
    let n = data.len() / dim;
    for (perplexity, learning_rate, theta) in [
        (30.0, None, 0.5),
        (0.01, Some(1e9), 3.0),
        (1e6, Some(1e-9), -1.0),
        (f32::NAN, Some(f32::INFINITY), f32::NAN),
        (5.0, Some(1e5), 0.0),
    ] {
        let cfg = TsneConfig {
            perplexity,
            learning_rate,
            theta,
            ..TsneConfig::default()
        };
        let mut t = Tsne::new(&data, n, dim, &cfg);
        assert!(t.perplexity() >= 2.0 && t.perplexity() <= (n - 1) as f32 / 3.0);
        assert!((1.0..=1e5).contains(&t.learning_rate()));
        for _ in 0..300 {
            t.step();
        }
        assert!(
            t.positions().iter().all(|v| v.is_finite()),
            "{perplexity} {learning_rate:?} {theta}"
        );
        assert!(t.kl_divergence().is_finite());
        if perplexity == 0.01 {
            assert!(t
                .notices()
                .iter()
                .any(|m| matches!(m, TsneNotice::Perplexity { used, .. } if *used == 2.0)));
            assert!(t
                .notices()
                .iter()
                .any(|m| matches!(m, TsneNotice::LearningRate { used, .. } if *used == 1e5)));
            assert!(t
                .notices()
                .iter()
                .any(|m| matches!(m, TsneNotice::Theta { used, .. } if *used == 0.7)));
            assert!(t.notices().iter().all(|m| !m.to_string().is_empty()));
        }
    }
    // Tiny inputs.
    for n in 0..5 {
        let data = vec![1.0f32; n * 3];
        let mut t = Tsne::new(&data, n, 3, &TsneConfig::default());
        for _ in 0..5 {
            t.step();
        }
        assert!(t.positions().iter().all(|v| v.is_finite()));
        assert_eq!(t.positions().len(), 2 * n);
    }
}
