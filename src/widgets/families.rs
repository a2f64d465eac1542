//! Three generative families on one dataset: a GAN, a VAE and a diffusion model trained side by
//! side on the same 2-D points, step for step, scored by the same yardstick (core `families`).

use crate::shell::controls::seed_field;
use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::plot::{line_chart, push_thinned, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::sketch;
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use crate::widgets::gan::{source_select, Source, DRAWN_SPREAD, MAX_DRAWN, MIN_DRAWN};
use genai_core::families::{Families, Score, Yardstick, SAMPLE_STEPS, VAE_SIGMA};
use genai_core::gan::{jittered, Preset};
use genai_core::query::{StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use leptos::prelude::*;

pub const META_ID: &str = "families";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "vae", title: "GAN, VAE and diffusion on the same data", embed_height: 1500 };

const EXTENT: f32 = 2.6;
/// Training points, the real points scored against, and samples per family.
const DATA: usize = 2000;
const REAL: usize = 400;
const SAMPLES: usize = 400;
/// Reverse diffusion steps done per frame while a sample is being drawn.
const REVERSE_PER_FRAME: usize = 5;
/// Milliseconds of training between two measurements while training runs.
const MEASURE_EVERY_MS: f64 = 400.0;
const NAMES: [&str; 3] = ["GAN", "VAE", "Diffusion"];

#[derive(Clone, Debug, PartialEq)]
pub struct FamiliesState {
    pub source: Source,
    pub points: Vec<(f32, f32)>,
    pub seed: u64,
}

impl Default for FamiliesState {
    fn default() -> Self {
        FamiliesState { source: Source::Preset(Preset::Ring), points: Vec::new(), seed: 1 }
    }
}

impl UrlState for FamiliesState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("preset", self.source);
        w.points("points", &self.points, EXTENT);
        w.seed("seed", self.seed);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = FamiliesState::default();
        FamiliesState { source: r.choice("preset", d.source), points: r.points("points", EXTENT, MAX_DRAWN), seed: r.seed("seed", d.seed) }
    }
}

/// The models and what the page knows of them.
struct Run {
    f: Families,
    /// The points scores are measured against, with the modes (centres, radius) if the data has them.
    yard: Yardstick,
    steps: u64,
    /// Milliseconds spent training each family.
    ms: [f64; 3],
    rng: Rng,
}


/// A measurement in progress: samples taken at `steps`, the diffusion sample advanced a few
/// reverse steps per frame, then per frame one third of one family's score (the two MMD² terms
/// that involve the samples, then the coverage).
#[derive(Default)]
struct Job {
    steps: u64,
    ms: [f64; 3],
    samples: [Vec<f32>; 3],
    times: Vec<usize>,
    k: usize,
    self_means: Vec<f64>,
    mmd: Vec<f64>,
    scores: Vec<Score>,
}

/// A finished measurement.
#[derive(Clone, Debug, PartialEq)]
struct Measured {
    steps: u64,
    ms: [f64; 3],
    scores: [Score; 3],
}

fn fmt_score(s: &Score, modes_of: Option<usize>) -> [String; 4] {
    [
        format!("{:.4}", s.mmd2),
        format!("{:.0} %", 100.0 * s.precision),
        format!("{:.0} %", 100.0 * s.recall),
        match (s.modes, modes_of) {
            (Some(m), Some(of)) => format!("{m} of {of}"),
            _ => "—".to_owned(),
        },
    ]
}

