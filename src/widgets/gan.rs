//! GAN training live: a generator and a discriminator on 2-D points, trained in the page.

use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, AS_FAST_AS_POSSIBLE, SLOW_MOTION};
use crate::shell::checkpoint::Checkpoint;
use crate::shell::controls::flag_checkbox;
use crate::shell::dom;
use crate::shell::plot::{line_chart, push_thinned, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::sketch;
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use genai_core::gan::{grid_divergence, jittered, modes_covered, Gan, GanConfig, GanLoss, GridDivergence, Noise, Preset};
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
/// Drawn points kept (and written into the link).
pub const MAX_DRAWN: usize = 300;
/// Fewer drawn points than this and there is nothing worth learning.
pub const MIN_DRAWN: usize = 5;
/// Jitter around each drawn point in the training data.
pub const DRAWN_SPREAD: f32 = 0.06;
/// Grid for the KL / JS estimate.
const DIVERGENCE_CELLS: usize = 20;
/// Generated points per frame for the metrics.
const METRIC_POINTS: usize = 2000;

/// Where the real data comes from: a preset or the visitor's drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Preset(Preset),
    Drawn,
}

impl Default for Source {
    fn default() -> Self {
        Source::Preset(Preset::Ring)
    }
}

impl Choice for Source {
    const ALL: &'static [Source] = &[
        Source::Preset(Preset::Line),
        Source::Preset(Preset::TwoGaussians),
        Source::Preset(Preset::Ring),
        Source::Preset(Preset::Spiral),
        Source::Preset(Preset::SwissRoll),
        Source::Preset(Preset::Disjoint),
        Source::Drawn,
    ];
    fn key(self) -> &'static str {
        match self {
            Source::Preset(p) => p.key(),
            Source::Drawn => "drawn",
        }
    }
}

impl Source {
    pub fn title(self) -> &'static str {
        match self {
            Source::Preset(p) => p.title(),
            Source::Drawn => "Draw your own",
        }
    }
    fn preset(self) -> Option<Preset> {
        match self {
            Source::Preset(p) => Some(p),
            Source::Drawn => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActChoice(pub Activation);

impl Choice for ActChoice {
    const ALL: &'static [ActChoice] = &[
        ActChoice(Activation::Relu),
        ActChoice(Activation::LeakyRelu),
        ActChoice(Activation::Tanh),
        ActChoice(Activation::Sigmoid),
        ActChoice(Activation::Gelu),
        ActChoice(Activation::Silu),
    ];
    fn key(self) -> &'static str {
        match self.0 {
            Activation::Relu | Activation::Identity => "relu",
            Activation::LeakyRelu => "leaky-relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
            Activation::Silu => "silu",
        }
    }
}

impl ActChoice {
    fn title(self) -> &'static str {
        match self.0 {
            Activation::Relu | Activation::Identity => "ReLU",
            Activation::LeakyRelu => "Leaky ReLU",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "Sigmoid",
            Activation::Gelu => "GELU",
            Activation::Silu => "SiLU",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoiseChoice(pub Noise);

impl Choice for NoiseChoice {
    const ALL: &'static [NoiseChoice] = &[NoiseChoice(Noise::Gaussian), NoiseChoice(Noise::Uniform)];
    fn key(self) -> &'static str {
        match self.0 {
            Noise::Gaussian => "gaussian",
            Noise::Uniform => "uniform",
        }
    }
}

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
    pub source: Source,
    /// The drawn points, for `Source::Drawn`.
    pub points: Vec<(f32, f32)>,
    pub activation: ActChoice,
    pub noise: NoiseChoice,
    pub noise_dim: i64,
    pub loss: LossChoice,
    pub adam: bool,
    pub lr_d: f64,
    pub lr_g: f64,
    /// Hidden layers and neurons per layer of the generator…
    pub layers: i64,
    pub neurons: i64,
    /// …and of the discriminator.
    pub d_layers: i64,
    pub d_neurons: i64,
    pub k_d: i64,
    pub k_g: i64,
    pub batch: i64,
    pub seed: u64,
    /// Draw the generator's manifold (the warped noise grid).
    pub manifold: bool,
    /// Draw the gradient arrows on generated samples.
    pub arrows: bool,
}

