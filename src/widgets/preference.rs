//! Preference tuning (the feedback step of RLHF), live: the pretrained model continues short
//! prompts; a judge — the learner, or a stated automatic rater (core `dpo::sailors_rating`) — picks
//! the better of two continuations; then DPO (core `dpo::PreferenceTuner`, no reward model) trains
//! every weight toward the picks. The margin and the KL to the original model as curves; fresh
//! samples on the same prompts and seeds before and after, rated. Every stage runs in frame-sized
//! units of work (one continuation, one pair's gradient, one pair's KL).

use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::plot::{line_chart, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use crate::widgets::lm_store::{use_lm, Lm, LmLoad};
use genai_core::gpt::dpo::{fresh_sample, sailors_rating, PairDraw, Pair, PreferenceTuner, FRESH_PROMPTS, PAIR_PROMPTS};
use genai_core::gpt::Gpt;
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "preference";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "finetune", title: "Tune the model to preferences (RLHF)", embed_height: 1300 };

/// Seed of the fresh samples that measure a model (the same as tools/lm/preference.rs).
const EVAL_SEED: u64 = 77;
const PER_PROMPT: usize = 8;

/// Who judges the pairs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Judge {
    #[default]
    Sailors,
    You,
}

impl Choice for Judge {
    const ALL: &'static [Judge] = &[Judge::Sailors, Judge::You];
    fn key(self) -> &'static str {
        match self {
            Judge::Sailors => "sailors",
            Judge::You => "you",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PreferenceState {
    pub judge: Judge,
    /// Prompts to draw pairs for (the automatic rater), or pairs to ask the learner.
    pub pairs: i64,
    pub beta: f64,
    pub lr: f64,
    pub steps: i64,
    pub seed: u64,
}

impl Default for PreferenceState {
    fn default() -> Self {
        PreferenceState { judge: Judge::Sailors, pairs: 16, beta: 0.5, lr: 3e-5, steps: 30, seed: 1 }
    }
}

impl UrlState for PreferenceState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("judge", self.judge);
        w.int("pairs", self.pairs);
        w.float("beta", self.beta);
        w.float("lr", self.lr);
        w.int("steps", self.steps);
        w.seed("seed", self.seed);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = PreferenceState::default();
        PreferenceState {
            judge: r.choice("judge", d.judge),
            pairs: r.int("pairs", 1..=32, d.pairs),
            beta: r.float("beta", 0.01..=10.0, d.beta),
            lr: r.float("lr", 1e-6..=1e-2, d.lr),
            steps: r.int("steps", 1..=300, d.steps),
            seed: r.seed("seed", d.seed),
        }
    }
}

const BETAS: [f64; 5] = [0.1, 0.2, 0.5, 1.0, 2.0];
const LRS: [f64; 6] = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 1e-2];

/// Fresh samples of one model: mean rating on the pair prompts and on the other prompts, and the
/// first sample of every prompt (to show before and after side by side).
#[derive(Clone, Debug, Default, PartialEq)]
struct Measured {
    rating: [f64; 2],
    examples: Vec<String>,
}

/// Measuring a model, one fresh continuation per unit.
struct Measure {
    model: Gpt,
    next: usize,
    sums: [i64; 2],
    examples: Vec<String>,
}

impl Measure {
    fn new(model: &Gpt) -> Measure {
        Measure { model: model.clone(), next: 0, sums: [0; 2], examples: Vec::new() }
    }
    fn total() -> usize {
        (PAIR_PROMPTS.len() + FRESH_PROMPTS.len()) * PER_PROMPT
    }
    fn unit(&mut self, lm: &Lm) -> Option<Measured> {
        let (i, k) = (self.next / PER_PROMPT, self.next % PER_PROMPT);
        let (group, prompts, j) = if i < PAIR_PROMPTS.len() { (0, PAIR_PROMPTS, i) } else { (1, FRESH_PROMPTS, i - PAIR_PROMPTS.len()) };
        let tok = &lm.tokenizer;
        let text = tok.decode(&fresh_sample(&self.model, &tok.encode(prompts[j]), tok.n_text(), EVAL_SEED, j, k));
        self.sums[group] += sailors_rating(&text);
        if k == 0 {
            self.examples.push(format!("{}{}", prompts[j], text));
        }
        self.next += 1;
        (self.next >= Self::total()).then(|| Measured {
            rating: [self.sums[0] as f64 / (PAIR_PROMPTS.len() * PER_PROMPT) as f64, self.sums[1] as f64 / (FRESH_PROMPTS.len() * PER_PROMPT) as f64],
            examples: self.examples.clone(),
        })
    }
}

