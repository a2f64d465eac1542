//! Retrieval for retrieval-augmented generation (RAG): documents cut into overlapping word windows
//! ("chunks"), two ways to score every chunk against a question — BM25 over terms and cosine
//! similarity of averaged word vectors — and the top k of those scores.
//!
//! - **Chunking.** A document's words are its whitespace-separated pieces. With chunk size `s` and
//!   overlap `o` (0 ≤ o < s), chunk j covers words [j·(s − o), j·(s − o) + s), the last one cut at
//!   the document's end; every word is in some chunk and consecutive chunks share exactly `o` words.
//!   An overlap ≥ s is an error ([`ChunkError`]): the window would never move forward.
//! - **What is indexed.** A chunk is read as its document's header followed by its words (the
//!   header is, e.g., "State of the Union, 1797. John Adams (Federalist).", exactly what the model
//!   reads before the passage), so a year or name in the header can be found by both methods.
//! - **Terms.** Lower-cased maximal runs of letters and digits: "1797." → "1797", "ago—never" →
//!   "ago", "never". Numbers such as years stay terms; there is no stemming and no stop-word list.
//! - **BM25** (Robertson and Spärck Jones; Robertson & Zaragoza 2009), the Lucene variant:
//!   score(q, c) = Σ_{t ∈ q} idf(t) · f(t,c)·(k₁ + 1) / (f(t,c) + k₁·(1 − b + b·|c| / avgdl)),
//!   idf(t) = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5)), k₁ = 1.2, b = 0.75; N chunks, n(t) of them
//!   holding t, f(t,c) the count of t in c, |c| the chunk's length in terms, avgdl the mean length.
//!   Each distinct query term counts once.
//! - **Embedding similarity.** A chunk's vector is the mean of the vectors of its terms that are in
//!   a word table (the MiniLM word table of `embed`); a question's vector likewise; the score is
//!   cos(q, c) (0 when either has no known word). This is a bag of word vectors: it ignores word
//!   order and is weaker than running a sentence encoder over each chunk, but it needs only the
//!   shipped word table and is cheap enough to recompute in the page whenever the chunking changes.
//!   Terms without a vector (any number, rare words) are reported, not guessed.

use crate::embed::Table;
use crate::gpt::prompt::Prompt;
use crate::gpt::tokenizer::Tokenizer;
use crate::simd::{axpy, dot};
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// Words, terms and chunks
// ---------------------------------------------------------------------------------------------

/// The byte ranges of the whitespace-separated words of `text`.
pub fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// The analyser: lower-cased maximal runs of alphanumeric characters, in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t.to_string()));
    out
}

fn for_each_term(text: &str, mut f: impl FnMut(&str)) {
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            f(&cur);
            cur.clear();
        }
    }
    if !cur.is_empty() {
        f(&cur);
    }
}

/// Why a chunking cannot be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkError {
    /// A chunk of 0 words.
    ZeroSize,
    /// overlap ≥ size: consecutive windows would not advance.
    OverlapTooLarge { size: usize, overlap: usize },
}

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChunkError::ZeroSize => write!(f, "a chunk must hold at least one word"),
            ChunkError::OverlapTooLarge { size, overlap } => write!(
                f,
                "an overlap of {overlap} words needs chunks of more than {overlap} words (they are {size}): the window would never move on"
            ),
        }
    }
}

impl std::error::Error for ChunkError {}

/// The word windows of a document of `n` words: [j·(size − overlap), … + size), the last cut at
/// `n`, stopping at the first window that reaches the end. No windows for n = 0.
pub fn chunk_ranges(n: usize, size: usize, overlap: usize) -> Result<Vec<Range<usize>>, ChunkError> {
    if size == 0 {
        return Err(ChunkError::ZeroSize);
    }
    if overlap >= size {
        return Err(ChunkError::OverlapTooLarge { size, overlap });
    }
    let stride = size - overlap;
    let mut out = Vec::with_capacity(n / stride + 1);
    let mut start = 0;
    while start < n {
        let end = (start + size).min(n);
        out.push(start..end);
        if end == n {
            break;
        }
        start += stride;
    }
    Ok(out)
}

