//! The language models (tokenizer + weights from `public/lm/`: the pretrained base model and its
//! instruction-tuned version), each fetched once when the first widget asks and shared by every widget.

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

/// One model's download: its result once known, and the widgets waiting for it meanwhile.
#[derive(Default)]
struct Slot {
    loaded: RefCell<Option<LmLoad>>,
    waiting: RefCell<Vec<RwSignal<LmLoad, LocalStorage>>>,
}

thread_local! {
    static BASE: Slot = Slot::default();
    static INSTRUCT: Slot = Slot::default();
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

/// A signal that becomes `Ready` (or `Failed`) once the shipped base model is loaded; the first
/// call starts the download.
pub fn use_lm() -> RwSignal<LmLoad, LocalStorage> {
    use_model(&BASE, "lm/model.bin")
}

/// The same for the instruction-tuned model (tools/lm/instruct.rs: the base model fine-tuned to
/// follow four-part prompts), which shares the base model's tokenizer.
pub fn use_instruct() -> RwSignal<LmLoad, LocalStorage> {
    use_model(&INSTRUCT, "lm/instruct.bin")
}

fn use_model(slot: &'static std::thread::LocalKey<Slot>, weights: &'static str) -> RwSignal<LmLoad, LocalStorage> {
    let current = slot.with(|s| s.loaded.borrow().clone());
    let sig = RwSignal::new_local(current.clone().unwrap_or(LmLoad::Loading));
    match current {
        Some(LmLoad::Loading) => slot.with(|s| s.waiting.borrow_mut().push(sig)),
        Some(_) => {}
        None => {
            slot.with(|s| {
                *s.loaded.borrow_mut() = Some(LmLoad::Loading);
                s.waiting.borrow_mut().push(sig);
            });
            leptos::task::spawn_local(async move {
                let result = async {
                    let t = assets::fetch_bytes("lm/tokenizer.bpe").await?;
                    let w = assets::fetch_bytes(weights).await?;
                    build(&t, &w)
                }
                .await;
                let done = match result {
                    Ok(lm) => LmLoad::Ready(Rc::new(lm)),
                    Err(e) => LmLoad::Failed(e),
                };
                let waiting = slot.with(|s| {
                    *s.loaded.borrow_mut() = Some(done.clone());
                    std::mem::take(&mut *s.waiting.borrow_mut())
                });
                for s in waiting {
                    // a widget that has unmounted meanwhile has a disposed signal: skip it
                    let _ = s.try_set(done.clone());
                }
            });
        }
    }
    sig
}

/// One held-out example of `public/lm/instruct-eval.json` (written by tools/lm/instruct.rs from the
/// validation addresses and the end of Moby Dick, never trained on).
#[derive(Clone, Debug, PartialEq)]
pub struct EvalRow {
    pub task: String,
    pub instruction: String,
    pub docs: Vec<String>,
    pub input: String,
    pub answer: String,
}

impl EvalRow {
    /// The example's four-part prompt as the tuning script built it (documents only when it has some).
    pub fn prompt(&self) -> genai_core::gpt::prompt::Prompt {
        genai_core::gpt::prompt::Prompt {
            instruction: (!self.instruction.is_empty()).then(|| self.instruction.clone()),
            context: (!self.docs.is_empty()).then(|| self.docs.clone()),
            input: Some(self.input.clone()),
            output: Some(String::new()),
        }
    }
}

thread_local! {
    static EVAL: RefCell<Option<Rc<Vec<EvalRow>>>> = const { RefCell::new(None) };
}

/// The held-out examples (fetched once); the error is a sentence for the page.
pub async fn load_eval() -> Result<Rc<Vec<EvalRow>>, String> {
    if let Some(rows) = EVAL.with(|e| e.borrow().clone()) {
        return Ok(rows);
    }
    let text = assets::fetch_text("lm/instruct-eval.json").await?;
    let rows = parse_eval(&text)?;
    let rows = Rc::new(rows);
    EVAL.with(|e| *e.borrow_mut() = Some(rows.clone()));
    Ok(rows)
}

fn parse_eval(text: &str) -> Result<Vec<EvalRow>, String> {
    use crate::shell::assets::{js_get, js_strings};
    let damaged = |why: &str| format!("The held-out examples (lm/instruct-eval.json) are damaged: {why}. Reload the page; if it persists, the site's copy is broken.");
    let v = js_sys::JSON::parse(text).map_err(|_| damaged("not valid JSON"))?;
    if !js_sys::Array::is_array(&v) {
        return Err(damaged("not a list"));
    }
    let rows: Vec<EvalRow> = js_sys::Array::from(&v)
        .iter()
        .map(|r| {
            let s = |k: &str| js_get(&r, k).as_string().unwrap_or_default();
            EvalRow { task: s("task"), instruction: s("instruction"), docs: js_strings(&js_get(&r, "docs")), input: s("input"), answer: s("answer") }
        })
        .collect();
    if rows.is_empty() || rows.iter().any(|r| r.task.is_empty() || r.answer.is_empty()) {
        return Err(damaged("rows without a task or an answer"));
    }
    Ok(rows)
}
