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

/// A labelled “Seed” number field bound to one seed of a widget's state (text that is not a
/// whole number from 0 to 2⁶⁴ − 1 is ignored).
pub fn seed_field<S: Send + Sync + 'static>(state: RwSignal<S>, id: &'static str, get: fn(&S) -> u64, set: fn(&mut S, u64)) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>"Seed"</span>
            <input id=id type="number" min="0" inputmode="numeric" prop:value=move || state.with(get).to_string()
                on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() { state.update(|s| set(s, v)) } }/>
        </label>
    }
}
