//! The sections binary: the heavy sections (tokens, embeddings, language models, diffusion, GANs) and their widgets,
//! loaded by the shell's `SectionHost` when one of them opens and mounted into the element it gives.
//! Also the entry points the benchmark harness calls (`window.sectionBindings`).

use genai_explorables::{pages, shell, widgets};
use leptos::prelude::*;
use std::cell::RefCell;
use genai_core::bpe::{Encoding, Pattern, Vocab};
use genai_core::bpe_train::Trainer;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The mounted section; dropping it unmounts it.
    static MOUNTED: RefCell<Option<Box<dyn std::any::Any>>> = const { RefCell::new(None) };
}

/// Mounts `what` — `page:<key>` or `embed:<widget id>` — into `el`, replacing any earlier section.
#[wasm_bindgen]
pub fn mount_section(what: &str, el: web_sys::HtmlElement) {
    unmount_section();
    let what = what.to_owned();
    let handle = leptos::mount::mount_to(el, move || {
        shell::theme::follow_document_theme();
        match what.split_once(':') {
            Some(("page", "tokens")) => pages::tokens::TokensPage().into_any(),
            Some(("page", "embeddings")) => pages::embeddings::EmbeddingsPage().into_any(),
            Some(("page", "diffusion")) => pages::diffusion::DiffusionPage().into_any(),
            Some(("page", "gan")) => pages::gan::GanPage().into_any(),
            Some(("page", "llm")) => pages::llm::LlmPage().into_any(),
            Some(("page", "prompts")) => pages::prompts::PromptsPage().into_any(),
            Some(("page", "finetune")) => pages::finetune::FinetunePage().into_any(),
            Some(("page", "vae")) => pages::vae::VaePage().into_any(),
            Some(("page", "multimodal")) => pages::multimodal::MultimodalPage().into_any(),
            Some(("embed", id)) => widgets::embed(id),
            _ => view! { <p class="notice" role="alert">"This section could not be found."</p> }.into_any(),
        }
    });
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

/// Unmounts the current section (its effects and animation loops stop).
#[wasm_bindgen]
pub fn unmount_section() {
    let old = MOUNTED.with(|m| m.borrow_mut().take());
    drop(old);
}

fn main() {
    shell::errors::install_panic_hook();
}

// ---- Benchmark entry points -------------------------------------------------------------------

/// A BPE encoder built from a shipped vocabulary file.
#[wasm_bindgen]
pub struct BenchEncoder(Encoding);

#[wasm_bindgen]
impl BenchEncoder {
    /// `pattern`: "r50k", "cl100k" or "o200k".
    #[wasm_bindgen(constructor)]
    pub fn new(vocab: &[u8], pattern: &str) -> Result<BenchEncoder, JsValue> {
        let pattern = match pattern {
            "r50k" => Pattern::R50k,
            "cl100k" => Pattern::Cl100k,
            "o200k" => Pattern::O200k,
            other => return Err(JsValue::from_str(&format!("unknown pattern {other}"))),
        };
        let vocab = Vocab::from_binary(vocab).map_err(|e| JsValue::from_str(&e.to_string()))?;
        Ok(BenchEncoder(Encoding::new(vocab, pattern)))
    }

    /// The token ids of `text`.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.0.encode(text)
    }
}

/// Trains BPE on `corpus` for `merges` merges; returns how many were learned.
#[wasm_bindgen]
pub fn bench_train(corpus: &str, merges: u32) -> u32 {
    match Trainer::new(corpus, 256 + merges as usize) {
        Ok(mut t) => {
            while t.step().is_some() {}
            t.merges().len() as u32
        }
        Err(_) => 0,
    }
}

/// Trains a 2-D GAN on the ring of 8 for `iterations` iterations at GAN Lab's default shape
/// (one hidden layer of `neurons` in G and D, `k_d` D-steps, batch `batch`, SGD at `lr`, or Adam);
/// returns the final iteration count.
#[wasm_bindgen]
pub fn bench_gan(iterations: u32, neurons: u32, batch: u32, k_d: u32, adam: bool, lr: f32) -> u32 {
    use genai_core::gan::{Gan, GanConfig, Preset};
    use genai_core::rng::Rng;
    let data = Preset::Ring.sample(4096, &mut Rng::new(1));
    let cfg = GanConfig {
        g_hidden: vec![neurons as usize],
        d_hidden: vec![neurons as usize],
        batch: batch as usize,
        k_d: k_d as usize,
        adam,
        lr_d: lr,
        lr_g: lr,
        ..GanConfig::default()
    };
    let mut gan = Gan::new(cfg, data);
    for _ in 0..iterations {
        gan.step();
    }
    gan.iteration as u32
}

