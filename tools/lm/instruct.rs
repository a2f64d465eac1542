//! Instruction-tunes the shipped base model (public/lm/model.bin) into one that follows four-part
//! prompts (genai_core::gpt::prompt), on examples built from real data only — no hand-written
//! answers:
//!
//! - question answering from context: two to four documents (an address's header line and a real
//!   passage of it), one of them holding the answer, from the `sotu.jsonl` metadata: by a quote
//!   ("Who said "…"?" → the president; also the party, the year), which only the documents can
//!   answer, and by year ("Who gave the address in 1862?"), which pre-training may have half-taught
//!   (every address began with its header there); a quarter of them without the answer's document,
//!   answered "Not in the documents", so that reading beats reciting;
//! - classification: is a real passage from Moby Dick or from an address; in which century was an
//!   address passage given;
//! - information extraction: the one year a real sentence of an address mentions;
//! - continuation: the next words of a real passage;
//! - and a little plain text, so the model keeps its pre-training.
//!
//! Held out, never trained on: the 12 validation addresses of prepare_corpus.mjs (id % 20 == 7) —
//! their facts and their passages — and the last 5 % of Moby Dick. The evaluation questions are built
//! from them, and ship as public/lm/instruct-eval.json for the page to score live.
//!
//!     node tools/lm/prepare_corpus.mjs          # writes target/lm-corpus/
//!     RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native \
//!       cargo run --release -p genai-core --example instruct -- [steps] [seed]
//!
//! Writes public/lm/instruct.bin (GPT1, bfloat16), public/lm/instruct-eval.json and
//! public/lm/instruct-manifest.json (settings, the curve, accuracy per task for the base and the tuned
//! model). Resumable from target/lm-ckpt/instruct-<steps>-<seed>.bin (every 100 steps);
//! deterministic for a seed (each step's examples come from a generator seeded with (seed, step)).

use genai_core::gpt::tokenizer::Tokenizer;
use genai_core::gpt::{self, AdamW, Workspace};
use genai_core::rng::Rng;
use std::time::Instant;

#[path = "common.rs"]
mod common;
#[path = "tasks.rs"]
mod tasks;
use common::*;
use tasks::*;

