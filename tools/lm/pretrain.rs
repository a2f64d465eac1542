//! Pre-trains the language model the LLM section ships, with the app's own core (`genai_core::gpt`):
//! learns the BPE tokenizer on the training corpus, then trains the transformer on both cores.
//!
//!     node tools/lm/prepare_corpus.mjs          # writes target/lm-corpus/
//!     RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native \
//!       cargo run --release -p genai-core --example pretrain -- [steps] [seed]
//!
//! Writes `public/lm/tokenizer.bpe` (BPE1), `public/lm/model.bin` (GPT1, bfloat16) and
//! `public/lm/manifest.json` (corpus hashes, config, steps, validation loss per corpus, the curve).
//! Resumable: a checkpoint (weights, AdamW moments, step, curve) goes to `target/lm-ckpt/` every
//! 100 steps and a rerun with the same arguments continues from it. Deterministic for a seed: the
//! batch of step s is drawn from its own generator seeded with (seed, s), the two threads' gradients
//! are added in a fixed order, so an interrupted and resumed run gives the same bytes as one run.
//! (`target-cpu=native` only widens the vector loops; Rust never fuses or reorders float
//! operations, so the numbers do not depend on it.)

use genai_core::bpe_train::Trainer;
use genai_core::gpt::tokenizer::{Tokenizer, SPECIALS};
use genai_core::gpt::{self, AdamW, Config, Gpt, Workspace};
use genai_core::rng::Rng;
use std::time::Instant;

#[path = "common.rs"]
mod common;
use common::*;

