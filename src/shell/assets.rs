//! Lazy data assets: files under `public/` fetched from our own origin when a section needs them.
//! URLs are relative, so they resolve under whatever path the app is hosted at.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Fetches `public/<path>` as bytes; the error is a sentence for the visitor.
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
    let buffer = response.array_buffer().map_err(|_| format!("Could not read {url}."))?;
    let buffer = JsFuture::from(buffer).await.map_err(|_| format!("Could not read {url}."))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
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
