//! Continued pre-training on one domain, live: the pretrained model goes on learning to predict the
//! next token, on one narrow text only (Moby Dick, one era's State of the Union addresses, or the
//! learner's own text). The loss on that domain's held-out end and on the other corpus (forgetting)
//! as curves, samples before and after on the same prompt and seed, and how far each weight matrix
//! moved. The trainer is core `gpt::finetune::Tuner` over `text_windows` (every token a target).

use crate::shell::anim::{now_ms, use_animation_loop, FrameInfo, LoopOptions, AS_FAST_AS_POSSIBLE};
use crate::shell::assets;
use crate::shell::plot::{line_chart, Area, Line, PlotCanvas, PlotCtx};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use crate::widgets::lm::fmt_int;
use crate::widgets::lm_store::{use_lm, Lm, LmLoad};
use crate::widgets::lm_train::tokenize_sliced;
use genai_core::gpt::finetune::{change_per_matrix, mean_loss, relative_change, text_windows, Method as TuneMethod, Tuner};
use genai_core::gpt::{sample_continuation, Gpt, Workspace};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "domain";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "finetune", title: "Continued pre-training on one domain", embed_height: 1250 };

/// Tokens per training window, windows per optimiser step.
const WINDOW: usize = 64;
const BATCH: usize = 8;
/// Held-out windows per corpus, and how often (in steps) they are scored.
const EVAL_WINDOWS: usize = 8;
const EVAL_EVERY: usize = 10;
const SAMPLE_TOKENS: usize = 40;
const TEMPERATURE: f32 = 0.8;
/// Bytes of the other corpus's end that are tokenized for its held-out windows.
const OTHER_BYTES: usize = 40_000;
/// Pasted text longer than this is not written into the link.
const URL_TEXT_MAX: usize = 2000;
/// Fewest tokens of pasted text: a held-out part of at least one window, and some to train on.
const MIN_TOKENS: usize = 10 * (WINDOW + 1);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Domain {
    #[default]
    Moby,
    Early,
    Modern,
    Own,
}

impl Choice for Domain {
    const ALL: &'static [Domain] = &[Domain::Moby, Domain::Early, Domain::Modern, Domain::Own];
    fn key(self) -> &'static str {
        match self {
            Domain::Moby => "moby",
            Domain::Early => "early",
            Domain::Modern => "modern",
            Domain::Own => "own",
        }
    }
}

impl Domain {
    fn title(self) -> &'static str {
        match self {
            Domain::Moby => "Moby Dick only",
            Domain::Early => "Addresses 1790–1900 only",
            Domain::Modern => "Addresses since 1901 only",
            Domain::Own => "Your own text",
        }
    }
    fn prompt(self) -> &'static str {
        match self {
            Domain::Moby => "The whale",
            Domain::Early | Domain::Modern => "The people of",
            Domain::Own => "",
        }
    }
    fn other(self) -> &'static str {
        match self {
            Domain::Moby => "the addresses",
            _ => "Moby Dick",
        }
    }
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
pub struct DomainState {
    pub domain: Domain,
    pub text: String,
    pub method: Method,
    pub lr: f64,
    pub steps: i64,
    pub seed: u64,
}

impl Default for DomainState {
    fn default() -> Self {
        DomainState { domain: Domain::Moby, text: String::new(), method: Method::Full, lr: 1e-3, steps: 60, seed: 1 }
    }
}

impl UrlState for DomainState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("domain", self.domain);
        if self.domain == Domain::Own && !self.text.is_empty() && self.text.chars().count() <= URL_TEXT_MAX {
            w.text("text", &self.text);
        }
        w.choice("method", self.method);
        w.float("lr", self.lr);
        w.int("steps", self.steps);
        w.seed("seed", self.seed);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = DomainState::default();
        DomainState {
            domain: r.choice("domain", d.domain),
            text: r.text("text", URL_TEXT_MAX, ""),
            method: r.choice("method", d.method),
            lr: r.float("lr", 1e-5..=1.0, d.lr),
            steps: r.int("steps", 1..=1000, d.steps),
            seed: r.seed("seed", d.seed),
        }
    }
}

const LRS: [f64; 6] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 1e-1];

/// A domain's tokens, split for training and held-out scoring, and the other corpus's held-out end.
struct Data {
    train: Vec<u32>,
    held: Vec<u32>,
    other: Vec<u32>,
    prompt: Vec<u32>,
    domain: Domain,
    n_tokens: usize,
}

