//! One model, many tasks: the instruction-tuned model answers every held-out example of
//! `public/lm/instruct-eval.json` (question answering with and without documents, classification,
//! extraction), scored by exact match, beside the base model on the same prompts; computed in the
//! page in frame-sized slices, with time and tokens per answer. Next to it, what the traditional
//! way — one model per task — cost when tools/lm/task_models.rs trained them with the same core.

use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use crate::widgets::lm_store::{load_eval, use_instruct, use_lm, EvalRow, Lm};
use crate::widgets::prompt::{outcome, when_loaded};
use genai_core::query::{StateReader, StateWriter, UrlState};
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "tasks";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "prompts", title: "One model, many tasks", embed_height: 900 };

/// Nothing of this widget's view depends on settings; the state only makes it embeddable with
/// the evaluation started.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TasksState {
    pub run: bool,
}

impl UrlState for TasksState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.flag("run", self.run);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        TasksState { run: r.flag("run", false) }
    }
}

/// How the page names each task of the file, in display order.
const TASKS: [(&str, &str); 8] = [
    ("question answering", "Who said this quote? (documents given)"),
    ("closed book", "The same questions, closed book"),
    ("question by year", "Who gave the address of a year? (documents given)"),
    ("question by year, closed book", "The same, closed book"),
    ("question without its document", "The same, with only other addresses' documents (right answer: “Not in the documents”)"),
    ("classification", "Moby Dick or an address?"),
    ("century", "Which century is the address from?"),
    ("extraction", "Which year does the sentence mention?"),
];

/// Running totals for one task and one model.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Tally {
    right: usize,
    done: usize,
    ms: f64,
    tokens: usize,
}


#[component]
pub fn TasksWidget() -> impl IntoView {
    let url = use_url_state::<TasksState>();
    let base = use_lm();
    let tuned = use_instruct();
    let eval = LocalResource::new(load_eval);
    let state = url.state;
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {when_loaded(eval, vec![base, tuned], move |m, ev| view! { <TasksInner base=m[0].clone() tuned=m[1].clone() eval=ev state=state/> }.into_any())}
        </WidgetFrame>
    }
}

/// One row of public/lm/task-models.json (tools/lm/task_models.rs).
#[derive(Clone, Debug, PartialEq)]
struct TaskModel {
    task: String,
    params: f64,
    seconds: f64,
    right: f64,
    of: f64,
}

/// The per-task models, and the training times of pre-training (manifest.json) and instruction
/// tuning (instruct-manifest.json), in seconds, for
/// the "many task models" comparison.
async fn load_costs() -> Result<(Vec<TaskModel>, f64, f64), String> {
    use crate::shell::assets::{fetch_text, js_get};
    let damaged = |f: &str| format!("The file lm/{f} is damaged. Reload the page; if it persists, the site's copy is broken.");
    let tm = js_sys::JSON::parse(&fetch_text("lm/task-models.json").await?).map_err(|_| damaged("task-models.json"))?;
    let im = js_sys::JSON::parse(&fetch_text("lm/instruct-manifest.json").await?).map_err(|_| damaged("instruct-manifest.json"))?;
    let pm = js_sys::JSON::parse(&fetch_text("lm/manifest.json").await?).map_err(|_| damaged("manifest.json"))?;
    let num = |v: &wasm_bindgen::JsValue, k: &str| js_get(v, k).as_f64().unwrap_or(f64::NAN);
    let models: Vec<TaskModel> = js_sys::Array::from(&js_get(&tm, "models"))
        .iter()
        .map(|m| TaskModel { task: js_get(&m, "task").as_string().unwrap_or_default(), params: num(&m, "params"), seconds: num(&m, "seconds"), right: num(&m, "right"), of: num(&m, "of") })
        .collect();
    let tuning = num(&js_get(&im, "training"), "seconds");
    let pretraining = num(&js_get(&pm, "training"), "seconds");
    if models.is_empty() || models.iter().any(|m| !m.params.is_finite()) || !tuning.is_finite() || !pretraining.is_finite() {
        return Err(damaged("task-models.json"));
    }
    Ok((models, tuning, pretraining))
}

