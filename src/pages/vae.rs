//! Variational autoencoders: a small encoder squeezes each image into a Gaussian over a 2-D latent,
//! a decoder draws it back, and the latent is pulled toward a standard normal so that sampling it
//! makes new images.

use crate::widgets::families::FamiliesWidget;
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
            <h2>"Three ways to generate, on the same data"</h2>
            <p>
                "A GAN, a VAE and a diffusion model all turn simple noise into data, by different routes. The GAN's generator "
                "learns by trying to fool a discriminator; the VAE learns to encode and decode through a Gaussian latent; the "
                "diffusion model learns to remove noise a little at a time. Below, all three learn the same 2-D points side by "
                "side, one optimiser step each in turn, with networks of the same size, and one yardstick scores their samples."
            </p>
            <p>
                "What to expect: the GAN's samples tend to be sharp but it can drop whole clusters (mode collapse, high precision "
                "with low recall); the VAE covers everything but blurs, putting samples between clusters; diffusion needs "
                "many network passes to draw one sample and sharpens slowly as it trains. The measurements, not this "
                "paragraph, are what count: train and see which holds on your data, and on other seeds."
            </p>
            <FamiliesWidget/>
            <aside class="try" aria-labelledby="try-families">
                <h3 id="try-families">"Try this"</h3>
                <ul>
                    <li>"On the ring of 8 Gaussians, train for a few thousand steps and compare “Modes covered” with precision and recall."</li>
                    <li>"Choose “Two disjoint bars”: the VAE's Gaussian latent has to stretch across the gap, and its samples show the bridge."</li>
                    <li>"Draw your own data and try a few seeds: which family is the most consistent from seed to seed?"</li>
                </ul>
            </aside>
        </article>
    }
}
