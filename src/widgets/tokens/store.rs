//! The tokenizers of the Tokens section, loaded lazily and shared by its widgets.

use crate::shell::assets;
use genai_core::bpe::{Encoding, Pattern, Token, Vocab};
use genai_core::query::Choice;
use genai_core::tokenize::{self, WordTokenizer};
use leptos::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// The tokenizers a learner can choose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Kind {
    Gpt2,
    #[default]
    Cl100k,
    O200k,
    Chars,
    Words,
    Trained,
}

impl Choice for Kind {
    const ALL: &'static [Kind] = &[Kind::Gpt2, Kind::Cl100k, Kind::O200k, Kind::Chars, Kind::Words, Kind::Trained];
    fn key(self) -> &'static str {
        match self {
            Kind::Gpt2 => "gpt2",
            Kind::Cl100k => "cl100k",
            Kind::O200k => "o200k",
            Kind::Chars => "chars",
            Kind::Words => "words",
            Kind::Trained => "trained",
        }
    }
}

impl Kind {
    /// The real BPE encodings (not characters, words or the page-trained one).
    pub const REAL: &'static [Kind] = &[Kind::Gpt2, Kind::Cl100k, Kind::O200k];

    pub fn title(self) -> &'static str {
        match self {
            Kind::Gpt2 => "GPT-2 (r50k_base, 50,256 tokens)",
            Kind::Cl100k => "GPT-3.5 / GPT-4 (cl100k_base, 100,256 tokens)",
            Kind::O200k => "GPT-4o (o200k_base, 199,998 tokens)",
            Kind::Chars => "Characters (one token per character)",
            Kind::Words => "Words and punctuation",
            Kind::Trained => "BPE trained on this page",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Kind::Gpt2 => "GPT-2",
            Kind::Cl100k => "cl100k",
            Kind::O200k => "o200k",
            Kind::Chars => "Characters",
            Kind::Words => "Words",
            Kind::Trained => "Trained here",
        }
    }

    /// The vocabulary file under public/tokens/ and its pre-tokenizer.
    fn file(self) -> Option<(&'static str, Pattern, &'static str)> {
        match self {
            Kind::Gpt2 => Some(("tokens/r50k.bpe", Pattern::R50k, "421 KB")),
            Kind::Cl100k => Some(("tokens/cl100k.bpe", Pattern::Cl100k, "844 KB")),
            Kind::O200k => Some(("tokens/o200k.bpe", Pattern::O200k, "1.8 MB")),
            _ => None,
        }
    }
}

/// The state of a lazily loaded encoding.
#[derive(Clone, Debug)]
pub enum Loaded {
    Loading(&'static str),
    Ready(Arc<Encoding>),
    Failed(String),
}

/// Shared tokenizers: real vocabularies (fetched once) and the one trained on this page.
#[derive(Clone, Copy)]
pub struct Store {
    encodings: RwSignal<HashMap<Kind, Loaded>>,
}

impl Store {
    /// The section's store, created on first use (also in embed mode).
    pub fn use_store() -> Store {
        use_context::<Store>().unwrap_or_else(|| {
            let s = Store { encodings: RwSignal::new(HashMap::new()) };
            provide_context(s);
            s
        })
    }

    /// Starts loading `kind`'s vocabulary if it is a real encoding not yet requested.
    pub fn ensure(&self, kind: Kind) {
        let Some((file, pattern, size)) = kind.file() else { return };
        if self.encodings.with_untracked(|m| m.contains_key(&kind)) {
            return;
        }
        self.encodings.update(|m| {
            m.insert(kind, Loaded::Loading(size));
        });
        let encodings = self.encodings;
        leptos::task::spawn_local(async move {
            let loaded = match assets::fetch_bytes(file).await {
                Ok(bytes) => match Vocab::from_binary(&bytes) {
                    Ok(v) => Loaded::Ready(Arc::new(Encoding::new(v, pattern))),
                    Err(e) => Loaded::Failed(format!("The {} vocabulary is damaged ({e}).", kind.short())),
                },
                Err(e) => Loaded::Failed(e),
            };
            encodings.update(|m| {
                m.insert(kind, loaded);
            });
        });
    }

    /// The encoding of `kind`, tracked.
    pub fn get(&self, kind: Kind) -> Option<Loaded> {
        self.encodings.with(|m| m.get(&kind).cloned())
    }

    /// Makes `enc` the "trained here" tokenizer.
    pub fn set_trained(&self, enc: Arc<Encoding>) {
        self.encodings.update(|m| {
            m.insert(Kind::Trained, Loaded::Ready(enc));
        });
    }
}

/// A tokenization, or why there is none yet.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Ready(Arc<Vec<Token>>),
    Waiting(String),
    Failed(String),
}

