//! Diffusion on 2-D points, trained in the page: a small network learns to predict the noise,
//! then turns fresh noise into points on the data.

use crate::shell::controls::seed_field;
use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::plot::{line_chart, push_thinned, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use crate::widgets::diffusion::Sampler;
use genai_core::diffusion::points::{median_nearest_distance, PointDiffusion};
use genai_core::diffusion::sampling_times;
use genai_core::gan::{jittered, Preset};
use crate::shell::sketch;
use crate::widgets::gan::{source_select, Source, DRAWN_SPREAD, MAX_DRAWN, MIN_DRAWN};
use genai_core::query::{StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use leptos::prelude::*;
use plotters::prelude::*;

pub const META_ID: &str = "diffusion-2d";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "diffusion", title: "2-D diffusion trained live", embed_height: 900 };

const EXTENT: f32 = 2.6;
/// Diffusion steps T, network, learning rate and batch: measured natively to reach a median
/// nearest-data distance of ≈ 0.03 on the swiss roll by 3,000 steps.
const STEPS: usize = 50;
const HIDDEN: [usize; 3] = [64, 64, 64];
const LR: f32 = 3e-3;
const BATCH: usize = 128;
const SAMPLES: usize = 500;
const FIELD: usize = 15;

#[derive(Clone, Debug, PartialEq)]
pub struct Diff2dState {
    /// A preset point cloud or the learner's drawing (the GAN widget's choices).
    pub source: Source,
    /// The drawn points, for `Source::Drawn`.
    pub points: Vec<(f32, f32)>,
    pub seed: u64,
    pub sampler: Sampler,
    /// The noise level t at which the denoising direction field is drawn (0 = off).
    pub field_t: i64,
}

impl Default for Diff2dState {
    fn default() -> Self {
        Diff2dState { source: Source::Preset(Preset::SwissRoll), points: Vec::new(), seed: 1, sampler: Sampler::Ddim, field_t: 0 }
    }
}

impl UrlState for Diff2dState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("preset", self.source);
        w.points("points", &self.points, EXTENT);
        w.seed("seed", self.seed);
        w.choice("sampler", self.sampler);
        w.int("field_t", self.field_t);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = Diff2dState::default();
        Diff2dState {
            source: r.choice("preset", d.source),
            points: r.points("points", EXTENT, MAX_DRAWN),
            seed: r.seed("seed", d.seed),
            sampler: r.choice("sampler", d.sampler),
            field_t: r.int("field_t", 0..=STEPS as i64, d.field_t),
        }
    }
}

/// A sampling run: the points and where they are in the reverse schedule.
#[derive(Clone, Debug, Default)]
struct Sampling {
    xs: Vec<f32>,
    times: Vec<usize>,
    k: usize,
    rng: Option<Rng>,
}

