//! The prompt builder: the four parts of a prompt (instruction, context, input data, output
//! indicator), each switched on or off, sent to the base model and to its instruction-tuned version
//! side by side; the answer each writes (greedy), its probability and the probability of the expected
//! answer; what each part costs of the 256-token context; and a table of prompt variants computed live.
//!
//! Presets are held-out examples of `public/lm/instruct-eval.json`: neither model was trained on them.

use crate::shell::checkpoint::Checkpoint;
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use crate::widgets::lm::fmt_int;
use crate::widgets::lm_store::{load_eval, use_instruct, use_lm, EvalRow, Lm, LmLoad};
use genai_core::gpt::prompt::{answer_log_prob, exact_match, greedy_answer, Prompt};
use genai_core::query::{Choice, Notice, StateReader, StateWriter, UrlState};
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "prompt";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "prompts", title: "Prompt builder", embed_height: 1300 };

/// The longest text a link keeps per part, in characters.
const PART_MAX_CHARS: usize = 3000;
/// Tokens the model may write for an answer.
pub const ANSWER_TOKENS: usize = 12;

/// The starting points: one held-out example per task (the first of its kind in the file), or the
/// learner's own text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Preset {
    #[default]
    Quote,
    Year,
    Source,
    Century,
    Extract,
    Continue,
    Own,
}

impl Choice for Preset {
    const ALL: &'static [Preset] = &[Preset::Quote, Preset::Year, Preset::Source, Preset::Century, Preset::Extract, Preset::Continue, Preset::Own];
    fn key(self) -> &'static str {
        match self {
            Preset::Quote => "quote",
            Preset::Year => "year",
            Preset::Source => "source",
            Preset::Century => "century",
            Preset::Extract => "extract",
            Preset::Continue => "continue",
            Preset::Own => "own",
        }
    }
}

impl Preset {
    fn label(self) -> &'static str {
        match self {
            Preset::Quote => "Question answering: who said it? (documents in the context)",
            Preset::Year => "Question answering: who gave the address of a year?",
            Preset::Source => "Classification: Moby Dick or an address?",
            Preset::Century => "Classification: which century?",
            Preset::Extract => "Information extraction: which year is mentioned?",
            Preset::Continue => "Text generation: continue the passage",
            Preset::Own => "Your own prompt",
        }
    }

    /// The task name of the rows in instruct-eval.json this preset takes its example from.
    fn task(self) -> Option<&'static str> {
        match self {
            Preset::Quote => Some("question answering"),
            Preset::Year => Some("question by year"),
            Preset::Source => Some("classification"),
            Preset::Century => Some("century"),
            Preset::Extract => Some("extraction"),
            Preset::Continue => Some("continuation"),
            Preset::Own => None,
        }
    }
}

/// The four parts' texts and whether each is used. With a preset (not `Own`) the texts come from
/// the preset's example and are not written to the link; editing any text makes the prompt `Own`.
#[derive(Clone, Debug, PartialEq)]
pub struct PromptState {
    pub preset: Preset,
    pub instruction: String,
    /// Documents separated by a blank line.
    pub context: String,
    pub input: String,
    pub output: String,
    pub expected: String,
    /// Which parts are used: instruction, context, input, output indicator.
    pub on: [bool; 4],
}

impl Default for PromptState {
    fn default() -> Self {
        PromptState { preset: Preset::Quote, instruction: String::new(), context: String::new(), input: String::new(), output: String::new(), expected: String::new(), on: [true; 4] }
    }
}

const PART_NAMES: [&str; 4] = ["instruction", "context", "input", "output"];

impl UrlState for PromptState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("preset", self.preset);
        if self.preset == Preset::Own {
            w.text("instruction", &self.instruction);
            w.text("context", &self.context);
            w.text("input", &self.input);
            w.text("output", &self.output);
            w.text("expected", &self.expected);
        }
        for (k, name) in PART_NAMES.iter().enumerate() {
            w.flag(&format!("use_{name}"), self.on[k]);
        }
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = PromptState::default();
        let preset = r.choice("preset", d.preset);
        let own = preset == Preset::Own;
        let mut text = |k: &str| if own { r.text(k, PART_MAX_CHARS, "") } else { String::new() };
        let (instruction, context, input, output, expected) = (text("instruction"), text("context"), text("input"), text("output"), text("expected"));
        let mut on = [true; 4];
        for (k, name) in PART_NAMES.iter().enumerate() {
            on[k] = r.flag(&format!("use_{name}"), true);
        }
        PromptState { preset, instruction, context, input, output, expected, on }
    }
}

/// The texts in effect: the preset's example, or the learner's own.
#[derive(Clone, Debug, PartialEq)]
struct Texts {
    instruction: String,
    docs: Vec<String>,
    input: String,
    output: String,
    expected: String,
}

