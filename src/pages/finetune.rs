//! Fine-tuning: changing a model's weights after pre-training — continued pre-training on one
//! domain, instruction fine-tuning of new facts, preference tuning (RLHF by DPO) — and how that
//! compares with prompts and retrieval, which leave the weights alone.

use crate::widgets::compare::CompareWidget;
use crate::widgets::domain::DomainWidget;
use crate::widgets::finetune::FinetuneWidget;
use crate::widgets::preference::PreferenceWidget;
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
                "The three widgets below follow the order of a model's life after pre-training. First, continued "
                "pre-training: the same next-token objective, no labels, but only one narrow kind of text. Then "
                "instruction fine-tuning, which teaches the instruction-tuned model of the prompt section facts it has "
                "never seen. Last, preference tuning, the feedback loop of the "
                <a href="?page=lifecycle">"foundation-model lifecycle"</a>
                ": the deployed model writes answers, someone says which of two is better, the model is tuned toward the "
                "choices and then evaluated again on prompts it has not seen. All three train the real model in your "
                "browser; every trained state can be stopped and reset to the shipped one."
            </p>
            <h2>"Continued pre-training"</h2>
            <DomainWidget/>
            <h2>"Instruction fine-tuning of new facts"</h2>
            <FinetuneWidget/>
            <h2>"Preference tuning: the feedback loop"</h2>
            <p>
                "Reinforcement learning from human feedback (Ouyang et al., 2022) first fits a reward model to people's "
                "choices and then trains the language model against it with a penalty for drifting from the original. "
                "Direct preference optimisation (DPO, Rafailov et al., 2023), used here, reaches the same goal without the "
                "reward model: it raises the probability of the chosen answer relative to the rejected one, each measured "
                "against the frozen original, and the strength β of that anchor plays the part of the KL penalty. The "
                "model is tiny and its answers are rough; what to watch is the direction in which fresh samples move."
            </p>
            <PreferenceWidget/>
            <h2>"Prompt, retrieval or fine-tuning?"</h2>
            <p>
                "Prompt engineering and retrieval change only what the model reads, so they cost tokens at every answer "
                "and nothing beforehand; fine-tuning costs training up front and changes the weights, after which the "
                "answers are short. Measured on the same questions:"
            </p>
            <CompareWidget/>
        </article>
    }
}
