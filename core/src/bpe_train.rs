//! Learning a byte-level BPE vocabulary from a corpus (Sennrich et al. 2016, as in GPT-2).
//!
//! Start from the 256 single bytes. Split the corpus into pre-tokens (the GPT-2 pattern), count each
//! distinct pre-token once with its frequency, then repeat: find the most frequent adjacent pair of
//! tokens across the corpus, add their concatenation as a new token, and merge that pair everywhere.
//! Ties go to the pair with the smaller ids, so training is deterministic.

use crate::bpe::{Encoding, Pattern, Rank, Splitter, Vocab};
use std::collections::HashMap;
use std::fmt;

/// The most tokens a trainer may be asked for (the page trains live; GPT-2 has 50,257).
pub const MAX_VOCAB: usize = 20_000;

/// One learned merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnedMerge {
    pub left: Rank,
    pub right: Rank,
    /// The id of the merged token.
    pub id: Rank,
    /// How often the pair occurred in the corpus when it was merged.
    pub count: u64,
}

/// Why training could not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrainError {
    EmptyCorpus,
    VocabSize { asked: usize },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::EmptyCorpus => write!(f, "the training text is empty: type or paste some text first"),
            TrainError::VocabSize { asked } => {
                write!(f, "a vocabulary of {asked} tokens is not possible here: choose 257 to {MAX_VOCAB}")
            }
        }
    }
}

/// A BPE trainer that learns one merge per [`Trainer::step`], so a page can train a little per frame.
#[derive(Clone, Debug)]
pub struct Trainer {
    /// Distinct pre-tokens as token sequences, with their corpus frequency.
    words: Vec<(Vec<Rank>, u64)>,
    tokens: Vec<Vec<u8>>,
    ids: HashMap<Vec<u8>, Rank>,
    pairs: HashMap<(Rank, Rank), u64>,
    merges: Vec<LearnedMerge>,
    target: usize,
    /// Set when no pair occurs any more before the target size is reached.
    pub exhausted: bool,
}

impl Trainer {
    /// Prepares to learn a vocabulary of `vocab_size` tokens (256 bytes + merges) from `corpus`.
    pub fn new(corpus: &str, vocab_size: usize) -> Result<Trainer, TrainError> {
        if corpus.is_empty() {
            return Err(TrainError::EmptyCorpus);
        }
        if !(257..=MAX_VOCAB).contains(&vocab_size) {
            return Err(TrainError::VocabSize { asked: vocab_size });
        }
        let splitter = Splitter::new(Pattern::R50k);
        let mut freq: HashMap<&str, u64> = HashMap::new();
        for r in splitter.split(corpus) {
            *freq.entry(&corpus[r]).or_insert(0) += 1;
        }
        let mut words: Vec<(Vec<Rank>, u64)> =
            freq.into_iter().map(|(w, n)| (w.bytes().map(Rank::from).collect(), n)).collect();
        words.sort(); // HashMap order is random: sort so training is deterministic
        let mut pairs = HashMap::new();
        for (w, n) in &words {
            for p in w.windows(2) {
                *pairs.entry((p[0], p[1])).or_insert(0) += n;
            }
        }
        let tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        let ids = tokens.iter().enumerate().map(|(i, t)| (t.clone(), i as Rank)).collect();
        Ok(Trainer { words, tokens, ids, pairs, merges: Vec::new(), target: vocab_size, exhausted: false })
    }

    /// Number of distinct pre-tokens in the corpus.
    pub fn distinct_words(&self) -> usize {
        self.words.len()
    }

    /// The merges learned so far, in order.
    pub fn merges(&self) -> &[LearnedMerge] {
        &self.merges
    }

    /// The bytes of token `id`.
    pub fn token(&self, id: Rank) -> &[u8] {
        &self.tokens[id as usize]
    }

    /// Current vocabulary size.
    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// The size asked for.
    pub fn target(&self) -> usize {
        self.target
    }

