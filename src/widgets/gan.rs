//! GAN training live: a generator and a discriminator on 2-D points, trained in the page.

use crate::shell::anim::{use_animation_loop, FrameInfo, LoopControls, LoopOptions};
use crate::shell::checkpoint::Checkpoint;
use crate::shell::controls::flag_checkbox;
use crate::shell::dom;
use crate::shell::plot::{Area, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use genai_core::gan::{modes_covered, Gan, GanConfig, GanLoss, Preset};
use genai_core::nn::Activation;
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use leptos::prelude::*;
use plotters::prelude::*;

pub const META_ID: &str = "gan";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "gan", title: "GAN training", embed_height: 980 };

/// The plotted square: [−EXTENT, EXTENT]².
const EXTENT: f32 = 2.6;
const HEAT_CELLS: usize = 36;
const SHOWN_POINTS: usize = 300;
const HISTORY_MAX: usize = 600;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LossChoice(pub GanLoss);

impl Choice for LossChoice {
    const ALL: &'static [LossChoice] = &[LossChoice(GanLoss::NonSaturating), LossChoice(GanLoss::Minimax), LossChoice(GanLoss::LeastSquares)];
    fn key(self) -> &'static str {
        match self.0 {
            GanLoss::NonSaturating => "non-saturating",
            GanLoss::Minimax => "minimax",
            GanLoss::LeastSquares => "least-squares",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct GanState {
    pub preset: Preset,
    pub loss: LossChoice,
    pub adam: bool,
    pub lr_d: f64,
    pub lr_g: f64,
    pub layers: i64,
    pub neurons: i64,
    pub k_d: i64,
    pub batch: i64,
    pub seed: u64,
    /// Draw the generator's manifold (the warped noise grid).
    pub manifold: bool,
    /// Draw the gradient arrows on generated samples.
    pub arrows: bool,
}

impl Default for GanState {
    fn default() -> Self {
        GanState { preset: Preset::Ring, loss: LossChoice(GanLoss::NonSaturating), adam: true, lr_d: 1e-3, lr_g: 1e-3, layers: 2, neurons: 32, k_d: 1, batch: 128, seed: 1, manifold: false, arrows: false }
    }
}

impl UrlState for GanState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("preset", self.preset);
        w.choice("loss", self.loss);
        w.flag("adam", self.adam);
        w.float("lr_d", self.lr_d);
        w.float("lr_g", self.lr_g);
        w.int("layers", self.layers);
        w.int("neurons", self.neurons);
        w.int("k_d", self.k_d);
        w.int("batch", self.batch);
        w.seed("seed", self.seed);
        w.flag("manifold", self.manifold);
        w.flag("arrows", self.arrows);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = GanState::default();
        GanState {
            preset: r.choice("preset", d.preset),
            loss: r.choice("loss", d.loss),
            adam: r.flag("adam", d.adam),
            lr_d: r.float("lr_d", 1e-5..=1.0, d.lr_d),
            lr_g: r.float("lr_g", 1e-5..=1.0, d.lr_g),
            layers: r.int("layers", 1..=3, d.layers),
            neurons: r.int("neurons", 2..=128, d.neurons),
            k_d: r.int("k_d", 1..=5, d.k_d),
            batch: r.int("batch", 8..=512, d.batch),
            seed: r.seed("seed", d.seed),
            manifold: r.flag("manifold", d.manifold),
            arrows: r.flag("arrows", d.arrows),
        }
    }
}

fn build(s: &GanState) -> (Gan, Vec<f32>) {
    let mut rng = Rng::new(s.seed ^ 0x5eed);
    let data = s.preset.sample(4096, &mut rng);
    let shown = data[..2 * SHOWN_POINTS].to_vec();
    let hidden = vec![s.neurons as usize; s.layers as usize];
    let cfg = GanConfig {
        g_hidden: hidden.clone(),
        d_hidden: hidden,
        activation: Activation::Relu,
        loss: s.loss.0,
        adam: s.adam,
        lr_d: s.lr_d as f32,
        lr_g: s.lr_g as f32,
        k_d: s.k_d as usize,
        batch: s.batch as usize,
        seed: s.seed,
        ..GanConfig::default()
    };
    (Gan::new(cfg, data), shown)
}