const VOCAB: usize = 2048;
const CTX: usize = 256;
const BATCH: usize = 8;
const LR: f32 = 2e-3;
const EVAL_EVERY: usize = 100;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let steps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3200);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let corpus_dir = format!("{root}/target/lm-corpus");
    let out_dir = format!("{root}/public/lm");
    let ckpt_dir = format!("{root}/target/lm-ckpt");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::create_dir_all(&ckpt_dir).unwrap();

    // ---- the corpus: Moby Dick (last 5 % held out) and the addresses (id % 20 == 7 held out)
    let moby = std::fs::read_to_string(format!("{corpus_dir}/moby-dick.txt")).expect("run tools/lm/prepare_corpus.mjs first");
    let split = std::fs::read_to_string(format!("{corpus_dir}/split.json")).unwrap();
    let from_char = json_number(&split, "moby_dick_val_from_char") as usize;
    let cut = moby.char_indices().nth(from_char).map_or(moby.len(), |(i, _)| i);
    let (moby_train, moby_val) = moby.split_at(cut);
    let sotu = std::fs::read_to_string(format!("{corpus_dir}/sotu.jsonl")).unwrap();
    let (mut sotu_train, mut sotu_val) = (Vec::new(), Vec::new());
    for line in sotu.lines().filter(|l| !l.trim().is_empty()) {
        let id = json_number(line, "id") as usize;
        let doc = address_document(line);
        if id % 20 == 7 { sotu_val.push(doc) } else { sotu_train.push(doc) }
    }
    println!("corpus: Moby Dick {} + {} bytes, addresses {} + {}", moby_train.len(), moby_val.len(), sotu_train.len(), sotu_val.len());

    // ---- the tokenizer, learned on the training text only
    let tok_path = format!("{out_dir}/tokenizer.bpe");
    let started = Instant::now();
    let mut train_text = String::from(moby_train);
    for d in &sotu_train {
        train_text.push_str("\n\n");
        train_text.push_str(d);
    }
    let n_text = VOCAB - SPECIALS.len();
    let mut trainer = Trainer::new(&train_text, n_text).unwrap();
    let mut ratios = Vec::new();
    let probe: String = moby_val.chars().take(20_000).chain(sotu_val[0].chars().take(20_000)).collect();
    while trainer.step().is_some() {
        let size = trainer.vocab_size();
        if [512, 1024, 1536, n_text].contains(&size) {
            let n = trainer.encoding().encode(&probe).len();
            ratios.push((size, probe.len() as f64 / n as f64));
            println!("  vocab {size:>5}: {:.2} bytes per token on held-out text", probe.len() as f64 / n as f64);
        }
    }
    let tokenizer = Tokenizer::new(trainer.encoding().vocab);
    std::fs::write(&tok_path, tokenizer.encoding.vocab.to_binary()).unwrap();
    println!("tokenizer: {} text tokens + {} specials in {:.0} s", tokenizer.n_text(), SPECIALS.len(), started.elapsed().as_secs_f64());
    let eot = tokenizer.eot();
    let mut stream: Vec<u32> = tokenizer.encode(moby_train);
    for d in &sotu_train {
        stream.push(eot);
        stream.extend(tokenizer.encode(d));
    }
    let val_moby = tokenizer.encode(moby_val);
    let mut val_sotu = Vec::new();
    for d in &sotu_val {
        val_sotu.push(eot);
        val_sotu.extend(tokenizer.encode(d));
    }
    println!("tokens: train {}, val Moby Dick {}, val addresses {}", stream.len(), val_moby.len(), val_sotu.len());

    // ---- the model
    // The shipped shape, or another one for the size comparison (`pretrain -- steps seed d layers
    // heads minutes`: trains that shape on the same schedule for a number of minutes and writes its
    // curve to target/lm-scan/ instead of the shipped files).
    let shape: Vec<usize> = args.iter().skip(3).take(3).filter_map(|a| a.parse().ok()).collect();
    let scan_minutes: Option<f64> = args.get(6).and_then(|s| s.parse().ok());
    let (d, layers, heads) = if shape.len() == 3 { (shape[0], shape[1], shape[2]) } else { (128, 4, 4) };
    let cfg = Config { vocab: tokenizer.vocab_size(), ctx: CTX, d, layers, heads };
    let mut model = Gpt::new(cfg, seed).unwrap();
    let mut opt = AdamW::new(LR, steps);
    opt.warmup = 100;
    let mut curve: Vec<String> = Vec::new();
    let mut trained_seconds = 0.0f64;
    let ckpt = if shape.len() == 3 { format!("{ckpt_dir}/scan-{d}-{layers}-{heads}-{steps}-{seed}.bin") } else { format!("{ckpt_dir}/ckpt-{steps}-{seed}.bin") };
    if let Ok(bytes) = std::fs::read(&ckpt) {
        let (m, o, c, s) = load_checkpoint(&bytes, cfg);
        model = m;
        opt.t = o.0;
        opt.m = o.1;
        opt.v = o.2;
        curve = c;
        trained_seconds = s;
        println!("resumed from step {}", opt.t);
    }
    println!("model: {} parameters ({cfg:?}); {steps} steps of {BATCH}×{CTX} tokens", cfg.n_params());

    let mut workspaces = [Workspace::new(), Workspace::new()];
    let half = BATCH / 2;
    let mut clock = Instant::now();
    let mut recent = (0.0f64, 0usize);
    while opt.t < steps && scan_minutes.is_none_or(|m| trained_seconds < 60.0 * m) {
        let step = opt.t;
        let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ step as u64);
        let (mut x, mut y) = (Vec::with_capacity(BATCH * CTX), Vec::with_capacity(BATCH * CTX));
        for _ in 0..BATCH {
            let at = rng.below((stream.len() - CTX - 1) as u64) as usize;
            x.extend_from_slice(&stream[at..at + CTX]);
            y.extend_from_slice(&stream[at + 1..at + CTX + 1]);
        }
        let total = BATCH * CTX;
        let m = &model;
        let losses = on_two_threads(&mut workspaces, |k, ws| {
            let (xs, ys) = (&x[k * half * CTX..(k + 1) * half * CTX], &y[k * half * CTX..(k + 1) * half * CTX]);
            let loss = ws.forward(m, xs, Some(ys), half, CTX);
            ws.zero_grad();
            ws.backward(m, total);
            loss
        });
        let a = &workspaces[0];
        let info = opt.step(&mut model, &a.grads);
        recent.0 += (losses[0] + losses[1]) as f64 / 2.0;
        recent.1 += 1;
        let done = opt.t;
        if done % EVAL_EVERY == 0 || done == steps {
            trained_seconds += clock.elapsed().as_secs_f64();
            let vm = evaluate(&model, &val_moby, &mut workspaces[0]);
            let vs = evaluate(&model, &val_sotu, &mut workspaces[0]);
            let train = recent.0 / recent.1 as f64;
            let tps = (done * total) as f64 / trained_seconds;
            println!("step {done:>5}  train {train:.3}  val moby {vm:.3}  val sotu {vs:.3}  lr {:.2e}  |g| {:.2}  {tps:.0} tok/s  {:.0} s", info.lr, info.grad_norm, trained_seconds);
            curve.push(format!("{{\"step\":{done},\"seconds\":{trained_seconds:.1},\"train\":{train:.4},\"val_moby_dick\":{vm:.4},\"val_sotu\":{vs:.4}}}"));
            recent = (0.0, 0);
            if !model.is_finite() {
                panic!("the model diverged at step {done}");
            }
            std::fs::write(&ckpt, save_checkpoint(&model, &opt, &curve, trained_seconds)).unwrap();
            clock = Instant::now();
        }
    }

    if let Some(m) = scan_minutes {
        let dir = format!("{root}/target/lm-scan");
        std::fs::create_dir_all(&dir).unwrap();
        let file = format!("{dir}/d{d}-l{layers}-h{heads}.json");
        std::fs::write(&file, format!("{{\"d\": {d}, \"layers\": {layers}, \"heads\": {heads}, \"params\": {}, \"minutes\": {m}, \"curve\": [\n  {}\n]}}\n", cfg.n_params(), curve.join(",\n  "))).unwrap();
        println!("wrote {file}");
        return;
    }

    // ---- the shipped files
    let weights = gpt::to_bytes(&model, true);
    std::fs::write(format!("{out_dir}/model.bin"), &weights).unwrap();
    let shipped = gpt::from_bytes(&weights).unwrap();
    let vm = evaluate(&shipped, &val_moby, &mut workspaces[0]);
    let vs = evaluate(&shipped, &val_sotu, &mut workspaces[0]);
    println!("shipped (bfloat16): val Moby Dick {vm:.4}, val addresses {vs:.4} nats/token");
    let manifest_corpus = std::fs::read_to_string(format!("{corpus_dir}/manifest.json")).unwrap_or_default();
    let corpus_hashes: Vec<String> = ["moby-dick.txt", "sotu.jsonl", "split.json"]
        .iter()
        .map(|f| format!("\"{f}\": \"{}\"", corpus_sha256(&manifest_corpus, f).unwrap_or_default()))
        .collect();
    let ratio_json: Vec<String> = ratios.iter().map(|(n, r)| format!("{{\"bpe_tokens\":{n},\"bytes_per_token\":{r:.3}}}")).collect();
    let manifest = format!(
        "{{\n  \"about\": \"A small GPT pre-trained by tools/lm/pretrain.rs with the genai-core crate on Moby Dick and 221 State of the Union addresses (public domain)\",\n  \"config\": {{\"vocab\": {}, \"ctx\": {}, \"d\": {}, \"layers\": {}, \"heads\": {}, \"params\": {}}},\n  \"tokenizer\": {{\"file\": \"tokenizer.bpe\", \"bpe_tokens\": {}, \"specials\": [{}], \"held_out_bytes_per_token\": [{}]}},\n  \"training\": {{\"steps\": {steps}, \"seed\": {seed}, \"batch\": {BATCH}, \"context\": {CTX}, \"tokens_seen\": {}, \"lr\": {LR}, \"warmup\": 100, \"schedule\": \"cosine to lr/10\", \"weight_decay\": 0.1, \"clip\": 1.0, \"seconds\": {trained_seconds:.0}, \"threads\": 2}},\n  \"corpus\": {{\"train_tokens\": {}, \"val_tokens_moby_dick\": {}, \"val_tokens_sotu\": {}, \"sha256\": {{{}}}}},\n  \"validation_loss\": {{\"moby_dick\": {vm:.4}, \"sotu\": {vs:.4}, \"unit\": \"nats per token, bfloat16 weights\"}},\n  \"curve\": [\n    {}\n  ]\n}}\n",
        cfg.vocab, cfg.ctx, cfg.d, cfg.layers, cfg.heads, cfg.n_params(),
        tokenizer.n_text(),
        SPECIALS.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "),
        ratio_json.join(", "),
        steps * BATCH * CTX,
        stream.len(), val_moby.len(), val_sotu.len(),
        corpus_hashes.join(", "),
        curve.join(",\n    ")
    );
    std::fs::write(format!("{out_dir}/manifest.json"), manifest).unwrap();
    // a sample, for the log
    let mut cache = gpt::KvCache::new(&cfg);
    let prompt = tokenizer.encode("Call me Ishmael.");
    let mut logits = shipped.prefill(&mut cache, &prompt);
    let mut ids = prompt.clone();
    let mut rng = Rng::new(seed);
    while cache.len < 80 {
        let next = gpt::sample(&logits, &gpt::Sampling { temperature: 0.8, top_k: 40, top_p: 1.0 }, &mut rng) as u32;
        ids.push(next);
        shipped.step(&mut cache, next, &mut logits);
    }
    println!("sample: {}", tokenizer.decode(&ids));
}

/// Mean loss on consecutive windows of a held-out stream (the first 32 windows of CTX tokens).
fn evaluate(model: &Gpt, tokens: &[u32], ws: &mut Workspace) -> f64 {
    let windows = ((tokens.len() - 1) / CTX).min(32);
    let mut sum = 0.0;
    for k in 0..windows {
        let at = k * CTX;
        sum += ws.forward(model, &tokens[at..at + CTX], Some(&tokens[at + 1..at + CTX + 1]), 1, CTX) as f64;
    }
    sum / windows as f64
}