    /// Whether training has finished (target reached or no pairs left).
    pub fn done(&self) -> bool {
        self.exhausted || self.tokens.len() >= self.target
    }

    /// Learns one merge; `None` when done.
    pub fn step(&mut self) -> Option<LearnedMerge> {
        if self.done() {
            return None;
        }
        let best = self
            .pairs
            .iter()
            .filter(|(_, &n)| n > 0)
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(&p, &n)| (p, n));
        let Some(((left, right), count)) = best else {
            self.exhausted = true;
            return None;
        };
        let mut bytes = self.tokens[left as usize].clone();
        bytes.extend_from_slice(&self.tokens[right as usize]);
        // Two different pairs can spell the same bytes ("a"+"bc", "ab"+"c"): keep one token.
        let id = match self.ids.get(&bytes) {
            Some(&id) => id,
            None => {
                let id = self.tokens.len() as Rank;
                self.ids.insert(bytes.clone(), id);
                self.tokens.push(bytes);
                id
            }
        };
        for (w, n) in &mut self.words {
            if !w.windows(2).any(|p| p[0] == left && p[1] == right) {
                continue;
            }
            for p in w.windows(2) {
                if let Some(c) = self.pairs.get_mut(&(p[0], p[1])) {
                    *c -= *n;
                }
            }
            let mut merged = Vec::with_capacity(w.len());
            let mut i = 0;
            while i < w.len() {
                if i + 1 < w.len() && w[i] == left && w[i + 1] == right {
                    merged.push(id);
                    i += 2;
                } else {
                    merged.push(w[i]);
                    i += 1;
                }
            }
            for p in merged.windows(2) {
                *self.pairs.entry((p[0], p[1])).or_insert(0) += *n;
            }
            *w = merged;
        }
        self.pairs.retain(|_, c| *c > 0);
        let m = LearnedMerge { left, right, id, count };
        self.merges.push(m.clone());
        Some(m)
    }

    /// An encoding that uses the vocabulary learned so far (ranks = learning order).
    pub fn encoding(&self) -> Encoding {
        let vocab = Vocab::from_tokens(self.tokens.clone()).expect("tokens are distinct and include all bytes");
        Encoding::new(vocab, Pattern::R50k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_the_most_frequent_pair_first_and_is_deterministic() {
        let corpus = "low low low lower lowest newer newer wider";
        let mut a = Trainer::new(corpus, 270).unwrap();
        let mut b = Trainer::new(corpus, 270).unwrap();
        while let Some(m) = a.step() {
            assert_eq!(Some(m), b.step());
        }
        let first = &a.merges()[0];
        // " l" + "o"… : the most frequent pair in this corpus is ("o", "w") or (" ", "l"); check counts.
        assert!(first.count >= 5, "{first:?}");
        assert!(a.done());
    }

    #[test]
    fn encoding_with_the_trained_vocabulary_round_trips() {
        let corpus = "the cat sat on the mat with the other cat. The end!";
        let mut t = Trainer::new(corpus, 300).unwrap();
        while t.step().is_some() {}
        let enc = t.encoding();
        for s in [corpus, "unseen words ünïcödé 🙂", ""] {
            assert_eq!(enc.decode_bytes(&enc.encode(s)).unwrap(), s.as_bytes());
        }
        assert!(enc.encode(" the cat").len() < " the cat".len());
    }

    #[test]
    fn a_tiny_corpus_runs_out_of_pairs_and_says_so() {
        let mut t = Trainer::new("ab", 1000).unwrap();
        while t.step().is_some() {}
        assert!(t.exhausted);
        assert_eq!(t.vocab_size(), 257);
    }

    #[test]
    fn bad_requests_are_errors_not_panics() {
        assert_eq!(Trainer::new("", 300).unwrap_err(), TrainError::EmptyCorpus);
        assert!(matches!(Trainer::new("abc", 10).unwrap_err(), TrainError::VocabSize { .. }));
        assert!(matches!(Trainer::new("abc", MAX_VOCAB + 1).unwrap_err(), TrainError::VocabSize { .. }));
    }
}
