//! The reverse half of the digits widget: a 4 × 4 grid of samples generated from pure noise, step by
//! step, by either the exact optimal denoiser (which can only reproduce its training set) or a small
//! network trained by our own core (shipped pretrained, trainable further here), with the toy prompt
//! "a 3" steering either through classifier-free guidance.

use super::diffusion::{DiffState, Sampler, T, TRAIN};
use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::assets;
use crate::shell::plot::{line_chart, push_thinned, Area, Line, PlotCanvas, PlotCtx};
use genai_core::diffusion::digit_model::PRETRAINED_STEPS;
use genai_core::diffusion::learned::LearnedDiffusion;
use genai_core::diffusion::{ddim_step, ddpm_step, digit_model, guide, implied_clean, implied_noise, median_nearest_other, nearest_item, optimal_denoise, sampling_times, Digits, Schedule};
use genai_core::nn::Mlp;
use genai_core::query::Choice;
use genai_core::rng::Rng;
use leptos::html::Div;
use crate::shell::widget::Loading;
use leptos::prelude::*;
use std::rc::Rc;

/// Samples generated at once (a 4 × 4 grid).
pub const GRID: usize = 16;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Denoiser {
    /// The exact posterior mean over the training set.
    #[default]
    Optimal,
    /// The network.
    Learned,
}

impl Choice for Denoiser {
    const ALL: &'static [Denoiser] = &[Denoiser::Optimal, Denoiser::Learned];
    fn key(self) -> &'static str {
        match self {
            Denoiser::Optimal => "optimal",
            Denoiser::Learned => "learned",
        }
    }
}

/// A reverse run in progress: `GRID` samples of 64 pixels.
#[derive(Clone, Debug, Default)]
struct Run {
    x: Vec<f32>,
    x0_hat: Vec<f32>,
    times: Vec<usize>,
    /// Index into `times` of the current t.
    k: usize,
    /// The optimal denoiser's weights over the training digits, for sample 1.
    weights: Vec<f64>,
    /// When sample 1 committed: the first t at which one training digit held over 90 % of the weight.
    committed: Option<(usize, usize)>,
    rng: Option<Rng>,
    /// The requested class's training digits (indices, and their pixels), for the optimal denoiser.
    members: Vec<usize>,
    subset: Vec<f32>,
}

impl Run {
    fn done(&self) -> bool {
        self.rng.is_some() && self.k + 1 >= self.times.len()
    }
}

/// The learned model's life: not asked for yet, loading, ready, or failed.
#[derive(Clone, Debug, PartialEq)]
enum ModelState {
    Idle,
    Loading,
    Ready,
    Failed(String),
}

/// One optimal-denoiser reverse step for every sample of `r`.
fn optimal_step(sch: &Schedule, d: &Digits, s: &DiffState, r: &mut Run) {
    let (t, t_prev) = (r.times[r.k], r.times[r.k + 1]);
    let train = &d.pixels[..TRAIN.min(d.len()) * 64];
    let (mut eps, mut x0, mut x0c, mut epsc, mut w, mut wc, mut z) = (vec![0.0f32; 64], vec![0.0f32; 64], vec![0.0f32; 64], vec![0.0f32; 64], Vec::new(), Vec::new(), vec![0.0f32; 64]);
    for i in 0..GRID {
        let x = &mut r.x[i * 64..(i + 1) * 64];
        optimal_denoise(sch, train, 64, x, t, &mut x0, &mut w);
        implied_noise(sch, x, &x0, t, &mut eps);
        if s.class >= 0 && !r.subset.is_empty() {
            // The conditional denoiser sees only the requested class's digits; guidance mixes its
            // noise prediction with the unconditional one.
            optimal_denoise(sch, &r.subset, 64, x, t, &mut x0c, &mut wc);
            implied_noise(sch, x, &x0c, t, &mut epsc);
            guide(&mut eps, &epsc, s.guidance as f32);
            implied_clean(sch, x, &eps, t, &mut x0);
            if i == 0 && s.guidance > 0.0 {
                w = vec![0.0; w.len()];
                for (k, &m) in r.members.iter().enumerate() {
                    w[m] = wc[k];
                }
            }
        }
        match s.sampler {
            Sampler::Ddim => ddim_step(sch, x, &x0, &eps, t_prev),
            Sampler::Ddpm => {
                if let Some(rng) = r.rng.as_mut() {
                    rng.fill_normal(&mut z);
                }
                ddpm_step(sch, x, &eps, &z, t, t_prev);
            }
        }
        r.x0_hat[i * 64..(i + 1) * 64].copy_from_slice(&x0);
        if i == 0 {
            r.weights = w.clone();
            if r.committed.is_none() {
                if let Some((k, _)) = w.iter().enumerate().find(|(_, &v)| v > 0.9) {
                    r.committed = Some((k, t));
                }
            }
        }
    }
}