/// One document of a corpus: a header (its citation), its text, its words and their term ids.
#[derive(Clone, Debug)]
pub struct Doc {
    pub header: String,
    pub text: String,
    /// Byte ranges of the words in `text`.
    pub words: Vec<Range<usize>>,
    header_terms: Vec<u32>,
    /// Terms of word i are `terms[term_at[i]..term_at[i + 1]]`.
    term_at: Vec<u32>,
    terms: Vec<u32>,
}

impl Doc {
    /// The text of words `r`, joined by single spaces (how a passage is written into a prompt).
    pub fn passage(&self, r: Range<usize>) -> String {
        let mut s = String::new();
        for w in &self.words[r] {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&self.text[w.clone()]);
        }
        s
    }
}

/// Documents sharing one term vocabulary (term → id, first seen first).
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    pub docs: Vec<Doc>,
    ids: HashMap<String, u32>,
    /// The term of each id.
    pub vocab: Vec<String>,
}

impl Corpus {
    pub fn new() -> Corpus {
        Corpus::default()
    }

    fn intern(&mut self, t: &str) -> u32 {
        if let Some(&id) = self.ids.get(t) {
            return id;
        }
        let id = self.vocab.len() as u32;
        self.vocab.push(t.to_string());
        self.ids.insert(t.to_string(), id);
        id
    }

    /// Adds a document (header may be empty); its words and terms are found once here.
    pub fn add(&mut self, header: &str, text: &str) {
        let words = word_spans(text);
        let mut header_terms = Vec::new();
        for t in terms(header) {
            header_terms.push(self.intern(&t));
        }
        let mut term_at = Vec::with_capacity(words.len() + 1);
        let mut ids = Vec::with_capacity(words.len());
        term_at.push(0);
        let mut buf = Vec::new();
        for w in &words {
            buf.clear();
            for_each_term(&text[w.clone()], |t| buf.push(t.to_string()));
            for t in &buf {
                let id = self.intern(t);
                ids.push(id);
            }
            term_at.push(ids.len() as u32);
        }
        self.docs.push(Doc { header: header.to_string(), text: text.to_string(), words, header_terms, term_at, terms: ids });
    }

    /// The id of a term (already analysed: lower case, alphanumeric), if the corpus has it.
    pub fn term_id(&self, term: &str) -> Option<u32> {
        self.ids.get(term).copied()
    }

    /// Total words over all documents.
    pub fn n_words(&self) -> usize {
        self.docs.iter().map(|d| d.words.len()).sum()
    }

    /// Every document cut into windows of `size` words overlapping by `overlap`, in document order.
    pub fn chunks(&self, size: usize, overlap: usize) -> Result<Vec<Chunk>, ChunkError> {
        let mut out = Vec::new();
        for (d, doc) in self.docs.iter().enumerate() {
            for r in chunk_ranges(doc.words.len(), size, overlap)? {
                out.push(Chunk { doc: d, words: r });
            }
        }
        Ok(out)
    }

    /// The term ids of a chunk as it is indexed: the header's, then its words'.
    pub fn chunk_terms<'a>(&'a self, c: &Chunk) -> impl Iterator<Item = u32> + 'a {
        let doc = &self.docs[c.doc];
        let body = &doc.terms[doc.term_at[c.words.start] as usize..doc.term_at[c.words.end] as usize];
        doc.header_terms.iter().chain(body).copied()
    }

    /// The chunk as a document of the prompt: "header passage".
    pub fn chunk_document(&self, c: &Chunk) -> String {
        let doc = &self.docs[c.doc];
        let p = doc.passage(c.words.clone());
        if doc.header.is_empty() {
            p
        } else {
            format!("{} {}", doc.header, p)
        }
    }

    /// The byte range of a chunk in its document's text.
    pub fn chunk_bytes(&self, c: &Chunk) -> Range<usize> {
        let w = &self.docs[c.doc].words;
        if c.words.is_empty() {
            return 0..0;
        }
        w[c.words.start].start..w[c.words.end - 1].end
    }
}

