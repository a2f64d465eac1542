//! Diffusion models.

use crate::widgets::diffusion::DiffusionWidget;
use crate::widgets::diffusion2d::Diffusion2dWidget;
use leptos::prelude::*;

#[component]
pub fn DiffusionPage() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Diffusion models"</h1>
            <p class="lede">
                "A diffusion model learns to make images by learning to clean them. In training, real images are "
                "buried in noise a little at a time, over many steps, until nothing of the image is left; the model "
                "learns to predict the noise at every step."
            </p>
            <p>
                "To make a new image, the process runs backwards: start from pure noise, and take away a little of "
                "the predicted noise at each step until an image is left. Text-to-image systems add one thing: the "
                "prediction is steered by a description of the wanted picture."
            </p>
            <p>
                "Below, the forward process is the real formula on a real handwritten digit: at step t the image is "
                "scaled by √ᾱ_t and mixed with noise scaled by √(1 − ᾱ_t), where the schedule decides how fast ᾱ_t "
                "falls from 1 to 0. Drag t and watch the digit dissolve."
            </p>
            <DiffusionWidget/>
            <h2>"Learning the denoiser"</h2>
            <p>
                "A perfect denoiser only gives back its training images. A real one is a network trained to guess the "
                "noise, and its small mistakes are what let it make new things. Here a small network learns the noise of "
                "2-D points, live in your browser; then fresh noise flows onto the shape it has learned."
            </p>
            <Diffusion2dWidget/>
            <aside class="try" aria-labelledby="try-diff">
                <h3 id="try-diff">"Try this"</h3>
                <ul>
                    <li>"Find the t where you can no longer tell which digit it is, first with the linear schedule, then with the cosine one."</li>
                    <li>"Generate with DDIM, then with DDPM, and check which training digit each sample lands on."</li>
                    <li>"Generate with 10 steps and with 1,000: does the perfect denoiser still end on a training image?"</li>
                    <li>"Sample the 2-D model after 200 training steps and again after 3,000, and compare the median distance."</li>
                </ul>
            </aside>
        </article>
    }
}