/// What the views show, refreshed once per frame.
#[derive(Clone, Debug, Default, PartialEq)]
struct Snapshot {
    iteration: u64,
    fake: Vec<f32>,
    heat: Vec<f32>,
    d_loss: f32,
    g_loss: f32,
    modes: Option<(usize, usize)>,
    manifold: Vec<Vec<f32>>,
    /// For the first generated points: the direction G's loss pushes them (x, y pairs).
    arrows: Vec<f32>,
}

const ARROWS: usize = 80;

fn snapshot(gan: &mut Gan, view: &GanState, d_loss: f32, g_loss: f32) -> Snapshot {
    let preset = view.preset;
    let fake = gan.generate(SHOWN_POINTS);
    let manifold = if view.manifold { gan.manifold(11, 40) } else { Vec::new() };
    let arrows = if view.arrows { gan.sample_gradients(&fake[..2 * ARROWS]) } else { Vec::new() };
    let mut grid = Vec::with_capacity(2 * HEAT_CELLS * HEAT_CELLS);
    for j in 0..HEAT_CELLS {
        for i in 0..HEAT_CELLS {
            let x = -EXTENT + (i as f32 + 0.5) * 2.0 * EXTENT / HEAT_CELLS as f32;
            let y = EXTENT - (j as f32 + 0.5) * 2.0 * EXTENT / HEAT_CELLS as f32;
            grid.extend([x, y]);
        }
    }
    let heat = gan.discriminate(&grid);
    let modes = preset.modes().map(|c| {
        let sample = gan.generate(1000);
        (modes_covered(&sample, &c, preset.mode_radius(), 0.5 / c.len() as f32 * 0.5), c.len())
    });
    Snapshot { iteration: gan.iteration, fake, heat, d_loss, g_loss, modes, manifold, arrows }
}

