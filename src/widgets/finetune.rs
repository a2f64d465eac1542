//! Instruction fine-tuning of new knowledge, live: the instruction-tuned model is taught the 12
//! held-out addresses' facts (who gave it, which party; closed book, no documents) by full
//! fine-tuning or by LoRA, in the page, in frame-sized units of work. Closed-book accuracy on those
//! facts before and after, accuracy on an untouched task (which text a passage is from) and the
//! perplexity of plain passages (forgetting), the trained parameter count, time and the weights'
//! relative change.

use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use crate::widgets::lm::fmt_int;
use crate::widgets::lm_store::{load_eval, use_instruct, EvalRow, Lm};
use crate::widgets::prompt::{outcome, when_loaded};
use genai_core::gpt::finetune::{parse_facts, Example, Method as TuneMethod, Tuner};
use genai_core::gpt::Workspace;
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "finetune";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "finetune", title: "Teach the model new facts", embed_height: 1100 };

pub(crate) const BATCH: usize = 16;
/// Own facts longer than this stay out of the link.
const FACTS_URL_MAX: usize = 4000;
/// The learner's facts as parsed, or why they cannot be used.
type OwnFacts = Option<Result<(Vec<(String, String)>, Vec<String>), String>>;
/// The taught facts: the held-out addresses' questions asked by year, closed book.
pub(crate) const FACT_TASK: &str = "question by year, closed book";

/// Question → answer examples of `facts` (the answer ends with the end-of-text token).
pub(crate) fn fact_examples(lm: &Lm, facts: &[EvalRow]) -> Vec<Example> {
    facts
        .iter()
        .map(|r| {
            let mut answer = lm.tokenizer.encode(&r.answer);
            answer.push(lm.tokenizer.eot());
            Example { prompt: r.prompt().encode(&lm.tokenizer), answer }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    #[default]
    Full,
    Lora,
}

impl Choice for Method {
    const ALL: &'static [Method] = &[Method::Full, Method::Lora];
    fn key(self) -> &'static str {
        match self {
            Method::Full => "full",
            Method::Lora => "lora",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FinetuneState {
    pub method: Method,
    pub rank: i64,
    pub lr: f64,
    pub steps: i64,
    pub seed: u64,
    /// The learner's own facts, one per line `question = answer` (empty: the held-out facts).
    pub facts: String,
}

impl Default for FinetuneState {
    fn default() -> Self {
        FinetuneState { method: Method::Full, rank: 8, lr: 1e-3, steps: 90, seed: 1, facts: String::new() }
    }
}

impl UrlState for FinetuneState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("method", self.method);
        w.int("rank", self.rank);
        w.float("lr", self.lr);
        w.int("steps", self.steps);
        w.seed("seed", self.seed);
        if !self.facts.trim().is_empty() && self.facts.chars().count() <= FACTS_URL_MAX {
            w.text("facts", &self.facts);
        }
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = FinetuneState::default();
        FinetuneState {
            method: r.choice("method", d.method),
            rank: r.int("rank", 1..=32, d.rank),
            lr: r.float("lr", 1e-5..=5e-2, d.lr),
            steps: r.int("steps", 1..=1000, d.steps),
            seed: r.seed("seed", d.seed),
            facts: r.text("facts", FACTS_URL_MAX, ""),
        }
    }
}

const LRS: [f64; 6] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2];

/// Closed-book scores of one model state.
#[derive(Clone, Debug, Default, PartialEq)]
struct Scores {
    facts_right: usize,
    facts: Vec<String>,
    untouched_right: usize,
    perplexity: f64,
}

/// Where a run stands.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// Scoring the shipped model (on opening).
    ScoringBefore,
    Idle,
    Training,
    /// Scoring the tuned model.
    ScoringAfter,
    Done,
    /// Training blew up (the loss or a weight stopped being finite, or the loss rose far above
    /// its start): paused, explained, Reset returns to the shipped weights.
    Diverged,
}


