//! Trains the digit denoiser that the diffusion widget ships, with the app's own Rust core
//! (`genai_core::diffusion::digit_model`), and writes its weights.
//!
//!     cargo run --release -p genai-core --example train_denoiser -- [steps] [seed]
//!
//! Reads `public/diffusion/digits.bin`, writes `public/diffusion/denoiser.bin` (MLP1, bfloat16) and
//! `public/diffusion/denoiser.json` (settings and the measurements printed here). Deterministic for a
//! seed: the same command gives the same bytes.

use genai_core::diffusion::{digit_model, median_nearest_other, nearest_item, sampling_times, Digits, Schedule};
use genai_core::rng::Rng;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let steps: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/diffusion");
    let digits = Digits::from_dig1(&std::fs::read(format!("{root}/digits.bin")).expect("digits.bin")).expect("a valid digits file");
    let mut model = digit_model::model(&digits, None, seed).expect("a fresh model");
    println!("{} parameters, {} digits, {steps} steps", model.net.n_params(), digits.len());
    let started = Instant::now();
    let mut recent = 0.0f64;
    let mut last_loss = 0.0;
    for step in 1..=steps {
        model.set_learning_rate(digit_model::learning_rate(step, steps));
        recent += model.train_step() as f64;
        if step % 1000 == 0 {
            last_loss = recent / 1000.0;
            println!("step {step:>6}  loss {last_loss:.4}  {:.0} s", started.elapsed().as_secs_f64());
            recent = 0.0;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    // How good and how new are the samples? 100 samples, DDIM in 50 steps, under both schedules.
    let mut report = Vec::new();
    for (name, schedule) in [("cosine", Schedule::cosine(digit_model::T)), ("linear", Schedule::linear(digit_model::T, 1e-4, 0.02))] {
        let mut rng = Rng::new(seed + 100);
        let n = 100;
        let mut xs = vec![0.0f32; n * 64];
        rng.fill_normal(&mut xs);
        for w in sampling_times(digit_model::T, 50).windows(2) {
            model.reverse_step_under(&schedule, &mut xs, w[0], w[1], false, None, 0.0, &mut rng);
        }
        let mut d: Vec<f32> = xs.chunks_exact(64).map(|x| nearest_item(&digits.pixels, 64, x).unwrap().1).collect();
        d.sort_by(|a, b| a.total_cmp(b));
        println!("{name}: distance to the nearest training digit, median {:.3}, min {:.3}", d[n / 2], d[0]);
        report.push(format!("\"{name}_median_nearest\": {:.4}", d[n / 2]));
    }
    // Guided towards each class (w = 3): how often is the nearest training digit of that class?
    let mut hits = 0;
    let mut rng = Rng::new(seed + 200);
    let schedule = Schedule::cosine(digit_model::T);
    for c in 0..10u8 {
        let mut xs = vec![0.0f32; 10 * 64];
        rng.fill_normal(&mut xs);
        for w in sampling_times(digit_model::T, 50).windows(2) {
            model.reverse_step_under(&schedule, &mut xs, w[0], w[1], false, Some(c), 3.0, &mut rng);
        }
        hits += xs.chunks_exact(64).filter(|x| digits.labels[nearest_item(&digits.pixels, 64, x).unwrap().0] == c).count();
    }
    println!("guided (w = 3): {hits}/100 samples nearest to a training digit of the asked class");
    // For scale: how far is each training digit from its nearest other training digit?
    let gap = median_nearest_other(&digits.pixels, 64, 1).expect("digits");
    println!("training digits: distance to the nearest other training digit, median {gap:.3}");
    report.push(format!("\"training_median_nearest_other\": {gap:.4}"));
    let weights = model.net.to_bytes();
    std::fs::write(format!("{root}/denoiser.bin"), &weights).expect("write denoiser.bin");
    let json = format!(
        "{{\n  \"what\": \"noise-predicting MLP for 8x8 digits, trained by tools/diffusion/train_denoiser.rs\",\n  \"layers\": {:?},\n  \"parameters\": {},\n  \"steps\": {steps},\n  \"seed\": {seed},\n  \"batch\": {},\n  \"learning_rate\": \"{} for the first half, then a linear decay to 1e-5\",\n  \"final_loss\": {last_loss:.4},\n  \"seconds\": {seconds:.0},\n  {},\n  \"guided_hits_of_100\": {hits},\n  \"bytes\": {}\n}}\n",
        model.net.layers.iter().map(|l| l.n_out).collect::<Vec<_>>(),
        model.net.n_params(),
        digit_model::BATCH,
        digit_model::LEARNING_RATE,
        report.join(",\n  "),
        weights.len()
    );
    std::fs::write(format!("{root}/denoiser.json"), json).expect("write denoiser.json");
    println!("wrote {} bytes of weights in {seconds:.0} s of training", weights.len());
}
