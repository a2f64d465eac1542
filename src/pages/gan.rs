//! Generative adversarial networks.

use crate::widgets::gan::GanWidget;
use leptos::prelude::*;

#[component]
pub fn GanPage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Generative adversarial networks"</h1>
            <p class="lede">
                "A GAN is two networks playing a game against each other. The generator takes random noise and "
                "turns it into a sample. The discriminator looks at a sample and says how sure it is that the "
                "sample is real — taken from the training data — rather than made by the generator."
            </p>
            <p>
                "They learn in turns. The discriminator gets better at telling real from generated; the "
                "generator follows the discriminator's gradient to make samples it will call real. One's gain is "
                "the other's loss: a zero-sum game. Played well, it ends when the generated samples can no longer "
                "be told apart from the real ones, and the discriminator can only guess."
            </p>
            <p>
                "Below, both networks are small and the data are points on a plane, so you can watch the whole "
                "game: the tint is what the discriminator currently believes about every spot of the plane, the "
                "rings are what the generator makes. Everything is trained in your browser, from the seed in the link."
            </p>
            <GanWidget/>
            <aside class="try" aria-labelledby="try-gan">
                <h3 id="try-gan">"Try this"</h3>
                <ul>
                    <li>"Press " <em>"Train"</em> " on the ring of 8 and watch the rings spread out to the modes one after another."</li>
                    <li>"Press " <em>"Show mode collapse"</em> ": with a discriminator that learns ten times slower, the generator piles its samples on one or two modes — and stays there."</li>
                    <li>"Switch to the minimax loss with SGD and a learning rate of 0.1: can training still get going?"</li>
                </ul>
            </aside>
            <p class="honesty">
                "About this widget: a toy, but a real one — two small multilayer perceptrons trained with real "
                "backpropagation and Adam or SGD, in Rust compiled to WebAssembly. Image GANs use the same game with "
                "convolutional networks and millions of images."
            </p>
        </article>
    }
}
