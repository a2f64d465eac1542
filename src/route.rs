//! Routing by query string: `?page=lifecycle` for a section, `?embed=lifecycle` for one widget alone.
//!
//! The path is never touched, so the built `dist/` works from any static host and any sub-path
//! (`/courses/genai/?page=lifecycle`), and reloading a deep link needs no server rewrite rules.

use genai_core::query::Query;

/// A section of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    Lifecycle,
    Tokens,
    Embeddings,
    Llm,
    Prompts,
    Finetune,
    Diffusion,
    Gan,
    Vae,
    Multimodal,
    Diagnostics,
}

impl Page {
    /// Sections listed in the header navigation, in order.
    pub const NAV: &'static [Page] = &[Page::Home, Page::Lifecycle, Page::Tokens, Page::Embeddings, Page::Llm, Page::Prompts, Page::Finetune, Page::Diffusion, Page::Gan, Page::Vae, Page::Multimodal];

    pub fn key(self) -> &'static str {
        match self {
            Page::Home => "home",
            Page::Lifecycle => "lifecycle",
            Page::Tokens => "tokens",
            Page::Embeddings => "embeddings",
            Page::Llm => "llm",
            Page::Prompts => "prompts",
            Page::Finetune => "finetune",
            Page::Diffusion => "diffusion",
            Page::Gan => "gan",
            Page::Vae => "vae",
            Page::Multimodal => "multimodal",
            Page::Diagnostics => "diagnostics",
        }
    }

    pub fn from_key(key: &str) -> Option<Page> {
        [Page::Home, Page::Lifecycle, Page::Tokens, Page::Embeddings, Page::Llm, Page::Prompts, Page::Finetune, Page::Diffusion, Page::Gan, Page::Vae, Page::Multimodal, Page::Diagnostics].into_iter().find(|p| p.key() == key)
    }

    /// Short name for navigation.
    pub fn nav_title(self) -> &'static str {
        match self {
            Page::Home => "Home",
            Page::Lifecycle => "Foundation models",
            Page::Tokens => "Tokens",
            Page::Embeddings => "Embeddings",
            Page::Llm => "Language models",
            Page::Prompts => "Prompts & RAG",
            Page::Finetune => "Fine-tuning",
            Page::Diffusion => "Diffusion",
            Page::Gan => "GANs",
            Page::Vae => "VAEs",
            Page::Multimodal => "Multimodal",
            Page::Diagnostics => "Diagnostics",
        }
    }

    /// The document title.
    pub fn doc_title(self) -> String {
        match self {
            Page::Home => "GenAI Explorables — generative AI you can touch".to_owned(),
            p => format!("{} — GenAI Explorables", p.nav_title()),
        }
    }

    /// The link to this page, relative to the current path.
    pub fn href(self) -> String {
        match self {
            Page::Home => "./".to_owned(),
            p => format!("?page={}", p.key()),
        }
    }
}

/// What the current URL asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    Page(Page),
    /// One widget alone, by its id, for an iframe.
    Embed(String),
    /// A `page=` value that names no page.
    NotFound(String),
}

impl View {
    pub fn from_query(q: &Query) -> View {
        if let Some(id) = q.get("embed") {
            return View::Embed(id.to_owned());
        }
        match q.get("page") {
            None | Some("") => View::Page(Page::Home),
            Some(key) => match Page::from_key(key) {
                Some(p) => View::Page(p),
                None => View::NotFound(key.to_owned()),
            },
        }
    }
}