/// Parses an EMB1 table and runs the map's PCA (2 components) on it; returns the table's row
/// count (0 on a bad table). Timed from the page.
#[wasm_bindgen]
pub fn bench_pca(bytes: &[u8]) -> u32 {
    match genai_core::embed::Table::from_emb1(bytes) {
        Ok(t) => {
            let p = genai_core::embed::pca(&t.data, t.n, t.dim, 2, 60, 1);
            (p.projections.len() / 2) as u32
        }
        Err(_) => 0,
    }
}

/// Trains the 2-D diffusion model of the Diffusion section on the swiss roll until 500 DDIM
/// samples have a median nearest-data distance ≤ `target` (checked every 250 steps, at most
/// `max_steps`); returns [training steps, final median distance].
#[wasm_bindgen]
pub fn bench_diffusion_2d(target: f32, max_steps: u32) -> Vec<f32> {
    use genai_core::diffusion::points::{median_nearest_distance, PointDiffusion};
    use genai_core::diffusion::sampling_times;
    use genai_core::gan::Preset;
    use genai_core::rng::Rng;
    let data = Preset::SwissRoll.sample(2000, &mut Rng::new(1 ^ 0xda7a));
    let mut m = PointDiffusion::points(data, 50, &[64, 64, 64], 3e-3, 128, 1);
    let mut d = f32::NAN;
    while (m.step as u32) < max_steps {
        for _ in 0..250 {
            m.train_step();
        }
        let mut rng = Rng::new(9);
        let mut xs = vec![0.0f32; 1000];
        rng.fill_normal(&mut xs);
        for w in sampling_times(50, 50).windows(2) {
            m.reverse_step(&mut xs, w[0], w[1], false, &mut rng);
        }
        d = median_nearest_distance(&xs, m.data());
        if d <= target {
            break;
        }
    }
    vec![m.step as f32, d]
}

/// Trains the digit denoiser (fresh weights, the shipped settings) for `steps` steps on the digits
/// in `digits_bin` (DIG1); returns the mean loss of the last 50 steps.
#[wasm_bindgen]
pub fn bench_digit_denoiser(digits_bin: &[u8], steps: u32) -> f32 {
    use genai_core::diffusion::{digit_model, Digits};
    let Ok(d) = Digits::from_dig1(digits_bin) else { return f32::NAN };
    let Ok(mut m) = digit_model::model(&d, None, 1) else { return f32::NAN };
    let mut recent = 0.0;
    for k in 0..steps {
        let l = m.train_step();
        if k + 50 >= steps {
            recent += l / 50.0;
        }
    }
    recent
}

// ---- Language model (bench/suites/lm.mjs: our forward against ONNX Runtime Web, same weights) ----

/// The model the LM benchmarks run: weights, a KV cache, a workspace for full passes, and the
/// logits after the last token read through the cache.
struct BenchLm {
    model: genai_core::gpt::Gpt,
    cache: genai_core::gpt::KvCache,
    ws: genai_core::gpt::Workspace,
    logits: Vec<f32>,
}

thread_local! {
    static BENCH_LM: RefCell<Option<BenchLm>> = const { RefCell::new(None) };
}

/// Parses a GPT1 weights file (f32 or bfloat16) and keeps it for the other `bench_lm_*` calls;
/// false when the file is not a model.
#[wasm_bindgen]
pub fn bench_lm_load(weights: &[u8]) -> bool {
    match genai_core::gpt::from_bytes(weights) {
        Ok(model) => {
            let cache = genai_core::gpt::KvCache::new(&model.cfg);
            let lm = BenchLm { model, cache, ws: genai_core::gpt::Workspace::new(), logits: Vec::new() };
            BENCH_LM.with(|s| *s.borrow_mut() = Some(lm));
            true
        }
        Err(_) => false,
    }
}

