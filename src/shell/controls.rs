//! Small form controls shared by widgets.

use leptos::prelude::*;

/// A labelled checkbox bound to one yes/no field of a widget's state.
pub fn flag_checkbox<S: Send + Sync + 'static>(
    state: RwSignal<S>,
    label: &'static str,
    get: fn(&S) -> bool,
    set: fn(&mut S, bool),
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=move || state.with(get) on:change=move |ev| {
                let on = event_target_checked(&ev);
                state.update(|s| set(s, on));
            }/>
            " " {label}
        </label>
    }
}
