//! Native training speed of the 2-D GAN at GAN Lab's default shape (batch 150, one hidden layer of 8
//! in G and D, 2 D-steps per iteration, SGD 0.1), for comparison with the in-browser figure.
//! Run: cargo run --release -p genai-core --example gan_speed

use genai_core::gan::{Gan, GanConfig, Preset};
use genai_core::rng::Rng;
use std::time::Instant;

fn main() {
    let data = Preset::Ring.sample(4096, &mut Rng::new(1));
    let cfg = GanConfig { g_hidden: vec![8], d_hidden: vec![8], batch: 150, k_d: 2, adam: false, lr_d: 0.1, lr_g: 0.1, ..GanConfig::default() };
    let mut gan = Gan::new(cfg, data);
    for _ in 0..500 {
        gan.step();
    }
    let n = 20_000;
    let t = Instant::now();
    for _ in 0..n {
        gan.step();
    }
    let s = t.elapsed().as_secs_f64();
    println!("{:.0} iterations/s native ({n} iterations in {s:.2} s)", n as f64 / s);
}
