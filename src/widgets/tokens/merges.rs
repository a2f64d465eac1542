//! Merge replay: watch BPE build a word's tokens from single bytes, one merge at a time, with the
//! rank (the merge's place in the vocabulary) of each step.

use super::hex;
use super::store::{Kind, Loaded, Store};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use genai_core::bpe::{merge, Encoding, MergeStep};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use leptos::prelude::*;
use std::collections::BTreeSet;

pub const META_ID: &str = "merges";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "tokens", title: "Merge replay", embed_height: 560 };
const WORD_MAX: usize = 60;

#[derive(Clone, Debug, PartialEq)]
pub struct MergesState {
    pub word: String,
    pub enc: Kind,
    pub step: i64,
}

impl Default for MergesState {
    fn default() -> Self {
        MergesState { word: " unbelievable".to_owned(), enc: Kind::Gpt2, step: 0 }
    }
}

impl UrlState for MergesState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.text("word", &self.word);
        w.choice("enc", self.enc);
        w.int("step", self.step);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = MergesState::default();
        MergesState {
            word: r.text("word", WORD_MAX, &d.word),
            enc: r.choice("enc", d.enc),
            step: r.int("step", 0..=10_000, d.step),
        }
    }
}

/// One pre-token piece and its merges.
struct Piece {
    bytes: Vec<u8>,
    steps: Vec<MergeStep>,
}

fn pieces(enc: &Encoding, word: &str) -> Vec<Piece> {
    enc.splitter
        .split(word)
        .into_iter()
        .map(|r| {
            let bytes = word.as_bytes()[r].to_vec();
            let (_, steps) = merge(&enc.vocab, &bytes);
            Piece { bytes, steps }
        })
        .collect()
}

fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.replace(' ', "·"),
        Err(_) => hex(bytes),
    }
}

/// The tokens of a piece after its first `applied` merges, and the merge about to happen next.
fn state_after(p: &Piece, applied: usize) -> (Vec<String>, Option<(String, String, u32)>) {
    let mut cuts: BTreeSet<usize> = (0..=p.bytes.len()).collect();
    for s in &p.steps[..applied] {
        cuts.remove(&s.boundary);
    }
    let cut_list: Vec<usize> = cuts.iter().copied().collect();
    let parts = cut_list.windows(2).map(|w| show(&p.bytes[w[0]..w[1]])).collect();
    let next = p.steps.get(applied).map(|s| {
        let left = *cuts.range(..s.boundary).next_back().unwrap_or(&0);
        let right = *cuts.range(s.boundary + 1..).next().unwrap_or(&p.bytes.len());
        (show(&p.bytes[left..s.boundary]), show(&p.bytes[s.boundary..right]), s.rank)
    });
    (parts, next)
}

#[component]
pub fn MergesWidget() -> impl IntoView {
    let url = use_url_state::<MergesState>();
    let state = url.state;
    let store = Store::use_store();
    Effect::new(move |_| store.ensure(state.get().enc));
    let real = |k: Kind| Kind::REAL.contains(&k);
    Effect::new(move |_| {
        if !real(state.get().enc) {
            state.update(|s| s.enc = Kind::Gpt2);
        }
    });

    let analysis = Memo::new(move |_| {
        let s = state.get();
        match store.get(s.enc) {
            Some(Loaded::Ready(enc)) => {
                let ps = pieces(&enc, &s.word);
                let total: usize = ps.iter().map(|p| p.steps.len()).sum();
                let step = (s.step.max(0) as usize).min(total);
                let mut left = step;
                let mut rows = Vec::new();
                let mut next = None;
                for p in &ps {
                    let applied = left.min(p.steps.len());
                    left -= applied;
                    let (parts, n) = state_after(p, applied);
                    if next.is_none() && applied < p.steps.len() {
                        next = n;
                    }
                    rows.push(parts);
                }
                Ok((rows, next, step, total))
            }
            Some(Loaded::Failed(e)) => Err(e),
            _ => Err("Loading the vocabulary…".to_owned()),
        }
    });
    let total = move || analysis.with(|a| a.as_ref().map(|x| x.3).unwrap_or(0));
    let step = move || analysis.with(|a| a.as_ref().map(|x| x.2).unwrap_or(0));
    let set_step = move |n: usize| state.update(|s| s.step = n as i64);

    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="merges">
                <div class="controls-row">
                    <label class="field" for="merges-word">
                        <span>"Word or phrase (a leading space matters)"</span>
                        <input id="merges-word" type="text" maxlength=WORD_MAX.to_string() prop:value=move || state.get().word
                            on:input=move |ev| {
                                let v: String = event_target_value(&ev).chars().take(WORD_MAX).collect();
                                state.update(|s| { s.word = v; s.step = 0; });
                            }/>
                    </label>
                    <label class="field" for="merges-enc">
                        <span>"Vocabulary"</span>
                        <select id="merges-enc" on:change=move |ev| {
                            if let Some(k) = Kind::from_key(&event_target_value(&ev)) {
                                state.update(|s| { s.enc = k; s.step = 0; });
                            }
                        }>
                            {Kind::REAL.iter().map(|&k| view! {
                                <option value=k.key() prop:selected=move || state.get().enc == k>{k.title()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <div class="controls-row">
                    <button type="button" class="btn" on:click=move |_| set_step(step().saturating_sub(1)) prop:disabled=move || { step() == 0 }>"◀ Previous merge"</button>
                    <label class="field slider" for="merges-step">
                        <span>{move || format!("Merge step {} of {}", step(), total())}</span>
                        <input id="merges-step" type="range" min="0" max=move || total().to_string() step="1"
                            prop:value=move || step().to_string()
                            on:input=move |ev| set_step(event_target_value(&ev).parse().unwrap_or(0))/>
                    </label>
                    <button type="button" class="btn" on:click=move |_| set_step((step() + 1).min(total())) prop:disabled=move || { step() >= total() }>"Next merge ▶"</button>
                </div>
                {move || match analysis.get() {
                    Err(msg) => view! { <p class="loading" role="status">{msg}</p> }.into_any(),
                    Ok((rows, next, step, total)) => view! {
                        <div class="merge-rows" aria-live="polite">
                            {rows.into_iter().map(|parts| view! {
                                <p class="merge-row" role="list" aria-label="Tokens of this piece at this step">
                                    {parts.into_iter().enumerate().map(|(i, p)| view! { <span role="listitem" class=format!("tok c{}", i % 6)>{p}</span> }).collect_view()}
                                </p>
                            }).collect_view()}
                        </div>
                        <p class="merge-next" role="status">
                            {match next {
                                Some((l, r, rank)) => format!("Next merge: “{l}” + “{r}” → “{l}{r}”, rank {rank} (learned as merge number {}).", rank.saturating_sub(255)),
                                None if total == 0 => "Nothing to merge: this is a single byte.".to_owned(),
                                None => format!("Done after {step} merges: no remaining pair is in the vocabulary, so these are the final tokens."),
                            }}
                        </p>
                    }.into_any(),
                }}
            </div>
        </WidgetFrame>
    }
}
