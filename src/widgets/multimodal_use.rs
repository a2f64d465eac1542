//! Using a trained image–text space (core `clip`): words → icons, an icon or the learner's own
//! drawing or upload → the nearest captions, zero-shot classification over labels the learner types
//! (a softmax over scaled cosines), held-out recall@k against chance, and the held-out icons the
//! model gets most wrong. The widget trains its own model (seed and steps in the URL) so that it
//! works alone in an embed.

use super::diffusion_source::{OwnImage, SIDE};
use super::multimodal::{commas, paint_icon, with_clip_data, ClipData};
use crate::shell::anim::now_ms;
use crate::shell::dom::yield_to_browser;
use crate::shell::controls::seed_field;
use crate::shell::plot::{Area, PlotCanvas, PlotCtx};
use crate::shell::widget::WidgetMeta;
use genai_core::clip::{recall_at_k, similarity, softmax_scaled, top_k, words_of, Clip, DIM};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "clip-use";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "multimodal", title: "Search, caption and classify in one space", embed_height: 1900 };

const MAX_LABELS: usize = 24;
const SHOW_IMAGES: usize = 8;
const SHOW_CAPTIONS: usize = 5;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Picture {
    #[default]
    Icon,
    Own,
}

impl Choice for Picture {
    const ALL: &'static [Picture] = &[Picture::Icon, Picture::Own];
    fn key(self) -> &'static str {
        match self {
            Picture::Icon => "icon",
            Picture::Own => "own",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClipUseState {
    pub seed: u64,
    /// Training steps before use.
    pub steps: i64,
    /// Words to search the icons with.
    pub query: String,
    pub picture: Picture,
    /// The chosen icon's name.
    pub icon: String,
    pub drawing: Option<Vec<f32>>,
    /// Zero-shot labels, comma-separated.
    pub labels: String,
}

impl Default for ClipUseState {
    fn default() -> Self {
        ClipUseState { seed: 1, steps: 800, query: "heart".into(), picture: Picture::Icon, icon: "cloud".into(), drawing: None, labels: "cloud, sun, heart, arrow, battery, user".into() }
    }
}

impl UrlState for ClipUseState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.seed("seed", self.seed);
        w.int("steps", self.steps);
        w.text("q", &self.query);
        w.choice("picture", self.picture);
        w.text("icon", &self.icon);
        if let Some(d) = &self.drawing {
            w.image("drawing", d);
        }
        w.text("labels", &self.labels);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = ClipUseState::default();
        ClipUseState {
            seed: r.seed("seed", d.seed),
            steps: r.int("steps", 0..=20_000, d.steps),
            query: r.text("q", 200, &d.query),
            picture: r.choice("picture", d.picture),
            icon: r.text("icon", 80, &d.icon),
            drawing: r.image("drawing", SIDE * SIDE),
            labels: r.text("labels", 600, &d.labels),
        }
    }
}

/// The trained model with every icon's and every caption's vector, cached.
struct Space {
    clip: Clip,
    images: Vec<f32>,
    captions: Vec<f32>,
}

#[component]
pub fn ClipUseWidget() -> impl IntoView {
    with_clip_data::<ClipUseState>(META, |d, state| view! { <ClipUseInner d=d state=state/> }.into_any())
}

