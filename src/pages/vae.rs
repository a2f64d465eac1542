//! Variational autoencoders: a small encoder squeezes each image into a Gaussian over a 2-D latent,
//! a decoder draws it back, and the latent is pulled toward a standard normal so that sampling it
//! makes new images.

use crate::widgets::vae::VaeWidget;
use leptos::prelude::*;

#[component]
pub fn VaePage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Variational autoencoders"</h1>
            <p class="lede">
                "An autoencoder learns to copy its input through a bottleneck: an encoder turns an image into a few "
                "numbers, a decoder turns those numbers back into an image. A variational autoencoder (VAE) makes the "
                "bottleneck a probability distribution, so that it can also invent."
            </p>
            <p>
                "For each image the encoder outputs the mean μ and the spread σ of a Gaussian in a low-dimensional latent "
                "space. Training draws one point z = μ + σ·ε from it (ε is standard normal noise: the reparameterisation "
                "trick, which lets gradients flow through μ and σ) and asks the decoder to rebuild the image from z. The loss "
                "has two parts: how badly the image was rebuilt (reconstruction), and how far each image's Gaussian is from "
                "a standard normal N(0, I) (the KL divergence, which has an exact formula). Their sum, negated, is the "
                "evidence lower bound (ELBO)."
            </p>
            <p>
                "The KL part is what makes generation work: it keeps the codes of all images packed around the origin, "
                "overlapping, without gaps. Draw z from N(0, I), decode it, and a new image comes out. Its weight β is a "
                "slider below; at β = 0 the model is a plain autoencoder, and its latent shows why the prior matters."
            </p>
            <VaeWidget/>
            <aside class="try" aria-labelledby="try-vae">
                <h3 id="try-vae">"Try this"</h3>
                <ul>
                    <li>"Train for about 20 epochs, then drag the ring across the latent: the decoded digit morphs from one class into the next."</li>
                    <li>"Compare the 5-NN accuracy in the latent with the one on the 2-D PCA projection: both squeeze 64 pixels into 2 numbers."</li>
                    <li>"Set β to 0, Reset and train: the codes spread out, the grid shows blurred regions between them, and prior samples get worse."</li>
                    <li>"Set β to 4: the codes crowd into the prior and the digits blur into each other — too much pull toward the prior costs reconstruction."</li>
                </ul>
            </aside>
        </article>
    }
}
