//! The small GPT's own token embeddings (the rows of W_te) on a 2-D map: PCA at once, t-SNE in the
//! shared loop on request; a token chosen by typing (tokenized with the model's tokenizer) or by
//! clicking, and its 10 nearest tokens by cosine similarity in all d dimensions.

use super::lm_store::{use_lm, Lm, LmLoad};
use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::dom;
use crate::shell::plot::{Area, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use genai_core::embed::{pca, KnnBuilder, Metric, Table};
use genai_core::query::{Choice, Notice, StateReader, StateWriter, UrlState};
use genai_core::tsne::{Tsne, TsneConfig};
use leptos::html::Div;
use crate::widgets::lm::fmt_int;
use leptos::prelude::*;
use plotters::prelude::*;
use std::collections::HashMap;
use std::rc::Rc;

pub const META_ID: &str = "lm-embed";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "llm", title: "The model's own token embeddings", embed_height: 1000 };

/// Neighbours listed for the chosen token.
const K_SHOWN: usize = 10;
/// t-SNE's perplexity; its neighbour graph keeps 3 × that many per token.
const PERPLEXITY: f32 = 30.0;
/// t-SNE stops itself here (the map has long settled).
const TSNE_ITERS: usize = 1000;
/// Longest token text accepted from the box or the URL.
const MAX_CHARS: usize = 40;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    #[default]
    Pca,
    Tsne,
}

impl Choice for Method {
    const ALL: &'static [Method] = &[Method::Pca, Method::Tsne];
    fn key(self) -> &'static str {
        match self {
            Method::Pca => "pca",
            Method::Tsne => "tsne",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LmEmbedState {
    pub method: Method,
    /// The chosen token's text, leading space included (or what the learner typed).
    pub token: String,
}

impl Default for LmEmbedState {
    fn default() -> Self {
        LmEmbedState { method: Method::Pca, token: " whale".into() }
    }
}

impl UrlState for LmEmbedState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("method", self.method);
        w.text("token", &self.token);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = LmEmbedState::default();
        LmEmbedState { method: r.choice("method", d.method), token: r.text("token", MAX_CHARS, &d.token) }
    }
}

/// What kind of text a token is (the map's colours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A space and letters: the start of a word.
    WordStart,
    /// Letters with no space: the middle or end of a word (or a word at a line start).
    Piece,
    /// Contains a digit.
    Number,
    /// Punctuation, spaces, mixtures.
    Other,
}

const KINDS: [(Kind, &str); 4] = [
    (Kind::WordStart, "word start (␣ + letters)"),
    (Kind::Piece, "word piece (letters, no space)"),
    (Kind::Number, "number"),
    (Kind::Other, "punctuation and other"),
];

fn kind_of(text: &str) -> Kind {
    let body = text.trim_start_matches(' ');
    if body.chars().any(|c| c.is_ascii_digit()) {
        Kind::Number
    } else if !body.is_empty() && body.chars().all(|c| c.is_alphabetic()) {
        if body.len() < text.len() {
            Kind::WordStart
        } else {
            Kind::Piece
        }
    } else {
        Kind::Other
    }
}

/// Which of the palette's colours a kind is drawn in (its legend swatch uses the same variable).
fn kind_series(k: Kind) -> usize {
    match k {
        Kind::WordStart => 2,
        Kind::Piece => 4,
        Kind::Number => 5,
        Kind::Other => 3,
    }
}

/// A token's text with its spaces and control characters made visible.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' ' => out.push('␣'),
            '\n' => out.push('↵'),
            '\t' => out.push('⇥'),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// What the learner typed, with a typed "␣" meaning a space.
fn from_input(text: &str) -> String {
    text.replace('␣', " ").chars().take(MAX_CHARS).collect()
}

