//! Byte-level byte-pair encoding (BPE), as used by OpenAI's GPT models (Sennrich et al. 2016;
//! Radford et al. 2019), and a BPE trainer.
//!
//! Encoding has two stages:
//! 1. **Pre-tokenization** splits text into pieces with a regular expression (words with their leading
//!    space, runs of digits, punctuation, whitespace), so merges never cross those boundaries.
//! 2. **Merging**: each piece starts as its UTF-8 bytes; the adjacent pair whose concatenation has the
//!    lowest rank in the vocabulary is merged, again and again, until no adjacent pair is in the
//!    vocabulary. A token's id is its rank.
//!
//! The vocabularies are the real rank files of r50k_base (GPT-2), cl100k_base (GPT-3.5/4) and
//! o200k_base (GPT-4o); tests check every id against the reference encoder `tiktoken-rs`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

/// The "Fx" hash of the Rust compiler (a multiply-rotate over 8-byte words): much faster than the
/// default SipHash for the short byte strings looked up millions of times while encoding. It is
/// not DoS-resistant, which does not matter for a fixed vocabulary.
#[derive(Clone, Copy, Default)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A token id (equal to its merge rank).
pub type Rank = u32;

/// A BPE vocabulary: byte strings and their ranks.
#[derive(Clone, Debug, Default)]
pub struct Vocab {
    ranks: FxMap<Vec<u8>, Rank>,
    tokens: Vec<Vec<u8>>,
}

/// Why a vocabulary file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VocabError(pub String);

impl fmt::Display for VocabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vocabulary file: {}", self.0)
    }
}

const BINARY_MAGIC: &[u8; 4] = b"BPE1";

impl Vocab {
    /// Builds a vocabulary from byte strings in rank order (token `i` has rank `i`).
    pub fn from_tokens(tokens: Vec<Vec<u8>>) -> Result<Vocab, VocabError> {
        let mut ranks = FxMap::with_capacity_and_hasher(tokens.len(), Default::default());
        for (i, t) in tokens.iter().enumerate() {
            if t.is_empty() {
                return Err(VocabError(format!("token {i} is empty")));
            }
            if ranks.insert(t.clone(), i as Rank).is_some() {
                return Err(VocabError(format!("token {i} appears twice")));
            }
        }
        for b in 0..=255u8 {
            if !ranks.contains_key(&[b][..]) {
                return Err(VocabError(format!("byte {b:#04x} has no token: not a byte-level vocabulary")));
            }
        }
        Ok(Vocab { ranks, tokens })
    }

    /// Reads tiktoken's text format: one `base64(token) rank` per line, ranks 0, 1, 2, … in order.
    pub fn from_tiktoken(text: &str) -> Result<Vocab, VocabError> {
        use base64::Engine as _;
        let mut tokens = Vec::new();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
            let (b64, rank) = line
                .split_once(' ')
                .ok_or_else(|| VocabError(format!("line {} has no rank", n + 1)))?;
            let rank: usize = rank.trim().parse().map_err(|_| VocabError(format!("line {}: bad rank", n + 1)))?;
            if rank != tokens.len() {
                return Err(VocabError(format!("line {}: rank {rank} out of order", n + 1)));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| VocabError(format!("line {}: bad base64", n + 1)))?;
            tokens.push(bytes);
        }
        Vocab::from_tokens(tokens)
    }

    /// The compact binary form shipped to browsers: `BPE1`, u32 count, then per rank a u16 length
    /// and the token's bytes (all little-endian).
    pub fn to_binary(&self) -> Vec<u8> {
        let mut out = BINARY_MAGIC.to_vec();
        out.extend_from_slice(&(self.tokens.len() as u32).to_le_bytes());
        for t in &self.tokens {
            out.extend_from_slice(&(t.len() as u16).to_le_bytes());
            out.extend_from_slice(t);
        }
        out
    }

    /// Reads the form written by [`Vocab::to_binary`].
    pub fn from_binary(data: &[u8]) -> Result<Vocab, VocabError> {
        let short = || VocabError("the file ends early".to_owned());
        if data.get(..4) != Some(&BINARY_MAGIC[..]) {
            return Err(VocabError("not a BPE1 file".to_owned()));
        }
        let count = u32::from_le_bytes(data.get(4..8).ok_or_else(short)?.try_into().unwrap()) as usize;
        let mut tokens = Vec::with_capacity(count.min(1 << 20));
        let mut at = 8;
        for _ in 0..count {
            let len = u16::from_le_bytes(data.get(at..at + 2).ok_or_else(short)?.try_into().unwrap()) as usize;
            at += 2;
            tokens.push(data.get(at..at + len).ok_or_else(short)?.to_vec());
            at += len;
        }
        Vocab::from_tokens(tokens)
    }

    /// The rank of a byte string, if it is a token.
    pub fn rank(&self, bytes: &[u8]) -> Option<Rank> {
        self.ranks.get(bytes).copied()
    }

    /// The bytes of token `id`.
    pub fn token(&self, id: Rank) -> Option<&[u8]> {
        self.tokens.get(id as usize).map(|t| t.as_slice())
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// One merge while encoding a piece: the boundary at `boundary` (a byte offset in the piece) was
/// removed, joining two tokens into the token of rank `rank`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MergeStep {
    pub boundary: usize,
    pub rank: Rank,
}

