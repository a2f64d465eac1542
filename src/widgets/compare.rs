//! Prompt engineering, RAG and fine-tuning measured on the same questions: the 48 closed-book
//! questions about the 12 held-out addresses (who gave the address of a year, which party), answered
//! by the instruction-tuned model four ways — the prompt alone, the prompt with the right document
//! pasted in by hand, retrieval (the RAG widget's defaults), and after fine-tuning on those very
//! questions (the fine-tuning widget's defaults) — with accuracy, time, tokens per answer, the
//! compute spent before the first answer and how much of the model changed. Everything runs in the
//! page, one answer or one optimiser step per unit of work.

use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use crate::widgets::finetune::{fact_examples, FinetuneState, Method as FtMethod, BATCH, FACT_TASK};
use crate::widgets::lm::fmt_int;
use crate::widgets::lm_store::{load_eval, use_instruct, EvalRow, Lm};
use crate::widgets::prompt::when_loaded;
use crate::widgets::rag::{answer, load_addresses, Answer, DefaultRag};
use genai_core::gpt::finetune::{Example, Method as TuneMethod, Tuner};
use genai_core::gpt::prompt::exact_match;
use genai_core::query::{StateReader, StateWriter, UrlState};
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "compare";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "finetune", title: "Prompt, RAG or fine-tune? One table", embed_height: 800 };

/// The widget keeps no settings of its own: it measures the other widgets' defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompareState;

impl UrlState for CompareState {
    const ID: &'static str = META_ID;
    fn write(&self, _: &mut StateWriter<'_>) {}
    fn read(_: &mut StateReader<'_>) -> Self {
        CompareState
    }
}

const WAYS: [&str; 4] = [
    "Prompt only (closed book)",
    "Prompt with the right document, pasted in by hand",
    "RAG: BM25, top 3 of 20-word chunks, all 233 addresses",
    "Fine-tuned on these questions (every weight), then closed book",
];

/// One way's tally.
#[derive(Clone, Debug, Default, PartialEq)]
struct Tally {
    right: usize,
    of: usize,
    ms: f64,
    tokens: usize,
    /// Compute before the first answer: building the index, or training.
    setup_ms: f64,
    setup: String,
    changed: String,
}

impl Tally {
    fn add(&mut self, a: &Answer, expected: &str) {
        self.right += exact_match(&a.text, expected) as usize;
        self.of += 1;
        self.ms += a.ms;
        self.tokens += a.prompt_tokens + a.new_tokens;
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Loading,
    Ready,
    /// Answering question `1` the way `0` (ways 0–2 on the shipped model, 3 on the tuned one).
    Answering(usize, usize),
    Training,
    Done,
}

#[component]
pub fn CompareWidget() -> impl IntoView {
    let url = use_url_state::<CompareState>();
    let tuned = use_instruct();
    let eval = LocalResource::new(load_eval);
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {when_loaded(eval, vec![tuned], move |m, ev| view! { <CompareInner lm=m[0].clone() eval=ev/> }.into_any())}
        </WidgetFrame>
    }
}

#[component]
fn CompareInner(lm: Rc<Lm>, eval: Rc<Vec<EvalRow>>) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let facts: Vec<EvalRow> = eval.iter().filter(|r| r.task == FACT_TASK).cloned().collect();
    // the same question with its document among distractors (the prompt-engineering row)
    let given: Vec<Option<EvalRow>> = facts.iter().map(|f| eval.iter().find(|r| r.task == "question by year" && r.input == f.input).cloned()).collect();
    let examples: Vec<Example> = fact_examples(&lm, &facts);
    let n = facts.len();
    let ft = FinetuneState::default();
    let lm = StoredValue::new_local(lm);
    let facts = StoredValue::new_local(facts);
    let given = StoredValue::new_local(given);
    let examples = StoredValue::new_local(examples);
    let rag = StoredValue::new_local(None::<Rc<DefaultRag>>);
    let tuner = StoredValue::new_local(None::<Tuner>);
    let tuned = StoredValue::new_local(None::<Lm>);
    let tallies = RwSignal::new(vec![Tally::default(); 4]);
    let phase = RwSignal::new(Phase::Loading);
    let problem = RwSignal::new(None::<String>);
    let longest = RwSignal::new(0.0f64);
    let started = StoredValue::new(0.0f64);
    let anim_pause = StoredValue::new_local(Box::new(|| {}) as Box<dyn Fn()>);

