//! The frame around every widget: its heading, notices from its URL state, an error boundary, and
//! the "Share / embed" control. In embed mode (`?embed=<id>`) the frame is the whole page.

use super::dom;
use super::lesson::{self, Scan};
use genai_core::lesson::Lesson;
use genai_core::query::{Notice, Query};
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The fixed facts about a widget that the frame needs.
#[derive(Clone, Copy, Debug)]
pub struct WidgetMeta {
    /// Embed id and URL-state prefix (equal to the state's `UrlState::ID`).
    pub id: &'static str,
    /// The `page=` key of the section the widget lives in.
    pub page: &'static str,
    pub title: &'static str,
    /// A good iframe height in CSS pixels for the embed snippet.
    pub embed_height: u32,
}

/// Wraps a widget: heading, notices, error boundary and sharing.
#[component]
pub fn WidgetFrame(
    meta: WidgetMeta,
    /// The widget's state as a query string (`?id.field=…`), for links.
    #[prop(into)]
    share_query: Signal<String>,
    notices: RwSignal<Vec<Notice>>,
    children: Children,
) -> impl IntoView {
    let embed = dom::is_embed();
    if embed {
        dom::parent::report_height();
    }
    let heading_id = format!("{}-title", meta.id);
    // A lesson link's hidden and locked controls (see shell::lesson).
    let (lesson, lesson_notices) = Lesson::read(&dom::current_query(), meta.id);
    if !lesson_notices.is_empty() {
        notices.update(|n| n.extend(lesson_notices));
    }
    let scan = RwSignal::new(Scan::default());
    let body_ref = NodeRef::<leptos::html::Div>::new();
    let hint_id = format!("{}-lesson-locked", meta.id);
    {
        let (lesson, hint_id) = (lesson.clone(), hint_id.clone());
        // Runs once the body is in the document; the observer it starts stops with the effect.
        Effect::new(move |_| {
            if let Some(body) = body_ref.get() {
                lesson::watch(body.into(), lesson.clone(), hint_id.clone(), scan);
            }
        });
    }
    // "Open in GenAI Explorables" keeps a lesson link's hidden and locked controls.
    let full_link = {
        let lesson = lesson.clone();
        Signal::derive(move || {
            let mut q = Query::parse(&share_query.get());
            lesson.write(&mut q, meta.id);
            page_url(meta.page, &q.to_string())
        })
    };
    let heading = if embed {
        view! { <h1 id=heading_id.clone() class="widget-title">{meta.title}</h1> }.into_any()
    } else {
        view! { <h2 id=heading_id.clone() class="widget-title">{meta.title}</h2> }.into_any()
    };
    view! {
        <section class="widget" data-widget=meta.id aria-labelledby=heading_id>
            <div class="widget-head">
                {heading}
                {embed.then(|| view! {
                    <a class="open-full" href=move || full_link.get() target="_blank" rel="noopener">
                        "Open in GenAI Explorables ↗"
                    </a>
                })}
            </div>
            <Notices notices=notices/>
            {(!lesson.is_empty()).then(|| view! { <LessonNote lesson=lesson.clone() scan=scan hint_id=hint_id/> })}
            <div class="widget-body" node_ref=body_ref>
                <ErrorBoundary fallback=|errors| view! {
                    <div class="error-panel" role="alert">
                        <strong>"This widget ran into a problem."</strong>
                        <ul>
                            {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
                        </ul>
                    </div>
                }>
                    {children()}
                </ErrorBoundary>
            </div>
            {(!embed).then(|| view! { <ShareEmbed meta=meta share_query=share_query scan=scan lesson=lesson/> })}
        </section>
    }
}

/// Notices about link values that could not be used; dismissable.
#[component]
fn Notices(notices: RwSignal<Vec<Notice>>) -> impl IntoView {
    view! {
        <Show when=move || !notices.with(|n| n.is_empty())>
            <div class="notice" role="status">
                <p><strong>"Some settings in this link could not be used:"</strong></p>
                <ul>
                    {move || notices.get().into_iter().map(|n| view! { <li>{n.to_string()}</li> }).collect_view()}
                </ul>
                <button type="button" class="btn btn-small" on:click=move |_| notices.set(Vec::new())>
                    "Dismiss"
                </button>
            </div>
        </Show>
    }
}

fn page_url(page: &str, share_query: &str) -> String {
    let state = share_query.trim_start_matches('?');
    let sep = if state.is_empty() { "" } else { "&" };
    format!("{}?page={page}{sep}{state}", dom::base_url())
}

fn embed_url(id: &str, share_query: &str) -> String {
    let state = share_query.trim_start_matches('?');
    let sep = if state.is_empty() { "" } else { "&" };
    format!("{}?embed={id}{sep}{state}", dom::base_url())
}

/// Escapes text for use inside a double-quoted HTML attribute.
fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// What a lesson link says, above the widget: how many controls are hidden, which are locked, and
/// the keys it names that the widget does not have. Locked controls are described by `hint_id`.
#[component]
fn LessonNote(lesson: Lesson, scan: RwSignal<Scan>, hint_id: String) -> impl IntoView {
    let lesson = StoredValue::new(lesson);
    let hidden = move || scan.with(|s| lesson.with_value(|l| s.controls.iter().filter(|c| l.hide.contains(&c.key)).count()));
    let locked = move || scan.with(|s| lesson.with_value(|l| s.controls.iter().filter(|c| l.lock.contains(&c.key)).map(|c| c.name.clone()).collect::<Vec<_>>().join(", ")));
    let unknown = move || scan.with(|s| s.unknown.join(", "));
    view! {
        <div class="lesson-note" role="note" aria-label="Lesson link">
            <Show when=move || { hidden() > 0 }>
                <p>{move || match hidden() { 1 => "One control is hidden by this lesson link.".to_owned(), n => format!("{n} controls are hidden by this lesson link.") }}</p>
            </Show>
            <p hidden=move || locked().is_empty()>
                <span id=hint_id>"Locked by this lesson link"</span>": " {locked}
            </p>
            <Show when=move || !unknown().is_empty()>
                <p>"This link names controls this widget does not have, which were ignored: " {unknown}</p>
            </Show>
        </div>
    }
}

/// The "Share / embed" disclosure: a link to this exact view and an iframe snippet, and the
/// lesson-link choices they carry (start from the current state or the defaults; hide / lock).
#[component]
fn ShareEmbed(meta: WidgetMeta, share_query: Signal<String>, scan: RwSignal<Scan>, lesson: Lesson) -> impl IntoView {
    let hide = RwSignal::new(lesson.hide);
    let lock = RwSignal::new(lesson.lock);
    let from_defaults = RwSignal::new(false);
    let query = Signal::derive(move || {
        let mut q = if from_defaults.get() { Query::default() } else { Query::parse(&share_query.get()) };
        Lesson { hide: hide.get(), lock: lock.get() }.write(&mut q, meta.id);
        q.to_string()
    });
    let link = Signal::derive(move || page_url(meta.page, &query.get()));
    let snippet = Signal::derive(move || {
        format!(
            "<iframe src=\"{}\" title=\"{} — GenAI Explorables\" width=\"100%\" height=\"{}\" style=\"border:0;max-width:960px\" loading=\"lazy\"></iframe>",
            attr_escape(&embed_url(meta.id, &query.get())),
            attr_escape(meta.title),
            meta.embed_height
        )
    });
    let status = RwSignal::new(String::new());
    let copy = move |text: String, what: &'static str| {
        status.set(String::new());
        let clipboard = window().navigator().clipboard();
        let promise = clipboard.write_text(&text);
        leptos::task::spawn_local(async move {
            match JsFuture::from(promise).await {
                Ok(_) => status.set(format!("{what} copied.")),
                Err(_) => status.set(format!("Copying was blocked: select the {what} and copy it by hand.")),
            }
        });
    };
    let link_id = format!("{}-share-link", meta.id);
    let snippet_id = format!("{}-share-embed", meta.id);
    // The lesson part lists every control by name: built only while the panel is open, so that
    // the widget's own text is not repeated in the page (for readers and tests) while it is closed.
    let open = RwSignal::new(false);
    view! {
        <details class="share" on:toggle=move |ev| {
            use wasm_bindgen::JsCast;
            if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                open.set(d.open());
            }
        }>
            <summary>"Share / embed"</summary>
            <div class="share-body">
                <label for=link_id.clone()>"Link to this exact view"</label>
                <div class="share-row">
                    <input id=link_id type="text" readonly prop:value=move || link.get()
                        on:focus=|ev| select_target(&ev)/>
                    <button type="button" class="btn" on:click=move |_| copy(link.get_untracked(), "Link")>
                        "Copy link"
                    </button>
                </div>
                <label for=snippet_id.clone()>"Embed code (paste into any web page or course site)"</label>
                <div class="share-row">
                    <textarea id=snippet_id readonly rows="3" prop:value=move || snippet.get()
                        on:focus=|ev| select_target(&ev)></textarea>
                    <button type="button" class="btn" on:click=move |_| copy(snippet.get_untracked(), "Embed code")>
                        "Copy embed code"
                    </button>
                </div>
                <p class="share-status" role="status">{move || status.get()}</p>
                <Show when=move || open.get()>
                    <LessonChoices id=meta.id scan=scan hide=hide lock=lock from_defaults=from_defaults/>
                </Show>
            </div>
        </details>
    }
}

