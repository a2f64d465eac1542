//! The shell binary: header, routing, the home and foundation-model sections; heavier sections come
//! from the `genai-sections` module when they open.

fn main() {
    genai_explorables::shell::errors::install_panic_hook();
    leptos::mount::mount_to_body(genai_explorables::app::App);
}
