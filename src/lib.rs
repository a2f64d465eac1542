//! GenAI Explorables — the app crate: shell (routing, theme, URL state, embed, animation loop, plots,
//! error panels), widgets and pages. The maths lives in `genai-core`.
//!
//! Two binaries use this library: `genai-explorables` (src/main.rs: the shell and the light sections,
//! what the landing page downloads) and `genai-sections` (src/bin/sections.rs: the heavy sections,
//! fetched by [`app::SectionHost`] when one of them opens). The linker keeps in each only what it uses.

pub mod app;
pub mod pages;
pub mod route;
pub mod shell;
pub mod widgets;
