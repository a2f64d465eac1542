//! The Tokens section's widgets: the tokenizer (with compare, decode and self-supervised labels),
//! merge replay, and a BPE trainer.

pub mod merges;
pub mod store;
pub mod tokenizer;
pub mod train;

use genai_core::bpe::Token;

/// How a token's text is shown: its characters (with whitespace made visible when asked), or its
/// bytes in hex when it cuts a character.
pub fn token_label(text: &str, t: &Token, show_ws: bool) -> (String, bool) {
    match text.get(t.bytes.clone()) {
        Some(s) if show_ws => (visible_whitespace(s), false),
        Some(s) => (s.to_owned(), false),
        None => (hex(&text.as_bytes()[t.bytes.clone()]), true),
    }
}

/// Bytes as `⟨E6 97⟩`.
pub fn hex(bytes: &[u8]) -> String {
    let inner: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!("⟨{}⟩", inner.join(" "))
}

/// Spaces as `·`, tabs as `→`, line breaks as `↵` (the break itself kept), carriage returns as `␍`.
pub fn visible_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push('·'),
            '\t' => out.push('→'),
            '\n' => out.push_str("↵\n"),
            '\r' => out.push('␍'),
            '\u{a0}' => out.push('⍽'),
            c => out.push(c),
        }
    }
    out
}