/// A window of words of document `doc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub doc: usize,
    pub words: Range<usize>,
}

// ---------------------------------------------------------------------------------------------
// BM25
// ---------------------------------------------------------------------------------------------

pub const K1: f32 = 1.2;
pub const B: f32 = 0.75;

/// idf(t) = ln(1 + (N − n + 0.5) / (n + 0.5)) (Lucene's BM25 idf, never negative).
pub fn idf(n_chunks: usize, n_with_term: usize) -> f32 {
    let (big_n, n) = (n_chunks as f64, n_with_term as f64);
    (1.0 + (big_n - n + 0.5) / (n + 0.5)).ln() as f32
}

/// An inverted index: for each term the chunks holding it with the count, and every chunk's length.
#[derive(Clone, Debug)]
pub struct Bm25 {
    /// postings of term t: `post[at[t]..at[t + 1]]` as (chunk, count), chunks ascending.
    at: Vec<u32>,
    post: Vec<(u32, u32)>,
    /// |c| in terms.
    pub lengths: Vec<u32>,
    pub avgdl: f32,
}

/// One query's scores, and which of its terms the index had never seen.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub scores: Vec<f32>,
    /// Distinct query terms, in order.
    pub terms: Vec<String>,
    /// Those that no chunk contains (BM25) or that have no vector (embedding).
    pub missing: Vec<String>,
}

impl Bm25 {
    pub fn build(corpus: &Corpus, chunks: &[Chunk]) -> Bm25 {
        let v = corpus.vocab.len();
        // count[t] for the current chunk, and the terms touched, then a counting sort by term.
        let mut count = vec![0u32; v];
        let mut touched = Vec::new();
        let mut per_chunk: Vec<(u32, u32, u32)> = Vec::new(); // (term, chunk, count)
        let mut df = vec![0u32; v + 1];
        let mut lengths = Vec::with_capacity(chunks.len());
        for (ci, c) in chunks.iter().enumerate() {
            let mut len = 0u32;
            for t in corpus.chunk_terms(c) {
                if count[t as usize] == 0 {
                    touched.push(t);
                }
                count[t as usize] += 1;
                len += 1;
            }
            for &t in &touched {
                per_chunk.push((t, ci as u32, count[t as usize]));
                df[t as usize] += 1;
                count[t as usize] = 0;
            }
            touched.clear();
            lengths.push(len);
        }
        // prefix sums of document frequencies → postings start per term
        let mut at = vec![0u32; v + 1];
        for t in 0..v {
            at[t + 1] = at[t] + df[t];
        }
        let mut fill = at.clone();
        let mut post = vec![(0u32, 0u32); per_chunk.len()];
        for (t, c, n) in per_chunk {
            post[fill[t as usize] as usize] = (c, n);
            fill[t as usize] += 1;
        }
        let avgdl = if chunks.is_empty() { 0.0 } else { lengths.iter().map(|&l| l as f64).sum::<f64>() as f32 / chunks.len() as f32 };
        Bm25 { at, post, lengths, avgdl }
    }

    pub fn n_chunks(&self) -> usize {
        self.lengths.len()
    }

    /// How many chunks hold term id t.
    pub fn df(&self, t: u32) -> usize {
        (self.at[t as usize + 1] - self.at[t as usize]) as usize
    }

