//! Multimodal models: pictures and words learned into one space by a contrastive model trained in
//! the page, then used to search, caption and classify.

use crate::widgets::multimodal::ClipTrainWidget;
use crate::widgets::multimodal_generate::GenerateWidget;
use crate::widgets::multimodal_use::ClipUseWidget;
use leptos::prelude::*;

#[component]
pub fn MultimodalPage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Multimodal models"</h1>
            <p class="lede">
                "Most models in this course read one kind of data: text, or images. A multimodal model handles several at "
                "once — it can look at a picture and read a question about it, or take a sentence and draw what it says — "
                "because it has learned how the kinds relate."
            </p>
            <p>
                "A common first step is to give both kinds a shared space. One network (the image encoder) turns a picture "
                "into a list of numbers; another (the text encoder) turns a caption into a list of the same length. Training "
                "shows the pair of networks many pictures with their captions and rewards them when a picture's vector points "
                "the same way as its own caption's and away from everyone else's in the batch. This is contrastive learning; "
                "OpenAI's CLIP (2021) did it with 400 million picture–caption pairs from the web, and its space now steers "
                "image generators, searches photo libraries and classifies pictures into labels nobody trained it on."
            </p>
            <p>
                "Below, the same recipe runs at toy scale in your browser: 1,036 small pixel-art icons, each with its file "
                "name as the caption (“arrow left”, “battery charging”). The text side borrows a real sentence model's word "
                "vectors, frozen, and learns only a projection of them — a shortcut called locked-image or locked-text "
                "tuning (LiT) — while the image side learns from scratch. About a fifth of the icons are held out, so you "
                "can see whether the space works for pictures it never saw."
            </p>
            <h2>"Training: pulling pairs together"</h2>
            <p>
                "For a batch of n pairs the model computes every icon–caption cosine, an n × n table, multiplies it by a "
                "learned scale (the inverse of a temperature) and asks, for each row, “which caption is this icon's?” and, for "
                "each column, “which icon is this caption's?” — two n-way multiple-choice questions scored by cross-entropy. "
                "That symmetric loss is called InfoNCE. A model that guesses scores ln n; a perfect one scores 0."
            </p>
            <ClipTrainWidget/>
            <aside class="try" aria-labelledby="try-clip">
                <h3 id="try-clip">"Try this"</h3>
                <ul>
                    <li>"Press Train and watch the similarity matrix: within a few hundred steps its diagonal stands out."</li>
                    <li>"Compare held-out recall with the grey chance line: the model places icons it never saw near the right words."</li>
                    <li>"Set the batch to 16, Reset and train: each step asks an easier question (16 choices, not 64). Does held-out recall rise as fast?"</li>
                    <li>"Choose learning rate 1 and train: watch what happens to the loss, then go back to 0.002."</li>
                </ul>
            </aside>
            <h2>"Using the space"</h2>
            <p>
                "Once pictures and words share a space, one operation — find the nearest vectors — does several jobs. Words "
                "in, pictures out: search. A picture in, captions out: captioning by retrieval. A picture and a list of labels "
                "you make up: zero-shot classification, where the label whose vector is nearest wins and a softmax over the "
                "scaled cosines turns the scores into probabilities. Real systems add a generator on top — a diffusion model "
                "that draws what a text vector describes, or a language model that writes a caption from an image vector; "
                "in the widget just below, the answers are always chosen from what exists; the last widget on this page draws new pictures."
            </p>
            <ClipUseWidget/>
            <aside class="try" aria-labelledby="try-clip-use">
                <h3 id="try-clip-use">"Try this"</h3>
                <ul>
                    <li>"Search for a word no icon is named after, such as “weather” or “money”: the frozen word vectors still know what it is near."</li>
                    <li>"Pick a held-out icon and read its nearest captions: right, near-miss, or wrong?"</li>
                    <li>"Set training steps to 0 (untrained) and compare recall with chance; then 100, 300, 800."</li>
                    <li>"Draw a simple shape — a heart, an arrow — and read its captions and its zero-shot label."</li>
                </ul>
            </aside>
            <h2>"From words to a new picture"</h2>
            <p>
                "Text-to-image models join the two ideas of this course: a diffusion model removes noise step by step, and "
                "at every step it is also handed the text vector of the prompt. During training the text vector is sometimes "
                "left out, so the same network learns both “what does any icon look like?” and “what does an icon for these "
                "words look like?”. When sampling, the difference between the two answers is multiplied by a guidance weight "
                "w and added back: w = 0 ignores the words, larger w follows them more strictly at the cost of variety "
                "(classifier-free guidance, the trick behind Stable Diffusion's prompt strength)."
            </p>
            <GenerateWidget/>
            <aside class="try" aria-labelledby="try-clip-generate">
                <h3 id="try-clip-generate">"Try this"</h3>
                <ul>
                    <li>"Set w to 0: the four pictures ignore your words. Raise it step by step and watch them agree."</li>
                    <li>"Compare the pixel distance to the nearest training icon with the typical gap between icons: is this picture new, or remembered?"</li>
                    <li>"Type words no icon is called, such as “money” or “weather”, and see what a model that only knows 1,036 icons makes of them."</li>
                    <li>"Use 10 sampling steps instead of 50: fewer, larger steps, rougher pictures."</li>
                </ul>
            </aside>
        </article>
    }
}
