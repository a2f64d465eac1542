//! Large language models: a small GPT trained by this site's own code, generating in the page.

use crate::widgets::lm::LmWidget;
use crate::widgets::lm_embed::LmEmbedWidget;
use crate::widgets::lm_train::LmTrainWidget;
use leptos::prelude::*;

/// One bar of the scale chart: a label, a value, and the value written out.
struct Scale {
    label: &'static str,
    value: f64,
    text: &'static str,
}

const PARAMS: &[Scale] = &[
    Scale { label: "This page's model", value: 1.09e6, text: "≈ 1.1 million" },
    Scale { label: "GPT-2 small (2019)", value: 1.24e8, text: "124 million" },
    Scale { label: "GPT-3 (2020)", value: 1.75e11, text: "175 billion" },
];
const TOKENS: &[Scale] = &[
    Scale { label: "This page's model", value: 6.55e6, text: "≈ 6.6 million (≈ 3.2 million distinct, each seen about twice)" },
    Scale { label: "GPT-3 (2020)", value: 3.0e11, text: "300 billion" },
];

/// Horizontal bars on a log scale from 10⁵ to 10¹², as a list a screen reader reads in order.
fn log_bars(title: &'static str, rows: &'static [Scale]) -> impl IntoView {
    let (lo, hi) = (5.0f64, 12.0f64);
    view! {
        <figure class="scale-chart">
            <figcaption>{title}" (log scale: each grid step is ten times more)"</figcaption>
            <ul>
                {rows.iter().map(|r| {
                    let w = ((r.value.log10() - lo) / (hi - lo) * 100.0).clamp(2.0, 100.0);
                    view! {
                        <li>
                            <span class="scale-label">{r.label}": "</span>
                            <span class="scale-bar" style=format!("width: {w:.1}%") aria-hidden="true"></span>
                            <span class="scale-value">{r.text}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </figure>
    }
}

#[component]
pub fn LlmPage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Large language models"</h1>
            <p class="lede">
                "A large language model does one thing: given the text so far, it gives a probability to every token "
                "that could come next. Pick one, add it to the text, and ask again — that loop, repeated, is all "
                "text generation is."
            </p>
            <p>
                "The model is a transformer. Each token of the prompt becomes a vector (its embedding, plus one for its "
                "position). Blocks of attention and small neural networks then update every vector: attention lets a "
                "token gather information from the tokens before it, never after. At the end, the last token's vector "
                "is compared with every token's embedding, and a softmax turns those scores into probabilities."
            </p>
            <p>
                "Nobody labelled anything to train it. The text itself supplies the answers: at every position the "
                "right next token is simply the one that follows, so a book becomes hundreds of thousands of "
                "practice questions. Trained this way on enough text, a model picks up spelling, grammar, style "
                "and a surprising amount about the world."
            </p>
            <h2>"The model on this page is tiny — and honest about it"</h2>
            <p>
                "The model below has about a million parameters. It was trained by this site's own Rust code for under "
                "an hour on two CPU cores, on Moby Dick and the State of the Union addresses. Its sentences hold "
                "together for a few words and then drift: locally plausible, not sensible. What it does is the same "
                "computation the large models do, at a scale you can inspect number by number."
            </p>
            {log_bars("Parameters", PARAMS)}
            {log_bars("Training tokens", TOKENS)}
            <LmWidget/>
            <aside class="try" aria-labelledby="try-lm">
                <h3 id="try-lm">"Try this"</h3>
                <ul>
                    <li>"Set the temperature near 0 and generate twice with different seeds; then try 1.5."</li>
                    <li>"Lower top-p until only a few bars stay lit, and watch the text become repetitive."</li>
                    <li>"Type a sentence from a modern newspaper and see which tokens surprise the model most."</li>
                    <li>"Pick a generated token and look at which earlier tokens each attention head looked at."</li>
                </ul>
            </aside>
            <h2>"What the model learned about tokens"</h2>
            <p>
                "The model's first layer is a table with one vector per token. Nothing told it what the tokens mean: the "
                "vectors moved during training only because moving them made the next-token guesses better. Tokens "
                "that are used in similar places end up close together."
            </p>
            <LmEmbedWidget/>
            <h2>"Watch a model learn from nothing"</h2>
            <p>
                "Training starts from random numbers, which give every token about the same chance. Each step shows the "
                "model a batch of real text, measures how surprised it was by each actual next token (the loss), and "
                "nudges every weight to be less surprised next time. Below, a much smaller model learns in your "
                "browser; its samples go from noise to word-like text in a minute or two."
            </p>
            <LmTrainWidget/>
        </article>
    }
}