    /// BM25 of every chunk for `query` (see the module doc).
    pub fn score(&self, corpus: &Corpus, query: &str) -> Scored {
        let n = self.n_chunks();
        let mut scores = vec![0.0f32; n];
        let q = distinct_terms(query);
        let mut missing = Vec::new();
        for t in &q {
            let Some(id) = corpus.term_id(t).filter(|&id| (id as usize) < self.at.len() - 1 && self.df(id) > 0) else {
                missing.push(t.clone());
                continue;
            };
            let w = idf(n, self.df(id));
            for &(c, f) in &self.post[self.at[id as usize] as usize..self.at[id as usize + 1] as usize] {
                let f = f as f32;
                let norm = K1 * (1.0 - B + B * self.lengths[c as usize] as f32 / self.avgdl);
                scores[c as usize] += w * f * (K1 + 1.0) / (f + norm);
            }
        }
        Scored { scores, terms: q, missing }
    }
}

/// The distinct terms of a query, in order of first appearance.
pub fn distinct_terms(query: &str) -> Vec<String> {
    let mut q: Vec<String> = Vec::new();
    for t in terms(query) {
        if !q.contains(&t) {
            q.push(t);
        }
    }
    q
}

// ---------------------------------------------------------------------------------------------
// Embedding similarity (bag of word vectors)
// ---------------------------------------------------------------------------------------------

/// A word table with its words: the row of each word.
pub struct WordVectors {
    pub table: Table,
    rows: HashMap<String, u32>,
}

impl WordVectors {
    /// `words[i]` names row i of `table` (lower case, as in words.json).
    pub fn new(table: Table, words: &[String]) -> WordVectors {
        let rows = words.iter().enumerate().take(table.n).map(|(i, w)| (w.to_lowercase(), i as u32)).collect();
        WordVectors { table, rows }
    }

    pub fn row(&self, term: &str) -> Option<usize> {
        self.rows.get(term).map(|&r| r as usize)
    }

    /// The mean of the vectors of the known terms of `text`, L2-normalised (zero if none is known),
    /// with the distinct terms and those without a vector.
    pub fn embed_text(&self, text: &str) -> (Vec<f32>, Scored) {
        let dim = self.table.dim;
        let mut v = vec![0.0f32; dim];
        let mut missing = Vec::new();
        let all = terms(text);
        for t in &all {
            match self.row(t) {
                Some(r) => axpy(1.0, self.table.row(r), &mut v),
                None => {
                    if !missing.contains(t) {
                        missing.push(t.clone())
                    }
                }
            }
        }
        normalise(&mut v);
        (v, Scored { scores: Vec::new(), terms: distinct_terms(text), missing })
    }
}

fn normalise(v: &mut [f32]) {
    let n = dot(v, v).sqrt();
    if n > 0.0 && n.is_finite() {
        let inv = 1.0 / n;
        v.iter_mut().for_each(|x| *x *= inv);
    } else {
        v.iter_mut().for_each(|x| *x = 0.0);
    }
}

/// Unit mean-word-vectors of every chunk (row-major, chunks × dim), so cos = a dot product.
#[derive(Clone, Debug)]
pub struct ChunkVectors {
    pub dim: usize,
    pub data: Vec<f32>,
    /// Known terms per chunk (0 → a zero vector, score 0).
    pub known: Vec<u32>,
}

impl ChunkVectors {
    pub fn build(corpus: &Corpus, chunks: &[Chunk], wv: &WordVectors) -> ChunkVectors {
        let dim = wv.table.dim;
        // the table row of every corpus term, once
        let rows: Vec<u32> = corpus.vocab.iter().map(|t| wv.row(t).map_or(u32::MAX, |r| r as u32)).collect();
        let mut data = vec![0.0f32; chunks.len() * dim];
        let mut known = Vec::with_capacity(chunks.len());
        for (c, out) in chunks.iter().zip(data.chunks_exact_mut(dim)) {
            let mut k = 0;
            for t in corpus.chunk_terms(c) {
                let r = rows[t as usize];
                if r != u32::MAX {
                    axpy(1.0, wv.table.row(r as usize), out);
                    k += 1;
                }
            }
            normalise(out);
            known.push(k);
        }
        ChunkVectors { dim, data, known }
    }

