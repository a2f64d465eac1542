//! Train your own BPE: learn merges from Moby Dick or from your own text, live, a few per frame.

use super::hex;
use super::store::Store;
use crate::shell::anim::{use_animation_loop, FrameInfo, LoopControls, LoopOptions};
use crate::shell::assets;
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{WidgetFrame, WidgetMeta};
use genai_core::bpe_train::{Trainer, MAX_VOCAB};
use genai_core::query::{Choice, StateReader, StateWriter, UrlState};
use leptos::html::Div;
use leptos::prelude::*;
use std::sync::Arc;

pub const META_ID: &str = "bpe-train";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "tokens", title: "Train your own BPE tokenizer", embed_height: 720 };
const OWN_TEXT_MAX: usize = 2000;
const SIZE_MAX: i64 = 5000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Corpus {
    #[default]
    MobyDick,
    Own,
}

impl Choice for Corpus {
    const ALL: &'static [Corpus] = &[Corpus::MobyDick, Corpus::Own];
    fn key(self) -> &'static str {
        match self {
            Corpus::MobyDick => "moby-dick",
            Corpus::Own => "own",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrainState {
    pub corpus: Corpus,
    pub size: i64,
    pub text: String,
}

impl Default for TrainState {
    fn default() -> Self {
        TrainState { corpus: Corpus::MobyDick, size: 1256, text: "the cat sat on the mat; the cat ate the rat. That cat! Those cats.".to_owned() }
    }
}

impl UrlState for TrainState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.choice("corpus", self.corpus);
        w.int("size", self.size);
        w.text("text", &self.text);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = TrainState::default();
        TrainState {
            corpus: r.choice("corpus", d.corpus),
            size: r.int("size", 257..=SIZE_MAX, d.size),
            text: r.text("text", OWN_TEXT_MAX, &d.text),
        }
    }
}

/// 1190317 → "1,190,317".
fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => format!("“{}”", s.replace(' ', "·").replace('\n', "↵")),
        Err(_) => hex(bytes),
    }
}

