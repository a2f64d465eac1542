//! A widget's typed state, kept in the URL.
//!
//! `use_url_state::<S>()` reads `S` from the query string once, then mirrors every change back with
//! `history.replaceState`, so the address bar always holds a link that reproduces the view. Values
//! the reader could not use become notices the widget frame shows.

use super::dom;
use genai_core::query::{decode, encode, Notice, Query, UrlState};
use leptos::prelude::*;

/// A widget's state signal and the notices from reading it.
pub struct UrlStateHandle<S: Send + Sync + 'static> {
    pub state: RwSignal<S>,
    pub notices: RwSignal<Vec<Notice>>,
}

impl<S: Send + Sync + 'static> Clone for UrlStateHandle<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: Send + Sync + 'static> Copy for UrlStateHandle<S> {}

impl<S: UrlState + Send + Sync> UrlStateHandle<S> {
    /// The state alone as a query string (`?lifecycle.stage=…`), for share links.
    pub fn share_query(&self) -> Signal<String> {
        let state = self.state;
        Signal::derive(move || {
            let mut q = Query::default();
            encode(&state.get(), &mut q);
            q.to_string()
        })
    }
}

/// Reads `S` from the URL and keeps the URL in step with it.
pub fn use_url_state<S: UrlState + Send + Sync>() -> UrlStateHandle<S> {
    let (initial, notices) = decode::<S>(&dom::current_query());
    let state = RwSignal::new(initial);
    let notices = RwSignal::new(notices);
    Effect::new(move |_| {
        let s = state.get();
        let mut q = dom::current_query();
        encode(&s, &mut q);
        dom::replace_query(&q);
    });
    UrlStateHandle { state, notices }
}
