//! The pre-tokenizers of OpenAI's encodings, written out by hand.
//!
//! tiktoken splits text with a regular expression per encoding before merging bytes. Those
//! patterns use look-ahead and possessive quantifiers; here each is a small scanner that follows
//! the pattern's alternatives in order, with the same greedy/backtracking outcome. Character classes
//! (`\s`, `\p{L}`, `\p{N}`, …) come from tables generated from the `regex` crate's Unicode data
//! (see `unicode_tables.rs`). The reference tests check every id against tiktoken-rs.
//!
//! - r50k (GPT-2): `'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+$|\s+(?!\S)|\s`
//! - cl100k: `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
//! - o200k: `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//!   `|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//!   `|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`

use crate::unicode_tables::CLASS_RANGES;

/// `\s` (Unicode White_Space).
pub const WS: u8 = 1;
/// `\p{L}`.
pub const L: u8 = 2;
/// `\p{N}`.
pub const N: u8 = 4;
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` (o200k's "upper" run).
pub const UP: u8 = 8;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` (o200k's "lower" run).
pub const LO: u8 = 16;

const fn ascii_table() -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < CLASS_RANGES.len() {
        let (a, b, f) = CLASS_RANGES[i];
        let mut c = a;
        while c <= b && c < 128 {
            t[c as usize] = f;
            c += 1;
        }
        i += 1;
    }
    t
}

static ASCII: [u8; 128] = ascii_table();

