//! A CLIP-style image–text model trained live (core `clip`): the 1,036 pixelarticons with their
//! names as captions, an image encoder learned from scratch and a projection of frozen sentence-model
//! word vectors. Shows the symmetric InfoNCE loss and the learned scale, held-out recall@5 both ways
//! against chance, a batch of pairs in one 2-D projection with lines joining each image to its
//! caption, and the batch's similarity matrix with its diagonal lighting up.
//!
//! Also the data loading and icon painting the "use the space" widget shares.

use crate::shell::anim::{diverged_message, now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, TrainClock, AS_FAST_AS_POSSIBLE};
use crate::shell::assets::{fetch_bytes, fetch_text};
use crate::shell::checkpoint::Checkpoint;
use crate::shell::controls::{flag_checkbox, seed_field};
use crate::shell::plot::{line_chart, push_thinned, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use genai_core::clip::{similarity, Clip, Dataset, Vocabulary, DIM};
use genai_core::diffusion::Icons;
use genai_core::embed::{pca, Table};
use genai_core::query::{StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use leptos::prelude::*;
use plotters::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

pub const META_ID: &str = "clip-train";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "multimodal", title: "Train an image–text model (CLIP-style)", embed_height: 1500 };

/// Pairs in the shown batch (projection and similarity matrix).
const SHOWN: usize = 10;
const LRS: [f64; 7] = [1e-4, 3e-4, 1e-3, 2e-3, 1e-2, 0.1, 1.0];
const BATCHES: [i64; 4] = [16, 32, 64, 128];

/// The vocabulary and the icon–caption pairs, loaded once per page and shared by both widgets.
pub struct ClipData {
    pub vocab: Vocabulary,
    pub data: Dataset,
}

thread_local! {
    static LOADED: RefCell<Option<Rc<ClipData>>> = const { RefCell::new(None) };
}

/// Downloads (once) the icons (88 KB) and the frozen word vectors (696 KB) and builds the pairs.
pub async fn load_clip_data() -> Result<Rc<ClipData>, String> {
    if let Some(d) = LOADED.with(|l| l.borrow().clone()) {
        return Ok(d);
    }
    let damaged = |what: &str, e: String| format!("The file {what} is damaged ({e}); reload the page to download it again.");
    let icons = Icons::from_icn1(&fetch_bytes("diffusion/icons.bin").await?).map_err(|e| damaged("icons.bin", e))?;
    let table = Table::from_emb1(&fetch_bytes("multimodal/words.bin").await?).map_err(|e| damaged("words.bin", e.to_string()))?;
    let words = fetch_text("multimodal/words.txt").await?.lines().map(str::to_owned).collect();
    let vocab = Vocabulary::new(table, words).map_err(|e| damaged("words.txt", e))?;
    let data = Dataset::new(&icons, &vocab).map_err(|e| damaged("icons.bin", e))?;
    let d = Rc::new(ClipData { vocab, data });
    LOADED.with(|l| *l.borrow_mut() = Some(d.clone()));
    Ok(d)
}

/// A count with thousands separators: 1036 → "1,036".
pub fn commas(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether the plot background is dark (ink is then drawn light).
pub fn is_dark(ctx: &PlotCtx) -> bool {
    let b = ctx.palette.bg;
    (b.0 as u32 + b.1 as u32 + b.2 as u32) < 384
}

/// Square icons (values in [−1, 1], ink high) as RGBA, ink dark on light or light on dark.
pub fn icon_rgba(img: &[f32], dark: bool) -> (Vec<u8>, u32) {
    let side = (img.len() as f64).sqrt() as usize;
    let mut rgba = Vec::with_capacity(img.len() * 4);
    for &v in img {
        let ink = ((v.clamp(-1.0, 1.0) + 1.0) * 127.5) as u8;
        let g = if dark { ink } else { 255 - ink };
        rgba.extend_from_slice(&[g, g, g, 255]);
    }
    (rgba, side as u32)
}

/// Paints one icon into the device-pixel square (x, y, size).
pub fn paint_icon(ctx: &PlotCtx, img: &[f32], (x, y, size): (f64, f64, f64)) {
    let (rgba, side) = icon_rgba(img, is_dark(ctx));
    ctx.image(&rgba, side, side, (x, y, size, size), false);
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClipTrainState {
    pub seed: u64,
    pub lr: f64,
    pub batch: i64,
    /// Shift training images by up to a pixel.
    pub augment: bool,
}

impl Default for ClipTrainState {
    fn default() -> Self {
        ClipTrainState { seed: 1, lr: 2e-3, batch: 64, augment: true }
    }
}

impl UrlState for ClipTrainState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.seed("seed", self.seed);
        w.float("lr", self.lr);
        w.int("batch", self.batch);
        w.flag("augment", self.augment);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = ClipTrainState::default();
        ClipTrainState {
            seed: r.seed("seed", d.seed),
            lr: r.float("lr", 1e-5..=1.0, d.lr),
            batch: r.int("batch", 2..=256, d.batch),
            augment: r.flag("augment", d.augment),
        }
    }
}

/// A measurement: steps, mean training loss since the last one, held-out recall@5 both ways.
#[derive(Clone, Copy, Debug)]
struct Point {
    step: f64,
    loss: f64,
    i2t: f64,
    t2i: f64,
}

/// A widget frame that loads the shared pairs, then shows `inner` with them (or what went wrong).
pub fn with_clip_data<S: UrlState + Send + Sync>(meta: WidgetMeta, inner: fn(Rc<ClipData>, RwSignal<S>) -> AnyView) -> impl IntoView {
    let url = use_url_state::<S>();
    let state = url.state;
    let load = RwSignal::new_local(None::<Result<Rc<ClipData>, String>>);
    leptos::task::spawn_local(async move {
        let r = load_clip_data().await;
        let _ = load.try_set(Some(r));
    });
    view! {
        <WidgetFrame meta=meta share_query=url.share_query() notices=url.notices>
            {move || match load.get() {
                None => view! { <Loading label="Loading the icons and word vectors" text="Loading 1,036 icons (88 KB) and the word vectors (696 KB)…"/> }.into_any(),
                Some(Err(e)) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                Some(Ok(d)) => inner(d, state),
            }}
        </WidgetFrame>
    }
}

#[component]
pub fn ClipTrainWidget() -> impl IntoView {
    with_clip_data::<ClipTrainState>(META, |d, state| view! { <ClipTrainInner d=d state=state/> }.into_any())
}

#[component]
fn ClipTrainInner(d: Rc<ClipData>, state: RwSignal<ClipTrainState>) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let d = StoredValue::new_local(d);
    let make = move || {
        let s = state.get_untracked();
        d.with_value(|d| {
            let mut c = Clip::new(d.data.pixels, d.data.text_dim, s.batch as usize, s.lr as f32, s.seed);
            c.augment = s.augment;
            c
        })
    };
    // the shown pairs: SHOWN training icons drawn with the seed, one per "-sharp" group
    let pick_shown = move || {
        let seed = state.get_untracked().seed;
        d.with_value(|d| {
            let mut pool: Vec<usize> = d.data.train.iter().copied().filter(|&i| !d.data.names[i].ends_with("-sharp")).collect();
            Rng::new(seed ^ 0x5eed).shuffle(&mut pool);
            pool.truncate(SHOWN);
            pool
        })
    };
    let model = StoredValue::new_local(make());
    let shown = StoredValue::new(pick_shown());
    let version = RwSignal::new(0u64);
    let curve = RwSignal::new(Vec::<Point>::new());
    let chance = d.with_value(|d| (5.0 / d.data.test.len() as f64).min(1.0));
    let diverged = RwSignal::new(None::<String>);
    let speed = RwSignal::new(0.0f64);
    let clock = TrainClock::new(200.0);
    let reached = RwSignal::new(None::<(usize, f64)>); // (steps, seconds) when recall@5 ≥ 2× chance
    let loss_acc = StoredValue::new((0.0f64, 0usize));
    // the shown batch now: unit image and text vectors
    let shown_vectors = StoredValue::new_local((Vec::<f32>::new(), Vec::<f32>::new()));

    let measure = move || {
        let (step, r, uv) = model
            .try_update_value(|m| {
                d.with_value(|d| {
                    let r = m.test_recall(&d.data, 5);
                    let uv = m.embed_pairs(&d.data, &shown.get_value());
                    (m.steps, r, uv)
                })
            })
            .expect("model");
        shown_vectors.set_value(uv);
        let (sum, n) = loss_acc.get_value();
        loss_acc.set_value((0.0, 0));
        let loss = if n > 0 { sum / n as f64 } else { f64::NAN };
        curve.update(|c| push_thinned(c, Point { step: step as f64, loss, i2t: r.image_to_text, t2i: r.text_to_image }, 400));
        // Not learning: after 150 steps the loss is still what blind guessing scores, ln(batch).
        let guess = (state.with_untracked(|s| s.batch) as f64).ln();
        if step >= 150 && loss.is_finite() && loss >= 0.97 * guess && diverged.get_untracked().is_none() {
            let spread = shown_vectors.with_value(|(u, _)| {
                let n = u.len() / DIM;
                let sim = similarity(u, u, n, DIM);
                (0..n * n).filter(|k| k / n != k % n).map(|k| sim[k] as f64).sum::<f64>() / (n * n - n).max(1) as f64
            });
            let collapse = if spread > 0.9 { " — the image encoder now gives almost every icon the same vector, so no caption can be told apart" } else { "" };
            diverged.set(Some(format!(
                "Training stalled at step {step}: the loss is {loss:.3}, the score of blind guessing (ln {} = {guess:.3}). The shown icons' vectors have a mean cosine of {spread:.2} with each other{collapse}. The learning rate is too high: steps this large knock the network out of the range where it learns. Training is paused; choose a lower learning rate and press Reset.",
                state.with_untracked(|s| s.batch)
            )));
        }
        if reached.get_untracked().is_none() && r.mean() >= 2.0 * r.chance && step > 0 {
            reached.set(Some((step, clock.seconds())));
        }
        version.update(|v| *v += 1);
    };
    measure();

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        if diverged.get_untracked().is_some() {
            return;
        }
        let t0 = now_ms();
        let mut bad = None;
        model.update_value(|m| {
            d.with_value(|d| {
                f.repeat(|| {
                    let s = m.step(&d.data);
                    if !s.loss.is_finite() || !m.is_finite() {
                        bad = Some((m.steps, s.loss));
                        return false;
                    }
                    loss_acc.update_value(|(sum, n)| {
                        *sum += s.loss as f64;
                        *n += 1;
                    });
                    true
                });
            })
        });
        let due = clock.after_frame(&f, t0, now_ms());
        if let Some((step, loss)) = bad {
            diverged.set(Some(diverged_message(step, loss as f64)));
            return;
        }
        if due {
            measure();
            if clock.seconds() > 0.0 {
                speed.set(model.with_value(|m| m.steps) as f64 / clock.seconds());
            }
        }
    });
    Effect::new(move |_| {
        if diverged.get().is_some() {
            anim.pause();
        }
    });
    let reset = move || {
        anim.pause();
        model.set_value(make());
        shown.set_value(pick_shown());
        curve.set(Vec::new());
        diverged.set(None);
        reached.set(None);
        clock.reset();
        speed.set(0.0);
        loss_acc.set_value((0.0, 0));
        measure();
    };
    // the learning rate acts from the next step; the seed, batch size and augmentation start over
    Effect::new(move |prev: Option<ClipTrainState>| {
        let s = state.get();
        if let Some(p) = &prev {
            if p.seed != s.seed || p.batch != s.batch || p.augment != s.augment {
                reset();
            } else if p.lr != s.lr {
                model.update_value(|m| m.set_learning_rate(s.lr as f32));
            }
        }
        s
    });

    // --- views -------------------------------------------------------------------------------
    let caption_of = move |i: usize| d.with_value(|d| d.data.captions[i].clone());
    // the shown pairs' similarity matrix and projection: computed once per measurement, read by
    // the plots, their labels and their tables
    let sim_matrix = Memo::new(move |_| -> Vec<f32> {
        let _ = version.get();
        shown_vectors.with_value(|(u, v)| if u.is_empty() { Vec::new() } else { similarity(u, v, u.len() / DIM, DIM) })
    });
    let draw_matrix = move |area: &Area, ctx: &PlotCtx| {
        let sim = sim_matrix.get();
        let n = shown.get_value().len();
        if sim.len() != n * n || n == 0 {
            return;
        }
        let (w, h) = (ctx.width as f64, ctx.height as f64);
        let icon = (w.min(h) / (n as f64 + 1.0)).floor();
        // row headers: the icons; column headers: caption numbers 1..n; cells: cosine in colour
        let mut rgba = Vec::with_capacity(n * n * 4);
        let dark = is_dark(ctx);
        for &c in &sim {
            let t = ((c + 1.0) / 2.0).clamp(0.0, 1.0);
            // diverging: negative cosines grey, positive toward the accent orange
            let (r, g, b) = if dark { (40.0 + 200.0 * t, 40.0 + 120.0 * t * t, 40.0 + 10.0 * t) } else { (255.0 - 20.0 * t, 255.0 - 140.0 * t * t, 255.0 - 230.0 * t) };
            rgba.extend_from_slice(&[r as u8, g as u8, b as u8, 255]);
        }
        ctx.image(&rgba, n as u32, n as u32, (icon, icon, icon * n as f64, icon * n as f64), false);
        let ids = shown.get_value();
        d.with_value(|d| {
            for (k, &i) in ids.iter().enumerate() {
                paint_icon(ctx, d.data.image(i), (0.0, icon * (k as f64 + 1.0), icon * 0.9));
            }
        });
        let p = &ctx.palette;
        let style = ctx.font(11.0, p.fg);
        for k in 0..n {
            let _ = area.draw(&Text::new(format!("{}", k + 1), ((icon * (k as f64 + 1.35)) as i32, (icon * 0.35) as i32), style.clone()));
        }
        // the diagonal: outlined
        for k in 0..n {
            let x = icon * (k as f64 + 1.0);
            let y = icon * (k as f64 + 1.0);
            let _ = area.draw(&Rectangle::new([(x as i32, y as i32), ((x + icon) as i32, (y + icon) as i32)], p.fg.stroke_width(ctx.px(1.0).max(1.0) as u32)));
        }
    };
    let matrix_label = Signal::derive(move || {
        let sim = sim_matrix.get();
        let n = shown.get_value().len();
        if sim.len() != n * n || n == 0 {
            return "Similarity matrix of the shown pairs".to_owned();
        }
        let diag = (0..n).map(|k| sim[k * n + k] as f64).sum::<f64>() / n as f64;
        let off = (0..n * n).filter(|k| k / n != k % n).map(|k| sim[k] as f64).sum::<f64>() / (n * n - n) as f64;
        format!("Similarity matrix of {n} training pairs: rows are icons, columns their captions 1 to {n}; mean cosine on the diagonal {diag:.2}, off the diagonal {off:.2}")
    });
    let matrix_rows = move || {
        let sim = sim_matrix.get();
        let ids = shown.get_value();
        let n = ids.len();
        if sim.len() != n * n {
            return Vec::new();
        }
        ids.iter()
            .enumerate()
            .map(|(k, &i)| {
                let row = &sim[k * n..(k + 1) * n];
                let rank = row.iter().filter(|&&c| c > row[k]).count() + 1;
                let best = (0..n).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap_or(k);
                view! {
                    <tr>
                        <th scope="row">{format!("{}. {}", k + 1, caption_of(i))}</th>
                        <td>{format!("{:.2}", row[k])}</td>
                        <td>{format!("{rank} of {n}")}</td>
                        <td>{format!("{}. {} ({:.2})", best + 1, caption_of(ids[best]), row[best])}</td>
                    </tr>
                }
            })
            .collect::<Vec<_>>()
    };

    // the shown pairs in one 2-D PCA projection of their 2n vectors
    let projection = Memo::new(move |_| -> Vec<(f32, f32)> {
        let _ = version.get();
        shown_vectors.with_value(|(u, v)| {
            let n = u.len() / DIM;
            if n == 0 {
                return Vec::new();
            }
            let mut all = u.clone();
            all.extend_from_slice(v);
            let p = pca(&all, 2 * n, DIM, 2, 30, 7);
            let mut xy: Vec<(f32, f32)> = p.projections.chunks_exact(2).map(|c| (c[0], c[1])).collect();
            // fix each axis's sign (PCA's is arbitrary) so the picture does not flip between frames
            for axis in 0..2 {
                let get = |q: &(f32, f32)| if axis == 0 { q.0 } else { q.1 };
                let big = xy.iter().map(get).fold(0.0f32, |a, b| if b.abs() > a.abs() { b } else { a });
                if big < 0.0 {
                    for q in &mut xy {
                        if axis == 0 { q.0 = -q.0 } else { q.1 = -q.1 }
                    }
                }
            }
            xy
        })
    });
    let draw_projection = move |area: &Area, ctx: &PlotCtx| {
        let xy = projection.get();
        let n = xy.len() / 2;
        if n == 0 {
            return;
        }
        let (w, h) = (ctx.width as f64, ctx.height as f64);
        let m = xy.iter().flat_map(|q| [q.0.abs(), q.1.abs()]).fold(1e-6f32, f32::max) as f64 * 1.15;
        let icon = w.min(h) / 14.0;
        let to_px = |q: (f32, f32)| (w / 2.0 + q.0 as f64 / m * (w / 2.0 - icon), h / 2.0 - q.1 as f64 / m * (h / 2.0 - icon));
        let p = &ctx.palette;
        for k in 0..n {
            let (a, b) = (to_px(xy[k]), to_px(xy[n + k]));
            let _ = area.draw(&PathElement::new(vec![(a.0 as i32, a.1 as i32), (b.0 as i32, b.1 as i32)], p.muted.stroke_width(ctx.px(1.5) as u32)));
        }
        let ids = shown.get_value();
        d.with_value(|d| {
            for (k, &i) in ids.iter().enumerate() {
                let c = to_px(xy[k]);
                paint_icon(ctx, d.data.image(i), (c.0 - icon / 2.0, c.1 - icon / 2.0, icon));
            }
        });
        let caps: Vec<(f64, f64)> = (0..n).map(|k| to_px(xy[n + k])).collect();
        ctx.dots(&caps, ctx.px(5.0), p.series[1], true, 0.0);
        let style = ctx.font(11.0, p.fg);
        for (k, c) in caps.iter().enumerate() {
            // labels right of the dot, or left of it where they would leave the canvas
            let text = caption_of(ids[k]);
            let width = ctx.px(6.2) * text.chars().count() as f64;
            let x = if c.0 + ctx.px(7.0) + width > w { c.0 - ctx.px(7.0) - width } else { c.0 + ctx.px(7.0) };
            let _ = area.draw(&Text::new(text, (x.max(0.0) as i32, (c.1 - ctx.px(6.0)) as i32), style.clone()));
        }
    };
    let pair_rows = move || {
        let sim = sim_matrix.get();
        let ids = shown.get_value();
        let n = ids.len();
        let xy = projection.get();
        if sim.len() != n * n || xy.len() != 2 * n {
            return Vec::new();
        }
        ids.iter()
            .enumerate()
            .map(|(k, &i)| {
                view! {
                    <tr>
                        <th scope="row">{caption_of(i)}</th>
                        <td>{format!("({:.2}, {:.2})", xy[k].0, xy[k].1)}</td>
                        <td>{format!("({:.2}, {:.2})", xy[n + k].0, xy[n + k].1)}</td>
                        <td>{format!("{:.2}", sim[k * n + k])}</td>
                    </tr>
                }
            })
            .collect::<Vec<_>>()
    };
    let projection_label = Signal::derive(move || {
        let sim = sim_matrix.get();
        let n = shown.get_value().len();
        let diag = if sim.len() == n * n && n > 0 { (0..n).map(|k| sim[k * n + k] as f64).sum::<f64>() / n as f64 } else { 0.0 };
        format!("The {n} shown icons and their {n} captions (dots) in one 2-D projection (PCA of the 32-dimensional space), a line joining each icon to its caption; mean cosine of a pair {diag:.2}")
    });

    let draw_curves = move |area: &Area, ctx: &PlotCtx| {
        curve.with(|c| {
            let loss: Vec<(f64, f64)> = c.iter().filter(|p| p.loss.is_finite()).map(|p| (p.step, p.loss / (state.with_untracked(|s| s.batch) as f64).ln())).collect();
            let i2t: Vec<(f64, f64)> = c.iter().map(|p| (p.step, p.i2t)).collect();
            let t2i: Vec<(f64, f64)> = c.iter().map(|p| (p.step, p.t2i)).collect();
            let x_max = c.last().map_or(1.0, |p| p.step).max(1.0);
            let chance_line = [(0.0, chance), (x_max, chance)];
            let s = &ctx.palette.series;
            line_chart(area, ctx, "training step", "recall@5 · loss ÷ ln(batch)", x_max, 0.0..1.05, &[
                Line { points: &loss, color: s[0] },
                Line { points: &i2t, color: s[1] },
                Line { points: &t2i, color: s[2] },
                Line { points: &chance_line, color: ctx.palette.muted },
            ]);
        });
    };
    let curve_label = Signal::derive(move || {
        curve.with(|c| match c.last() {
            Some(p) if c.len() > 1 => format!(
                "Chart: after {:.0} steps the training loss is {:.3} and held-out recall@5 is {:.1} % image→caption and {:.1} % caption→image, against {:.1} % by chance",
                p.step, p.loss, 100.0 * p.i2t, 100.0 * p.t2i, 100.0 * chance
            ),
            _ => format!("Chart: loss and held-out recall@5 (not trained yet; chance is {:.1} %)", 100.0 * chance),
        })
    });

    let answer = Callback::new(move |()| {
        let steps = model.with_value(|m| m.steps);
        if steps < 300 {
            return None;
        }
        let r = curve.with_untracked(|c| c.last().map(|p| 0.5 * (p.i2t + p.t2i)))?;
        let idx = if r < 2.0 * chance { 0 } else if r < 0.9 { 1 } else { 2 };
        Some((idx, format!(
            "Measured now, after {steps} steps: {:.1} % of the held-out icons have their own caption among the 5 nearest of {} captions (both directions averaged); chance is {:.1} %. The model never saw these icons, yet it often places them near the right words — because the words of their names (arrow, heart, user…) were learned from other icons, and the frozen word vectors put similar words close together. It is far from perfect: many held-out names are near-twins (arrow left, arrow right) that a 24 × 24 picture barely separates.",
            100.0 * r,
            d.with_value(|d| d.data.test.len()),
            100.0 * chance
        )))
    });

    let st = move || state.get();
    let stats = move || {
        let _ = version.get();
        let (steps, scale) = model.with_value(|m| (m.steps, m.scale()));
        let last = curve.with(|c| c.last().copied());
        view! {
            <dl class="stats">
                <div><dt>"Steps"</dt><dd data-testid="clip-steps">{steps}</dd></div>
                <div><dt>"Training loss"</dt><dd data-testid="clip-loss">{last.filter(|p| p.loss.is_finite()).map(|p| format!("{:.3}", p.loss)).unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Scale 1/τ"</dt><dd>{format!("{scale:.1}")}</dd></div>
                <div><dt>"Held-out recall@5, image → caption"</dt><dd data-testid="clip-r5-it">{last.map(|p| format!("{:.1} %", 100.0 * p.i2t)).unwrap_or_default()}</dd></div>
                <div><dt>"Held-out recall@5, caption → image"</dt><dd data-testid="clip-r5-ti">{last.map(|p| format!("{:.1} %", 100.0 * p.t2i)).unwrap_or_default()}</dd></div>
                <div><dt>"Chance"</dt><dd>{format!("{:.1} %", 100.0 * chance)}</dd></div>
                <div><dt>"Twice chance reached"</dt><dd data-testid="clip-reached">{move || reached.get().map(|(s, t)| format!("step {s}, {t:.2} s")).unwrap_or_else(|| "not yet".into())}</dd></div>
                <div><dt>"Speed"</dt><dd data-testid="clip-speed">{move || format!("{:.0} steps/s", speed.get())}</dd></div>
            </dl>
        }
    };
    let (n_train, n_test, n_words) = d.with_value(|d| (d.data.train.len(), d.data.test.len(), d.vocab.words.len()));

    view! {
        <div class="clip" node_ref=root>
            <p class="muted">
                {format!("Image encoder 576 pixels → 128 ReLU units → 32 numbers, trained from scratch; text encoder: the mean of the caption words' frozen all-MiniLM-L6-v2 vectors (384 numbers, a vocabulary of {} words) → a trained 384 → 32 projection. Both are scaled to length 1. Symmetric InfoNCE loss with a learned temperature, Adam, on {n_train} icons; {n_test} icons (with their “sharp” twins) are held out. A toy next to CLIP's 400 million pairs, but the same objective, computed in your browser.", commas(n_words))}
            </p>
            <div class="controls-row">
                <LoopControls anim=anim play_label="Train" step_label="One step"/>
                <button type="button" class="btn" on:click=move |_| reset()>"Reset"</button>
                <label class="field" for="clip-lr">
                    <span>"Learning rate"</span>
                    <select id="clip-lr" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|s| s.lr = v) } }>
                        {move || { let cur = st().lr; let mut o = LRS.to_vec(); if !o.iter().any(|v| (v - cur).abs() < 1e-12) { o.push(cur); }
                            o.into_iter().map(|v| view! { <option value=v.to_string() selected=(v - cur).abs() < 1e-12>{format!("{v}")}</option> }).collect_view() }}
                    </select>
                </label>
                <label class="field" for="clip-batch">
                    <span>"Batch (pairs per step)"</span>
                    <select id="clip-batch" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|s| s.batch = v) } }>
                        {move || { let cur = st().batch; let mut o = BATCHES.to_vec(); if !o.contains(&cur) { o.push(cur); }
                            o.into_iter().map(|v| view! { <option value=v.to_string() selected=v == cur>{v}</option> }).collect_view() }}
                    </select>
                </label>
                {flag_checkbox(state, "Shift images by up to a pixel (augmentation)", |s| s.augment, |s, v| s.augment = v)}
                {seed_field(state, "clip-seed", |s| s.seed, |s, v| s.seed = v)}
            </div>
            {move || diverged.get().map(|m| view! { <div class="error-panel" role="alert">{m}" "<button type="button" class="btn btn-small" on:click=move |_| reset()>"Reset the run"</button></div> })}
            {stats}
            <div class="gan-grid">
                <div>
                    <h3 class="small-heading">"One space, two kinds of points"</h3>
                    <PlotCanvas label=projection_label aspect=0.9 draw=draw_projection alt_title="Show the pairs as a table">
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Pairs in the projection">
                            <table class="data-table">
                                <caption>"Each shown pair: where its icon and its caption land in the projection, and their cosine"</caption>
                                <thead><tr><th scope="col">"Caption"</th><th scope="col">"Icon at"</th><th scope="col">"Caption at"</th><th scope="col">"Cosine"</th></tr></thead>
                                <tbody>{pair_rows}</tbody>
                            </table>
                        </div>
                    </PlotCanvas>
                    <p class="muted">"Icons are drawn where their image vectors land, captions as orange dots; a grey line joins each pair. Training pulls pairs together and pushes the others apart."</p>
                </div>
                <div>
                    <h3 class="small-heading">"Similarity matrix: icons × captions"</h3>
                    <PlotCanvas label=matrix_label aspect=1.0 draw=draw_matrix alt_title="Show the matrix as a table">
                        <div class="table-scroll" tabindex="0" role="region" aria-label="Similarity of each icon to its caption">
                            <table class="data-table">
                                <caption>"Each shown icon: cosine with its own caption, that caption's rank in the row, and the best caption"</caption>
                                <thead><tr><th scope="col">"Icon (own caption)"</th><th scope="col">"Cosine"</th><th scope="col">"Rank"</th><th scope="col">"Best caption"</th></tr></thead>
                                <tbody>{matrix_rows}</tbody>
                            </table>
                        </div>
                    </PlotCanvas>
                    <p class="muted">"Row k is icon k, column j is caption j; warmer means more similar. The loss asks each row and each column to pick its diagonal cell: watch the diagonal light up."</p>
                    <ol class="clip-captions" aria-label="The shown captions">
                        {move || { let _ = version.get(); shown.get_value().into_iter().map(|i| view! { <li>{caption_of(i)}</li> }).collect_view() }}
                    </ol>
                </div>
            </div>
            <h3 class="small-heading">"Loss and held-out retrieval"</h3>
            <PlotCanvas label=curve_label aspect=0.45 draw=draw_curves alt_title="Show the curve as a table">
                <div class="table-scroll" tabindex="0" role="region" aria-label="Training curve">
                    <table class="data-table">
                        <caption>"Training loss and held-out recall@5"</caption>
                        <thead><tr><th scope="col">"Step"</th><th scope="col">"Loss"</th><th scope="col">"Image → caption"</th><th scope="col">"Caption → image"</th></tr></thead>
                        <tbody>{move || curve.with(|c| { let k = (c.len() / 12).max(1); c.iter().enumerate().filter(|(i, _)| i % k == 0 || *i + 1 == c.len()).map(|(_, p)| view! { <tr><td>{format!("{:.0}", p.step)}</td><td>{if p.loss.is_finite() { format!("{:.3}", p.loss) } else { "—".into() }}</td><td>{format!("{:.1} %", 100.0 * p.i2t)}</td><td>{format!("{:.1} %", 100.0 * p.t2i)}</td></tr> }).collect_view() })}</tbody>
                    </table>
                </div>
            </PlotCanvas>
            <p class="muted">{format!("Blue: training loss divided by ln(batch), its value for a model that guesses (1 = guessing). Orange and green: recall@5 on the {n_test} held-out icons, image → caption and caption → image. Grey: chance, 5 ÷ {n_test}.")}</p>
            <Checkpoint
                id="clip-cp"
                question=format!("Train for at least 300 steps. For a held-out icon — one the model has never seen — how often will its own caption be among the 5 nearest of the {n_test} held-out captions?")
                options=vec![
                    "About chance (2–3 %): a model cannot recognise what it never saw".to_owned(),
                    "Well above chance but far from always (roughly 10–90 %)".to_owned(),
                    "Almost always (over 90 %)".to_owned(),
                ]
                answer=answer
                waiting_text="Train for at least 300 steps first; the answer is measured on your run."
            />
        </div>
    }
}
