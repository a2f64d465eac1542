//! Turning a crash into a readable message where it happened.
//!
//! Widgets report expected failures (bad input, divergence) as values and show them themselves.
//! A panic is a bug: WebAssembly cannot unwind, so the call that panicked is abandoned. The hook
//! below finds the widget whose code was running — the target of the event being dispatched, or the
//! widget whose animation frame was running — puts an error panel into it and freezes it (`inert`),
//! so the visitor sees what broke while every other widget keeps working.

use std::cell::RefCell;
use wasm_bindgen::JsCast;

thread_local! {
    /// The `data-widget` root element whose animation frame is running, if any.
    static ACTIVE_WIDGET: RefCell<Option<web_sys::Element>> = const { RefCell::new(None) };
}

/// Runs `f` with `root` marked as the widget whose code is running (for the panic hook).
pub fn with_active_widget<R>(root: Option<web_sys::Element>, f: impl FnOnce() -> R) -> R {
    let previous = ACTIVE_WIDGET.with(|a| a.replace(root));
    let r = f();
    ACTIVE_WIDGET.with(|a| *a.borrow_mut() = previous);
    r
}

/// Installs the panic hook: log to the console with a stack, then show the panel.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let message = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_owned(),
            None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        let place = info.location().map(|l| format!(" ({}:{})", l.file(), l.line())).unwrap_or_default();
        show_panic(&format!("{message}{place}"));
    }));
}

/// The widget root that the current event or animation frame belongs to.
fn affected_widget() -> Option<web_sys::Element> {
    if let Some(el) = ACTIVE_WIDGET.with(|a| a.borrow().clone()) {
        return Some(el);
    }
    let window = web_sys::window()?;
    let event = js_sys::Reflect::get(&window, &"event".into()).ok()?;
    let event: web_sys::Event = event.dyn_into().ok()?;
    let target: web_sys::Element = event.target()?.dyn_into().ok()?;
    target.closest("[data-widget]").ok().flatten()
}

fn show_panic(detail: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let (host, body, heading, advice) = match affected_widget() {
        Some(widget) => {
            let body = widget.query_selector(".widget-body").ok().flatten();
            (widget, body, "This widget stopped because of a bug.", "The rest of the page keeps working. Reload the page to start this widget again.")
        }
        None => match document.get_element_by_id("page-errors") {
            Some(el) => (el, None, "Something on this page stopped because of a bug.", "Reload the page to start again."),
            None => return,
        },
    };
    if host.query_selector(":scope > .panic-panel").ok().flatten().is_some() {
        return; // one panel per widget is enough
    }
    if let Some(body) = &body {
        let _ = body.set_attribute("inert", "");
        let _ = body.class_list().add_1("is-frozen");
    }
    let Ok(panel) = document.create_element("div") else { return };
    panel.set_class_name("panic-panel");
    let _ = panel.set_attribute("role", "alert");
    let strong = document.create_element("strong").ok();
    let p = document.create_element("p").ok();
    let code = document.create_element("code").ok();
    if let (Some(strong), Some(p), Some(code)) = (strong, p, code) {
        strong.set_text_content(Some(heading)); // text, never HTML
        p.set_text_content(Some(advice));
        code.set_text_content(Some(detail));
        let _ = panel.append_child(&strong);
        let _ = panel.append_child(&p);
        let _ = panel.append_child(&code);
    }
    // Before the frozen body, so a screen reader meets the explanation first.
    let _ = match &body {
        Some(b) => host.insert_before(&panel, Some(b)),
        None => host.append_child(&panel),
    };
}
