//! The language model of the LLM section (tokenizer + pretrained weights from `public/lm/`), fetched
//! once when the first widget asks and shared by every widget of the section.

use crate::shell::assets;
use genai_core::gpt::{self, tokenizer::Tokenizer, Gpt};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// The shipped model and its tokenizer.
pub struct Lm {
    pub tokenizer: Tokenizer,
    pub model: Gpt,
    /// Size of the weights file in bytes (what the page downloaded).
    pub weight_bytes: usize,
}

/// Where loading stands.
#[derive(Clone)]
pub enum LmLoad {
    Loading,
    Ready(Rc<Lm>),
    Failed(String),
}

thread_local! {
    static LOADED: RefCell<Option<LmLoad>> = const { RefCell::new(None) };
    static WAITING: RefCell<Vec<RwSignal<LmLoad, LocalStorage>>> = const { RefCell::new(Vec::new()) };
}

/// Checks the two files and builds the model; errors are sentences for the page.
pub fn build(tokenizer: &[u8], weights: &[u8]) -> Result<Lm, String> {
    let tokenizer = Tokenizer::from_binary(tokenizer).map_err(|e| format!("The tokenizer file is damaged ({e}). Reload the page; if it persists, the site's copy is broken."))?;
    let model = gpt::from_bytes(weights).map_err(|e| format!("The model weights are damaged: {e}. Reload the page; if it persists, the site's copy is broken."))?;
    if model.cfg.vocab != tokenizer.vocab_size() {
        return Err(format!("The model weights ({} tokens) do not belong to this tokenizer ({} tokens).", model.cfg.vocab, tokenizer.vocab_size()));
    }
    Ok(Lm { tokenizer, model, weight_bytes: weights.len() })
}

/// A signal that becomes `Ready` (or `Failed`) once the shipped model is loaded; the first call
/// starts the download.
pub fn use_lm() -> RwSignal<LmLoad, LocalStorage> {
    let current = LOADED.with(|l| l.borrow().clone());
    let sig = RwSignal::new_local(current.clone().unwrap_or(LmLoad::Loading));
    match current {
        Some(LmLoad::Loading) => WAITING.with(|w| w.borrow_mut().push(sig)),
        Some(_) => {}
        None => {
            LOADED.with(|l| *l.borrow_mut() = Some(LmLoad::Loading));
            WAITING.with(|w| w.borrow_mut().push(sig));
            leptos::task::spawn_local(async {
                let result = async {
                    let t = assets::fetch_bytes("lm/tokenizer.bpe").await?;
                    let w = assets::fetch_bytes("lm/model.bin").await?;
                    build(&t, &w)
                }
                .await;
                let done = match result {
                    Ok(lm) => LmLoad::Ready(Rc::new(lm)),
                    Err(e) => LmLoad::Failed(e),
                };
                LOADED.with(|l| *l.borrow_mut() = Some(done.clone()));
                for s in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
                    // a widget that has unmounted meanwhile has a disposed signal: skip it
                    let _ = s.try_set(done.clone());
                }
            });
        }
    }
    sig
}
