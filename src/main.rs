//! GenAI Explorables — the app crate: shell (routing, theme, URL state, embed, animation loop, plots,
//! error panels), widgets and pages. The maths lives in `genai-core`.

mod app;
mod bench;
mod pages;
mod route;
mod shell;
mod widgets;

fn main() {
    shell::errors::install_panic_hook();
    leptos::mount::mount_to_body(app::App);
}
