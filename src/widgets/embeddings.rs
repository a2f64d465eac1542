//! Word embeddings from a real model (all-MiniLM-L6-v2) on a 2-D map computed in the page:
//! PCA or t-SNE, nearest neighbours and analogies in the full 384 dimensions, contextual senses.

use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::assets;
use crate::shell::checkpoint::Checkpoint;
use crate::shell::dom;
use crate::shell::plot::{Area, PlotCanvas, PlotCtx, PointerPhase};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use genai_core::embed::{neighbour_preservation, pca, Knn, KnnBuilder, Metric, Table};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use genai_core::tsne::{Tsne, TsneConfig};
use leptos::html::Div;
use leptos::prelude::*;
use plotters::prelude::*;
use std::collections::HashMap;
use std::rc::Rc;

pub const META_ID: &str = "embeddings";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "embeddings", title: "Embedding map", embed_height: 1100 };

/// Neighbours kept per word: enough for t-SNE at the largest perplexity offered (3 × 50).
const K_MAX: usize = 150;
/// Neighbours listed and used for the "how much survives" measure.
const K_SHOWN: usize = 10;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Projection {
    #[default]
    Pca,
    Tsne,
}

impl Choice for Projection {
    const ALL: &'static [Projection] = &[Projection::Pca, Projection::Tsne];
    fn key(self) -> &'static str {
        match self {
            Projection::Pca => "pca",
            Projection::Tsne => "tsne",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EmbState {
    pub projection: Projection,
    pub perplexity: i64,
    pub learning_rate: i64,
    pub seed: u64,
    pub word: String,
    pub a: String,
    pub b: String,
    pub c: String,
    pub group: String,
    pub sense: String,
}

impl Default for EmbState {
    fn default() -> Self {
        EmbState {
            projection: Projection::Pca,
            perplexity: 30,
            learning_rate: 100,
            seed: 1,
            word: "cat".into(),
            a: "king".into(),
            b: "man".into(),
            c: "woman".into(),
            group: "animals".into(),
            sense: "drink".into(),
        }
    }
}

impl UrlState for EmbState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("projection", self.projection);
        w.int("perplexity", self.perplexity);
        w.int("lr", self.learning_rate);
        w.seed("seed", self.seed);
        w.text("word", &self.word);
        w.text("a", &self.a);
        w.text("b", &self.b);
        w.text("c", &self.c);
        w.text("group", &self.group);
        w.text("sense", &self.sense);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = EmbState::default();
        EmbState {
            projection: r.choice("projection", d.projection),
            perplexity: r.int("perplexity", 5..=50, d.perplexity),
            learning_rate: r.int("lr", 10..=1000, d.learning_rate),
            seed: r.seed("seed", d.seed),
            word: r.text("word", 40, &d.word),
            a: r.text("a", 40, &d.a),
            b: r.text("b", 40, &d.b),
            c: r.text("c", 40, &d.c),
            group: r.text("group", 40, &d.group),
            sense: r.text("sense", 40, &d.sense),
        }
    }
}

/// One sentence of the contextual-senses set.
struct SenseRow {
    sentence: String,
    word: String,
    sense: usize,
}

/// Everything loaded and derived once.
struct Data {
    table: Table,
    words: Vec<String>,
    group: Vec<u8>,
    group_names: Vec<String>,
    index: HashMap<String, usize>,
    /// PCA projections (n × 2) and the variance the two components explain.
    pca: Vec<f32>,
    pca_explained: [f32; 2],
    senses: Table,
    sense_rows: Vec<SenseRow>,
    sense_names: Vec<String>,
}

impl Data {
    fn lookup(&self, word: &str) -> Option<usize> {
        self.index.get(word.trim().to_lowercase().as_str()).copied()
    }
}

use crate::shell::assets::{js_get, js_strings};

/// Fetches and checks the tables; the error is a sentence for the visitor.
async fn load() -> Result<Data, String> {
    let corrupt = |what: &str, why: String| format!("The embedding data ({what}) is damaged: {why}. Reload the page; if it persists, the site's copy is broken.");
    let json = assets::fetch_text("embeddings/words.json").await?;
    let bin = assets::fetch_bytes("embeddings/words.bin").await?;
    let sjson = assets::fetch_text("embeddings/senses.json").await?;
    let sbin = assets::fetch_bytes("embeddings/senses.bin").await?;
    let meta = js_sys::JSON::parse(&json).map_err(|_| corrupt("words.json", "not valid JSON".into()))?;
    let words = js_strings(&js_get(&meta, "words"));
    let group: Vec<u8> = js_sys::Array::from(&js_get(&meta, "group")).iter().map(|g| g.as_f64().unwrap_or(0.0) as u8).collect();
    let group_names = js_strings(&js_get(&meta, "group_names"));
    let table = Table::from_emb1(&bin).map_err(|e| corrupt("words.bin", e.to_string()))?;
    if words.len() != table.n || group.len() != table.n {
        return Err(corrupt("words.json", format!("{} words for {} vectors", words.len(), table.n)));
    }
    let smeta = js_sys::JSON::parse(&sjson).map_err(|_| corrupt("senses.json", "not valid JSON".into()))?;
    let senses = Table::from_emb1(&sbin).map_err(|e| corrupt("senses.bin", e.to_string()))?;
    let sense_rows: Vec<SenseRow> = js_sys::Array::from(&js_get(&smeta, "rows"))
        .iter()
        .map(|r| SenseRow {
            sentence: js_get(&r, "sentence").as_string().unwrap_or_default(),
            word: js_get(&r, "word").as_string().unwrap_or_default(),
            sense: js_get(&r, "sense").as_f64().unwrap_or(0.0) as usize,
        })
        .collect();
    if sense_rows.len() != senses.n {
        return Err(corrupt("senses.json", format!("{} sentences for {} vectors", sense_rows.len(), senses.n)));
    }
    let sense_names = js_strings(&js_get(&smeta, "sense_names"));
    let index = words.iter().enumerate().map(|(i, w)| (w.clone(), i)).collect();
    let p = pca(&table.data, table.n, table.dim, 2, 60, 1);
    Ok(Data {
        pca_explained: [p.explained_variance_ratio[0], p.explained_variance_ratio[1]],
        pca: p.projections,
        table,
        words,
        group,
        group_names,
        index,
        senses,
        sense_rows,
        sense_names,
    })
}

