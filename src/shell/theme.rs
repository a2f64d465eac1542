//! Light and dark themes. The page follows `prefers-color-scheme` until the visitor presses the
//! toggle; the choice is remembered in localStorage. `index.html` applies the stored choice before
//! the app loads so the page never flashes the wrong theme.

use super::dom;
use leptos::prelude::*;

const STORAGE_KEY: &str = "genai-explorables-theme";

/// The resolved theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn attr(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The app-wide theme signal; plots read it so they redraw in the new colours.
#[derive(Clone, Copy)]
pub struct ThemeCtx(pub RwSignal<Theme>);

fn apply(theme: Theme) {
    if let Some(el) = document().document_element() {
        let _ = el.set_attribute("data-theme", theme.attr());
    }
}

fn initial() -> Theme {
    match dom::storage_get(STORAGE_KEY).as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ if dom::media_matches("(prefers-color-scheme: dark)") => Theme::Dark,
        _ => Theme::Light,
    }
}

/// Creates the theme context; call once at the root.
pub fn provide_theme() -> ThemeCtx {
    let theme = initial();
    apply(theme);
    let ctx = ThemeCtx(RwSignal::new(theme));
    provide_context(ctx);
    follow_system(ctx.0);
    ctx
}

/// Provides a theme context that follows the document's `data-theme` attribute — for a section
/// mounted by the shell, whose own context owns the toggle. A MutationObserver carries each change.
pub fn follow_document_theme() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let read = || match document().document_element().and_then(|el| el.get_attribute("data-theme")).as_deref() {
        Some("dark") => Theme::Dark,
        _ => Theme::Light,
    };
    let theme = RwSignal::new(read());
    provide_context(ThemeCtx(theme));
    let on_change = Closure::<dyn FnMut()>::new(move || {
        let now = read();
        if theme.try_get_untracked().is_some_and(|t| t != now) {
            theme.set(now);
        }
    });
    let Ok(observer) = web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()) else { return };
    on_change.forget(); // one small closure per mounted section
    let init = web_sys::MutationObserverInit::new();
    init.set_attributes(true);
    init.set_attribute_filter(&js_sys::Array::of1(&"data-theme".into()));
    if let Some(root) = document().document_element() {
        let _ = observer.observe_with_options(&root, &init);
    }
    let observer = send_wrapper::SendWrapper::new(observer);
    on_cleanup(move || observer.disconnect());
}

/// Follows the system's light / dark setting as it changes, until the visitor has chosen.
fn follow_system(theme: RwSignal<Theme>) {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    let Some(mq) = window().match_media("(prefers-color-scheme: dark)").ok().flatten() else { return };
    let on_change = Closure::<dyn FnMut(web_sys::MediaQueryListEvent)>::new(move |e: web_sys::MediaQueryListEvent| {
        if dom::storage_get(STORAGE_KEY).is_none() {
            let next = if e.matches() { Theme::Dark } else { Theme::Light };
            apply(next);
            theme.set(next);
        }
    });
    let _ = mq.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
    on_change.forget(); // lives as long as the page: the theme is app-wide
}

/// The current theme, tracked (redraws follow theme changes).
pub fn use_theme() -> Signal<Theme> {
    let ctx = use_context::<ThemeCtx>();
    Signal::derive(move || ctx.map(|c| c.0.get()).unwrap_or(Theme::Light))
}

/// The header's dark-theme toggle button.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let ThemeCtx(theme) = expect_context::<ThemeCtx>();
    let toggle = move |_| {
        let next = match theme.get_untracked() {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        };
        apply(next);
        dom::storage_set(STORAGE_KEY, next.attr());
        theme.set(next);
    };
    view! {
        <button
            type="button"
            class="theme-toggle"
            aria-pressed=move || if theme.get() == Theme::Dark { "true" } else { "false" }
            on:click=toggle
        >
            <span aria-hidden="true">{move || if theme.get() == Theme::Dark { "☾ " } else { "☀ " }}</span>
            "Dark theme"
        </button>
    }
}