/// Merges the bytes of `piece` into tokens: repeatedly join the adjacent pair whose concatenation
/// has the lowest rank (leftmost on ties) until no adjacent pair is a token. Returns the token
/// boundaries (byte offsets, first 0, last `piece.len()`) and the merges in order.
///
/// A priority queue of candidate pairs with lazy invalidation makes this O(n log n), so one
/// enormous word cannot freeze the page.
pub fn merge(vocab: &Vocab, piece: &[u8]) -> (Vec<usize>, Vec<MergeStep>) {
    let n = piece.len();
    if n <= 1 {
        return ((0..=n).collect(), Vec::new());
    }
    // Tokens form a linked list by start offset; `end[i]` is where token i ends.
    const NONE: usize = usize::MAX;
    let mut end: Vec<usize> = (1..=n).collect();
    let mut prev: Vec<usize> = (0..n).map(|i| if i == 0 { NONE } else { i - 1 }).collect();
    let mut alive = vec![true; n];
    let pair_rank = |end: &[usize], i: usize| -> Option<Rank> {
        let j = end[i];
        if j >= n {
            None
        } else {
            vocab.rank(&piece[i..end[j]])
        }
    };
    let mut heap = BinaryHeap::with_capacity(n);
    for i in 0..n - 1 {
        if let Some(r) = pair_rank(&end, i) {
            heap.push(Reverse((r, i)));
        }
    }
    let mut steps = Vec::new();
    while let Some(Reverse((r, i))) = heap.pop() {
        if !alive[i] || pair_rank(&end, i) != Some(r) {
            continue; // stale: one of the two tokens has changed since this entry was pushed
        }
        let j = end[i];
        steps.push(MergeStep { boundary: j, rank: r });
        alive[j] = false;
        end[i] = end[j];
        if end[i] < n {
            prev[end[i]] = i;
        }
        if let Some(r2) = pair_rank(&end, i) {
            heap.push(Reverse((r2, i)));
        }
        let p = prev[i];
        if p != NONE {
            if let Some(r2) = pair_rank(&end, p) {
                heap.push(Reverse((r2, p)));
            }
        }
    }
    let mut bounds = vec![0];
    let mut i = 0;
    while i < n {
        i = end[i];
        bounds.push(i);
    }
    (bounds, steps)
}

/// The ids of `piece` under `vocab`.
pub fn encode_piece(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    if let Some(r) = vocab.rank(piece) {
        out.push(r); // the whole piece is one token: the common case
        return;
    }
    let (bounds, _) = merge(vocab, piece);
    for w in bounds.windows(2) {
        out.push(vocab.rank(&piece[w[0]..w[1]]).expect("every merged token is in the vocabulary"));
    }
}

/// The pre-tokenization rule of an encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// GPT-2 / r50k_base: contractions, optional space + letters / digits / other, whitespace.
    R50k,
    /// cl100k_base: case-insensitive contractions, digits in groups of at most 3, newlines apart.
    Cl100k,
    /// o200k_base: like cl100k but splits camelCase and keeps contractions with their word.
    O200k,
}

/// Splits text into pre-tokens with one of the OpenAI patterns (see [`crate::pretokenize`]).
#[derive(Clone, Copy, Debug)]
pub struct Splitter {
    piece: fn(&str, usize) -> usize,
}

impl Splitter {
    pub fn new(pattern: Pattern) -> Splitter {
        use crate::pretokenize::{cl100k_piece, o200k_piece, r50k_piece};
        let piece = match pattern {
            Pattern::R50k => r50k_piece,
            Pattern::Cl100k => cl100k_piece,
            Pattern::O200k => o200k_piece,
        };
        Splitter { piece }
    }

    /// The byte ranges of the pieces of `text`, in order, covering it exactly.
    pub fn split(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::with_capacity(text.len() / 4);
        let mut at = 0;
        while at < text.len() {
            let end = (self.piece)(text, at);
            debug_assert!(end > at && text.is_char_boundary(end));
            out.push(at..end);
            at = end;
        }
        out
    }
}

/// A complete encoding: pre-tokenizer plus vocabulary.
#[derive(Clone, Debug)]
pub struct Encoding {
    pub vocab: Vocab,
    pub splitter: Splitter,
}

/// A token found in a text: its id and the bytes of the text it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub id: Rank,
    pub bytes: Range<usize>,
}