    leptos::task::spawn_local(async move {
        match load_addresses().await.and_then(|a| DefaultRag::new(&a)) {
            Ok(r) => {
                let _ = rag.try_set_value(Some(Rc::new(r)));
                let _ = phase.try_set(Phase::Ready);
            }
            Err(e) => {
                let _ = problem.try_set(Some(e));
            }
        }
    });

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        let t0 = now_ms();
        match phase.get_untracked() {
            Phase::Answering(..) => {
                let mut out: Vec<(usize, Answer, String)> = Vec::new();
                let mut next = phase.get_untracked();
                f.repeat(|| {
                    let Phase::Answering(w, i) = next else { return false };
                    let q = facts.with_value(|fa| fa[i].clone());
                    let a = match w {
                        0 => lm.with_value(|l| answer(l, &q.prompt())),
                        1 => {
                            let p = given.with_value(|g| g[i].as_ref().map(|r| r.prompt())).unwrap_or_else(|| q.prompt());
                            lm.with_value(|l| answer(l, &p))
                        }
                        2 => {
                            let r = rag.get_value().expect("the index is built before answering");
                            lm.with_value(|l| r.answer(l, &q.input))
                        }
                        _ => tuned.with_value(|t| answer(t.as_ref().expect("tuned before answering"), &q.prompt())),
                    };
                    out.push((w, a, q.answer));
                    next = if i + 1 < n {
                        Phase::Answering(w, i + 1)
                    } else if w < 2 {
                        Phase::Answering(w + 1, 0)
                    } else if w == 2 {
                        Phase::Training
                    } else {
                        Phase::Done
                    };
                    matches!(next, Phase::Answering(w2, _) if w2 == w)
                });
                tallies.update(|t| {
                    for (w, a, e) in &out {
                        t[*w].add(a, e);
                    }
                });
                if next == Phase::Training {
                    let method = match ft.method {
                        FtMethod::Full => TuneMethod::Full,
                        FtMethod::Lora => TuneMethod::Lora(ft.rank as usize),
                    };
                    match lm.with_value(|l| examples.with_value(|ex| Tuner::new(&l.model, method, ex, BATCH, ft.lr as f32, ft.seed))) {
                        Ok(t) => {
                            tuner.set_value(Some(t));
                            started.set_value(now_ms());
                        }
                        Err(e) => {
                            problem.set(Some(e));
                            next = Phase::Done;
                        }
                    }
                }
                if next == Phase::Done {
                    anim_pause.with_value(|p| p());
                }
                phase.set(next);
            }
            Phase::Training => {
                let target = ft.steps.max(1) as usize;
                let mut done = false;
                tuner.update_value(|t| {
                    if let Some(t) = t {
                        f.repeat(|| {
                            t.unit();
                            done = t.steps >= target;
                            !done
                        });
                    }
                });
                if done {
                    let secs = now_ms() - started.get_value();
                    let (model, params, change) = tuner.with_value(|t| {
                        let t = t.as_ref().expect("training");
                        (t.model.clone(), t.trained_params(), t.relative_change())
                    });
                    let tokens: usize = examples.with_value(|ex| ex.iter().map(|e| e.prompt.len() + e.answer.len()).sum::<usize>()) * BATCH * target / n.max(1);
                    tuner.set_value(None);
                    tuned.set_value(lm.with_value(|l| Some(Lm { tokenizer: l.tokenizer.clone(), model, weight_bytes: 0 })));
                    tallies.update(|t| {
                        t[3].setup_ms = secs;
                        t[3].setup = format!("training: {target} steps of {BATCH} examples, ≈ {} tokens through forward and backward passes", fmt_int(tokens));
                        t[3].changed = format!("yes: {} numbers trained, moved by {:.2} % (‖W − W₀‖ / ‖W₀‖)", fmt_int(params), 100.0 * change);
                    });
                    phase.set(Phase::Answering(3, 0));
                }
            }
            Phase::Loading | Phase::Ready | Phase::Done => return,
        }
        let frame = now_ms() - t0;
        longest.update(|l| *l = l.max(frame));
    });
    anim_pause.set_value(Box::new(move || anim.pause()));

    let run = move |_| {
        let Some(r) = rag.get_value() else { return };
        let mut t = vec![Tally::default(); 4];
        for (i, x) in t.iter_mut().enumerate().take(3) {
            x.changed = "no".into();
            x.setup = if i == 2 { "chunking 233 addresses and building the BM25 index".into() } else { "none".into() };
        }
        t[2].setup_ms = r.build_ms;
        t[3].changed = "—".into();
        tallies.set(t);
        tuned.set_value(None);
        problem.set(None);
        longest.set(0.0);
        phase.set(Phase::Answering(0, 0));
        anim.play();
    };
    let stop = move |_| {
        anim.pause();
        tuner.set_value(None);
        phase.set(Phase::Ready);
    };

    let total = 4 * n + ft.steps.max(1) as usize;
    let done = move || match phase.get() {
        Phase::Answering(w, i) if w < 3 => w * n + i,
        Phase::Training => 3 * n + tuner.with_value(|t| t.as_ref().map_or(0, |t| t.steps)),
        Phase::Answering(_, i) => 3 * n + ft.steps.max(1) as usize + i,
        Phase::Done => total,
        _ => 0,
    };
    let status = move || {
        let text = match phase.get() {
            Phase::Loading => "Loading the addresses for retrieval…".to_string(),
            Phase::Ready => format!("Ready: {n} questions, four ways."),
            Phase::Answering(w, i) => format!("Answering question {} of {n}: {}", i + 1, WAYS[w]),
            Phase::Training => format!("Fine-tuning: step {} of {}", tuner.with_value(|t| t.as_ref().map_or(0, |t| t.steps)), ft.steps),
            Phase::Done => format!("Done. Longest frame {:.0} ms.", longest.get()),
        };
        view! { <p role="status" data-testid="cmp-status">{text}</p> }
    };
    let cell_time = |t: &Tally| if t.of == 0 { "—".to_string() } else { format!("{:.0} ms", t.ms / t.of as f64) };
    let table = move || {
        let ts = tallies.get();
        (ts.iter().any(|t| t.of > 0)).then(|| view! {
            <div class="table-scroll" tabindex="0">
                <table class="data-table" data-testid="cmp-table">
                    <caption>{format!("The same {n} closed-book questions about the 12 held-out addresses, the same instruction-tuned model, exact match")}</caption>
                    <thead><tr>
                        <th scope="col">"Way"</th><th scope="col">"Accuracy"</th><th scope="col">"Time per answer"</th>
                        <th scope="col">"Tokens per answer (prompt + written)"</th><th scope="col">"Compute before the first answer"</th><th scope="col">"Weights changed"</th>
                    </tr></thead>
                    <tbody>
                        {ts.into_iter().enumerate().map(|(w, t)| view! {
                            <tr>
                                <th scope="row">{WAYS[w]}</th>
                                <td>{if t.of == 0 { "—".to_string() } else { format!("{}/{} = {:.0} %", t.right, t.of, 100.0 * t.right as f64 / t.of as f64) }}</td>
                                <td>{cell_time(&t)}</td>
                                <td>{if t.of == 0 { "—".to_string() } else { format!("{:.0}", t.tokens as f64 / t.of as f64) }}</td>
                                <td>{if t.setup.is_empty() { "—".to_string() } else if t.setup_ms > 0.0 { format!("{} ({})", t.setup, if t.setup_ms >= 1000.0 { format!("{:.1} s", t.setup_ms / 1000.0) } else { format!("{:.0} ms", t.setup_ms) }) } else { t.setup.clone() }}</td>
                                <td>{t.changed}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })
    };

    view! {
        <div class="compare" node_ref=root>
            <p class="muted">"One set of questions the shipped model cannot answer from memory, answered four ways by the same model in your browser. The fine-tuned row trains on the very questions it is then asked — it measures whether the facts went into the weights, not whether the model generalises; the other widgets above show what that costs elsewhere."</p>
            <div class="controls-row">
                <button type="button" class="btn btn-primary" on:click=run prop:disabled=move || !matches!(phase.get(), Phase::Ready | Phase::Done)>"Run the comparison"</button>
                <button type="button" class="btn" on:click=stop prop:disabled=move || !matches!(phase.get(), Phase::Answering(..) | Phase::Training)>"Stop"</button>
                <progress max=total.to_string() value=move || done().to_string() aria-label="Comparison progress"></progress>
            </div>
            {move || problem.get().map(|e| view! { <p class="error-panel" role="alert">{e}</p> })}
            {status}
            {table}
        </div>
    }
}