const BATCH: usize = 16;
const LR: f32 = 1e-3;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("probe") {
        return probe(args.get(2).map(String::as_str).unwrap_or("public/lm/instruct.bin"));
    }
    let steps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(4000);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out_dir = format!("{root}/public/lm");
    let ckpt_dir = format!("{root}/target/lm-ckpt");
    std::fs::create_dir_all(&ckpt_dir).unwrap();
    let corpus = load_corpus(&format!("{root}/target/lm-corpus"));
    let sources = Sources::new(&corpus);
    let tok = Tokenizer::from_binary(&std::fs::read(format!("{out_dir}/tokenizer.bpe")).unwrap()).unwrap();
    let base = gpt::from_bytes(&std::fs::read(format!("{out_dir}/model.bin")).unwrap()).unwrap();
    let cfg = base.cfg;
    let plain: Vec<u32> = tok.encode(&corpus.moby_train[..400_000.min(corpus.moby_train.len())]);
    println!(
        "sources: {} + {} addresses, {} + {} year sentences; base model {} parameters",
        sources.train.len(),
        sources.held.len(),
        sources.years_train.len(),
        sources.years_held.len(),
        cfg.n_params()
    );

    let eval = evaluation_set(&sources);
    let quick: Vec<Example> = eval.iter().filter(|e| e.task == "question by year").cloned().collect();

    let mut model = base.clone();
    let mut opt = AdamW::new(LR, steps);
    opt.warmup = 50;
    opt.weight_decay = 0.0;
    let mut curve: Vec<String> = Vec::new();
    let mut seconds = 0.0f64;
    let ckpt = format!("{ckpt_dir}/instruct-{steps}-{seed}.bin");
    if let Ok(bytes) = std::fs::read(&ckpt) {
        let (m, o, c, s) = load_checkpoint(&bytes, cfg);
        model = m;
        (opt.t, opt.m, opt.v) = o;
        curve = c;
        seconds = s;
        println!("resumed from step {}", opt.t);
    }
    let mut workspaces = [Workspace::new(), Workspace::new()];
    let mut clock = Instant::now();
    let (mut recent, mut recent_n, mut tokens) = (0.0f64, 0usize, 0usize);
    while opt.t < steps {
        let step = opt.t;
        let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (step as u64) ^ 0x1257);
        let mut batch: Vec<(Vec<u32>, Vec<u32>)> = Vec::with_capacity(BATCH + 2);
        while batch.len() < BATCH {
            let (x, y) = sequence(&training_example(&sources, &mut rng), &tok);
            if x.len() <= cfg.ctx {
                batch.push((x, y));
            }
        }
        // two windows of plain Moby Dick, every token counted, against forgetting
        for _ in 0..2 {
            let at = rng.below((plain.len() - 97) as u64) as usize;
            batch.push((plain[at..at + 96].to_vec(), plain[at + 1..at + 97].to_vec()));
        }
        tokens += batch.iter().map(|b| b.0.len()).sum::<usize>();
        let n_ex = batch.len();
        let m = &model;
        let half = n_ex / 2;
        let losses = on_two_threads(&mut workspaces, |k, ws| {
            ws.zero_grad();
            let mut sum = 0.0f64;
            for (x, y) in batch.chunks(half).nth(k).unwrap_or_default() {
                sum += ws.forward(m, x, Some(y), 1, x.len()) as f64;
                let c = ws.counted();
                ws.backward(m, c * n_ex);
            }
            sum
        });
        let a = &workspaces[0];
        let info = opt.step(&mut model, &a.grads);
        recent += losses.iter().sum::<f64>() / n_ex as f64;
        recent_n += 1;
        let done = opt.t;
        if done % 100 == 0 || done == steps {
            seconds += clock.elapsed().as_secs_f64();
            let quick_acc = if done % 500 == 0 || done == steps { accuracy(&model, &tok, &quick)[0].1 as f64 / quick.len() as f64 } else { f64::NAN };
            let loss = recent / recent_n as f64;
            println!(
                "step {done:>5}  loss {loss:.3}  lr {:.2e}  |g| {:.2}  {:.0} tok/s  {:.0} s  held-out questions by year, with documents {}",
                info.lr,
                info.grad_norm,
                tokens as f64 / clock.elapsed().as_secs_f64().max(1e-9),
                seconds,
                if quick_acc.is_nan() { "-".to_string() } else { format!("{:.0} %", 100.0 * quick_acc) }
            );
            let acc = if quick_acc.is_nan() { "null".to_string() } else { format!("{quick_acc:.4}") };
            curve.push(format!("{{\"step\":{done},\"seconds\":{seconds:.1},\"loss\":{loss:.4},\"qa_context\":{acc}}}"));
            (recent, recent_n, tokens) = (0.0, 0, 0);
            assert!(model.is_finite(), "diverged at step {done}");
            std::fs::write(&ckpt, save_checkpoint(&model, &opt, &curve, seconds)).unwrap();
            clock = Instant::now();
        }
    }

    // ---- the shipped files, and both models measured on the held-out set
    let weights = gpt::to_bytes(&model, true);
    std::fs::write(format!("{out_dir}/instruct.bin"), &weights).unwrap();
    let tuned = gpt::from_bytes(&weights).unwrap();
    let started = Instant::now();
    let acc_tuned = accuracy(&tuned, &tok, &eval);
    let eval_seconds = started.elapsed().as_secs_f64();
    let acc_base = accuracy(&base, &tok, &eval);
    for ((t, r, n), (_, rb, _)) in acc_tuned.iter().zip(&acc_base) {
        println!("{t:>20}: instruct {r}/{n} ({:.0} %), base {rb}/{n}", 100.0 * *r as f64 / *n as f64);
    }
    let rows: Vec<String> = eval
        .iter()
        .map(|e| {
            let docs: Vec<String> = e.prompt.context.iter().flatten().map(|d| json_quote(d)).collect();
            format!(
                "{{\"task\":{},\"instruction\":{},\"docs\":[{}],\"input\":{},\"answer\":{}}}",
                json_quote(e.task),
                json_quote(e.prompt.instruction.as_deref().unwrap_or("")),
                docs.join(","),
                json_quote(e.prompt.input.as_deref().unwrap_or("")),
                json_quote(&e.answer)
            )
        })
        .collect();
    std::fs::write(format!("{out_dir}/instruct-eval.json"), format!("[\n{}\n]\n", rows.join(",\n"))).unwrap();
    let manifest = format!(
        "{{\n  \"about\": \"The base model of manifest.json instruction-tuned by tools/lm/instruct.rs on examples built from the corpus (no hand-written answers)\",\n  \"training\": {{\"steps\": {steps}, \"seed\": {seed}, \"batch\": \"{BATCH} examples + 2 windows of 96 plain tokens\", \"lr\": {LR}, \"warmup\": 50, \"schedule\": \"cosine to lr/10\", \"weight_decay\": 0, \"seconds\": {seconds:.0}, \"threads\": 2}},\n  \"held_out\": \"addresses with id % 20 == 7 (facts and passages) and the last 5 % of Moby Dick\",\n  \"instructions\": {{\"question answering\": {}, \"closed book\": {}, \"classification\": {}, \"century\": {}, \"extraction\": {}, \"continuation\": {}}},\n  \"accuracy\": {{\"instruct\": {}, \"base\": {}, \"unit\": \"exact match of the greedy answer (at most {ANSWER_TOKENS} tokens)\", \"seconds_instruct\": {eval_seconds:.1}}},\n  \"curve\": [\n    {}\n  ]\n}}\n",
        json_quote(QA_CONTEXT),
        json_quote(QA_CLOSED),
        json_quote(SOURCE),
        json_quote(CENTURY),
        json_quote(EXTRACT),
        json_quote(CONTINUE),
        accuracy_json(&acc_tuned),
        accuracy_json(&acc_base),
        curve.join(",\n    ")
    );
    std::fs::write(format!("{out_dir}/instruct-manifest.json"), manifest).unwrap();
}

/// `instruct probe [weights]`: prints the held-out questions with the model's answers, to look at
/// what it gets wrong.
fn probe(weights: &str) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let corpus = load_corpus(&format!("{root}/target/lm-corpus"));
    let sources = Sources::new(&corpus);
    let tok = Tokenizer::from_binary(&std::fs::read(format!("{root}/public/lm/tokenizer.bpe")).unwrap()).unwrap();
    let model = gpt::from_bytes(&std::fs::read(format!("{root}/{weights}")).unwrap()).unwrap();
    for e in evaluation_set(&sources).iter().filter(|e| e.task.starts_with("question")) {
        let a = genai_core::gpt::prompt::greedy_answer(&model, &tok, &e.prompt.encode(&tok), ANSWER_TOKENS);
        let got = tok.decode(&a.ids);
        let ok = genai_core::gpt::prompt::exact_match(&got, &e.answer);
        println!("{} {:<28} | {:<26} | {}", if ok { "✓" } else { "✗" }, e.answer, got.trim(), e.prompt.input.as_deref().unwrap_or(""));
    }
}
