//! Next-token generation with the section's small GPT: the prompt's tokens with their surprise, the
//! next-token distribution reshaped by temperature / top-k / top-p, generation one token at a time,
//! any step inspected (what else could have come), and inside one step: embedding → blocks →
//! logits → softmax → choice, with the attention of every layer and head.
//!
//! Everything shown is a pure function of the URL state: the generated text is recomputed from the
//! prompt, the settings, the seed and the token count, so a link reproduces it exactly.

use crate::shell::anim::{use_animation_loop, FrameInfo, LoopOptions};
use crate::shell::checkpoint::Checkpoint;
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use crate::widgets::lm_store::{use_lm, Lm, LmLoad};
use genai_core::gpt::{draw, filtered_probs, softmax, Gpt, KvCache, Sampling};
use genai_core::query::{Choice, Notice, StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "lm";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "llm", title: "Next-token prediction with a small GPT", embed_height: 1100 };

/// The longest prompt a link keeps, in characters.
pub const PROMPT_MAX_CHARS: usize = 4000;
/// Bars shown in the distribution (the rest are summed in one row).
pub const TOP: usize = 20;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Sample,
    Greedy,
}

impl Choice for Mode {
    const ALL: &'static [Mode] = &[Mode::Sample, Mode::Greedy];
    fn key(self) -> &'static str {
        match self {
            Mode::Sample => "sample",
            Mode::Greedy => "greedy",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LmState {
    pub prompt: String,
    pub temperature: f64,
    pub top_k: i64,
    pub top_p: f64,
    pub mode: Mode,
    pub seed: u64,
    /// Tokens generated after the prompt.
    pub generated: i64,
    /// How many tokens "Generate" adds.
    pub run: i64,
    /// The inspected position (index into the whole sequence incl. the start token), −1 = the last.
    pub pick: i64,
    pub layer: i64,
    pub head: i64,
}

impl Default for LmState {
    fn default() -> Self {
        LmState { prompt: "Call me Ishmael. Some years ago".into(), temperature: 0.8, top_k: 0, top_p: 0.95, mode: Mode::Sample, seed: 1, generated: 0, run: 40, pick: -1, layer: 0, head: 0 }
    }
}

impl UrlState for LmState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.text("prompt", &self.prompt);
        w.float("temperature", self.temperature);
        w.int("top_k", self.top_k);
        w.float("top_p", self.top_p);
        w.choice("mode", self.mode);
        w.seed("seed", self.seed);
        w.int("tokens", self.generated);
        w.int("run", self.run);
        w.int("pick", self.pick);
        w.int("layer", self.layer);
        w.int("head", self.head);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = LmState::default();
        LmState {
            prompt: r.text("prompt", PROMPT_MAX_CHARS, &d.prompt),
            temperature: r.float("temperature", 0.0..=5.0, d.temperature),
            top_k: r.int("top_k", 0..=4096, d.top_k),
            top_p: r.float("top_p", 0.0..=1.0, d.top_p),
            mode: r.choice("mode", d.mode),
            seed: r.seed("seed", d.seed),
            generated: r.int("tokens", 0..=4096, d.generated),
            run: r.int("run", 1..=256, d.run),
            pick: r.int("pick", -1..=4096, d.pick),
            layer: r.int("layer", 0..=63, d.layer),
            head: r.int("head", 0..=63, d.head),
        }
    }
}

impl LmState {
    fn sampling(&self) -> Sampling {
        Sampling { temperature: if self.mode == Mode::Greedy { 0.0 } else { self.temperature as f32 }, top_k: self.top_k.max(0) as usize, top_p: self.top_p as f32 }
    }
}