#[component]
pub fn TrainWidget() -> impl IntoView {
    let url = use_url_state::<TrainState>();
    let state = url.state;
    let store = Store::use_store();
    let moby = RwSignal::new(None::<Result<Arc<String>, String>>);
    let trainer = StoredValue::new_local(None::<Trainer>);
    // Bumped whenever the trainer changes, so the view re-reads it.
    let version = RwSignal::new(0u64);
    let error = RwSignal::new(None::<String>);
    let root = NodeRef::<Div>::new();

    // Load Moby Dick when it is the chosen corpus.
    Effect::new(move |_| {
        if state.get().corpus == Corpus::MobyDick && moby.get_untracked().is_none() {
            moby.set(Some(Err("Loading Moby Dick (1.2 MB)…".to_owned())));
            leptos::task::spawn_local(async move {
                let r = assets::fetch_text("tokens/moby-dick.txt").await.map(Arc::new);
                moby.set(Some(r.map_err(|e| e.to_string())));
            });
        }
    });

    let corpus_text = move || -> Result<Arc<String>, String> {
        let s = state.get_untracked();
        match s.corpus {
            Corpus::Own => Ok(Arc::new(s.text)),
            Corpus::MobyDick => moby.get_untracked().unwrap_or_else(|| Err("Moby Dick is not loaded yet.".to_owned())),
        }
    };
    let reset = move || {
        trainer.set_value(None);
        error.set(None);
        version.update(|v| *v += 1);
    };
    // Any change of settings starts over.
    Effect::new(move |prev: Option<()>| {
        state.track();
        if prev.is_some() {
            reset();
        }
    });

    let publish = move || {
        trainer.with_value(|t| {
            if let Some(t) = t {
                store.set_trained(Arc::new(t.encoding()));
            }
        });
    };

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: 5 }, move |f: FrameInfo| {
        if trainer.with_value(Option::is_none) {
            let corpus = match corpus_text() {
                Ok(c) => c,
                Err(e) => {
                    error.set(Some(e));
                    return;
                }
            };
            match Trainer::new(&corpus, state.get_untracked().size as usize) {
                Ok(t) => trainer.set_value(Some(t)),
                Err(e) => {
                    error.set(Some(format!("Cannot train: {e}.")));
                    return;
                }
            }
        }
        let mut finished = false;
        trainer.update_value(|t| {
            if let Some(t) = t {
                for _ in 0..f.work {
                    if t.step().is_none() {
                        finished = true;
                        break;
                    }
                }
                finished |= t.done();
            }
        });
        version.update(|v| *v += 1);
        if finished {
            publish();
        }
    });
    // Stop the loop when training has finished.
    Effect::new(move |_| {
        version.track();
        if anim.playing.get_untracked() && trainer.with_value(|t| t.as_ref().is_some_and(|t| t.done())) {
            anim.pause();
        }
    });

    let summary = move || {
        version.track();
        trainer.with_value(|t| match t {
            None => "Not trained yet: press Train.".to_owned(),
            Some(t) => {
                let merges = t.merges().len();
                let base = format!(
                    "{merges} merges learned · vocabulary {} of {} tokens · {} distinct words in the corpus.",
                    t.vocab_size(),
                    t.target(),
                    group(t.distinct_words())
                );
                if t.exhausted {
                    format!("{base} The corpus is too small for more: no pair of tokens occurs any more, so training stopped at {} tokens.", t.vocab_size())
                } else if t.done() {
                    format!("{base} Done: the tokenizer above can now use it (choose “BPE trained on this page”).")
                } else {
                    base
                }
            }
        })
    };
    let progress = move || {
        version.track();
        trainer.with_value(|t| t.as_ref().map(|t| (t.vocab_size() - 256, t.target() - 256)).unwrap_or((0, 1)))
    };
    let recent = move || {
        version.track();
        trainer.with_value(|t| {
            t.as_ref()
                .map(|t| {
                    let ms = t.merges();
                    ms.iter()
                        .enumerate()
                        .rev()
                        .take(12)
                        .map(|(i, m)| (i + 1, show(t.token(m.left)), show(t.token(m.right)), show(t.token(m.id)), m.count))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };

    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            <div class="train" node_ref=root>
                <div class="controls-row">
                    <label class="field" for="train-corpus">
                        <span>"Training text"</span>
                        <select id="train-corpus" on:change=move |ev| {
                            if let Some(c) = Corpus::from_key(&event_target_value(&ev)) {
                                state.update(|s| s.corpus = c);
                            }
                        }>
                            <option value="moby-dick" prop:selected=move || state.get().corpus == Corpus::MobyDick>"Moby Dick (public domain, 1.2 MB)"</option>
                            <option value="own" prop:selected=move || state.get().corpus == Corpus::Own>"My own text"</option>
                        </select>
                    </label>
                    <label class="field slider" for="train-size">
                        <span>{move || format!("Vocabulary size: {} tokens (256 bytes + {} merges)", state.get().size, state.get().size - 256)}</span>
                        <input id="train-size" type="range" min="257" max=SIZE_MAX.to_string() step="1"
                            prop:value=move || state.get().size.to_string()
                            on:change=move |ev| {
                                let v = event_target_value(&ev).parse::<i64>().unwrap_or(1256).clamp(257, SIZE_MAX.min(MAX_VOCAB as i64));
                                state.update(|s| s.size = v);
                            }/>
                    </label>
                </div>
                <Show when=move || state.get().corpus == Corpus::Own>
                    <label class="field wide" for="train-text">
                        <span>{format!("Your training text (up to {OWN_TEXT_MAX} characters)")}</span>
                        <textarea id="train-text" rows="3" maxlength=OWN_TEXT_MAX.to_string() prop:value=move || state.get().text
                            on:change=move |ev| {
                                let v: String = event_target_value(&ev).chars().take(OWN_TEXT_MAX).collect();
                                state.update(|s| s.text = v);
                            }></textarea>
                    </label>
                </Show>
                <p class="loading" role="status">
                    {move || match (state.get().corpus, moby.get()) {
                        (Corpus::MobyDick, Some(Err(msg))) => msg,
                        (Corpus::MobyDick, Some(Ok(t))) => format!("Moby Dick loaded: {} characters.", group(t.chars().count())),
                        _ => String::new(),
                    }}
                </p>
                <div class="controls-row">
                    <LoopControls anim=anim play_label="Train" step_label="Learn one merge" speeds=&[1, 5, 20, 100] speed_label="Merges per frame"/>
                    <button type="button" class="btn" on:click=move |_| { anim.pause(); reset(); }>"Start over"</button>
                </div>
                {move || {
                    let (done, target) = progress();
                    view! { <progress class="train-progress" max=target.to_string() value=done.to_string() aria-label="Merges learned"></progress> }
                }}
                <p class="train-summary" role="status">{summary}</p>
                {move || error.get().map(|e| view! { <p class="error-panel" role="alert">{e}</p> })}
                <table class="data-table merges-table">
                    <caption>"The most recent merges (newest first)"</caption>
                    <thead><tr><th scope="col">"#"</th><th scope="col">"Left"</th><th scope="col">"Right"</th><th scope="col">"New token"</th><th scope="col">"Pair count"</th></tr></thead>
                    <tbody>
                        {move || recent().into_iter().map(|(n, l, r, t, c)| view! {
                            <tr><td>{n}</td><td class="mono">{l}</td><td class="mono">{r}</td><td class="mono strong">{t}</td><td>{c}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </WidgetFrame>
    }
}
