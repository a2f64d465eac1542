//! Tokenizers side by side: characters, words and punctuation, and BPE; plus what a tokenization
//! gives a model for free — self-supervised training pairs.

use crate::bpe::{Encoding, Rank, Token};
use std::collections::{HashMap, HashSet};

/// One token per Unicode scalar value; the id is the code point.
pub fn chars(text: &str) -> Vec<Token> {
    text.char_indices()
        .map(|(i, c)| Token { id: c as Rank, bytes: i..i + c.len_utf8() })
        .collect()
}

/// Decodes character ids (code points).
pub fn decode_chars(ids: &[Rank]) -> Result<String, usize> {
    ids.iter().enumerate().map(|(i, &id)| char::from_u32(id).ok_or(i)).collect()
}

/// A words-and-punctuation tokenizer: runs of letters and digits (with inner apostrophes), single
/// punctuation marks and runs of whitespace are tokens. Ids are given in order of first appearance,
/// so the vocabulary is built from the text itself — which is exactly its weakness: a word it has
/// never seen has no id.
#[derive(Clone, Debug, Default)]
pub struct WordTokenizer {
    ids: HashMap<String, Rank>,
    words: Vec<String>,
}

impl WordTokenizer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The byte ranges of the words of `text`.
    pub fn split(text: &str) -> Vec<std::ops::Range<usize>> {
        #[derive(PartialEq, Clone, Copy)]
        enum Kind {
            Word,
            Space,
            Mark,
        }
        let kind = |c: char| {
            if c.is_alphanumeric() {
                Kind::Word
            } else if c.is_whitespace() {
                Kind::Space
            } else {
                Kind::Mark
            }
        };
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let (start, c) = chars[i];
            let k = kind(c);
            let mut j = i + 1;
            if k != Kind::Mark {
                while j < chars.len() {
                    let c2 = chars[j].1;
                    let inner_apostrophe = k == Kind::Word
                        && (c2 == '\'' || c2 == '’')
                        && chars.get(j + 1).is_some_and(|&(_, n)| n.is_alphanumeric());
                    if kind(c2) == k || inner_apostrophe {
                        j += 1;
                    } else {
                        break;
                    }
                }
            }
            // Combining marks stay with what they combine with.
            while j < chars.len() && is_combining(Some(chars[j].1)) {
                j += 1;
            }
            let end = chars.get(j).map(|p| p.0).unwrap_or(text.len());
            out.push(start..end);
            i = j;
        }
        out
    }

    /// Tokenizes `text`, adding unseen words to the vocabulary.
    pub fn encode(&mut self, text: &str) -> Vec<Token> {
        Self::split(text)
            .into_iter()
            .map(|r| {
                let w = &text[r.clone()];
                let id = match self.ids.get(w) {
                    Some(&id) => id,
                    None => {
                        let id = self.words.len() as Rank;
                        self.ids.insert(w.to_owned(), id);
                        self.words.push(w.to_owned());
                        id
                    }
                };
                Token { id, bytes: r }
            })
            .collect()
    }

    /// The vocabulary size so far.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Decodes ids; the error is the position of the first unknown id.
    pub fn decode(&self, ids: &[Rank]) -> Result<String, usize> {
        ids.iter()
            .enumerate()
            .map(|(i, &id)| self.words.get(id as usize).map(String::as_str).ok_or(i))
            .collect()
    }
}

fn is_combining(c: Option<char>) -> bool {
    matches!(c, Some(c) if ('\u{300}'..='\u{36f}').contains(&c) || ('\u{1ab0}'..='\u{1aff}').contains(&c)
        || ('\u{20d0}'..='\u{20ff}').contains(&c) || ('\u{fe20}'..='\u{fe2f}').contains(&c)
        || c == '\u{200d}' || ('\u{fe00}'..='\u{fe0f}').contains(&c) || ('\u{1f3fb}'..='\u{1f3ff}').contains(&c))
}

