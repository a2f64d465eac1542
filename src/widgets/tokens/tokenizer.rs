//! The tokenizer widget: type anything, see it cut into tokens by real tokenizers, compare two,
//! inspect bytes, decode ids, and see the training pairs a model gets from the text for free.

use super::store::{decode, parse_ids, use_tokenization, Kind, Outcome, Store};
use super::{hex, token_label};
use crate::shell::controls::flag_checkbox;
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use genai_core::bpe::Token;
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use genai_core::tokenize::{disagreements, masked_positions, next_token_examples};
use leptos::prelude::*;
use std::sync::Arc;
use std::time::Duration;

pub const META_ID: &str = "tokens";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "tokens", title: "Tokenizer", embed_height: 900 };

/// The most characters of text a link carries.
pub const URL_TEXT_MAX: usize = 2000;
/// Tokens drawn as coloured spans; the counts always cover the whole text.
const SHOWN_MAX: usize = 1500;
/// Above this many bytes, tokenizing waits until typing pauses.
const DEBOUNCE_ABOVE: usize = 20_000;

pub const DEFAULT_TEXT: &str = "Unbelievable! A tokenizer cuts text into pieces it knows: unbelievable, hello vs  hello, 1234567, naïve café, 日本語のテキスト, 👩🏽‍💻.";

#[derive(Clone, Debug, PartialEq)]
pub struct TokensState {
    pub text: String,
    pub enc: Kind,
    pub compare: bool,
    pub cmp: Kind,
    pub ws: bool,
}

impl Default for TokensState {
    fn default() -> Self {
        TokensState { text: DEFAULT_TEXT.to_owned(), enc: Kind::Cl100k, compare: false, cmp: Kind::Gpt2, ws: true }
    }
}

impl UrlState for TokensState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.text("text", &self.text);
        w.choice("enc", self.enc);
        w.flag("compare", self.compare);
        w.choice("cmp", self.cmp);
        w.flag("ws", self.ws);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = TokensState::default();
        TokensState {
            text: r.text("text", URL_TEXT_MAX, &d.text),
            enc: r.choice("enc", d.enc),
            compare: r.flag("compare", d.compare),
            cmp: r.choice("cmp", d.cmp),
            ws: r.flag("ws", d.ws),
        }
    }
}

