//! Words → a new picture: the diffusion core conditioned on the shared text embedding, with
//! classifier-free guidance (core `clip::generator`). The weights were trained offline by
//! `tools/multimodal/train_generator.rs`; sampling runs here, step by step, with x̂₀ shown as it forms.
//! Each picture is scored by the same CLIP model's image tower against the words, and compared with
//! its nearest training icon (is it new, or a copy?).

use super::diffusion_source::SIDE;
use super::multimodal::{commas, paint_icon, with_clip_data, ClipData};
use crate::shell::assets::fetch_bytes;
use crate::shell::dom::yield_to_browser;
use crate::shell::plot::{Area, PlotCanvas, PlotCtx};
use crate::shell::widget::WidgetMeta;
use genai_core::clip::generator::Generator;
use genai_core::clip::{similarity, TextError, DIM};
use genai_core::diffusion::nearest_item;
use genai_core::query::{StateReader, StateWriter, UrlState};
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "clip-generate";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "multimodal", title: "Words → a new picture (text-conditioned diffusion)", embed_height: 1000 };

const SAMPLES: usize = 4;
const STEP_CHOICES: [i64; 4] = [10, 25, 50, 100];

#[derive(Clone, Debug, PartialEq)]
pub struct GenerateState {
    pub prompt: String,
    /// Guidance weight w: 0 ignores the words, 1 follows them, more exaggerates them.
    pub w: f64,
    pub seed: u64,
    pub steps: i64,
}

impl Default for GenerateState {
    fn default() -> Self {
        GenerateState { prompt: "heart".into(), w: 3.0, seed: 1, steps: 50 }
    }
}

impl UrlState for GenerateState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.text("prompt", &self.prompt);
        w.float("w", self.w);
        w.seed("seed", self.seed);
        w.int("steps", self.steps);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = GenerateState::default();
        GenerateState { prompt: r.text("prompt", 200, &d.prompt), w: r.float("w", 0.0..=10.0, d.w), seed: r.seed("seed", d.seed), steps: r.int("steps", 1..=200, d.steps) }
    }
}

/// One finished picture and how it relates to the words and the training icons.
#[derive(Clone, Debug, PartialEq)]
struct Made {
    pixels: Vec<f32>,
    cosine: f32,
    nearest: usize,
    distance: f32,
}

#[component]
pub fn GenerateWidget() -> impl IntoView {
    with_clip_data::<GenerateState>(META, |d, state| view! { <GenerateInner d=d state=state/> }.into_any())
}

