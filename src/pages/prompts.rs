//! Optimising a model's output without touching its weights: prompt engineering and
//! retrieval-augmented generation, both on the language-model section's small GPT.

use crate::widgets::prompt::PromptWidget;
use crate::widgets::rag::RagWidget;
use crate::widgets::tasks::TasksWidget;
use leptos::prelude::*;

#[component]
pub fn PromptsPage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Prompt engineering and retrieval"</h1>
            <p class="lede">
                "A foundation model is trained once, on broad data, and then put to many tasks: answering questions, "
                "pulling facts out of text, sorting passages into classes, continuing a story. The old way needed one "
                "model per task. Here the same weights do all of them — what changes is the prompt."
            </p>
            <p>
                "Two ways to get better answers leave the weights exactly as they are. "
                <strong>"Prompt engineering"</strong>" rewrites the request: an instruction that says what to do, context "
                "the answer can be taken from, the input data itself, and an output indicator that marks where the "
                "answer begins. It is the quickest and cheapest lever — each try costs one run of the model. "
                <strong>"Retrieval-augmented generation"</strong>" (RAG) fills the context automatically: it searches a "
                "collection of documents for the passages most related to the question and puts the best few in front "
                "of it, so the model can answer from text it was never trained on."
            </p>
            <p>
                "The model is the one of the language-model section (about a million parameters), plus a copy of it "
                "fine-tuned to read four-part prompts, on examples built from the same public-domain texts: questions "
                "about State of the Union addresses answered from documents, passages to classify, years to find, text to "
                "continue. It is a toy — it copies and classifies, it does not reason — and every number below is "
                "computed in your browser on examples neither model saw in training. Even with the right document in "
                "front of it, it often names the wrong president: its small tokenizer spells most names and every year "
                "a letter or two at a time, and matching such strings across a prompt is hard for four small layers. "
                "Classifying passages and picking a year out of a sentence go far better."
            </p>
            <h2>"One model, many tasks"</h2>
            <p>
                "Each row is a different job, and each job is only a different prompt to the same weights. The base "
                "model shows what pre-training alone gives: it continues text, but it was never taught what an "
                "instruction or a question asks for."
            </p>
            <TasksWidget/>
            <h2>"The four parts of a prompt"</h2>
            <p>
                "Switch parts off and watch what each is worth. The base model never saw the markers that separate the "
                "parts, so it mostly rambles on; the tuned model learned the layout, and without the documents it can "
                "only guess."
            </p>
            <PromptWidget/>
            <h2>"Retrieval-augmented generation"</h2>
            <p>
                "Retrieval turns the question into a search: every passage of the collection gets a score, the top few "
                "become the context, and the model answers from them. Nothing about the model changes — the checksum of "
                "its weights below stays the same — which is also the weakness: if the search brings back the wrong "
                "passage, the model reads it just as faithfully."
            </p>
            <RagWidget/>
            <p>
                "Try the buttons. A quote is easy to find: its rarer words occur almost nowhere else, so BM25 puts the "
                "right passage first. A year is not: every chunk of an address carries its year in the header, so within "
                "the collection a year is about as common as “gave” or “address”, and passages full of those words can "
                "win. The word-vector retriever does not see years at all — none is among its 5,000 words — nor any "
                "other word outside that table. Whatever comes back, the model reads; the note under a failed search "
                "says what it made of it this time."
            </p>
        </article>
    }
}