/// Draws square images of `side` × `side` pixels (values in [−1, 1], black to white) in a grid of
/// `cols` columns inside the box (x, y, w, h) of device pixels, a small gap between.
pub fn draw_grid(ctx: &PlotCtx, images: &[&[f32]], side: usize, cols: usize, (x0, y0, w, h): (f64, f64, f64, f64)) {
    let cols = cols.max(1);
    let rows = images.len().div_ceil(cols).max(1);
    let gap = ctx.px(4.0);
    let size = ((w - gap * (cols as f64 - 1.0)) / cols as f64).min((h - gap * (rows as f64 - 1.0)) / rows as f64);
    let left = (w - (size * cols as f64 + gap * (cols as f64 - 1.0))) / 2.0;
    for (k, img) in images.iter().enumerate() {
        let (c, r) = ((k % cols) as f64, (k / cols) as f64);
        let rgba: Vec<u8> = img
            .iter()
            .flat_map(|&v| {
                let g = if v.is_finite() { ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8 } else { 0 };
                [g, g, g, 255]
            })
            .collect();
        ctx.image(&rgba, side as u32, side as u32, (x0 + left + c * (size + gap), y0 + r * (size + gap), size, size), false);
    }
}

#[component]
pub fn ReverseSection(state: RwSignal<DiffState>, digits: StoredValue<Option<Rc<Digits>>, LocalStorage>, version: RwSignal<u32>, root: NodeRef<Div>) -> impl IntoView {
    let st = move || state.get();
    let schedule = Memo::new(move |_| state.with(|s| s.schedule).build());
    let run = StoredValue::new_local(Run::default());
    let run_version = RwSignal::new(0u32);

    // The learned denoiser: weights fetched when first asked for, kept to restore after live training.
    let model = StoredValue::new_local(None::<LearnedDiffusion>);
    let shipped = StoredValue::new_local(None::<Rc<Vec<u8>>>);
    let model_state = RwSignal::new(ModelState::Idle);
    let trained_live = RwSignal::new(0u64);
    let losses = RwSignal::new(Vec::<(f64, f64)>::new());
    let last_record = StoredValue::new(f64::NEG_INFINITY);
    let diverged = RwSignal::new(false);
    let rate = RwSignal::new(None::<f64>);
    let rate_mark = StoredValue::new((0u64, 0.0f64));

    let build_model = move || -> Result<(), String> {
        let d = digits.get_value().ok_or("the digits are not loaded yet")?;
        let bytes = shipped.get_value().ok_or("the weights are not loaded yet")?;
        let net = Mlp::from_bytes(&bytes).map_err(|e| format!("The network weights are damaged: {e}. Reload the page; if it persists, the site's copy is broken."))?;
        let mut m = digit_model::model(&d, Some(net), state.with_untracked(|s| s.seed)).map_err(|e| format!("The network weights do not fit this model: {e}."))?;
        m.set_learning_rate(state.with_untracked(|s| s.lr) as f32);
        model.set_value(Some(m));
        trained_live.set(0);
        losses.set(Vec::new());
        diverged.set(false);
        Ok(())
    };
    Effect::new(move |_| {
        let wanted = state.with(|s| s.denoiser) == Denoiser::Learned;
        let _ = version.get();
        if !wanted || model_state.get_untracked() != ModelState::Idle || digits.with_value(|d| d.is_none()) {
            return;
        }
        model_state.set(ModelState::Loading);
        leptos::task::spawn_local(async move {
            let result = match assets::fetch_bytes("diffusion/denoiser.bin").await {
                Ok(b) => {
                    shipped.set_value(Some(Rc::new(b)));
                    build_model()
                }
                Err(e) => Err(e),
            };
            model_state.set(match result {
                Ok(()) => ModelState::Ready,
                Err(e) => ModelState::Failed(e),
            });
            run.set_value(Run::default());
            run_version.update(|v| *v += 1);
        });
    });
    Effect::new(move |_| {
        let lr = state.with(|s| s.lr) as f32;
        model.update_value(|m| {
            if let Some(m) = m {
                m.set_learning_rate(lr);
            }
        });
    });

    let start_run = move || {
        let s = state.get_untracked();
        let mut rng = Rng::new(s.seed ^ 0xd1ff);
        let mut x = vec![0.0f32; GRID * 64];
        rng.fill_normal(&mut x);
        let (mut members, mut subset) = (Vec::new(), Vec::new());
        if let (true, Some(d)) = (s.class >= 0, digits.get_value()) {
            members = (0..TRAIN.min(d.len())).filter(|&i| d.labels[i] as i64 == s.class).collect();
            subset = members.iter().flat_map(|&i| d.image(i).to_vec()).collect();
        }
        run.set_value(Run { x, x0_hat: vec![0.0; GRID * 64], times: sampling_times(T, s.steps as usize), k: 0, weights: Vec::new(), committed: None, rng: Some(rng), members, subset });
        run_version.update(|v| *v += 1);
    };
    let reverse_step = move || -> bool {
        let Some(d) = digits.get_value() else { return false };
        let s = state.get_untracked();
        let more = schedule.with_untracked(|sch| {
            run.try_update_value(|r| {
                if r.rng.is_none() || r.done() {
                    return false;
                }
                match s.denoiser {
                    Denoiser::Optimal => optimal_step(sch, &d, &s, r),
                    Denoiser::Learned => {
                        let (t, t_prev) = (r.times[r.k], r.times[r.k + 1]);
                        let class = (s.class >= 0).then_some(s.class as u8);
                        let stepped = model.try_update_value(|m| {
                            let (Some(m), Some(rng)) = (m.as_mut(), r.rng.as_mut()) else { return None };
                            Some(m.reverse_step_under(sch, &mut r.x, t, t_prev, s.sampler == Sampler::Ddpm, class, s.guidance as f32, rng))
                        });
                        match stepped.flatten() {
                            Some(x0) => r.x0_hat = x0,
                            None => return false,
                        }
                    }
                }
                r.k += 1;
                !r.done()
            })
            .unwrap_or(false)
        });
        run_version.update(|v| *v += 1);
        more
    };
    let reverse_anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: 1 }, move |f: FrameInfo| {
        if run.with_value(|r| r.rng.is_none() || r.done()) {
            start_run();
        }
        f.repeat(reverse_step);
    });
    Effect::new(move |_| {
        let _ = run_version.get();
        if run.with_value(|r| r.done()) {
            reverse_anim.pause();
        }
    });
    // New settings, new run.
    Effect::new(move |_| {
        let _ = state.with(|s| (s.seed, s.sampler, s.steps, s.schedule, s.class, s.guidance.to_bits(), s.denoiser));
        let _ = version.get();
        run.set_value(Run::default());
        run_version.update(|v| *v += 1);
    });

    // Training the network further, live.
    let train = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        if diverged.get_untracked() {
            return;
        }
        let mut loss = 0.0f32;
        let mut ok = true;
        let mut steps = 0u64;
        model.update_value(|m| {
            let Some(m) = m.as_mut() else { return };
            f.repeat(|| {
                loss = m.train_step();
                steps += 1;
                ok = loss.is_finite() && loss < 1e6;
                ok
            });
            ok = ok && m.is_finite();
        });
        trained_live.update(|n| *n += steps);
        let now = now_ms();
        let total = trained_live.get_untracked();
        let (mark_steps, mark_t) = rate_mark.get_value();
        if now - mark_t >= 1000.0 {
            if mark_t > 0.0 && total > mark_steps {
                rate.set(Some((total - mark_steps) as f64 / ((now - mark_t) / 1000.0)));
            }
            rate_mark.set_value((total, now));
        }
        if !ok {
            diverged.set(true);
        } else if f.single_step || now - last_record.get_value() >= 100.0 {
            last_record.set_value(now);
            losses.update(|l| push_thinned(l, ((PRETRAINED_STEPS + total) as f64, loss as f64), 600));
        }
    });
    Effect::new(move |_| {
        if diverged.get() {
            train.pause();
        }
    });
    Effect::new(move |_| {
        if !train.playing.get() {
            rate_mark.set_value((trained_live.get_untracked(), 0.0));
        }
    });
    let restore = move || {
        train.pause();
        if let Err(e) = build_model() {
            model_state.set(ModelState::Failed(e));
        }
        run.set_value(Run::default());
        run_version.update(|v| *v += 1);
    };

    // For scale: how far apart are two training digits? (200 digits against all the others.)
    let typical_gap = Memo::new(move |_| {
        let _ = version.get();
        let d = digits.get_value()?;
        median_nearest_other(&d.pixels, 64, d.len().div_ceil(200))
    });

    /// What the reverse run shows.
    #[derive(Clone, PartialEq)]
    struct View {
        x: Vec<f32>,
        x0: Vec<f32>,
        t: usize,
        top: Vec<(usize, f64)>,
        committed: Option<(usize, usize)>,
        done: bool,
        /// Per sample: the nearest training digit, its label and the distance (when done).
        nearest: Vec<(usize, u8, f32)>,
        denoiser: Denoiser,
    }
    let reverse_view = Memo::new(move |_| {
        let _ = run_version.get();
        let d = digits.get_value()?;
        let denoiser = state.with(|s| s.denoiser);
        run.with_value(|r| {
            if r.rng.is_none() {
                return None;
            }
            let t = r.times.get(r.k).copied().unwrap_or(0);
            let mut top: Vec<(usize, f64)> = r.weights.iter().copied().enumerate().collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1));
            top.truncate(5);
            let done = r.done();
            // The optimal denoiser knows the first TRAIN digits; the network was trained on all.
            let train = &d.pixels[..if denoiser == Denoiser::Optimal { TRAIN.min(d.len()) } else { d.len() } * 64];
            let nearest = if done { r.x.chunks_exact(64).filter_map(|x| nearest_item(train, 64, x)).map(|(i, dist)| (i, d.labels[i], dist)).collect() } else { Vec::new() };
            Some(View { x: r.x.clone(), x0: r.x0_hat.clone(), t, top, committed: r.committed, done, nearest, denoiser })
        })
    });

    let top_words = move || reverse_view.with(|v| v.as_ref().map(|v| v.top.iter().map(|(i, w)| format!("#{i} ({:.0} %)", w * 100.0)).collect::<Vec<_>>().join(", ")).unwrap_or_default());
    let verdict = move || {
        reverse_view.with(|v| {
            let v = v.as_ref().filter(|v| v.done)?;
            let mut dists: Vec<f32> = v.nearest.iter().map(|n| n.2).collect();
            dists.sort_by(|a, b| a.total_cmp(b));
            let m = dists.get(dists.len() / 2).copied()?;
            let copies = dists.iter().filter(|&&d| d < 0.05).count();
            let class = state.with(|s| s.class);
            let on_class = v.nearest.iter().filter(|n| n.1 as i64 == class).count();
            let gap = typical_gap.get().map(|g| format!(" Two different training digits are typically {g:.2} apart.")).unwrap_or_default();
            let prompt = if class >= 0 { format!(" {on_class} of {GRID} are nearest to a training {class}.") } else { String::new() };
            Some(match v.denoiser {
                Denoiser::Optimal => format!("Finished. Median distance to the nearest training digit: {m:.3}; {copies} of {GRID} samples are copies of a training digit (distance < 0.05).{gap}{prompt} The perfect denoiser can only reproduce its training images: a model that makes new ones must be imperfect in just the right way."),
                Denoiser::Learned => format!("Finished. Median distance to the nearest training digit: {m:.3}; {copies} of {GRID} samples are copies (distance < 0.05).{gap}{prompt} These are new images: the network learned what digits look like rather than storing them."),
            })
        })
    };
    let model_ready = move || model_state.get() == ModelState::Ready;
    let blocked = move || st().denoiser == Denoiser::Learned && !model_ready();
    view! {
        <h3>"Reverse: generating from noise"</h3>
        <p>
            "Start from pure noise and remove it step by step. Which denoiser removes it makes all the difference: "
            "the " <em>"optimal"</em> " one computes, for the noisy image, exactly how likely each of " {TRAIN} " training digits is to be underneath "
            "and predicts their weighted average — no network can do better on its training set. The " <em>"learned"</em> " one is a small network "
            "that had to generalise."
        </p>
        <fieldset class="radio-row">
            <legend>"Denoiser"</legend>
            {Denoiser::ALL.iter().map(|&k| view! {
                <label class="radio">
                    <input type="radio" name="diff-denoiser" prop:checked=move || st().denoiser == k on:change=move |_| state.update(|s| s.denoiser = k)/>
                    {if k == Denoiser::Optimal { "Optimal (exact, for 500 training digits)" } else { "Learned network (trained by this site's code)" }}
                </label>
            }).collect_view()}
        </fieldset>
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
        {move || match (st().denoiser, model_state.get()) {
            (Denoiser::Learned, ModelState::Loading | ModelState::Idle) => Some(view! { <Loading label="Loading the network" text="Loading the trained network (212 KB)…"/> }.into_any()),
            (Denoiser::Learned, ModelState::Failed(msg)) => Some(view! { <p class="notice" role="alert">{msg}</p> }.into_any()),
            _ => None,
        }}
        <div class:disabled-block=blocked>
            <LoopControls anim=reverse_anim play_label="Generate 16 digits" step_label="One denoising step"/>
        </div>
        // The views stay in place while a run animates; only their drawings and texts change.
        <Show when=move || reverse_view.with(|v| v.is_some())>
            <div class="diff-reverse">
                <div>
                    <PlotCanvas label=Signal::derive(move || format!("{GRID} samples at t = {} (left) and the denoiser's guesses x̂₀ of their clean images (right).", reverse_view.with(|v| v.as_ref().map(|v| v.t).unwrap_or(0))))
                        aspect=0.5 draw=move |_a: &Area, ctx: &PlotCtx| {
                        reverse_view.with(|v| {
                            let Some(v) = v else { return };
                            let samples: Vec<&[f32]> = v.x.chunks(64).collect();
                            let guesses: Vec<&[f32]> = v.x0.chunks(64).collect();
                            let (w, h) = (ctx.width as f64, ctx.height as f64);
                            let gap = ctx.px(12.0);
                            draw_grid(ctx, &samples, 8, 4, (0.0, 0.0, (w - gap) / 2.0, h));
                            draw_grid(ctx, &guesses, 8, 4, ((w + gap) / 2.0, 0.0, (w - gap) / 2.0, h));
                        });
                    } alt_title="About these images">
                        <p>"Left: the 16 samples being denoised. Right: the denoiser's current estimate of each clean image. When finished, the table below lists each sample's nearest training digit."</p>
                    </PlotCanvas>
                    <p data-testid="diff-reverse-t">{move || format!("t = {}", reverse_view.with(|v| v.as_ref().map(|v| v.t).unwrap_or(0)))}</p>
                </div>
                <Show when=move || st().denoiser == Denoiser::Optimal>
                    <div>
                        <PlotCanvas label=Signal::derive(move || format!("For sample 1, the five training digits with the largest weight: {}.", top_words()))
                            aspect=0.2 draw=move |_a: &Area, ctx: &PlotCtx| {
                            let d = digits.get_value();
                            let Some(d) = d else { return };
                            let top: Vec<usize> = reverse_view.with(|v| v.as_ref().map(|v| v.top.iter().map(|t| t.0).collect()).unwrap_or_default());
                            let thumbs: Vec<&[f32]> = top.iter().map(|&i| d.image(i)).collect();
                            draw_grid(ctx, &thumbs, 8, 5, (0.0, 0.0, ctx.width as f64, ctx.height as f64));
                        } alt_title="Weights as text">
                            <p>{top_words}</p>
                        </PlotCanvas>
                        <p class="muted">"Sample 1 (top left): the weights of its most likely training digits. Watch the moment one of them takes over."</p>
                        <p data-testid="diff-committed" aria-live="polite">{move || reverse_view.with(|v| v.as_ref().and_then(|v| v.committed).map(|(k, t)| format!("Sample 1 committed to training digit #{k} at t = {t}: from here on the denoiser only sharpens that one image.")))}</p>
                    </div>
                </Show>
                <p data-testid="diff-verdict" aria-live="polite">{verdict}</p>
                {move || reverse_view.with(|v| v.as_ref().filter(|v| v.done).map(|v| {
                    let rows = v.nearest.iter().enumerate().map(|(k, (i, l, dist))| view! { <tr><td>{k + 1}</td><td>{format!("#{i}")}</td><td>{*l}</td><td>{format!("{dist:.3}")}</td></tr> }).collect_view();
                    view! {
                        <details class="alt">
                            <summary>"Each sample's nearest training digit"</summary>
                            <table class="data-table" data-testid="diff-nearest">
                                <thead><tr><th scope="col">"Sample"</th><th scope="col">"Nearest training digit"</th><th scope="col">"Its label"</th><th scope="col">"Distance"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </details>
                    }
                }))}
            </div>
        </Show>
        <Show when=move || st().denoiser == Denoiser::Learned && model_ready()>
            <h4>"Train the network further"</h4>
            <p>
                "The network (64 pixels + 16 time features + a one-hot class → 256 → 256 → 64, SiLU) arrives trained for "
                {PRETRAINED_STEPS.to_string()} " steps by " <code>"tools/diffusion/train_denoiser.rs"</code> ", which uses this site's own Rust core. "
                "It is told the noise level (as a log signal-to-noise ratio) rather than the step number, so it works under either schedule. "
                "One time in ten its class input is blanked during training, so the same network can answer with and without the prompt — what guidance needs. "
                "Its learning rate was lowered to almost zero at the end of pretraining: start small here, or watch a large rate undo the work."
            </p>
            <div class="controls-row">
                <LoopControls anim=train play_label="Train further" step_label="One training step"/>
                <label class="field" for="diff-lr">
                    <span>"Learning rate"</span>
                    <select id="diff-lr" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|s| s.lr = v) } }>
                        {[1e-5f64, 1e-4, 3e-4, 1e-3, 1e-2, 1e-1, 1.0].into_iter().map(|r| view! { <option value=r.to_string() prop:selected=move || st().lr == r>{r.to_string()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" class="btn" on:click=move |_| restore()>"Restore the shipped weights"</button>
            </div>
            <Show when=move || diverged.get()>
                <div class="error-panel" role="alert"><strong>"Training diverged."</strong>" The loss or a weight became infinite (a learning rate this large overshoots). "
                    <button type="button" class="btn btn-small" on:click=move |_| restore()>"Restore the shipped weights"</button></div>
            </Show>
            <dl class="stats" aria-live="polite">
                <div><dt>"Steps trained here"</dt><dd data-testid="diff-live-steps">{move || trained_live.get()}</dd></div>
                <div><dt>"Steps per second"</dt><dd data-testid="diff-live-rate">{move || rate.get().map(|r| format!("{r:.0}")).unwrap_or_else(|| "—".to_owned())}</dd></div>
                <div><dt>"Latest loss"</dt><dd>{move || losses.with(|l| l.last().map(|p| format!("{:.4}", p.1)).unwrap_or_else(|| "—".to_owned()))}</dd></div>
            </dl>
            <PlotCanvas label=Signal::derive(move || format!("Training loss of the live steps, {} so far.", trained_live.get())) aspect=0.4 draw=move |area: &Area, ctx: &PlotCtx| {
                losses.with(|l| {
                    let x_lo = PRETRAINED_STEPS as f64;
                    let pts: Vec<(f64, f64)> = l.iter().map(|p| (p.0 - x_lo, p.1)).collect();
                    let x_max = pts.last().map(|p| p.0).unwrap_or(1.0).max(1.0);
                    let y_max = pts.iter().map(|p| p.1).fold(0.05, f64::max).min(2.0) * 1.05;
                    line_chart(area, ctx, "steps trained here", "loss", x_max, 0.0..y_max, &[Line { points: &pts, color: ctx.palette.series[0] }]);
                });
            } alt_title="Show the latest losses">
                <p>{move || losses.with(|l| l.iter().rev().take(5).map(|(s, v)| format!("step {s}: {v:.4}")).collect::<Vec<_>>().join("; "))}</p>
            </PlotCanvas>
        </Show>
    }
}