/// The map's tokens and everything derived from them once per model.
struct Data {
    /// Token id of each point.
    ids: Vec<u32>,
    /// Decoded text of each point (spaces as they are).
    texts: Vec<String>,
    kinds: Vec<Kind>,
    /// Point of a token id.
    point: HashMap<u32, usize>,
    /// Rows of W_te of the shown tokens.
    table: Table,
    pca: Vec<f32>,
    pca_explained: [f32; 2],
    pca_ms: f64,
    /// Single bytes and fragments of characters left out.
    skipped_bytes: usize,
    skipped_fragments: usize,
    specials: usize,
    d: usize,
}


fn build(lm: &Lm) -> Data {
    let tok = &lm.tokenizer;
    let d = lm.model.cfg.d;
    let (mut ids, mut texts, mut kinds, mut rows) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut skipped_bytes, mut skipped_fragments) = (0, 0);
    for id in 0..tok.n_text() as u32 {
        let Some(bytes) = tok.token_bytes(id) else { continue };
        // The 256 raw bytes: keep the printable ASCII characters (space to tilde) only.
        if id < 256 && !(bytes.len() == 1 && (0x20..0x7f).contains(&bytes[0])) {
            skipped_bytes += 1;
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            skipped_fragments += 1; // part of a multi-byte character
            continue;
        };
        ids.push(id);
        kinds.push(kind_of(text));
        texts.push(text.to_owned());
        rows.extend_from_slice(lm.model.token_embedding(id as usize));
    }
    let n = ids.len();
    let table = Table::from_rows(n, d, rows).expect("n rows of d values");
    let t0 = now_ms();
    let p = pca(&table.data, n, d, 2, 60, 1);
    let pca_ms = now_ms() - t0;
    let point = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    Data {
        pca_explained: [p.explained_variance_ratio[0], p.explained_variance_ratio[1]],
        pca: p.projections,
        pca_ms,
        ids,
        texts,
        kinds,
        point,
        table,
        skipped_bytes,
        skipped_fragments,
        specials: tok.vocab_size() - tok.n_text(),
        d,
    }
}

/// How the typed text resolves against the vocabulary.
#[derive(Clone, Debug, PartialEq)]
enum Pick {
    Empty,
    /// One token on the map (its point).
    One(usize),
    /// One token that the map leaves out (a raw byte).
    Hidden(String),
    /// Several tokens: (visible text, point if on the map) each, and, when the text lacks a leading
    /// space, the point of " text" if that is a single token.
    Split(Vec<(String, Option<usize>)>, Option<usize>),
}

fn resolve(lm: &Lm, d: &Data, text: &str) -> Pick {
    if text.is_empty() {
        return Pick::Empty;
    }
    let ids = lm.tokenizer.encode(text);
    let on_map = |id: u32| d.point.get(&id).copied();
    match ids.as_slice() {
        [] => Pick::Empty,
        [id] => match on_map(*id) {
            Some(i) => Pick::One(i),
            None => Pick::Hidden(visible(&lm.tokenizer.decode(&[*id]))),
        },
        _ => {
            let pieces = ids
                .iter()
                .map(|&id| {
                    let t = lm.tokenizer.token_bytes(id).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
                    (visible(&t), on_map(id))
                })
                .collect();
            let spaced = if text.starts_with(' ') {
                None
            } else {
                match lm.tokenizer.encode(&format!(" {text}")).as_slice() {
                    [id] => on_map(*id),
                    _ => None,
                }
            };
            Pick::Split(pieces, spaced)
        }
    }
}

/// Data coordinates → device pixels for a square view around all points (with a margin).
#[derive(Clone, Copy)]
struct Frame {
    cx: f64,
    cy: f64,
    scale: f64,
    w: f64,
    h: f64,
}