impl Texts {
    fn of(s: &PromptState, eval: &[EvalRow]) -> Texts {
        match s.preset.task().and_then(|t| eval.iter().find(|r| r.task == t)) {
            Some(r) => Texts { instruction: r.instruction.clone(), docs: r.docs.clone(), input: r.input.clone(), output: String::new(), expected: r.answer.clone() },
            None => Texts { instruction: s.instruction.clone(), docs: split_docs(&s.context), input: s.input.clone(), output: s.output.clone(), expected: s.expected.clone() },
        }
    }

    /// The prompt with the parts that `on` keeps.
    fn prompt(&self, on: [bool; 4]) -> Prompt {
        Prompt {
            instruction: on[0].then(|| self.instruction.clone()),
            context: (on[1] && !self.docs.is_empty()).then(|| self.docs.clone()),
            input: on[2].then(|| self.input.clone()),
            output: on[3].then(|| self.output.clone()),
        }
    }
}

/// Documents typed in one box: separated by blank lines, empty ones dropped.
fn split_docs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n").split("\n\n").map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect()
}

/// What one model made of one prompt.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub answer: String,
    /// P(answer) under the model (its tokens and the closing end-of-text).
    pub p_answer: f64,
    /// P(expected answer), by teacher forcing (None without an expected answer).
    pub p_expected: Option<f64>,
    pub correct: Option<bool>,
    pub finished: bool,
}

pub fn outcome(lm: &Lm, prompt: &Prompt, expected: &str) -> Outcome {
    let ids = prompt.encode(&lm.tokenizer);
    let a = greedy_answer(&lm.model, &lm.tokenizer, &ids, ANSWER_TOKENS);
    let answer = lm.tokenizer.decode(&a.ids);
    let has_expected = !expected.trim().is_empty();
    let p_expected = has_expected.then(|| answer_log_prob(&lm.model, &lm.tokenizer, &ids, &lm.tokenizer.encode(expected)).exp());
    Outcome { correct: has_expected.then(|| exact_match(&answer, expected)), p_answer: a.log_prob().exp(), p_expected, finished: a.finished, answer }
}

/// Probability as a percentage with enough digits to tell small ones apart.
pub fn pct(p: f64) -> String {
    let x = 100.0 * p;
    if x >= 10.0 {
        format!("{x:.0} %")
    } else if x >= 0.1 {
        format!("{x:.1} %")
    } else if x > 0.0 {
        format!("{:.0e} %", x)
    } else {
        "0 %".into()
    }
}

#[component]
pub fn PromptWidget() -> impl IntoView {
    let url = use_url_state::<PromptState>();
    let base = use_lm();
    let tuned = use_instruct();
    let eval = LocalResource::new(load_eval);
    let state = url.state;
    let notices = url.notices;
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {when_loaded(eval, vec![base, tuned], move |m, ev| view! { <PromptInner base=m[0].clone() tuned=m[1].clone() eval=ev state=state notices=notices/> }.into_any())}
        </WidgetFrame>
    }
}

/// The view of a widget that needs the held-out examples and some of the models: a loading
/// message or the error until all are in, then `inner(models, examples)` (models in the order given).
pub fn when_loaded(
    eval: LocalResource<Result<Rc<Vec<EvalRow>>, String>>,
    models: Vec<RwSignal<LmLoad, LocalStorage>>,
    inner: impl Fn(Vec<Rc<Lm>>, Rc<Vec<EvalRow>>) -> AnyView + 'static,
) -> impl Fn() -> AnyView {
    move || {
        let ev = match eval.get() {
            None => return view! { <Loading label="Loading the examples" text="Loading the held-out examples…"/> }.into_any(),
            Some(Err(e)) => return view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
            Some(Ok(rows)) => rows,
        };
        let mut ready = Vec::new();
        for m in &models {
            match m.get() {
                LmLoad::Failed(e) => return view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                LmLoad::Ready(lm) => ready.push(lm),
                LmLoad::Loading => {}
            }
        }
        if ready.len() < models.len() {
            let what = if models.len() == 1 { "the language model (2.2 MB of weights)" } else { "the base and the instruction-tuned model (2.2 MB of weights each)" };
            return view! { <Loading label="Loading the language models" text=format!("Loading {what}…")/> }.into_any();
        }
        inner(ready, ev)
    }
}

/// The variants of the table: which parts each keeps.
const VARIANTS: [(&str, [bool; 4]); 6] = [
    ("All four parts", [true; 4]),
    ("Without the instruction", [false, true, true, true]),
    ("Without the context", [true, false, true, true]),
    ("Without the input", [true, true, false, true]),
    ("Without the output indicator", [true, true, true, false]),
    ("The input alone", [false, false, true, false]),
];