/// The map's view: centre and half-width of the shown square, in map units.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ViewBox {
    cx: f32,
    cy: f32,
    half: f32,
}

/// The square around a set of 2-D points (with a margin).
fn fit(points: &[f32]) -> ViewBox {
    let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for p in points.chunks_exact(2).filter(|p| p[0].is_finite() && p[1].is_finite()) {
        (x0, x1, y0, y1) = (x0.min(p[0]), x1.max(p[0]), y0.min(p[1]), y1.max(p[1]));
    }
    if x0 > x1 {
        return ViewBox { cx: 0.0, cy: 0.0, half: 1.0 };
    }
    ViewBox { cx: (x0 + x1) / 2.0, cy: (y0 + y1) / 2.0, half: ((x1 - x0).max(y1 - y0) / 2.0 * 1.08).max(1e-6) }
}

/// What the map draws beyond the dots.
#[derive(Clone, Debug, Default, PartialEq)]
struct Marks {
    /// The searched word and its neighbours (word indices).
    selected: Option<usize>,
    neighbours: Vec<usize>,
    /// The words of the highlighted group.
    group: Option<u8>,
    hovered: Option<usize>,
    analogy: Vec<usize>,
}

fn draw_map(area: &Area, ctx: &PlotCtx, data: &Data, pos: &[f32], view: ViewBox, marks: &Marks) {
    let p = &ctx.palette;
    let (w, h) = (ctx.width as f64, ctx.height as f64);
    let to_px = |x: f32, y: f32| {
        let s = w.min(h) / (2.0 * view.half as f64);
        (w / 2.0 + (x - view.cx) as f64 * s, h / 2.0 - (y - view.cy) as f64 * s)
    };
    let mut other = Vec::new();
    let mut taught = Vec::new();
    let mut group = Vec::new();
    for (i, q) in pos.chunks_exact(2).enumerate() {
        let xy = to_px(q[0], q[1]);
        if Some(data.group[i]) == marks.group {
            group.push(xy);
        } else if data.group[i] != 0 {
            taught.push(xy);
        } else {
            other.push(xy);
        }
    }
    ctx.dots(&other, ctx.px(1.6), p.grid, true, 0.0);
    ctx.dots(&taught, ctx.px(2.2), p.muted, true, 0.0);
    ctx.dots(&group, ctx.px(3.2), p.series[2], true, 0.0);
    let label = |i: usize, color: RGBColor, bold: bool| {
        let (x, y) = to_px(pos[2 * i], pos[2 * i + 1]);
        let size = if bold { 14.0 } else { 12.0 };
        let _ = area.draw(&Text::new(data.words[i].clone(), (x as i32 + ctx.px(5.0) as i32, y as i32 - ctx.px(5.0) as i32), ctx.font(size, color)));
    };
    if marks.group.is_some() {
        for (i, &g) in data.group.iter().enumerate() {
            if Some(g) == marks.group {
                label(i, p.series[2], false);
            }
        }
    }
    let near: Vec<(f64, f64)> = marks.neighbours.iter().map(|&i| to_px(pos[2 * i], pos[2 * i + 1])).collect();
    ctx.dots(&near, ctx.px(4.0), p.series[1], false, ctx.px(2.0));
    for &i in &marks.neighbours {
        label(i, p.series[1], false);
    }
    let ana: Vec<(f64, f64)> = marks.analogy.iter().map(|&i| to_px(pos[2 * i], pos[2 * i + 1])).collect();
    ctx.dots(&ana, ctx.px(4.5), p.series[4], false, ctx.px(2.0));
    for &i in &marks.analogy {
        label(i, p.series[4], false);
    }
    if let Some(i) = marks.selected {
        let xy = to_px(pos[2 * i], pos[2 * i + 1]);
        ctx.dots(&[xy], ctx.px(5.0), p.series[0], true, 0.0);
        label(i, p.series[0], true);
    }
    if let Some(i) = marks.hovered {
        let xy = to_px(pos[2 * i], pos[2 * i + 1]);
        ctx.dots(&[xy], ctx.px(5.0), p.fg, false, ctx.px(1.5));
        label(i, p.fg, true);
    }
}