#[component]
fn ClipUseInner(d: Rc<ClipData>, state: RwSignal<ClipUseState>) -> impl IntoView {
    let d = StoredValue::new_local(d);
    let space = StoredValue::new_local(None::<Space>);
    let ready = RwSignal::new(0u64); // bumped when a trained space is in place
    let progress = RwSignal::new((0usize, 0usize));
    let train_ms = RwSignal::new(0.0f64);
    let failed = RwSignal::new(None::<String>);
    let run = StoredValue::new(0u64);

    // Train a fresh model for (seed, steps), in slices that leave the page responsive.
    let train = move |seed: u64, steps: usize| {
        let id = run.get_value() + 1;
        run.set_value(id);
        failed.set(None);
        progress.set((0, steps));
        leptos::task::spawn_local(async move {
            let mut clip = d.with_value(|d| Clip::standard(&d.data, seed));
            let t0 = now_ms();
            while clip.steps < steps {
                let slice = now_ms();
                while clip.steps < steps && now_ms() - slice < 30.0 {
                    d.with_value(|d| clip.step(&d.data));
                }
                if !clip.is_finite() {
                    failed.set(Some("Training produced numbers that are not finite; try another seed.".into()));
                    return;
                }
                let _ = progress.try_set((clip.steps, steps));
                yield_to_browser().await;
                if run.try_get_value() != Some(id) {
                    return; // a newer run replaced this one, or the widget is gone
                }
            }
            let _ = train_ms.try_set(now_ms() - t0);
            let (images, captions) = d.with_value(|d| {
                let all: Vec<usize> = (0..d.data.len()).collect();
                clip.embed_pairs(&d.data, &all)
            });
            let _ = space.try_set_value(Some(Space { clip, images, captions }));
            let _ = ready.try_update(|v| *v += 1);
        });
    };
    Effect::new(move |prev: Option<(u64, i64)>| {
        let key = state.with(|s| (s.seed, s.steps));
        if prev != Some(key) {
            train(key.0, key.1 as usize);
        }
        key
    });

    let is_test = move |i: usize| d.with_value(|d| d.data.test.contains(&i));
    let caption = move |i: usize| d.with_value(|d| d.data.captions[i].clone());
    let n_icons = commas(d.with_value(|d| d.data.len()));

    // --- words → icons ------------------------------------------------------------------------
    // (top icons, unknown words, milliseconds) or a message
    let search = Memo::new(move |_| -> Result<(Vec<(usize, f32)>, Vec<String>, f64), String> {
        let _ = ready.get();
        let q = state.with(|s| s.query.clone());
        let enc = d.with_value(|d| d.vocab.encode(&q));
        let enc = match enc {
            Ok(e) => e,
            Err(genai_core::clip::TextError::Empty) => return Err("Type a word or two (for example “heart” or “arrow up”) to search the icons.".into()),
            Err(e) => return Err(format!("No result: {e}. The text side knows {} words: the words of the icon names and about 1,300 common English words.", commas(d.with_value(|d| d.vocab.words.len())))),
        };
        space
            .try_update_value(|sp| {
                let sp = sp.as_mut()?;
                let t0 = now_ms();
                let v = sp.clip.embed_texts(&enc.features);
                let scores = similarity(&v, &sp.images, 1, DIM);
                let top = top_k(&scores, SHOW_IMAGES);
                Some((top, enc.unknown.clone(), now_ms() - t0))
            })
            .flatten()
            .ok_or_else(|| "The model is still training…".to_owned())
    });

    // --- picture → captions, zero-shot --------------------------------------------------------
    // the picture: (pixels, description, index of the icon if it is one)
    let picture = Memo::new(move |_| -> Result<(Vec<f32>, String, Option<usize>), String> {
        let s = state.get();
        match s.picture {
            Picture::Icon => d.with_value(|d| match d.data.names.iter().position(|n| *n == s.icon) {
                Some(i) => Ok((d.data.image(i).to_vec(), format!("the icon “{}”{}", d.data.captions[i], if d.data.test.contains(&i) { " (held out: never trained on)" } else { " (a training icon)" }), Some(i))),
                None => Err(format!("There is no icon called “{}”. Pick one from the list.", s.icon)),
            }),
            Picture::Own => match s.drawing {
                Some(img) if img.iter().any(|&v| v > -0.99) => Ok((img, "your drawing".to_owned(), None)),
                _ => Err("Your drawing is blank: draw on the grid, upload a picture, or copy an icon to start from.".to_owned()),
            },
        }
    });
    let picture_vector = Memo::new(move |_| -> Option<Vec<f32>> {
        let _ = ready.get();
        let (px, _, _) = picture.get().ok()?;
        space.try_update_value(|sp| sp.as_mut().map(|sp| sp.clip.embed_images(&px))).flatten()
    });
    let captions_for_picture = move || -> Option<Vec<(usize, f32)>> {
        let u = picture_vector.get()?;
        space.with_value(|sp| sp.as_ref().map(|sp| top_k(&similarity(&u, &sp.captions, 1, DIM), SHOW_CAPTIONS)))
    };
    // zero-shot: (label, cosine, probability) per usable label; notes about dropped ones
    let zero_shot = move || -> Result<(Vec<(String, f32, f64)>, Vec<String>), String> {
        let labels: Vec<String> = state.with(|s| s.labels.split([',', '\n']).map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect());
        if labels.is_empty() {
            return Err("Type at least two labels, separated by commas (for example “cloud, sun, heart”).".into());
        }
        let mut notes = Vec::new();
        let labels: Vec<String> = if labels.len() > MAX_LABELS {
            notes.push(format!("Only the first {MAX_LABELS} of {} labels are used.", labels.len()));
            labels.into_iter().take(MAX_LABELS).collect()
        } else {
            labels
        };
        let Some(u) = picture_vector.get() else { return Err("Choose a picture above (and wait for training) to classify it.".into()) };
        let mut feats = Vec::new();
        let mut used = Vec::new();
        d.with_value(|d| {
            for l in &labels {
                match d.vocab.encode(l) {
                    Ok(e) => {
                        if !e.unknown.is_empty() {
                            notes.push(format!("In “{l}”, {} not in the vocabulary and ignored.", e.unknown.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join(", ")));
                        }
                        feats.extend_from_slice(&e.features);
                        used.push(l.clone());
                    }
                    Err(_) => notes.push(format!("“{l}” has no word the model knows; it was left out.")),
                }
            }
        });
        if used.is_empty() {
            return Err(format!("None of the labels has a word the model knows. {}", notes.join(" ")));
        }
        let (cos, scale) = space
            .try_update_value(|sp| {
                let sp = sp.as_mut()?;
                let v = sp.clip.embed_texts(&feats);
                Some((similarity(&u, &v, 1, DIM), sp.clip.scale()))
            })
            .flatten()
            .ok_or("The model is still training…")?;
        if used.len() == 1 {
            notes.push("With a single label the softmax is always 100 %: add another to compare.".into());
        }
        let p = softmax_scaled(&cos, scale);
        let mut rows: Vec<(String, f32, f64)> = used.into_iter().zip(cos).zip(p).map(|((l, c), p)| (l, c, p)).collect();
        rows.sort_by(|a, b| b.2.total_cmp(&a.2));
        Ok((rows, notes))
    };

    // --- held-out evaluation --------------------------------------------------------------------
    // recall@k both ways at k = 1, 5, 10; the worst-ranked held-out icons
    let evaluation = Memo::new(move |_| {
        let _ = ready.get();
        space
            .with_value(|sp| {
                let sp = sp.as_ref()?;
                d.with_value(|d| {
                    let t = &d.data.test;
                    let pick = |all: &[f32]| -> Vec<f32> { t.iter().flat_map(|&i| all[i * DIM..(i + 1) * DIM].iter().copied()).collect() };
                    let (u, v) = (pick(&sp.images), pick(&sp.captions));
                    let n = t.len();
                    let recalls: Vec<(usize, genai_core::clip::Recall)> = [1, 5, 10].iter().map(|&k| (k, recall_at_k(&u, &v, n, DIM, k))).collect();
                    let sim = similarity(&u, &v, n, DIM);
                    let mut worst: Vec<(usize, usize, usize)> = (0..n)
                        .map(|r| {
                            let row = &sim[r * n..(r + 1) * n];
                            let rank = row.iter().filter(|&&c| c > row[r]).count() + 1;
                            let best = (0..n).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap_or(r);
                            (t[r], rank, t[best])
                        })
                        .collect();
                    worst.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    worst.truncate(5);
                    Some((recalls, worst, n))
                })
            })
    });

    // --- drawing ------------------------------------------------------------------------------
    let draw_results = move |_area: &Area, ctx: &PlotCtx| {
        let Ok((top, _, _)) = search.get() else { return };
        let cell = ctx.width as f64 / SHOW_IMAGES as f64;
        d.with_value(|d| {
            for (k, (i, _)) in top.iter().enumerate() {
                paint_icon(ctx, d.data.image(*i), (k as f64 * cell + cell * 0.08, cell * 0.08, cell * 0.84));
            }
        });
    };
    let draw_picture = move |_area: &Area, ctx: &PlotCtx| {
        if let Ok((px, _, _)) = picture.get() {
            let s = (ctx.width.min(ctx.height)) as f64;
            paint_icon(ctx, &px, ((ctx.width as f64 - s) / 2.0, 0.0, s));
        }
    };

    let st = move || state.get();
    let set_icon = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        state.update(|s| {
            s.icon = v;
            s.picture = Picture::Icon;
        });
    };
    let (train_names, test_names) = d.with_value(|d| {
        let names = |ids: &[usize]| {
            let mut v: Vec<String> = ids.iter().map(|&i| d.data.names[i].clone()).collect();
            v.sort();
            v
        };
        (names(&d.data.train), names(&d.data.test))
    });
    let copy_icon = move |_| {
        let img = d.with_value(|d| d.data.names.iter().position(|n| *n == state.get_untracked().icon).map(|i| d.data.image(i).to_vec()));
        if let Some(img) = img {
            state.update(|s| {
                s.drawing = Some(img);
                s.picture = Picture::Own;
            });
        }
    };

    view! {
        <div class="clip-use">
            <p class="muted">
                {format!("This widget trains its own copy of the model (same design as above) for the number of steps below, then uses it. Searching compares one text vector with all {n_icons} icon vectors; captioning compares one image vector with all {n_icons} captions. Retrieval only: it picks among existing icons and captions, it does not make new ones.")}
            </p>
            <div class="controls-row">
                <label class="field" for="clip-use-steps">
                    <span>"Training steps"</span>
                    <select id="clip-use-steps" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|s| s.steps = v) } }>
                        {move || { let cur = st().steps; let mut o = vec![0i64, 100, 300, 800, 2000]; if !o.contains(&cur) { o.push(cur); }
                            o.into_iter().map(|v| view! { <option value=v.to_string() selected=v == cur>{if v == 0 { "0 (untrained)".to_owned() } else { v.to_string() }}</option> }).collect_view() }}
                    </select>
                </label>
                {seed_field(state, "clip-use-seed", |s| s.seed, |s, v| s.seed = v)}
                <p role="status" data-testid="clip-use-progress">{move || {
                    let (done, total) = progress.get();
                    if let Some(e) = failed.get() { e } else if done < total { format!("Training: step {done} of {total}…") } else { format!("Trained for {total} steps in {:.1} s.", train_ms.get() / 1000.0) }
                }}</p>
            </div>
            {move || (progress.get().0 < progress.get().1).then(|| view! { <progress aria-label="Training progress" max=progress.get().1.to_string() value=progress.get().0.to_string()></progress> })}

            <h3 class="small-heading">"Words → icons"</h3>
            <label class="field" for="clip-use-q">
                <span>"Search the icons with words"</span>
                <input id="clip-use-q" type="search" maxlength="200" prop:value=move || st().query on:input=move |ev| { let v = event_target_value(&ev); state.update(|s| s.query = v) }/>
            </label>
            {move || match search.get() {
                Err(m) => view! { <p class="notice" role="status" data-testid="clip-use-search-message">{m}</p> }.into_any(),
                Ok((top, unknown, ms)) => view! {
                    <div>
                        {(!unknown.is_empty()).then(|| view! { <p class="notice" role="status" data-testid="clip-use-search-message">{format!("Not in the vocabulary, ignored: {}.", unknown.join(", "))}</p> })}
                        <PlotCanvas label=Signal::derive(move || match search.get() { Ok((top, _, _)) => format!("The {} icons nearest to the words: {}", top.len(), top.iter().map(|(i, c)| format!("{} ({c:.2})", caption(*i))).collect::<Vec<_>>().join(", ")), Err(m) => m }) aspect=1.0 / SHOW_IMAGES as f64 draw=draw_results alt_title="What this shows">
                            <p>"The nearest icons to the typed words, best first; the list below gives their names and cosines."</p>
                        </PlotCanvas>
                        <ol class="clip-results" data-testid="clip-use-results">
                            {top.into_iter().map(|(i, c)| view! { <li>{caption(i)}" "<span class="muted">{format!("cosine {c:.2}")}{if is_test(i) { " · held out" } else { "" }}</span></li> }).collect_view()}
                        </ol>
                        <p class="muted" data-testid="clip-use-time">{format!("Search time: {ms:.2} ms for one text vector against {n_icons} icon vectors.")}</p>
                    </div>
                }.into_any(),
            }}

            <h3 class="small-heading">"A picture → captions"</h3>
            <div class="controls-row">
                <fieldset class="radio-row">
                    <legend>"Picture"</legend>
                    <label class="radio"><input type="radio" name="clip-use-picture" prop:checked=move || st().picture == Picture::Icon on:change=move |_| state.update(|s| s.picture = Picture::Icon)/>"An icon"</label>
                    <label class="radio"><input type="radio" name="clip-use-picture" prop:checked=move || st().picture == Picture::Own on:change=move |_| state.update(|s| s.picture = Picture::Own)/>"Your own drawing or picture"</label>
                </fieldset>
                <label class="field" for="clip-use-icon">
                    <span>"Icon"</span>
                    <select id="clip-use-icon" on:change=set_icon>
                        <optgroup label="Held out (never trained on)">
                            {test_names.into_iter().map(|n| { let sel = n.clone(); view! { <option value=n.clone() selected=move || st().icon == sel>{n.clone()}</option> } }).collect_view()}
                        </optgroup>
                        <optgroup label="Training icons">
                            {train_names.into_iter().map(|n| { let sel = n.clone(); view! { <option value=n.clone() selected=move || st().icon == sel>{n.clone()}</option> } }).collect_view()}
                        </optgroup>
                    </select>
                </label>
                <button type="button" class="btn btn-small" on:click=copy_icon>"Copy this icon into the drawing"</button>
            </div>
            <Show when=move || st().picture == Picture::Own>
                <OwnImage state=state get=|s: &ClipUseState| s.drawing.as_ref() set=|s: &mut ClipUseState, d| s.drawing = d prefix="clip-use" blank_text="Your drawing is blank. Draw on the grid, upload a picture, or copy an icon to start from."/>
            </Show>
            {move || match picture.get() {
                Err(m) => view! { <p class="notice" role="status" data-testid="clip-use-picture-message">{m}</p> }.into_any(),
                Ok((_, what, own)) => view! {
                    <div class="gan-grid">
                        <div class="vae-digit">
                            <PlotCanvas label=Signal::derive(move || format!("The picture being captioned: {}", picture.get().map(|p| p.1).unwrap_or_default())) aspect=1.0 draw=draw_picture alt_title="Show the pixels">
                                <pre>{move || picture.get().map(|(px, _, _)| px.chunks(SIDE).map(|r| r.iter().map(|&v| if v > 0.0 { '█' } else { '·' }).collect::<String>()).collect::<Vec<_>>().join("\n")).unwrap_or_default()}</pre>
                            </PlotCanvas>
                        </div>
                        <div>
                            <p>{format!("Nearest captions for {what}:")}</p>
                            <ol class="clip-results" data-testid="clip-use-captions">
                                {move || captions_for_picture().unwrap_or_default().into_iter().map(|(i, c)| view! { <li>{caption(i)}" "<span class="muted">{format!("cosine {c:.2}")}{if Some(i) == own { " · its own caption" } else { "" }}</span></li> }).collect_view()}
                            </ol>
                            <p class="muted">"The caption the model gives is the nearest one: retrieval, not generation. It can only choose among the 1,036 names it knows."</p>
                        </div>
                    </div>
                }.into_any(),
            }}

            <h3 class="small-heading">"Zero-shot classification"</h3>
            <label class="field" for="clip-use-labels">
                <span>"Labels, separated by commas"</span>
                <input id="clip-use-labels" type="text" maxlength="600" prop:value=move || st().labels on:input=move |ev| { let v = event_target_value(&ev); state.update(|s| s.labels = v) }/>
            </label>
            {move || match zero_shot() {
                Err(m) => view! { <p class="notice" role="status" data-testid="clip-use-zero-message">{m}</p> }.into_any(),
                Ok((rows, notes)) => view! {
                    <div>
                        {notes.into_iter().map(|n| view! { <p class="notice" role="status" data-testid="clip-use-zero-message">{n}</p> }).collect_view()}
                        <table class="data-table" data-testid="clip-use-zero">
                            <caption>"The picture against each label: cosine, and the softmax over scale × cosine"</caption>
                            <thead><tr><th scope="col">"Label"</th><th scope="col">"Cosine"</th><th scope="col">"Probability"</th></tr></thead>
                            <tbody>{rows.into_iter().map(|(l, c, p)| view! {
                                <tr><th scope="row">{l}</th><td>{format!("{c:.3}")}</td><td><span class="bar" aria-hidden="true" style=format!("width: {:.0}px", 120.0 * p)></span>" "{if p < 0.0005 { "< 0.1 %".to_owned() } else { format!("{:.1} %", 100.0 * p) }}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any(),
            }}

            <h3 class="small-heading">"Held-out recall@k"</h3>
            {move || evaluation.get().map(|(recalls, worst, n)| view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label="Held-out recall">
                    <table class="data-table" data-testid="clip-use-recall">
                        <caption>{format!("Retrieval among the {n} held-out icons and their captions")}</caption>
                        <thead><tr><th scope="col">"k"</th><th scope="col">"Image → caption"</th><th scope="col">"Caption → image"</th><th scope="col">"Chance (k ÷ n)"</th></tr></thead>
                        <tbody>{recalls.into_iter().map(|(k, r)| view! { <tr><th scope="row">{k}</th><td>{format!("{:.1} %", 100.0 * r.image_to_text)}</td><td>{format!("{:.1} %", 100.0 * r.text_to_image)}</td><td>{format!("{:.1} %", 100.0 * r.chance)}</td></tr> }).collect_view()}</tbody>
                    </table>
                </div>
                <h3 class="small-heading">"Where it fails"</h3>
                <p>"The held-out icons whose own caption the model ranks worst, and the caption it prefers instead. Typical reasons: the name's words never appeared with a similar picture in training, the icon is abstract (an algorithm, a ligature), or the name describes something a 24 × 24 picture cannot show."</p>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Worst held-out icons">
                    <table class="data-table" data-testid="clip-use-worst">
                        <caption>"Worst-ranked held-out icons"</caption>
                        <thead><tr><th scope="col">"Icon"</th><th scope="col">"Rank of its caption"</th><th scope="col">"The model's first choice"</th></tr></thead>
                        <tbody>{worst.into_iter().map(|(i, rank, best)| view! { <tr><th scope="row">{caption(i)}</th><td>{format!("{rank} of {n}")}</td><td>{caption(best)}</td></tr> }).collect_view()}</tbody>
                    </table>
                </div>
            })}
            {move || {
                let w: Vec<String> = words_of(&st().query);
                (w.len() > 1).then(|| view! { <p class="muted">"Word order is lost: the text side averages its word vectors, so “arrow left” and “left arrow” are the same query — one honest limit of this toy."</p> })
            }}
        </div>
    }
}