    /// cos(query, chunk) for every chunk; the query vector must be unit (or zero).
    pub fn score(&self, q: &[f32]) -> Vec<f32> {
        self.data.chunks_exact(self.dim).map(|c| dot(c, q)).collect()
    }
}

/// Embedding scores of every chunk for `query`.
pub fn embedding_scores(vectors: &ChunkVectors, wv: &WordVectors, query: &str) -> Scored {
    let (q, mut s) = wv.embed_text(query);
    s.scores = vectors.score(&q);
    s
}

// ---------------------------------------------------------------------------------------------
// Top k, prompts, checksums
// ---------------------------------------------------------------------------------------------

/// The k highest scores' indices, best first, ties by lower index; NaN never chosen.
pub fn top_k(scores: &[f32], k: usize) -> Vec<usize> {
    let mut best: Vec<usize> = Vec::with_capacity(k + 1);
    if k == 0 {
        return best;
    }
    for (i, &s) in scores.iter().enumerate() {
        if s.is_nan() || (best.len() == k && s <= scores[best[k - 1]]) {
            continue;
        }
        let at = best.iter().position(|&j| s > scores[j]).unwrap_or(best.len());
        best.insert(at, i);
        best.truncate(k);
    }
    best
}

/// An augmented prompt cut to a token budget, and what the cut took away.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub prompt: Prompt,
    /// Tokens of the prompt as fitted.
    pub tokens: usize,
    /// Tokens before any cut.
    pub tokens_before: usize,
    /// Documents dropped whole (from the end, the lowest ranked).
    pub dropped_docs: usize,
    /// Words cut from the end of the last kept document.
    pub cut_words: usize,
}