/// Everything computed for one sequence: per position, the logits that follow it, the attention of
/// that position over the earlier ones, and its residual stream.
pub struct Trace {
    key: (String, u64, [u32; 3], Mode),
    pub ids: Vec<u32>,
    /// Tokens from the prompt, including the start token.
    pub n_prompt: usize,
    /// Prompt tokens dropped from the front because the prompt was longer than the context.
    pub dropped: usize,
    pub logits: Vec<Vec<f32>>,
    pub attention: Vec<Vec<f32>>,
    pub stream: Vec<Vec<f32>>,
    /// For each generated token, the uniform number u that chose it (None when greedy).
    pub draws: Vec<Option<f64>>,
    cache: KvCache,
    rng: Rng,
}

impl Trace {
    fn key_of(s: &LmState) -> (String, u64, [u32; 3], Mode) {
        let sm = s.sampling();
        (s.prompt.clone(), s.seed, [sm.temperature.to_bits(), sm.top_k as u32, sm.top_p.to_bits()], s.mode)
    }

    /// The prompt's tokens (after the start token) and the trace of reading them.
    pub fn new(lm: &Lm, s: &LmState) -> Trace {
        let ctx = lm.model.cfg.ctx;
        let mut ids = vec![lm.tokenizer.eot()];
        let prompt = lm.tokenizer.encode(&s.prompt);
        // keep room for at least one generated token
        let room = ctx - 1;
        let dropped = prompt.len().saturating_sub(room - 1);
        ids.extend_from_slice(&prompt[dropped..]);
        let mut t = Trace {
            key: Trace::key_of(s),
            n_prompt: ids.len(),
            dropped,
            ids: Vec::new(),
            logits: Vec::new(),
            attention: Vec::new(),
            stream: Vec::new(),
            draws: Vec::new(),
            cache: KvCache::new(&lm.model.cfg),
            rng: Rng::new(s.seed),
        };
        for id in ids {
            t.feed(&lm.model, id);
        }
        t
    }

    fn feed(&mut self, model: &Gpt, id: u32) {
        let mut logits = vec![0.0; model.cfg.vocab];
        model.step(&mut self.cache, id, &mut logits);
        self.ids.push(id);
        self.logits.push(logits);
        self.attention.push(self.cache.last_attention.clone());
        self.stream.push(self.cache.last_stream.clone());
    }

    pub fn generated(&self) -> usize {
        self.ids.len() - self.n_prompt
    }

    /// Whether the context is full (no further token fits).
    pub fn full(&self, model: &Gpt) -> bool {
        self.ids.len() >= model.cfg.ctx
    }

    /// Generates one token with the settings of `s`; false when the context is full.
    fn generate_one(&mut self, model: &Gpt, s: &LmState) -> bool {
        if self.full(model) {
            return false;
        }
        let probs = filtered_probs(self.logits.last().expect("the start token is always there"), &s.sampling());
        let (next, u) = if s.mode == Mode::Greedy {
            (probs.iter().position(|&p| p == 1.0).unwrap_or(0), None)
        } else {
            let u = self.rng.next_f64();
            (draw(&probs, u), Some(u))
        };
        self.draws.push(u);
        self.feed(model, next as u32);
        true
    }

    /// −log₂ p of token i (i ≥ 1) under the model's raw distribution (temperature 1, no filtering).
    pub fn surprise_bits(&self, i: usize) -> f64 {
        let mut p = self.logits[i - 1].clone();
        softmax(&mut p);
        -(p[self.ids[i] as usize].max(1e-30) as f64).log2()
    }
}

/// Brings `trace` to the state `s`: rebuilt when the prompt, seed or settings changed, extended or
/// cut when only the token count did. Returns how many tokens could be generated.
pub fn sync_trace(lm: &Lm, trace: &mut Option<Trace>, s: &LmState) -> usize {
    let want = s.generated.max(0) as usize;
    let stale = trace.as_ref().is_none_or(|t| t.key != Trace::key_of(s) || t.generated() > want);
    if stale {
        *trace = Some(Trace::new(lm, s));
    }
    let t = trace.as_mut().expect("just built");
    while t.generated() < want && t.generate_one(&lm.model, s) {}
    t.generated()
}