#[component]
fn PromptInner(base: Rc<Lm>, tuned: Rc<Lm>, eval: Rc<Vec<EvalRow>>, state: RwSignal<PromptState>, notices: RwSignal<Vec<Notice>>) -> impl IntoView {
    let _ = notices;
    let models = StoredValue::new_local((base, tuned));
    let eval = StoredValue::new_local(eval);
    let texts = Memo::new(move |_| state.with(|s| eval.with_value(|e| Texts::of(s, e))));
    let ctx = models.with_value(|m| m.1.model.cfg.ctx);

    // URL state → the two answers (each a prefill and a dozen steps: a few milliseconds).
    let answers = Memo::new(move |_| {
        let t = texts.get();
        let on = state.with(|s| s.on);
        let p = t.prompt(on);
        models.with_value(|(b, i)| (outcome(i, &p, &t.expected), outcome(b, &p, &t.expected)))
    });

    // Tokens per part, against the context.
    let budget = move || {
        let t = texts.get();
        let on = state.with(|s| s.on);
        let parts = models.with_value(|m| t.prompt(on).parts(&m.1.tokenizer));
        let total: usize = parts.iter().map(|p| p.ids.len()).sum();
        let room = ctx - ANSWER_TOKENS;
        let over = total > room;
        let scale = (total.max(room)) as f64;
        view! {
            <div class="pb-budget">
                <div class="pb-bar" aria-hidden="true">
                    {parts.iter().map(|p| view! { <span class=format!("pb-seg pb-{}", p.name.split(' ').next().unwrap_or("x")) style=format!("width: {:.2}%", 100.0 * p.ids.len() as f64 / scale)></span> }).collect_view()}
                </div>
                <p data-testid="pb-budget">
                    {parts.iter().map(|p| format!("{} {}", p.name, fmt_int(p.ids.len()))).collect::<Vec<_>>().join(" · ")}
                    {format!(" = {} of {} tokens ({} kept free for the answer).", fmt_int(total), ctx, ANSWER_TOKENS)}
                </p>
                {over.then(|| view! { <p class="notice" role="status">{format!("The prompt is longer than the model can read: its first {} tokens are cut off (the end is kept), so an instruction at the start is lost first.", total - room)}</p> })}
            </div>
        }
    };

    let answer_card = move |who: &'static str, which: usize| {
        move || {
            let (i, b) = answers.get();
            let o = if which == 0 { i } else { b };
            let expected = texts.with(|t| t.expected.clone());
            view! {
                <section class="tok-panel pb-answer" aria-label=format!("{who}: answer")>
                    <h4>{who}</h4>
                    <p class="pb-answer-text" data-testid=format!("pb-answer-{which}")>
                        {if o.answer.trim().is_empty() { "(nothing: it ended at once)".to_string() } else { o.answer.trim().to_string() }}
                        {(!o.finished).then_some(" …")}
                    </p>
                    <p class="muted">{format!("P(this answer) = {}", pct(o.p_answer))}</p>
                    {o.p_expected.map(|p| view! { <p class="muted">{format!("P(“{}”) = {}", expected.trim(), pct(p))}</p> })}
                    {o.correct.map(|c| view! { <p class=if c { "pb-right" } else { "pb-wrong" }>{if c { "✓ matches the expected answer" } else { "✗ not the expected answer" }}</p> })}
                </section>
            }
        }
    };

    let variants = RwSignal::new(None::<(Texts, Vec<(Outcome, Outcome)>)>);
    let compare = move |_| {
        let t = texts.get_untracked();
        let rows = models.with_value(|(b, i)| VARIANTS.iter().map(|(_, on)| (outcome(i, &t.prompt(*on), &t.expected), outcome(b, &t.prompt(*on), &t.expected))).collect());
        variants.set(Some((t, rows)));
    };
    let table = move || {
        let current = texts.get();
        variants.get().filter(|(t, _)| *t == current).map(|(_, rows)| {
            view! {
                <div class="table-scroll" tabindex="0"><table class="data-table" data-testid="pb-variants">
                    <caption>"The same texts with parts left out: each model's greedy answer, and how probable each finds the expected answer"</caption>
                    <thead><tr><th scope="col">"Prompt"</th><th scope="col">"Instruction-tuned answer"</th><th scope="col">"P(expected)"</th><th scope="col">"Base model answer"</th><th scope="col">"P(expected)"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().zip(VARIANTS.iter()).map(|((i, b), (label, _))| {
                            let mark = |o: &Outcome| match o.correct { Some(true) => " ✓", Some(false) => " ✗", None => "" };
                            let pe = |o: &Outcome| o.p_expected.map(pct).unwrap_or_else(|| "—".into());
                            view! { <tr><th scope="row">{*label}</th><td>{format!("{}{}", i.answer.trim(), mark(&i))}</td><td>{pe(&i)}</td><td>{format!("{}{}", b.answer.trim(), mark(&b))}</td><td>{pe(&b)}</td></tr> }
                        }).collect_view()}
                    </tbody>
                </table></div>
            }
        })
    };

    // Editing a text turns the preset's example into the learner's own prompt.
    let edit = move |f: fn(&mut PromptState, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            state.update(|s| {
                if s.preset != Preset::Own {
                    let t = eval.with_value(|e| Texts::of(s, e));
                    s.instruction = t.instruction;
                    s.context = t.docs.join("\n\n");
                    s.input = t.input;
                    s.output = t.output;
                    s.expected = t.expected;
                    s.preset = Preset::Own;
                }
                f(s, v);
            })
        }
    };
    let part = move |k: usize, label: &'static str, hint: &'static str, rows: u32, f: fn(&mut PromptState, String), get: fn(&Texts) -> String| {
        view! {
            <div class=move || if state.with(|s| s.on[k]) { "pb-part" } else { "pb-part pb-off" }>
                <label class="check"><input type="checkbox" prop:checked=move || state.with(|s| s.on[k]) on:change=move |ev| { let c = event_target_checked(&ev); state.update(|s| s.on[k] = c) }/>
                    {format!(" Use the {label}")}</label>
                <label class="field wide"><span>{label[..1].to_uppercase() + &label[1..]}<span class="muted">{format!(" — {hint}")}</span></span>
                    <textarea rows=rows spellcheck="false" prop:value=move || texts.with(|t| get(t)) on:input=edit(f)></textarea>
                </label>
            </div>
        }
    };

    let checkpoint_answer = Callback::new(move |_| {
        // computed now: the quote preset's question with and without its documents
        let t = eval.with_value(|e| Texts::of(&PromptState::default(), e));
        let (with, without) = models.with_value(|(_, i)| (outcome(i, &t.prompt([true; 4]), &t.expected), outcome(i, &t.prompt([true, false, true, true]), &t.expected)));
        let (pw, pn) = (with.p_expected.unwrap_or(0.0), without.p_expected.unwrap_or(0.0));
        let idx = if pn < pw { 0 } else { 1 };
        Some((idx, format!("Computed just now on the quote question: with the documents the instruction-tuned model gives “{}” {} and answers “{}”; without them {} and answers “{}”. The quote is from an address the model never saw, so only the context can tell it who spoke.", t.expected, pct(pw), with.answer.trim(), pct(pn), without.answer.trim())))
    });

    view! {
        <div class="pb">
            <p class="muted">"Two models with the same weights underneath: the base model of the language-model section, and a copy fine-tuned on four-part prompts built from the same texts (tools/lm/instruct.rs). The examples are held out: neither model ever saw them. Both answer greedily (always the most probable token)."</p>
            <label class="field"><span>"Start from"</span>
                <select on:change=move |ev| { let v = event_target_value(&ev); if let Some(p) = Preset::ALL.iter().find(|p| p.key() == v) { state.update(|s| { s.preset = *p; s.on = [true; 4]; }) } }>
                    {Preset::ALL.iter().map(|p| view! { <option value=p.key() selected=move || state.with(|s| s.preset == *p)>{p.label()}</option> }).collect_view()}
                </select>
            </label>
            {part(0, "instruction", "what to do", 2, |s, v| s.instruction = v, |t| t.instruction.clone())}
            {part(1, "context", "documents to use, separated by a blank line", 6, |s, v| s.context = v, |t| t.docs.join("\n\n"))}
            {part(2, "input", "the question or the data", 2, |s, v| s.input = v, |t| t.input.clone())}
            {part(3, "output indicator", "where the answer starts; any text here is the answer's first words", 1, |s, v| s.output = v, |t| t.output.clone())}
            <label class="field wide"><span>"Expected answer"<span class="muted">" — from the data, to score the answers"</span></span>
                <input type="text" prop:value=move || texts.with(|t| t.expected.clone()) on:input=edit(|s, v| s.expected = v)/>
            </label>
            <h3>"What each part costs"</h3>
            {budget}
            <h3>"The answers"</h3>
            <div class="pb-answers">
                {answer_card("Instruction-tuned model", 0)}
                {answer_card("Base model (never saw a four-part prompt)", 1)}
            </div>
            <h3>"Prompt variants"</h3>
            <p class="muted">"Each row leaves a part out of the prompt above and asks both models again: twelve answers, computed in your browser."</p>
            <button type="button" class="btn" on:click=compare>"Compare the variants"</button>
            {table}
            <Checkpoint id="pb-cp" question="Switch off the context of the quote question (who said it?). What happens to the probability of the right answer?".to_owned()
                options=vec!["It falls".into(), "It stays about the same".into()] answer=checkpoint_answer/>
        </div>
    }
}