impl Frame {
    /// The view around the bulk of the points: on each axis from the lower quartile − 4 IQR to
    /// the upper quartile + 4 IQR (beyond Tukey's far-out fences), within the points' range, so a few far
    /// outliers do not squeeze the rest into a corner; the `marked` points are always inside.
    fn around(pos: &[f32], w: f64, h: f64, marked: &[usize]) -> Frame {
        let fence = |axis: usize| -> Option<(f64, f64)> {
            let mut v: Vec<f64> = pos.chunks_exact(2).map(|q| q[axis] as f64).filter(|x| x.is_finite()).collect();
            if v.is_empty() {
                return None;
            }
            v.sort_by(f64::total_cmp);
            let at = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
            let (q1, q3) = (at(0.25), at(0.75));
            let iqr = q3 - q1;
            let (mut lo, mut hi) = ((q1 - 4.0 * iqr).max(v[0]), (q3 + 4.0 * iqr).min(v[v.len() - 1]));
            for &i in marked {
                if let Some(&x) = pos.get(2 * i + axis).filter(|x| x.is_finite()) {
                    (lo, hi) = (lo.min(x as f64), hi.max(x as f64));
                }
            }
            Some((lo, hi))
        };
        let ((x0, x1), (y0, y1)) = match (fence(0), fence(1)) {
            (Some(x), Some(y)) => (x, y),
            _ => ((-1.0, 1.0), (-1.0, 1.0)),
        };
        // One scale for both axes (distances on the map mean the same in every direction), as
        // large as lets both extents fit.
        let scale = (w / ((x1 - x0) * 1.08).max(1e-12)).min(h / ((y1 - y0) * 1.08).max(1e-12));
        Frame { cx: (x0 + x1) / 2.0, cy: (y0 + y1) / 2.0, scale, w, h }
    }
    /// How many points fall outside the picture.
    fn outside(&self, pos: &[f32]) -> usize {
        pos.chunks_exact(2)
            .filter(|q| {
                let (x, y) = self.px(q[0], q[1]);
                !(0.0..=self.w).contains(&x) || !(0.0..=self.h).contains(&y)
            })
            .count()
    }
    fn px(&self, x: f32, y: f32) -> (f64, f64) {
        (self.w / 2.0 + (x as f64 - self.cx) * self.scale, self.h / 2.0 - (y as f64 - self.cy) * self.scale)
    }
}