fn starts(n: usize) -> Vec<usize> {
    if n < WINDOW + 1 {
        return Vec::new();
    }
    let room = n - WINDOW - 1;
    let mut s: Vec<usize> = (0..EVAL_WINDOWS).map(|k| k * room / (EVAL_WINDOWS - 1)).collect();
    s.dedup();
    s
}

/// The text of a domain: Moby Dick whole, or the openings of the addresses of an era.
async fn domain_text(d: Domain, own: &str) -> Result<String, String> {
    match d {
        Domain::Moby => assets::fetch_text("tokens/moby-dick.txt").await,
        Domain::Own => Ok(own.to_string()),
        Domain::Early | Domain::Modern => {
            let meta = assets::fetch_text("lm/sotu-meta.json").await?;
            let text = assets::fetch_text("lm/sotu-excerpts.txt").await?;
            let years: Vec<i64> = meta.split("\"year\":").skip(1).filter_map(|s| s.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()).collect();
            let parts: Vec<&str> = text.split('\u{1e}').collect();
            if years.len() != parts.len() {
                return Err(format!("The addresses are damaged ({} years for {} texts). Reload the page; if it persists, the site's copy is broken.", years.len(), parts.len()));
            }
            let keep = |y: i64| if d == Domain::Early { y <= 1900 } else { y > 1900 };
            Ok(years.iter().zip(parts).filter(|(y, _)| keep(**y)).map(|(_, t)| t.trim()).collect::<Vec<_>>().join("\n\n"))
        }
    }
}

/// Measured at one step: domain and other held-out loss.
type Point = (usize, f64, f64);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Loading,
    Idle,
    Training,
    /// Scoring held-out windows: (next window over both corpora).
    Scoring(usize),
    Done,
    Diverged,
}

#[component]
pub fn DomainWidget() -> impl IntoView {
    let url = use_url_state::<DomainState>();
    let base = use_lm();
    let state = url.state;
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {move || match base.get() {
                LmLoad::Loading => view! { <Loading label="Loading the language model" text="Loading the language model (2.2 MB of weights)…"/> }.into_any(),
                LmLoad::Failed(e) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                LmLoad::Ready(lm) => view! { <DomainInner lm=lm state=state/> }.into_any(),
            }}
        </WidgetFrame>
    }
}

