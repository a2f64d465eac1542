//! Loading the heavy sections on demand. The landing page downloads only the shell's WebAssembly;
//! the tokens, embeddings, diffusion and GAN sections (and their widgets' embeds) live in a second
//! module, `genai-sections`, fetched the first time one of them opens and kept for the visit.

use leptos::html::Div;
use super::widget::Loading;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = "
let loading = null;
// The module's WebAssembly as a Response whose body counts the bytes as they arrive, so that
// on_progress(received, total) can drive a real progress bar (total 0 when unknown).
async function counted(url, on_progress) {
  const r = await fetch(url);
  if (!r.ok || !r.body) return r;
  const total = r.headers.get('content-encoding') ? 0 : Number(r.headers.get('content-length')) || 0;
  const reader = r.body.getReader();
  let received = 0;
  on_progress(0, total, false);
  const body = new ReadableStream({
    async pull(c) {
      const { done, value } = await reader.read();
      if (done) { on_progress(received, total, true); c.close(); return; }
      received += value.length;
      on_progress(received, total, false);
      c.enqueue(value);
    },
  });
  return new Response(body, { headers: { 'content-type': 'application/wasm' } });
}
export function load_sections(on_progress) {
  if (!loading) {
    const base = document.baseURI;
    loading = import(new URL('genai-sections.js', base).href)
      .then(async (m) => { await m.default({ module_or_path: counted(new URL('genai-sections_bg.wasm', base), on_progress) }); window.sectionBindings = m; return m; })
      .catch((e) => { on_progress(0, 0, true); loading = null; throw e; });
  }
  return loading;
}
")]
extern "C" {
    fn load_sections(on_progress: &js_sys::Function) -> js_sys::Promise;
}

thread_local! {
    static MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

fn call(module: &JsValue, name: &str, args: &[JsValue]) -> Result<(), String> {
    let f: js_sys::Function = js_sys::Reflect::get(module, &name.into()).ok().and_then(|f| f.dyn_into().ok()).ok_or_else(|| format!("the sections module has no {name}"))?;
    let array: js_sys::Array = args.iter().collect();
    f.apply(&JsValue::NULL, &array).map(|_| ()).map_err(|e| format!("{e:?}"))
}

/// Where a heavy section or widget appears: `what` is `page:<key>` or `embed:<widget id>`.
#[component]
pub fn SectionHost(what: String) -> impl IntoView {
    let node = NodeRef::<Div>::new();
    let status = RwSignal::new(Some(Ok::<(), String>(())));
    let alive = Rc::new(Cell::new(true));
    let alive_for_load = alive.clone();
    let what_for_load = what.clone();
    Effect::new(move |done: Option<()>| {
        if done.is_some() {
            return;
        }
        let Some(el) = node.get() else { return };
        let (alive, what) = (alive_for_load.clone(), what_for_load.clone());
        leptos::task::spawn_local(async move {
            let module = match MODULE.with(|m| m.borrow().clone()) {
                Some(m) => Ok(m),
                None => {
                    // Progress of the module's download, shown by Loading like any large file.
                    let report = Closure::<dyn FnMut(f64, f64, bool)>::new(|received: f64, total: f64, done: bool| {
                        super::assets::report_progress("genai-sections_bg.wasm", received as u64, (total > 0.0).then_some(total as u64), done);
                    });
                    let loaded = JsFuture::from(load_sections(report.as_ref().unchecked_ref())).await.map_err(|e| format!("{e:?}"));
                    report.forget(); // the JS side may still report after the promise settles
                    loaded
                }
            };
            if !alive.get() {
                return;
            }
            let mounted = module.and_then(|m| {
                MODULE.with(|slot| *slot.borrow_mut() = Some(m.clone()));
                let el: web_sys::HtmlElement = el.into();
                call(&m, "mount_section", &[JsValue::from_str(&what), el.into()])
            });
            match mounted {
                Ok(()) => status.set(None),
                Err(e) => {
                    web_sys::console::error_1(&format!("loading a section: {e}").into());
                    status.set(Some(Err("This section could not be loaded: its code did not arrive or did not start. Check your connection and reload the page.".to_owned())));
                }
            }
        });
    });
    let alive = send_wrapper::SendWrapper::new(alive);
    on_cleanup(move || {
        alive.set(false);
        if let Some(m) = MODULE.with(|m| m.borrow().clone()) {
            let _ = call(&m, "unmount_section", &[]);
        }
    });
    view! {
        {move || match status.get() {
            Some(Ok(())) => Some(view! { <Loading label="Loading this section" text="Loading this section…"/> }.into_any()),
            Some(Err(msg)) => Some(view! { <p class="notice" role="alert">{msg}</p> }.into_any()),
            None => None,
        }}
        <div class="section-host" node_ref=node></div>
    }
}
