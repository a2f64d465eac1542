//! Two tiny widgets for the diagnostics page: one that can be made to panic, one that counts.

use crate::shell::widget::{WidgetFrame, WidgetMeta};
use leptos::prelude::*;

const CRASH: WidgetMeta = WidgetMeta { id: "crash", page: "diagnostics", title: "A widget with a bug", embed_height: 300 };
const COUNTER: WidgetMeta = WidgetMeta { id: "counter", page: "diagnostics", title: "A healthy widget", embed_height: 300 };

#[component]
pub fn CrashWidget() -> impl IntoView {
    let notices = RwSignal::new(Vec::new());
    view! {
        <WidgetFrame meta=CRASH share_query=Signal::derive(String::new) notices=notices>
            <p>"Pressing the button runs code that panics, as a real bug would."</p>
            <button type="button" class="btn" on:click=|_| panic!("deliberate panic from the diagnostics page")>
                "Trigger a bug"
            </button>
        </WidgetFrame>
    }
}

#[component]
pub fn CounterWidget() -> impl IntoView {
    let notices = RwSignal::new(Vec::new());
    let count = RwSignal::new(0u32);
    view! {
        <WidgetFrame meta=COUNTER share_query=Signal::derive(String::new) notices=notices>
            <p>"Count: " <output aria-live="polite">{move || count.get()}</output></p>
            <button type="button" class="btn" on:click=move |_| count.update(|c| *c += 1)>"Add one"</button>
        </WidgetFrame>
    }
}