/// A pair as shown: the prompt and the two continuations as text, their ratings, and the tokens.
#[derive(Clone, Debug, PartialEq)]
struct ShownPair {
    prompt: String,
    chosen: String,
    rejected: String,
    ratings: (i64, i64),
    pair: Pair,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    MeasuringBefore,
    /// The automatic rater drawing pairs.
    Drawing,
    /// Two continuations drawn for the learner, waiting for a pick.
    Asking,
    /// Drawing the learner's next two continuations.
    DrawingForYou,
    Ready,
    Training,
    /// The KL of the latest step, one pair per unit.
    Kl,
    MeasuringAfter,
    Done,
    Diverged,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Curve {
    /// step, mean loss, mean margin, pairs preferred, KL
    rows: Vec<(usize, f64, f64, usize, f64)>,
}

#[component]
pub fn PreferenceWidget() -> impl IntoView {
    let url = use_url_state::<PreferenceState>();
    let base = use_lm();
    let state = url.state;
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {move || match base.get() {
                LmLoad::Loading => view! { <Loading label="Loading the language model" text="Loading the language model (2.2 MB of weights)…"/> }.into_any(),
                LmLoad::Failed(e) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                LmLoad::Ready(lm) => view! { <PreferenceInner lm=lm state=state/> }.into_any(),
            }}
        </WidgetFrame>
    }
}

