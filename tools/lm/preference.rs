//! Preference tuning (DPO) of the pretrained model, offline, with the automatic rater the page
//! offers (`dpo::sailors_rating`: +1 per word of the sea, −1 per word of government): the same
//! pairs, steps and measurement as the page's preference widget (core `dpo::PairDraw`,
//! `PreferenceTuner`, `fresh_sample`), for checking its figures.
//!
//!     RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native \
//!       cargo run --release -p genai-core --example preference -- [prompts] [steps] [beta] [lr] [seed]
//!
//! Prints the pairs, the loss, margin and KL every five steps, and the mean rating of fresh samples
//! (8 per prompt, fixed seeds) for the pair prompts and for prompts never used in a pair, before
//! and after. Set DUMP=1 to print every fresh sample.

use genai_core::gpt::dpo::{fresh_sample, sailors_rating, PairDraw, PreferenceTuner, FRESH_PROMPTS, PAIR_PROMPTS};
use genai_core::gpt::tokenizer::Tokenizer;
use genai_core::gpt::{from_bytes, Gpt};
use std::time::Instant;

/// The seed of the fresh samples (the page uses the same).
const EVAL_SEED: u64 = 77;
const PER_PROMPT: usize = 8;

fn mean_rating(model: &Gpt, tok: &Tokenizer, prompts: &[&str]) -> f64 {
    let mut sum = 0i64;
    for (i, p) in prompts.iter().enumerate() {
        for k in 0..PER_PROMPT {
            let text = tok.decode(&fresh_sample(model, &tok.encode(p), tok.n_text(), EVAL_SEED, i, k));
            if std::env::var("DUMP").is_ok() {
                println!("SAMPLE {p}{}", text.replace('\n', " "));
            }
            sum += sailors_rating(&text);
        }
    }
    sum as f64 / (prompts.len() * PER_PROMPT) as f64
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: f64| a.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (n_prompts, steps, beta, lr, seed) = (arg(0, 16.0) as usize, arg(1, 30.0) as usize, arg(2, 0.5), arg(3, 3e-5) as f32, arg(4, 1.0) as u64);
    let tok = Tokenizer::from_binary(&std::fs::read("public/lm/tokenizer.bpe").unwrap()).unwrap();
    let base = from_bytes(&std::fs::read("public/lm/model.bin").unwrap()).unwrap();
    let mut draw = PairDraw::new(PAIR_PROMPTS.iter().map(|p| tok.encode(p)).collect(), n_prompts, seed);
    while !draw.unit(&base, tok.n_text(), |ids| sailors_rating(&tok.decode(ids))) {}
    for (k, p, rc, rr) in &draw.pairs {
        println!("pair for {:?}\n  chosen   ({rc:+}): {}\n  rejected ({rr:+}): {}", PAIR_PROMPTS[*k], tok.decode(&p.chosen), tok.decode(&p.rejected));
    }
    let before = (mean_rating(&base, &tok, PAIR_PROMPTS), mean_rating(&base, &tok, FRESH_PROMPTS));
    let t0 = Instant::now();
    let mut t = PreferenceTuner::new(&base, draw.pairs.into_iter().map(|p| p.1).collect(), beta, lr).unwrap();
    while t.steps < steps {
        if t.unit() && (t.steps % 5 == 0 || t.steps == steps) {
            let l = t.last.unwrap();
            println!("step {:>3}: loss {:.4} margin {:.3} preferred {}/{} KL {:.4}", t.steps, l.loss, l.margin, l.preferred, t.pairs.len(), t.kl());
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let after = (mean_rating(&t.model, &tok, PAIR_PROMPTS), mean_rating(&t.model, &tok, FRESH_PROMPTS));
    println!("{} pairs from {n_prompts} prompts, {steps} steps, β {beta}, lr {lr}: {secs:.1} s", t.pairs.len());
    println!("mean rating of fresh samples — pair prompts: {:+.2} → {:+.2}; fresh prompts: {:+.2} → {:+.2}", before.0, after.0, before.1, after.1);
}
