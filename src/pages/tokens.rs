//! Tokens: what a model actually reads.

use crate::shell::checkpoint::Checkpoint;
use crate::widgets::tokens::merges::MergesWidget;
use crate::widgets::tokens::store::{Kind, Loaded, Store};
use crate::widgets::tokens::tokenizer::TokenizerWidget;
use crate::widgets::tokens::train::TrainWidget;
use leptos::prelude::*;

const JAPANESE: &str = "今日はとても良い天気ですね。散歩に行きましょう。";

#[component]
pub fn TokensPage() -> impl IntoView {
    let store = Store::use_store();
    Effect::new(move |_| {
        store.ensure(Kind::Gpt2);
        store.ensure(Kind::O200k);
    });
    let answer = Callback::new(move |()| {
        let count = |k: Kind| match store.get(k) {
            Some(Loaded::Ready(e)) => Some(e.encode(JAPANESE).len()),
            _ => None,
        };
        let (g, o) = (count(Kind::Gpt2)?, count(Kind::O200k)?);
        let chars = JAPANESE.chars().count();
        let best = if o < g { 1 } else if g < o { 0 } else { 2 };
        Some((best, format!(
            "Counted just now: GPT-2 needs {g} tokens for these {chars} characters, GPT-4o's o200k needs {o}. \
             GPT-2's vocabulary was learned mostly from English web text, so Japanese falls apart into single bytes; \
             o200k was trained on far more languages and has whole Japanese words as tokens."
        )))
    });
    view! {
        <article class="page">
            <h1 tabindex="-1">"Tokens"</h1>
            <p class="lede">
                "A language model never sees letters or words. It sees tokens: a fixed menu of pieces — whole words, "
                "parts of words, single characters, punctuation, even single bytes — each with a number. Text goes in "
                "as a list of those numbers, and comes out the same way."
            </p>
            <p>
                "Why pieces and not words? A menu of whole words could never be complete: new names, typos, other "
                "languages and emoji would all be unknown. A menu of single characters is complete but makes every "
                "text very long. Byte-pair encoding (BPE) sits between the two: it starts from the 256 possible "
                "bytes, so nothing is ever unknown, and adds the pieces that occur most often in its training text, "
                "so common words become a single token. Tokens also standardise the input: whatever arrives, the "
                "model gets a list of whole numbers from one fixed vocabulary."
            </p>
            <p>
                "The tokenizers below are the real ones of GPT-2, GPT-3.5/4 and GPT-4o, with their real vocabularies, "
                "running in your browser; the ids are the ones those models receive."
            </p>
            <TokenizerWidget/>
            <aside class="try" aria-labelledby="try-tokens">
                <h3 id="try-tokens">"Try this"</h3>
                <ul>
                    <li>"Type " <code>"hello"</code> " and " <code>" hello"</code> " (with a space first): different tokens, different ids. The space belongs to the word that follows it."</li>
                    <li>"Turn on " <em>"Compare"</em> " and paste a sentence in another language: which tokenizer needs fewer tokens, and why?"</li>
                    <li>"Type a long number: GPT-2 cuts it anywhere, cl100k and o200k cut digits into groups of at most three."</li>
                    <li>"Open " <em>"Labels for free"</em> ": every token of your text is the answer to a training question, with no human labelling."</li>
                </ul>
            </aside>
            <Checkpoint
                id="cp-japanese"
                question=format!("for the Japanese sentence “{JAPANESE}”, which tokenizer needs fewer tokens?")
                options=vec!["GPT-2 (r50k_base)".to_owned(), "GPT-4o (o200k_base)".to_owned(), "Both the same".to_owned()]
                answer=answer
            />
            <h2>"How a word becomes tokens"</h2>
            <p>
                "Encoding a word replays what the tokenizer learned: start from the word's bytes and keep joining the "
                "adjacent pair that was learned earliest (lowest rank) until no learned pair is left. Step through it."
            </p>
            <MergesWidget/>
            <h2>"How a tokenizer is learned"</h2>
            <p>
                "Learning is the same idea run forwards: count every adjacent pair of tokens in a big text, make the "
                "most frequent pair a new token, and repeat until the vocabulary has the size you want. Train one on "
                "Moby Dick or on your own text, then use it in the tokenizer at the top of the page."
            </p>
            <TrainWidget/>
            <p class="honesty">
                "About these widgets: the three OpenAI tokenizers are exact — our Rust implementation gives the same ids "
                "as OpenAI's reference tokenizer, checked on all of Moby Dick and thousands of test strings. The "
                "character and word tokenizers and the tokenizer trained here are toys for comparison: the word "
                "tokenizer numbers words as it first meets them, and a few thousand merges learned from one novel are "
                "far from a production vocabulary."
            </p>
        </article>
    }
}