/// How a token is written in the page: visible spaces and line breaks, escapes for control bytes.
pub fn show_token(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for c in text.chars() {
        match c {
            ' ' => out.push('␣'),
            '\n' => out.push('↵'),
            '\t' => out.push('⇥'),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    if out.is_empty() {
        "∅".into()
    } else {
        out
    }
}

fn token_label(lm: &Lm, id: u32) -> String {
    show_token(lm.tokenizer.token_bytes(id).unwrap_or(b"?"))
}

/// A surprise class for colouring: 0 (expected, < 2 bits) … 4 (≥ 12 bits).
fn surprise_class(bits: f64) -> usize {
    match bits {
        b if b < 2.0 => 0,
        b if b < 5.0 => 1,
        b if b < 8.0 => 2,
        b if b < 12.0 => 3,
        _ => 4,
    }
}

#[component]
pub fn LmWidget() -> impl IntoView {
    let url = use_url_state::<LmState>();
    let lm = use_lm();
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {move || match lm.get() {
                LmLoad::Loading => view! { <Loading label="Loading the language model" text="Loading the language model (tokenizer and 2.2 MB of weights)…"/> }.into_any(),
                LmLoad::Failed(e) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                LmLoad::Ready(m) => view! { <LmInner lm=m state=url.state notices=url.notices/> }.into_any(),
            }}
        </WidgetFrame>
    }
}

#[component]
fn LmInner(lm: Rc<Lm>, state: RwSignal<LmState>, notices: RwSignal<Vec<Notice>>) -> impl IntoView {
    let lm = StoredValue::new_local(lm);
    let trace = StoredValue::new_local(None::<Trace>);
    let version = RwSignal::new(0u32);
    let root = NodeRef::<Div>::new();
    let cfg = lm.with_value(|l| l.model.cfg);

    // URL state → trace. Runs whenever any field changes; cheap when only the view changed.
    Effect::new(move |_| {
        let s = state.get();
        let (got, full) = lm.with_value(|l| {
            trace.update_value(|t| {
                sync_trace(l, t, &s);
            });
            trace.with_value(|t| t.as_ref().map(|t| (t.generated(), t.full(&l.model))).unwrap_or((0, false)))
        });
        if (got as i64) < s.generated {
            // the link asked for more tokens than fit: keep what fits and say so
            state.update(|st| st.generated = got as i64);
            if full {
                notices.update(|n| {
                    let msg = Notice { key: "lm.tokens".into(), value: s.generated.to_string(), reason: format!("is more than fits: this model sees at most {} tokens, so generation stopped there.", cfg.ctx) };
                    if !n.contains(&msg) {
                        n.push(msg);
                    }
                });
            }
        }
        if s.layer as usize >= cfg.layers || s.head as usize >= cfg.heads {
            state.update(|st| {
                st.layer = st.layer.min(cfg.layers as i64 - 1);
                st.head = st.head.min(cfg.heads as i64 - 1);
            });
        }
        version.update(|v| *v += 1);
    });

    // "Generate": one token per unit of work, until the run's target.
    let target = StoredValue::new(0i64);
    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: 2 }, move |f: FrameInfo| {
        let s = state.get_untracked();
        if f.single_step {
            state.update(|st| {
                st.generated += 1;
                st.pick = -1;
            });
            return;
        }
        let goal = target.get_value().max(s.generated);
        let room = (cfg.ctx as i64) - trace.with_value(|t| t.as_ref().map_or(0, |t| t.ids.len()) as i64);
        let add = (f.work as i64).min(goal - s.generated).min(room);
        if add <= 0 {
            return;
        }
        state.update(|st| {
            st.generated += add;
            st.pick = -1;
        });
    });
    let start_run = move |_| {
        let s = state.get_untracked();
        target.set_value(s.generated + s.run);
        anim.play();
    };
    Effect::new(move |_| {
        let s = state.get();
        let full = trace.with_value(|t| t.as_ref().is_some_and(|t| t.ids.len() >= cfg.ctx));
        if anim.playing.get_untracked() && (s.generated >= target.get_value() || full) {
            anim.pause();
        }
    });

    let with_trace = move |f: &dyn Fn(&Lm, &Trace) -> AnyView| -> AnyView {
        let _ = version.get();
        lm.with_value(|l| trace.with_value(|t| match t {
            Some(t) => f(l, t),
            None => view! { <p class="muted">"Preparing…"</p> }.into_any(),
        }))
    };
    // The inspected position: `pick` if valid, else the last token.
    let picked = move || {
        let _ = version.get();
        let p = state.with(|s| s.pick);
        trace.with_value(|t| t.as_ref().map(|t| if p >= 0 && (p as usize) < t.ids.len() { p as usize } else { t.ids.len() - 1 })).unwrap_or(0)
    };

    let prompt_info = move || {
        with_trace(&|l, t| {
            let bits: Vec<f64> = (1..t.n_prompt).map(|i| t.surprise_bits(i)).collect();
            let ppl = if bits.is_empty() { f64::NAN } else { (bits.iter().sum::<f64>() / bits.len() as f64 * std::f64::consts::LN_2).exp() };
            let cut = (t.dropped > 0).then(|| view! {
                <p class="notice" role="status">{format!("The prompt is longer than this model's context of {} tokens: its first {} tokens were left out, and the model reads only the rest.", cfg.ctx, t.dropped)}</p>
            });
            let empty = (t.n_prompt == 1).then(|| view! { <p class="muted">"The prompt is empty: the model starts from the end-of-text token alone, as at the start of a new document."</p> });
            let _ = l;
            view! {
                {cut}{empty}
                <dl class="stats">
                    <div><dt>"Prompt tokens"</dt><dd data-testid="lm-prompt-tokens">{t.n_prompt - 1}</dd></div>
                    <div><dt>"Perplexity of the prompt"</dt><dd data-testid="lm-perplexity">{if ppl.is_finite() { format!("{ppl:.1}") } else { "—".into() }}</dd></div>
                    <div><dt>"Context used"</dt><dd>{format!("{} / {}", t.ids.len(), cfg.ctx)}</dd></div>
                </dl>
            }.into_any()
        })
    };

    // The sequence: start token, prompt tokens coloured by surprise, generated tokens; each a button.
    let sequence = move || {
        let pick = picked();
        with_trace(&|l, t| {
            let chips = t.ids.iter().enumerate().map(|(i, &id)| {
                let text = token_label(l, id);
                let generated = i >= t.n_prompt;
                let (class, title) = if i == 0 {
                    ("lm-tok special".to_owned(), "the start token <|endoftext|>".to_owned())
                } else {
                    let bits = t.surprise_bits(i);
                    let mut p = t.logits[i - 1].clone();
                    softmax(&mut p);
                    (format!("lm-tok s{}{}", surprise_class(bits), if generated { " gen" } else { "" }), format!("{}: probability {:.3}, surprise {bits:.1} bits", if generated { "generated" } else { "prompt" }, p[id as usize]))
                };
                let label = format!("{}, token {}, {title}", if i == 0 { "<|endoftext|>".to_owned() } else { text.clone() }, i);
                view! {
                    <button type="button" class=class aria-pressed=(i == pick).to_string() aria-label=label title=title
                        on:click=move |_| state.update(|s| s.pick = i as i64)>{if i == 0 { "⟨start⟩".to_owned() } else { text }}</button>
                }
            }).collect_view();
            view! { <div class="lm-seq" role="group" aria-label="The tokens: choose one to inspect the step after it" data-lesson-group="The tokens">{chips}</div> }.into_any()
        })
    };

    // The distribution after the inspected token.
    let distribution = move || {
        let pick = picked();
        let s = state.get();
        with_trace(&|l, t| {
            let logits = &t.logits[pick];
            let mut raw = logits.clone();
            softmax(&mut raw);
            let kept = filtered_probs(logits, &s.sampling());
            let mut order: Vec<usize> = (0..raw.len()).collect();
            order.sort_by(|&a, &b| raw[b].total_cmp(&raw[a]).then(a.cmp(&b)));
            let chosen = t.ids.get(pick + 1).copied();
            let n_kept = kept.iter().filter(|&&p| p > 0.0).count();
            let max = raw[order[0]].max(kept.iter().copied().fold(0.0, f32::max)) as f64;
            let rows = order.iter().take(TOP).enumerate().map(|(rank, &i)| {
                let (p, q) = (raw[i] as f64, kept[i] as f64);
                let cut_here = rank + 1 == n_kept && n_kept < TOP;
                let is_chosen = chosen == Some(i as u32);
                view! {
                    <tr class:lm-cut=q == 0.0 class:lm-chosen=is_chosen class:lm-cutline=cut_here>
                        <th scope="row"><code>{token_label(l, i as u32)}</code>{is_chosen.then_some(" ← chosen")}</th>
                        <td class="num">{format!("{:.1} %", 100.0 * p)}</td>
                        <td class="num">{if q > 0.0 { format!("{:.1} %", 100.0 * q) } else { "cut".into() }}</td>
                        <td class="lm-bar-cell" aria-hidden="true">
                            <span class="lm-bar raw" style=format!("width: {:.1}%", 100.0 * p / max)></span>
                            <span class="lm-bar kept" style=format!("width: {:.1}%", 100.0 * q / max)></span>
                        </td>
                    </tr>
                }
            }).collect_view();
            let rest_raw: f64 = order.iter().skip(TOP).map(|&i| raw[i] as f64).sum();
            let rest_kept: f64 = order.iter().skip(TOP).map(|&i| kept[i] as f64).sum();
            let chosen_line = match chosen {
                Some(c) => {
                    let u = if pick + 1 >= t.n_prompt { t.draws.get(pick + 1 - t.n_prompt).copied().flatten() } else { None };
                    let how = if pick + 1 < t.n_prompt { "the prompt continues with".to_owned() } else if let Some(u) = u { format!("sampled with u = {u:.3} →") } else { "greedy: the most probable →".to_owned() };
                    format!("After token {pick} {how} “{}” (probability {:.1} % before filtering, {:.1} % after).", token_label(l, c), 100.0 * raw[c as usize], 100.0 * kept[c as usize])
                }
                None => format!("This is the last token: the next one will be drawn from the {n_kept} token(s) kept by the settings."),
            };
            let entropy: f64 = raw.iter().filter(|&&p| p > 0.0).map(|&p| -(p as f64) * (p as f64).log2()).sum();
            view! {
                <p data-testid="lm-chosen">{chosen_line}</p>
                <p class="muted">{format!("{n_kept} of {} tokens kept by temperature {}, top-k {}, top-p {}; entropy of the raw distribution {entropy:.2} bits.", raw.len(), if s.mode == Mode::Greedy { "0 (greedy)".to_owned() } else { format!("{:.2}", s.temperature) }, if s.top_k == 0 { "off".to_owned() } else { s.top_k.to_string() }, s.top_p)}</p>
                <table class="lm-dist" aria-label=format!("The {TOP} most probable next tokens after token {pick}")>
                    <thead><tr><th scope="col">"Token"</th><th scope="col">"Model (T = 1)"</th><th scope="col">"After the settings"</th><th scope="col"><span class="sr-only">"Bars"</span></th></tr></thead>
                    <tbody>
                        {rows}
                        <tr class="lm-rest"><th scope="row">{format!("the other {} tokens", raw.len() - TOP)}</th><td class="num">{format!("{:.1} %", 100.0 * rest_raw)}</td><td class="num">{format!("{:.1} %", 100.0 * rest_kept)}</td><td></td></tr>
                    </tbody>
                </table>
            }.into_any()
        })
    };

    // Inside one step: the real numbers of the inspected position.
    let inside = move || {
        let pick = picked();
        let s = state.get();
        with_trace(&|l, t| {
            let d = cfg.d;
            let id = t.ids[pick];
            let te = l.model.token_embedding(id as usize);
            let norm = |v: &[f32]| v.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
            let first = |v: &[f32]| v.iter().take(6).map(|x| format!("{x:+.3}")).collect::<Vec<_>>().join(", ");
            let stream = &t.stream[pick];
            let x0 = &stream[..d];
            let pe: Vec<f32> = x0.iter().zip(te).map(|(x, e)| x - e).collect();
            let blocks = (0..cfg.layers).map(|layer| {
                let x = &stream[(layer + 1) * d..(layer + 2) * d];
                let prev = &stream[layer * d..(layer + 1) * d];
                let delta: Vec<f32> = x.iter().zip(prev).map(|(a, b)| a - b).collect();
                let heads = (0..cfg.heads).map(|h| {
                    let row = &t.attention[pick][(layer * cfg.heads + h) * (pick + 1)..][..pick + 1];
                    let (j, w) = row.iter().enumerate().fold((0, 0.0f32), |best, (j, &w)| if w > best.1 { (j, w) } else { best });
                    format!("head {h} looks most at “{}” ({:.0} %)", if j == 0 { "⟨start⟩".to_owned() } else { token_label(l, t.ids[j]) }, 100.0 * w)
                }).collect::<Vec<_>>().join("; ");
                view! { <li>{format!("Block {}: attention and MLP add a vector of length {:.2}; the stream is now ‖x‖ = {:.2}. ", layer + 1, norm(&delta), norm(x))}<span class="muted">{heads}</span></li> }
            }).collect_view();
            let logits = &t.logits[pick];
            let mut order: Vec<usize> = (0..logits.len()).collect();
            order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
            let mut raw = logits.clone();
            softmax(&mut raw);
            let top3 = order.iter().take(3).map(|&i| format!("“{}” {:.2} → {:.1} %", token_label(l, i as u32), logits[i], 100.0 * raw[i])).collect::<Vec<_>>().join(", ");
            let kept = filtered_probs(logits, &s.sampling());
            let next = t.ids.get(pick + 1).map(|&n| format!("“{}”", token_label(l, n))).unwrap_or_else(|| "not chosen yet (generate to see it)".into());
            view! {
                <ol class="lm-flow">
                    <li>{format!("Token {pick}: “{}”, id {id}.", if pick == 0 { "<|endoftext|>".to_owned() } else { token_label(l, id) })}</li>
                    <li>{format!("Embedding: row {id} of the {}×{d} token table [{} …] (length {:.2}) plus row {pick} of the position table (length {:.2}) gives x₀ = [{} …].", cfg.vocab, first(te), norm(te), norm(&pe), first(x0))}</li>
                    {blocks}
                    <li>{format!("Logits: the final LayerNorm of x, dotted with all {} token embeddings. Highest: {top3}.", cfg.vocab)}</li>
                    <li>{format!("Softmax and the settings keep {} tokens; the next token is {next}.", kept.iter().filter(|&&p| p > 0.0).count())}</li>
                </ol>
            }.into_any()
        })
    };

    // Attention of the inspected token over the earlier ones, for the chosen layer and head.
    let attention = move || {
        let pick = picked();
        let (layer, head) = state.with(|s| (s.layer as usize, s.head as usize));
        with_trace(&|l, t| {
            if layer >= cfg.layers || head >= cfg.heads {
                return view! { <p></p> }.into_any();
            }
            let row_of = |h: usize| &t.attention[pick][(layer * cfg.heads + h) * (pick + 1)..][..pick + 1];
            let row = row_of(head);
            let chips = (0..=pick).map(|j| {
                let w = row[j];
                let text = if j == 0 { "⟨start⟩".to_owned() } else { token_label(l, t.ids[j]) };
                view! { <span class="lm-att" style=format!("--w: {:.3}", w.sqrt()) title=format!("{:.1} %", 100.0 * w)>{text}</span> }
            }).collect_view();
            let table_rows = (0..=pick).rev().take(64).map(|j| {
                let cells = (0..cfg.heads).map(|h| view! { <td class="num">{format!("{:.3}", row_of(h)[j])}</td> }).collect_view();
                view! { <tr><th scope="row">{format!("{j}: {}", if j == 0 { "⟨start⟩".to_owned() } else { token_label(l, t.ids[j]) })}</th>{cells}</tr> }
            }).collect_view();
            let heads_th = (0..cfg.heads).map(|h| view! { <th scope="col">{format!("head {h}")}</th> }).collect_view();
            view! {
                <div class="lm-att-row" aria-hidden="true">{chips}</div>
                <details>
                    <summary>{format!("Attention weights of token {pick} in block {} as a table (all heads; latest 64 positions)", layer + 1)}</summary>
                    <table class="lm-att-table">
                        <thead><tr><th scope="col">"Earlier token"</th>{heads_th}</tr></thead>
                        <tbody>{table_rows}</tbody>
                    </table>
                </details>
            }.into_any()
        })
    };

    let checkpoint_answer = Callback::new(move |_| {
        lm.with_value(|l| {
            let prompt = state.with_untracked(|s| s.prompt.clone());
            let texts: Vec<String> = [1u64, 2].iter().map(|&seed| {
                let s = LmState { prompt: prompt.clone(), mode: Mode::Greedy, seed, generated: 20, ..LmState::default() };
                let mut t = None;
                sync_trace(l, &mut t, &s);
                let t = t.expect("built");
                l.tokenizer.decode(&t.ids[t.n_prompt..])
            }).collect();
            let same = texts[0] == texts[1];
            Some((if same { 0 } else { 1 }, format!("Computed just now with your prompt: seed 1 continues “{}” and seed 2 “{}”. {}", texts[0], texts[1], if same { "Temperature 0 always takes the most probable token, so no random number is ever used: the seed cannot matter." } else { "(They differ, which greedy decoding should never do.)" })))
        })
    });

    let sliders = move || {
        let s = state.get();
        view! {
            <div class="controls-row">
                <fieldset class="field">
                    <legend>"Choosing the next token"</legend>
                    {Mode::ALL.iter().map(|&m| view! {
                        <label class="check"><input type="radio" name="lm-mode" prop:checked=s.mode == m on:change=move |_| state.update(|st| st.mode = m)/>
                            {match m { Mode::Sample => " Sample", Mode::Greedy => " Greedy (always the most probable)" }}</label>
                    }).collect_view()}
                </fieldset>
                <label class="field slider"><span>{format!("Temperature T = {:.2}", s.temperature)}</span>
                    <input type="range" min="0" max="2.5" step="0.05" prop:value=s.temperature.to_string() prop:disabled=s.mode == Mode::Greedy
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|st| st.temperature = v.clamp(0.0, 5.0)) } }/>
                </label>
                <label class="field slider"><span>{format!("Top-k = {}", if s.top_k == 0 { "off".to_owned() } else { s.top_k.to_string() })}</span>
                    <input type="range" min="0" max="100" step="1" prop:value=s.top_k.to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|st| st.top_k = v.clamp(0, 4096)) } }/>
                </label>
                <label class="field slider"><span>{format!("Top-p = {:.2}", s.top_p)}</span>
                    <input type="range" min="0" max="1" step="0.01" prop:value=s.top_p.to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|st| st.top_p = v.clamp(0.0, 1.0)) } }/>
                </label>
                <label class="field"><span>"Seed"</span>
                    <input type="number" min="0" step="1" prop:value=s.seed.to_string()
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() { state.update(|st| st.seed = v) } }/>
                </label>
            </div>
        }
    };

    let heads_select = move || {
        let s = state.get();
        view! {
            <div class="controls-row">
                <label class="field"><span>"Block (layer)"</span>
                    <select on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|st| st.layer = v) } }>
                        {(0..cfg.layers).map(|l| view! { <option value=l.to_string() selected=s.layer == l as i64>{format!("Block {}", l + 1)}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>"Head"</span>
                    <select on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<i64>() { state.update(|st| st.head = v) } }>
                        {(0..cfg.heads).map(|h| view! { <option value=h.to_string() selected=s.head == h as i64>{format!("Head {h}")}</option> }).collect_view()}
                    </select>
                </label>
            </div>
        }
    };

    let params = cfg.n_params();
    view! {
        <div class="lm" node_ref=root>
            <p class="muted">{format!("A real transformer running in your browser: {} parameters ({} blocks, {} heads, width {}, context {} tokens, vocabulary {}), pre-trained by this site's own code on Moby Dick and State of the Union addresses. Its text is locally plausible, not sensible.", fmt_int(params), cfg.layers, cfg.heads, cfg.d, cfg.ctx, cfg.vocab)}</p>
            <label class="field wide"><span>"Prompt"</span>
                <textarea rows="3" spellcheck="false" prop:value=move || state.with(|s| s.prompt.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); state.update(|s| { s.prompt = v; s.generated = 0; s.pick = -1; }) }></textarea>
            </label>
            {prompt_info}
            {sliders}
            <div class="controls-row">
                <button type="button" class="btn btn-primary" on:click=start_run>{move || format!("Generate {} tokens", state.with(|s| s.run))}</button>
                <button type="button" class="btn" on:click=move |_| state.update(|s| { s.generated += 1; s.pick = -1; })>"One token"</button>
                <button type="button" class="btn" on:click=move |_| anim.pause() prop:disabled=move || !anim.playing.get()>"Stop"</button>
                <button type="button" class="btn" on:click=move |_| state.update(|s| { s.generated = 0; s.pick = -1; })>"Clear the generated text"</button>
                <label class="field"><span>"Tokens per run"</span>
                    <input type="number" min="1" max="256" prop:value=move || state.with(|s| s.run.to_string())
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { state.update(|s| s.run = v.clamp(1, 256)) } }/>
                </label>
            </div>
            <h3>"The text, token by token"</h3>
            <p class="muted">"Prompt tokens are shaded by how surprised the model was by them (−log₂ p: pale = expected, dark = surprising); generated tokens are underlined. Choose any token to see the step that follows it."</p>
            {sequence}
            <p class="lm-generated" data-testid="lm-continuation" aria-live="polite">{move || { let _ = version.get(); lm.with_value(|l| trace.with_value(|t| t.as_ref().map(|t| l.tokenizer.decode(&t.ids[t.n_prompt..])).unwrap_or_default())) }}</p>
            <div class="lm-panels">
                <section class="tok-panel" aria-labelledby="lm-dist-h">
                    <h3 id="lm-dist-h">"What could come next"</h3>
                    {distribution}
                </section>
                <section class="tok-panel" aria-labelledby="lm-inside-h">
                    <h3 id="lm-inside-h">"Inside this step"</h3>
                    {inside}
                    <h4>"Attention: where this token looks"</h4>
                    {heads_select}
                    {attention}
                </section>
            </div>
            <Checkpoint id="lm-cp" question="Two runs at temperature 0 (greedy) with seeds 1 and 2: what happens?".to_owned()
                options=vec!["They write the same text".into(), "They write different texts".into()] answer=checkpoint_answer/>
        </div>
    }
}

/// 1088256 → "1,088,256" (any integer type).
pub fn fmt_int(n: impl std::fmt::Display) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
