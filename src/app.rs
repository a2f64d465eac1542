//! The app root: theme, header navigation, the routed page, footer — or, in embed mode, one widget.

use crate::pages;
use crate::route::{Page, View};
use crate::shell::section_host::SectionHost;
use crate::shell::{dom, theme};
use crate::widgets;
use leptos::prelude::*;
use send_wrapper::SendWrapper;

/// Navigation state shared by links.
#[derive(Clone, Copy)]
pub struct Nav {
    pub view: RwSignal<View>,
}

fn focus_main_heading() {
    request_animation_frame(|| {
        if let Some(h) = document().query_selector("main h1").ok().flatten() {
            use wasm_bindgen::JsCast;
            if let Ok(h) = h.dyn_into::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        }
    });
}

/// A link to a section that navigates in place (and still works as a plain link).
#[component]
pub fn PageLink(page: Page, children: Children, #[prop(optional, into)] class: String) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let href = page.href();
    let href2 = href.clone();
    let on_click = move |ev: web_sys::MouseEvent| {
        if ev.default_prevented() || ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        ev.prevent_default();
        dom::push_url(&href2);
        nav.view.set(View::Page(page));
        window().scroll_to_with_x_and_y(0.0, 0.0);
        focus_main_heading();
    };
    let current = move || (nav.view.get() == View::Page(page)).then_some("page");
    view! {
        <a href=href class=class aria-current=current on:click=on_click>{children()}</a>
    }
}

#[component]
pub fn App() -> impl IntoView {
    theme::provide_theme();
    let view = RwSignal::new(View::from_query(&dom::current_query()));
    provide_context(Nav { view });
    // Back / forward: re-read the URL and rebuild the page from it.
    let generation = RwSignal::new(0u32);
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        // A jump to a #fragment (the skip link) also fires popstate: only a new query means a new view.
        if !dom::search_changed() {
            return;
        }
        view.set(View::from_query(&dom::current_query()));
        generation.update(|g| *g += 1);
    });
    let handle = SendWrapper::new(handle);
    on_cleanup(move || handle.take().remove());

    Effect::new(move |_| {
        let title = match view.get() {
            View::Page(p) => p.doc_title(),
            View::Embed(id) => format!("{} — GenAI Explorables", widgets::title_of(&id).unwrap_or("Widget")),
            View::NotFound(_) => "Page not found — GenAI Explorables".to_owned(),
        };
        document().set_title(&title);
    });

    if let View::Embed(id) = view.get_untracked() {
        if let Some(root) = document().document_element() {
            let _ = root.class_list().add_1("embed");
        }
        return view! {
            <main id="main" class="embed-main">
                <div id="page-errors"></div>
                {if widgets::is_light(&id) { widgets::embed_light(&id) } else { view! { <SectionHost what=format!("embed:{id}")/> }.into_any() }}
            </main>
        }
        .into_any();
    }

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="header-inner">
                <PageLink page=Page::Home class="brand">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    " GenAI Explorables"
                </PageLink>
                <nav aria-label="Sections">
                    <ul>
                        {Page::NAV.iter().map(|&p| view! { <li><PageLink page=p>{p.nav_title()}</PageLink></li> }).collect_view()}
                    </ul>
                </nav>
                <theme::ThemeToggle/>
            </div>
        </header>
        <main id="main" tabindex="-1">
            <div id="page-errors"></div>
            {move || {
                generation.track();
                match view.get() {
                    View::Page(Page::Home) => pages::home::Home().into_any(),
                    View::Page(Page::Lifecycle) => pages::lifecycle::LifecyclePage().into_any(),
                    View::Page(p @ (Page::Tokens | Page::Gan | Page::Embeddings | Page::Llm | Page::Prompts | Page::Finetune | Page::Diffusion | Page::Vae | Page::Multimodal)) => view! { <SectionHost what=format!("page:{}", p.key())/> }.into_any(),
                    View::Page(Page::Diagnostics) => pages::diagnostics::Diagnostics().into_any(),
                    View::NotFound(key) => pages::not_found(key).into_any(),
                    View::Embed(_) => ().into_any(),
                }
            }}
        </main>
        <pages::Footer/>
    }
    .into_any()
}
