//! The traditional way, for comparison with one instruction-tuned foundation model: a separate
//! small model per task, trained from scratch with the same core on the same examples as
//! tools/lm/instruct.rs builds (tasks.rs), each on its own task only, then scored on the same
//! held-out set. Measures what it takes: parameters, training time, accuracy.
//!
//!     RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native \
//!       cargo run --release -p genai-core --example task_models -- [steps] [seed]
//!
//! Writes public/lm/task-models.json. Each model: the shipped tokenizer, d 64, 2 blocks, 2 heads,
//! context 256; batches of 16 examples; AdamW 2e-3, warm-up 50, cosine. Deterministic for a seed.

use genai_core::gpt::tokenizer::Tokenizer;
use genai_core::gpt::{AdamW, Config, Gpt, Workspace};
use genai_core::rng::Rng;
use std::time::Instant;

#[path = "common.rs"]
mod common;
#[path = "tasks.rs"]
mod tasks;
use common::*;
use tasks::*;

const BATCH: usize = 16;

/// The scored tasks and how to draw one training example of each.
const TASKS: [&str; 4] = ["question answering", "classification", "century", "extraction"];

fn example_of(task: &str, s: &Sources, rng: &mut Rng) -> Example {
    match task {
        "question answering" => {
            let ask = ASKS[rng.below(3) as usize];
            qa(pick(&s.train, rng), &s.train, rng, ask, true, false)
        }
        "classification" => source(s, rng, false),
        "century" => century_example(s, rng, false),
        _ => extract(s, rng, false),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let steps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(600);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out_dir = format!("{root}/public/lm");
    let corpus = load_corpus(&format!("{root}/target/lm-corpus"));
    let sources = Sources::new(&corpus);
    let tok = Tokenizer::from_binary(&std::fs::read(format!("{out_dir}/tokenizer.bpe")).unwrap()).unwrap();
    let eval = evaluation_set(&sources);
    let cfg = Config { vocab: tok.vocab_size(), ctx: 256, d: 64, layers: 2, heads: 2 };
    let mut rows = Vec::new();
    for (k, task) in TASKS.iter().enumerate() {
        let mut model = Gpt::new(cfg, seed + k as u64).unwrap();
        let mut opt = AdamW::new(2e-3, steps);
        opt.warmup = 50;
        let mut workspaces = [Workspace::new(), Workspace::new()];
        let clock = Instant::now();
        let mut tokens = 0usize;
        while opt.t < steps {
            let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (opt.t as u64) ^ ((k as u64) << 40));
            let mut batch = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                let (x, y) = sequence(&example_of(task, &sources, &mut rng), &tok);
                if x.len() <= cfg.ctx {
                    batch.push((x, y));
                }
            }
            tokens += batch.iter().map(|b| b.0.len()).sum::<usize>();
            let m = &model;
            on_two_threads(&mut workspaces, |w, ws| {
                ws.zero_grad();
                for (x, y) in batch.chunks(BATCH / 2).nth(w).unwrap_or_default() {
                    ws.forward(m, x, Some(y), 1, x.len());
                    let c = ws.counted();
                    ws.backward(m, c * BATCH);
                }
            });
            opt.step(&mut model, &workspaces[0].grads);
        }
        let seconds = clock.elapsed().as_secs_f64();
        let held: Vec<Example> = eval.iter().filter(|e| e.task == *task).cloned().collect();
        let acc = accuracy(&model, &tok, &held);
        let (right, of) = acc.first().map(|a| (a.1, a.2)).unwrap_or((0, 0));
        println!("{task:>20}: {} parameters, {steps} steps, {tokens} tokens, {seconds:.0} s, held-out {right}/{of}", cfg.n_params());
        rows.push(format!(
            "{{\"task\": {}, \"params\": {}, \"steps\": {steps}, \"tokens\": {tokens}, \"seconds\": {seconds:.1}, \"right\": {right}, \"of\": {of}}}",
            json_quote(task),
            cfg.n_params()
        ));
    }
    let json = format!(
        "{{\n  \"about\": \"One small model per task, each trained from scratch by tools/lm/task_models.rs on its task's examples only (the same generators and held-out set as tools/lm/instruct.rs)\",\n  \"config\": {{\"vocab\": {}, \"ctx\": {}, \"d\": {}, \"layers\": {}, \"heads\": {}, \"batch\": {BATCH}, \"lr\": 0.002, \"seed\": {seed}, \"threads\": 2}},\n  \"models\": [\n    {}\n  ]\n}}\n",
        cfg.vocab,
        cfg.ctx,
        cfg.d,
        cfg.layers,
        cfg.heads,
        rows.join(",\n    ")
    );
    std::fs::write(format!("{out_dir}/task-models.json"), json).unwrap();
}