#[component]
fn DomainInner(lm: Rc<Lm>, state: RwSignal<DomainState>) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let lm = StoredValue::new_local(lm);
    let data = StoredValue::new_local(None::<Rc<Data>>);
    let load_msg = RwSignal::new(Some("Loading the domain's text…".to_string()));
    let problem = RwSignal::new(None::<String>);
    let phase = RwSignal::new(Phase::Loading);
    let tuner = StoredValue::new_local(None::<Tuner>);
    let ws = StoredValue::new_local(Workspace::new());
    let acc = StoredValue::new([0.0f64; 2]);
    let curve = RwSignal::new(Vec::<Point>::new());
    let changes = RwSignal::new((Vec::<(String, f64)>::new(), 0.0f64));
    let samples = RwSignal::new((None::<String>, None::<String>));
    let timing = RwSignal::new((0.0f64, 0.0f64, 0usize)); // seconds, longest frame, tokens trained
    let started = StoredValue::new(0.0f64);
    let draft = RwSignal::new(state.get_untracked().text.clone());
    let job = StoredValue::new(0u64);
    let anim_pause = StoredValue::new_local(Box::new(|| {}) as Box<dyn Fn()>);
    let anim_start = StoredValue::new_local(Box::new(|| {}) as Box<dyn Fn()>);

    let sample = move |model: &Gpt| -> Option<String> {
        let d = data.get_value()?;
        let s = state.get_untracked();
        lm.with_value(|l| {
            let mut rng = Rng::new(s.seed ^ 0x5a3f);
            let ids = sample_continuation(model, &d.prompt, SAMPLE_TOKENS, l.tokenizer.n_text(), TEMPERATURE, &mut rng);
            let mut all = d.prompt.clone();
            all.extend(ids);
            Some(l.tokenizer.decode(&all))
        })
    };

    // (re)load the domain when it or the pasted text changes
    Effect::new(move |_| {
        let s = state.get();
        let (domain, text) = (s.domain, s.text.clone());
        job.update_value(|j| *j += 1);
        let mine = job.get_value();
        anim_pause.with_value(|p| p());
        tuner.set_value(None);
        data.set_value(None);
        curve.set(Vec::new());
        changes.set((Vec::new(), 0.0));
        samples.set((None, None));
        problem.set(None);
        phase.set(Phase::Loading);
        if domain == Domain::Own && text.trim().is_empty() {
            load_msg.set(None);
            problem.set(Some("There is no text to train on yet. Paste a text (several paragraphs at least) and press “Use this text”.".into()));
            return;
        }
        load_msg.set(Some(format!("Loading {}…", domain.title())));
        leptos::task::spawn_local(async move {
            let alive = move || job.try_get_value() == Some(mine);
            let text = match domain_text(domain, &text).await {
                Ok(t) => t,
                Err(e) => {
                    if alive() {
                        load_msg.set(None);
                        problem.set(Some(e));
                    }
                    return;
                }
            };
            let other_text = match assets::fetch_text(if domain == Domain::Moby { "lm/sotu-excerpts.txt" } else { "tokens/moby-dick.txt" }).await {
                Ok(t) => t,
                Err(e) => {
                    if alive() {
                        load_msg.set(None);
                        problem.set(Some(e));
                    }
                    return;
                }
            };
            let tok = lm.with_value(|l| l.tokenizer.clone());
            let size = if text.len() >= 100_000 { format!("{:.1} MB", text.len() as f64 / 1e6) } else { format!("{} characters", fmt_int(text.chars().count())) };
            let progress = move |pct: usize| {
                let _ = load_msg.try_set(Some(format!("Tokenizing {} ({size})… {pct} %", domain.title())));
            };
            let Some(ids) = tokenize_sliced(&tok, &text, progress, alive).await else { return };
            if ids.len() < MIN_TOKENS {
                load_msg.set(None);
                problem.set(Some(format!("The text is {} tokens long; continued pre-training here needs at least {MIN_TOKENS} (ten windows of {WINDOW}, one of them held out). Paste a longer text.", ids.len())));
                return;
            }
            let mut cut = other_text.len().saturating_sub(OTHER_BYTES);
            while !other_text.is_char_boundary(cut) {
                cut += 1;
            }
            let other = tok.encode(&other_text[cut..]);
            let split = ids.len() - (ids.len() / 10).max(WINDOW + 1);
            let prompt = if domain == Domain::Own { ids[..3].to_vec() } else { tok.encode(domain.prompt()) };
            let d = Rc::new(Data { train: ids[..split].to_vec(), held: ids[split..].to_vec(), other, prompt, domain, n_tokens: ids.len() });
            if !alive() {
                return;
            }
            data.set_value(Some(d));
            load_msg.set(None);
            let before = lm.with_value(|l| l.model.clone());
            samples.set((sample(&before), None));
            acc.set_value([0.0; 2]);
            phase.set(Phase::Scoring(0));
            anim_start.with_value(|s| s());
        });
    });

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        let t0 = now_ms();
        let Some(d) = data.get_value() else { return };
        match phase.get_untracked() {
            Phase::Scoring(_) => {
                let mut done = false;
                let model = tuner.with_value(|t| t.as_ref().map(|t| t.model.clone())).unwrap_or_else(|| lm.with_value(|l| l.model.clone()));
                let (hs, os) = (starts(d.held.len()), starts(d.other.len()));
                f.repeat(|| {
                    let Phase::Scoring(i) = phase.get_untracked() else { return false };
                    let (ids, s, which, n) = if i < hs.len() { (&d.held, hs[i], 0, hs.len()) } else { (&d.other, os[i - hs.len()], 1, os.len()) };
                    let mut l = f64::NAN;
                    ws.update_value(|w| l = mean_loss(w, &model, ids, &[s], WINDOW).unwrap_or(f64::NAN));
                    acc.update_value(|a| a[which] += l / n as f64);
                    if i + 1 < hs.len() + os.len() {
                        phase.set(Phase::Scoring(i + 1));
                        true
                    } else {
                        done = true;
                        false
                    }
                });
                if done {
                    let a = acc.get_value();
                    acc.set_value([0.0; 2]);
                    let step = tuner.with_value(|t| t.as_ref().map_or(0, |t| t.steps));
                    curve.update(|c| c.push((step, a[0], a[1])));
                    let target = state.get_untracked().steps.max(1) as usize;
                    if step == 0 && tuner.with_value(|t| t.is_none()) {
                        phase.set(Phase::Idle);
                        anim_pause.with_value(|p| p());
                    } else if step >= target {
                        samples.update(|s| s.1 = sample(&model));
                        phase.set(Phase::Done);
                        anim_pause.with_value(|p| p());
                    } else {
                        phase.set(Phase::Training);
                    }
                    tuner.with_value(|t| {
                        if let Some(t) = t {
                            changes.set((change_per_matrix(&t.base, &t.model), relative_change(&t.base.params, &t.model.params)));
                        }
                    });
                }
            }
            Phase::Training => {
                let mut stepped = false;
                let mut bad = false;
                tuner.update_value(|t| {
                    if let Some(t) = t {
                        f.repeat(|| {
                            stepped = t.unit();
                            if stepped {
                                bad = !t.last_loss.is_some_and(|l| l.is_finite() && l < 3.0 * (t.model.cfg.vocab as f64).ln()) || !t.model.is_finite();
                            }
                            !stepped
                        });
                    }
                });
                if bad {
                    phase.set(Phase::Diverged);
                    anim_pause.with_value(|p| p());
                    let (step, loss) = tuner.with_value(|t| t.as_ref().map_or((0, None), |t| (t.steps, t.last_loss)));
                    problem.set(Some(format!(
                        "Training diverged at step {step} (training loss {}): the learning rate is too high for these weights. Training is paused; Reset returns to the shipped model — then lower the learning rate.",
                        loss.map_or("not a number".into(), |l| format!("{l:.1}"))
                    )));
                } else if stepped {
                    let (steps, target) = (tuner.with_value(|t| t.as_ref().map_or(0, |t| t.steps)), state.get_untracked().steps.max(1) as usize);
                    if steps % EVAL_EVERY == 0 || steps >= target {
                        phase.set(Phase::Scoring(0));
                    }
                }
            }
            Phase::Loading | Phase::Idle | Phase::Done | Phase::Diverged => return,
        }
        let frame = now_ms() - t0;
        if tuner.with_value(|t| t.is_some()) {
            let tokens = tuner.with_value(|t| t.as_ref().map_or(0, |t| t.steps * BATCH * WINDOW));
            timing.update(|t| *t = ((now_ms() - started.get_value()) / 1000.0, t.1.max(frame), tokens));
        }
    });
    anim_pause.set_value(Box::new(move || anim.pause()));
    anim_start.set_value(Box::new(move || anim.play()));

    let start = move |_| {
        let Some(d) = data.get_value() else { return };
        let s = state.get_untracked();
        let method = match s.method {
            Method::Full => TuneMethod::Full,
            Method::Lora => TuneMethod::Lora(8),
        };
        let windows = text_windows(&d.train, WINDOW, s.seed);
        match lm.with_value(|l| Tuner::new(&l.model, method, &windows, BATCH, s.lr as f32, s.seed)) {
            Ok(t) => {
                tuner.set_value(Some(t));
                problem.set(None);
                curve.update(|c| c.truncate(1));
                changes.set((Vec::new(), 0.0));
                samples.update(|s| s.1 = None);
                timing.set((0.0, 0.0, 0));
                started.set_value(now_ms());
                phase.set(Phase::Training);
                anim.play();
            }
            Err(e) => problem.set(Some(e)),
        }
    };
    let stop = move |_| {
        anim.pause();
        let model = tuner.with_value(|t| t.as_ref().map(|t| t.model.clone()));
        if let Some(m) = model {
            samples.update(|s| s.1 = sample(&m));
            tuner.with_value(|t| {
                if let Some(t) = t {
                    changes.set((change_per_matrix(&t.base, &t.model), relative_change(&t.base.params, &t.model.params)));
                }
            });
        }
        phase.set(Phase::Done);
    };
    let reset = move |_| {
        anim.pause();
        tuner.set_value(None);
        problem.set(None);
        curve.update(|c| c.truncate(1));
        changes.set((Vec::new(), 0.0));
        samples.update(|s| s.1 = None);
        timing.set((0.0, 0.0, 0));
        if data.get_value().is_some() {
            phase.set(if curve.with_untracked(|c| c.is_empty()) { Phase::Scoring(0) } else { Phase::Idle });
            if curve.with_untracked(|c| c.is_empty()) {
                anim.play();
            }
        }
    };

    let busy = move || matches!(phase.get(), Phase::Training | Phase::Scoring(_) | Phase::Loading);
    let controls = move || {
        let s = state.get();
        let b = busy() && phase.get() != Phase::Loading;
        let mut lrs = LRS.to_vec();
        if !lrs.iter().any(|v| (v - s.lr).abs() < 1e-12) {
            lrs.push(s.lr);
        }
        view! {
            <div class="controls-row">
                <label class="field"><span>"Domain"</span>
                    <select prop:disabled=b on:change=move |ev| { let v = event_target_value(&ev); if let Some(d) = Domain::ALL.iter().find(|d| d.key() == v) { state.update(|st| st.domain = *d) } }>
                        {Domain::ALL.iter().map(|&d| view! { <option value=d.key() selected=d == s.domain>{d.title()}</option> }).collect_view()}
                    </select>
                </label>
                <fieldset class="field">
                    <legend>"What is trained"</legend>
                    {Method::ALL.iter().map(|&m| view! {
                        <label class="check"><input type="radio" name="dom-method" prop:checked=s.method == m prop:disabled=b on:change=move |_| state.update(|st| st.method = m)/>
                            {match m { Method::Full => " Every weight", Method::Lora => " LoRA adapters, rank 8" }}</label>
                    }).collect_view()}
                </fieldset>
                <label class="field"><span>"Learning rate"</span>
                    <select prop:disabled=b on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|st| st.lr = v) } }>
                        {lrs.into_iter().map(|v| view! { <option value=v.to_string() selected=(v - s.lr).abs() < 1e-12>{format!("{v}")}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>"Steps"</span>
                    <input type="number" min="1" max="1000" prop:value=s.steps.to_string() prop:disabled=b
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|st| st.steps = v.clamp(1, 1000)) } }/>
                </label>
            </div>
            {(s.domain == Domain::Own).then(|| view! {
                <div class="field">
                    <label for="dom-text">"Your text (any length; the last tenth is held out)"</label>
                    <textarea id="dom-text" rows="5" prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                    <button type="button" class="btn" prop:disabled=b on:click=move |_| state.update(|st| st.text = draft.get_untracked())>"Use this text"</button>
                </div>
            })}
        }
    };

    let status = move || {
        let (secs, longest, tokens) = timing.get();
        let target = state.with(|s| s.steps);
        let steps = tuner.with_value(|t| t.as_ref().map_or(0, |t| t.steps));
        let loss = tuner.with_value(|t| t.as_ref().and_then(|t| t.last_loss));
        let p = phase.get();
        let _ = curve.get();
        let tps = if secs > 0.0 { format!(" · {} tokens/s", fmt_int((tokens as f64 / secs).round() as u64)) } else { String::new() };
        let text = match p {
            Phase::Loading => load_msg.get().unwrap_or_default(),
            Phase::Idle => data.get_value().map(|d| format!("{} tokens of {} ({} to train on, {} held out). Ready.", fmt_int(d.n_tokens), d.domain.title(), fmt_int(d.train.len()), fmt_int(d.held.len()))).unwrap_or_default(),
            Phase::Scoring(_) if tuner.with_value(|t| t.is_none()) => "Scoring the shipped model on the held-out windows…".into(),
            Phase::Diverged => "Training paused: it diverged.".into(),
            _ => format!("Step {steps} of {target}{} · {} tokens · {secs:.1} s{tps} · longest frame {longest:.0} ms{}", loss.map(|l| format!(" · training loss {l:.3}")).unwrap_or_default(), fmt_int(tokens), if p == Phase::Done { " · done" } else { "" }),
        };
        let show_bar = !matches!(p, Phase::Loading | Phase::Idle);
        view! {
            <p role="status" data-testid="dom-status">{text}</p>
            {show_bar.then(|| view! { <progress max=target.to_string() value=steps.to_string() aria-label="Continued pre-training progress"></progress> })}
        }
    };

    let other_name = move || state.with(|s| s.domain.other());
    let chart_label = Signal::derive(move || {
        curve.with(|c| match (c.first(), c.last()) {
            (Some(a), Some(b)) => format!("Chart: held-out loss on the domain {:.3} → {:.3} and on {} {:.3} → {:.3}, over {} steps", a.1, b.1, state.with(|s| s.domain.other()), a.2, b.2, b.0),
            _ => "Chart: held-out losses (not measured yet)".into(),
        })
    });
    let draw = move |area: &Area, ctx: &PlotCtx| {
        curve.with(|c| {
            let dom: Vec<(f64, f64)> = c.iter().map(|p| (p.0 as f64, p.1)).collect();
            let oth: Vec<(f64, f64)> = c.iter().map(|p| (p.0 as f64, p.2)).collect();
            let ys = || c.iter().flat_map(|p| [p.1, p.2]).filter(|v| v.is_finite());
            let (lo, hi) = (ys().fold(f64::INFINITY, f64::min), ys().fold(f64::NEG_INFINITY, f64::max));
            let (lo, hi) = if lo.is_finite() { ((lo - 0.2).max(0.0), hi + 0.2) } else { (0.0, 8.0) };
            let x_max = (state.get_untracked().steps as f64).max(dom.last().map_or(1.0, |p| p.0));
            line_chart(area, ctx, "step", "held-out loss (nats/token)", x_max, lo..hi, &[Line { points: &dom, color: ctx.palette.series[0] }, Line { points: &oth, color: ctx.palette.series[1] }]);
        })
    };
    let table = move || view! {
        <table class="data-table" data-testid="dom-curve">
            <caption>{move || format!("Held-out loss every {EVAL_EVERY} steps ({EVAL_WINDOWS} windows of {WINDOW} tokens each)")}</caption>
            <thead><tr><th scope="col">"Step"</th><th scope="col">"The domain (its last tenth)"</th><th scope="col">{move || format!("The other corpus ({})", other_name())}</th></tr></thead>
            <tbody>{move || curve.with(|c| c.iter().map(|p| view! { <tr><td>{p.0}</td><td>{format!("{:.3}", p.1)}</td><td>{format!("{:.3}", p.2)}</td></tr> }).collect_view())}</tbody>
        </table>
    };
    let bars = move || {
        let (per, total) = changes.get();
        (!per.is_empty()).then(|| {
            let max = per.iter().map(|p| p.1).fold(1e-12, f64::max);
            view! {
                <div class="table-scroll" tabindex="0">
                    <table class="data-table bars" data-testid="dom-changes">
                        <caption>{format!("How far each weight matrix moved: ‖W − W₀‖ / ‖W₀‖ (all weights together: {:.3} %)", 100.0 * total)}</caption>
                        <thead><tr><th scope="col">"Matrix"</th><th scope="col">"Relative change"</th><th scope="col"><span class="sr-only">"Bar"</span></th></tr></thead>
                        <tbody>
                            {per.into_iter().map(|(n, c)| view! {
                                <tr><th scope="row"><code>{n}</code></th><td>{format!("{:.3} %", 100.0 * c)}</td>
                                    <td class="bar-cell" aria-hidden="true"><span class="bar" style=format!("width:{:.1}%", 100.0 * c / max)></span></td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
        })
    };
    let sample_view = move || {
        let (b, a) = samples.get();
        b.map(|b| view! {
            <div class="table-scroll" tabindex="0">
                <table class="data-table" data-testid="dom-samples">
                    <caption>"The same prompt and seed (temperature 0.8), before and after"</caption>
                    <thead><tr><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody><tr><td>{b}</td><td>{a.unwrap_or_else(|| "—".into())}</td></tr></tbody>
                </table>
            </div>
        })
    };

    view! {
        <div class="domain" node_ref=root>
            <p class="muted">"The pretrained model (Moby Dick and State of the Union addresses) goes on with its pre-training objective — predict the next token — but on one domain only, with no labels. Its loss on that domain's held-out end should fall, and its loss on the other corpus may rise: forgetting."</p>
            {controls}
            <div class="controls-row">
                <button type="button" class="btn btn-primary" on:click=start prop:disabled=move || !matches!(phase.get(), Phase::Idle | Phase::Done)>"Continue pre-training"</button>
                <button type="button" class="btn" on:click=stop prop:disabled=move || !matches!(phase.get(), Phase::Training) || tuner.with_value(|t| t.is_none())>"Stop"</button>
                <button type="button" class="btn" on:click=reset>"Reset to the shipped model"</button>
            </div>
            {move || problem.get().map(|e| view! { <p class="error-panel" role="alert">{e}</p> })}
            {status}
            <figure>
                <PlotCanvas label=chart_label aspect=0.5 draw=draw alt_title="Show the losses as a table">{table}</PlotCanvas>
                <ul class="legend">
                    <li><span class="swatch s1"></span>"The domain's held-out end"</li>
                    <li><span class="swatch s2"></span>{move || format!("The other corpus ({})", other_name())}</li>
                </ul>
            </figure>
            {sample_view}
            {bars}
        </div>
    }
}