/// The contextual-senses plot: PCA of one word's sentence vectors, coloured by sense.
/// Height ÷ width of the senses plot.
const SENSES_ASPECT: f64 = 0.6;

fn draw_senses(area: &Area, ctx: &PlotCtx, pts: &[(f32, f32, usize)], hovered: Option<usize>) {
    let p = &ctx.palette;
    let flat: Vec<f32> = pts.iter().flat_map(|&(x, y, _)| [x, y]).collect();
    let view = fit(&flat);
    let (w, h) = (ctx.width as f64, ctx.height as f64);
    let s = w.min(h) / (2.0 * view.half as f64);
    let to_px = |x: f32, y: f32| (w / 2.0 + (x - view.cx) as f64 * s, h / 2.0 - (y - view.cy) as f64 * s);
    for sense in 0..2 {
        let xy: Vec<(f64, f64)> = pts.iter().filter(|q| q.2 % 2 == sense).map(|q| to_px(q.0, q.1)).collect();
        ctx.dots(&xy, ctx.px(5.0), p.series[sense], sense == 0, ctx.px(2.0));
    }
    if let Some(q) = hovered.and_then(|k| pts.get(k)) {
        ctx.dots(&[to_px(q.0, q.1)], ctx.px(8.0), p.fg, false, ctx.px(2.0));
    }
    let _ = area;
}

/// Status of the background neighbour search.
#[derive(Clone, Debug, PartialEq)]
enum Neighbours {
    Waiting,
    Building(f32),
    Ready,
}

fn text_input(label: &'static str, id: &'static str, value: Signal<String>, set: impl Fn(String) + Copy + 'static) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>{label}</span>
            <input id=id type="text" autocomplete="off" spellcheck="false" maxlength="40" prop:value=move || value.get()
                on:change=move |ev| set(event_target_value(&ev))/>
        </label>
    }
}

