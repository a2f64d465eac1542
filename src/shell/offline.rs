//! "Make available offline": fetches every file of the app once, through the service worker
//! (tools/sw/sw.js), which keeps each in its cache; the list and sizes come from `offline.json`,
//! written at build time by tools/sw/build.mjs.

use super::assets::js_get;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[derive(Clone, Debug, PartialEq)]
enum State {
    /// Not started; the list's total size in bytes if known.
    Idle(Option<u64>),
    /// Bytes saved of the total, and files done of all.
    Saving { done: u64, total: u64, files: usize, of: usize },
    Saved { total: u64, files: usize },
    Failed(String),
}

fn service_worker() -> Option<JsValue> {
    let nav = web_sys::window()?.navigator();
    let sw = js_get(&nav, "serviceWorker");
    (!sw.is_undefined() && !sw.is_null()).then_some(sw)
}

async fn fetch_ok(url: &str) -> Result<web_sys::Response, String> {
    let w = web_sys::window().ok_or("no window")?;
    let r = JsFuture::from(w.fetch_with_str(url)).await.map_err(|_| format!("{url} could not be fetched (are you offline?)"))?;
    let r: web_sys::Response = r.dyn_into().map_err(|_| "unexpected fetch result".to_owned())?;
    if !r.ok() {
        return Err(format!("{url}: the server answered {}", r.status()));
    }
    Ok(r)
}

/// The files to save: (path, size).
async fn file_list() -> Result<Vec<(String, u64)>, String> {
    let r = fetch_ok("offline.json").await?;
    let json = JsFuture::from(r.json().map_err(|_| "offline.json is damaged".to_owned())?).await.map_err(|_| "offline.json is damaged".to_owned())?;
    Ok(js_sys::Array::from(&js_get(&json, "files"))
        .iter()
        .filter_map(|f| Some((js_get(&f, "path").as_string()?, js_get(&f, "size").as_f64()? as u64)))
        .collect())
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

#[component]
pub fn OfflineControl() -> impl IntoView {
    let supported = service_worker().is_some();
    let state = RwSignal::new(State::Idle(None));
    if supported {
        leptos::task::spawn_local(async move {
            if let Ok(list) = file_list().await {
                state.set(State::Idle(Some(list.iter().map(|f| f.1).sum())));
            }
        });
    }
    let save = move |_| {
        leptos::task::spawn_local(async move {
            let result: Result<(u64, usize), String> = async {
                // Wait for the worker to be active and in control, so each fetch below lands in its cache.
                let sw = service_worker().ok_or("no service worker")?;
                let ready = js_get(&sw, "ready").dyn_into::<js_sys::Promise>().map_err(|_| "no service worker".to_owned())?;
                // A browser policy may block workers: then `ready` never settles; give up after 15 s.
                let timeout = js_sys::Promise::new(&mut |_, reject| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&reject, 15_000);
                    }
                });
                JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&ready, &timeout)))
                    .await
                    .map_err(|_| "the service worker did not start (this browser may block it)".to_owned())?;
                let list = file_list().await?;
                let total: u64 = list.iter().map(|f| f.1).sum();
                let mut done = 0;
                for (i, (path, size)) in list.iter().enumerate() {
                    state.set(State::Saving { done, total, files: i, of: list.len() });
                    let r = fetch_ok(path).await?;
                    // read the body so the whole file has passed through the worker
                    let body = r.array_buffer().map_err(|_| format!("{path} could not be read"))?;
                    JsFuture::from(body).await.map_err(|_| format!("{path} could not be read"))?;
                    done += size;
                }
                Ok((total, list.len()))
            }
            .await;
            state.set(match result {
                Ok((total, files)) => State::Saved { total, files },
                Err(e) => State::Failed(e),
            });
        });
    };
    view! {
        <section class="offline" aria-labelledby="offline-title">
            <h2 id="offline-title">"Use it offline"</h2>
            {if supported {
                view! {
                    <p>
                        "Every page you open is kept for offline use. To keep all of them at once — every section, model and "
                        "dataset — save the whole app now; it can then be installed like an app and used without a network."
                    </p>
                    <p>
                        <button type="button" class="btn" on:click=save prop:disabled=move || matches!(state.get(), State::Saving { .. })>
                            {move || match state.get() {
                                State::Idle(Some(t)) => format!("Make available offline ({})", mb(t)),
                                _ => "Make available offline".to_owned(),
                            }}
                        </button>
                    </p>
                    <div role="status" class="offline-status">
                        {move || match state.get() {
                            State::Idle(_) => view! { <span></span> }.into_any(),
                            State::Saving { done, total, files, of } => view! {
                                <p><progress aria-label="Saving for offline use" max=total.to_string() value=done.to_string()></progress>
                                " " {format!("{} of {} saved ({files} of {of} files)", mb(done), mb(total))}</p>
                            }.into_any(),
                            State::Saved { total, files } => view! { <p>{format!("Saved: {files} files, {}. Every page and widget now works without a network.", mb(total))}</p> }.into_any(),
                            State::Failed(e) => view! { <p class="error-panel">{format!("Could not save everything: {e}. What was saved stays saved; try again when online.")}</p> }.into_any(),
                        }}
                    </div>
                }.into_any()
            } else {
                view! { <p>"This browser cannot keep the app for offline use (it has no service workers); it still works while the tab stays open."</p> }.into_any()
            }}
        </section>
    }
}
