//! Predict-then-reveal: the learner commits to a guess, then sees the answer computed live.

use super::dom::parent;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// A multiple-choice checkpoint. `answer` computes the correct option index and an explanation at
/// reveal time (from the live model), or `None` while its data is still loading.
#[component]
pub fn Checkpoint(
    /// A unique id for the radio group.
    id: &'static str,
    #[prop(into)] question: String,
    options: Vec<String>,
    answer: Callback<(), Option<(usize, String)>>,
    /// What to say while `answer` has nothing yet.
    #[prop(into, default = "The data is still loading; try again in a moment.".to_owned())]
    waiting_text: String,
) -> impl IntoView {
    let guess = RwSignal::new(None::<usize>);
    let revealed = RwSignal::new(None::<(usize, String)>);
    let waiting = RwSignal::new(false);
    let question_text = question.clone();
    let option_texts = options.clone();
    let reveal = move |_| match answer.run(()) {
        Some(a) => {
            waiting.set(false);
            // In an embed, the course page around it hears of the answer (README: messages).
            if let Some(g) = guess.get_untracked() {
                parent::post("checkpoint", &[
                    ("question", JsValue::from_str(id)),
                    ("questionText", JsValue::from_str(&question_text)),
                    ("answer", JsValue::from_f64(g as f64)),
                    ("answerText", JsValue::from_str(&option_texts[g])),
                    ("correct", JsValue::from_bool(g == a.0)),
                ]);
            }
            revealed.set(Some(a));
        }
        None => waiting.set(true),
    };
    let legend_id = format!("{id}-q");
    view! {
        <fieldset class="checkpoint" data-lesson-group="Predict, then reveal">
            <legend id=legend_id>"Predict, then reveal: " {question}</legend>
            <div class="checkpoint-options">
                {options.into_iter().enumerate().map(|(i, label)| {
                    let input_id = format!("{id}-opt-{i}");
                    let for_id = input_id.clone();
                    view! {
                        <label for=for_id class="checkpoint-option"
                            class:is-right=move || revealed.with(|r| r.as_ref().is_some_and(|(a, _)| *a == i))
                            class:is-wrong=move || revealed.with(|r| r.as_ref().is_some_and(|(a, _)| *a != i)) && guess.get() == Some(i)>
                            <input type="radio" id=input_id name=id on:change=move |_| guess.set(Some(i))
                                prop:disabled=move || revealed.with(Option::is_some)/>
                            " " {label}
                        </label>
                    }
                }).collect_view()}
            </div>
            <button type="button" class="btn" on:click=reveal prop:disabled=move || guess.get().is_none() || revealed.with(Option::is_some)>
                "Reveal the answer"
            </button>
            <p class="checkpoint-result" role="status">
                {move || match (revealed.get(), guess.get()) {
                    (Some((a, why)), Some(g)) => format!("{} {why}", if a == g { "Right." } else { "Not quite." }),
                    _ if waiting.get() => waiting_text.clone(),
                    (None, None) => "Choose an answer first.".to_owned(),
                    _ => String::new(),
                }}
            </p>
        </fieldset>
    }
}
