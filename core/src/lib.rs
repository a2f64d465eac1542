//! # genai-core — the pure model core of GenAI Explorables
//!
//! Maths and algorithms only: no leptos, no web-sys, no wasm-bindgen. Everything here runs and is
//! tested natively with `cargo test -p genai-core`; the app crate wraps it in widgets.
//!
//! - [`bpe`]: byte-level BPE tokenizers (r50k, cl100k, o200k) and a BPE trainer.
//! - [`nn`]: dense layers, activations, losses, SGD and Adam — the shared neural-network core.
//! - [`query`]: the typed URL-state codec every widget uses (parse, validate, fall back with a notice).
//! - [`lesson`]: lesson links (`<id>.hide=…`, `<id>.lock=…`): control keys and the lists' codec.
//! - [`lifecycle`]: the foundation-model lifecycle as a directed graph with a feedback loop.
//! - [`geom`]: small plane-geometry helpers for diagrams (layouts, Bézier curves, hit tests).

pub mod bpe;
pub mod bpe_train;
pub mod clip;
pub mod diffusion;
pub mod embed;
pub mod families;
pub mod gan;
pub mod geom;
pub mod gpt;
pub mod pretokenize;
#[rustfmt::skip]
pub mod unicode_tables;
pub mod lesson;
pub mod lifecycle;
pub mod nn;
pub mod query;
pub mod rag;
pub mod rng;
pub mod simd;
pub mod tokenize;
pub mod tsne;
pub mod vae;
