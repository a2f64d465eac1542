//! Fine-tuning: changing a model's weights with a small, narrow dataset (the first widget of the
//! section; continued pre-training, preference tuning and the comparison table are still to come).

use crate::widgets::finetune::FinetuneWidget;
use leptos::prelude::*;

#[component]
pub fn FinetunePage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Fine-tuning"</h1>
            <p class="lede">
                "Prompts and retrieval change what the model reads. Fine-tuning changes the model: supervised training "
                "goes on, on a small and narrow dataset, and the weights move."
            </p>
            <p>
                "Instruction fine-tuning trains on examples of how to respond — a question and the answer wanted. Done "
                "with new facts, it puts knowledge into the weights that no prompt could supply, at a price: training "
                "time, and the risk that what the model knew before gets worse (forgetting). Full fine-tuning trains every "
                "weight; LoRA (low-rank adaptation) freezes them and trains a small correction for each weight matrix, "
                "two thin matrices whose product has rank r, so far fewer numbers change. Preference tuning from human "
                "feedback (RLHF) comes after: people pick the better of two answers, and the model is pushed toward what "
                "they picked."
            </p>
            <p>
                "Below, the instruction-tuned model of the prompt section is taught facts it has never seen. This section "
                "is still growing: continued pre-training on a narrow domain, preference tuning and a side-by-side "
                "comparison with prompts and retrieval will follow."
            </p>
            <FinetuneWidget/>
        </article>
    }
}