impl Default for GanState {
    fn default() -> Self {
        GanState { source: Source::default(), points: Vec::new(), activation: ActChoice(Activation::Relu), noise: NoiseChoice(Noise::Gaussian), noise_dim: 2, loss: LossChoice(GanLoss::NonSaturating), adam: true, lr_d: 1e-3, lr_g: 1e-3, layers: 2, neurons: 32, d_layers: 2, d_neurons: 32, k_d: 1, k_g: 1, batch: 128, seed: 1, manifold: false, arrows: false }
    }
}

impl UrlState for GanState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("preset", self.source);
        w.points("points", &self.points, EXTENT);
        w.choice("activation", self.activation);
        w.choice("noise", self.noise);
        w.int("noise_dim", self.noise_dim);
        w.choice("loss", self.loss);
        w.flag("adam", self.adam);
        w.float("lr_d", self.lr_d);
        w.float("lr_g", self.lr_g);
        w.int("layers", self.layers);
        w.int("neurons", self.neurons);
        w.int("d_layers", self.d_layers);
        w.int("d_neurons", self.d_neurons);
        w.int("k_d", self.k_d);
        w.int("k_g", self.k_g);
        w.int("batch", self.batch);
        w.seed("seed", self.seed);
        w.flag("manifold", self.manifold);
        w.flag("arrows", self.arrows);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = GanState::default();
        GanState {
            source: r.choice("preset", d.source),
            points: r.points("points", EXTENT, MAX_DRAWN),
            activation: r.choice("activation", d.activation),
            noise: r.choice("noise", d.noise),
            noise_dim: r.int("noise_dim", 1..=8, d.noise_dim),
            loss: r.choice("loss", d.loss),
            adam: r.flag("adam", d.adam),
            lr_d: r.float("lr_d", 1e-5..=1.0, d.lr_d),
            lr_g: r.float("lr_g", 1e-5..=1.0, d.lr_g),
            layers: r.int("layers", 1..=3, d.layers),
            neurons: r.int("neurons", 2..=128, d.neurons),
            d_layers: r.int("d_layers", 1..=3, d.d_layers),
            d_neurons: r.int("d_neurons", 2..=128, d.d_neurons),
            k_d: r.int("k_d", 1..=5, d.k_d),
            k_g: r.int("k_g", 1..=5, d.k_g),
            batch: r.int("batch", 8..=512, d.batch),
            seed: r.seed("seed", d.seed),
            manifold: r.flag("manifold", d.manifold),
            arrows: r.flag("arrows", d.arrows),
        }
    }
}

/// A fresh run for the settings, with its real data; or why there is none (too few drawn points).
fn build(s: &GanState) -> Result<(Gan, Vec<f32>), String> {
    let mut rng = Rng::new(s.seed ^ 0x5eed);
    let data = match s.source {
        Source::Preset(p) => p.sample(4096, &mut rng),
        Source::Drawn if s.points.len() < MIN_DRAWN => {
            return Err(match s.points.len() {
                0 => format!("Nothing drawn yet. Draw at least {MIN_DRAWN} points on the plane (drag, or use the arrow keys and Space), then train."),
                1 => format!("One point is not much of a distribution: the generator would only have to learn a single spot. Draw at least {MIN_DRAWN} points."),
                n => format!("{n} points drawn; draw at least {MIN_DRAWN} to train."),
            })
        }
        Source::Drawn => jittered(&s.points, DRAWN_SPREAD, 4096, &mut rng),
    };
    let cfg = GanConfig {
        g_hidden: vec![s.neurons as usize; s.layers as usize],
        d_hidden: vec![s.d_neurons as usize; s.d_layers as usize],
        activation: s.activation.0,
        noise: s.noise.0,
        noise_dim: s.noise_dim as usize,
        loss: s.loss.0,
        adam: s.adam,
        lr_d: s.lr_d as f32,
        lr_g: s.lr_g as f32,
        k_d: s.k_d as usize,
        k_g: s.k_g as usize,
        batch: s.batch as usize,
        seed: s.seed,
        ..GanConfig::default()
    };
    Ok((Gan::new(cfg, data.clone()), data))
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
    divergence: Option<GridDivergence>,
    manifold: Vec<Vec<f32>>,
    /// For the first generated points: the direction G's loss pushes them (x, y pairs).
    arrows: Vec<f32>,
}

const ARROWS: usize = 80;

