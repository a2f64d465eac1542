//! Diffusion on real handwritten digits: the forward process scrubbed over t with real schedules,
//! and the reverse process run live with the exact optimal denoiser for a training set.

use super::diffusion_reverse::{draw_grid, Denoiser, ReverseSection};
use super::diffusion_source::{OwnImage, Source, SIDE};
use crate::shell::anim::{use_animation_loop, FrameInfo, LoopControls, LoopOptions};
use crate::shell::assets;
use crate::shell::checkpoint::Checkpoint;
use crate::shell::dom;
use crate::shell::plot::{line_chart, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use genai_core::diffusion::{forward, Digits, Icons, Schedule};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "diffusion";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "diffusion", title: "Diffusion on handwritten digits", embed_height: 1200 };

/// Steps of the forward process.
pub const T: usize = 1000;
/// The denoiser's training set: the first this many digits.
pub const TRAIN: usize = 500;
/// Times shown in the strip of frames.
const STRIP: [usize; 8] = [0, 50, 100, 200, 300, 500, 700, 1000];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScheduleKind {
    #[default]
    Linear,
    Cosine,
}

impl Choice for ScheduleKind {
    const ALL: &'static [ScheduleKind] = &[ScheduleKind::Linear, ScheduleKind::Cosine];
    fn key(self) -> &'static str {
        match self {
            ScheduleKind::Linear => "linear",
            ScheduleKind::Cosine => "cosine",
        }
    }
}