/// Toggles `key` in a list of keys.
fn toggle_key(list: RwSignal<Vec<String>>, key: &str, on: bool) {
    list.update(|l| {
        l.retain(|k| k != key);
        if on {
            l.push(key.to_owned());
        }
    });
}

/// The lesson-link part of the Share panel: where to start from, and a Hide / Lock pair per control.
#[component]
fn LessonChoices(id: &'static str, scan: RwSignal<Scan>, hide: RwSignal<Vec<String>>, lock: RwSignal<Vec<String>>, from_defaults: RwSignal<bool>) -> impl IntoView {
    let group = format!("{id}-lesson-start");
    view! {
        <fieldset class="lesson-builder">
            <legend>"Lesson link: hide or lock controls"</legend>
            <p class="muted">"The link and embed code above follow these choices. Hidden controls keep the link's value; locked ones are shown but cannot be changed."</p>
            <fieldset class="radio-row">
                <legend>"Start from"</legend>
                <label class="check"><input type="radio" name=group.clone() prop:checked=move || !from_defaults.get() on:change=move |_| from_defaults.set(false)/>"The current state"</label>
                <label class="check"><input type="radio" name=group prop:checked=move || from_defaults.get() on:change=move |_| from_defaults.set(true)/>"The widget's defaults"</label>
            </fieldset>
            <Show when=move || scan.with(|s| s.controls.is_empty())>
                <p>"This widget has no controls to hide or lock (yet: some appear once its data has loaded)."</p>
            </Show>
            <ul class="lesson-controls" aria-label="Controls of this widget">
                <For each=move || scan.with(|s| s.controls.clone()) key=|c| c.key.clone() let:c>
                    {
                        let (k1, k2, k3, k4) = (c.key.clone(), c.key.clone(), c.key.clone(), c.key.clone());
                        view! {
                            <li>
                                <span class="lesson-name">{c.name.clone()}</span>" "<code>{c.key.clone()}</code>
                                <label class="check"><input type="checkbox" aria-label=format!("Hide {}", c.name)
                                    prop:checked=move || hide.with(|h| h.contains(&k1))
                                    on:change=move |ev| toggle_key(hide, &k2, event_target_checked(&ev))/>"Hide"</label>
                                <label class="check"><input type="checkbox" aria-label=format!("Lock {}", c.name)
                                    prop:checked=move || lock.with(|l| l.contains(&k3))
                                    on:change=move |ev| toggle_key(lock, &k4, event_target_checked(&ev))/>"Lock"</label>
                            </li>
                        }
                    }
                </For>
            </ul>
        </fieldset>
    }
}

