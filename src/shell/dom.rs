//! Small browser helpers. Every call tolerates a missing API (old browser, sandboxed iframe):
//! it does nothing or returns a neutral value rather than panic.

use genai_core::query::Query;
use leptos::prelude::window;
use std::cell::RefCell;
use wasm_bindgen::JsValue;

thread_local! {
    /// The query string as the app last set or saw it.
    static LAST_SEARCH: RefCell<String> = RefCell::new(String::new());
}

fn remember_search() {
    let s = window().location().search().unwrap_or_default();
    LAST_SEARCH.with(|l| *l.borrow_mut() = s);
}

/// Whether the query string differs from the one the app last set or saw (and remember it).
pub fn search_changed() -> bool {
    let now = window().location().search().unwrap_or_default();
    LAST_SEARCH.with(|l| {
        let changed = *l.borrow() != now;
        *l.borrow_mut() = now;
        changed
    })
}

/// The current query string, parsed.
pub fn current_query() -> Query {
    let s = window().location().search().unwrap_or_default();
    LAST_SEARCH.with(|l| {
        if l.borrow().is_empty() {
            *l.borrow_mut() = s.clone();
        }
    });
    Query::parse(&s)
}

/// `origin + pathname` of the current document: the base every share link is built on.
pub fn base_url() -> String {
    let loc = window().location();
    format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default())
}

/// The URL for `query` at the current path, relative (`?a=1`, or `./` when empty).
pub fn relative_url(query: &Query) -> String {
    if query.is_empty() {
        window().location().pathname().unwrap_or_else(|_| "./".into())
    } else {
        query.to_string()
    }
}

/// Replaces the current history entry's query (no reload, no new entry).
pub fn replace_query(query: &Query) {
    let url = relative_url(query);
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    remember_search();
}

/// Adds a history entry for `href` (relative to the current URL).
pub fn push_url(href: &str) {
    if let Ok(h) = window().history() {
        let _ = h.push_state_with_url(&JsValue::NULL, "", Some(href));
    }
    remember_search();
}

/// Whether a CSS media query matches now.
pub fn media_matches(query: &str) -> bool {
    window().match_media(query).ok().flatten().map(|m| m.matches()).unwrap_or(false)
}

/// `prefers-reduced-motion: reduce`.
pub fn prefers_reduced_motion() -> bool {
    media_matches("(prefers-reduced-motion: reduce)")
}

/// A value from localStorage (None when storage is blocked).
pub fn storage_get(key: &str) -> Option<String> {
    window().local_storage().ok().flatten()?.get_item(key).ok().flatten()
}

/// Stores a value in localStorage; silently does nothing when storage is blocked.
pub fn storage_set(key: &str, value: &str) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = s.set_item(key, value);
    }
}

/// Whether the page is in embed mode (`?embed=…`), decided once at start-up.
pub fn is_embed() -> bool {
    current_query().get("embed").is_some()
}

/// Offers `href` (a data: URL) to the visitor as a file called `filename`.
pub fn download(filename: &str, href: &str) {
    use wasm_bindgen::JsCast;
    let doc = leptos::prelude::document();
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", href);
        let _ = a.set_attribute("download", filename);
        if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
            a.click();
        }
    }
}

/// `text` as a data: URL of the given MIME type.
pub fn data_url(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", String::from(js_sys::encode_uri_component(text)))
}

/// Lets the browser handle events and paint before the next slice of a long job (a zero-delay
/// timeout: the job resumes after pending input and rendering).
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Saves the first canvas matching `selector` inside `root` as a PNG file named `filename`.
pub fn download_canvas(root: &web_sys::Element, selector: &str, filename: &str) {
    use wasm_bindgen::JsCast;
    let canvas = root.query_selector(selector).ok().flatten().and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok());
    if let Some(url) = canvas.and_then(|c| c.to_data_url().ok()) {
        download(filename, &url);
    }
}

/// The messages an embedded widget posts to the page around its iframe (documented in the README,
/// "Messages to the embedding page"). Every message is a plain object with
/// `source: "genai-explorables"`, a `type`, and the embed id as `widget`.
pub mod parent {
    use wasm_bindgen::JsValue;

    /// The embed id (`?embed=<id>`) when this document is an embed inside another page's frame.
    fn embedded_widget() -> Option<String> {
        let w = web_sys::window()?;
        let parent = w.parent().ok().flatten()?;
        // a top-level page is its own parent: nobody to tell
        if js_sys::Object::is(&parent, &w) {
            return None;
        }
        super::current_query().get("embed").map(str::to_owned)
    }

    /// Posts `{source, type: kind, widget, …fields}` to the parent page, if there is one. The
    /// messages carry no private data, so any parent origin may receive them ("*").
    pub fn post(kind: &str, fields: &[(&str, JsValue)]) {
        let Some(widget) = embedded_widget() else { return };
        let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else { return };
        let msg = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(k), v);
        };
        set("source", &JsValue::from_str("genai-explorables"));
        set("type", &JsValue::from_str(kind));
        set("widget", &JsValue::from_str(&widget));
        for (k, v) in fields {
            set(k, v);
        }
        let _ = parent.post_message(&msg, "*");
    }

    /// In an embed, reports the document's height to the parent (`type: "height"`, CSS pixels)
    /// now and whenever it changes, so the page can size the iframe to fit.
    pub fn report_height() {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        if embedded_widget().is_none() {
            return;
        }
        let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
        let last = std::rc::Rc::new(std::cell::Cell::new(0i32));
        let send = move || {
            let Some(doc) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
            let h = doc.scroll_height().max(doc.get_bounding_client_rect().height().ceil() as i32);
            if h != last.get() {
                last.set(h);
                post("height", &[("height", JsValue::from_f64(h as f64))]);
            }
        };
        send();
        let cb = Closure::<dyn FnMut()>::new(send);
        if let Ok(observer) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            observer.observe(&body);
        }
        cb.forget(); // lives as long as the page
    }
}
