//! The language model's tokenizer: byte-level BPE learned by [`crate::bpe_train`] on the model's
//! own training corpus, followed by a few special tokens that never come from text.
//!
//! Ids 0…n−1 are the BPE vocabulary (the 256 bytes first, then the merges in learning order); ids
//! n…n+15 are [`SPECIALS`]. Typed text is always text: "<|endoftext|>" typed by a learner encodes as
//! ordinary characters, and only the program places special tokens, by id.

use crate::bpe::{Encoding, Pattern, Token, Vocab};

/// The special tokens, in id order after the BPE vocabulary. The first separates documents in
/// pre-training; the next ones mark the parts of a prompt (instruction, context, input data, output
/// indicator), a retrieved document, and the two sides of a chat. The rest are reserved, so later
/// fine-tuning can add markers without changing the embedding table's shape.
pub const SPECIALS: [&str; 16] = [
    "<|endoftext|>",
    "<|instruction|>",
    "<|context|>",
    "<|input|>",
    "<|output|>",
    "<|doc|>",
    "<|user|>",
    "<|assistant|>",
    "<|reserved8|>",
    "<|reserved9|>",
    "<|reserved10|>",
    "<|reserved11|>",
    "<|reserved12|>",
    "<|reserved13|>",
    "<|reserved14|>",
    "<|reserved15|>",
];

/// BPE vocabulary plus [`SPECIALS`].
#[derive(Clone, Debug)]
pub struct Tokenizer {
    pub encoding: Encoding,
}

impl Tokenizer {
    pub fn new(vocab: Vocab) -> Tokenizer {
        Tokenizer { encoding: Encoding::new(vocab, Pattern::R50k) }
    }

    /// Reads the BPE vocabulary in the compact `BPE1` form ([`Vocab::to_binary`]).
    pub fn from_binary(bytes: &[u8]) -> Result<Tokenizer, String> {
        Vocab::from_binary(bytes).map(Tokenizer::new).map_err(|e| e.to_string())
    }

    /// Number of BPE tokens (ids below it are text).
    pub fn n_text(&self) -> usize {
        self.encoding.vocab.len()
    }

    /// All ids: BPE tokens and specials (the model's V).
    pub fn vocab_size(&self) -> usize {
        self.n_text() + SPECIALS.len()
    }

    /// The id of a special token by its name, e.g. `"<|endoftext|>"`.
    pub fn special(&self, name: &str) -> Option<u32> {
        SPECIALS.iter().position(|&s| s == name).map(|i| (self.n_text() + i) as u32)
    }

    /// The end-of-text id, which also starts generation from an empty prompt.
    pub fn eot(&self) -> u32 {
        self.n_text() as u32
    }

    pub fn is_special(&self, id: u32) -> bool {
        (id as usize) >= self.n_text()
    }

    /// Token ids of plain text.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.encoding.encode(text)
    }

    /// Tokens with the byte range of `text` each covers.
    pub fn encode_spans(&self, text: &str) -> Vec<Token> {
        self.encoding.encode_spans(text)
    }

    /// The bytes of one token; a special token gives its name. `None` for an id out of range.
    pub fn token_bytes(&self, id: u32) -> Option<&[u8]> {
        match self.encoding.vocab.token(id) {
            Some(b) => Some(b),
            None => SPECIALS.get((id as usize).checked_sub(self.n_text())?).map(|s| s.as_bytes()),
        }
    }

    /// Text of a list of ids (invalid UTF-8, e.g. half a character, becomes U+FFFD; unknown ids are
    /// skipped).
    pub fn decode(&self, ids: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &id in ids {
            if let Some(b) = self.token_bytes(id) {
                bytes.extend_from_slice(b);
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpe_train::Trainer;

    #[test]
    fn specials_follow_the_bpe_ids_and_never_come_from_text() {
        let mut t = Trainer::new("the cat and the hat and the bat", 270).unwrap();
        while t.step().is_some() {}
        let tok = Tokenizer::new(t.encoding().vocab);
        let n = tok.n_text() as u32;
        assert_eq!(tok.eot(), n);
        assert_eq!(tok.special("<|output|>"), Some(n + 4));
        assert_eq!(tok.vocab_size(), n as usize + 16);
        let typed = tok.encode("<|endoftext|>");
        assert!(typed.iter().all(|&id| !tok.is_special(id)) && typed.len() > 1);
        assert_eq!(tok.decode(&[tok.eot()]), "<|endoftext|>");
        let ids = tok.encode("the cat 🙂");
        assert_eq!(tok.decode(&ids), "the cat 🙂");
        assert_eq!(tok.token_bytes(n + 99), None);
        // half of a 4-byte character decodes to the replacement character, not a panic
        assert!(tok.decode(&ids[ids.len() - 1..]).contains('\u{FFFD}') || tok.decode(&ids[ids.len() - 1..]).contains('🙂'));
    }
}