#[component]
fn TasksInner(base: Rc<Lm>, tuned: Rc<Lm>, eval: Rc<Vec<EvalRow>>, state: RwSignal<TasksState>) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let rows: Vec<(usize, EvalRow)> = eval.iter().filter(|r| TASKS.iter().any(|t| t.0 == r.task)).cloned().enumerate().collect();
    let total = rows.len();
    let rows = StoredValue::new_local(rows);
    let models = StoredValue::new_local((tuned, base));
    // tallies[task][model]
    let tallies = RwSignal::new(vec![[Tally::default(); 2]; TASKS.len()]);
    let next = StoredValue::new(0usize);
    let examples = StoredValue::new_local(vec![None::<String>; TASKS.len()]);

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        let mut batch = Vec::new();
        f.repeat(|| {
            let i = next.get_value();
            if i >= 2 * total {
                return false;
            }
            next.set_value(i + 1);
            // both models on one example, then the next example
            let (k, model) = (i / 2, i % 2);
            let r = rows.with_value(|r| r[k].1.clone());
            let task = TASKS.iter().position(|t| t.0 == r.task).unwrap_or(0);
            let t0 = now_ms();
            let o = models.with_value(|m| {
                let lm = if model == 0 { &m.0 } else { &m.1 };
                let p = r.prompt();
                let o = outcome(lm, &p, &r.answer);
                let n = p.encode(&lm.tokenizer).len() + lm.tokenizer.encode(&o.answer).len() + o.finished as usize;
                (o, n)
            });
            batch.push((task, model, o.0.correct == Some(true), now_ms() - t0, o.1, o.0.answer));
            true
        });
        tallies.update(|t| {
            for (task, model, right, ms, tokens, answer) in batch.drain(..) {
                let x = &mut t[task][model];
                x.right += right as usize;
                x.done += 1;
                x.ms += ms;
                x.tokens += tokens;
                if model == 0 {
                    examples.update_value(|e| {
                        e[task].get_or_insert(answer);
                    });
                }
            }
        });
    });
    Effect::new(move |_| {
        if state.with(|s| s.run) && next.get_value() < 2 * total {
            anim.play();
        }
    });
    let done = move || tallies.with(|t| t.iter().map(|m| m[0].done + m[1].done).sum::<usize>());
    let start = move |_| {
        if next.get_value() >= 2 * total {
            next.set_value(0);
            tallies.set(vec![[Tally::default(); 2]; TASKS.len()]);
        }
        state.update(|s| s.run = true);
        anim.play();
    };
    let costs = LocalResource::new(load_costs);
    let params = models.with_value(|m| m.0.model.cfg.n_params());
    let cost_table = move || {
        costs.get().map(|c| match c {
            Err(e) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
            Ok((rows, tuning, pretraining)) => {
                let total_params: f64 = rows.iter().map(|r| r.params).sum();
                let total_s: f64 = rows.iter().map(|r| r.seconds).sum();
                view! {
                    <div class="table-scroll" tabindex="0"><table class="data-table" data-testid="tasks-costs">
                        <caption>"What each way cost, measured when the scripts ran on this project's 2-core machine (tools/lm/task_models.rs, tools/lm/instruct.rs)"</caption>
                        <thead><tr><th scope="col">"Model"</th><th scope="col">"Parameters"</th><th scope="col">"Training"</th><th scope="col">"Held-out accuracy"</th></tr></thead>
                        <tbody>
                            <tr><th scope="row">"One foundation model, instruction-tuned, for every task"</th><td>{crate::widgets::lm::fmt_int(params)}</td><td>{format!("{:.0} min pre-training (once) + {:.0} min instruction tuning", pretraining / 60.0, tuning / 60.0)}</td><td>"the table above"</td></tr>
                            {rows.iter().map(|r| view! {
                                <tr><th scope="row">{format!("A model of its own for “{}”", r.task)}</th><td>{crate::widgets::lm::fmt_int(r.params as usize)}</td><td>{format!("{:.1} min from scratch", r.seconds / 60.0)}</td><td>{format!("{:.0} % ({} of {})", 100.0 * r.right / r.of.max(1.0), r.right, r.of)}</td></tr>
                            }).collect_view()}
                            <tr><th scope="row">{format!("All {} task models together", rows.len())}</th><td>{crate::widgets::lm::fmt_int(total_params as usize)}</td><td>{format!("{:.1} min", total_s / 60.0)}</td><td>"—"</td></tr>
                        </tbody>
                    </table></div>
                }.into_any()
            }
        })
    };
    let acc = |t: &Tally| if t.done == 0 { "—".to_string() } else { format!("{:.0} % ({} of {})", 100.0 * t.right as f64 / t.done as f64, t.right, t.done) };

    view! {
        <div class="tasks" node_ref=root>
            <p class="muted">"Every held-out example, answered greedily by both models and scored by exact match. The instruction-tuned model was fine-tuned once on all of these kinds of prompt; the base model only ever predicted the next word of plain text."</p>
            <div class="controls-row">
                <button type="button" class="btn btn-primary" on:click=start prop:disabled=move || anim.playing.get()>
                    {move || if done() == 0 { "Run the evaluation".to_string() } else { "Run it again".to_string() }}
                </button>
                <button type="button" class="btn" on:click=move |_| anim.pause() prop:disabled=move || !anim.playing.get()>"Stop"</button>
                <progress max=(2 * total).to_string() value=move || done().to_string() aria-label="Answers computed"></progress>
                <span role="status" data-testid="tasks-progress">{move || format!("{} of {} answers", done(), 2 * total)}</span>
            </div>
            <div class="table-scroll" tabindex="0"><table class="data-table" data-testid="tasks-table">
                <caption>"Exact-match accuracy on held-out examples, per task, computed in your browser"</caption>
                <thead><tr><th scope="col">"Task"</th><th scope="col">"A first answer (tuned)"</th><th scope="col">"Instruction-tuned"</th><th scope="col">"Base model"</th><th scope="col">"Per answer (tuned)"</th></tr></thead>
                <tbody>
                    {move || {
                        let t = tallies.get();
                        TASKS.iter().enumerate().map(|(k, (_, label))| {
                            let (i, b) = (t[k][0], t[k][1]);
                            let ex = examples.with_value(|e| e[k].clone()).map(|a| a.trim().to_string()).unwrap_or_else(|| "—".into());
                            let per = if i.done == 0 { "—".to_string() } else { format!("{:.1} ms, {:.0} tokens", i.ms / i.done as f64, i.tokens as f64 / i.done as f64) };
                            view! { <tr><th scope="row">{*label}</th><td>{ex}</td><td>{acc(&i)}</td><td>{acc(&b)}</td><td>{per}</td></tr> }
                        }).collect_view()
                    }}
                </tbody>
            </table></div>
            <h3>"The traditional way: one model per task"</h3>
            <p class="muted">"Before foundation models, each task got a model of its own, trained on that task's examples only. Here that was done with the same code, the same tokenizer and the same examples: a small transformer per task, from random weights. Each knows one job and nothing else; a new task means a new model."</p>
            {cost_table}
        </div>
    }
}