/// Tokenizes `text` with `kind` (tracked: re-runs when the vocabulary arrives).
pub fn tokenize(store: Store, kind: Kind, text: &str) -> Outcome {
    match kind {
        Kind::Chars => Outcome::Ready(Arc::new(tokenize::chars(text))),
        Kind::Words => Outcome::Ready(Arc::new(WordTokenizer::new().encode(text))),
        Kind::Trained => match store.get(kind) {
            Some(Loaded::Ready(enc)) => Outcome::Ready(Arc::new(enc.encode_spans(text))),
            _ => Outcome::Waiting("No tokenizer has been trained on this page yet: train one below, then come back.".into()),
        },
        _ => {
            // The widget asks the store to load (`Store::ensure`) in an effect; here we only read.
            match store.get(kind) {
                Some(Loaded::Ready(enc)) => Outcome::Ready(Arc::new(enc.encode_spans(text))),
                Some(Loaded::Failed(e)) => Outcome::Failed(e),
                Some(Loaded::Loading(size)) => {
                    Outcome::Waiting(format!("Loading the {} vocabulary ({size})…", kind.short()))
                }
                None => Outcome::Waiting(format!("Loading the {} vocabulary…", kind.short())),
            }
        }
    }
}

/// Texts longer than this (in bytes) are tokenized a slice at a time, yielding to the browser
/// between slices, so the page keeps responding and can show progress.
const SLICED_ABOVE: usize = 100_000;
/// Pre-tokens encoded per slice.
const SLICE: usize = 20_000;

/// The tokenization of `text` with `kind` as a signal that follows both (and the vocabulary's
/// arrival). Long texts are encoded in slices with progress; a newer text cancels the old job.
pub fn use_tokenization(store: Store, kind: Signal<Kind>, text: Signal<String>, active: Signal<bool>) -> Signal<Outcome> {
    let out = RwSignal::new(Outcome::Waiting(String::new()));
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (k, t, on) = (kind.get(), text.get(), active.get());
        job.update_value(|j| *j += 1);
        let mine = job.get_value();
        if !on {
            out.set(Outcome::Waiting(String::new()));
            return;
        }
        let enc = match (k, store.get(k)) {
            (Kind::Chars | Kind::Words, _) | (_, None) | (_, Some(Loaded::Loading(_))) | (_, Some(Loaded::Failed(_))) => {
                out.set(tokenize(store, k, &t));
                return;
            }
            (_, Some(Loaded::Ready(enc))) => enc,
        };
        if t.len() <= SLICED_ABOVE {
            out.set(Outcome::Ready(Arc::new(enc.encode_spans(&t))));
            return;
        }
        let size = format!("{:.1} MB", t.len() as f64 / 1e6);
        out.set(Outcome::Waiting(format!("Tokenizing {size}… 0%")));
        leptos::task::spawn_local(async move {
            crate::shell::dom::yield_to_browser().await;
            let pieces = enc.splitter.split(&t);
            let mut tokens = Vec::with_capacity(pieces.len() + pieces.len() / 4);
            let n = pieces.len().max(1);
            for (i, chunk) in pieces.chunks(SLICE).enumerate() {
                if job.try_get_value() != Some(mine) {
                    return; // superseded by newer text, or the widget is gone
                }
                enc.encode_spans_of(&t, chunk, &mut tokens);
                let pct = ((i + 1) * SLICE).min(n) * 100 / n;
                out.try_set(Outcome::Waiting(format!("Tokenizing {size}… {pct}%")));
                crate::shell::dom::yield_to_browser().await;
            }
            if job.try_get_value() == Some(mine) {
                out.try_set(Outcome::Ready(Arc::new(tokens)));
            }
        });
    });
    out.into()
}

/// Decodes a list of ids typed by the learner with `kind`; `text` supplies the word table of the
/// words tokenizer. The error is a sentence.
pub fn decode(store: Store, kind: Kind, text: &str, ids: &[u32]) -> Result<String, String> {
    match kind {
        Kind::Chars => tokenize::decode_chars(ids)
            .map_err(|i| format!("id {} (number {}) is not a Unicode character.", ids[i], i + 1)),
        Kind::Words => {
            let mut w = WordTokenizer::new();
            w.encode(text);
            w.decode(ids).map_err(|i| {
                format!("id {} (number {}) is not among the {} words of the current text.", ids[i], i + 1, w.len())
            })
        }
        _ => match store.get(kind) {
            Some(Loaded::Ready(enc)) => enc.decode_bytes(ids).map_err(|e| format!("{e}.")).map(|b| {
                String::from_utf8(b.clone()).unwrap_or_else(|_| {
                    format!("{} (the ids cut a character in the middle: � marks the broken bytes)", String::from_utf8_lossy(&b))
                })
            }),
            _ => Err("This tokenizer is not loaded yet.".into()),
        },
    }
}

/// Parses "464, 3290 [11]" into ids; the error names the first thing that is not a number.
pub fn parse_ids(input: &str) -> Result<Vec<u32>, String> {
    input
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | ';'))
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<u32>().map_err(|_| {
                let shown: String = s.chars().take(20).collect();
                format!("“{shown}” is not a token id: ids are whole numbers from 0 up.")
            })
        })
        .collect()
}