/// The loaded model's shape: [vocab, ctx, d, layers, heads] (empty when none is loaded).
#[wasm_bindgen]
pub fn bench_lm_shape() -> Vec<u32> {
    BENCH_LM.with(|s| {
        s.borrow()
            .as_ref()
            .map(|lm| {
                let c = lm.model.cfg;
                vec![c.vocab as u32, c.ctx as u32, c.d as u32, c.layers as u32, c.heads as u32]
            })
            .unwrap_or_default()
    })
}

/// Reads a prompt through the KV cache (from empty, one `Gpt::step` per token, as the widget does);
/// returns the logits after its last token and keeps them (and the cache) for `bench_lm_decode`.
#[wasm_bindgen]
pub fn bench_lm_prefill(ids: &[u32]) -> Vec<f32> {
    BENCH_LM.with(|s| match s.borrow_mut().as_mut() {
        Some(lm) => {
            lm.logits = lm.model.prefill(&mut lm.cache, ids);
            lm.logits.clone()
        }
        None => Vec::new(),
    })
}

/// Generates `n` tokens from the state the last `bench_lm_prefill` left: `gpt::sample` from the
/// latest logits (temperature 0 = greedy), then `Gpt::step` with the chosen token, n times (the
/// last step is skipped: its logits would only serve a token n + 1). Stops early when the context
/// is full. Returns the generated ids.
#[wasm_bindgen]
pub fn bench_lm_decode(n: u32, temperature: f32, seed: u32) -> Vec<u32> {
    use genai_core::gpt::{sample, Sampling};
    BENCH_LM.with(|s| match s.borrow_mut().as_mut() {
        Some(lm) if !lm.logits.is_empty() => {
            let settings = Sampling { temperature, ..Sampling::default() };
            let mut rng = genai_core::rng::Rng::new(seed as u64);
            let mut out = Vec::with_capacity(n as usize);
            for k in 0..n {
                let next = sample(&lm.logits, &settings, &mut rng) as u32;
                out.push(next);
                if k + 1 == n || lm.cache.len >= lm.model.cfg.ctx {
                    break;
                }
                lm.model.step(&mut lm.cache, next, &mut lm.logits);
            }
            out
        }
        _ => Vec::new(),
    })
}

/// `bench_lm_prefill(prompt)` then `bench_lm_decode(n, temperature, seed)`: a whole generation.
#[wasm_bindgen]
pub fn bench_lm_generate(prompt: &[u32], n: u32, temperature: f32, seed: u32) -> Vec<u32> {
    if bench_lm_prefill(prompt).is_empty() {
        return Vec::new();
    }
    bench_lm_decode(n, temperature, seed)
}

/// One full forward pass over the T tokens of `ids` (`Workspace::forward`, batch 1: every matrix
/// product over all T positions at once, attention for every position, softmax of every row);
/// returns the next-token probabilities after the last token.
#[wasm_bindgen]
pub fn bench_lm_forward(ids: &[u32]) -> Vec<f32> {
    BENCH_LM.with(|s| match s.borrow_mut().as_mut() {
        Some(lm) if !ids.is_empty() => {
            lm.ws.forward(&lm.model, ids, None, 1, ids.len());
            let v = lm.model.cfg.vocab;
            lm.ws.probs[(ids.len() - 1) * v..ids.len() * v].to_vec()
        }
        _ => Vec::new(),
    })
}

/// Greedy generation without a cache, for comparison with a runtime that has none: `n` full
/// forward passes (`Workspace::forward`) over the growing sequence. Returns the generated ids.
#[wasm_bindgen]
pub fn bench_lm_generate_recompute(prompt: &[u32], n: u32) -> Vec<u32> {
    BENCH_LM.with(|s| match s.borrow_mut().as_mut() {
        Some(lm) if !prompt.is_empty() => {
            let v = lm.model.cfg.vocab;
            let mut ids = prompt.to_vec();
            let mut out = Vec::with_capacity(n as usize);
            for _ in 0..n {
                if ids.len() > lm.model.cfg.ctx {
                    break;
                }
                let t = ids.len();
                lm.ws.forward(&lm.model, &ids, None, 1, t);
                let row = &lm.ws.probs[(t - 1) * v..t * v];
                let next = row.iter().enumerate().fold(0, |b, (i, &p)| if p > row[b] { i } else { b }) as u32;
                out.push(next);
                ids.push(next);
            }
            out
        }
        _ => Vec::new(),
    })
}
