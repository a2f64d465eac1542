//! Native speed of the embeddings model core on the shipped 5,000 × 384 word table: loading, PCA,
//! all-pairs k-NN (384-d and after PCA-50), and t-SNE iterations per second.
//! Run: cargo run --release -p genai-core --example embed_speed

use genai_core::embed::{neighbour_preservation, pca, Knn, Table};
use genai_core::tsne::{Tsne, TsneConfig};
use std::time::Instant;

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    println!("{label:<44} {:>9.1} ms", t.elapsed().as_secs_f64() * 1e3);
    out
}

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/embeddings/words.bin"
    );
    let bytes = std::fs::read(path).expect("words.bin");
    let table = time("parse EMB1 (5000 × 384)", || {
        Table::from_emb1(&bytes).unwrap()
    });
    let (n, dim) = (table.n, table.dim);
    let p2 = time("PCA, 2 components, 30 iterations", || {
        pca(&table.data, n, dim, 2, 30, 1)
    });
    println!(
        "  explained variance ratio {:?}",
        p2.explained_variance_ratio
    );
    let p50 = time("PCA, 50 components, 30 iterations", || {
        pca(&table.data, n, dim, 50, 30, 1)
    });
    let knn10 = time("exact 10-NN by cosine, 384-d (all pairs)", || {
        Knn::by_cosine(&table.data, n, dim, 10)
    });
    let pres = time("neighbour preservation of the PCA-2 map", || {
        neighbour_preservation(&knn10, &p2.projections, 2, 10)
    });
    println!("  10-NN preservation, PCA-2: {pres:.4}");
    time("exact 90-NN by Euclidean, 384-d", || {
        Knn::by_euclidean(&table.data, n, dim, 90)
    });
    time("exact 1-NN by Euclidean, PCA-50", || Knn::by_euclidean(&p50.projections, n, 50, 1));
    time("exact 90-NN by Euclidean, PCA-50", || {
        Knn::by_euclidean(&p50.projections, n, 50, 90)
    });

    let cfg = TsneConfig::default();
    let mut tsne = time("t-SNE set-up on PCA-50 (kNN + P)", || {
        Tsne::new(&p50.projections, n, 50, &cfg)
    });
    for (label, iters) in [
        ("t-SNE iterations 0-250 (exaggerated)", 250),
        ("t-SNE iterations 250-1000", 750),
    ] {
        let t = Instant::now();
        for _ in 0..iters {
            tsne.step();
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "{label:<44} {:>9.1} ms/iteration ({:.0} iterations/s)",
            s * 1e3 / iters as f64,
            iters as f64 / s
        );
    }
    let kl = time("exact KL divergence (O(n²))", || tsne.kl_divergence());
    println!("  KL {kl:.4}, Barnes-Hut estimate {:?}", tsne.kl_estimate());
    let map_pres = time("neighbour preservation of the t-SNE map", || {
        neighbour_preservation(&knn10, tsne.positions(), 2, 10)
    });
    println!("  10-NN preservation, t-SNE (from PCA-50 kNN): {map_pres:.4}");

    // The same run with exact cosine neighbours in 384-d (d² = 2 − 2cos for unit rows), for comparison.
    let knn90 = time("exact 90-NN by cosine, 384-d", || Knn::by_cosine(&table.data, n, dim, 90));
    let sq: Vec<f32> = knn90.value.iter().map(|&c| (2.0 - 2.0 * c).max(0.0)).collect();
    let mut full = Tsne::from_neighbours(n, 90, &knn90.index, &sq, &cfg, None);
    for _ in 0..1000 {
        full.step();
    }
    let full_pres = neighbour_preservation(&knn10, full.positions(), 2, 10);
    println!("  10-NN preservation, t-SNE (from 384-d cosine kNN): {full_pres:.4}, KL {:.4}", full.kl_divergence());
}
