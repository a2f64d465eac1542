//! Diffusion on real handwritten digits: the forward process scrubbed over t with real schedules,
//! and the reverse process run live with the exact optimal denoiser for a training set.

use crate::shell::anim::{use_animation_loop, FrameInfo, LoopControls, LoopOptions};
use crate::shell::assets;
use crate::shell::checkpoint::Checkpoint;
use crate::shell::dom;
use crate::shell::plot::{line_chart, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use genai_core::diffusion::{ddim_step, ddpm_step, forward, guide, implied_clean, implied_noise, optimal_denoise, sampling_times, Digits, Schedule};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "diffusion";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "diffusion", title: "Diffusion on handwritten digits", embed_height: 1200 };

/// Steps of the forward process.
const T: usize = 1000;
/// The denoiser's training set: the first this many digits.
const TRAIN: usize = 500;
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
    fn build(self) -> Schedule {
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
    pub digit: i64,
    pub schedule: ScheduleKind,
    pub t: i64,
    pub seed: u64,
    pub sampler: Sampler,
    pub steps: i64,
    /// The requested digit class (−1 = any), the toy version of a text prompt.
    pub class: i64,
    /// Guidance strength w of classifier-free guidance.
    pub guidance: f64,
}

impl Default for DiffState {
    fn default() -> Self {
        DiffState { digit: 3, schedule: ScheduleKind::Linear, t: 200, seed: 1, sampler: Sampler::Ddim, steps: 50, class: -1, guidance: 1.0 }
    }
}

impl UrlState for DiffState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.int("digit", self.digit);
        w.choice("schedule", self.schedule);
        w.int("t", self.t);
        w.seed("seed", self.seed);
        w.choice("sampler", self.sampler);
        w.int("steps", self.steps);
        w.int("class", self.class);
        w.float("guidance", self.guidance);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = DiffState::default();
        DiffState {
            digit: r.int("digit", 0..=1796, d.digit),
            schedule: r.choice("schedule", d.schedule),
            t: r.int("t", 0..=T as i64, d.t),
            seed: r.seed("seed", d.seed),
            sampler: r.choice("sampler", d.sampler),
            steps: r.int("steps", 1..=T as i64, d.steps),
            class: r.int("class", -1..=9, d.class),
            guidance: r.float("guidance", 0.0..=8.0, d.guidance),
        }
    }
}