#[component]
fn GenerateInner(d: Rc<ClipData>, state: RwSignal<GenerateState>) -> impl IntoView {
    let d = StoredValue::new_local(d);
    let generator = StoredValue::new_local(None::<Generator>);
    let load = RwSignal::new(None::<Result<(), String>>);
    leptos::task::spawn_local(async move {
        let r = match fetch_bytes("multimodal/generator.bin").await {
            Ok(b) => Generator::from_bytes(&b, SIDE * SIDE).map(|g| {
                let _ = generator.try_set_value(Some(g));
            }).map_err(|e| format!("The generator file is damaged ({e}); reload the page to download it again.")),
            Err(e) => Err(e),
        };
        let _ = load.try_set(Some(r));
    });
    // the pictures as they form (x̂₀ after each step), then the finished ones
    let forming = RwSignal::new(Vec::<f32>::new());
    let step_done = RwSignal::new((0usize, 0usize));
    let made = RwSignal::new(Vec::<Made>::new());
    let message = RwSignal::new(None::<String>);
    let run = StoredValue::new(0u64);
    let ms = RwSignal::new(0.0f64);

    let generate = move || {
        let s = state.get_untracked();
        let id = run.get_value() + 1;
        run.set_value(id);
        let cond = generator.try_update_value(|g| g.as_mut().map(|g| d.with_value(|d| g.condition(&d.vocab, &s.prompt)))).flatten();
        let v = match cond {
            None => return,
            Some(Ok(v)) => v,
            Some(Err(TextError::Empty)) => {
                message.set(Some("Type a word or two (for example “heart” or “arrow up”) to make a picture.".into()));
                made.set(Vec::new());
                forming.set(Vec::new());
                return;
            }
            Some(Err(e)) => {
                message.set(Some(format!("Nothing to draw: {e}. The text side knows {} words.", commas(d.with_value(|d| d.vocab.words.len())))));
                made.set(Vec::new());
                forming.set(Vec::new());
                return;
            }
        };
        let unknown: Vec<String> = d.with_value(|d| d.vocab.encode(&s.prompt).map(|e| e.unknown).unwrap_or_default());
        message.set((!unknown.is_empty()).then(|| format!("Not in the vocabulary, ignored: {}.", unknown.join(", "))));
        made.set(Vec::new());
        leptos::task::spawn_local(async move {
            let steps = s.steps.clamp(1, 200) as usize;
            let t0 = crate::shell::anim::now_ms();
            // Sample step by step so the page shows x̂₀ forming; yield to the browser between steps.
            // The generator is borrowed for one step at a time, so a newer request can start at once
            // (this run then stops at its next step).
            let Some(mut sampling) = generator.try_with_value(|g| g.as_ref().map(|g| g.start(SAMPLES, steps, s.seed))).flatten() else { return };
            while let Some(x0) = generator.try_update_value(|g| g.as_mut().and_then(|g| g.step(&mut sampling, Some(&v), s.w as f32))).flatten() {
                let _ = forming.try_set(x0);
                let _ = step_done.try_set(sampling.progress());
                yield_to_browser().await;
                if run.try_get_value() != Some(id) {
                    return;
                }
            }
            let mut xs = sampling.xs;
            let dim = SIDE * SIDE;
            // the finished pictures are rounded to ink or no ink, like the icons they learned from
            xs.iter_mut().for_each(|x| *x = if *x > 0.0 { 1.0 } else { -1.0 });
            let Some(u) = generator.try_update_value(|g| g.as_mut().map(|g| g.embed_images(&xs))).flatten() else { return };
            let cos = similarity(&u, &v, SAMPLES, DIM);
            let out: Vec<Made> = d.with_value(|d| {
                xs.chunks_exact(dim)
                    .zip(cos)
                    .map(|(x, c)| {
                        let (nearest, distance) = nearest_item(&d.data.images, dim, x).unwrap_or((0, f32::NAN));
                        Made { pixels: x.to_vec(), cosine: c, nearest, distance }
                    })
                    .collect()
            });
            let _ = ms.try_set(crate::shell::anim::now_ms() - t0);
            let _ = made.try_set(out);
        });
    };
    Effect::new(move |_| {
        let _ = state.get();
        if matches!(load.get(), Some(Ok(()))) {
            generate();
        }
    });

    let draw = move |_area: &Area, ctx: &PlotCtx| {
        let done = made.get();
        let pics: Vec<Vec<f32>> = if done.is_empty() { forming.get().chunks_exact(SIDE * SIDE).map(|c| c.to_vec()).collect() } else { done.iter().map(|m| m.pixels.clone()).collect() };
        let cell = ctx.width as f64 / SAMPLES as f64;
        for (k, p) in pics.iter().enumerate() {
            paint_icon(ctx, p, (k as f64 * cell + cell * 0.06, cell * 0.06, cell * 0.88));
        }
    };
    let st = move || state.get();
    let caption = move |i: usize| d.with_value(|d| d.data.captions[i].clone());
    let gap = d.with_value(|d| genai_core::diffusion::median_nearest_other(&d.data.images, SIDE * SIDE, 8).unwrap_or(0.0));

    view! {
        <div class="clip-generate">
            <p class="muted">
                "A diffusion model over the icons' 576 pixels, conditioned on the text vector of the words you type (the shared space's text side), with classifier-free guidance. "
                "It was trained offline by tools/multimodal/train_generator.rs on all 1,036 icons, through its own CLIP model (seed 1, 2,000 steps — not the one you trained above), and is downloaded only for this widget (0.9 MB). Sampling runs here: 4 pictures, DDIM; while they form you see the model's current guess x̂₀, and the finished pictures are rounded to ink or no ink, like the icons."
            </p>
            {move || match load.get() {
                None => view! { <p role="status"><progress aria-label="Loading the generator"></progress>" Loading the generator (0.9 MB)…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                Some(Ok(())) => ().into_any(),
            }}
            <div class="controls-row">
                <label class="field" for="clip-gen-prompt">
                    <span>"Words to draw"</span>
                    <input id="clip-gen-prompt" type="text" maxlength="200" prop:value=move || st().prompt on:change=move |ev| { let v = event_target_value(&ev); state.update(|s| s.prompt = v) }/>
                </label>
                <label class="field slider" for="clip-gen-w">
                    <span>{move || format!("Guidance w = {:.1}{}", st().w, if st().w == 0.0 { " — ignores the words" } else { "" })}</span>
                    <input id="clip-gen-w" type="range" min="0" max="8" step="0.5" prop:value=move || st().w.to_string()
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|s| s.w = v.clamp(0.0, 10.0)) } }/>
                </label>
                <label class="field" for="clip-gen-steps">
                    <span>"Sampling steps"</span>
                    <select id="clip-gen-steps" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|s| s.steps = v) } }>
                        {move || { let cur = st().steps; let mut o = STEP_CHOICES.to_vec(); if !o.contains(&cur) { o.push(cur); }
                            o.into_iter().map(|v| view! { <option value=v.to_string() selected=v == cur>{v}</option> }).collect_view() }}
                    </select>
                </label>
                <button type="button" class="btn" on:click=move |_| state.update(|s| s.seed = s.seed.wrapping_add(1))>"New noise"</button>
            </div>
            {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="clip-gen-message">{m}</p> })}
            <p role="status" data-testid="clip-gen-status">{move || {
                let (k, n) = step_done.get();
                if !made.get().is_empty() { format!("Made {SAMPLES} pictures in {n} steps ({:.0} ms).", ms.get()) } else if n > 0 && k < n { format!("Denoising: step {k} of {n}…") } else { String::new() }
            }}</p>
            <PlotCanvas label=Signal::derive(move || { let m = made.get(); if m.is_empty() { "The pictures forming: the model's current guess of the clean image at each step".to_owned() } else { format!("{} pictures generated for “{}”", m.len(), st().prompt) } }) aspect=1.0 / SAMPLES as f64 draw=draw alt_title="Show the pictures as text">
                <div class="clip-ascii">
                    {move || made.get().into_iter().enumerate().map(|(k, m)| view! { <pre aria-label=format!("Picture {}", k + 1)>{m.pixels.chunks(SIDE).map(|r| r.iter().map(|&v| if v > 0.0 { '█' } else { '·' }).collect::<String>()).collect::<Vec<_>>().join("\n")}</pre> }).collect_view()}
                </div>
            </PlotCanvas>
            <div class="table-scroll" tabindex="0" role="region" aria-label="The generated pictures">
                <table class="data-table" data-testid="clip-gen-table">
                    <caption>"Each picture: its cosine with your words in the generator's CLIP space, and the nearest of the 1,036 training icons"</caption>
                    <thead><tr><th scope="col">"Picture"</th><th scope="col">"Cosine with the words"</th><th scope="col">"Nearest training icon"</th><th scope="col">"Pixel distance"</th></tr></thead>
                    <tbody>{move || made.get().into_iter().enumerate().map(|(k, m)| view! {
                        <tr><th scope="row">{k + 1}</th><td>{format!("{:.2}", m.cosine)}</td><td>{caption(m.nearest)}</td><td>{format!("{:.1}", m.distance)}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            </div>
            <p class="muted">{format!("Pixel distance is Euclidean over 576 pixels of ±1 (two pictures differing in one pixel are 2 apart); two different training icons are typically {gap:.1} apart. A distance near 0 means the model redrew an icon it learned: a network this small, trained on 1,036 pictures, memorises much of its data. Words no icon is named after give blends.")}</p>
        </div>
    }
}
