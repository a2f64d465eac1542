//! Foundation models: what they are and the lifecycle they live in.

use crate::widgets::lifecycle::LifecycleWidget;
use leptos::prelude::*;

#[component]
pub fn LifecyclePage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Foundation models"</h1>
            <p class="lede">
                "Classic machine learning builds one model per job. You want a spam filter: you label thousands of "
                "emails and train a spam model. You want a translator: you gather different labelled examples and train "
                "a second model from nothing. A foundation model turns this around."
            </p>
            <p>
                "It is trained once, on an enormous amount of unlabelled data from many sources, and then adapted to many "
                "jobs: writing and summarising text, pulling facts out of documents, answering questions, holding a "
                "conversation, making images. It can also serve as the starting point for a narrower, specialised model. "
                "The expensive part — the broad training — is shared by everything built on top."
            </p>
            <p>
                "Why did this only arrive recently? Training such a model takes a large team, a great deal of compute and "
                "the nerve to invest in an idea before it pays off. The organisations that made that bet produced the "
                "models that most generative AI now rests on."
            </p>

            <h2>"A life in six stages, and a loop"</h2>
            <p>
                "A foundation model is never really finished. It moves through six stages, and the last one — listening "
                "to how it does in use — sends it back round. Choose a stage in the diagram or the list, or play the tour."
            </p>
            <LifecycleWidget/>
            <p>
                "The feedback loop is something you can run on a real model: the "
                <a href="?page=finetune">"Fine-tuning section"</a>
                " continues a model's pre-training on one domain, fine-tunes it on new facts, and tunes it toward the "
                "better of two answers picked by you or by a stated rater — then evaluates it again."
            </p>
            <aside class="try" aria-labelledby="try-title">
                <h3 id="try-title">"Try this"</h3>
                <ul>
                    <li>"Select " <em>"Feedback"</em> " and switch the loop between its three choices. Which stage does the model go back to each time, and how many steps does one lap take?"</li>
                    <li>"Open " <em>"Optimization"</em> ": which of its three levers changes the model's weights, and which leave them alone?"</li>
                    <li>"Open " <em>"Share / embed"</em> " and copy the link: it opens on the stage and loop you chose."</li>
                </ul>
            </aside>
            <p class="honesty">
                "About this widget: it is a map, not a simulation. It computes the walk around the loop and draws it; "
                "the sections that follow run the real algorithms — tokenizers, embeddings, diffusion, GANs — in your browser."
            </p>
        </article>
    }
}