/// 8 × 8 values in [−1, 1] as grey RGBA (−1 black … 1 white, clamped).
fn grey(img: &[f32]) -> Vec<u8> {
    img.iter()
        .flat_map(|&v| {
            let g = (((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round()) as u8;
            [g, g, g, 255]
        })
        .collect()
}

/// Draws images side by side (square cells, a gap between), each sharp-edged.
fn draw_row(ctx: &PlotCtx, images: &[Vec<f32>]) {
    let n = images.len().max(1) as f64;
    let (w, h) = (ctx.width as f64, ctx.height as f64);
    let gap = ctx.px(6.0);
    let size = ((w - gap * (n - 1.0)) / n).min(h);
    for (k, img) in images.iter().enumerate() {
        let x = k as f64 * (size + gap);
        ctx.image(&grey(img), 8, 8, (x, (h - size) / 2.0, size, size), false);
    }
}

/// A reverse run in progress.
#[derive(Clone, Debug, Default)]
struct Run {
    x: Vec<f32>,
    x0_hat: Vec<f32>,
    times: Vec<usize>,
    /// Index into `times` of the current t.
    k: usize,
    weights: Vec<f64>,
    rng: Option<Rng>,
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
        let loaded = match assets::fetch_bytes("diffusion/digits.bin").await {
            Ok(b) => Digits::from_dig1(&b).map_err(|e| format!("The digits file is damaged: {e}. Reload the page; if it persists, the site's copy is broken.")),
            Err(e) => Err(e),
        };
        match loaded {
            Ok(d) => {
                digits.set_value(Some(Rc::new(d)));
                status.set(Some(Ok(())));
                version.update(|v| *v += 1);
            }
            Err(e) => status.set(Some(Err(e))),
        }
    });
    let schedule = Memo::new(move |_| state.with(|s| s.schedule).build());

    // The forward process for the chosen digit: the same seeded ε at every t.
    let noise = Memo::new(move |_| {
        let seed = state.with(|s| s.seed);
        let mut eps = vec![0.0f32; 64];
        Rng::new(seed).fill_normal(&mut eps);
        eps
    });
    let noisy = move |t: usize| -> Option<Vec<f32>> {
        version.track();
        let d = digits.get_value()?;
        let i = (state.with(|s| s.digit) as usize).min(d.len() - 1);
        let mut out = vec![0.0f32; 64];
        schedule.with(|sch| forward(sch, d.image(i), &noise.get(), t, &mut out));
        Some(out)
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

    // The reverse process with the optimal denoiser.
    let run = StoredValue::new_local(Run::default());
    let run_version = RwSignal::new(0u32);
    let start_run = move || {
        let s = state.get_untracked();
        let mut rng = Rng::new(s.seed ^ 0xd1ff);
        let mut x = vec![0.0f32; 64];
        rng.fill_normal(&mut x);
        run.set_value(Run { x, x0_hat: vec![0.0; 64], times: sampling_times(T, s.steps as usize), k: 0, weights: Vec::new(), rng: Some(rng) });
        run_version.update(|v| *v += 1);
    };
    let reverse_step = move || -> bool {
        let Some(d) = digits.get_value() else { return false };
        let s = state.get_untracked();
        let more = schedule.with_untracked(|sch| {
            run.try_update_value(|r| {
                if r.rng.is_none() || r.k + 1 >= r.times.len() {
                    return false;
                }
                let (t, t_prev) = (r.times[r.k], r.times[r.k + 1]);
                let n = TRAIN.min(d.len());
                let train = &d.pixels[..n * 64];
                let mut eps = vec![0.0f32; 64];
                let mut x0 = vec![0.0f32; 64];
                optimal_denoise(sch, train, 64, &r.x, t, &mut x0, &mut r.weights);
                implied_noise(sch, &r.x, &x0, t, &mut eps);
                if s.class >= 0 {
                    // The conditional denoiser sees only training digits of the requested class;
                    // guidance mixes its noise prediction with the unconditional one.
                    let members: Vec<usize> = (0..n).filter(|&i| d.labels[i] as i64 == s.class).collect();
                    let subset: Vec<f32> = members.iter().flat_map(|&i| d.image(i).to_vec()).collect();
                    let (mut x0c, mut epsc, mut wc) = (vec![0.0f32; 64], vec![0.0f32; 64], Vec::new());
                    optimal_denoise(sch, &subset, 64, &r.x, t, &mut x0c, &mut wc);
                    implied_noise(sch, &r.x, &x0c, t, &mut epsc);
                    guide(&mut eps, &epsc, s.guidance as f32);
                    implied_clean(sch, &r.x, &eps, t, &mut x0);
                    if s.guidance > 0.0 {
                        // Show the weights of the conditional posterior (over the class's digits).
                        r.weights = vec![0.0; n];
                        for (k, &i) in members.iter().enumerate() {
                            r.weights[i] = wc[k];
                        }
                    }
                }
                match s.sampler {
                    Sampler::Ddim => ddim_step(sch, &mut r.x, &x0, &eps, t_prev),
                    Sampler::Ddpm => {
                        let mut z = vec![0.0f32; 64];
                        if let Some(rng) = r.rng.as_mut() {
                            rng.fill_normal(&mut z);
                        }
                        ddpm_step(sch, &mut r.x, &eps, &z, t, t_prev);
                    }
                }
                r.x0_hat = x0;
                r.k += 1;
                r.k + 1 < r.times.len()
            })
            .unwrap_or(false)
        });
        run_version.update(|v| *v += 1);
        more
    };
    let reverse_anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: 1 }, move |f: FrameInfo| {
        if run.with_value(|r| r.rng.is_none() || r.k + 1 >= r.times.len()) {
            start_run();
        }
        f.repeat(reverse_step);
    });
    Effect::new(move |_| {
        let _ = run_version.get();
        if run.with_value(|r| r.rng.is_some() && r.k + 1 >= r.times.len()) {
            reverse_anim.pause();
        }
    });
    // New settings, new run.
    Effect::new(move |_| {
        let _ = state.with(|s| (s.seed, s.sampler, s.steps, s.schedule, s.class, s.guidance.to_bits()));
        let _ = version.get();
        run.set_value(Run::default());
        run_version.update(|v| *v += 1);
    });

    // What the reverse run shows.
    let reverse_view = Memo::new(move |_| {
        let _ = run_version.get();
        let d = digits.get_value()?;
        run.with_value(|r| {
            if r.rng.is_none() {
                return None;
            }
            let t = r.times.get(r.k).copied().unwrap_or(0);
            let mut top: Vec<(usize, f64)> = r.weights.iter().copied().enumerate().collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1));
            top.truncate(5);
            let done = r.k + 1 >= r.times.len();
            let nearest = (0..TRAIN.min(d.len()))
                .map(|i| (i, d.image(i).iter().zip(&r.x).map(|(a, b)| (a - b).powi(2)).sum::<f32>().sqrt()))
                .min_by(|a, b| a.1.total_cmp(&b.1));
            Some((r.x.clone(), r.x0_hat.clone(), t, top, done, nearest))
        })
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
    let label_digit = move || digits.get_value().map(|d| d.labels[(state.with(|s| s.digit) as usize).min(d.len() - 1)]).unwrap_or(0);
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="diffusion" node_ref=root>
                {move || match status.get() {
                    None => Some(view! { <p class="loading" role="status"><progress aria-label="Loading the digits"></progress>" Loading 1,797 handwritten digits (117 KB)…"</p> }.into_any()),
                    Some(Err(msg)) => Some(view! { <p class="notice" role="alert">{msg}</p> }.into_any()),
                    Some(Ok(())) => None,
                }}
                <h3>"Forward: adding noise"</h3>
                <div class="controls-row">
                    <label class="field" for="diff-digit">
                        <span>"Digit image (0–1796)"</span>
                        <input id="diff-digit" type="number" min="0" max="1796" prop:value=move || st().digit.to_string()
                            on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|s| s.digit = v.clamp(0, 1796)) } }/>
                    </label>
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
                <label class="field wide" for="diff-t">
                    <span>{move || format!("Time step t = {} of {T}", st().t)}</span>
                    <input id="diff-t" type="range" min="0" max=T.to_string() step="1" prop:value=move || st().t.to_string()
                        aria-valuetext=move || { let t = t_now(); format!("t = {t}, signal share ᾱ = {:.3}", schedule.with(|s| s.alpha_bar_at(t))) }
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|s| s.t = v.clamp(0, T as i64)) } }/>
                </label>
                <LoopControls anim=forward_anim play_label="Play t from 0 to 1000" step_label="t + 2"/>
                <div class="diff-grid">
                    <div class="diff-now">
                        <PlotCanvas label=Signal::derive(move || format!("Digit {} (image {}) at t = {}: √ᾱ = {:.3} of the image plus √(1 − ᾱ) = {:.3} of noise.", label_digit(), st().digit, t_now(), schedule.with(|s| s.alpha_bar_at(t_now())).sqrt(), (1.0 - schedule.with(|s| s.alpha_bar_at(t_now()))).sqrt()))
                            aspect=1.0 draw=move |_a: &Area, ctx: &PlotCtx| {
                            if let Some(img) = noisy(t_now()) {
                                draw_row(ctx, &[img]);
                            }
                        } alt_title="Show the pixels">
                            <p>{move || noisy(t_now()).map(|img| img.chunks(8).map(|r| r.iter().map(|v| format!("{v:+.2}")).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join(" / ")).unwrap_or_default()}</p>
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
                    </div>
                </div>
                <div class="diff-strip">
                    <PlotCanvas label=Signal::derive(move || format!("The same digit and noise at t = {}.", STRIP.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")))
                        aspect=0.14 draw=move |_a: &Area, ctx: &PlotCtx| {
                        let imgs: Vec<Vec<f32>> = STRIP.iter().filter_map(|&t| noisy(t)).collect();
                        if !imgs.is_empty() {
                            draw_row(ctx, &imgs);
                        }
                    } alt_title="About the frames">
                        <p>"Each frame uses the same noise ε, so only the balance between image and noise changes from left to right."</p>
                    </PlotCanvas>
                    <p class="muted strip-times">{STRIP.iter().map(|t| format!("t={t}")).collect::<Vec<_>>().join(" · ")}</p>
                    <button type="button" class="btn btn-small" on:click=export_png>"Download the frames (PNG)"</button>
                </div>

                <h3>"Reverse: generating from noise"</h3>
                <p>
                    "Here the noise is removed by the " <em>"optimal"</em> " denoiser for a training set of " {TRAIN} " digits: "
                    "for the current noisy image it computes exactly how likely each training digit is to be underneath, and "
                    "predicts their weighted average. No network can do better on this training set — and watch where that leads."
                </p>
                <div class="controls-row">
                    <label class="field" for="diff-sampler">
                        <span>"Sampler"</span>
                        <select id="diff-sampler" on:change=move |ev| { let v = event_target_value(&ev); state.update(|s| s.sampler = if v == "ddpm" { Sampler::Ddpm } else { Sampler::Ddim }) }>
                            <option value="ddim" prop:selected=move || st().sampler == Sampler::Ddim>"DDIM (deterministic)"</option>
                            <option value="ddpm" prop:selected=move || st().sampler == Sampler::Ddpm>"DDPM (adds fresh noise each step)"</option>
                        </select>
                    </label>
                    <label class="field" for="diff-steps">
                        <span>"Sampling steps"</span>
                        <select id="diff-steps" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|s| s.steps = v) } }>
                            {[10i64, 20, 50, 100, 250, 1000].into_iter().map(|n| view! { <option value=n.to_string() prop:selected=move || st().steps == n>{n}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                <div class="controls-row">
                    <label class="field" for="diff-class">
                        <span>"Ask for (the toy prompt)"</span>
                        <select id="diff-class" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|s| s.class = v) } }>
                            <option value="-1" prop:selected=move || st().class == -1>"any digit"</option>
                            {(0..=9i64).map(|c| view! { <option value=c.to_string() prop:selected=move || st().class == c>{format!("a {c}")}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field" for="diff-guidance">
                        <span>{move || format!("Guidance strength w = {:.1}", st().guidance)}</span>
                        <input id="diff-guidance" type="range" min="0" max="8" step="0.5" prop:value=move || st().guidance.to_string()
                            prop:disabled=move || st().class < 0
                            on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|s| s.guidance = v.clamp(0.0, 8.0)) } }/>
                    </label>
                </div>
                <p class="muted">
                    "Text-to-image models are steered by a prompt; here the prompt is a digit class. Classifier-free guidance "
                    "mixes two noise predictions, one that knows the request and one that does not: ε = ε_any + w·(ε_asked − ε_any). "
                    "w = 0 ignores the request, w = 1 follows it, larger w pushes harder."
                </p>
                <LoopControls anim=reverse_anim play_label="Generate" step_label="One denoising step"/>
                {move || reverse_view.get().map(|(x, x0, t, top, done, nearest)| {
                    let d = digits.get_value();
                    let thumbs: Vec<Vec<f32>> = top.iter().filter_map(|(i, _)| d.as_ref().map(|d| d.image(*i).to_vec())).collect();
                    let words = top.iter().map(|(i, w)| format!("#{i} ({:.0} %)", w * 100.0)).collect::<Vec<_>>().join(", ");
                    let verdict = match (done, nearest) {
                        (true, Some((i, dist))) => format!("Finished. The sample is {} from training digit #{i} (a {}): {}", format!("{dist:.3}"), d.as_ref().map(|d| d.labels[i]).unwrap_or(0), if dist < 0.05 { "the perfect denoiser has reproduced one of its training images. A network that generalises must be imperfect in just the right way." } else { "close to it, but not on it yet." }),
                        _ => String::new(),
                    };
                    view! {
                        <div class="diff-reverse">
                            <div>
                                <PlotCanvas label=format!("Sample at t = {t}, and the denoiser's guess x̂₀ of the clean image.") aspect=0.5 draw=move |_a: &Area, ctx: &PlotCtx| draw_row(ctx, &[x.clone(), x0.clone()]) alt_title="About these images">
                                    <p>"Left: the sample being denoised. Right: the denoiser's current estimate of the clean image."</p>
                                </PlotCanvas>
                                <p data-testid="diff-reverse-t">{format!("t = {t}")}</p>
                            </div>
                            <div>
                                <PlotCanvas label=format!("The five training digits with the largest weight: {words}.") aspect=0.2 draw=move |_a: &Area, ctx: &PlotCtx| draw_row(ctx, &thumbs) alt_title="Weights as text">
                                    <p>{words.clone()}</p>
                                </PlotCanvas>
                                <p class="muted">"Weights of the most likely training digits under the current noisy sample."</p>
                            </div>
                            <p data-testid="diff-verdict" aria-live="polite">{verdict}</p>
                        </div>
                    }
                })}
                <Checkpoint
                    id="cp-diff-schedule"
                    question="halfway through (t = 500 of 1000), which schedule has left more of the digit's signal?"
                    options=vec!["Linear".to_owned(), "Cosine".to_owned(), "About the same".to_owned()]
                    answer=checkpoint
                />
                <p class="honesty">
                    "About this widget: real DDPM and DDIM formulas on real 8 × 8 digits, computed in your browser. "
                    "The denoiser here is the exact optimum for 500 training digits, not a trained network, and the "
                    "“prompt” is a digit class rather than text; the learned denoiser and 2-D diffusion trained in the page are still to come."
                </p>
            </div>
        </WidgetFrame>
    }
}
