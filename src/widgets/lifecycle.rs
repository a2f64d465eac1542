//! The foundation-model lifecycle: six stages in a loop, selectable by click, tap or keyboard,
//! with a tour that walks the loop and a choice of where feedback sends the model next.

use crate::shell::anim::{use_animation_loop, FrameInfo, LoopControls, LoopOptions};
use crate::shell::plot::{Area, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use genai_core::geom::{arrowhead, dashes, quad_bezier_polyline, Point};
use genai_core::lifecycle::diagram::Layout;
use genai_core::lifecycle::{edges, Edge, Route, Stage, Tour};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use leptos::html::Div;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub const META_ID: &str = "lifecycle";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "lifecycle", title: "The foundation-model lifecycle", embed_height: 760 };

/// Milliseconds the tour spends on each stage.
const STAGE_MS: f64 = 2200.0;

/// The widget's URL state: the selected stage and where feedback loops back to.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LifecycleState {
    pub stage: Stage,
    pub route: Route,
    /// Whether the tour plays (a link with `lifecycle.play=1` starts it, except under reduced motion).
    pub play: bool,
}

impl UrlState for LifecycleState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("stage", self.stage);
        w.choice("loop", self.route);
        w.flag("play", self.play);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = LifecycleState::default();
        LifecycleState {
            stage: r.choice("stage", d.stage),
            route: r.choice("loop", d.route),
            play: r.flag("play", d.play),
        }
    }
}

/// What each stage is about, in our words.
struct StageText {
    what: &'static str,
    example: &'static str,
}

fn text(s: Stage) -> StageText {
    match s {
        Stage::DataSelection => StageText {
            what: "Collect an enormous and varied body of data — web text, books, code, image–caption pairs — from many sources. Pre-training needs no labels, so raw data can be gathered at a scale no labelled dataset reaches. What goes in decides what the model can know: sources, languages, quality filters and de-duplication all matter.",
            example: "A text model might start from trillions of tokens of filtered, de-duplicated web pages, books and source code.",
        },
        Stage::PreTraining => StageText {
            what: "The model learns by filling in what is hidden from it: the next token of a passage, or a word blanked out of a sentence. The data supplies its own answers — self-supervised learning — so nobody labels anything. Doing this billions of times teaches meaning and context, such as “drink” the noun (a cold drink) versus “drink” the verb (drink some water). Later, the same model can keep pre-training on newer data: continued pre-training.",
            example: "From “The cat sat on the ___” the training target “mat” comes free with the sentence.",
        },
        Stage::Optimization => StageText {
            what: "Adapt the general model to your task without starting from scratch. Prompt engineering rewrites the instructions and costs least. Retrieval-augmented generation (RAG) looks up relevant documents and adds them to the prompt; the weights stay as they are. Fine-tuning trains further on a small, task-specific labelled set and does change the weights — instruction tuning and RLHF are kinds of it.",
            example: "A support assistant: a careful prompt, the product manual retrieved per question, maybe fine-tuning on past answers.",
        },
        Stage::Evaluation => StageText {
            what: "Measure whether the adapted model does the job, with metrics and benchmarks that fit the task — and against what the business actually needs: accuracy on your own examples, cost, speed, safety.",
            example: "Score answers on a held-out set of real customer questions, and check latency and cost per answer.",
        },
        Stage::Deployment => StageText {
            what: "Put the model into production: behind an API, inside an application or wired into other software, where real people send real requests.",
            example: "The assistant goes live in the help centre, served through an API.",
        },
        Stage::Feedback => StageText {
            what: "Keep watching how the model performs and collect feedback from users, domain experts and other stakeholders. When it falls short, go round the loop again: fine-tune it, continue its pre-training on newer data, or retrain it starting from a fresh data selection.",
            example: "Thumbs-down ratings cluster on billing questions, so the team fine-tunes on corrected billing answers.",
        },
    }
}

fn route_text(r: Route) -> &'static str {
    match r {
        Route::FineTuning => "Fine-tune: adjust the weights on new task examples, then evaluate again. The shortest loop.",
        Route::ContinuedPretraining => "Continue pre-training: feed the model newer unlabelled data, then adapt and evaluate again.",
        Route::Retraining => "Re-train: go back to choosing the data and train a new model. The longest, costliest loop.",
    }
}