/// The class flags of a character.
#[inline]
pub fn flags(c: char) -> u8 {
    let cp = c as u32;
    if cp < 128 {
        return ASCII[cp as usize];
    }
    match CLASS_RANGES.binary_search_by(|&(a, b, _)| {
        if b < cp {
            std::cmp::Ordering::Less
        } else if a > cp {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    }) {
        Ok(i) => CLASS_RANGES[i].2,
        Err(_) => 0,
    }
}

#[inline]
fn at(text: &str, i: usize) -> Option<char> {
    text[i..].chars().next()
}

/// End of the run of characters from `i` whose flags satisfy `keep`.
#[inline]
fn run(text: &str, i: usize, keep: impl Fn(char) -> bool) -> usize {
    text[i..].char_indices().find(|&(_, c)| !keep(c)).map(|(k, _)| i + k).unwrap_or(text.len())
}

#[inline]
fn has(c: char, f: u8) -> bool {
    flags(c) & f != 0
}

/// Neither whitespace, letter nor number: `[^\s\p{L}\p{N}]`.
#[inline]
fn other(c: char) -> bool {
    flags(c) & (WS | L | N) == 0
}

#[inline]
fn line_break(c: char) -> bool {
    c == '\r' || c == '\n'
}

/// Case-insensitive equality as the regex crate's `(?i)` does for these ASCII letters
/// (simple case folding: `s` also matches U+017F LATIN SMALL LETTER LONG S).
#[inline]
fn ci(c: char, lower: char) -> bool {
    c.to_ascii_lowercase() == lower || (lower == 's' && c == '\u{17f}')
}

/// Length (in bytes, after the apostrophe) of `[sdmt]|ll|ve|re` at the start of `rest`.
fn contraction(rest: &str, case_insensitive: bool) -> Option<usize> {
    let mut it = rest.chars();
    let a = it.next()?;
    let eq = |c: char, l: char| if case_insensitive { ci(c, l) } else { c == l };
    if ['s', 'd', 'm', 't'].iter().any(|&l| eq(a, l)) {
        return Some(a.len_utf8());
    }
    let b = it.next()?;
    for (x, y) in [('l', 'l'), ('v', 'e'), ('r', 'e')] {
        if eq(a, x) && eq(b, y) {
            return Some(a.len_utf8() + b.len_utf8());
        }
    }
    None
}

/// o200k's optional `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`: the end after it.
fn o200k_contraction(text: &str, i: usize) -> usize {
    let rest = &text[i..];
    if !rest.starts_with('\'') {
        return i;
    }
    let mut it = rest[1..].chars();
    let Some(a) = it.next() else { return i };
    if ['s', 't', 'm', 'd'].iter().any(|&l| ci(a, l)) {
        return i + 1 + a.len_utf8();
    }
    let Some(b) = it.next() else { return i };
    for (x, y) in [('r', 'e'), ('v', 'e'), ('l', 'l')] {
        if ci(a, x) && ci(b, y) {
            return i + 1 + a.len_utf8() + b.len_utf8();
        }
    }
    i
}

/// `\p{N}{1,3}` at `i` (which holds a number character): the end after at most three of them.
fn up_to_three_digits(text: &str, i: usize) -> usize {
    let mut e = i;
    for (k, ch) in text[i..].char_indices().take(3) {
        if !has(ch, N) {
            break;
        }
        e = i + k + ch.len_utf8();
    }
    e
}

/// The last character's start within `[i, e)` (e > i).
fn last_char_start(text: &str, e: usize) -> usize {
    text[..e].char_indices().next_back().map(|(k, _)| k).unwrap_or(0)
}

/// The end of the piece starting at `i` (which is < text.len()), GPT-2 / r50k.
pub fn r50k_piece(text: &str, i: usize) -> usize {
    let c = at(text, i).unwrap();
    if c == '\'' {
        if let Some(n) = contraction(&text[i + 1..], false) {
            return i + 1 + n;
        }
    }
    let p = if c == ' ' { i + 1 } else { i };
    if let Some(d) = at(text, p) {
        if has(d, L) {
            return run(text, p, |c| has(c, L));
        }
        if has(d, N) {
            return run(text, p, |c| has(c, N));
        }
        if other(d) {
            return run(text, p, other);
        }
    }
    // `\s+$|\s+(?!\S)|\s`
    let e = run(text, i, |c| has(c, WS));
    if e == text.len() {
        return e;
    }
    let last = last_char_start(text, e);
    if last > i { last } else { e.max(i + c.len_utf8()) }
}

/// The end of the piece starting at `i`, cl100k.
pub fn cl100k_piece(text: &str, i: usize) -> usize {
    let c = at(text, i).unwrap();
    let cl = c.len_utf8();
    if c == '\'' {
        if let Some(n) = contraction(&text[i + 1..], true) {
            return i + 1 + n;
        }
    }
    // `[^\r\n\p{L}\p{N}]?+\p{L}+`
    if has(c, L) {
        return run(text, i, |c| has(c, L));
    }
    if !line_break(c) && !has(c, N) {
        if let Some(d) = at(text, i + cl) {
            if has(d, L) {
                return run(text, i + cl, |c| has(c, L));
            }
        }
    }
    // `\p{N}{1,3}`
    if has(c, N) {
        return up_to_three_digits(text, i);
    }
    // ` ?[^\s\p{L}\p{N}]++[\r\n]*`
    let p = if c == ' ' { i + 1 } else { i };
    if at(text, p).is_some_and(other) {
        let e = run(text, p, other);
        return run(text, e, line_break);
    }
    // `\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    let e = run(text, i, |c| has(c, WS));
    if e == text.len() {
        return e;
    }
    if let Some(k) = text[i..e].rfind(['\r', '\n']) {
        return i + k + 1;
    }
    let last = last_char_start(text, e);
    if last > i { last } else { i + cl }
}

/// o200k's two word alternatives from `p` (after any prefix); `upper_first` picks the second form.
fn o200k_body(text: &str, p: usize, upper_first: bool) -> Option<usize> {
    let u_end = run(text, p, |c| has(c, UP));
    if upper_first {
        // `U+ L*`
        if u_end == p {
            return None;
        }
        let e = run(text, u_end, |c| has(c, LO));
        return Some(o200k_contraction(text, e));
    }
    // `U* L+`: U* gives back characters until L+ can start.
    let mut k = u_end;
    loop {
        if at(text, k).is_some_and(|c| has(c, LO)) {
            let e = run(text, k, |c| has(c, LO));
            return Some(o200k_contraction(text, e));
        }
        if k == p {
            return None;
        }
        k = last_char_start(text, k);
    }
}

/// The end of the piece starting at `i`, o200k.
pub fn o200k_piece(text: &str, i: usize) -> usize {
    let c = at(text, i).unwrap();
    let cl = c.len_utf8();
    let prefix = !line_break(c) && !has(c, L | N);
    for upper_first in [false, true] {
        if prefix {
            if let Some(e) = o200k_body(text, i + cl, upper_first) {
                return e;
            }
        }
        if let Some(e) = o200k_body(text, i, upper_first) {
            return e;
        }
    }
    if has(c, N) {
        return up_to_three_digits(text, i); // `\p{N}{1,3}`
    }
    // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
    let p = if c == ' ' { i + 1 } else { i };
    if at(text, p).is_some_and(other) {
        let e = run(text, p, other);
        return run(text, e, |c| line_break(c) || c == '/');
    }
    // `\s*[\r\n]+|\s+(?!\S)|\s+`
    let e = run(text, i, |c| has(c, WS));
    if let Some(k) = text[i..e].rfind(['\r', '\n']) {
        return i + k + 1;
    }
    if e == text.len() {
        return e;
    }
    let last = last_char_start(text, e);
    if last > i { last } else { e }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_classes() {
        assert_eq!(flags(' '), WS);
        assert_eq!(flags('\n'), WS);
        assert_eq!(flags('a') & (L | LO), L | LO);
        assert_eq!(flags('A') & (L | UP), L | UP);
        assert_eq!(flags('7'), N);
        assert_eq!(flags('!'), 0);
        assert_eq!(flags('\u{301}') & (UP | LO), UP | LO); // a combining mark is in both o200k runs
        assert_eq!(flags('日') & (L | UP | LO), L | UP | LO); // Lo
    }
}