#[component]
pub fn EmbeddingsWidget() -> impl IntoView {
    let url = use_url_state::<EmbState>();
    let state = url.state;
    let root = NodeRef::<Div>::new();
    let data = StoredValue::new_local(None::<Rc<Data>>);
    // None while loading; then Ok, or why the data could not be used.
    let status = RwSignal::new(None::<Result<(), String>>);
    let version = RwSignal::new(0u32); // bumped when data, neighbours or the layout change
    let knn = StoredValue::new_local(None::<Rc<Knn>>);
    let knn_status = RwSignal::new(Neighbours::Waiting);
    let tsne = StoredValue::new_local(None::<Tsne>);
    let tsne_iter = RwSignal::new(0usize);
    let tsne_kl = RwSignal::new(None::<f64>);
    let view_box = RwSignal::new(None::<ViewBox>);
    let hovered = RwSignal::new(None::<usize>);
    let drag = StoredValue::new(None::<(f64, f64, ViewBox)>);
    let preservation = RwSignal::new((None::<f32>, None::<(usize, f32)>));

    // Load, then find every word's neighbours in the background (sliced, so the page stays live).
    leptos::task::spawn_local(async move {
        match load().await {
            Err(why) => status.set(Some(Err(why))),
            Ok(d) => {
                let d = Rc::new(d);
                data.set_value(Some(d.clone()));
                status.set(Some(Ok(())));
                version.update(|v| *v += 1);
                let mut builder = KnnBuilder::new(&d.table.data, d.table.n, d.table.dim, K_MAX, Metric::Cosine);
                loop {
                    let t0 = now_ms();
                    while !builder.is_done() && now_ms() - t0 < 30.0 {
                        builder.advance(8);
                    }
                    knn_status.set(Neighbours::Building(builder.progress()));
                    if builder.is_done() {
                        break;
                    }
                    dom::yield_to_browser().await;
                }
                let k = Rc::new(builder.finish());
                let ten = first_k(&k, K_SHOWN);
                preservation.update(|p| p.0 = Some(neighbour_preservation(&ten, &d.pca, 2, K_SHOWN)));
                knn.set_value(Some(k));
                knn_status.set(Neighbours::Ready);
            }
        }
    });

    let positions = move || -> Option<Vec<f32>> {
        version.track();
        let d = data.get_value()?;
        match state.with(|s| s.projection) {
            Projection::Pca => Some(d.pca.clone()),
            Projection::Tsne => tsne.with_value(|t| t.as_ref().map(|t| t.positions().to_vec())).or_else(|| Some(d.pca.clone())),
        }
    };

    // A new t-SNE run whenever its settings change (once the neighbours are known).
    let start_tsne = move || {
        let (Some(d), Some(k)) = (data.get_value(), knn.get_value()) else { return };
        let s = state.get_untracked();
        let kk = ((3 * s.perplexity) as usize).clamp(2, K_MAX);
        let sub = first_k(&k, kk);
        let sq: Vec<f32> = sub.value.iter().map(|c| (2.0 - 2.0 * c).max(0.0)).collect();
        let cfg = TsneConfig { perplexity: s.perplexity as f32, learning_rate: Some(s.learning_rate as f32), seed: s.seed, ..TsneConfig::default() };
        tsne.set_value(Some(Tsne::from_neighbours(d.table.n, kk, &sub.index, &sq, &cfg, None)));
        tsne_iter.set(0);
        tsne_kl.set(None);
        preservation.update(|p| p.1 = None);
        version.update(|v| *v += 1);
    };
    let tsne_key = Memo::new(move |_| state.with(|s| (s.perplexity, s.learning_rate, s.seed)));
    Effect::new(move |_| {
        let _ = tsne_key.get();
        if knn_status.get() == Neighbours::Ready {
            start_tsne();
        }
    });
    // A projection switch frames the new picture.
    Effect::new(move |_| {
        let _ = state.with(|s| s.projection);
        view_box.set(None);
    });

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        let mut ran = false;
        tsne.update_value(|t| {
            if let Some(t) = t.as_mut() {
                f.repeat(|| {
                    t.step();
                    true
                });
                ran = true;
            }
        });
        if ran {
            tsne.with_value(|t| {
                if let Some(t) = t {
                    tsne_iter.set(t.iteration());
                    tsne_kl.set(t.kl_estimate().map(|k| k.1));
                }
            });
            version.update(|v| *v += 1);
        }
    });
    // Measure the t-SNE map's neighbour preservation when training pauses.
    Effect::new(move |_| {
        if anim.playing.get() || tsne_iter.get_untracked() == 0 {
            return;
        }
        let (Some(k), Some(t)) = (knn.get_value(), tsne.with_value(|t| t.as_ref().map(|t| (t.positions().to_vec(), t.iteration())))) else { return };
        let ten = first_k(&k, K_SHOWN);
        preservation.update(|p| p.1 = Some((t.1, neighbour_preservation(&ten, &t.0, 2, K_SHOWN))));
    });

    // Search and analogy, in the full 384 dimensions.
    let search = Memo::new(move |_| {
        version.track();
        let word = state.with(|s| s.word.clone());
        let d = data.get_value()?;
        Some(match d.lookup(&word) {
            Some(i) => Ok((i, d.table.nearest(d.table.row(i), K_SHOWN, &[i]))),
            None => Err(word),
        })
    });
    let analogy = Memo::new(move |_| {
        version.track();
        let (a, b, c) = state.with(|s| (s.a.clone(), s.b.clone(), s.c.clone()));
        let d = data.get_value()?;
        let missing: Vec<String> = [&a, &b, &c].iter().filter(|w| d.lookup(w).is_none()).map(|w| format!("“{}”", w.trim())).collect();
        if !missing.is_empty() {
            return Some(Err(missing.join(", ")));
        }
        let (ia, ib, ic) = (d.lookup(&a)?, d.lookup(&b)?, d.lookup(&c)?);
        Some(Ok(d.table.analogy(ia, ib, ic, 5)))
    });
    let group_index = Memo::new(move |_| {
        version.track();
        let g = state.with(|s| s.group.clone());
        data.get_value().and_then(|d| d.group_names.iter().position(|n| *n == g).filter(|&i| i > 0).map(|i| i as u8))
    });

    let word_of = move |i: usize| data.get_value().map(|d| d.words[i].clone()).unwrap_or_default();
    let set_word = move |w: String| state.update(|s| s.word = w.trim().to_lowercase());

    // Pointer: hover shows the nearest word, a press and drag pans, a click selects.
    let pick = move |fx: f64, fy: f64| -> Option<usize> {
        let pos = positions()?;
        let vb = view_box.get_untracked().unwrap_or_else(|| fit(&pos));
        let (x, y) = (vb.cx + (fx as f32 * 2.0 - 1.0) * vb.half, vb.cy - (fy as f32 * 2.0 - 1.0) * vb.half);
        let r = vb.half * 0.04;
        pos.chunks_exact(2)
            .enumerate()
            .map(|(i, q)| (i, (q[0] - x).hypot(q[1] - y)))
            .filter(|&(_, dist)| dist < r)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    };
    let on_pointer = Callback::new(move |(phase, fx, fy): (PointerPhase, f64, f64)| {
        let current = view_box.get_untracked().or_else(|| positions().map(|p| fit(&p)));
        match phase {
            PointerPhase::Down => drag.set_value(current.map(|v| (fx, fy, v))),
            PointerPhase::Move => match drag.get_value() {
                Some((x0, y0, v)) => {
                    let (dx, dy) = ((fx - x0) as f32 * 2.0 * v.half, (fy - y0) as f32 * 2.0 * v.half);
                    if dx.abs() + dy.abs() > v.half * 0.01 {
                        view_box.set(Some(ViewBox { cx: v.cx - dx, cy: v.cy + dy, ..v }));
                    }
                }
                None => hovered.set(pick(fx, fy)),
            },
            PointerPhase::Up => {
                if let Some((x0, y0, _)) = drag.get_value() {
                    if (fx - x0).abs() + (fy - y0).abs() < 0.01 {
                        if let Some(i) = pick(fx, fy) {
                            set_word(word_of(i));
                        }
                    }
                }
                drag.set_value(None);
            }
        }
    });
    let zoom = move |factor: f32| {
        let v = view_box.get_untracked().or_else(|| positions().map(|p| fit(&p)));
        if let Some(v) = v {
            view_box.set(Some(ViewBox { half: (v.half * factor).max(1e-4), ..v }));
        }
    };
    let pan = move |dx: f32, dy: f32| {
        let v = view_box.get_untracked().or_else(|| positions().map(|p| fit(&p)));
        if let Some(v) = v {
            view_box.set(Some(ViewBox { cx: v.cx + dx * v.half, cy: v.cy + dy * v.half, ..v }));
        }
    };
    let on_key = Callback::new(move |ev: web_sys::KeyboardEvent| {
        let handled = match ev.key().as_str() {
            "+" | "=" => {
                zoom(0.8);
                true
            }
            "-" | "_" => {
                zoom(1.25);
                true
            }
            "ArrowLeft" => {
                pan(-0.1, 0.0);
                true
            }
            "ArrowRight" => {
                pan(0.1, 0.0);
                true
            }
            "ArrowUp" => {
                pan(0.0, 0.1);
                true
            }
            "ArrowDown" => {
                pan(0.0, -0.1);
                true
            }
            "0" => {
                view_box.set(None);
                true
            }
            // n / p: step the label through the searched word's neighbours (keyboard "hover").
            "n" | "p" => {
                if let Some(Some(Ok((i, near)))) = search.get_untracked().map(Some) {
                    let ring: Vec<usize> = std::iter::once(i).chain(near.iter().map(|n| n.0)).collect();
                    let at = hovered.get_untracked().and_then(|h| ring.iter().position(|&r| r == h));
                    let next = match (at, ev.key().as_str()) {
                        (None, _) => 0,
                        (Some(k), "n") => (k + 1) % ring.len(),
                        (Some(k), _) => (k + ring.len() - 1) % ring.len(),
                    };
                    hovered.set(Some(ring[next]));
                }
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    });
    // Zoom with the wheel around the view's centre.
    let on_wheel = move |ev: web_sys::WheelEvent| {
        if ev.ctrl_key() || ev.delta_y() == 0.0 {
            return;
        }
        ev.prevent_default();
        zoom(if ev.delta_y() < 0.0 { 0.85 } else { 1.0 / 0.85 });
    };

    let export_png = move |_| {
        if let Some(r) = root.get_untracked() {
            dom::download_canvas(&r, ".emb-map canvas", "embedding-map.png");
        }
    };
    let export_csv = move |_| {
        if let Some(Some(Ok((i, near)))) = search.get_untracked().map(Some) {
            let mut csv = format!("word,neighbour,cosine\n");
            for (j, c) in near {
                csv.push_str(&format!("{},{},{c:.4}\n", word_of(i), word_of(j)));
            }
            dom::download("neighbours.csv", &dom::data_url("text/csv", &csv));
        }
    };
    let checkpoint = Callback::new(move |()| {
        let d = data.get_value()?;
        let cat = d.lookup("cat")?;
        let opts = ["kitten", "dog", "car"];
        let sims: Vec<f32> = opts.iter().map(|w| d.lookup(w).map(|j| d.table.cosine(cat, j)).unwrap_or(f32::NAN)).collect();
        let best = (0..3).max_by(|&a, &b| sims[a].total_cmp(&sims[b]))?;
        Some((best, format!(
            "Computed just now from the model's vectors: cos(cat, kitten) = {:.3}, cos(cat, dog) = {:.3}, cos(cat, car) = {:.3}. Words used in similar contexts end up pointing in similar directions.",
            sims[0], sims[1], sims[2]
        )))
    });

    let marks = move || -> Marks {
        let (selected, neighbours) = match search.get() {
            Some(Ok((i, near))) => (Some(i), near.iter().map(|n| n.0).collect()),
            _ => (None, Vec::new()),
        };
        let analogy = match analogy.get() {
            Some(Ok(v)) => v.iter().take(1).map(|n| n.0).collect(),
            _ => Vec::new(),
        };
        Marks { selected, neighbours, group: group_index.get(), hovered: hovered.get(), analogy }
    };
    let map_label = Signal::derive(move || {
        let proj = match state.with(|s| s.projection) {
            Projection::Pca => "PCA".to_owned(),
            Projection::Tsne => format!("t-SNE after {} iterations", tsne_iter.get()),
        };
        let sel = match search.get() {
            Some(Ok((i, _))) => format!(" “{}” and its 10 nearest neighbours are marked.", word_of(i)),
            _ => String::new(),
        };
        let hov = hovered.get().map(|i| format!(" Highlighted: “{}”.", word_of(i))).unwrap_or_default();
        format!("Map of 5,000 English words, 384 dimensions squeezed to 2 by {proj}.{sel}{hov} Arrow keys pan, + and − zoom, 0 resets, n and p step through the neighbours.")
    });

    // Contextual senses of one word.
    let sense_words = ["drink", "bank", "bat", "light", "spring"];
    let senses = Memo::new(move |_| {
        version.track();
        let w = state.with(|s| s.sense.clone());
        let d = data.get_value()?;
        let rows: Vec<usize> = d.sense_rows.iter().enumerate().filter(|(_, r)| r.word == w).map(|(i, _)| i).collect();
        if rows.len() < 3 {
            return None;
        }
        let sub: Vec<f32> = rows.iter().flat_map(|&i| d.senses.row(i).to_vec()).collect();
        let p = pca(&sub, rows.len(), d.senses.dim, 2, 60, 1);
        let pts: Vec<(f32, f32, usize)> = rows.iter().enumerate().map(|(k, &i)| (p.projections[2 * k], p.projections[2 * k + 1], d.sense_rows[i].sense)).collect();
        // Leave-one-out: is each sentence nearer its own sense's centroid than the other one?
        let mut correct = 0;
        for (k, &i) in rows.iter().enumerate() {
            let mut best = (f32::MIN, 0);
            for sense in [d.sense_rows[rows[0]].sense & !1, (d.sense_rows[rows[0]].sense & !1) + 1] {
                let mut c = vec![0.0f32; d.senses.dim];
                let mut m = 0;
                for (k2, &j) in rows.iter().enumerate() {
                    if k2 != k && d.sense_rows[j].sense == sense {
                        d.senses.row(j).iter().zip(c.iter_mut()).for_each(|(v, a)| *a += v);
                        m += 1;
                    }
                }
                let cos = genai_core::embed::cosine(&c, d.senses.row(i));
                if m > 0 && cos > best.0 {
                    best = (cos, sense);
                }
            }
            if best.1 == d.sense_rows[i].sense {
                correct += 1;
            }
        }
        let table: Vec<(String, String)> = rows.iter().map(|&i| (d.sense_rows[i].sentence.clone(), d.sense_names.get(d.sense_rows[i].sense).cloned().unwrap_or_default())).collect();
        Some((pts, table, correct, rows.len()))
    });

    // Pointing at a dot in the senses plot shows its sentence.
    let sense_hover = RwSignal::new(None::<usize>);
    let on_sense_pointer = Callback::new(move |(_phase, fx, fy): (PointerPhase, f64, f64)| {
        let Some((pts, _, _, _)) = senses.get_untracked() else { return };
        let flat: Vec<f32> = pts.iter().flat_map(|&(x, y, _)| [x, y]).collect();
        let v = fit(&flat);
        let scale = SENSES_ASPECT / (2.0 * v.half as f64); // canvas width = 1, height = SENSES_ASPECT
        let (x, y) = (v.cx as f64 + (fx - 0.5) / scale, v.cy as f64 - (fy * SENSES_ASPECT - SENSES_ASPECT / 2.0) / scale);
        let best = pts
            .iter()
            .enumerate()
            .map(|(k, p)| (k, (p.0 as f64 - x).hypot(p.1 as f64 - y)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|&(_, d)| d * scale < 0.04);
        sense_hover.set(best.map(|b| b.0));
    });

    let st = move || state.get();
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="embeddings" node_ref=root>
                {move || match status.get() {
                    None => Some(view! { <Loading label="Loading the embedding table" text="Loading the embedding table (2 MB)…"/> }.into_any()),
                    Some(Err(msg)) => Some(view! { <p class="notice" role="alert">{msg}</p> }.into_any()),
                    Some(Ok(())) => None,
                }}
                <div class="controls-row">
                    <fieldset class="radio-row">
                        <legend>"Projection"</legend>
                        {Projection::ALL.iter().map(|&p| {
                            let name = if p == Projection::Pca { "PCA (linear, instant)" } else { "t-SNE (non-linear, animated)" };
                            view! {
                                <label class="radio">
                                    <input type="radio" name="emb-projection" prop:checked=move || st().projection == p
                                        on:change=move |_| state.update(|s| s.projection = p)/>
                                    {name}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <label class="field" for="emb-perplexity">
                        <span>"Perplexity"</span>
                        <input id="emb-perplexity" type="number" min="5" max="50" prop:value=move || st().perplexity.to_string()
                            on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|s| s.perplexity = v.clamp(5, 50)) } }/>
                    </label>
                    <label class="field" for="emb-lr">
                        <span>"Learning rate"</span>
                        <input id="emb-lr" type="number" min="10" max="1000" prop:value=move || st().learning_rate.to_string()
                            on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|s| s.learning_rate = v.clamp(10, 1000)) } }/>
                    </label>
                    <label class="field" for="emb-seed">
                        <span>"Seed"</span>
                        <input id="emb-seed" type="number" min="0" prop:value=move || st().seed.to_string()
                            on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() { state.update(|s| s.seed = v) } }/>
                    </label>
                    <label class="field" for="emb-group">
                        <span>"Highlight group"</span>
                        <select id="emb-group" on:change=move |ev| { let v = event_target_value(&ev); state.update(|s| s.group = v) }>
                            {["none", "animals", "food_drink", "vehicles", "royalty_family", "emotions", "colours", "numbers", "countries", "capitals", "verb_forms"].into_iter().map(|g| view! {
                                <option value=g prop:selected=move || st().group == g>{g.replace('_', " ")}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <Show when=move || st().projection == Projection::Tsne>
                    <div class="controls-row">
                        <LoopControls anim=anim play_label="Run t-SNE" step_label="One iteration"/>
                        <span class="muted" aria-live="polite">{move || match knn_status.get() {
                            Neighbours::Waiting => "Waiting for the data…".to_owned(),
                            Neighbours::Building(p) => format!("Finding every word's {K_MAX} nearest neighbours in 384-d: {:.0} %", p * 100.0),
                            Neighbours::Ready => format!("Iteration {}{}", tsne_iter.get(), tsne_kl.get().map(|k| format!(", KL ≈ {k:.3}")).unwrap_or_default()),
                        }}</span>
                    </div>
                </Show>
                <div class="emb-grid">
                    <div class="emb-map" on:wheel=on_wheel>
                        <PlotCanvas label=map_label aspect=0.8 draw=move |area: &Area, ctx: &PlotCtx| {
                            let (Some(d), Some(pos)) = (data.get_value(), positions()) else { return };
                            let vb = view_box.get().unwrap_or_else(|| fit(&pos));
                            draw_map(area, ctx, &d, &pos, vb, &marks());
                        } on_pointer=on_pointer pointer_active=Signal::derive(|| true) on_key=on_key alt_title="Show the marked words as text">
                            <p>{move || match search.get() {
                                Some(Ok((i, near))) => format!("“{}”: nearest in 384-d are {}.", word_of(i), near.iter().map(|n| word_of(n.0)).collect::<Vec<_>>().join(", ")),
                                _ => "No word selected.".to_owned(),
                            }}</p>
                        </PlotCanvas>
                        <div class="controls-row">
                            <button type="button" class="btn btn-small" on:click=move |_| zoom(0.8)>"Zoom in"</button>
                            <button type="button" class="btn btn-small" on:click=move |_| zoom(1.25)>"Zoom out"</button>
                            <button type="button" class="btn btn-small" on:click=move |_| view_box.set(None)>"Reset view"</button>
                            <button type="button" class="btn btn-small" on:click=export_png>"Download map (PNG)"</button>
                        </div>
                    </div>
                    <div class="emb-side">
                        {text_input("Search a word", "emb-word", Signal::derive(move || st().word), move |v| set_word(v))}
                        <div class="controls-row" data-lesson-group="Example words">
                            {["cat", "feline", "kitten", "dog", "car"].into_iter().map(|w| view! {
                                <button type="button" class="btn btn-small" on:click=move |_| set_word(w.to_owned())>{w}</button>
                            }).collect_view()}
                        </div>
                        {move || match search.get() {
                            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                            Some(Err(w)) if w.trim().is_empty() => view! { <p class="notice" role="status">"Type a word to see its neighbours."</p> }.into_any(),
                            Some(Err(w)) => view! { <p class="notice" role="status">"“" {w.trim().to_owned()} "” is not among the 5,000 words in this table (common words from two public-domain books, plus some picked groups). The model itself could embed it — it reads any text in pieces — but this page ships only the table."</p> }.into_any(),
                            Some(Ok((i, near))) => view! {
                                <table class="data-table neighbours" data-lesson-group="Nearest words">
                                    <caption>{format!("Nearest to “{}” (cosine similarity in 384 dimensions)", word_of(i))}</caption>
                                    <thead><tr><th scope="col">"Word"</th><th scope="col">"Cosine"</th></tr></thead>
                                    <tbody>
                                        {near.into_iter().map(|(j, c)| view! {
                                            <tr>
                                                <td><button type="button" class="link-button" on:click=move |_| set_word(word_of(j))>{word_of(j)}</button></td>
                                                <td><span class="bar" style=format!("width: {:.0}%", (c.max(0.0) * 100.0))></span>{format!("{c:.3}")}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                        }}
                        <button type="button" class="btn btn-small" on:click=export_csv>"Download neighbours (CSV)"</button>
                        <h3>"Vector arithmetic"</h3>
                        <div class="controls-row analogy">
                            {text_input("Start from", "emb-a", Signal::derive(move || st().a), move |v| state.update(|s| s.a = v))}
                            <span aria-hidden="true">"−"</span>
                            {text_input("take away", "emb-b", Signal::derive(move || st().b), move |v| state.update(|s| s.b = v))}
                            <span aria-hidden="true">"+"</span>
                            {text_input("add", "emb-c", Signal::derive(move || st().c), move |v| state.update(|s| s.c = v))}
                        </div>
                        {move || match analogy.get() {
                            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                            Some(Err(missing)) => view! { <p class="notice" role="status">"Not in the table: " {missing} "."</p> }.into_any(),
                            Some(Ok(v)) => view! {
                                <ol class="analogy-result" aria-label="Nearest words to the result">
                                    {v.into_iter().map(|(j, c)| view! { <li>{word_of(j)} " " <span class="muted">{format!("{c:.3}")}</span></li> }).collect_view()}
                                </ol>
                            }.into_any(),
                        }}
                        <p class="muted">"The three words you typed are left out of the answer. The arithmetic often misses: a near-hit such as the plural or a related word is common, and that is worth seeing."</p>
                        <h3>"What the 2-D map keeps"</h3>
                        <p aria-live="polite" data-testid="emb-preservation">{move || {
                            let (pca_p, tsne_p) = preservation.get();
                            let var = data.get_value().map(|d| format!("PCA's two axes carry {:.1} % of the variance. ", (d.pca_explained[0] + d.pca_explained[1]) * 100.0)).unwrap_or_default();
                            let a = pca_p.map(|v| format!("{var}PCA keeps {:.1} % of each word's 10 nearest neighbours", v * 100.0)).unwrap_or_else(|| format!("{var}PCA: measuring once the neighbours are known"));
                            let b = tsne_p.map(|(it, v)| format!("; t-SNE after {it} iterations keeps {:.1} %", v * 100.0)).unwrap_or_else(|| "; run and pause t-SNE to measure it".to_owned());
                            format!("{a}{b}. (Neighbours in 384-d by cosine versus nearest on the picture.)")
                        }}</p>
                    </div>
                </div>
                <h3>"One word, many meanings: contextual embeddings"</h3>
                <p>
                    "The table above gives every word one vector, whatever it means where it stands. Inside the model, each word "
                    "gets a new vector for each sentence, shaped by its neighbours. Below: the model's vector for one word in about twenty sentences, "
                    "mapped by PCA and coloured by the meaning it has there."
                </p>
                <label class="field" for="emb-sense">
                    <span>"Word"</span>
                    <select id="emb-sense" on:change=move |ev| { let v = event_target_value(&ev); state.update(|s| s.sense = v) }>
                        {sense_words.into_iter().map(|w| view! { <option value=w prop:selected=move || st().sense == w>{w}</option> }).collect_view()}
                    </select>
                </label>
                <div class="emb-senses">
                    <PlotCanvas label=Signal::derive(move || match senses.get() {
                        Some((_, _, correct, n)) => format!("The word in {n} sentences, mapped by PCA: filled dots one meaning, rings the other. {correct} of {n} sentences sit closer to the average of their own meaning than to the other's."),
                        None => "Loading the sentences…".to_owned(),
                    }) aspect=SENSES_ASPECT draw=move |area: &Area, ctx: &PlotCtx| {
                        if let Some((pts, _, _, _)) = senses.get() {
                            draw_senses(area, ctx, &pts, sense_hover.get());
                        }
                    } on_pointer=on_sense_pointer pointer_active=Signal::derive(|| true) alt_title="Show the sentences">
                        <table class="data-table">
                            <caption>"Sentences and the meaning the word has in each"</caption>
                            <thead><tr><th scope="col">"Sentence"</th><th scope="col">"Meaning"</th></tr></thead>
                            <tbody>
                                {move || senses.get().map(|(_, t, _, _)| t.into_iter().map(|(s, m)| view! { <tr><td>{s}</td><td>{m}</td></tr> }).collect_view())}
                            </tbody>
                        </table>
                    </PlotCanvas>
                    <p class="sense-sentence" aria-live="polite">{move || match (sense_hover.get(), senses.get()) {
                        (Some(k), Some((_, table, _, _))) => table.get(k).map(|(sentence, meaning)| format!("“{sentence}” — {meaning}")).unwrap_or_default(),
                        _ => "Point at a dot to read its sentence.".to_owned(),
                    }}</p>
                    <p data-testid="emb-senses-score">{move || senses.get().map(|(_, _, c, n)| format!("{c} of {n} sentences are closer to the average vector of their own meaning (computed without them) than to the other meaning's. "))}
                        {move || senses.get().map(|_| {
                            let names: Vec<String> = data.get_value().map(|d| d.sense_names.clone()).unwrap_or_default();
                            let w = st().sense;
                            let mine: Vec<String> = names.into_iter().filter(|n| n.starts_with(&w)).collect();
                            format!("Filled: {}; rings: {}.", mine.first().cloned().unwrap_or_default(), mine.get(1).cloned().unwrap_or_default())
                        })}
                    </p>
                </div>
                <Checkpoint
                    id="cp-emb-cat"
                    question="which of these words has the vector closest to “cat”?"
                    options=vec!["kitten".to_owned(), "dog".to_owned(), "car".to_owned()]
                    answer=checkpoint
                />
            </div>
        </WidgetFrame>
    }
}

/// The first `k` neighbours of every point (the lists are sorted nearest first).
fn first_k(knn: &Knn, k: usize) -> Knn {
    let k = k.min(knn.k);
    let mut index = Vec::with_capacity(knn.n * k);
    let mut value = Vec::with_capacity(knn.n * k);
    for i in 0..knn.n {
        index.extend_from_slice(&knn.index[i * knn.k..i * knn.k + k]);
        value.extend_from_slice(&knn.value[i * knn.k..i * knn.k + k]);
    }
    Knn { n: knn.n, k, index, value }
}