#[component]
fn PreferenceInner(lm: Rc<Lm>, state: RwSignal<PreferenceState>) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let lm = StoredValue::new_local(lm);
    let phase = RwSignal::new(Phase::MeasuringBefore);
    let measure = StoredValue::new_local(Some(lm.with_value(|l| Measure::new(&l.model))));
    let before = RwSignal::new(None::<Measured>);
    let after = RwSignal::new(None::<Measured>);
    let draw = StoredValue::new_local(None::<PairDraw>);
    let pairs = RwSignal::new(Vec::<ShownPair>::new());
    // the learner's current question: the prompt index and two continuations
    let asking = RwSignal::new(None::<(usize, Vec<u32>, Vec<u32>)>);
    let asked = StoredValue::new(0usize);
    let tuner = StoredValue::new_local(None::<PreferenceTuner>);
    let kl_acc = StoredValue::new((0usize, 0.0f64));
    let curve = RwSignal::new(Curve::default());
    let error = RwSignal::new(None::<String>);
    let timing = RwSignal::new((0.0f64, 0.0f64)); // seconds of training, longest frame ms
    let started = StoredValue::new(0.0f64);
    let anim_pause = StoredValue::new_local(Box::new(|| {}) as Box<dyn Fn()>);

    let shown = move |k: usize, p: Pair, rc: i64, rr: i64| {
        lm.with_value(|l| ShownPair { prompt: PAIR_PROMPTS[k].to_string(), chosen: l.tokenizer.decode(&p.chosen), rejected: l.tokenizer.decode(&p.rejected), ratings: (rc, rr), pair: p })
    };
    // what comes after measuring the shipped model, or after a change of judge or pairs
    let start_drawing = move || {
        let s = state.get_untracked();
        pairs.set(Vec::new());
        asking.set(None);
        asked.set_value(0);
        match s.judge {
            Judge::Sailors => {
                let prompts = lm.with_value(|l| PAIR_PROMPTS.iter().map(|p| l.tokenizer.encode(p)).collect());
                draw.set_value(Some(PairDraw::new(prompts, s.pairs as usize, s.seed)));
                phase.set(Phase::Drawing);
            }
            Judge::You => {
                draw.set_value(None);
                phase.set(Phase::DrawingForYou);
            }
        }
    };
    let rng_you = StoredValue::new_local(genai_core::rng::Rng::new(state.get_untracked().seed));

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        let t0 = now_ms();
        match phase.get_untracked() {
            Phase::MeasuringBefore | Phase::MeasuringAfter => {
                let mut out = None;
                measure.update_value(|m| {
                    if let Some(m) = m {
                        lm.with_value(|l| {
                            f.repeat(|| {
                                out = m.unit(l);
                                out.is_none()
                            });
                        });
                    }
                });
                if let Some(res) = out {
                    measure.set_value(None);
                    if phase.get_untracked() == Phase::MeasuringBefore {
                        before.set(Some(res));
                        start_drawing();
                    } else {
                        after.set(Some(res));
                        phase.set(Phase::Done);
                        anim_pause.with_value(|p| p());
                    }
                }
            }
            Phase::Drawing => {
                let mut done = false;
                draw.update_value(|d| {
                    if let Some(d) = d {
                        lm.with_value(|l| {
                            f.repeat(|| {
                                done = d.unit(&l.model, l.tokenizer.n_text(), |ids| sailors_rating(&l.tokenizer.decode(ids)));
                                !done
                            });
                        });
                    }
                });
                if done {
                    let got: Vec<ShownPair> = draw.with_value(|d| d.as_ref().map(|d| d.pairs.iter().map(|(k, p, a, b)| shown(*k, p.clone(), *a, *b)).collect()).unwrap_or_default());
                    pairs.set(got);
                    phase.set(Phase::Ready);
                    anim_pause.with_value(|p| p());
                }
            }
            Phase::DrawingForYou => {
                // two continuations of the next prompt, with the learner's own generator
                let k = asked.get_value() % PAIR_PROMPTS.len();
                let (a, b) = lm.with_value(|l| {
                    let prompt = l.tokenizer.encode(PAIR_PROMPTS[k]);
                    let mut a = Vec::new();
                    let mut b = Vec::new();
                    rng_you.update_value(|r| {
                        a = genai_core::gpt::sample_continuation(&l.model, &prompt, genai_core::gpt::dpo::ANSWER_TOKENS, l.tokenizer.n_text(), genai_core::gpt::dpo::TEMPERATURE, r);
                        b = genai_core::gpt::sample_continuation(&l.model, &prompt, genai_core::gpt::dpo::ANSWER_TOKENS, l.tokenizer.n_text(), genai_core::gpt::dpo::TEMPERATURE, r);
                    });
                    (a, b)
                });
                asking.set(Some((k, a, b)));
                phase.set(Phase::Asking);
                anim_pause.with_value(|p| p());
            }
            Phase::Training => {
                let target = state.get_untracked().steps.max(1) as usize;
                let mut stepped = false;
                let mut bad = false;
                tuner.update_value(|t| {
                    if let Some(t) = t {
                        f.repeat(|| {
                            stepped = t.unit();
                            if stepped {
                                bad = !t.last.is_some_and(|l| l.loss.is_finite()) || !t.model.is_finite();
                            }
                            !stepped
                        });
                    }
                });
                if bad {
                    phase.set(Phase::Diverged);
                    anim_pause.with_value(|p| p());
                    let step = tuner.with_value(|t| t.as_ref().map_or(0, |t| t.steps));
                    error.set(Some(format!("Training diverged at step {step}: the loss or a weight is no longer a finite number. Lower the learning rate, then Reset and tune again.")));
                } else if stepped {
                    kl_acc.set_value((0, 0.0));
                    phase.set(Phase::Kl);
                    let _ = target;
                }
            }
            Phase::Kl => {
                let mut finished = None;
                tuner.with_value(|t| {
                    if let Some(t) = t {
                        f.repeat(|| {
                            let (i, sum) = kl_acc.get_value();
                            let sum = sum + t.kl_of(i);
                            kl_acc.set_value((i + 1, sum));
                            if i + 1 == t.pairs.len() {
                                let l = t.last.unwrap_or_default();
                                finished = Some((t.steps, l.loss, l.margin, l.preferred, sum / t.pairs.len() as f64));
                                return false;
                            }
                            true
                        });
                    }
                });
                if let Some(row) = finished {
                    curve.update(|c| c.rows.push(row));
                    if row.0 >= state.get_untracked().steps.max(1) as usize {
                        let m = tuner.with_value(|t| t.as_ref().map(|t| Measure::new(&t.model)));
                        measure.set_value(m);
                        phase.set(Phase::MeasuringAfter);
                    } else {
                        phase.set(Phase::Training);
                    }
                }
            }
            Phase::Asking | Phase::Ready | Phase::Done | Phase::Diverged => return,
        }
        let frame = now_ms() - t0;
        if matches!(phase.get_untracked(), Phase::Training | Phase::Kl | Phase::MeasuringAfter) {
            timing.update(|t| *t = ((now_ms() - started.get_value()) / 1000.0, t.1.max(frame)));
        }
    });
    anim_pause.set_value(Box::new(move || anim.pause()));
    anim.play();

    // a new judge, number of pairs or seed: new pairs (once the shipped model is measured)
    Effect::new(move |prev: Option<(Judge, i64, u64)>| {
        let s = state.get();
        let key = (s.judge, s.pairs, s.seed);
        if prev.is_some_and(|p| p != key) && before.get_untracked().is_some() && !matches!(phase.get_untracked(), Phase::Training | Phase::Kl | Phase::MeasuringAfter) {
            rng_you.set_value(genai_core::rng::Rng::new(s.seed));
            tuner.set_value(None);
            after.set(None);
            curve.set(Curve::default());
            start_drawing();
            anim.play();
        }
        key
    });

    let pick = move |better_first: Option<bool>| {
        let Some((k, a, b)) = asking.get_untracked() else { return };
        if let Some(first) = better_first {
            let (c, r) = if first { (a, b) } else { (b, a) };
            if c == r {
                error.set(Some("The two continuations are the same text: there is nothing to prefer. Skip this pair.".into()));
                return;
            }
            let (rc, rr) = lm.with_value(|l| (sailors_rating(&l.tokenizer.decode(&c)), sailors_rating(&l.tokenizer.decode(&r))));
            let prompt = lm.with_value(|l| l.tokenizer.encode(PAIR_PROMPTS[k]));
            let sp = shown(k, Pair { prompt, chosen: c, rejected: r }, rc, rr);
            pairs.update(|p| p.push(sp));
            asked.update_value(|n| *n += 1);
        }
        error.set(None);
        if pairs.with_untracked(|p| p.len()) >= state.get_untracked().pairs as usize {
            asking.set(None);
            phase.set(Phase::Ready);
        } else {
            if better_first.is_none() {
                asked.update_value(|n| *n += 1);
            }
            phase.set(Phase::DrawingForYou);
            anim.play();
        }
    };

    let tune = move |_| {
        let s = state.get_untracked();
        let ps: Vec<Pair> = pairs.with_untracked(|p| p.iter().map(|p| p.pair.clone()).collect());
        let made = lm.with_value(|l| PreferenceTuner::new(&l.model, ps, s.beta, s.lr as f32));
        match made {
            Ok(t) => {
                tuner.set_value(Some(t));
                asking.set(None);
                error.set(None);
                after.set(None);
                curve.set(Curve { rows: vec![(0, 2f64.ln(), 0.0, 0, 0.0)] });
                timing.set((0.0, 0.0));
                started.set_value(now_ms());
                phase.set(Phase::Training);
                anim.play();
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let reset = move |_| {
        anim.pause();
        tuner.set_value(None);
        after.set(None);
        curve.set(Curve::default());
        error.set(None);
        timing.set((0.0, 0.0));
        if before.get_untracked().is_none() {
            phase.set(Phase::MeasuringBefore);
            anim.play();
        } else if pairs.with_untracked(|p| p.is_empty()) || matches!(phase.get_untracked(), Phase::Drawing | Phase::DrawingForYou) {
            start_drawing();
            anim.play();
        } else {
            phase.set(Phase::Ready);
        }
    };

    let busy = move || matches!(phase.get(), Phase::MeasuringBefore | Phase::Drawing | Phase::Training | Phase::Kl | Phase::MeasuringAfter);
    let controls = move || {
        let s = state.get();
        let b = busy();
        let opts = |list: &[f64], v: f64| {
            let mut o = list.to_vec();
            if !o.iter().any(|x| (x - v).abs() < 1e-12) {
                o.push(v);
            }
            o.into_iter().map(|x| view! { <option value=x.to_string() selected=(x - v).abs() < 1e-12>{format!("{x}")}</option> }).collect_view()
        };
        view! {
            <div class="controls-row">
                <fieldset class="field">
                    <legend>"Who judges"</legend>
                    <label class="check"><input type="radio" name="pref-judge" prop:checked=s.judge == Judge::Sailors prop:disabled=b on:change=move |_| state.update(|st| st.judge = Judge::Sailors)/>" An automatic rater: the sailors"</label>
                    <label class="check"><input type="radio" name="pref-judge" prop:checked=s.judge == Judge::You prop:disabled=b on:change=move |_| state.update(|st| st.judge = Judge::You)/>" You pick"</label>
                </fieldset>
                <label class="field"><span>{if s.judge == Judge::You { "Pairs to judge" } else { "Prompts to draw pairs for" }}</span>
                    <input type="number" min="1" max="32" prop:value=s.pairs.to_string() prop:disabled=b
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|st| st.pairs = v.clamp(1, 32)) } }/>
                </label>
                <label class="field"><span>"β (how near the original the model must stay; higher = nearer)"</span>
                    <select prop:disabled=b on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|st| st.beta = v) } }>{opts(&BETAS, s.beta)}</select>
                </label>
                <label class="field"><span>"Learning rate"</span>
                    <select prop:disabled=b on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|st| st.lr = v) } }>{opts(&LRS, s.lr)}</select>
                </label>
                <label class="field"><span>"DPO steps"</span>
                    <input type="number" min="1" max="300" prop:value=s.steps.to_string() prop:disabled=b
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|st| st.steps = v.clamp(1, 300)) } }/>
                </label>
            </div>
        }
    };

    let ask = move || {
        let (k, a, b) = asking.get()?;
        let (ta, tb) = lm.with_value(|l| (l.tokenizer.decode(&a), l.tokenizer.decode(&b)));
        let done = pairs.with(|p| p.len());
        let want = state.with(|s| s.pairs);
        Some(view! {
            <div class="pref-ask" role="group" aria-label="Which continuation is better?">
                <p><strong>{format!("Pair {} of {want}: which continuation of “{}” is better?", done + 1, PAIR_PROMPTS[k])}</strong></p>
                <div class="pref-choices">
                    <blockquote data-testid="pref-a"><span class="muted">"A: "</span>{PAIR_PROMPTS[k]}<mark>{ta}</mark></blockquote>
                    <blockquote data-testid="pref-b"><span class="muted">"B: "</span>{PAIR_PROMPTS[k]}<mark>{tb}</mark></blockquote>
                </div>
                <div class="controls-row">
                    <button type="button" class="btn" on:click=move |_| pick(Some(true))>"A is better"</button>
                    <button type="button" class="btn" on:click=move |_| pick(Some(false))>"B is better"</button>
                    <button type="button" class="btn" on:click=move |_| pick(None)>"Skip this pair"</button>
                    <button type="button" class="btn" prop:disabled=done == 0 on:click=move |_| { asking.set(None); phase.set(Phase::Ready); }>{format!("Stop asking: use my {done} picks")}</button>
                </div>
            </div>
        })
    };

    let status = move || {
        let p = phase.get();
        let n = pairs.with(|p| p.len());
        let (secs, longest) = timing.get();
        let last = curve.with(|c| c.rows.last().copied());
        let target = state.with(|s| s.steps);
        let text = match p {
            Phase::MeasuringBefore => "Measuring the shipped model: 128 fresh continuations…".to_string(),
            Phase::Drawing => "The rater is drawing and judging continuations…".to_string(),
            Phase::Asking | Phase::DrawingForYou => format!("{n} pairs judged so far."),
            Phase::Ready => format!("{n} pairs ready. Press “Tune toward the picks”."),
            Phase::Training | Phase::Kl => format!("DPO step {} of {target} · {secs:.1} s · longest frame {longest:.0} ms", last.map_or(0, |r| r.0)),
            Phase::MeasuringAfter => format!("{target} steps in {secs:.1} s · measuring the tuned model…"),
            Phase::Done => format!("{target} DPO steps on {n} pairs in {secs:.1} s (longest frame {longest:.0} ms)."),
            Phase::Diverged => "Training stopped: it diverged.".to_string(),
        };
        let step = last.map_or(0, |r| r.0);
        let show_bar = matches!(p, Phase::Training | Phase::Kl | Phase::MeasuringAfter | Phase::Done | Phase::Diverged);
        view! {
            <p role="status" data-testid="pref-status">{text}</p>
            {show_bar.then(|| view! { <progress max=target.to_string() value=step.to_string() aria-label="Preference tuning progress"></progress> })}
        }
    };

    let chart = move |which: usize| {
        move |area: &Area, ctx: &PlotCtx| {
            curve.with(|c| {
                let pts: Vec<(f64, f64)> = c.rows.iter().map(|r| (r.0 as f64, if which == 0 { r.2 } else { r.4 })).collect();
                let x_max = pts.last().map_or(1.0, |p| p.0).max(state.get_untracked().steps as f64);
                let hi = pts.iter().map(|p| p.1).filter(|v| v.is_finite()).fold(if which == 0 { 1.0 } else { 0.05 }, f64::max) * 1.1;
                line_chart(area, ctx, "DPO step", if which == 0 { "margin m" } else { "KL (nats/token)" }, x_max, 0.0..hi, &[Line { points: &pts, color: ctx.palette.series[which] }]);
            })
        }
    };

    let results = move || {
        let b = before.get()?;
        let a = after.get();
        let f = |v: f64| format!("{v:+.2}");
        Some(view! {
            <div class="table-scroll" tabindex="0">
                <table class="data-table" data-testid="pref-results">
                    <caption>"The sailors' rating of fresh continuations (8 per prompt, the same seeds before and after): +1 per word of the sea, −1 per word of government, mean per continuation"</caption>
                    <thead><tr><th scope="col">"Prompts"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>
                        <tr><th scope="row">"The prompts the pairs came from"</th><td>{f(b.rating[0])}</td><td>{a.as_ref().map(|a| f(a.rating[0])).unwrap_or_else(|| "—".into())}</td></tr>
                        <tr><th scope="row">"Prompts never used in a pair"</th><td>{f(b.rating[1])}</td><td>{a.as_ref().map(|a| f(a.rating[1])).unwrap_or_else(|| "—".into())}</td></tr>
                    </tbody>
                </table>
            </div>
            <details>
                <summary>"The same prompt and seed, before and after"</summary>
                <div class="table-scroll" tabindex="0">
                    <table class="data-table">
                        <caption>"The first fresh continuation of every prompt"</caption>
                        <thead><tr><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                        <tbody>
                            {b.examples.iter().enumerate().map(|(i, e)| view! { <tr><td>{e.clone()}</td><td>{a.as_ref().and_then(|a| a.examples.get(i).cloned()).unwrap_or_else(|| "—".into())}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        })
    };

    let pair_table = move || {
        let ps = pairs.get();
        (!ps.is_empty()).then(|| view! {
            <details>
                <summary>{format!("The {} pairs (preferred and rejected)", ps.len())}</summary>
                <div class="table-scroll" tabindex="0">
                    <table class="data-table" data-testid="pref-pairs">
                        <caption>"Each pair: the prompt, the preferred continuation and the rejected one, with the sailors' rating of each"</caption>
                        <thead><tr><th scope="col">"Prompt"</th><th scope="col">"Preferred"</th><th scope="col">"Rejected"</th></tr></thead>
                        <tbody>
                            {ps.into_iter().map(|p| view! { <tr><td>{p.prompt}</td><td>{format!("{} ({:+})", p.chosen, p.ratings.0)}</td><td>{format!("{} ({:+})", p.rejected, p.ratings.1)}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        })
    };

    let margin_label = Signal::derive(move || curve.with(|c| format!("Chart: the mean DPO margin over {} steps, latest {:.2}", c.rows.len().saturating_sub(1), c.rows.last().map_or(0.0, |r| r.2))));
    let kl_label = Signal::derive(move || curve.with(|c| format!("Chart: the mean per-token KL to the original model, latest {:.4}", c.rows.last().map_or(0.0, |r| r.4))));
    let curve_table = move || view! {
        <table class="data-table" data-testid="pref-curve">
            <caption>"Every DPO step: the mean loss, the mean margin, pairs with a positive margin, the KL to the original"</caption>
            <thead><tr><th scope="col">"Step"</th><th scope="col">"Loss"</th><th scope="col">"Margin"</th><th scope="col">"Pairs preferred"</th><th scope="col">"KL"</th></tr></thead>
            <tbody>{move || curve.with(|c| c.rows.iter().map(|r| view! { <tr><td>{r.0}</td><td>{format!("{:.4}", r.1)}</td><td>{format!("{:.3}", r.2)}</td><td>{r.3}</td><td>{format!("{:.4}", r.4)}</td></tr> }).collect_view())}</tbody>
        </table>
    };

    view! {
        <div class="preference" node_ref=root>
            <p class="muted">
                "The pretrained model continues short prompts. A judge prefers one of two continuations; DPO then trains every weight so that the preferred continuation becomes more likely than the rejected one, relative to the original model. "
                "The automatic rater is a stand-in for a crowd, stated in full: the sailors add 1 for every word of the sea (sea, ship, whale, water, …) and take 1 for every word of government (government, congress, states, people, …); of four continuations they prefer the best-rated to the worst-rated. Pick yourself to judge by your own taste."
            </p>
            {controls}
            {ask}
            <div class="controls-row">
                <button type="button" class="btn btn-primary" on:click=tune prop:disabled=move || !matches!(phase.get(), Phase::Ready | Phase::Done | Phase::Asking) || pairs.with(|p| p.is_empty())>"Tune toward the picks"</button>
                <button type="button" class="btn" on:click=move |_| { anim.pause(); phase.set(Phase::Ready); } prop:disabled=move || !matches!(phase.get(), Phase::Training | Phase::Kl)>"Stop"</button>
                <button type="button" class="btn" on:click=reset>"Reset to the shipped model"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error-panel" role="alert">{e}</p> })}
            {status}
            {pair_table}
            <div class="pref-charts">
                <figure>
                    <PlotCanvas label=margin_label aspect=0.6 draw=chart(0) alt_title="Show the steps as a table">{curve_table}</PlotCanvas>
                    <figcaption>"Margin m = β·(gain of the preferred − gain of the rejected), gains in log-likelihood against the original"</figcaption>
                </figure>
                <figure>
                    <PlotCanvas label=kl_label aspect=0.6 draw=chart(1) alt_title="Show the steps as a table">{curve_table}</PlotCanvas>
                    <figcaption>"KL to the original model, per token, over the pairs' continuations"</figcaption>
                </figure>
            </div>
            {results}
        </div>
    }
}
