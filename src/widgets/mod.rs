//! Widgets: Leptos components that own a model, a typed URL state and a canvas.
//!
//! To add a widget: write its state (`impl UrlState`), its component wrapped in `WidgetFrame`,
//! and register it in [`embed`] and [`title_of`] so `?embed=<id>` can render it alone.

pub mod compare;
pub mod crash;
pub mod diffusion;
pub mod diffusion2d;
pub mod diffusion_reverse;
pub mod diffusion_source;
pub mod embeddings;
pub mod families;
pub mod finetune;
pub mod gan;
pub mod lifecycle;
pub mod lm;
pub mod lm_embed;
pub mod lm_store;
pub mod lm_train;
pub mod multimodal;
pub mod multimodal_generate;
pub mod multimodal_use;
pub mod domain;
pub mod preference;
pub mod prompt;
pub mod rag;
pub mod tasks;
pub mod tokens;
pub mod vae;

use leptos::prelude::*;

/// The title of the widget with embed id `id`.
pub fn title_of(id: &str) -> Option<&'static str> {
    match id {
        lifecycle::META_ID => Some(lifecycle::META.title),
        gan::META_ID => Some(gan::META.title),
        lm::META_ID => Some(lm::META.title),
        lm_embed::META_ID => Some(lm_embed::META.title),
        lm_train::META_ID => Some(lm_train::META.title),
        prompt::META_ID => Some(prompt::META.title),
        rag::META_ID => Some(rag::META.title),
        tasks::META_ID => Some(tasks::META.title),
        finetune::META_ID => Some(finetune::META.title),
        domain::META_ID => Some(domain::META.title),
        compare::META_ID => Some(compare::META.title),
        preference::META_ID => Some(preference::META.title),
        diffusion::META_ID => Some(diffusion::META.title),
        vae::META_ID => Some(vae::META.title),
        families::META_ID => Some(families::META.title),
        multimodal::META_ID => Some(multimodal::META.title),
        multimodal_use::META_ID => Some(multimodal_use::META.title),
        multimodal_generate::META_ID => Some(multimodal_generate::META.title),
        diffusion2d::META_ID => Some(diffusion2d::META.title),
        embeddings::META_ID => Some(embeddings::META.title),
        tokens::tokenizer::META_ID => Some(tokens::tokenizer::META.title),
        tokens::merges::META_ID => Some(tokens::merges::META.title),
        tokens::train::META_ID => Some(tokens::train::META.title),
        _ => None,
    }
}

/// Whether the widget with embed id `id` lives in the shell's module (the others, and their pages,
/// come from the sections module; see `shell::section_host`). Unknown ids are answered by the shell.
pub fn is_light(id: &str) -> bool {
    id == lifecycle::META_ID || title_of(id).is_none()
}

/// The widget with embed id `id`, alone, or a message naming the problem.
pub fn embed(id: &str) -> AnyView {
    match id {
        lifecycle::META_ID => view! { <lifecycle::LifecycleWidget/> }.into_any(),
        gan::META_ID => view! { <gan::GanWidget/> }.into_any(),
        lm::META_ID => view! { <lm::LmWidget/> }.into_any(),
        lm_embed::META_ID => view! { <lm_embed::LmEmbedWidget/> }.into_any(),
        lm_train::META_ID => view! { <lm_train::LmTrainWidget/> }.into_any(),
        prompt::META_ID => view! { <prompt::PromptWidget/> }.into_any(),
        rag::META_ID => view! { <rag::RagWidget/> }.into_any(),
        tasks::META_ID => view! { <tasks::TasksWidget/> }.into_any(),
        finetune::META_ID => view! { <finetune::FinetuneWidget/> }.into_any(),
        domain::META_ID => view! { <domain::DomainWidget/> }.into_any(),
        compare::META_ID => view! { <compare::CompareWidget/> }.into_any(),
        preference::META_ID => view! { <preference::PreferenceWidget/> }.into_any(),
        diffusion::META_ID => view! { <diffusion::DiffusionWidget/> }.into_any(),
        vae::META_ID => view! { <vae::VaeWidget/> }.into_any(),
        families::META_ID => view! { <families::FamiliesWidget/> }.into_any(),
        multimodal::META_ID => view! { <multimodal::ClipTrainWidget/> }.into_any(),
        multimodal_use::META_ID => view! { <multimodal_use::ClipUseWidget/> }.into_any(),
        multimodal_generate::META_ID => view! { <multimodal_generate::GenerateWidget/> }.into_any(),
        diffusion2d::META_ID => view! { <diffusion2d::Diffusion2dWidget/> }.into_any(),
        embeddings::META_ID => view! { <embeddings::EmbeddingsWidget/> }.into_any(),
        tokens::tokenizer::META_ID => view! { <tokens::tokenizer::TokenizerWidget/> }.into_any(),
        tokens::merges::META_ID => view! { <tokens::merges::MergesWidget/> }.into_any(),
        tokens::train::META_ID => view! { <tokens::train::TrainWidget/> }.into_any(),
        other => no_such_widget(other),
    }
}

/// A widget that lives in the shell's module ([`is_light`]), alone, or the message for an unknown id.
pub fn embed_light(id: &str) -> AnyView {
    match id {
        lifecycle::META_ID => view! { <lifecycle::LifecycleWidget/> }.into_any(),
        other => no_such_widget(other),
    }
}

fn no_such_widget(other: &str) -> AnyView {
    let other = other.to_owned();
    view! {
        <div class="page">
            <h1>"No such widget"</h1>
            <p>"This embed link asks for a widget called “" {other} "”, which does not exist. Check the link you were given."</p>
        </div>
    }
    .into_any()
}