#[component]
pub fn FamiliesWidget() -> impl IntoView {
    let url = use_url_state::<FamiliesState>();
    let state = url.state;
    let root = NodeRef::<Div>::new();
    let problem = RwSignal::new(None::<String>);
    let build = move || -> Option<Run> {
        let s = state.get_untracked();
        let mut rng = Rng::new(s.seed ^ 0xda7a);
        let (data, modes) = match s.source {
            Source::Preset(p) => (p.sample(DATA, &mut rng), p.modes().map(|c| (c, p.mode_radius()))),
            Source::Drawn if s.points.len() < MIN_DRAWN => {
                problem.set(Some(format!("{} points drawn. Draw at least {MIN_DRAWN} on the data plane (drag, or use the arrow keys and Space), then train.", s.points.len())));
                return None;
            }
            Source::Drawn => (jittered(&s.points, DRAWN_SPREAD, DATA, &mut rng), None),
        };
        problem.set(None);
        let yard = Yardstick::new(data[..2 * REAL].to_vec(), modes);
        Some(Run { f: Families::new(data, s.seed), yard, steps: 0, ms: [0.0; 3], rng: Rng::new(s.seed ^ 0x5a3b) })
    };
    let run = StoredValue::new_local(build());
    let job = StoredValue::new_local(None::<Job>);
    let measured = RwSignal::new(None::<Measured>);
    let shown = RwSignal::new([Vec::<f32>::new(), Vec::new(), Vec::new()]);
    let noise_score = RwSignal::new(None::<Score>);
    let curve = RwSignal::new(Vec::<(f64, [f64; 3])>::new());
    let steps = RwSignal::new(0u64);
    let diverged = RwSignal::new(None::<String>);
    let last_measured = StoredValue::new(f64::NEG_INFINITY);

    // Starts a measurement: GAN and VAE samples now (cheap), the diffusion sample from noise.
    let start_job = move || {
        run.update_value(|r| {
            let Some(r) = r.as_mut() else { return };
            let mut rng = std::mem::replace(&mut r.rng, Rng::new(0));
            let gan = r.f.sample_gan(SAMPLES);
            let vae = r.f.sample_vae(SAMPLES, &mut rng);
            let (xs, times) = Families::diffusion_start(SAMPLES, &mut rng);
            r.rng = rng;
            job.set_value(Some(Job { steps: r.steps, ms: r.ms, samples: [gan, vae, xs], times, k: 0, self_means: Vec::new(), mmd: Vec::new(), scores: Vec::new() }));
        });
    };
    // Advances the measurement by one frame's share; true when it finished.
    let advance_job = move |all_at_once: bool| -> bool {
        let mut finished = None;
        run.update_value(|r| {
            let Some(r) = r.as_mut() else { return };
            job.update_value(|j| {
                let Some(j) = j.as_mut() else { return };
                loop {
                    if j.k + 1 < j.times.len() {
                        for _ in 0..REVERSE_PER_FRAME {
                            if j.k + 1 >= j.times.len() {
                                break;
                            }
                            let (t, tp) = (j.times[j.k], j.times[j.k + 1]);
                            let mut rng = std::mem::replace(&mut r.rng, Rng::new(0));
                            r.f.diffusion.reverse_step(&mut j.samples[2], t, tp, false, &mut rng);
                            r.rng = rng;
                            j.k += 1;
                        }
                    } else if j.self_means.len() == j.scores.len() && j.self_means.len() < 3 {
                        j.self_means.push(r.yard.self_mean(&j.samples[j.self_means.len()]));
                    } else if j.mmd.len() < j.self_means.len() {
                        let k = j.mmd.len();
                        j.mmd.push(r.yard.mmd2_from(j.self_means[k], r.yard.cross_mean(&j.samples[k])));
                    } else if j.scores.len() < 3 {
                        let k = j.scores.len();
                        let (precision, recall, modes) = r.yard.coverage(&j.samples[k]);
                        j.scores.push(Score { mmd2: j.mmd[k], precision, recall, modes });
                    } else {
                        finished = Some(Measured { steps: j.steps, ms: j.ms, scores: [j.scores[0], j.scores[1], j.scores[2]] });
                        break;
                    }
                    if !all_at_once {
                        break;
                    }
                }
            });
        });
        match finished {
            Some(m) => {
                let samples = job.try_update_value(|j| j.take().map(|j| j.samples)).flatten();
                if let Some(s) = samples {
                    shown.set(s);
                }
                curve.update(|c| push_thinned(c, (m.steps as f64, [m.scores[0].mmd2, m.scores[1].mmd2, m.scores[2].mmd2]), 400));
                measured.set(Some(m));
                last_measured.set_value(now_ms());
                true
            }
            None => false,
        }
    };
    let measure_now = move || {
        start_job();
        advance_job(true);
    };

    let reset = move || {
        run.set_value(build());
        job.set_value(None);
        measured.set(None);
        curve.set(Vec::new());
        steps.set(0);
        diverged.set(None);
        shown.set([Vec::new(), Vec::new(), Vec::new()]);
        let base = run.with_value(|r| {
            r.as_ref().map(|r| {
                let mut g = vec![0.0f32; 2 * SAMPLES];
                Rng::new(9).fill_normal(&mut g);
                r.yard.score(&g)
            })
        });
        noise_score.set(base);
        if base.is_some() {
            measure_now();
        }
    };
    reset();
    Effect::new(move |prev: Option<()>| {
        let _ = state.with(|s| (s.source, s.seed, s.points.len()));
        if prev.is_some() {
            reset();
        }
    });

    let train = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        if diverged.get_untracked().is_some() || run.with_value(|r| r.is_none()) {
            return;
        }
        // One frame's share of a measurement in progress, inside the same frame budget.
        // A frame that publishes a measurement redraws every plot: it trains no further.
        if job.with_value(|j| j.is_some()) && !f.single_step && advance_job(false) {
            return;
        }
        let mut bad = None;
        run.update_value(|r| {
            let Some(r) = r.as_mut() else { return };
            f.repeat(|| {
                let t0 = now_ms();
                let g = r.f.gan.step();
                let t1 = now_ms();
                let v = r.f.vae.step();
                let t2 = now_ms();
                let d = r.f.diffusion.train_step();
                let t3 = now_ms();
                r.ms[0] += t1 - t0;
                r.ms[1] += t2 - t1;
                r.ms[2] += t3 - t2;
                r.steps += 1;
                if !r.f.gan.healthy(g) {
                    bad = Some(0);
                } else if !(v.loss(1.0).is_finite() && v.loss(1.0) < 1e6) {
                    bad = Some(1);
                } else if !(d.is_finite() && d < 1e6) {
                    bad = Some(2);
                }
                bad.is_none()
            });
            steps.set(r.steps);
        });
        if let Some(k) = bad {
            diverged.set(Some(format!("The {} diverged: its loss or weights became infinite after {} steps. Training is paused; press Reset to start again.", NAMES[k], steps.get_untracked())));
            return;
        }
        if f.single_step {
            measure_now();
        } else if job.with_value(|j| j.is_none()) && now_ms() - last_measured.get_value() >= MEASURE_EVERY_MS {
            start_job();
        }
    });
    Effect::new(move |_| {
        if diverged.get().is_some() {
            train.pause();
        }
    });
    // When training stops, finish the measurement so the samples shown match the step count.
    Effect::new(move |prev: Option<bool>| {
        let playing = train.playing.get();
        if prev == Some(true) && !playing && diverged.get_untracked().is_none() && run.with_value(|r| r.is_some()) {
            // a measurement begun earlier would show older samples: measure afresh
            start_job();
            advance_job(true);
        }
        playing
    });

    let drawing = Memo::new(move |_| state.with(|s| s.source == Source::Drawn));
    let sk = sketch::use_point_sketch(state, |s: &mut FamiliesState| &mut s.points, EXTENT, MAX_DRAWN, drawing.into(), move || train.pause());

    let to_px = move |ctx: &PlotCtx, x: f32, y: f32| {
        let (w, h) = (ctx.width as f64, ctx.height as f64);
        let size = w.min(h);
        ((x.clamp(-EXTENT, EXTENT) + EXTENT) as f64 / (2.0 * EXTENT as f64) * size + (w - size) / 2.0, (EXTENT - y.clamp(-EXTENT, EXTENT)) as f64 / (2.0 * EXTENT as f64) * size + (h - size) / 2.0)
    };
    let data_px = move |ctx: &PlotCtx| -> Vec<(f64, f64)> { run.with_value(|r| r.as_ref().map(|r| r.yard.real.chunks_exact(2).map(|q| to_px(ctx, q[0], q[1])).collect()).unwrap_or_default()) };
    let modes_of = move || run.with_value(|r| r.as_ref().and_then(|r| r.yard.modes.as_ref().map(|m| m.0.len())));

    let family_plot = move |k: usize| {
        let label = Signal::derive(move || match measured.get() {
            Some(m) => {
                let [mmd, p, rc, modes] = fmt_score(&m.scores[k], modes_of());
                format!("{}: {SAMPLES} samples (rings) over the data (grey) after {} steps; MMD² {mmd}, precision {p}, recall {rc}, modes {modes}.", NAMES[k], m.steps)
            }
            None => format!("{}: no samples yet.", NAMES[k]),
        });
        view! {
            <figure class="family">
                <figcaption><strong>{NAMES[k]}</strong>" "<span class="muted">{move || measured.get().map(|m| format!("after {} step{}, {:.1} s of training", m.steps, if m.steps == 1 { "" } else { "s" }, m.ms[k] / 1000.0)).unwrap_or_default()}</span></figcaption>
                <PlotCanvas label=label aspect=1.0 draw=move |_area: &Area, ctx: &PlotCtx| {
                    let p = &ctx.palette;
                    ctx.dots(&data_px(ctx), ctx.px(1.8), p.muted, true, 0.0);
                    let pts: Vec<(f64, f64)> = shown.with(|s| s[k].chunks_exact(2).filter(|q| q[0].is_finite() && q[1].is_finite()).map(|q| to_px(ctx, q[0], q[1])).collect());
                    ctx.dots(&pts, ctx.px(2.2), p.series[k], false, ctx.px(1.3));
                } alt_title="Show the samples' summary">
                    <p>{move || label.get()}</p>
                </PlotCanvas>
            </figure>
        }
    };

    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="families" node_ref=root>
                <div class="controls-row">
                    {source_select(state, "fam-preset", |s| s.source, |s, v| s.source = v)}
                    {seed_field(state, "fam-seed", |s| s.seed, |s, v| s.seed = v)}
                    <LoopControls anim=train play_label="Train all three" step_label="One step each"/>
                    <button type="button" class="btn" on:click=move |_| { train.pause(); reset(); }>"Reset"</button>
                </div>
                {sketch::edit_buttons(sk, drawing.into())}
                {move || problem.get().map(|m| view! { <p class="notice" role="status" data-testid="fam-problem">{m}</p> })}
                {move || diverged.get().map(|m| view! { <div class="error-panel" role="alert">{m}" "<button type="button" class="btn btn-small" on:click=move |_| { train.pause(); reset(); }>"Reset the run"</button></div> })}
                <dl class="stats" aria-live="polite">
                    <div><dt>"Steps (each family)"</dt><dd data-testid="fam-steps">{move || steps.get()}</dd></div>
                    <div><dt>"Measured at step"</dt><dd data-testid="fam-measured">{move || measured.get().map(|m| m.steps.to_string()).unwrap_or_else(|| "—".to_owned())}</dd></div>
                </dl>
                <div class="families-grid">
                    <figure class="family">
                        <figcaption><strong>"The data"</strong>" "<span class="muted">{move || if drawing.get() { "draw here" } else { "2,000 points; the first 400 are the yardstick" }}</span></figcaption>
                        <PlotCanvas label=Signal::derive(move || {
                            let pre = if drawing.get() { format!("{} ", sketch::instructions(state.with(|s| s.points.len()), sk.cursor.get())) } else { String::new() };
                            pre + &format!("The training data: {}.", state.with(|s| s.source.title()))
                        }) aspect=1.0 draw=move |area: &Area, ctx: &PlotCtx| {
                            let _ = noise_score.get(); // set on every reset: new data
                            ctx.dots(&data_px(ctx), ctx.px(2.0), ctx.palette.muted, true, 0.0);
                            if drawing.get() {
                                let mut drawn = state.with(|s| s.points.clone());
                                drawn.extend(sk.stroke.get());
                                sketch::draw(area, ctx, &drawn, sk.cursor.get(), |x, y| { let (a, b) = to_px(ctx, x, y); (a as i32, b as i32) });
                            }
                        } on_pointer=sk.on_pointer pointer_active=Signal::derive(move || drawing.get()) on_key=sk.on_key keys_active=Signal::derive(move || drawing.get()) alt_title="Show the data as text">
                            <p>{move || run.with_value(|r| r.as_ref().map(|r| format!("{} training points; the first ones: {}", r.f.diffusion.data().len() / 2, r.yard.real.chunks_exact(2).take(5).map(|q| format!("({:.2}, {:.2})", q[0], q[1])).collect::<Vec<_>>().join(", "))).unwrap_or_default())}</p>
                        </PlotCanvas>
                    </figure>
                    {family_plot(0)}
                    {family_plot(1)}
                    {family_plot(2)}
                </div>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Scores of the three families (scrolls sideways)"><table class="data-table" data-testid="fam-table">
                    <caption>"The same yardstick for all three: samples against 400 of the data points"</caption>
                    <thead><tr>
                        <th scope="col">"Model"</th><th scope="col">"Steps"</th><th scope="col">"Training time"</th>
                        <th scope="col">"MMD² (lower is better)"</th><th scope="col">"Precision"</th><th scope="col">"Recall"</th><th scope="col">"Modes covered"</th>
                    </tr></thead>
                    <tbody>
                        {(0..3).map(|k| view! {
                            <tr>
                                <th scope="row">{NAMES[k]}</th>
                                <td>{move || measured.get().map(|m| m.steps.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
                                <td>{move || measured.get().map(|m| format!("{:.2} s", m.ms[k] / 1000.0)).unwrap_or_else(|| "—".to_owned())}</td>
                                {(0..4).map(|c| view! { <td data-testid=format!("fam-{}-{}", NAMES[k].to_lowercase(), ["mmd", "precision", "recall", "modes"][c])>{move || measured.get().map(|m| fmt_score(&m.scores[k], modes_of())[c].clone()).unwrap_or_else(|| "—".to_owned())}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                        <tr>
                            <th scope="row">"Gaussian noise (no training)"</th><td>"0"</td><td>"—"</td>
                            {(0..4).map(|c| view! { <td>{move || noise_score.get().map(|s| fmt_score(&s, modes_of())[c].clone()).unwrap_or_else(|| "—".to_owned())}</td> }).collect_view()}
                        </tr>
                    </tbody>
                </table></div>
                <PlotCanvas label=Signal::derive(move || format!("MMD² of each family's samples against the data over {} training steps (lower is better).", steps.get())) aspect=0.35 draw=move |area: &Area, ctx: &PlotCtx| {
                    curve.with(|c| {
                        let x_max = c.last().map(|p| p.0).unwrap_or(1.0).max(1.0);
                        let y_max = c.iter().flat_map(|p| p.1).filter(|v| v.is_finite()).fold(0.01, f64::max) * 1.05;
                        let lines: Vec<Vec<(f64, f64)>> = (0..3).map(|k| c.iter().map(|p| (p.0, p.1[k])).collect()).collect();
                        line_chart(area, ctx, "training step (each family)", "MMD²", x_max, 0.0..y_max, &[
                            Line { points: &lines[0], color: ctx.palette.series[0] },
                            Line { points: &lines[1], color: ctx.palette.series[1] },
                            Line { points: &lines[2], color: ctx.palette.series[2] },
                        ]);
                    });
                } alt_title="Show the curve as a table">
                    <table class="data-table">
                        <caption>"MMD² per measurement"</caption>
                        <thead><tr><th scope="col">"Step"</th><th scope="col">"GAN"</th><th scope="col">"VAE"</th><th scope="col">"Diffusion"</th></tr></thead>
                        <tbody>{move || curve.with(|c| c.iter().rev().take(20).map(|(s, v)| view! { <tr><td>{*s as u64}</td><td>{format!("{:.4}", v[0])}</td><td>{format!("{:.4}", v[1])}</td><td>{format!("{:.4}", v[2])}</td></tr> }).collect_view())}</tbody>
                    </table>
                </PlotCanvas>
                <p class="muted">"Blue: GAN; orange: VAE; green: diffusion (the colours of the plots above)."</p>
                <details>
                    <summary>"How they are set up and measured"</summary>
                    <p>
                        "All three use networks with two hidden layers of 64 units, Adam, and batches of 128 of the same 2,000 points; each press of "
                        "“One step each” (and each turn of the training loop) does one optimiser step for each family, and the time each family's steps take is counted separately. "
                        "The GAN's generator maps 2-D Gaussian noise to a point, against a discriminator (non-saturating loss). "
                        "The VAE has a 2-D latent and a Gaussian decoder with a fixed spread σ = " {format!("{VAE_SIGMA}")} "; its samples are z ~ N(0, I), decoded, plus that noise. "
                        "The diffusion model predicts the noise added over 50 cosine-scheduled steps and samples with " {SAMPLE_STEPS.to_string()} " DDIM steps."
                    </p>
                    <p>
                        "MMD² (maximum mean discrepancy) compares two point clouds through a kernel that measures closeness at three scales (0.05, 0.2 and 0.8): "
                        "zero when the clouds match. Precision is the share of samples that land inside the data's region (each data point's ball reaching its 3rd nearest neighbour); "
                        "recall is the share of data points inside the samples' region: a model that copies one mode has high precision and low recall. "
                        "Modes covered counts the separate clusters (ring and two-Gaussian presets) holding at least half their fair share of samples. "
                        "This is a toy on 2-D points, measured on 400 samples, so figures move a little from one measurement to the next."
                    </p>
                </details>
            </div>
        </WidgetFrame>
    }
}