/// The point drawn nearest to a device pixel, within `radius` device pixels.
fn nearest_point(pos: &[f32], frame: Frame, (x, y): (f64, f64), radius: f64) -> Option<usize> {
    pos.chunks_exact(2)
        .enumerate()
        .map(|(i, q)| {
            let (px, py) = frame.px(q[0], q[1]);
            (i, (px - x).hypot(py - y))
        })
        .filter(|&(_, dist)| dist <= radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

fn draw_map(area: &Area, ctx: &PlotCtx, d: &Data, pos: &[f32], selected: Option<usize>, near: &[usize], highlight: Option<usize>) -> Frame {
    let p = &ctx.palette;
    let marked: Vec<usize> = selected.into_iter().chain(near.iter().copied()).chain(highlight).collect();
    let frame = Frame::around(pos, ctx.width as f64, ctx.height as f64, &marked);
    for (kind, _) in KINDS {
        let xy: Vec<(f64, f64)> = pos.chunks_exact(2).zip(&d.kinds).filter(|(_, k)| **k == kind).map(|(q, _)| frame.px(q[0], q[1])).collect();
        ctx.dots(&xy, ctx.px(1.8), p.series[kind_series(kind)], true, 0.0);
    }
    let at = |i: usize| frame.px(pos[2 * i], pos[2 * i + 1]);
    let label = |i: usize, color: RGBColor, size: f64| {
        let (x, y) = at(i);
        let _ = area.draw(&Text::new(visible(&d.texts[i]), (x as i32 + ctx.px(6.0) as i32, y as i32 - ctx.px(6.0) as i32), ctx.font(size, color)));
    };
    let rings: Vec<(f64, f64)> = near.iter().map(|&i| at(i)).collect();
    ctx.dots(&rings, ctx.px(4.5), p.series[1], false, ctx.px(2.0));
    for &i in near {
        label(i, p.series[1], 12.0);
    }
    if let Some(i) = selected {
        ctx.dots(&[at(i)], ctx.px(6.0), p.series[0], true, 0.0);
        ctx.dots(&[at(i)], ctx.px(8.0), p.fg, false, ctx.px(1.5));
        label(i, p.series[0], 15.0);
    }
    if let Some(i) = highlight {
        ctx.dots(&[at(i)], ctx.px(7.0), p.fg, false, ctx.px(2.0));
        label(i, p.fg, 14.0);
    }
    frame
}

/// The neighbour graph for t-SNE.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Graph {
    NotStarted,
    Building(f32),
    Ready,
}

#[component]
pub fn LmEmbedWidget() -> impl IntoView {
    let url = use_url_state::<LmEmbedState>();
    let state = url.state;
    let lm = use_lm();
    let root = NodeRef::<Div>::new();
    let data = StoredValue::new_local(None::<Rc<Data>>);
    let model = StoredValue::new_local(None::<Rc<Lm>>);
    let version = RwSignal::new(0u32); // bumped when the data or the t-SNE layout change
    let graph = RwSignal::new(Graph::NotStarted);
    let tsne = StoredValue::new_local(None::<Tsne>);
    let tsne_iter = RwSignal::new(0usize);
    let highlight = RwSignal::new(None::<usize>);
    let last_frame = StoredValue::new(None::<(f64, f64, f64, f64, f64)>);
    let outside = RwSignal::new(0usize); // points beyond the picture's edge (far outliers)
    let draft = RwSignal::new(None::<String>); // the box's text while it differs from the state
    let url_token = dom::current_query().get(&format!("{META_ID}.token")).map(str::to_owned);

    // Build the map once the model is here.
    Effect::new(move |_| {
        if let LmLoad::Ready(m) = lm.get() {
            if data.with_value(|d| d.is_none()) {
                let d = Rc::new(build(&m));
                // A token from the link that is not one token of this model: say so in the frame.
                if let Some(t) = url_token.as_ref() {
                    if !matches!(resolve(&m, &d, t), Pick::One(_)) {
                        url.notices.update(|n| {
                            n.push(Notice {
                                key: format!("{META_ID}.token"),
                                value: visible(t),
                                reason: "is not a single token on this map; its pieces are offered below instead.".to_owned(),
                            })
                        });
                    }
                }
                data.set_value(Some(d));
                model.set_value(Some(m));
                version.update(|v| *v += 1);
            }
        }
    });

    // t-SNE needs every token's neighbours: found in the background (sliced) the first time it is asked for.
    Effect::new(move |_| {
        version.track();
        if state.with(|s| s.method) != Method::Tsne || graph.get_untracked() != Graph::NotStarted {
            return;
        }
        let Some(d) = data.get_value() else { return };
        graph.set(Graph::Building(0.0));
        leptos::task::spawn_local(async move {
            let k = (3.0 * PERPLEXITY) as usize;
            let mut builder = KnnBuilder::new(&d.table.data, d.table.n, d.table.dim, k, Metric::Cosine);
            loop {
                let t0 = now_ms();
                while !builder.is_done() && now_ms() - t0 < 25.0 {
                    builder.advance(4);
                }
                if graph.try_set(Graph::Building(builder.progress())).is_some() {
                    return; // the widget is gone
                }
                if builder.is_done() {
                    break;
                }
                dom::yield_to_browser().await;
            }
            let g = builder.finish();
            let sq: Vec<f32> = g.value.iter().map(|c| (2.0 - 2.0 * c).max(0.0)).collect();
            // Start from the PCA picture, shrunk so PC1 has standard deviation 10⁻⁴ (Kobak & Berens 2019).
            let n = d.table.n as f32;
            let mean = d.pca.iter().step_by(2).sum::<f32>() / n;
            let sd = (d.pca.iter().step_by(2).map(|x| (x - mean) * (x - mean)).sum::<f32>() / n).sqrt();
            let init: Vec<f32> = d.pca.iter().map(|v| v * 1e-4 / sd.max(1e-12)).collect();
            let cfg = TsneConfig { perplexity: PERPLEXITY, seed: 1, ..TsneConfig::default() };
            if tsne.try_set_value(Some(Tsne::from_neighbours(d.table.n, g.k, &g.index, &sq, &cfg, Some(&init)))).is_some() {
                return;
            }
            let _ = graph.try_set(Graph::Ready);
            let _ = version.try_update(|v| *v += 1);
        });
    });

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        let mut it = None;
        tsne.update_value(|t| {
            if let Some(t) = t.as_mut() {
                f.repeat(|| {
                    t.step();
                    t.iteration() < TSNE_ITERS
                });
                it = Some(t.iteration());
            }
        });
        if let Some(i) = it {
            tsne_iter.set(i);
            version.update(|v| *v += 1);
        }
    });
    // Stop when settled, and when the learner goes back to PCA.
    Effect::new(move |_| {
        if tsne_iter.get() >= TSNE_ITERS || state.with(|s| s.method) == Method::Pca {
            anim.pause();
        }
    });

    let positions = move || -> Option<Rc<[f32]>> {
        version.track();
        let d = data.get_value()?;
        match state.with(|s| s.method) {
            Method::Tsne => tsne.with_value(|t| t.as_ref().filter(|t| t.iteration() > 0).map(|t| Rc::from(t.positions()))).or_else(|| Some(Rc::from(&d.pca[..]))),
            Method::Pca => Some(Rc::from(&d.pca[..])),
        }
    };

    let pick = Memo::new(move |_| {
        version.track();
        let text = state.with(|s| s.token.clone());
        let (Some(m), Some(d)) = (model.get_value(), data.get_value()) else { return None };
        Some(resolve(&m, &d, &text))
    });
    let chosen = Memo::new(move |_| match pick.get() {
        Some(Pick::One(i)) => Some(i),
        _ => None,
    });
    let neighbours = Memo::new(move |_| {
        let i = chosen.get()?;
        let d = data.get_value()?;
        Some(d.table.nearest(d.table.row(i), K_SHOWN, &[i]))
    });
    Effect::new(move |_| {
        let _ = chosen.get();
        highlight.set(None);
    });

    let text_of = move |i: usize| data.with_value(|d| d.as_ref().map(|d| d.texts[i].clone())).unwrap_or_default();
    let shown = move |i: usize| visible(&text_of(i));
    let choose = move |i: usize| {
        draft.set(None);
        state.update(|s| s.token = text_of(i));
    };

    let on_point = Callback::new(move |(x, y): (f64, f64)| {
        let (Some(pos), Some((cx, cy, scale, w, h))) = (positions(), last_frame.get_value()) else { return };
        let frame = Frame { cx, cy, scale, w, h };
        let dpr = window().device_pixel_ratio().max(1.0);
        if let Some(i) = nearest_point(&pos, frame, (x, y), 12.0 * dpr) {
            choose(i);
        }
    });
    let on_key = Callback::new(move |ev: web_sys::KeyboardEvent| {
        let ring: Vec<usize> = match (chosen.get_untracked(), neighbours.get_untracked()) {
            (Some(i), Some(near)) => std::iter::once(i).chain(near.iter().map(|n| n.0)).collect(),
            _ => return,
        };
        let at = highlight.get_untracked().and_then(|h| ring.iter().position(|&r| r == h));
        let handled = match ev.key().as_str() {
            "n" | "p" => {
                let next = match (at, ev.key().as_str()) {
                    (None, "n") => 1.min(ring.len() - 1),
                    (None, _) => ring.len() - 1,
                    (Some(k), "n") => (k + 1) % ring.len(),
                    (Some(k), _) => (k + ring.len() - 1) % ring.len(),
                };
                highlight.set(Some(ring[next]));
                true
            }
            "Enter" => {
                if let Some(h) = highlight.get_untracked() {
                    choose(h);
                }
                true
            }
            "Escape" => {
                highlight.set(None);
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    });

    let method_name = move || match state.with(|s| s.method) {
        Method::Pca => "PCA".to_owned(),
        Method::Tsne => format!("t-SNE after {} iterations", tsne_iter.get()),
    };
    let map_label = Signal::derive(move || {
        version.track();
        let Some(d) = data.get_value() else { return "Map of the model's token embeddings (loading).".to_owned() };
        let sel = chosen.get().map(|i| format!(" “{}” and its {K_SHOWN} nearest tokens are marked.", shown(i))).unwrap_or_default();
        let hl = highlight.get().map(|i| format!(" Highlighted: “{}”.", shown(i))).unwrap_or_default();
        let out = match outside.get() {
            0 => String::new(),
            1 => " 1 far outlying token lies beyond the edge.".to_owned(),
            k => format!(" {k} far outlying tokens lie beyond the edge."),
        };
        format!(
            "Map of {} text tokens of the model's embedding table, {} dimensions squeezed to 2 by {}.{sel}{hl}{out} Click a dot to choose its token; with the map focused, n and p step through the neighbours and Enter chooses.",
            fmt_int(d.table.n),
            d.d,
            method_name()
        )
    });

    let examples = [" whale", " the", " he", " she", " ship", " Congress", " 1", "."];
    let st = move || state.get();
    let set_text = move |t: String| {
        draft.set(None);
        state.update(|s| s.token = from_input(&t));
    };
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="lm-embed" node_ref=root>
                {move || match lm.get() {
                    LmLoad::Loading => Some(view! { <Loading label="Loading the language model" text="Loading the language model (about 2 MB, shared by this page's widgets)…"/> }.into_any()),
                    LmLoad::Failed(msg) => Some(view! { <p class="notice" role="alert">{msg}</p> }.into_any()),
                    LmLoad::Ready(_) => None,
                }}
                <p class="lm-embed-caption">
                    "Every token has one row in the model's embedding table W_te: the vector the transformer starts from when it reads that token. "
                    "Nobody designed these vectors; they were learned only by predicting the next token of Moby Dick and State of the Union addresses. "
                    "In a model this small, nearest neighbours are often tokens that play the same role in a sentence (" <code>"␣he"</code> " near " <code>"␣she"</code>
                    ", numbers near numbers) rather than tokens with the same meaning. ␣ marks a space: most tokens begin with one."
                </p>
                <div class="controls-row">
                    <fieldset class="radio-row">
                        <legend>"Map"</legend>
                        {Method::ALL.iter().map(|&m| {
                            let name = if m == Method::Pca { "PCA (linear, instant)" } else { "t-SNE (non-linear, animated)" };
                            view! {
                                <label class="radio">
                                    <input type="radio" name="lm-embed-method" prop:checked=move || st().method == m
                                        on:change=move |_| state.update(|s| s.method = m)/>
                                    {name}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                </div>
                <Show when=move || st().method == Method::Tsne>
                    <div class="controls-row">
                        <LoopControls anim=anim play_label="Run t-SNE" step_label="One iteration"/>
                        <span class="muted" aria-live="polite">{move || match graph.get() {
                            Graph::NotStarted => "Waiting for the model…".to_owned(),
                            Graph::Building(p) => format!("Finding every token's {} nearest neighbours in {} dimensions: {:.0} %", (3.0 * PERPLEXITY) as usize, data.with_value(|d| d.as_ref().map(|d| d.d)).unwrap_or(0), p * 100.0),
                            Graph::Ready => match tsne_iter.get() {
                                0 => "Ready: press Run. The map starts from the PCA picture.".to_owned(),
                                i if i >= TSNE_ITERS => format!("Iteration {i}: settled, stopped."),
                                i => format!("Iteration {i}"),
                            },
                        }}</span>
                    </div>
                </Show>
                <div class="emb-grid">
                    <div class="lm-embed-map">
                        <PlotCanvas label=map_label aspect=0.7 draw=move |area: &Area, ctx: &PlotCtx| {
                            let (Some(d), Some(pos)) = (data.get_value(), positions()) else { return };
                            let near: Vec<usize> = neighbours.get().map(|v| v.iter().map(|n| n.0).collect()).unwrap_or_default();
                            let f = draw_map(area, ctx, &d, &pos, chosen.get(), &near, highlight.get());
                            last_frame.set_value(Some((f.cx, f.cy, f.scale, f.w, f.h)));
                            let out = f.outside(&pos);
                            if out != outside.get_untracked() {
                                outside.set(out);
                            }
                        } on_point=on_point on_key=on_key keys_active=Signal::derive(move || chosen.get().is_some()) alt_title="Show the marked tokens as text">
                            {move || {
                                let (Some(i), Some(near), Some(pos)) = (chosen.get(), neighbours.get(), positions()) else {
                                    return view! { <p>"No token chosen."</p> }.into_any();
                                };
                                let id_of = move |j: usize| data.with_value(|d| d.as_ref().map(|d| d.ids[j])).unwrap_or(0);
                                let row = move |j: usize, what: String| {
                                    let (x, y) = (pos[2 * j], pos[2 * j + 1]);
                                    view! { <tr><td><code>{shown(j)}</code></td><td>{id_of(j)}</td><td>{what}</td><td>{format!("{x:.3}")}</td><td>{format!("{y:.3}")}</td></tr> }
                                };
                                view! {
                                    <table class="data-table">
                                        <caption>{format!("The chosen token and its nearest tokens on the map ({})", method_name())}</caption>
                                        <thead><tr><th scope="col">"Token"</th><th scope="col">"Id"</th><th scope="col">"Role"</th><th scope="col">"x"</th><th scope="col">"y"</th></tr></thead>
                                        <tbody>
                                            {row(i, "chosen".to_owned())}
                                            {near.iter().enumerate().map(|(r, &(j, c))| row(j, format!("neighbour {} (cosine {c:.3})", r + 1))).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        </PlotCanvas>
                        <ul class="legend" aria-label="Colours of the map">
                            {KINDS.iter().map(|&(k, name)| view! {
                                <li><span class="swatch" style=format!("background: var(--plot-s{})", kind_series(k) + 1)></span>{name}</li>
                            }).collect_view()}
                            <li><span class="swatch swatch-ring" style="border: 2px solid var(--plot-s2)"></span>"the 10 nearest"</li>
                        </ul>
                        <p class="muted" data-testid="lm-embed-outside">{move || match outside.get() {
                            0 => String::new(),
                            k => format!("{k} far outlying token{} lie{} beyond the edge of the picture, so the rest stays readable; choosing one brings it in.", if k == 1 { "" } else { "s" }, if k == 1 { "s" } else { "" }),
                        }}</p>
                        <p class="muted" data-testid="lm-embed-facts">{move || {
                            version.track();
                            data.get_value().map(|d| format!(
                                "{} tokens shown: the {} single bytes that are not printable characters, {} fragment{} of multi-byte characters and the {} special tokens are left out. PCA's two axes carry {:.1} % of the variance of the {} dimensions (computed in your browser in {:.0} ms).",
                                fmt_int(d.table.n), d.skipped_bytes, d.skipped_fragments, if d.skipped_fragments == 1 { "" } else { "s" }, d.specials,
                                (d.pca_explained[0] + d.pca_explained[1]) * 100.0, d.d, d.pca_ms.max(1.0)
                            ))
                        }}</p>
                    </div>
                    <div class="emb-side">
                        <label class="field" for="lm-embed-token">
                            <span>"Choose a token (type a word; ␣ or a space in front)"</span>
                            <input id="lm-embed-token" type="text" autocomplete="off" spellcheck="false" maxlength="40"
                                prop:value=move || draft.get().unwrap_or_else(|| visible(&st().token))
                                on:input=move |ev| draft.set(Some(event_target_value(&ev)))
                                on:change=move |ev| set_text(event_target_value(&ev))/>
                        </label>
                        <div class="controls-row" role="group" aria-label="Example tokens" data-lesson-group="Example tokens">
                            {move || {
                                version.track();
                                let (Some(m), Some(d)) = (model.get_value(), data.get_value()) else { return Vec::new() };
                                examples.iter().filter_map(|&t| match resolve(&m, &d, t) { Pick::One(i) => Some(i), _ => None }).map(|i| view! {
                                    <button type="button" class="btn btn-small" on:click=move |_| choose(i)><code>{shown(i)}</code></button>
                                }).collect::<Vec<_>>()
                            }}
                        </div>
                        {move || match pick.get() {
                            None => None,
                            Some(Pick::Empty) => Some(view! { <p class="notice" role="status">"Type a word to see its nearest tokens."</p> }.into_any()),
                            Some(Pick::Hidden(t)) => Some(view! { <p class="notice" role="status">"“" <code>{t}</code> "” is a single raw byte, which this map leaves out. Try a word."</p> }.into_any()),
                            Some(Pick::Split(pieces, spaced)) => {
                                let typed = visible(&st().token);
                                let count = pieces.len();
                                Some(view! {
                                    <div class="notice" role="status" data-testid="lm-embed-split">
                                        <p>"“" <code>{typed}</code> "” is not one token: the tokenizer splits it into " {count} " tokens. Pick one:"</p>
                                        <div class="controls-row" role="group" aria-label="Tokens of the text" data-lesson-group="Tokens of the text">
                                            {pieces.into_iter().map(|(t, at)| match at {
                                                Some(i) => view! { <button type="button" class="btn btn-small" on:click=move |_| choose(i)><code>{t}</code></button> }.into_any(),
                                                None => view! { <span class="muted"><code>{t}</code>" (raw byte, not on the map)"</span> }.into_any(),
                                            }).collect_view()}
                                        </div>
                                        {spaced.map(|i| view! {
                                            <p>"With a space in front it is a single token: "
                                                <button type="button" class="btn btn-small" on:click=move |_| choose(i)><code>{shown(i)}</code></button>
                                                " (inside a sentence, words come with their space)."</p>
                                        })}
                                    </div>
                                }.into_any())
                            }
                            Some(Pick::One(_)) => None,
                        }}
                        {move || {
                            let (Some(i), Some(near)) = (chosen.get(), neighbours.get()) else { return None };
                            let dims = data.with_value(|d| d.as_ref().map(|d| d.d)).unwrap_or(0);
                            Some(view! {
                                <table class="data-table neighbours" data-lesson-group="Nearest tokens">
                                    <caption>"Nearest to " <code>{format!("“{}”", shown(i))}</code> {format!(" (cosine similarity in {dims} dimensions)")}</caption>
                                    <thead><tr><th scope="col">"Token"</th><th scope="col">"Cosine"</th></tr></thead>
                                    <tbody>
                                        {near.into_iter().map(|(j, c)| view! {
                                            <tr>
                                                <td><button type="button" class="link-button" on:click=move |_| choose(j)><code>{shown(j)}</code></button></td>
                                                <td><span class="bar" style=format!("width: {:.0}%", c.max(0.0) * 100.0)></span>{format!("{c:.3}")}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <p class="muted">{format!(
                                    "For scale: two random directions in {dims} dimensions have a cosine of about 0 ± {:.2}. The same table also scores every candidate next token at the model's output (the weights are tied), so tokens with similar rows are also predicted in similar places.",
                                    1.0 / (dims.max(1) as f64).sqrt()
                                )}</p>
                            })
                        }}
                    </div>
                </div>
            </div>
        </WidgetFrame>
    }
}
