//! Diagnostics: proves that a crash stays inside the widget where it happened.

use crate::widgets::crash::{CounterWidget, CrashWidget};
use leptos::prelude::*;

#[component]
pub fn Diagnostics() -> impl IntoView {
    view! {
        <article class="page">
            <h1 tabindex="-1">"Diagnostics"</h1>
            <p>
                "This page checks the app's safety net. The first widget has a button that deliberately triggers a bug "
                "(a Rust panic). The widget should stop and explain itself while the counter next to it keeps working."
            </p>
            <div class="diag-grid">
                <CrashWidget/>
                <CounterWidget/>
            </div>
        </article>
    }
}