/// Scoring one model state, one item per unit of work (a greedy answer or a forward pass of
/// ≈ 5 ms), so that it runs between frames: the taught facts, the untouched task, then the
/// perplexity of the untouched task's plain passages.
struct Scoring {
    lm: Lm,
    ws: Workspace,
    next: usize,
    nll: f64,
    counted: usize,
    scores: Scores,
}

impl Scoring {
    fn new(tokenizer: &genai_core::gpt::tokenizer::Tokenizer, model: &genai_core::gpt::Gpt) -> Scoring {
        Scoring { lm: Lm { tokenizer: tokenizer.clone(), model: model.clone(), weight_bytes: 0 }, ws: Workspace::new(), next: 0, nll: 0.0, counted: 0, scores: Scores::default() }
    }

    /// Scores one more item; the finished scores once all are done.
    fn unit(&mut self, facts: &[EvalRow], untouched: &[EvalRow]) -> Option<Scores> {
        let (nf, nu) = (facts.len(), untouched.len());
        let i = self.next;
        self.next += 1;
        if i < nf {
            let r = &facts[i];
            let o = outcome(&self.lm, &r.prompt(), &r.answer);
            self.scores.facts_right += (o.correct == Some(true)) as usize;
            self.scores.facts.push(o.answer.trim().to_string());
        } else if i < nf + nu {
            let r = &untouched[i - nf];
            self.scores.untouched_right += (outcome(&self.lm, &r.prompt(), &r.answer).correct == Some(true)) as usize;
        } else if i < nf + 2 * nu {
            let ids = self.lm.tokenizer.encode(&untouched[i - nf - nu].input);
            if ids.len() >= 2 {
                let t = (ids.len() - 1).min(self.lm.model.cfg.ctx);
                self.nll += self.ws.forward(&self.lm.model, &ids[..t], Some(&ids[1..t + 1]), 1, t) as f64 * t as f64;
                self.counted += t;
            }
        }
        (self.next >= nf + 2 * nu).then(|| Scores { perplexity: (self.nll / self.counted.max(1) as f64).exp(), ..self.scores.clone() })
    }
}

#[component]
pub fn FinetuneWidget() -> impl IntoView {
    let url = use_url_state::<FinetuneState>();
    // only the instruction-tuned model: the base model is never downloaded for this widget
    let tuned = use_instruct();
    let eval = LocalResource::new(load_eval);
    let state = url.state;
    let own_text = Memo::new(move |_| state.with(|s| s.facts.clone()));
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {when_loaded(eval, vec![tuned], move |m, ev| {
                let t = own_text.get();
                let own: OwnFacts = (!t.trim().is_empty()).then(|| parse_facts(&t));
                view! { <FinetuneInner lm=m[0].clone() eval=ev state=state own=own/> }.into_any()
            })}
        </WidgetFrame>
    }
}