fn kind_select(label: &'static str, id: &'static str, value: Signal<Kind>, set: impl Fn(Kind) + Copy + 'static) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>{label}</span>
            <select id=id on:change=move |ev| {
                if let Some(k) = Kind::from_key(&event_target_value(&ev)) {
                    set(k);
                }
            }>
                {Kind::ALL.iter().map(|&k| view! {
                    <option value=k.key() prop:selected=move || value.get() == k>{k.title()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// One tokenization drawn as coloured spans plus its ids, with a shared highlighted token.
#[component]
fn TokenView(
    prefix: &'static str,
    kind: Signal<Kind>,
    text: Signal<String>,
    outcome: Signal<Outcome>,
    /// Per token: cut differently by the other tokenizer (compare mode).
    marks: Signal<Option<Vec<bool>>>,
    show_ws: Signal<bool>,
) -> impl IntoView {
    let active = RwSignal::new(None::<usize>);
    let focus_token = move |i: usize| {
        active.set(Some(i));
        if let Some(el) = document().get_element_by_id(&format!("{prefix}-tok-{i}")) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let n = match outcome.get_untracked() {
            Outcome::Ready(t) => t.len().min(SHOWN_MAX),
            _ => 0,
        };
        if n == 0 {
            return;
        }
        let i = active.get_untracked().unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" | "ArrowDown" => (i + 1).min(n - 1),
            "ArrowLeft" | "ArrowUp" => i.saturating_sub(1),
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        focus_token(next);
    };
    view! {
        <div class="token-view">
            {move || match outcome.get() {
                Outcome::Waiting(msg) => view! {
                    <Loading label=msg.clone() text=msg.clone()/>
                }.into_any(),
                Outcome::Failed(msg) => view! { <p class="error-panel" role="alert">{msg}</p> }.into_any(),
                Outcome::Ready(tokens) => {
                    let text_now = text.get();
                    let ws = show_ws.get();
                    let marks_now = marks.get();
                    let n = tokens.len();
                    let chars = text_now.chars().count();
                    let bytes = text_now.len();
                    let per = if n == 0 { 0.0 } else { chars as f64 / n as f64 };
                    let spans = tokens.iter().take(SHOWN_MAX).enumerate().map(|(i, t)| {
                        let (label, is_bytes) = token_label(&text_now, t, ws);
                        let differs = marks_now.as_ref().is_some_and(|m| m.get(i).copied().unwrap_or(false));
                        let name = format!("token {} of {n}, id {}{}", i + 1, t.id, if differs { ", cut differently by the other tokenizer" } else { "" });
                        view! {
                            <span
                                id=format!("{prefix}-tok-{i}")
                                class=format!("tok c{}", i % 6)
                                class:bytes=is_bytes
                                class:differs=differs
                                class:active=move || active.get() == Some(i)
                                role="listitem"
                                aria-label=name
                                tabindex=move || if active.get().unwrap_or(0) == i { "0" } else { "-1" }
                                on:mouseenter=move |_| active.set(Some(i))
                                on:focus=move |_| active.set(Some(i))
                                on:click=move |_| active.set(Some(i))
                            >{label}</span>
                        }
                    }).collect_view();
                    let ids = tokens.iter().take(SHOWN_MAX).enumerate().map(|(i, t)| view! {
                        <span class="tid" class:active=move || active.get() == Some(i)
                            on:mouseenter=move |_| active.set(Some(i))>{t.id}</span>
                    }).collect_view();
                    let more = (n > SHOWN_MAX).then(|| view! {
                        <p class="muted">{format!("Showing the first {SHOWN_MAX} of {n} tokens; the counts cover the whole text.")}</p>
                    });
                    let inspector_tokens = tokens.clone();
                    let inspector_text = text_now.clone();
                    view! {
                        <dl class="stats">
                            <div><dt>"Tokens"</dt><dd data-testid=format!("{prefix}-count")>{n}</dd></div>
                            <div><dt>"Characters"</dt><dd>{chars}</dd></div>
                            <div><dt>"Bytes"</dt><dd>{bytes}</dd></div>
                            <div><dt>"Characters per token"</dt><dd>{format!("{per:.2}")}</dd></div>
                        </dl>
                        <div class="tok-text" role="list" aria-label=format!("Tokens of the text ({})", kind.get_untracked().short()) on:keydown=on_key>
                            {spans}
                        </div>
                        {more}
                        <p class="tok-ids" role="group" aria-label="Token ids" tabindex="0">{ids}</p>
                        <p class="inspector" aria-live="polite">
                            {move || active.get().and_then(|i| inspector_tokens.get(i).map(|t| inspect(&inspector_text, i, t)))
                                .unwrap_or_else(|| "Point at or tab to a token to see its id and bytes; arrow keys move between tokens.".to_owned())}
                        </p>
                    }.into_any()
                }
            }}
        </div>
    }
}

/// A sentence describing token `i`: id, text, bytes, and any character it cuts.
fn inspect(text: &str, i: usize, t: &Token) -> String {
    let bytes = &text.as_bytes()[t.bytes.clone()];
    let mut s = format!("Token {} · id {} · {} byte{} {}", i + 1, t.id, bytes.len(), if bytes.len() == 1 { "" } else { "s" }, hex(bytes));
    match text.get(t.bytes.clone()) {
        Some(piece) => s.push_str(&format!(" · text “{piece}”")),
        None => {
            // The character(s) this token cuts into.
            let start = (0..=t.bytes.start).rev().find(|&b| text.is_char_boundary(b)).unwrap_or(0);
            let end = (t.bytes.end..=text.len()).find(|&b| text.is_char_boundary(b)).unwrap_or(text.len());
            s.push_str(&format!(
                " · these bytes are part of “{}” ({}), which this tokenizer splits across tokens",
                &text[start..end],
                hex(&text.as_bytes()[start..end])
            ));
        }
    }
    s
}

/// The tokenizer widget.
#[component]
pub fn TokenizerWidget() -> impl IntoView {
    let url = use_url_state::<TokensState>();
    let state = url.state;
    let store = Store::use_store();
    let full_text = RwSignal::new(state.get_untracked().text);
    let text = RwSignal::new(state.get_untracked().text);
    let pending = RwSignal::new(false);
    let generation = StoredValue::new(0u64);

    Effect::new(move |_| {
        let s = state.get();
        store.ensure(s.enc);
        if s.compare {
            store.ensure(s.cmp);
        }
    });

    let on_input = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let cut: String = v.chars().take(URL_TEXT_MAX).collect();
        state.update(|s| s.text = cut);
        full_text.set(v.clone());
        if v.len() <= DEBOUNCE_ABOVE {
            text.set(v);
            return;
        }
        // Long text: tokenize once typing pauses, and say so meanwhile.
        pending.set(true);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    text.set(full_text.get_untracked());
                    pending.set(false);
                }
            },
            Duration::from_millis(300),
        );
    };

    let text_sig = Signal::derive(move || text.get());
    let enc = Signal::derive(move || state.get().enc);
    let cmp = Signal::derive(move || state.get().cmp);
    let compare = Signal::derive(move || state.get().compare);
    let ws = Signal::derive(move || state.get().ws);
    let outcome_a = use_tokenization(store, enc, text_sig, Signal::derive(|| true));
    let outcome_b = use_tokenization(store, cmp, text_sig, compare);
    let ready = |o: &Outcome| match o {
        Outcome::Ready(t) => Some(Arc::clone(t)),
        _ => None,
    };
    let marks_a = Signal::derive(move || {
        if !compare.get() {
            return None;
        }
        let (a, b) = (ready(&outcome_a.get())?, ready(&outcome_b.get())?);
        Some(disagreements(&a, &b))
    });
    let marks_b = Signal::derive(move || {
        let (a, b) = (ready(&outcome_a.get())?, ready(&outcome_b.get())?);
        Some(disagreements(&b, &a))
    });
    let difference = move || {
        let (a, b) = (ready(&outcome_a.get())?, ready(&outcome_b.get())?);
        let (na, nb) = (a.len() as i64, b.len() as i64);
        let pct = if na == 0 { 0.0 } else { 100.0 * (nb - na) as f64 / na as f64 };
        let differ = marks_b.get().map(|m| m.iter().filter(|&&d| d).count()).unwrap_or(0);
        Some(match nb.cmp(&na) {
            std::cmp::Ordering::Equal => format!("Both use {na} tokens; {differ} of the second's tokens are cut differently (underlined)."),
            std::cmp::Ordering::Greater => format!("{} needs {} more tokens than {} (+{pct:.1}%); {differ} of its tokens are cut differently (underlined).", cmp.get().short(), nb - na, enc.get().short()),
            std::cmp::Ordering::Less => format!("{} needs {} fewer tokens than {} ({pct:.1}%); {differ} of its tokens are cut differently (underlined).", cmp.get().short(), na - nb, enc.get().short()),
        })
    };

    // Decoder.
    let ids_input = RwSignal::new(String::new());
    let decoded = move || {
        let input = ids_input.get();
        if input.trim().is_empty() {
            return None;
        }
        Some(parse_ids(&input).and_then(|ids| decode(store, enc.get(), &text.get(), &ids)))
    };

    // Self-supervised labels from the first tokens.
    let labels = move || {
        let tokens = ready(&outcome_a.get())?;
        let t = text.get();
        let piece = |i: usize| tokens.get(i).map(|tok| token_label(&t, tok, true).0).unwrap_or_default();
        let next: Vec<(String, String)> = next_token_examples(tokens.len(), 6, 8)
            .into_iter()
            .map(|e| (e.context.map(&piece).collect::<Vec<_>>().join(""), piece(e.target)))
            .collect();
        let masked: Vec<(String, String)> = masked_positions(&tokens, &t, 5, 1, 4)
            .into_iter()
            .map(|m| {
                let lo = m.saturating_sub(6);
                let hi = (m + 6).min(tokens.len());
                let sentence: String = (lo..hi).map(|i| if i == m { "[MASK]".to_owned() } else { piece(i) }).collect();
                (sentence, piece(m))
            })
            .collect();
        Some((next, masked))
    };

    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="tokenizer">
                <label class="field wide" for="tokens-text">
                    <span>"Text to tokenize"</span>
                    <textarea id="tokens-text" rows="4" prop:value=move || full_text.get() on:input=on_input spellcheck="false"></textarea>
                </label>
                <Show when=move || full_text.with(|t| t.chars().count() > URL_TEXT_MAX)>
                    <p class="muted">{format!("Links keep only the first {URL_TEXT_MAX} characters of the text.")}</p>
                </Show>
                <Show when=move || pending.get()>
                    <p class="loading" role="status">"Waiting for you to stop typing before tokenizing this long text…"</p>
                </Show>
                <div class="controls-row">
                    {kind_select("Tokenizer", "tokens-enc", enc, move |k| state.update(|s| s.enc = k))}
                    {flag_checkbox(state, "Compare with a second tokenizer", |s| s.compare, |s, on| s.compare = on)}
                    {flag_checkbox(state, "Show spaces and line breaks", |s| s.ws, |s, on| s.ws = on)}
                </div>
                <div class="compare-grid" class:is-comparing=move || compare.get()>
                    <section class="tok-panel" aria-label="First tokenizer">
                        <h3>{move || enc.get().title()}</h3>
                        <TokenView prefix="a" kind=enc text=text_sig outcome=outcome_a marks=marks_a show_ws=ws/>
                    </section>
                    <Show when=move || compare.get()>
                        <section class="tok-panel" aria-label="Second tokenizer">
                            {kind_select("Second tokenizer", "tokens-cmp", cmp, move |k| state.update(|s| s.cmp = k))}
                            <TokenView prefix="b" kind=cmp text=text_sig outcome=outcome_b marks=marks_b show_ws=ws/>
                            <p class="difference" role="status">{difference}</p>
                        </section>
                    </Show>
                </div>
                <details class="decoder">
                    <summary>"Decode ids back into text"</summary>
                    <label class="field wide" for="tokens-ids">
                        <span>{move || format!("Token ids for {} (separated by spaces or commas)", enc.get().short())}</span>
                        <input id="tokens-ids" type="text" inputmode="numeric" placeholder="e.g. 9642, 30035, 0"
                            prop:value=move || ids_input.get() on:input=move |ev| ids_input.set(event_target_value(&ev))/>
                    </label>
                    <p class="decoded" role="status">
                        {move || match decoded() {
                            None => view! { <span class="muted">"The decoded text appears here."</span> }.into_any(),
                            Some(Ok(s)) => view! { <span>"Text: "<q class="decoded-text">{s}</q></span> }.into_any(),
                            Some(Err(e)) => view! { <span class="error-text">{e}</span> }.into_any(),
                        }}
                    </p>
                </details>
                <details class="labels" id="labels">
                    <summary>"Labels for free: the training examples hiding in this text"</summary>
                    <p>
                        "A model in pre-training needs no one to label anything: every position in the text is a question whose answer is the text itself. "
                        "These are the first examples the tokens above give, with the first tokenizer."
                    </p>
                    {move || labels().map(|(next, masked)| view! {
                        <div class="labels-grid">
                            <table class="data-table">
                                <caption>"Next-token prediction (the model reads the context, must say what comes next)"</caption>
                                <thead><tr><th scope="col">"Context"</th><th scope="col">"Label: next token"</th></tr></thead>
                                <tbody>
                                    {next.into_iter().map(|(c, t)| view! { <tr><td class="mono">{c}</td><td class="mono strong">{t}</td></tr> }).collect_view()}
                                </tbody>
                            </table>
                            <table class="data-table">
                                <caption>"Masked-token prediction (a token is hidden, the model must fill the hole)"</caption>
                                <thead><tr><th scope="col">"Input"</th><th scope="col">"Label: hidden token"</th></tr></thead>
                                <tbody>
                                    {masked.into_iter().map(|(c, t)| view! { <tr><td class="mono">{c}</td><td class="mono strong">{t}</td></tr> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    })}
                </details>
            </div>
        </WidgetFrame>
    }
}