fn draw_diagram(area: &Area, ctx: &PlotCtx, state: &LifecycleState, progress: Option<f64>) -> Layout {
    let p = &ctx.palette;
    let (w, h) = (ctx.width as f64, ctx.height as f64);
    let r = (w.min(h) * 0.075).clamp(ctx.px(15.0), ctx.px(30.0));
    // Wide canvases put the side nodes' labels beside them, clear of the edges; narrow ones below.
    let wide = w / ctx.dpr >= 420.0;
    let label_px = ctx.px(if wide { 14.0 } else { 12.0 });
    let label_w = if wide { ctx.px(78.0) } else { 0.0 };
    let layout = Layout::new(w, h, r, label_w, label_px * 1.8);
    let ip = |q: Point| (q.x.round() as i32, q.y.round() as i32);

    for e in edges() {
        let (s, c, f) = layout.edge_curve(e);
        let line = quad_bezier_polyline(s, c, f, 32);
        let chosen = !e.is_loop || e.to == state.route.target();
        let (color, width) = if e.is_loop && chosen {
            (p.accent, ctx.px(2.5))
        } else if e.is_loop {
            (p.muted, ctx.px(1.2))
        } else {
            (p.fg, ctx.px(2.0))
        };
        let style = ShapeStyle { color: color.to_rgba(), filled: false, stroke_width: width.round().max(1.0) as u32 };
        if e.is_loop {
            let (on, off) = if chosen { (ctx.px(9.0), ctx.px(5.0)) } else { (ctx.px(3.0), ctx.px(5.0)) };
            for dash in dashes(&line, on, off) {
                let _ = area.draw(&PathElement::new(dash.into_iter().map(ip).collect::<Vec<_>>(), style));
            }
        } else {
            let _ = area.draw(&PathElement::new(line.iter().copied().map(ip).collect::<Vec<_>>(), style));
        }
        if chosen {
            let before = line[line.len() - 3];
            let tri = arrowhead(before, f, ctx.px(10.0), ctx.px(5.5));
            let _ = area.draw(&Polygon::new(tri.iter().copied().map(ip).collect::<Vec<_>>(), color.filled()));
        }
    }

    if let Some(t) = progress {
        let e = Edge { from: state.stage, to: state.stage.next(state.route), is_loop: state.stage == Stage::Feedback };
        let dot = layout.along(e, t);
        let _ = area.draw(&Circle::new(ip(dot), ctx.px(6.0).round() as i32, p.accent.filled()));
    }

    for &s in Stage::ALL {
        let c = layout.node(s);
        let selected = s == state.stage;
        let target = s == state.route.target();
        let (fill, text) = if selected { (p.accent, p.on_accent) } else { (p.surface, p.fg) };
        let _ = area.draw(&Circle::new(ip(c), r.round() as i32, fill.filled()));
        let ring = if selected || target { p.accent } else { p.fg };
        let ring_w = ctx.px(if selected { 3.0 } else { 1.5 }).round() as u32;
        let _ = area.draw(&Circle::new(ip(c), r.round() as i32, ShapeStyle { color: ring.to_rgba(), filled: false, stroke_width: ring_w }));
        let num = ctx.font(r / ctx.dpr * 0.9, text).pos(Pos::new(HPos::Center, VPos::Center));
        let _ = area.draw(&Text::new(format!("{}", s.index() + 1), ip(c), num));
        let color = if selected { p.accent } else { p.fg };
        let gap = ctx.px(6.0);
        let side = c.x - layout.centre.x;
        let (anchor, at) = if wide && side > r {
            (Pos::new(HPos::Left, VPos::Center), Point::new(c.x + r + gap, c.y))
        } else if wide && side < -r {
            (Pos::new(HPos::Right, VPos::Center), Point::new(c.x - r - gap, c.y))
        } else {
            (Pos::new(HPos::Center, VPos::Top), Point::new(c.x, c.y + r + ctx.px(4.0)))
        };
        let _ = area.draw(&Text::new(s.short_title(), ip(at), ctx.font(label_px / ctx.dpr, color).pos(anchor)));
    }
    layout
}