#[component]
fn FinetuneInner(lm: Rc<Lm>, eval: Rc<Vec<EvalRow>>, state: RwSignal<FinetuneState>, own: OwnFacts) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let (facts, own_used, own_msg, own_notes): (Vec<EvalRow>, bool, Option<String>, Vec<String>) = match &own {
        Some(Ok((f, notes))) => (
            f.iter().map(|(q, a)| EvalRow { task: FACT_TASK.into(), instruction: "Answer the question.".into(), docs: Vec::new(), input: q.clone(), answer: a.clone() }).collect(),
            true,
            None,
            notes.clone(),
        ),
        Some(Err(e)) => (eval.iter().filter(|r| r.task == FACT_TASK).cloned().collect(), false, Some(format!("Your facts cannot be used: {e} The held-out facts are taught instead.")), Vec::new()),
        None => (eval.iter().filter(|r| r.task == FACT_TASK).cloned().collect(), false, None, Vec::new()),
    };
    let draft = RwSignal::new(state.get_untracked().facts.clone());
    let untouched: Vec<EvalRow> = eval.iter().filter(|r| r.task == "classification").cloned().collect();
    let n_facts = facts.len();
    let examples = fact_examples(&lm, &facts);
    let scoring = StoredValue::new_local(Some(Scoring::new(&lm.tokenizer, &lm.model)));
    let lm = StoredValue::new_local(lm);
    let facts = StoredValue::new_local(facts);
    let untouched = StoredValue::new_local(untouched);
    let examples = StoredValue::new_local(examples);
    let tuner = StoredValue::new_local(None::<Tuner>);
    let phase = RwSignal::new(Phase::ScoringBefore);
    let before = RwSignal::new(None::<Scores>);
    let error = RwSignal::new(None::<String>);
    let after = RwSignal::new(None::<Scores>);
    let progress = RwSignal::new((0usize, None::<f64>, 0.0f64, 0.0f64)); // steps, loss, seconds, longest frame ms
    let started = StoredValue::new(0.0f64);
    // the first batch's loss of this run: divergence is judged against it
    let first_loss_of_run = StoredValue::new(None::<f64>);
    let info = RwSignal::new((0usize, 0.0f64)); // trained parameters, relative change
    // the loop pauses itself when a scoring finishes (set once the loop exists)
    let anim_pause = StoredValue::new_local(Box::new(|| {}) as Box<dyn Fn()>);

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        let t0 = now_ms();
        let mut first_loss = first_loss_of_run.get_value();
        match phase.get_untracked() {
            Phase::ScoringBefore | Phase::ScoringAfter => {
                let mut out = None;
                scoring.update_value(|sc| {
                    if let Some(sc) = sc {
                        facts.with_value(|fa| {
                            untouched.with_value(|u| {
                                f.repeat(|| {
                                    out = sc.unit(fa, u);
                                    out.is_none()
                                });
                            })
                        });
                    }
                });
                if let Some(scores) = out {
                    scoring.set_value(None);
                    if phase.get_untracked() == Phase::ScoringBefore {
                        before.set(Some(scores));
                        phase.set(Phase::Idle);
                        anim_pause.with_value(|p| p());
                    } else {
                        info.set(tuner.with_value(|t| t.as_ref().map(|t| (t.trained_params(), t.relative_change())).unwrap_or_default()));
                        after.set(Some(scores));
                        phase.set(Phase::Done);
                        anim_pause.with_value(|p| p());
                    }
                }
            }
            Phase::Training => {
                let target = state.get_untracked().steps.max(1) as usize;
                let mut done = false;
                let mut diverged = None;
                tuner.update_value(|t| {
                    if let Some(t) = t {
                        f.repeat(|| {
                            t.unit();
                            if let Some(l) = t.last_loss {
                                let first = *first_loss.get_or_insert(l);
                                if !l.is_finite() || l > 2.0 * first + 5.0 {
                                    diverged = Some((t.steps, l));
                                    return false;
                                }
                            }
                            done = t.steps >= target;
                            !done
                        });
                    }
                });
                if let Some((step, l)) = diverged {
                    error.set(Some(format!("Training diverged at step {step} (loss {l:.3}, from {:.3} at the start): the learning rate is too high for these weights, and each step now makes things worse. Training is paused; Reset returns to the shipped model — then pick a lower learning rate.", first_loss.unwrap_or(f64::NAN))));
                    phase.set(Phase::Diverged);
                    anim_pause.with_value(|p| p());
                } else if done {
                    let sc = tuner.with_value(|t| t.as_ref().map(|t| lm.with_value(|l| Scoring::new(&l.tokenizer, &t.model))));
                    scoring.set_value(sc);
                    phase.set(Phase::ScoringAfter);
                }
            }
            Phase::Idle | Phase::Done | Phase::Diverged => return,
        }
        first_loss_of_run.set_value(first_loss);
        let frame = now_ms() - t0;
        if matches!(phase.get_untracked(), Phase::Training | Phase::ScoringAfter | Phase::Done) {
            let (steps, loss) = tuner.with_value(|t| t.as_ref().map(|t| (t.steps, t.last_loss)).unwrap_or((0, None)));
            progress.update(|p| *p = (steps, loss, (now_ms() - started.get_value()) / 1000.0, p.3.max(frame)));
        }
    });
    anim_pause.set_value(Box::new(move || anim.pause()));
    anim.play();

    let start = move |_| {
        let s = state.get_untracked();
        let method = match s.method {
            Method::Full => TuneMethod::Full,
            Method::Lora => TuneMethod::Lora(s.rank as usize),
        };
        let made = lm.with_value(|l| examples.with_value(|ex| Tuner::new(&l.model, method, ex, BATCH, s.lr as f32, s.seed)));
        match made {
            Ok(t) => {
                info.set((t.trained_params(), 0.0));
                tuner.set_value(Some(t));
                error.set(None);
                after.set(None);
                progress.set((0, None, 0.0, 0.0));
                started.set_value(now_ms());
                first_loss_of_run.set_value(None);
                phase.set(Phase::Training);
                anim.play();
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let reset = move |_| {
        anim.pause();
        tuner.set_value(None);
        error.set(None);
        after.set(None);
        progress.set((0, None, 0.0, 0.0));
        if before.get_untracked().is_some() {
            phase.set(Phase::Idle);
        } else {
            // the shipped model's scores are not in yet: go on scoring it
            phase.set(Phase::ScoringBefore);
            anim.play();
        }
    };

    let controls = move || {
        let s = state.get();
        let busy = !matches!(phase.get(), Phase::Idle | Phase::Done | Phase::Diverged);
        view! {
            <div class="controls-row">
                <fieldset class="field">
                    <legend>"What is trained"</legend>
                    {Method::ALL.iter().map(|&m| view! {
                        <label class="check"><input type="radio" name="ft-method" prop:checked=s.method == m prop:disabled=busy on:change=move |_| state.update(|st| st.method = m)/>
                            {match m { Method::Full => " Every weight (full fine-tuning)", Method::Lora => " Low-rank adapters only (LoRA)" }}</label>
                    }).collect_view()}
                </fieldset>
                <label class="field slider"><span>{format!("LoRA rank r = {}", s.rank)}</span>
                    <input type="range" min="1" max="32" step="1" prop:value=s.rank.to_string() prop:disabled=busy || s.method != Method::Lora
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|st| st.rank = v.clamp(1, 32)) } }/>
                </label>
                <label class="field"><span>"Learning rate"</span>
                    <select prop:disabled=busy on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|st| st.lr = v) } }>
                        {let mut opts = LRS.to_vec(); if !opts.iter().any(|v| (v - s.lr).abs() < 1e-12) { opts.push(s.lr); }
                         opts.into_iter().map(|v| view! { <option value=v.to_string() selected=(v - s.lr).abs() < 1e-12>{format!("{v}")}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>"Steps"</span>
                    <input type="number" min="1" max="1000" prop:value=s.steps.to_string() prop:disabled=busy
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|st| st.steps = v.clamp(1, 1000)) } }/>
                </label>
            </div>
        }
    };

    let status = move || {
        let (steps, loss, secs, longest) = progress.get();
        let target = state.with(|s| s.steps);
        let (params, change) = info.get();
        view! {
            <p role="status" data-testid="ft-status">
                {format!("Step {steps} of {target}")}
                {loss.map(|l| format!(" · loss {l:.3}"))}
                {format!(" · {secs:.1} s · longest frame {longest:.0} ms")}
                {(params > 0).then(|| format!(" · {} numbers trained", fmt_int(params)))}
                {(phase.get() == Phase::ScoringAfter).then_some(" · scoring the tuned model…")}
                {(phase.get() == Phase::Done).then(|| format!(" · the weights moved by {:.2} % of their size", 100.0 * change))}
                {(phase.get() == Phase::Diverged).then_some(" · paused: diverged")}
            </p>
            <progress max=target.to_string() value=steps.to_string() aria-label="Fine-tuning progress"></progress>
        }
    };

    let results = move || {
        let a = after.get();
        let Some(b) = before.get() else {
            return view! { <p role="status">"Scoring the shipped model on the questions first…"</p> }.into_any();
        };
        let pct = |r: usize, n: usize| format!("{:.0} % ({r} of {n})", 100.0 * r as f64 / n.max(1) as f64);
        let nu = untouched.with_value(|u| u.len());
        view! {
            <table class="data-table" data-testid="ft-results">
                <caption>"Before and after, closed book (no documents in the prompt)"</caption>
                <thead><tr><th scope="col">"Measure"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>
                    <tr><th scope="row">{if own_used { "Your facts" } else { "The taught facts (who gave the address of a held-out year, which party)" }}</th><td>{pct(b.facts_right, n_facts)}</td><td>{a.as_ref().map(|a| pct(a.facts_right, n_facts)).unwrap_or_else(|| "—".into())}</td></tr>
                    <tr><th scope="row">"An untouched task: Moby Dick or an address?"</th><td>{pct(b.untouched_right, nu)}</td><td>{a.as_ref().map(|a| pct(a.untouched_right, nu)).unwrap_or_else(|| "—".into())}</td></tr>
                    <tr><th scope="row">"Perplexity of plain passages (lower is better; rises when the model forgets)"</th><td>{format!("{:.1}", b.perplexity)}</td><td>{a.as_ref().map(|a| format!("{:.1}", a.perplexity)).unwrap_or_else(|| "—".into())}</td></tr>
                </tbody>
            </table>
        }.into_any()
    };
    let facts_table = move || {
        let a = after.get();
        let b = before.get()?;
        facts.with_value(|fa| Some(view! {
            <details>
                <summary>"The facts, question by question"</summary>
                <div class="table-scroll" tabindex="0">
                    <table class="data-table">
                        <caption>"Each taught question with the expected answer and the model's closed-book answer before and after"</caption>
                        <thead><tr><th scope="col">"Question"</th><th scope="col">"Expected"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                        <tbody>
                            {fa.iter().enumerate().map(|(i, r)| view! {
                                <tr><td>{r.input.clone()}</td><td>{r.answer.clone()}</td><td>{b.facts[i].clone()}</td><td>{a.as_ref().map(|a| a.facts[i].clone()).unwrap_or_else(|| "—".into())}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        }))
    };

    view! {
        <div class="finetune" node_ref=root>
            <p class="muted">{if own_used {
                format!("The instruction-tuned model is asked your {n_facts} questions with no documents. Fine-tuning on exactly these questions and answers (batches of {BATCH}) changes its weights until it answers them. Everything runs in your browser; Reset returns to the shipped weights.")
            } else {
                format!("The instruction-tuned model is asked {n_facts} questions about the 12 State of the Union addresses it never saw, with no documents: it cannot know. Fine-tuning on exactly these questions and answers (batches of {BATCH}) changes its weights until it can. Everything runs in your browser; Reset returns to the shipped weights.")
            }}</p>
            <details class="ft-own" open=own.is_some()>
                <summary>"Teach your own facts"</summary>
                <label class="field" for="ft-facts">"Your facts, one per line: question = answer"</label>
                <textarea id="ft-facts" rows="5" placeholder="Who was the first mate of the Pequod? = Starbuck" prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                <div class="controls-row">
                    <button type="button" class="btn" prop:disabled=move || !matches!(phase.get(), Phase::Idle | Phase::Done | Phase::Diverged) on:click=move |_| state.update(|s| s.facts = draft.get_untracked())>"Teach these facts"</button>
                    <button type="button" class="btn" prop:disabled=move || !own_used on:click=move |_| { draft.set(String::new()); state.update(|s| s.facts = String::new()) }>"Back to the held-out facts"</button>
                </div>
                {own_msg.map(|e| view! { <p class="error-panel" role="alert">{e}</p> })}
                {(!own_notes.is_empty()).then(|| view! { <ul class="muted">{own_notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> })}
            </details>
            {controls}
            <div class="controls-row">
                <button type="button" class="btn btn-primary" on:click=start prop:disabled=move || !matches!(phase.get(), Phase::Idle | Phase::Done | Phase::Diverged)>"Fine-tune"</button>
                <button type="button" class="btn" on:click=move |_| { anim.pause(); phase.set(Phase::Idle); } prop:disabled=move || phase.get() != Phase::Training>"Stop"</button>
                <button type="button" class="btn" on:click=reset>"Reset to the shipped model"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error-panel" role="alert">{e}</p> })}
            {status}
            <div class="table-scroll" tabindex="0">{results}</div>
            {facts_table}
        </div>
    }
}