fn mix(a: RGBColor, b: RGBColor, t: f32) -> RGBColor {
    let l = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t).round() as u8;
    RGBColor(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

fn draw_field(area: &Area, ctx: &PlotCtx, real: &[f32], snap: &Snapshot) {
    let p = &ctx.palette;
    let (w, h) = (ctx.width as f32, ctx.height as f32);
    let size = w.min(h);
    let (ox, oy) = ((w - size) / 2.0, (h - size) / 2.0);
    let to_px = |x: f32, y: f32| (((x + EXTENT) / (2.0 * EXTENT) * size + ox) as i32, ((EXTENT - y) / (2.0 * EXTENT) * size + oy) as i32);
    let cell = size / HEAT_CELLS as f32;
    // D(x): surface colour at 0.5, towards series 1 (real) near 1 and series 2 (fake) near 0.
    for (k, &d) in snap.heat.iter().enumerate() {
        let (i, j) = ((k % HEAT_CELLS) as f32, (k / HEAT_CELLS) as f32);
        let c = if d >= 0.5 { mix(p.bg, p.series[0], (d - 0.5) * 0.9) } else { mix(p.bg, p.series[1], (0.5 - d) * 0.9) };
        let x0 = (ox + i * cell) as i32;
        let y0 = (oy + j * cell) as i32;
        let _ = area.draw(&Rectangle::new([(x0, y0), ((ox + (i + 1.0) * cell).ceil() as i32, (oy + (j + 1.0) * cell).ceil() as i32)], c.filled()));
    }
    let clamp = |v: f32| v.clamp(-EXTENT, EXTENT);
    let thin = ShapeStyle { color: p.muted.to_rgba(), filled: false, stroke_width: ctx.px(1.0).round().max(1.0) as u32 };
    for line in &snap.manifold {
        let pts: Vec<(i32, i32)> = line.chunks_exact(2).filter(|q| q[0].is_finite() && q[1].is_finite()).map(|q| to_px(clamp(q[0]), clamp(q[1]))).collect();
        let _ = area.draw(&PathElement::new(pts, thin));
    }
    let r = ctx.px(2.5).round() as i32;
    for q in real.chunks_exact(2) {
        let _ = area.draw(&Circle::new(to_px(q[0], q[1]), r, p.series[0].filled()));
    }
    for q in snap.fake.chunks_exact(2) {
        if q[0].is_finite() && q[1].is_finite() {
            let _ = area.draw(&Circle::new(to_px(q[0].clamp(-EXTENT, EXTENT), q[1].clamp(-EXTENT, EXTENT)), r, ShapeStyle { color: p.series[1].to_rgba(), filled: false, stroke_width: ctx.px(1.5).round() as u32 }));
        }
    }
}

fn draw_arrows(area: &Area, ctx: &PlotCtx, snap: &Snapshot) {
    let p = &ctx.palette;
    let (w, h) = (ctx.width as f32, ctx.height as f32);
    let size = w.min(h);
    let (ox, oy) = ((w - size) / 2.0, (h - size) / 2.0);
    let to_px = |x: f32, y: f32| ((x + EXTENT) / (2.0 * EXTENT) * size + ox, (EXTENT - y) / (2.0 * EXTENT) * size + oy);
    let longest = snap.arrows.chunks_exact(2).map(|g| g[0].hypot(g[1])).fold(1e-12f32, f32::max);
    let style = ShapeStyle { color: p.fg.to_rgba(), filled: false, stroke_width: ctx.px(1.2).round().max(1.0) as u32 };
    for (q, g) in snap.fake.chunks_exact(2).zip(snap.arrows.chunks_exact(2)) {
        if !(q[0].is_finite() && q[1].is_finite() && g[0].is_finite() && g[1].is_finite()) {
            continue;
        }
        let (x0, y0) = to_px(q[0].clamp(-EXTENT, EXTENT), q[1].clamp(-EXTENT, EXTENT));
        // Length ∝ gradient size, the longest drawn at 28 CSS px; screen y points down.
        let k = ctx.px(28.0) as f32 / longest;
        let (x1, y1) = (x0 + g[0] * k, y0 - g[1] * k);
        let _ = area.draw(&PathElement::new(vec![(x0 as i32, y0 as i32), (x1 as i32, y1 as i32)], style));
        let _ = area.draw(&Circle::new((x1 as i32, y1 as i32), ctx.px(1.5).round() as i32, p.fg.filled()));
    }
}

fn draw_losses(area: &Area, ctx: &PlotCtx, history: &[(u64, f32, f32)]) {
    let p = &ctx.palette;
    let max_it = history.last().map(|h| h.0 as f64).unwrap_or(1.0).max(1.0);
    let finite = history.iter().flat_map(|h| [h.1, h.2]).filter(|v| v.is_finite());
    let y_max = finite.fold(0.5f32, f32::max).min(10.0) as f64 * 1.1;
    let Ok(mut chart) = ChartBuilder::on(area)
        .margin(ctx.px(8.0) as i32)
        .x_label_area_size(ctx.px(26.0) as i32)
        .y_label_area_size(ctx.px(40.0) as i32)
        .build_cartesian_2d(0f64..max_it, 0f64..y_max)
    else {
        return;
    };
    let _ = chart
        .configure_mesh()
        .label_style(ctx.font(11.0, p.muted))
        .axis_style(p.muted)
        .bold_line_style(p.grid)
        .light_line_style(p.grid.mix(0.4))
        .x_desc("iteration")
        .axis_desc_style(ctx.font(11.0, p.muted))
        .x_labels(5)
        .y_labels(5)
        .draw();
    let width = ctx.px(2.0).round() as u32;
    let _ = chart.draw_series(LineSeries::new(history.iter().filter(|h| h.1.is_finite()).map(|h| (h.0 as f64, h.1 as f64)), ShapeStyle { color: p.series[0].to_rgba(), filled: false, stroke_width: width }));
    let _ = chart.draw_series(LineSeries::new(history.iter().filter(|h| h.2.is_finite()).map(|h| (h.0 as f64, h.2 as f64)), ShapeStyle { color: p.series[1].to_rgba(), filled: false, stroke_width: width }));
}

fn select<T: Clone + PartialEq + Send + Sync + 'static>(
    label: &'static str,
    id: &'static str,
    options: Vec<(String, T)>,
    value: Signal<T>,
    set: impl Fn(T) + Copy + 'static,
) -> impl IntoView {
    let opts = options.clone();
    view! {
        <label class="field" for=id>
            <span>{label}</span>
            <select id=id on:change=move |ev| {
                if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                    if let Some((_, v)) = opts.get(i) {
                        set(v.clone());
                    }
                }
            }>
                {options.into_iter().enumerate().map(|(i, (name, v))| view! {
                    <option value=i.to_string() prop:selected=move || value.get() == v>{name}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn GanWidget() -> impl IntoView {
    let url = use_url_state::<GanState>();
    let state = url.state;
    let root = NodeRef::<Div>::new();
    let (gan0, real0) = build(&state.get_untracked());
    let gan = StoredValue::new_local(gan0);
    let real = StoredValue::new(real0);
    let snap = RwSignal::new(Snapshot::default());
    let history = RwSignal::new(Vec::<(u64, f32, f32)>::new());
    let diverged = RwSignal::new(false);

    // Recomputes what the views show; `record` also appends the losses to the curves.
    let redraw = move |d: f32, g: f32, record: bool| {
        let view = state.get_untracked();
        let s = gan.try_update_value(|gan| snapshot(gan, &view, d, g));
        if let Some(s) = s {
            if record {
                history.update(|h| {
                    h.push((s.iteration, d, g));
                    if h.len() > HISTORY_MAX {
                        *h = h.iter().step_by(2).copied().collect();
                    }
                });
            }
            snap.set(s);
        }
    };
    let refresh = move |d: f32, g: f32| redraw(d, g, true);
    let reset = move || {
        let (g, r) = build(&state.get_untracked());
        gan.set_value(g);
        real.set_value(r);
        history.set(Vec::new());
        diverged.set(false);
        refresh(f32::NAN, f32::NAN);
    };
    // A change of what is trained starts a new run; a change of what is shown only redraws.
    let training = Memo::new(move |_| {
        let mut s = state.get();
        (s.manifold, s.arrows) = (false, false);
        s
    });
    Effect::new(move |prev: Option<()>| {
        training.track();
        if prev.is_some() {
            reset();
        } else {
            refresh(f32::NAN, f32::NAN);
        }
    });
    Effect::new(move |prev: Option<()>| {
        let _ = (state.with(|s| s.manifold), state.with(|s| s.arrows));
        if prev.is_some() {
            let last = snap.get_untracked();
            redraw(last.d_loss, last.g_loss, false);
        }
    });

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: 10 }, move |f: FrameInfo| {
        if diverged.get_untracked() {
            return;
        }
        let (mut d, mut g) = (0.0, 0.0);
        let ok = gan.try_update_value(|gan| {
            for _ in 0..f.work {
                let l = gan.step();
                d = l.d;
                g = l.g;
            }
            gan.is_finite() && d.is_finite() && g.is_finite() && d.abs() < 1e6 && g.abs() < 1e6
        });
        if ok == Some(false) {
            diverged.set(true);
        }
        refresh(d, g);
    });
    Effect::new(move |_| {
        if diverged.get() {
            anim.pause();
        }
    });
    // Step one network alone (GAN Lab's "step D" / "step G").
    let step_part = move |d: bool, g: bool| {
        anim.pause();
        if diverged.get_untracked() {
            return;
        }
        if let Some(l) = gan.try_update_value(|gan| gan.step_parts(d, g)) {
            refresh(if d { l.d } else { f32::NAN }, if g { l.g } else { f32::NAN });
        }
    };
    let export_csv = move |_| {
        let mut csv = String::from("iteration,d_loss,g_loss\n");
        for (i, d, g) in history.get_untracked() {
            csv.push_str(&format!("{i},{d},{g}\n"));
        }
        dom::download("gan-losses.csv", &dom::data_url("text/csv", &csv));
    };
    let export_png = move |_| {
        use wasm_bindgen::JsCast;
        let canvas = root
            .get_untracked()
            .and_then(|r| r.query_selector(".gan-losses canvas").ok().flatten())
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        if let Some(url) = canvas.and_then(|c| c.to_data_url().ok()) {
            dom::download("gan-losses.png", &url);
        }
    };
    // The checkpoint's answer: run the slow-discriminator setting now and count the modes.
    let collapse_answer = Callback::new(move |()| {
        let s = GanState { preset: Preset::Ring, lr_d: 1e-4, lr_g: 1e-3, adam: true, layers: 2, neurons: 32, k_d: 1, batch: 128, seed: 1, loss: LossChoice(GanLoss::NonSaturating), manifold: false, arrows: false };
        let (mut g, _) = build(&s);
        for _ in 0..2000 {
            g.step();
        }
        let centres = Preset::Ring.modes().unwrap_or_default();
        let covered = modes_covered(&g.generate(1000), &centres, Preset::Ring.mode_radius(), 0.5 / 8.0 * 0.5);
        let option = if covered >= 7 { 0 } else if covered >= 3 { 1 } else { 2 };
        Some((option, format!(
            "Trained just now (seed 1, 2,000 iterations): the generator covers {covered} of the 8 modes. A slow discriminator \
             gives poor, late feedback; the generator finds one or two places the discriminator accepts and keeps \
             producing them — mode collapse."
        )))
    });

    let field_label = Signal::derive(move || {
        let s = snap.get();
        format!(
            "Real points (filled) and generated points (rings) on the plane, over the discriminator's belief D(x): tinted towards real where D says real, towards fake where D says fake. Iteration {}.",
            s.iteration
        )
    });
    let loss_label = Signal::derive(move || {
        let s = snap.get();
        format!("Discriminator and generator loss over {} iterations; latest D {:.3}, G {:.3}.", s.iteration, s.d_loss, s.g_loss)
    });
    let st = move || state.get();
    let lrs: Vec<(String, f64)> = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1].iter().map(|&v| (format!("{v}"), v)).collect();

    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="gan" node_ref=root>
                <div class="controls-row">
                    {select("Real data", "gan-preset", Preset::ALL.iter().map(|&p| (p.title().to_owned(), p)).collect(), Signal::derive(move || st().preset), move |v| state.update(|s| s.preset = v))}
                    {select("Loss", "gan-loss", vec![("Non-saturating".to_owned(), LossChoice(GanLoss::NonSaturating)), ("Minimax (original)".to_owned(), LossChoice(GanLoss::Minimax)), ("Least squares".to_owned(), LossChoice(GanLoss::LeastSquares))], Signal::derive(move || st().loss), move |v| state.update(|s| s.loss = v))}
                    {select("Optimizer", "gan-opt", vec![("Adam".to_owned(), true), ("SGD".to_owned(), false)], Signal::derive(move || st().adam), move |v| state.update(|s| s.adam = v))}
                    {select("Discriminator learning rate", "gan-lr-d", lrs.clone(), Signal::derive(move || st().lr_d), move |v| state.update(|s| s.lr_d = v))}
                    {select("Generator learning rate", "gan-lr-g", lrs, Signal::derive(move || st().lr_g), move |v| state.update(|s| s.lr_g = v))}
                    {select("Hidden layers (G and D)", "gan-layers", (1..=3).map(|v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().layers), move |v| state.update(|s| s.layers = v))}
                    {select("Neurons per layer", "gan-neurons", [4, 8, 16, 32, 64].iter().map(|&v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().neurons), move |v| state.update(|s| s.neurons = v))}
                    {select("D steps per iteration", "gan-kd", (1..=5).map(|v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().k_d), move |v| state.update(|s| s.k_d = v))}
                    {select("Batch size", "gan-batch", [32, 64, 128, 150, 256].iter().map(|&v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().batch), move |v| state.update(|s| s.batch = v))}
                    <label class="field" for="gan-seed">
                        <span>"Seed"</span>
                        <input id="gan-seed" type="number" min="0" inputmode="numeric" prop:value=move || st().seed.to_string()
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() {
                                    state.update(|s| s.seed = v);
                                }
                            }/>
                    </label>
                </div>
                <div class="controls-row">
                    {flag_checkbox(state, "Show the generator's manifold (how G warps a grid of noise)", |s| s.manifold, |s, on| s.manifold = on)}
                    {flag_checkbox(state, "Show gradient arrows (where G's loss pushes its samples)", |s| s.arrows, |s, on| s.arrows = on)}
                </div>
                <div class="controls-row">
                    <LoopControls anim=anim play_label="Train" step_label="One iteration" speeds=&[1, 10, 50, 200]/>
                    <button type="button" class="btn" on:click=move |_| step_part(true, false)>"Step D only"</button>
                    <button type="button" class="btn" on:click=move |_| step_part(false, true)>"Step G only"</button>
                    <button type="button" class="btn" on:click=move |_| { anim.pause(); reset(); }>"Reset"</button>
                    <button type="button" class="btn" on:click=move |_| state.update(|s| { s.preset = Preset::Ring; s.lr_d = 1e-4; s.lr_g = 1e-3; s.adam = true; })>
                        "Show mode collapse (slow discriminator)"
                    </button>
                </div>
                <Show when=move || diverged.get()>
                    <div class="error-panel" role="alert">
                        <strong>"Training diverged."</strong>
                        " The losses or weights became infinite or not-a-number, usually because a learning rate is too high for this optimizer. Training is paused."
                        <button type="button" class="btn btn-small" on:click=move |_| reset()>"Reset the run"</button>
                    </div>
                </Show>
                <div class="gan-grid">
                    <PlotCanvas label=field_label aspect=1.0 draw=move |area: &Area, ctx: &PlotCtx| {
                        let s = snap.get();
                        real.with_value(|r| draw_field(area, ctx, r, &s));
                        draw_arrows(area, ctx, &s);
                    } alt_title="Show the numbers">
                        <p>{move || {
                            let s = snap.get();
                            let mean_d = if s.heat.is_empty() { 0.0 } else { s.heat.iter().sum::<f32>() / s.heat.len() as f32 };
                            format!("Iteration {}. Average D(x) over the plane: {mean_d:.2}. Showing {SHOWN_POINTS} real and {SHOWN_POINTS} generated points.", s.iteration)
                        }}</p>
                    </PlotCanvas>
                    <div class="gan-losses">
                        <PlotCanvas label=loss_label aspect=0.62 draw=move |area: &Area, ctx: &PlotCtx| {
                            history.with(|h| draw_losses(area, ctx, h));
                        } alt_title="Show the loss table">
                            <table class="data-table">
                                <caption>"Losses (latest ten records)"</caption>
                                <thead><tr><th scope="col">"Iteration"</th><th scope="col">"D loss"</th><th scope="col">"G loss"</th></tr></thead>
                                <tbody>
                                    {move || history.get().iter().rev().take(10).map(|&(i, d, g)| view! { <tr><td>{i}</td><td>{format!("{d:.3}")}</td><td>{format!("{g:.3}")}</td></tr> }).collect_view()}
                                </tbody>
                            </table>
                        </PlotCanvas>
                        <ul class="legend">
                            <li><span class="swatch s1"></span>"Real data / discriminator loss"</li>
                            <li><span class="swatch s2"></span>"Generated / generator loss"</li>
                        </ul>
                        <dl class="stats" aria-live="polite">
                            <div><dt>"Iteration"</dt><dd data-testid="gan-iteration">{move || snap.get().iteration}</dd></div>
                            <div><dt>"D loss"</dt><dd>{move || format!("{:.3}", snap.get().d_loss)}</dd></div>
                            <div><dt>"G loss"</dt><dd>{move || format!("{:.3}", snap.get().g_loss)}</dd></div>
                            {move || snap.get().modes.map(|(m, n)| view! { <div><dt>"Modes covered"</dt><dd data-testid="gan-modes">{format!("{m} of {n}")}</dd></div> })}
                        </dl>
                        <div class="controls-row">
                            <button type="button" class="btn btn-small" on:click=export_csv>"Download losses (CSV)"</button>
                            <button type="button" class="btn btn-small" on:click=export_png>"Download loss chart (PNG)"</button>
                        </div>
                        <p class="muted">
                            "Reading the curves: with the non-saturating loss a balanced game sits near D ≈ 1.39 (= 2 ln 2) and G ≈ 0.69 (= ln 2), "
                            "where D can no longer tell real from fake. D's loss falling towards 0 while G's climbs means the discriminator is winning."
                        </p>
                    </div>
                </div>
                <Checkpoint
                    id="cp-gan-collapse"
                    question="on the ring of 8, the discriminator learns ten times slower than the generator (0.0001 vs 0.001). After 2,000 iterations, how many modes does the generator cover?"
                    options=vec!["All or nearly all 8".to_owned(), "About half".to_owned(), "One or two".to_owned()]
                    answer=collapse_answer
                />
            </div>
        </WidgetFrame>
    }
}