/// The lifecycle widget.
#[component]
pub fn LifecycleWidget() -> impl IntoView {
    let url = use_url_state::<LifecycleState>();
    let state = url.state;
    let laps = RwSignal::new(0u32);
    // Fraction of the way to the next stage while the tour plays.
    let progress = RwSignal::new(None::<f64>);
    let root = NodeRef::<Div>::new();

    let advance = move || {
        let s = state.get_untracked();
        let mut tour = Tour { stage: s.stage, route: s.route, laps: laps.get_untracked() };
        tour.step();
        laps.set(tour.laps);
        state.update(|st| st.stage = tour.stage);
    };
    let mut elapsed = 0.0;
    let options = LoopOptions { autoplay: state.get_untracked().play, ..LoopOptions::default() };
    let anim = use_animation_loop(root, options, move |f: FrameInfo| {
        if f.single_step {
            elapsed = 0.0;
            progress.set(None);
            advance();
            return;
        }
        elapsed += f.dt_ms;
        if elapsed >= STAGE_MS {
            elapsed = 0.0;
            advance();
        }
        progress.set(Some(elapsed / STAGE_MS));
    });
    Effect::new(move |_| {
        let playing = anim.playing.get();
        if !playing {
            progress.set(None);
        }
        if state.with_untracked(|s| s.play) != playing {
            state.update(|s| s.play = playing);
        }
    });

    let layout = StoredValue::new(None::<Layout>);
    let draw = move |area: &Area, ctx: &PlotCtx| {
        let s = state.get();
        let l = draw_diagram(area, ctx, &s, progress.get());
        layout.set_value(Some(l));
    };
    let on_point = Callback::new(move |(x, y): (f64, f64)| {
        let hit = layout.with_value(|l| l.as_ref().and_then(|l| l.stage_at(Point::new(x, y), 8.0)));
        if let Some(s) = hit {
            state.update(|st| st.stage = s);
        }
    });
    let label = Signal::derive(move || {
        let s = state.get();
        format!(
            "Diagram of the foundation-model lifecycle: six stages in a loop from data selection to feedback; feedback now loops back to {} ({}). Selected stage: {}.",
            s.route.target().title(),
            s.route.title().to_lowercase(),
            s.stage.title()
        )
    });

    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="lc" node_ref=root>
                <fieldset class="stage-picker">
                    <legend>"Stage"</legend>
                    {Stage::ALL.iter().map(|&s| {
                        let id = format!("lc-stage-{}", s.key());
                        let for_id = id.clone();
                        view! {
                            <label class="chip" for=for_id>
                                <input type="radio" id=id name="lifecycle-stage" value=s.key()
                                    prop:checked=move || state.get().stage == s
                                    on:change=move |_| state.update(|st| st.stage = s)/>
                                <span class="chip-num" aria-hidden="true">{s.index() + 1}</span>
                                " " {s.title()}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="lc-grid">
                    <PlotCanvas label=label aspect=0.8 draw=draw on_point=on_point alt_title="Show the lifecycle as a table">
                        <table class="data-table">
                            <caption>"Stages of the lifecycle and where each leads"</caption>
                            <thead><tr><th scope="col">"#"</th><th scope="col">"Stage"</th><th scope="col">"Leads to"</th></tr></thead>
                            <tbody>
                                {Stage::ALL.iter().map(|&s| view! {
                                    <tr class:is-current=move || state.get().stage == s>
                                        <td>{s.index() + 1}</td>
                                        <th scope="row">{s.title()}{move || if state.get().stage == s { " (selected)" } else { "" }}</th>
                                        <td>{move || {
                                            let st = state.get();
                                            if s == Stage::Feedback {
                                                format!("{} — the loop ({})", st.route.target().title(), st.route.title().to_lowercase())
                                            } else {
                                                s.next(st.route).title().to_owned()
                                            }
                                        }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </PlotCanvas>
                    <div class="lc-detail" aria-live="polite">
                        {move || {
                            let s = state.get();
                            let t = text(s.stage);
                            view! {
                                <h3>{format!("{}. {}", s.stage.index() + 1, s.stage.title())}</h3>
                                <p>{t.what}</p>
                                <p class="example"><strong>"For example: "</strong>{t.example}</p>
                                {(s.stage == Stage::Feedback).then(|| view! { <p class="route-note">{route_text(s.route)}</p> })}
                                <p class="next-note">{format!("Next: {}.", s.stage.next(s.route).title())}</p>
                            }
                        }}
                    </div>
                </div>
                <div class="lc-controls">
                    <label class="field">
                        <span>"When feedback calls for improvement"</span>
                        <select on:change=move |ev| {
                            if let Some(r) = Route::from_key(&event_target_value(&ev)) {
                                state.update(|st| st.route = r);
                            }
                        }>
                            {Route::ALL.iter().map(|&r| view! {
                                <option value=r.key() prop:selected=move || state.get().route == r>
                                    {format!("{} → back to {}", r.title(), r.target().title())}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <LoopControls anim=anim play_label="Play the tour" step_label="Next stage →"/>
                    <p class="laps">
                        {move || {
                            let s = state.get();
                            let tour = Tour::new(s.stage, s.route);
                            format!("Laps completed: {} · one lap on this loop takes {} steps.", laps.get(), tour.lap_length())
                        }}
                    </p>
                </div>
            </div>
        </WidgetFrame>
    }
}