/// What the views show now; the metrics (modes, KL/JS, from 2,000 fresh samples) only if `metrics`.
fn snapshot(gan: &mut Gan, real: &[f32], view: &GanState, d_loss: f32, g_loss: f32, metrics: bool) -> Snapshot {
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
    if !metrics {
        return Snapshot { iteration: gan.iteration, fake, heat, d_loss, g_loss, modes: None, divergence: None, manifold, arrows };
    }
    let sample = gan.generate(METRIC_POINTS);
    let modes = view.source.preset().and_then(|p| {
        let c = p.modes()?;
        Some((modes_covered(&sample, &c, p.mode_radius(), 0.5 / c.len() as f32 * 0.5), c.len()))
    });
    let divergence = Some(grid_divergence(real, &sample, DIVERGENCE_CELLS, EXTENT, 0.5));
    Snapshot { iteration: gan.iteration, fake, heat, d_loss, g_loss, modes, divergence, manifold, arrows }
}

fn mix(a: RGBColor, b: RGBColor, t: f32) -> RGBColor {
    let l = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t).round() as u8;
    RGBColor(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

fn draw_field(area: &Area, ctx: &PlotCtx, real: &[f32], snap: &Snapshot, sketch: Option<(&[(f32, f32)], (f32, f32))>) {
    let p = &ctx.palette;
    let (w, h) = (ctx.width as f32, ctx.height as f32);
    let size = w.min(h);
    let (ox, oy) = ((w - size) / 2.0, (h - size) / 2.0);
    let to_px = |x: f32, y: f32| (((x + EXTENT) / (2.0 * EXTENT) * size + ox) as i32, ((EXTENT - y) / (2.0 * EXTENT) * size + oy) as i32);
    // D(x): surface colour at 0.5, towards series 1 (real) near 1 and series 2 (fake) near 0;
    // one pixel per grid cell, smoothed when stretched over the square.
    let mut rgba = Vec::with_capacity(4 * snap.heat.len());
    for &d in &snap.heat {
        let c = if d >= 0.5 { mix(p.bg, p.series[0], (d - 0.5) * 0.9) } else { mix(p.bg, p.series[1], (0.5 - d) * 0.9) };
        rgba.extend([c.0, c.1, c.2, 255]);
    }
    if !snap.heat.is_empty() {
        ctx.image(&rgba, HEAT_CELLS as u32, HEAT_CELLS as u32, (ox as f64, oy as f64, size as f64, size as f64), true);
    }
    let clamp = |v: f32| v.clamp(-EXTENT, EXTENT);
    let thin = ShapeStyle { color: p.muted.to_rgba(), filled: false, stroke_width: ctx.px(1.0).round().max(1.0) as u32 };
    for line in &snap.manifold {
        let pts: Vec<(i32, i32)> = line.chunks_exact(2).filter(|q| q[0].is_finite() && q[1].is_finite()).map(|q| to_px(clamp(q[0]), clamp(q[1]))).collect();
        let _ = area.draw(&PathElement::new(pts, thin));
    }
    let to_f = |x: f32, y: f32| { let (a, b) = to_px(x, y); (a as f64, b as f64) };
    let reals: Vec<(f64, f64)> = real.chunks_exact(2).map(|q| to_f(q[0], q[1])).collect();
    ctx.dots(&reals, ctx.px(2.5), p.series[0], true, 0.0);
    let fakes: Vec<(f64, f64)> = snap.fake.chunks_exact(2).filter(|q| q[0].is_finite() && q[1].is_finite()).map(|q| to_f(q[0].clamp(-EXTENT, EXTENT), q[1].clamp(-EXTENT, EXTENT))).collect();
    ctx.dots(&fakes, ctx.px(2.5), p.series[1], false, ctx.px(1.5).round());
    if let Some((points, cursor)) = sketch {
        sketch::draw(area, ctx, points, cursor, to_px);
    }
}

/// One record of the curves.
#[derive(Clone, Copy, Debug)]
struct Record {
    iteration: u64,
    d: f32,
    g: f32,
    kl: f32,
    js: f32,
}

fn draw_js(area: &Area, ctx: &PlotCtx, history: &[Record]) {
    let max_it = history.last().map(|h| h.iteration as f64).unwrap_or(1.0).max(1.0);
    let js: Vec<(f64, f64)> = history.iter().map(|h| (h.iteration as f64, h.js as f64)).collect();
    line_chart(area, ctx, "iteration", "JS (nats)", max_it, 0.0..0.72, &[Line { points: &js, color: ctx.palette.fg }]);
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

fn draw_losses(area: &Area, ctx: &PlotCtx, history: &[Record]) {
    let max_it = history.last().map(|h| h.iteration as f64).unwrap_or(1.0).max(1.0);
    let finite = history.iter().flat_map(|h| [h.d, h.g]).filter(|v| v.is_finite());
    let y_max = finite.fold(0.5f32, f32::max).min(10.0) as f64 * 1.1;
    let d: Vec<(f64, f64)> = history.iter().map(|h| (h.iteration as f64, h.d as f64)).collect();
    let g: Vec<(f64, f64)> = history.iter().map(|h| (h.iteration as f64, h.g as f64)).collect();
    let s = &ctx.palette.series;
    line_chart(area, ctx, "iteration", "loss", max_it, 0.0..y_max, &[Line { points: &d, color: s[0] }, Line { points: &g, color: s[1] }]);
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

/// From a pointer position as fractions of the (square) canvas to the plane.
#[component]
pub fn GanWidget() -> impl IntoView {
    let url = use_url_state::<GanState>();
    let state = url.state;
    let root = NodeRef::<Div>::new();
    let gan = StoredValue::new_local(None::<Gan>);
    let real = StoredValue::new(Vec::<f32>::new());
    let problem = RwSignal::new(None::<String>);
    let snap = RwSignal::new(Snapshot::default());
    let history = RwSignal::new(Vec::<Record>::new());
    let diverged = RwSignal::new(false);
    let drawing = Memo::new(move |_| state.with(|s| s.source == Source::Drawn));

    // What the text shows (stats, table, labels): refreshed at most four times a second while
    // training runs — often enough to read, calm for a screen reader — and at once otherwise.
    let readout = RwSignal::new(Snapshot::default());
    let last_text = StoredValue::new(f64::NEG_INFINITY);
    let last_record = StoredValue::new(f64::NEG_INFINITY);

    // Recomputes what the views show. A running loop passes `now = false`: the plane is redrawn
    // every frame, the curves gain a record at most every 100 ms, the text at most every 250 ms.
    let redraw = move |d: f32, g: f32, record: bool, now: bool| {
        let view = state.get_untracked();
        let t = now_ms();
        let due_record = record && (now || t - last_record.get_value() >= 100.0);
        let due_text = now || t - last_text.get_value() >= 250.0;
        let metrics = due_record || due_text;
        let s = real.with_value(|r| gan.try_update_value(|gan| gan.as_mut().map(|gan| snapshot(gan, r, &view, d, g, metrics)))).flatten();
        let Some(s) = s else {
            snap.set(Snapshot::default());
            readout.set(Snapshot::default());
            return;
        };
        if due_record {
            last_record.set_value(t);
            let (kl, js) = s.divergence.map(|v| (v.kl, v.js)).unwrap_or((f32::NAN, f32::NAN));
            history.update(|h| push_thinned(h, Record { iteration: s.iteration, d, g, kl, js }, HISTORY_MAX));
        }
        if due_text {
            last_text.set_value(t);
            let mut text = s.clone();
            (text.fake, text.manifold, text.arrows) = Default::default();
            readout.set(text);
        }
        snap.set(s);
    };
    let refresh = move |d: f32, g: f32| redraw(d, g, true, true);
    let reset = move || {
        match build(&state.get_untracked()) {
            Ok((g, r)) => {
                gan.set_value(Some(g));
                real.set_value(r);
                problem.set(None);
            }
            Err(why) => {
                gan.set_value(None);
                real.set_value(Vec::new());
                problem.set(Some(why));
            }
        }
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
    Effect::new(move |_| {
        let _ = training.get();
        reset();
    });
    Effect::new(move |prev: Option<()>| {
        let _ = (state.with(|s| s.manifold), state.with(|s| s.arrows));
        if prev.is_some() {
            let last = readout.get_untracked();
            redraw(last.d_loss, last.g_loss, false, true);
        }
    });

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: 10 }, move |f: FrameInfo| {
        if diverged.get_untracked() {
            return;
        }
        let (mut d, mut g, mut healthy) = (0.0, 0.0, true);
        let ran = gan.try_update_value(|gan| {
            let Some(gan) = gan.as_mut() else { return false };
            f.repeat(|| {
                let l = gan.step();
                (d, g) = (l.d, l.g);
                healthy = gan.healthy(l);
                healthy
            });
            true
        });
        if ran != Some(true) {
            return;
        }
        if !healthy {
            diverged.set(true);
        }
        redraw(d, g, true, f.single_step || !healthy);
    });
    // On pause, the text catches up with the last frame.
    Effect::new(move |_| {
        if !anim.playing.get() {
            let last = readout.get_untracked();
            if last.iteration != snap.with_untracked(|s| s.iteration) {
                redraw(last.d_loss, last.g_loss, false, true);
            }
        }
    });
    Effect::new(move |_| {
        if diverged.get() || problem.with(|p| p.is_some()) {
            anim.pause();
        }
    });
    // Step one network alone (GAN Lab's "step D" / "step G").
    let step_part = move |d: bool, g: bool| {
        anim.pause();
        if diverged.get_untracked() {
            return;
        }
        let l = gan.try_update_value(|gan| gan.as_mut().map(|gan| (gan.step_parts(d, g), gan.is_finite()))).flatten();
        if let Some((l, finite)) = l {
            if !finite {
                diverged.set(true);
            }
            refresh(if d { l.d } else { f32::NAN }, if g { l.g } else { f32::NAN });
        }
    };
    let export_csv = move |_| {
        let mut csv = String::from("iteration,d_loss,g_loss,kl_grid,js_grid\n");
        for r in history.get_untracked() {
            csv.push_str(&format!("{},{},{},{},{}\n", r.iteration, r.d, r.g, r.kl, r.js));
        }
        dom::download("gan-losses.csv", &dom::data_url("text/csv", &csv));
    };
    let export_png = move |_| {
        if let Some(r) = root.get_untracked() {
            dom::download_canvas(&r, ".gan-losses canvas", "gan-losses.png");
        }
    };
    // The checkpoint's answer: run the slow-discriminator setting now and count the modes.
    let collapse_answer = Callback::new(move |()| {
        let s = GanState { source: Source::Preset(Preset::Ring), lr_d: 1e-4, lr_g: 1e-3, adam: true, ..GanState::default() };
        let Ok((mut g, _)) = build(&s) else { return None };
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

    // Drawing with a pointer (mouse, pen, touch) or the keyboard.
    let sk = sketch::use_point_sketch(state, |s: &mut GanState| &mut s.points, EXTENT, MAX_DRAWN, drawing.into(), move || anim.pause());
    let cursor = sk.cursor;
    let field_label = Signal::derive(move || {
        let s = readout.get();
        if drawing.get() {
            format!("{} Iteration {}.", sketch::instructions(state.with(|s| s.points.len()), cursor.get()), s.iteration)
        } else {
            format!(
                "Real points (filled) and generated points (rings) on the plane, over the discriminator's belief D(x): tinted towards real where D says real, towards fake where D says fake. Iteration {}.",
                s.iteration
            )
        }
    });
    let loss_label = Signal::derive(move || {
        let s = readout.get();
        format!("Discriminator and generator loss over {} iterations; latest D {:.3}, G {:.3}.", s.iteration, s.d_loss, s.g_loss)
    });
    let js_label = Signal::derive(move || {
        let s = readout.get();
        match s.divergence {
            Some(v) => format!("Jensen–Shannon divergence between real and generated points, estimated on a grid, over {} iterations; latest {:.3}.", s.iteration, v.js),
            None => "Jensen–Shannon divergence between real and generated points: no run yet.".to_owned(),
        }
    });
    let st = move || state.get();
    let lrs: Vec<(String, f64)> = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0].iter().map(|&v| (format!("{v}"), v)).collect();

    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="gan" node_ref=root>
                <div class="controls-row">
                    {select("Real data", "gan-preset", Source::ALL.iter().map(|&p| (p.title().to_owned(), p)).collect(), Signal::derive(move || st().source), move |v| state.update(|s| s.source = v))}
                    {select("Loss", "gan-loss", vec![("Non-saturating".to_owned(), LossChoice(GanLoss::NonSaturating)), ("Minimax (original)".to_owned(), LossChoice(GanLoss::Minimax)), ("Least squares".to_owned(), LossChoice(GanLoss::LeastSquares))], Signal::derive(move || st().loss), move |v| state.update(|s| s.loss = v))}
                    {select("Optimizer", "gan-opt", vec![("Adam".to_owned(), true), ("SGD".to_owned(), false)], Signal::derive(move || st().adam), move |v| state.update(|s| s.adam = v))}
                    {select("Discriminator learning rate", "gan-lr-d", lrs.clone(), Signal::derive(move || st().lr_d), move |v| state.update(|s| s.lr_d = v))}
                    {select("Generator learning rate", "gan-lr-g", lrs, Signal::derive(move || st().lr_g), move |v| state.update(|s| s.lr_g = v))}
                    {select("Generator hidden layers", "gan-layers", (1..=3).map(|v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().layers), move |v| state.update(|s| s.layers = v))}
                    {select("Generator neurons per layer", "gan-neurons", [4, 8, 16, 32, 64].iter().map(|&v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().neurons), move |v| state.update(|s| s.neurons = v))}
                    {select("Discriminator hidden layers", "gan-d-layers", (1..=3).map(|v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().d_layers), move |v| state.update(|s| s.d_layers = v))}
                    {select("Discriminator neurons per layer", "gan-d-neurons", [4, 8, 16, 32, 64].iter().map(|&v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().d_neurons), move |v| state.update(|s| s.d_neurons = v))}
                    {select("Activation", "gan-activation", ActChoice::ALL.iter().map(|&a| (a.title().to_owned(), a)).collect(), Signal::derive(move || st().activation), move |v| state.update(|s| s.activation = v))}
                    {select("Noise", "gan-noise", vec![("Gaussian".to_owned(), NoiseChoice(Noise::Gaussian)), ("Uniform".to_owned(), NoiseChoice(Noise::Uniform))], Signal::derive(move || st().noise), move |v| state.update(|s| s.noise = v))}
                    {select("Noise dimensions", "gan-noise-dim", (1..=8).map(|v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().noise_dim), move |v| state.update(|s| s.noise_dim = v))}
                    {select("D steps per iteration", "gan-kd", (1..=5).map(|v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().k_d), move |v| state.update(|s| s.k_d = v))}
                    {select("G steps per iteration", "gan-kg", (1..=5).map(|v| (v.to_string(), v as i64)).collect(), Signal::derive(move || st().k_g), move |v| state.update(|s| s.k_g = v))}
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
                    <LoopControls anim=anim play_label="Train" step_label="One iteration" speeds=&[SLOW_MOTION, 1, 10, 50, 200, AS_FAST_AS_POSSIBLE]/>
                    <button type="button" class="btn" on:click=move |_| step_part(true, false)>"Step D only"</button>
                    <button type="button" class="btn" on:click=move |_| step_part(false, true)>"Step G only"</button>
                    <button type="button" class="btn" on:click=move |_| { anim.pause(); reset(); }>"Reset"</button>
                    <button type="button" class="btn" on:click=move |_| state.update(|s| { s.source = Source::Preset(Preset::Ring); s.lr_d = 1e-4; s.lr_g = 1e-3; s.adam = true; })>
                        "Show mode collapse (slow discriminator)"
                    </button>
                </div>
                <Show when=move || drawing.get()>
                    <div class="controls-row draw-tools" role="group" aria-label="Drawing">
                        <span class="muted" aria-live="polite">{move || format!("{} of at most {MAX_DRAWN} points drawn.", state.with(|s| s.points.len()))}</span>
                        <button type="button" class="btn btn-small" on:click=move |_| sk.undo.run(())>"Undo last stroke"</button>
                        <button type="button" class="btn btn-small" on:click=move |_| sk.clear.run(())>"Clear drawing"</button>
                    </div>
                </Show>
                <Show when=move || problem.with(|p| p.is_some())>
                    <p class="notice" role="status">{move || problem.get().unwrap_or_default()}</p>
                </Show>
                <Show when=move || diverged.get()>
                    <div class="error-panel" role="alert">
                        <strong>"Training diverged."</strong>
                        " The losses or weights became infinite or not-a-number, usually because a learning rate is too high for this optimizer. Training is paused."
                        <button type="button" class="btn btn-small" on:click=move |_| reset()>"Reset the run"</button>
                    </div>
                </Show>
                <div class="gan-grid">
                    <PlotCanvas label=field_label aspect=1.0 draw=move |area: &Area, ctx: &PlotCtx| {
                        let mut pts = if drawing.get() { state.with(|s| s.points.clone()) } else { Vec::new() };
                        pts.extend(sk.stroke.get());
                        let sketch = drawing.get().then(|| (&pts[..], cursor.get()));
                        snap.with(|s| {
                            real.with_value(|r| draw_field(area, ctx, &r[..r.len().min(2 * SHOWN_POINTS)], s, sketch));
                            draw_arrows(area, ctx, s);
                        });
                    } on_pointer=sk.on_pointer pointer_active=Signal::derive(move || drawing.get()) on_key=sk.on_key keys_active=Signal::derive(move || drawing.get()) alt_title="Show the numbers">
                        <p>{move || {
                            let s = readout.get();
                            let mean_d = if s.heat.is_empty() { 0.0 } else { s.heat.iter().sum::<f32>() / s.heat.len() as f32 };
                            format!("Iteration {}. Average D(x) over the plane: {mean_d:.2}. Showing {SHOWN_POINTS} real and {SHOWN_POINTS} generated points.", s.iteration)
                        }}</p>
                    </PlotCanvas>
                    <div class="gan-losses">
                        <PlotCanvas label=loss_label aspect=0.62 draw=move |area: &Area, ctx: &PlotCtx| {
                            history.with(|h| draw_losses(area, ctx, h));
                        } alt_title="Show the loss table">
                            <table class="data-table">
                                <caption>"Losses and divergence (latest ten records)"</caption>
                                <thead><tr><th scope="col">"Iteration"</th><th scope="col">"D loss"</th><th scope="col">"G loss"</th><th scope="col">"KL"</th><th scope="col">"JS"</th></tr></thead>
                                <tbody>
                                    {move || history.get().iter().rev().take(10).map(|r| view! { <tr><td>{r.iteration}</td><td>{format!("{:.3}", r.d)}</td><td>{format!("{:.3}", r.g)}</td><td>{format!("{:.3}", r.kl)}</td><td>{format!("{:.3}", r.js)}</td></tr> }).collect_view()}
                                </tbody>
                            </table>
                        </PlotCanvas>
                        <ul class="legend">
                            <li><span class="swatch s1"></span>"Real data / discriminator loss"</li>
                            <li><span class="swatch s2"></span>"Generated / generator loss"</li>
                        </ul>
                        <dl class="stats" aria-live="polite">
                            <div><dt>"Iteration"</dt><dd data-testid="gan-iteration">{move || readout.with(|s| s.iteration)}</dd></div>
                            <div><dt>"D loss"</dt><dd>{move || readout.with(|s| format!("{:.3}", s.d_loss))}</dd></div>
                            <div><dt>"G loss"</dt><dd>{move || readout.with(|s| format!("{:.3}", s.g_loss))}</dd></div>
                            {move || readout.with(|s| s.modes).map(|(m, n)| view! { <div><dt>"Modes covered"</dt><dd data-testid="gan-modes">{format!("{m} of {n}")}</dd></div> })}
                            {move || readout.with(|s| s.divergence).map(|v| view! {
                                <div><dt>"KL (real ‖ generated)"</dt><dd data-testid="gan-kl">{format!("{:.3}", v.kl)}</dd></div>
                                <div><dt>"JS"</dt><dd data-testid="gan-js">{format!("{:.3}", v.js)}</dd></div>
                            })}
                        </dl>
                        <PlotCanvas label=js_label aspect=0.4 draw=move |area: &Area, ctx: &PlotCtx| {
                            history.with(|h| draw_js(area, ctx, h));
                        } alt_title="About this measure">
                            <p>
                                "Both point sets are counted on a 20 × 20 grid over the plane (½ added to every square so empty squares stay finite), "
                                "then compared: Jensen–Shannon is 0 when the histograms agree and at most ln 2 ≈ 0.69 when they do not overlap. "
                                "KL(real ‖ generated) punishes real regions the generator misses, so it rises sharply under mode collapse."
                            </p>
                        </PlotCanvas>
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

/// The “Data” choice of the 2-D widgets (presets or a drawing), bound to their state.
pub fn source_select<S: Send + Sync + 'static>(state: RwSignal<S>, id: &'static str, get: fn(&S) -> Source, set: fn(&mut S, Source)) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>"Data"</span>
            <select id=id on:change=move |ev| { let v = event_target_value(&ev); if let Some(&p) = Source::ALL.iter().find(|p| p.key() == v) { state.update(|s| set(s, p)) } }>
                {Source::ALL.iter().map(|&p| view! { <option value=p.key() prop:selected=move || state.with(get) == p>{p.title()}</option> }).collect_view()}
            </select>
        </label>
    }
}