impl ScheduleKind {
    pub fn build(self) -> Schedule {
        match self {
            ScheduleKind::Linear => Schedule::linear(T, 1e-4, 0.02),
            ScheduleKind::Cosine => Schedule::cosine(T),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sampler {
    #[default]
    Ddim,
    Ddpm,
}

impl Choice for Sampler {
    const ALL: &'static [Sampler] = &[Sampler::Ddim, Sampler::Ddpm];
    fn key(self) -> &'static str {
        match self {
            Sampler::Ddim => "ddim",
            Sampler::Ddpm => "ddpm",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DiffState {
    pub source: Source,
    pub digit: i64,
    /// The pixel-art icon's name.
    pub icon: String,
    /// The learner's own 24 × 24 image (None: blank).
    pub drawing: Option<Vec<f32>>,
    pub schedule: ScheduleKind,
    pub t: i64,
    pub seed: u64,
    pub sampler: Sampler,
    pub steps: i64,
    /// The requested digit class (−1 = any), the toy version of a text prompt.
    pub class: i64,
    /// Guidance strength w of classifier-free guidance.
    pub guidance: f64,
    pub denoiser: Denoiser,
    /// Adam's learning rate when training the network further.
    pub lr: f64,
}

impl Default for DiffState {
    fn default() -> Self {
        DiffState { source: Source::Digit, digit: 3, icon: "heart".to_owned(), drawing: None, schedule: ScheduleKind::Linear, t: 200, seed: 1, sampler: Sampler::Ddim, steps: 50, class: -1, guidance: 1.0, denoiser: Denoiser::Optimal, lr: 1e-4 }
    }
}

impl UrlState for DiffState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("source", self.source);
        w.int("digit", self.digit);
        w.text("icon", &self.icon);
        if let Some(d) = &self.drawing {
            w.image("drawing", d);
        }
        w.choice("schedule", self.schedule);
        w.int("t", self.t);
        w.seed("seed", self.seed);
        w.choice("sampler", self.sampler);
        w.int("steps", self.steps);
        w.int("class", self.class);
        w.float("guidance", self.guidance);
        w.choice("denoiser", self.denoiser);
        w.float("lr", self.lr);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = DiffState::default();
        DiffState {
            source: r.choice("source", d.source),
            digit: r.int("digit", 0..=1796, d.digit),
            icon: r.text("icon", 60, &d.icon),
            drawing: r.image("drawing", SIDE * SIDE),
            schedule: r.choice("schedule", d.schedule),
            t: r.int("t", 0..=T as i64, d.t),
            seed: r.seed("seed", d.seed),
            sampler: r.choice("sampler", d.sampler),
            steps: r.int("steps", 1..=T as i64, d.steps),
            class: r.int("class", -1..=9, d.class),
            guidance: r.float("guidance", 0.0..=8.0, d.guidance),
            denoiser: r.choice("denoiser", d.denoiser),
            lr: r.float("lr", 1e-5..=1.0, d.lr),
        }
    }
}

/// The image the forward process noises: its pixels, side and a description.
#[derive(Clone, Debug, PartialEq)]
struct Picked {
    pixels: Vec<f32>,
    side: usize,
    name: String,
}

/// Draws images side by side, each filling the height.
fn draw_row(ctx: &PlotCtx, images: &[&[f32]], side: usize) {
    draw_grid(ctx, images, side, images.len(), (0.0, 0.0, ctx.width as f64, ctx.height as f64));
}

/// The 1,797 UCI digits shipped in `public/diffusion/digits.bin`, or a sentence saying what went wrong.
pub(crate) async fn fetch_digits() -> Result<Digits, String> {
    let bytes = assets::fetch_bytes("diffusion/digits.bin").await?;
    Digits::from_dig1(&bytes).map_err(|e| format!("The digits file is damaged: {e}. Reload the page; if it persists, the site's copy is broken."))
}

#[component]
pub fn DiffusionWidget() -> impl IntoView {
    let url = use_url_state::<DiffState>();
    let state = url.state;
    let root = NodeRef::<Div>::new();
    let digits = StoredValue::new_local(None::<Rc<Digits>>);
    let status = RwSignal::new(None::<Result<(), String>>);
    let version = RwSignal::new(0u32);
    leptos::task::spawn_local(async move {
        match fetch_digits().await {
            Ok(d) => {
                digits.set_value(Some(Rc::new(d)));
                status.set(Some(Ok(())));
                version.update(|v| *v += 1);
            }
            Err(e) => status.set(Some(Err(e))),
        }
    });
    let schedule = Memo::new(move |_| state.with(|s| s.schedule).build());

    // Pixel-art icons, fetched the first time they are asked for.
    let icons = StoredValue::new_local(None::<Rc<Icons>>);
    let icons_status = RwSignal::new(None::<Result<(), String>>);
    Effect::new(move |_| {
        if state.with(|s| s.source) != Source::Icon || icons_status.get_untracked().is_some() {
            return;
        }
        icons_status.set(Some(Ok(())));
        leptos::task::spawn_local(async move {
            let loaded = match assets::fetch_bytes("diffusion/icons.bin").await {
                Ok(b) => Icons::from_icn1(&b).map_err(|e| format!("The icons file is damaged: {e}. Digits and your own image still work.")),
                Err(e) => Err(e),
            };
            match loaded {
                Ok(i) => {
                    icons.set_value(Some(Rc::new(i)));
                    version.update(|v| *v += 1);
                }
                Err(e) => icons_status.set(Some(Err(e))),
            }
        });
    });

    // The picked image and the forward process on it: the same seeded ε at every t.
    let picked = Memo::new(move |_| -> Option<Picked> {
        let _ = version.get();
        let s = state.get();
        match s.source {
            Source::Digit => {
                let d = digits.get_value()?;
                let i = (s.digit as usize).min(d.len() - 1);
                Some(Picked { pixels: d.image(i).to_vec(), side: 8, name: format!("Digit {} (image {i})", d.labels[i]) })
            }
            Source::Icon => {
                let icons = icons.get_value()?;
                let i = icons.find(&s.icon)?;
                Some(Picked { pixels: icons.image(i).to_vec(), side: icons.side, name: format!("The “{}” icon", s.icon) })
            }
            Source::Own => Some(Picked { pixels: s.drawing.unwrap_or_else(|| vec![-1.0; SIDE * SIDE]), side: SIDE, name: "Your image".to_owned() }),
        }
    });
    let noise = Memo::new(move |_| {
        let seed = state.with(|s| s.seed);
        let n = picked.with(|p| p.as_ref().map(|p| p.pixels.len()).unwrap_or(64));
        let mut eps = vec![0.0f32; n];
        Rng::new(seed).fill_normal(&mut eps);
        eps
    });
    let noisy = move |t: usize| -> Option<(Vec<f32>, usize)> {
        let p = picked.get()?;
        let eps = noise.get();
        if eps.len() != p.pixels.len() {
            return None;
        }
        let mut out = vec![0.0f32; p.pixels.len()];
        schedule.with(|sch| forward(sch, &p.pixels, &eps, t, &mut out));
        Some((out, p.side))
    };
    let t_now = move || state.with(|s| s.t) as usize;

    // Forward animation: t runs to T.
    let forward_anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: 5 }, move |f: FrameInfo| {
        let t = t_now();
        if t >= T {
            state.update(|s| s.t = 0);
            return;
        }
        state.update(|s| s.t = (t + f.work as usize * 2).min(T) as i64);
    });

    let export_png = move |_| {
        if let Some(r) = root.get_untracked() {
            dom::download_canvas(&r, ".diff-strip canvas", "diffusion-frames.png");
        }
    };
    let checkpoint = Callback::new(move |()| {
        let lin = Schedule::linear(T, 1e-4, 0.02);
        let cos = Schedule::cosine(T);
        let a = (lin.alpha_bar_at(T / 2), cos.alpha_bar_at(T / 2));
        Some((1, format!(
            "Computed from the two schedules: halfway (t = 500), the linear schedule keeps ᾱ = {:.3} of the digit's signal, the cosine schedule {:.3}. \
             The linear schedule destroys the image much earlier; the cosine one spreads the noise out so that more of the steps still see some structure.",
            a.0, a.1
        )))
    });

    let st = move || state.get();
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="diffusion" node_ref=root>
                {move || match status.get() {
                    None => Some(view! { <Loading label="Loading the digits" text="Loading 1,797 handwritten digits (117 KB)…"/> }.into_any()),
                    Some(Err(msg)) => Some(view! { <p class="notice" role="alert">{msg}</p> }.into_any()),
                    Some(Ok(())) => None,
                }}
                <h3>"Forward: adding noise"</h3>
                <fieldset class="radio-row">
                    <legend>"Image to noise"</legend>
                    {Source::ALL.iter().map(|&k| view! {
                        <label class="radio">
                            <input type="radio" name="diff-source" prop:checked=move || st().source == k on:change=move |_| state.update(|s| s.source = k)/>
                            {match k { Source::Digit => "A handwritten digit (8 × 8)", Source::Icon => "A pixel-art icon (24 × 24)", Source::Own => "Your own image (24 × 24)" }}
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="controls-row">
                    <Show when=move || st().source == Source::Digit>
                        <label class="field" for="diff-digit">
                            <span>"Digit image (0–1796)"</span>
                            <input id="diff-digit" type="number" min="0" max="1796" prop:value=move || st().digit.to_string()
                                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|s| s.digit = v.clamp(0, 1796)) } }/>
                        </label>
                    </Show>
                    <Show when=move || st().source == Source::Icon>
                        <label class="field" for="diff-icon">
                            <span>"Icon (1,036 from pixelarticons)"</span>
                            <select id="diff-icon" on:change=move |ev| { let v = event_target_value(&ev); state.update(|s| s.icon = v) }>
                                {move || { let _ = version.get(); icons.get_value().map(|ic| ic.names.iter().map(|n| { let n2 = n.clone(); view! { <option value=n.clone() prop:selected=move || st().icon == n2>{n.clone()}</option> } }).collect_view()) }}
                            </select>
                        </label>
                    </Show>
                    <fieldset class="radio-row">
                        <legend>"Noise schedule"</legend>
                        {ScheduleKind::ALL.iter().map(|&k| view! {
                            <label class="radio">
                                <input type="radio" name="diff-schedule" prop:checked=move || st().schedule == k on:change=move |_| state.update(|s| s.schedule = k)/>
                                {if k == ScheduleKind::Linear { "Linear (DDPM)" } else { "Cosine" }}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <label class="field" for="diff-seed">
                        <span>"Noise seed"</span>
                        <input id="diff-seed" type="number" min="0" prop:value=move || st().seed.to_string()
                            on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() { state.update(|s| s.seed = v) } }/>
                    </label>
                </div>
                <Show when=move || st().source == Source::Own>
                    <OwnImage state=state get=|s: &DiffState| s.drawing.as_ref() set=|s: &mut DiffState, d| s.drawing = d prefix="diff" blank_text="Your image is blank. Draw on the grid or upload a picture — noising an empty image works, but there is nothing to watch disappear."/>
                </Show>
                {move || match (st().source, icons_status.get(), picked.get().is_some()) {
                    (Source::Icon, Some(Err(msg)), _) => Some(view! { <p class="notice" role="alert">{msg}</p> }.into_any()),
                    (Source::Icon, _, false) if icons.with_value(|i| i.is_some()) => Some(view! { <p class="notice" role="status">{format!("There is no icon called “{}”; pick one from the list.", st().icon)}</p> }.into_any()),
                    (Source::Icon, _, false) => Some(view! { <Loading label="Loading the icons" text="Loading 1,036 pixel-art icons (88 KB)…"/> }.into_any()),
                    _ => None,
                }}
                <label class="field wide" for="diff-t">
                    <span>{move || format!("Time step t = {} of {T}", st().t)}</span>
                    <input id="diff-t" type="range" min="0" max=T.to_string() step="1" prop:value=move || st().t.to_string()
                        aria-valuetext=move || { let t = t_now(); format!("t = {t}, signal share ᾱ = {:.3}", schedule.with(|s| s.alpha_bar_at(t))) }
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|s| s.t = v.clamp(0, T as i64)) } }/>
                </label>
                <LoopControls anim=forward_anim play_label="Play t from 0 to 1000" step_label="t + 2"/>
                <div class="diff-grid">
                    <div class="diff-now">
                        <PlotCanvas label=Signal::derive(move || format!("{} at t = {}: √ᾱ = {:.3} of the image plus √(1 − ᾱ) = {:.3} of noise.", picked.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default()), t_now(), schedule.with(|s| s.alpha_bar_at(t_now())).sqrt(), (1.0 - schedule.with(|s| s.alpha_bar_at(t_now()))).sqrt()))
                            aspect=1.0 draw=move |_a: &Area, ctx: &PlotCtx| {
                            if let Some((img, side)) = noisy(t_now()) {
                                draw_row(ctx, &[&img], side);
                            }
                        } alt_title="Show the pixels">
                            <p>{move || noisy(t_now()).map(|(img, side)| img.chunks(side).map(|r| r.iter().map(|v| format!("{v:+.2}")).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join(" / ")).unwrap_or_default()}</p>
                        </PlotCanvas>
                        <dl class="stats" aria-live="polite">
                            <div><dt>"ᾱ_t"</dt><dd data-testid="diff-alpha-bar">{move || format!("{:.4}", schedule.with(|s| s.alpha_bar_at(t_now())))}</dd></div>
                            <div><dt>"β_t"</dt><dd>{move || { let t = t_now(); if t == 0 { "—".to_owned() } else { format!("{:.5}", schedule.with(|s| s.beta[t - 1])) } }}</dd></div>
                            <div><dt>"SNR"</dt><dd>{move || { let t = t_now(); if t == 0 { "∞ (no noise yet)".to_owned() } else { format!("{:.3}", schedule.with(|s| s.snr(t))) } }}</dd></div>
                        </dl>
                    </div>
                    <div class="diff-curves">
                        <PlotCanvas label=Signal::derive(move || format!("The {} schedule over t = 0…1000: signal share ᾱ_t falling from 1 to 0, and β_t (scaled to its largest value); the current t = {} is marked.", st().schedule.key(), t_now()))
                            aspect=0.55 draw=move |area: &Area, ctx: &PlotCtx| {
                            schedule.with(|sch| {
                                let ab: Vec<(f64, f64)> = (0..=T).map(|t| (t as f64, sch.alpha_bar_at(t))).collect();
                                let bmax = sch.beta.iter().copied().fold(1e-12, f64::max);
                                let b: Vec<(f64, f64)> = (1..=T).map(|t| (t as f64, sch.beta[t - 1] / bmax)).collect();
                                let t = t_now() as f64;
                                let mark = [(t, 0.0), (t, 1.0)];
                                let p = &ctx.palette;
                                line_chart(area, ctx, "t", "", T as f64, 0.0..1.02, &[Line { points: &ab, color: p.series[0] }, Line { points: &b, color: p.series[1] }, Line { points: &mark, color: p.muted }]);
                            });
                        } alt_title="Show the schedule as a table">
                            <table class="data-table">
                                <caption>"Schedule at selected steps"</caption>
                                <thead><tr><th scope="col">"t"</th><th scope="col">"ᾱ_t"</th><th scope="col">"SNR"</th></tr></thead>
                                <tbody>{move || schedule.with(|sch| STRIP.iter().map(|&t| view! { <tr><td>{t}</td><td>{format!("{:.4}", sch.alpha_bar_at(t))}</td><td>{if t == 0 { "∞".to_owned() } else { format!("{:.3}", sch.snr(t)) }}</td></tr> }).collect_view())}</tbody>
                            </table>
                        </PlotCanvas>
                        <ul class="legend">
                            <li><span class="swatch s1"></span>"ᾱ_t: share of the image's signal left"</li>
                            <li><span class="swatch s2"></span>"β_t: noise added at step t (scaled)"</li>
                        </ul>
                        <PlotCanvas label=Signal::derive(move || format!("Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) over t on a log scale, from about 10⁴ down to 10⁻⁴ and below; at the current t = {} it is {}.", t_now(), { let t = t_now(); if t == 0 { "infinite".to_owned() } else { format!("{:.3}", schedule.with(|s| s.snr(t))) } }))
                            aspect=0.3 draw=move |area: &Area, ctx: &PlotCtx| {
                            schedule.with(|sch| {
                                let snr: Vec<(f64, f64)> = (1..=T).map(|t| (t as f64, sch.snr(t).max(1e-6).log10().clamp(-6.0, 5.0))).collect();
                                let t = t_now() as f64;
                                let mark = [(t, -6.0), (t, 5.0)];
                                let p = &ctx.palette;
                                line_chart(area, ctx, "t", "log₁₀ SNR", T as f64, -6.0..5.0, &[Line { points: &snr, color: p.series[2] }, Line { points: &mark, color: p.muted }]);
                            });
                        } alt_title="About this curve">
                            <p>"The same information as the table above: SNR is 1 where signal and noise weigh the same (log₁₀ SNR = 0)."</p>
                        </PlotCanvas>
                    </div>
                </div>
                <div class="diff-strip">
                    <PlotCanvas label=Signal::derive(move || format!("The same image and noise at t = {}.", STRIP.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")))
                        aspect=0.14 draw=move |_a: &Area, ctx: &PlotCtx| {
                        let imgs: Vec<(Vec<f32>, usize)> = STRIP.iter().filter_map(|&t| noisy(t)).collect();
                        if let Some(side) = imgs.first().map(|i| i.1) {
                            draw_row(ctx, &imgs.iter().map(|i| &i.0[..]).collect::<Vec<_>>(), side);
                        }
                    } alt_title="About the frames">
                        <p>"Each frame uses the same noise ε, so only the balance between image and noise changes from left to right."</p>
                    </PlotCanvas>
                    <p class="muted strip-times">{STRIP.iter().map(|t| format!("t={t}")).collect::<Vec<_>>().join(" · ")}</p>
                    <button type="button" class="btn btn-small" on:click=export_png>"Download the frames (PNG)"</button>
                </div>

                <ReverseSection state=state digits=digits version=version root=root/>
                <Checkpoint
                    id="cp-diff-schedule"
                    question="halfway through (t = 500 of 1000), which schedule has left more of the digit's signal?"
                    options=vec!["Linear".to_owned(), "Cosine".to_owned(), "About the same".to_owned()]
                    answer=checkpoint
                />
                <p class="honesty">
                    "About this widget: real DDPM and DDIM formulas on real 8 × 8 digits, computed in your browser. "
                    "Two denoisers: the exact optimum for 500 training digits, and a small network (106 k weights) trained on all 1,797 digits by a program in this "
                    "site's repository and trainable further here. Both are toys next to an image model with a billion weights, and the “prompt” is a digit class, not text."
                </p>
            </div>
        </WidgetFrame>
    }
}