fn select_target(ev: &web_sys::FocusEvent) {
    use wasm_bindgen::JsCast;
    if let Some(t) = ev.target() {
        if let Ok(i) = t.clone().dyn_into::<web_sys::HtmlInputElement>() {
            i.select();
        } else if let Ok(a) = t.dyn_into::<web_sys::HtmlTextAreaElement>() {
            a.select();
        }
    }
}

/// "Loading …" with an indeterminate progress bar named `label`, announced politely: what every
/// widget shows while its data or code arrives.
#[component]
pub fn Loading(#[prop(into)] label: String, #[prop(into)] text: String) -> impl IntoView {
    let downloads = super::assets::downloads();
    view! {
        <div class="loading" role="status">
            <p><progress aria-label=label.clone()></progress>" "{text}</p>
            // Files of this page in flight, with the bytes received of the total.
            {move || downloads.get().into_iter().map(|d| {
                let mb = |b: u64| format!("{:.1}", b as f64 / 1e6);
                let said = match d.total {
                    Some(t) => format!("{}: {} of {} MB", d.path, mb(d.received), mb(t)),
                    None => format!("{}: {} MB so far", d.path, mb(d.received)),
                };
                let bar_label = format!("Downloading {}", d.path);
                view! {
                    <p class="download">
                        {match d.total {
                            Some(t) => view! { <progress aria-label=bar_label max=t.to_string() value=d.received.to_string()></progress> }.into_any(),
                            None => view! { <progress aria-label=bar_label></progress> }.into_any(),
                        }}
                        " " <span class="muted">{said}</span>
                    </p>
                }
            }).collect_view()}
        </div>
    }
}