/// Fits `prompt` into `budget` tokens by dropping its last documents, and then words from the end
/// of the one document left; the instruction, input and output indicator are never cut (if they
/// alone exceed the budget, the prompt is returned with its context gone and `tokens > budget`).
pub fn fit_prompt(tok: &Tokenizer, prompt: &Prompt, budget: usize) -> Fitted {
    let count = |p: &Prompt| p.encode(tok).len();
    let before = count(prompt);
    let mut p = prompt.clone();
    let mut f = Fitted { prompt: p.clone(), tokens: before, tokens_before: before, dropped_docs: 0, cut_words: 0 };
    if before <= budget {
        return f;
    }
    let mut dropped = 0;
    while let Some(docs) = p.context.as_mut() {
        if docs.len() <= 1 {
            break;
        }
        docs.pop();
        dropped += 1;
        if count(&p) <= budget {
            return Fitted { tokens: count(&p), prompt: p, dropped_docs: dropped, ..f };
        }
    }
    // one document left: remove words from its end, keeping the longest prefix that fits (binary search)
    if let Some(doc) = p.context.as_ref().and_then(|d| d.first()).cloned() {
        let words = word_spans(&doc);
        let with = |n: usize| {
            let mut q = p.clone();
            q.context = if n == 0 { None } else { Some(vec![doc[..words[n - 1].end].to_string()]) };
            q
        };
        let (mut lo, mut hi) = (0usize, words.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if count(&with(mid)) <= budget {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo == 0 {
            dropped += 1;
        }
        p = with(lo);
        f.cut_words = if lo == 0 { 0 } else { words.len() - lo };
    }
    f.tokens = count(&p);
    f.prompt = p;
    f.dropped_docs = dropped;
    f
}

/// FNV-1a (64-bit) over the bit patterns of `xs` (little-endian bytes): a fingerprint of weights.
/// h₀ = 0xcbf29ce484222325; for each byte: h = (h ⊕ byte) × 0x100000001b3 (mod 2⁶⁴).
pub fn fnv1a_f32(xs: &[f32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in xs {
        for b in x.to_bits().to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpe::Vocab;

    #[test]
    fn chunks_cover_every_word_and_overlap_exactly() {
        for n in 0..60 {
            for size in 1..12 {
                for overlap in 0..size {
                    let r = chunk_ranges(n, size, overlap).unwrap();
                    if n == 0 {
                        assert!(r.is_empty());
                        continue;
                    }
                    assert_eq!(r[0].start, 0);
                    assert_eq!(r.last().unwrap().end, n);
                    for c in &r {
                        assert!(!c.is_empty() && c.len() <= size);
                    }
                    for w in r.windows(2) {
                        // consecutive chunks share exactly `overlap` words; only the last is short
                        assert_eq!(w[0].end - w[1].start, overlap, "n {n} size {size} overlap {overlap}");
                        assert_eq!(w[0].len(), size);
                    }
                    // every word covered
                    for i in 0..n {
                        assert!(r.iter().any(|c| c.contains(&i)));
                    }
                }
            }
        }
        assert_eq!(chunk_ranges(10, 4, 4), Err(ChunkError::OverlapTooLarge { size: 4, overlap: 4 }));
        assert_eq!(chunk_ranges(10, 4, 9), Err(ChunkError::OverlapTooLarge { size: 4, overlap: 9 }));
        assert_eq!(chunk_ranges(10, 0, 0), Err(ChunkError::ZeroSize));
        assert_eq!(chunk_ranges(10, 4, 1).unwrap(), vec![0..4, 3..7, 6..10]);
    }

    #[test]
    fn the_analyser_keeps_years_and_splits_on_punctuation() {
        assert_eq!(terms("State of the Union, 1797. John Adams (Federalist)."), ["state", "of", "the", "union", "1797", "john", "adams", "federalist"]);
        assert_eq!(terms("ago—never mind; DON'T"), ["ago", "never", "mind", "don", "t"]);
        assert_eq!(distinct_terms("the cat the Cat"), ["the", "cat"]);
        assert!(terms(" ,.; ").is_empty());
    }

    #[test]
    fn chunks_know_their_words_bytes_and_document() {
        let mut c = Corpus::new();
        c.add("Head, 1800.", "one  two\nthree four five");
        let ch = c.chunks(2, 0).unwrap();
        assert_eq!(ch.len(), 3);
        assert_eq!(c.chunk_document(&ch[0]), "Head, 1800. one two");
        assert_eq!(&c.docs[0].text[c.chunk_bytes(&ch[1])], "three four");
        assert_eq!(c.chunk_terms(&ch[2]).map(|t| c.vocab[t as usize].as_str()).collect::<Vec<_>>(), ["head", "1800", "five"]);
    }

    #[test]
    fn bm25_equals_a_hand_computation() {
        // Three chunks (no headers, one chunk per document):
        //   c0 = "the whale the sea"   |c0| = 4
        //   c1 = "the ship"            |c1| = 2
        //   c2 = "whale whale oil"     |c2| = 3      avgdl = 3
        // query "whale the": idf(whale) = idf(the) = ln(1 + (3 − 2 + 0.5)/(2 + 0.5)) = ln 1.6
        // python3 -c "import math;I=math.log(1.6);t=lambda f,L:f*2.2/(f+1.2*(0.25+0.75*L/3));print(I*(t(1,4)+t(2,4)),I*t(1,2),I*t(2,3))"
        // → 1.0044648990737437 0.5442147286003255 0.6462549902128865
        let mut c = Corpus::new();
        for t in ["the whale the sea", "the ship", "whale whale oil"] {
            c.add("", t);
        }
        let ch = c.chunks(10, 0).unwrap();
        let bm = Bm25::build(&c, &ch);
        assert_eq!(bm.lengths, [4, 2, 3]);
        assert!((bm.avgdl - 3.0).abs() < 1e-6);
        let s = bm.score(&c, "Whale, the?");
        let want = [1.0044648990737437f64, 0.5442147286003255, 0.6462549902128865];
        for (&a, b) in s.scores.iter().zip(want) {
            assert!((a as f64 - b).abs() < 1e-6, "{a} vs {b}");
        }
        assert!(s.missing.is_empty());
        // an unknown term adds nothing and is reported; a repeated query term counts once
        let s2 = bm.score(&c, "whale the the 1788");
        assert_eq!(s2.scores, s.scores);
        assert_eq!(s2.missing, ["1788"]);
        // idf of a term in one chunk: ln(1 + 2.5/1.5)
        // python3 -c "import math;print(math.log(1+2.5/1.5)*1*2.2/(1+1.2*(0.25+0.75*4/3)))" → 0.8631297426503192
        let sea = bm.score(&c, "sea").scores;
        assert!((sea[0] as f64 - 0.8631297426503192).abs() < 1e-6 && sea[1] == 0.0 && sea[2] == 0.0);
        assert_eq!(top_k(&s.scores, 2), [0, 2]);
    }

    #[test]
    fn headers_are_indexed_with_every_chunk() {
        let mut c = Corpus::new();
        c.add("State of the Union, 1797. John Adams (Federalist).", "a b c d e f");
        c.add("State of the Union, 1801. Thomas Jefferson (Democratic-Republican).", "a b c d e f");
        let ch = c.chunks(3, 1).unwrap();
        assert_eq!(ch.len(), 6);
        let bm = Bm25::build(&c, &ch);
        let s = bm.score(&c, "Who gave the address in 1797?").scores;
        // "the" is in both headers (a small score everywhere); "1797" only in the first document's
        let low = s[3..].iter().cloned().fold(0.0f32, f32::max);
        assert!(s[..3].iter().all(|&x| x > low + 0.5), "{s:?}");
    }

    #[test]
    fn embeddings_are_means_of_known_word_vectors() {
        // rows: cat = (1,0,0), dog = (0,1,0), sea = (0,0,1)
        let table = Table::from_rows(3, 3, vec![1., 0., 0., 0., 1., 0., 0., 0., 1.]).unwrap();
        let words: Vec<String> = ["cat", "dog", "sea"].iter().map(|s| s.to_string()).collect();
        let wv = WordVectors::new(table, &words);
        let mut c = Corpus::new();
        c.add("", "cat cat dog");
        c.add("", "sea 1851");
        c.add("", "1851");
        let ch = c.chunks(5, 0).unwrap();
        let v = ChunkVectors::build(&c, &ch, &wv);
        assert_eq!(v.known, [3, 1, 0]);
        // chunk 0 = mean(2·cat + dog) ∝ (2,1,0)/√5; query "cat" = (1,0,0) → cos = 2/√5
        let s = embedding_scores(&v, &wv, "Cat 1797");
        assert!((s.scores[0] - 2.0 / 5f32.sqrt()).abs() < 1e-6);
        assert_eq!(s.scores[1], 0.0);
        assert_eq!(s.scores[2], 0.0);
        assert_eq!(s.missing, ["1797"]);
        // a query with no known word scores 0 everywhere
        assert!(embedding_scores(&v, &wv, "1788").scores.iter().all(|&x| x == 0.0));
        // equals embed::cosine of the raw means
        let sea = embedding_scores(&v, &wv, "sea dog");
        assert!((sea.scores[0] - crate::embed::cosine(&[2., 1., 0.], &[0., 1., 1.])).abs() < 1e-6);
    }

    #[test]
    fn top_k_orders_by_score_then_index() {
        assert_eq!(top_k(&[0.5, 0.9, 0.5, f32::NAN, 0.9, 0.1], 3), [1, 4, 0]);
        assert_eq!(top_k(&[0.0, 0.0], 5), [0, 1]);
        assert!(top_k(&[1.0], 0).is_empty());
    }

    #[test]
    fn prompts_are_cut_to_the_budget_from_the_lowest_ranked_document() {
        let tok = crate::gpt::tokenizer::Tokenizer::new(Vocab::from_tokens((0..=255u8).map(|b| vec![b]).collect()).unwrap());
        let p = Prompt { instruction: Some("I".into()), context: Some(vec!["aaaa bbbb".into(), "cccc".into()]), input: Some("Q".into()), output: Some(String::new()) };
        // markers: instruction 1 + 1, context 1 + (1 + 9) + (1 + 4), input 1 + 1, output 1 = 21 tokens
        let all = fit_prompt(&tok, &p, 100);
        assert_eq!((all.tokens, all.dropped_docs, all.cut_words), (21, 0, 0));
        let one = fit_prompt(&tok, &p, 17);
        assert_eq!((one.tokens, one.dropped_docs, one.cut_words), (16, 1, 0));
        let cut = fit_prompt(&tok, &p, 13);
        assert_eq!(cut.prompt.context, Some(vec!["aaaa".to_string()]));
        assert_eq!((cut.tokens, cut.dropped_docs, cut.cut_words), (11, 1, 1));
        let none = fit_prompt(&tok, &p, 6);
        assert_eq!(none.prompt.context, None);
        assert_eq!(none.dropped_docs, 2);
    }

    #[test]
    fn fnv1a_matches_the_reference_and_sees_one_bit() {
        // python3 -c "import struct;h=0xcbf29ce484222325
        // for b in struct.pack('<2f',1.0,-2.5): h=((h^b)*0x100000001b3)%2**64
        // print(hex(h))" → 0x9e629ee2dfdb3f8
        assert_eq!(fnv1a_f32(&[]), 0xcbf29ce484222325);
        let h = fnv1a_f32(&[1.0, -2.5]);
        assert_eq!(h, FNV_1_M25);
        assert_ne!(fnv1a_f32(&[1.0, f32::from_bits((-2.5f32).to_bits() ^ 1)]), h);
    }
    const FNV_1_M25: u64 = 0x09e6_29ee_2dfd_b3f8;

    #[test]
    fn ten_thousand_chunks_are_indexed_and_scored() {
        // a synthetic corpus of ~300k words over a 5000-word table (timings printed, not asserted)
        let dim = 384;
        let n_words = 5000;
        let mut rng = crate::rng::Rng::new(3);
        let data: Vec<f32> = (0..n_words * dim).map(|_| rng.next_f64() as f32 - 0.5).collect();
        let table = Table::from_rows(n_words, dim, data).unwrap();
        let words: Vec<String> = (0..n_words).map(|i| format!("w{i}")).collect();
        let wv = WordVectors::new(table, &words);
        let mut c = Corpus::new();
        for d in 0..500 {
            let text: Vec<String> = (0..600).map(|_| format!("w{}", (rng.next_f64() * rng.next_f64() * n_words as f64) as usize)).collect();
            c.add(&format!("Doc {d}."), &text.join(" "));
        }
        let t0 = std::time::Instant::now();
        let ch = c.chunks(40, 10).unwrap();
        let bm = Bm25::build(&c, &ch);
        let t1 = std::time::Instant::now();
        let v = ChunkVectors::build(&c, &ch, &wv);
        let t2 = std::time::Instant::now();
        let s = bm.score(&c, "w1 w20 w300 w4000 doc");
        let t3 = std::time::Instant::now();
        let e = embedding_scores(&v, &wv, "w1 w20 w300 w4000");
        let t4 = std::time::Instant::now();
        assert_eq!(s.scores.len(), ch.len());
        assert_eq!(e.scores.len(), ch.len());
        assert!(ch.len() >= 10_000);
        println!(
            "{} chunks: BM25 index {:?}, vectors {:?}, BM25 query {:?}, embedding query {:?}",
            ch.len(),
            t1 - t0,
            t2 - t1,
            t3 - t2,
            t4 - t3
        );
    }
}
