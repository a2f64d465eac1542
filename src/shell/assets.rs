//! Lazy data assets: files under `public/` fetched from our own origin when a section needs them.
//! URLs are relative, so they resolve under whatever path the app is hosted at.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A download in flight: bytes received so far of the total the server announced (if it did).
#[derive(Clone, Debug, PartialEq)]
pub struct Download {
    pub path: String,
    pub received: u64,
    pub total: Option<u64>,
}

/// Downloads at least this large are listed while they run (smaller ones finish before a bar helps).
pub const SHOW_FROM_BYTES: u64 = 200_000;

thread_local! {
    // Reference-counted, not owned by whichever component first asked: it outlives them all.
    static DOWNLOADS: ArcRwSignal<Vec<Download>> = ArcRwSignal::new(Vec::new());
}

/// The downloads of this module now in flight (only those of at least [`SHOW_FROM_BYTES`], or of
/// unknown size), for progress bars.
pub fn downloads() -> Signal<Vec<Download>> {
    let all = DOWNLOADS.with(|d| d.clone());
    Signal::derive(move || all.with(|v| v.iter().filter(|d| d.total.is_none_or(|t| t >= SHOW_FROM_BYTES)).cloned().collect()))
}

/// Records a download's progress (`done` removes it); fetch_bytes and the sections' loader call it.
pub fn report_progress(path: &str, received: u64, total: Option<u64>, done: bool) {
    DOWNLOADS.with(|d| {
        d.update(|v| {
            v.retain(|x| x.path != path);
            if !done {
                v.push(Download { path: path.to_owned(), received, total });
            }
        })
    });
}

/// Fetches `public/<path>` as bytes, reading the body chunk by chunk so that [`downloads`] reports
/// real progress; the error is a sentence for the visitor.
pub async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    let url = format!("public/{path}");
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|_| format!("Could not load {url}: the network request failed. Check your connection and reload."))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "unexpected fetch result".to_owned())?;
    if !response.ok() {
        return Err(format!("Could not load {url}: the server answered {}.", response.status()));
    }
    // Content-Length is the size on the wire: with compression it is smaller than the body, and
    // then no total is claimed.
    let encoded = response.headers().get("content-encoding").ok().flatten().is_some_and(|e| !e.is_empty() && e != "identity");
    let total = if encoded { None } else { response.headers().get("content-length").ok().flatten().and_then(|v| v.trim().parse::<u64>().ok()) };
    let Some(body) = response.body() else {
        let buffer = response.array_buffer().map_err(|_| format!("Could not read {url}."))?;
        let buffer = JsFuture::from(buffer).await.map_err(|_| format!("Could not read {url}."))?;
        return Ok(js_sys::Uint8Array::new(&buffer).to_vec());
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().dyn_into().map_err(|_| format!("Could not read {url}."))?;
    let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
    report_progress(path, 0, total, false);
    let result = loop {
        let chunk = match JsFuture::from(reader.read()).await {
            Ok(c) => c,
            Err(_) => break Err(format!("Could not load {url}: the download was interrupted. Check your connection and reload.")),
        };
        if js_get(&chunk, "done").as_bool().unwrap_or(true) {
            break Ok(bytes);
        }
        let value = js_get(&chunk, "value");
        if let Some(part) = value.dyn_ref::<js_sys::Uint8Array>() {
            let start = bytes.len();
            bytes.resize(start + part.length() as usize, 0);
            part.copy_to(&mut bytes[start..]);
        }
        report_progress(path, bytes.len() as u64, total, false);
    };
    report_progress(path, 0, None, true);
    result
}

/// Fetches `public/<path>` as UTF-8 text (invalid bytes become U+FFFD).
pub async fn fetch_text(path: &str) -> Result<String, String> {
    fetch_bytes(path).await.map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A field of a parsed JSON object (`undefined` when missing).
pub fn js_get(v: &wasm_bindgen::JsValue, key: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
}

/// A JSON array of strings (non-strings become empty strings).
pub fn js_strings(v: &wasm_bindgen::JsValue) -> Vec<String> {
    js_sys::Array::from(v).iter().map(|s| s.as_string().unwrap_or_default()).collect()
}