#[component]
pub fn Diffusion2dWidget() -> impl IntoView {
    let url = use_url_state::<Diff2dState>();
    let state = url.state;
    let root = NodeRef::<Div>::new();
    // The model for the current data, or why there is none (too few points drawn).
    let problem = RwSignal::new(None::<String>);
    let build = move || {
        let s = state.get_untracked();
        let mut rng = Rng::new(s.seed ^ 0xda7a);
        let data = match s.source {
            Source::Preset(p) => p.sample(2000, &mut rng),
            Source::Drawn if s.points.len() < MIN_DRAWN => {
                problem.set(Some(format!("{} points drawn. Draw at least {MIN_DRAWN} on the plane (drag, or use the arrow keys and Space), then train.", s.points.len())));
                return None;
            }
            Source::Drawn => jittered(&s.points, DRAWN_SPREAD, 2000, &mut rng),
        };
        problem.set(None);
        Some(PointDiffusion::points(data, STEPS, &HIDDEN, LR, BATCH, s.seed))
    };
    let model = StoredValue::new_local(build());
    let losses = RwSignal::new(Vec::<(f64, f64)>::new());
    let step = RwSignal::new(0u64);
    let last_record = StoredValue::new(f64::NEG_INFINITY);
    let diverged = RwSignal::new(false);
    let sampling = StoredValue::new_local(Sampling::default());
    let sample_version = RwSignal::new(0u32);
    let distance = RwSignal::new(None::<(f32, f32, u64)>);

    let reset = move || {
        model.set_value(build());
        losses.set(Vec::new());
        step.set(0);
        diverged.set(false);
        sampling.set_value(Sampling::default());
        distance.set(None);
        sample_version.update(|v| *v += 1);
    };
    Effect::new(move |prev: Option<()>| {
        let _ = state.with(|s| (s.source, s.seed, s.points.len()));
        if prev.is_some() {
            reset();
        }
    });

    let train = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        if diverged.get_untracked() {
            return;
        }
        let mut loss = 0.0;
        let mut ok = true;
        model.update_value(|m| {
            let Some(m) = m.as_mut() else { return };
            f.repeat(|| {
                loss = m.train_step();
                ok = loss.is_finite() && loss < 1e6;
                ok
            });
            step.set(m.step);
        });
        let t = now_ms();
        if !ok {
            diverged.set(true);
        } else if f.single_step || t - last_record.get_value() >= 100.0 {
            last_record.set_value(t);
            losses.update(|l| push_thinned(l, (step.get_untracked() as f64, loss as f64), 600));
        }
    });
    Effect::new(move |_| {
        if diverged.get() {
            train.pause();
        }
    });

    // Sampling: one reverse step per frame, so the points visibly flow from noise to the data.
    let sample_loop = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: 1 }, move |_f: FrameInfo| {
        let sampler = state.with_untracked(|s| s.sampler);
        let fresh = sampling.with_value(|s| s.rng.is_none() || s.k + 1 >= s.times.len());
        if fresh {
            let mut rng = Rng::new(state.with_untracked(|s| s.seed) ^ 0x5a3b);
            let mut xs = vec![0.0f32; 2 * SAMPLES];
            rng.fill_normal(&mut xs);
            sampling.set_value(Sampling { xs, times: sampling_times(STEPS, STEPS), k: 0, rng: Some(rng) });
            distance.set(None);
        } else {
            let done = model.try_update_value(|m| {
                let m = m.as_mut()?;
                sampling.try_update_value(|s| {
                    let (t, tp) = (s.times[s.k], s.times[s.k + 1]);
                    if let Some(rng) = s.rng.as_mut() {
                        m.reverse_step(&mut s.xs, t, tp, sampler == Sampler::Ddpm, rng);
                    }
                    s.k += 1;
                    s.k + 1 >= s.times.len()
                })
            });
            if done.flatten() == Some(true) {
                let mut g = vec![0.0f32; 2 * SAMPLES];
                Rng::new(9).fill_normal(&mut g);
                let measured = model.with_value(|m| m.as_ref().map(|m| (sampling.with_value(|s| median_nearest_distance(&s.xs, m.data())), median_nearest_distance(&g, m.data()))));
                if let Some((d, base)) = measured {
                    distance.set(Some((d, base, step.get_untracked())));
                }
            }
        }
        sample_version.update(|v| *v += 1);
    });
    Effect::new(move |_| {
        let _ = sample_version.get();
        if distance.get_untracked().is_some() {
            sample_loop.pause();
        }
    });

    let field = move || -> Vec<(f32, f32, f32, f32)> {
        let t = state.with(|s| s.field_t) as usize;
        let _ = step.get();
        if t == 0 {
            return Vec::new();
        }
        let pts: Vec<f32> = (0..FIELD * FIELD)
            .flat_map(|k| {
                let (i, j) = ((k % FIELD) as f32, (k / FIELD) as f32);
                [-EXTENT + (i + 0.5) * 2.0 * EXTENT / FIELD as f32, -EXTENT + (j + 0.5) * 2.0 * EXTENT / FIELD as f32]
            })
            .collect();
        let eps = model.try_update_value(|m| m.as_mut().map(|m| m.predict(&pts, t))).flatten().unwrap_or_default();
        pts.chunks_exact(2).zip(eps.chunks_exact(2)).map(|(p, e)| (p[0], p[1], -e[0], -e[1])).collect()
    };

    // Drawing the data: the shared point sketch, active while "Draw your own" is chosen.
    let drawing = Memo::new(move |_| state.with(|s| s.source == Source::Drawn));
    let sk = sketch::use_point_sketch(state, |s: &mut Diff2dState| &mut s.points, EXTENT, MAX_DRAWN, drawing.into(), move || {
        train.pause();
        sample_loop.pause();
    });

    let st = move || state.get();
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="diffusion-2d" node_ref=root>
                <div class="controls-row">
                    {source_select(state, "d2-preset", |s| s.source, |s, v| s.source = v)}
                    <label class="field" for="d2-sampler">
                        <span>"Sampler"</span>
                        <select id="d2-sampler" on:change=move |ev| { let v = event_target_value(&ev); state.update(|s| s.sampler = if v == "ddpm" { Sampler::Ddpm } else { Sampler::Ddim }) }>
                            <option value="ddim" prop:selected=move || st().sampler == Sampler::Ddim>"DDIM"</option>
                            <option value="ddpm" prop:selected=move || st().sampler == Sampler::Ddpm>"DDPM"</option>
                        </select>
                    </label>
                    {seed_field(state, "d2-seed", |s| s.seed, |s, v| s.seed = v)}
                    <label class="field" for="d2-field">
                        <span>{move || if st().field_t == 0 { "Denoising directions: off".to_owned() } else { format!("Denoising directions at noise level t = {} of {STEPS}", st().field_t) }}</span>
                        <input id="d2-field" data-lesson-key="denoising-directions" type="range" min="0" max=STEPS.to_string() prop:value=move || st().field_t.to_string()
                            on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|s| s.field_t = v.clamp(0, STEPS as i64)) } }/>
                    </label>
                </div>
                <div class="controls-row">
                    <LoopControls anim=train play_label="Train the denoiser" step_label="One training step"/>
                    <LoopControls anim=sample_loop play_label="Sample 500 points" step_label="One reverse step"/>
                    <button type="button" class="btn" on:click=move |_| { train.pause(); sample_loop.pause(); reset(); }>"Reset"</button>
                </div>
                {sketch::edit_buttons(sk, drawing.into())}
                {move || problem.get().map(|m| view! { <p class="notice" role="status" data-testid="d2-problem">{m}</p> })}
                <Show when=move || diverged.get()>
                    <div class="error-panel" role="alert"><strong>"Training diverged."</strong>" The loss became infinite. "
                        <button type="button" class="btn btn-small" on:click=move |_| reset()>"Reset the run"</button></div>
                </Show>
                <div class="gan-grid">
                    <PlotCanvas label=Signal::derive(move || {
                        let _ = sample_version.get();
                        let k = sampling.with_value(|s| if s.rng.is_some() { Some((s.times[s.k], s.k + 1 >= s.times.len())) } else { None });
                        let pre = if drawing.get() { format!("{} ", sketch::instructions(state.with(|s| s.points.len()), sk.cursor.get())) } else { String::new() };
                        pre + &match k {
                            None => "The data points (grey). Train the denoiser, then sample.".to_owned(),
                            Some((t, false)) => format!("The data (grey) and {SAMPLES} samples (rings) on their way from noise, now at t = {t}."),
                            Some((_, true)) => format!("The data (grey) and {SAMPLES} finished samples (rings)."),
                        }
                    }) aspect=1.0 draw=move |area: &Area, ctx: &PlotCtx| {
                        let _ = sample_version.get();
                        let p = &ctx.palette;
                        let (w, h) = (ctx.width as f64, ctx.height as f64);
                        let size = w.min(h);
                        let to_px = |x: f32, y: f32| ((x.clamp(-EXTENT, EXTENT) + EXTENT) as f64 / (2.0 * EXTENT as f64) * size + (w - size) / 2.0, (EXTENT - y.clamp(-EXTENT, EXTENT)) as f64 / (2.0 * EXTENT as f64) * size + (h - size) / 2.0);
                        let data: Vec<(f64, f64)> = model.with_value(|m| m.as_ref().map(|m| m.data().chunks_exact(2).take(800).map(|q| to_px(q[0], q[1])).collect()).unwrap_or_default());
                        ctx.dots(&data, ctx.px(2.0), p.muted, true, 0.0);
                        let pts: Vec<(f64, f64)> = sampling.with_value(|s| s.xs.chunks_exact(2).filter(|q| q[0].is_finite() && q[1].is_finite()).map(|q| to_px(q[0], q[1])).collect());
                        ctx.dots(&pts, ctx.px(2.5), p.series[1], false, ctx.px(1.5));
                        let arrows = field();
                        let longest = arrows.iter().map(|a| a.2.hypot(a.3)).fold(1e-9f32, f32::max);
                        let style = ShapeStyle { color: p.series[0].to_rgba(), filled: false, stroke_width: ctx.px(1.5).round().max(1.0) as u32 };
                        for (x, y, dx, dy) in arrows {
                            let (x0, y0) = to_px(x, y);
                            let k = ctx.px(14.0) / longest as f64;
                            let (x1, y1) = (x0 + dx as f64 * k, y0 - dy as f64 * k);
                            let _ = area.draw(&PathElement::new(vec![(x0 as i32, y0 as i32), (x1 as i32, y1 as i32)], style));
                            let _ = area.draw(&Circle::new((x1 as i32, y1 as i32), ctx.px(1.5).round() as i32, p.series[0].filled()));
                        }
                        if drawing.get() {
                            let mut drawn = state.with(|s| s.points.clone());
                            drawn.extend(sk.stroke.get());
                            sketch::draw(area, ctx, &drawn, sk.cursor.get(), |x, y| { let (a, b) = to_px(x, y); (a as i32, b as i32) });
                        }
                    } on_pointer=sk.on_pointer pointer_active=Signal::derive(move || drawing.get()) on_key=sk.on_key keys_active=Signal::derive(move || drawing.get()) alt_title="Show the numbers">
                        <p>{move || match distance.get() {
                            Some((d, base, at)) => format!("After {at} training steps: median distance from a sample to the nearest data point {d:.3} (pure Gaussian noise: {base:.3})."),
                            None => "No finished sample yet.".to_owned(),
                        }}</p>
                    </PlotCanvas>
                    <div>
                        <PlotCanvas label=Signal::derive(move || format!("Training loss (mean squared error of the predicted noise) over {} steps.", step.get())) aspect=0.62 draw=move |area: &Area, ctx: &PlotCtx| {
                            losses.with(|l| {
                                let x_max = l.last().map(|p| p.0).unwrap_or(1.0).max(1.0);
                                let y_max = l.iter().map(|p| p.1).fold(0.1, f64::max).min(2.0) * 1.05;
                                line_chart(area, ctx, "training step", "loss", x_max, 0.0..y_max, &[Line { points: l, color: ctx.palette.series[0] }]);
                            });
                        } alt_title="Show the latest losses">
                            <p>{move || losses.with(|l| l.iter().rev().take(5).map(|(s, v)| format!("step {s}: {v:.4}")).collect::<Vec<_>>().join("; "))}</p>
                        </PlotCanvas>
                        <dl class="stats" aria-live="polite">
                            <div><dt>"Training steps"</dt><dd data-testid="d2-steps">{move || step.get()}</dd></div>
                            <div><dt>"Median distance to the data"</dt><dd data-testid="d2-distance">{move || distance.get().map(|(d, _, _)| format!("{d:.3}")).unwrap_or_else(|| "—".to_owned())}</dd></div>
                            <div><dt>"Noise alone"</dt><dd>{move || distance.get().map(|(_, b, _)| format!("{b:.3}")).unwrap_or_else(|| "—".to_owned())}</dd></div>
                        </dl>
                        <p class="muted">
                            "The network ε_θ(x, t) sees a noisy point and the step t, and guesses the noise that was added: 3 hidden layers of 64 "
                            "SiLU units, Adam, batches of 128, T = 50 cosine-scheduled steps. The arrows show −ε_θ at the chosen noise level: "
                            "the way the model pushes points to remove noise, towards the data."
                        </p>
                    </div>
                </div>
            </div>
        </WidgetFrame>
    }
}
