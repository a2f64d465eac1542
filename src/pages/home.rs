//! The home page: what the app is and the curriculum map.

use super::CURRICULUM;
use crate::app::PageLink;
use leptos::prelude::*;

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <div class="page home">
            <section class="hero">
                <h1 tabindex="-1">"Generative AI you can touch"</h1>
                <p class="lede">
                    "GenAI Explorables teaches how generative AI works with small, live experiments. "
                    "Every widget runs the real algorithm right here in your browser — nothing is a recording — "
                    "and works offline, on a phone, with a keyboard or a screen reader."
                </p>
                <p>
                    "Each widget keeps its settings in the address bar: copy the link and whoever opens it sees "
                    "exactly what you saw. Teachers can embed any widget in a course page with its "
                    <strong>"Share / embed"</strong> " button."
                </p>
                <p><PageLink page=crate::route::Page::Lifecycle class="btn btn-primary">"Start with foundation models →"</PageLink></p>
            </section>
            <section aria-labelledby="curriculum-title">
                <h2 id="curriculum-title">"The curriculum"</h2>
                <p>"Twelve topics, in the order they build on each other; each links to its section."</p>
                <ol class="curriculum">
                    {CURRICULUM.iter().enumerate().map(|(i, t)| {
                        let head = match t.page {
                            Some(p) => view! { <h3><PageLink page=p>{t.title}</PageLink></h3> }.into_any(),
                            None => view! { <h3>{t.title}</h3> }.into_any(),
                        };
                        let status = if t.page.is_some() { "Open" } else { "Coming soon" };
                        view! {
                            <li class="topic" class:is-open=t.page.is_some()>
                                <span class="topic-num" aria-hidden="true">{i + 1}</span>
                                <div>
                                    {head}
                                    <p>{t.blurb}</p>
                                    <span class="badge">{status}</span>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
            <crate::shell::offline::OfflineControl/>
        </div>
    }
}
