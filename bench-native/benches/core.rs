//! Native criterion benchmarks of the model core (genai-core).
//! Run from the workspace root: cargo bench -p genai-bench-native
//! Filter, e.g.: cargo bench -p genai-bench-native -- gan_step
//!
//! Set-up (data, vocabularies, k-NN graphs) happens outside the timed closures. Training benches
//! (`gan_step`, `tsne_step`) time successive steps of one evolving run, as the widgets do.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use genai_core::bpe::{Encoding, Pattern, Vocab};
use genai_core::embed::{pca, Table};
use genai_core::gan::{Gan, GanConfig, Preset};
use genai_core::rng::Rng;
use genai_core::tsne::{Tsne, TsneConfig};
use std::hint::black_box;
use std::time::Duration;

fn public(rel: &str) -> String {
    format!("{}/../public/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn embeddings() -> Table {
    let bytes = std::fs::read(public("embeddings/words.bin")).expect("public/embeddings/words.bin");
    Table::from_emb1(&bytes).expect("EMB1 table")
}

fn gan(c: &mut Criterion) {
    let mut group = c.benchmark_group("gan_step");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));

    // GAN Lab's default shape, exactly as core/examples/gan_speed.rs.
    let data = Preset::Ring.sample(4096, &mut Rng::new(1));
    let cfg = GanConfig {
        g_hidden: vec![8],
        d_hidden: vec![8],
        batch: 150,
        k_d: 2,
        adam: false,
        lr_d: 0.1,
        lr_g: 0.1,
        ..GanConfig::default()
    };
    let mut g = Gan::new(cfg, data);
    for _ in 0..500 {
        g.step();
    }
    group.bench_function("ganlab_shape", |b| b.iter(|| black_box(g.step())));

    // The widget's default: 2 × 32 units in G and D, batch 128, Adam 1e-3.
    let data = Preset::Ring.sample(4096, &mut Rng::new(1));
    let cfg = GanConfig { g_hidden: vec![32, 32], d_hidden: vec![32, 32], batch: 128, ..GanConfig::default() };
    let mut g = Gan::new(cfg, data);
    for _ in 0..500 {
        g.step();
    }
    group.bench_function("widget_default", |b| b.iter(|| black_box(g.step())));
    group.finish();
}

fn bpe(c: &mut Criterion) {
    let vocab = Vocab::from_binary(&std::fs::read(public("tokens/cl100k.bpe")).expect("cl100k.bpe")).unwrap();
    let enc = Encoding::new(vocab, Pattern::Cl100k);
    let text = std::fs::read_to_string(public("tokens/moby-dick.txt")).expect("moby-dick.txt");
    // The first 64 KiB, cut back to a char boundary.
    let mut end = 64 * 1024;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let chunk = &text[..end];

    let mut group = c.benchmark_group("bpe_encode");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Bytes(chunk.len() as u64));
    group.bench_function("cl100k_moby_dick_64k", |b| b.iter(|| black_box(enc.encode(black_box(chunk)))));
    group.finish();
}

fn tsne(c: &mut Criterion) {
    // As core/examples/embed_speed.rs: PCA to 50 dimensions, then Tsne::new (exact Euclidean
    // 90-NN on PCA-50, perplexity 30, θ 0.5, random init).
    let table = embeddings();
    let (n, dim) = (table.n, table.dim);
    let p50 = pca(&table.data, n, dim, 50, 30, 1);
    let cfg = TsneConfig::default();
    let mut t = Tsne::new(&p50.projections, n, 50, &cfg);
    // Past the early-exaggeration phase (250 iterations), so the timed steps are the steady-state ones.
    for _ in 0..cfg.exaggeration_iters {
        t.step();
    }

    let mut group = c.benchmark_group("tsne_step");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    group.bench_function(format!("{n}"), |b| b.iter(|| t.step()));
    group.finish();
    black_box(t.positions());
}

fn pca_bench(c: &mut Criterion) {
    let table = embeddings();
    let (n, dim) = (table.n, table.dim);
    let mut group = c.benchmark_group("pca");
    // ~0.1–0.5 s per call: the minimum 10 samples in a flat sampling mode.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function(format!("{n}x{dim}_2_components"), |b| {
        b.iter(|| black_box(pca(black_box(&table.data), n, dim, 2, 30, 1)))
    });
    group.finish();
}

criterion_group!(benches, gan, bpe, tsne, pca_bench);
criterion_main!(benches);
