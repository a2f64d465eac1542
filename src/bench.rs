//! Entry points for the benchmark harness (bench/suites/*.mjs), reached from the page as
//! `window.wasmBindings`: they run the same core code the widgets run, without the UI around it.

use genai_core::bpe::{Encoding, Pattern, Vocab};
use genai_core::bpe_train::Trainer;
use wasm_bindgen::prelude::*;

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
