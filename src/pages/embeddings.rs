//! Embeddings: words as vectors.

use crate::widgets::embeddings::EmbeddingsWidget;
use leptos::prelude::*;

#[component]
pub fn EmbeddingsPage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Embeddings"</h1>
            <p class="lede">
                "A model cannot do arithmetic on the letters c-a-t. It first turns every token into a long list of "
                "numbers — a vector — and works with those. Nobody writes these numbers by hand: they are learned "
                "during training, and they end up arranged so that words used in similar ways get similar vectors."
            </p>
            <p>
                "Similar here means pointing in nearly the same direction, measured by the cosine of the angle between "
                "two vectors: 1 for the same direction, 0 for unrelated. In the model used below, “cat” sits closer to "
                "“kitten” and “feline” than to “car”, although nobody told it what any of these words mean."
            </p>
            <p>
                "The vectors here come from a real model, all-MiniLM-L6-v2, which gives every piece of text 384 numbers. "
                "A screen has two dimensions, so the map squeezes 384 into 2 — and loses most of the picture on the way. "
                "The neighbour lists are always computed in the full 384 dimensions; the map is only a sketch of them."
            </p>
            <EmbeddingsWidget/>
            <aside class="try" aria-labelledby="try-emb">
                <h3 id="try-emb">"Try this"</h3>
                <ul>
                    <li>"Search “cat”, then click “car”: the neighbour lists change completely, though the two words differ by one letter."</li>
                    <li>"Switch to t-SNE and run it: groups such as numbers or colours gather into islands that PCA smears together. Then pause and compare how many true neighbours each map keeps."</li>
                    <li>"Try paris − france + italy, or walked − walk + swim. Look for the misses too."</li>
                    <li>"In the senses plot, compare “bank” (river or money) with “drink” (noun or verb)."</li>
                </ul>
            </aside>
            <p class="honesty">
                "About this widget: the vectors are the real model's output for 5,000 single words and about a hundred "
                "sentences, computed offline by a script in this repository and shipped with the page (8-bit numbers, which "
                "move cosines by at most about 0.004). Everything else — neighbours, arithmetic, PCA, t-SNE and the "
                "neighbour counts — is computed in your browser. A word outside the table cannot be looked up here, because "
                "running the model itself in the page is not part of this toy."
            </p>
        </article>
    }
}