/// BPE tokens with their byte spans.
pub fn bpe(enc: &Encoding, text: &str) -> Vec<Token> {
    enc.encode_spans(text)
}

/// For each token of `a`, whether `b` cuts the text differently there: true when the token's start
/// or end is not also a token boundary in `b`.
pub fn disagreements(a: &[Token], b: &[Token]) -> Vec<bool> {
    let cuts: HashSet<usize> = b.iter().flat_map(|t| [t.bytes.start, t.bytes.end]).collect();
    a.iter().map(|t| !(cuts.contains(&t.bytes.start) && cuts.contains(&t.bytes.end))).collect()
}

/// A next-token prediction example: the model sees `context` (token indices) and must predict `target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextTokenExample {
    pub context: std::ops::Range<usize>,
    pub target: usize,
}

/// The first `limit` next-token examples of a token sequence, each with up to `window` tokens of
/// context: the labels are the text itself, shifted by one.
pub fn next_token_examples(n_tokens: usize, window: usize, limit: usize) -> Vec<NextTokenExample> {
    (1..n_tokens)
        .take(limit)
        .map(|t| NextTokenExample { context: t.saturating_sub(window.max(1))..t, target: t })
        .collect()
}

/// Positions to hide for masked-token examples: every `every`-th token that is not only whitespace,
/// starting at `offset`, at most `limit`.
pub fn masked_positions(tokens: &[Token], text: &str, every: usize, offset: usize, limit: usize) -> Vec<usize> {
    let every = every.max(1);
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| text.get(t.bytes.clone()).is_some_and(|s| !s.trim().is_empty()))
        .map(|(i, _)| i)
        .skip(offset)
        .step_by(every)
        .take(limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_round_trip_and_reject_surrogates() {
        let s = "héllo 👋🏽";
        let ids: Vec<Rank> = chars(s).iter().map(|t| t.id).collect();
        assert_eq!(decode_chars(&ids).unwrap(), s);
        assert_eq!(decode_chars(&[104, 0xD800]), Err(1));
    }

    #[test]
    fn words_and_punctuation() {
        let text = "Don't panic, it's 42!  Naïve café.";
        let parts: Vec<&str> = WordTokenizer::split(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(parts, ["Don't", " ", "panic", ",", " ", "it's", " ", "42", "!", "  ", "Naïve", " ", "café", "."]);
        let mut w = WordTokenizer::new();
        let toks = w.encode("the cat and the hat");
        let ids: Vec<Rank> = toks.iter().map(|t| t.id).collect();
        assert_eq!(ids, [0, 1, 2, 1, 3, 1, 0, 1, 4]);
        assert_eq!(w.decode(&ids).unwrap(), "the cat and the hat");
        assert_eq!(w.decode(&[0, 99]), Err(1));
    }

    #[test]
    fn word_split_covers_any_text() {
        for s in ["", "e\u{301}!", "👩🏽‍💻?", "\u{301}", "a''b", "x\u{200d}"] {
            let joined: String = WordTokenizer::split(s).into_iter().map(|r| &s[r]).collect();
            assert_eq!(joined, s);
        }
    }

    #[test]
    fn disagreement_marks_tokens_cut_differently() {
        let t = |a: usize, b: usize| Token { id: 0, bytes: a..b };
        let a = [t(0, 3), t(3, 5), t(5, 9)];
        let b = [t(0, 3), t(3, 9)];
        assert_eq!(disagreements(&a, &b), [false, true, true]);
        assert_eq!(disagreements(&b, &a), [false, false]);
    }

    #[test]
    fn self_supervised_examples_come_from_the_sequence() {
        let ex = next_token_examples(5, 2, 10);
        assert_eq!(ex.len(), 4);
        assert_eq!(ex[0], NextTokenExample { context: 0..1, target: 1 });
        assert_eq!(ex[3], NextTokenExample { context: 2..4, target: 4 });
        let text = "a b c d";
        let toks = chars(text);
        assert_eq!(masked_positions(&toks, text, 2, 0, 10), [0, 4]);
    }
}