/// Why ids could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Position in the id list.
    pub index: usize,
    pub id: Rank,
    pub vocab_size: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "id {} (number {} in the list) is not in this vocabulary of {} tokens (ids 0–{})",
            self.id,
            self.index + 1,
            self.vocab_size,
            self.vocab_size.saturating_sub(1)
        )
    }
}

impl Encoding {
    pub fn new(vocab: Vocab, pattern: Pattern) -> Encoding {
        Encoding { vocab, splitter: Splitter::new(pattern) }
    }

    /// The token ids of `text` (special tokens are not recognised: they encode as ordinary text).
    pub fn encode(&self, text: &str) -> Vec<Rank> {
        let mut out = Vec::with_capacity(text.len() / 3);
        for r in self.splitter.split(text) {
            encode_piece(&self.vocab, text[r].as_bytes(), &mut out);
        }
        out
    }

    /// The tokens of `text` with the byte range each covers.
    pub fn encode_spans(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        self.encode_spans_of(text, &self.splitter.split(text), &mut out);
        out
    }

    /// Appends the tokens of some of `text`'s pieces (from [`Splitter::split`]) to `out`, so a long
    /// text can be encoded a slice at a time.
    pub fn encode_spans_of(&self, text: &str, pieces: &[Range<usize>], out: &mut Vec<Token>) {
        for r in pieces {
            let piece = &text.as_bytes()[r.clone()];
            if let Some(id) = self.vocab.rank(piece) {
                out.push(Token { id, bytes: r.clone() });
                continue;
            }
            let (bounds, _) = merge(&self.vocab, piece);
            for w in bounds.windows(2) {
                let id = self.vocab.rank(&piece[w[0]..w[1]]).expect("merged tokens are in the vocabulary");
                out.push(Token { id, bytes: r.start + w[0]..r.start + w[1] });
            }
        }
    }

    /// The bytes of a list of ids.
    pub fn decode_bytes(&self, ids: &[Rank]) -> Result<Vec<u8>, DecodeError> {
        let mut out = Vec::new();
        for (index, &id) in ids.iter().enumerate() {
            let t = self.vocab.token(id).ok_or(DecodeError { index, id, vocab_size: self.vocab.len() })?;
            out.extend_from_slice(t);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy vocabulary: all 256 bytes, then "ab", "abc", "bc".
    fn toy() -> Vocab {
        let mut t: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        t.push(b"bc".to_vec()); // 256
        t.push(b"ab".to_vec()); // 257
        t.push(b"abc".to_vec()); // 258
        Vocab::from_tokens(t).unwrap()
    }

    #[test]
    fn merges_lowest_rank_first() {
        let v = toy();
        // "abc": pairs ab (257) and bc (256) → bc first, then a+bc = "abc" is a token (258).
        let (bounds, steps) = merge(&v, b"abc");
        assert_eq!(bounds, vec![0, 3]);
        assert_eq!(steps, vec![MergeStep { boundary: 2, rank: 256 }, MergeStep { boundary: 1, rank: 258 }]);
        // "abab": ab at 0 and at 2 share rank 257: leftmost first.
        let (bounds, steps) = merge(&v, b"abab");
        assert_eq!(bounds, vec![0, 2, 4]);
        assert_eq!(steps[0].boundary, 1);
    }

    #[test]
    fn binary_form_round_trips_and_rejects_garbage() {
        let v = toy();
        let back = Vocab::from_binary(&v.to_binary()).unwrap();
        assert_eq!(back.len(), v.len());
        assert_eq!(back.rank(b"abc"), Some(258));
        assert!(Vocab::from_binary(b"nope").is_err());
        assert!(Vocab::from_binary(&v.to_binary()[..100]).is_err());
        let mut no_bytes = vec![b"ab".to_vec()];
        no_bytes.push(b"cd".to_vec());
        assert!(Vocab::from_tokens(no_bytes).is_err());
    }

    #[test]
    fn decode_reports_the_first_bad_id() {
        let e = Encoding::new(toy(), Pattern::R50k);
        assert_eq!(e.decode_bytes(&[97, 258]).unwrap(), b"aabc");
        let err = e.decode_bytes(&[97, 9999]).unwrap_err();
        assert_eq!((err.index, err.id), (1, 9999));
        assert!(err.to_string().contains("ids 0–258"));
    }

    #[test]
    fn splitter_covers_the_text_and_moves_the_last_space() {
        let s = Splitter::new(Pattern::R50k);
        let text = "Hello   world's 123!!\n\n  ";
        let parts: Vec<&str> = s.split(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(parts, ["Hello", "  ", " world", "'s", " 123", "!!", "\n\n  "]);
        for p in [Pattern::R50k, Pattern::Cl100k, Pattern::O200k] {
            for t in ["", " ", "a", "\u{0}\u{1}", "  x", "日本語のテキスト", "👩🏽‍💻 ok", "e\u{301}"] {
                let joined: String = Splitter::new(p).split(t).into_iter().map(|r| &t[r]).collect();
                assert_eq!(joined, t);
            }
        }
    }
}
