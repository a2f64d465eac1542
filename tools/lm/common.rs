//! What the language-model scripts share: the corpus files of tools/lm/prepare_corpus.mjs (a few
//! JSON fields read by hand: the scripts need no JSON crate) and checkpoints (weights, AdamW moments,
//! step, curve), so that a long run resumes where it stopped.
#![allow(dead_code)]

use genai_core::gpt::{AdamW, Config, Gpt, Workspace};

/// One address as a document: a header line naming it, then its text.
pub fn address_document(line: &str) -> String {
    let year = json_number(line, "year") as i64;
    let president = json_string(line, "president");
    let party = json_string(line, "party");
    let text = json_string(line, "text");
    format!("State of the Union, {year}. {president} ({party}).\n\n{text}")
}

pub fn json_number(json: &str, key: &str) -> f64 {
    let k = format!("\"{key}\":");
    let at = json.find(&k).unwrap_or_else(|| panic!("no {key}")) + k.len();
    let rest = json[at..].trim_start();
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap_or(rest.len());
    rest[..end].parse().unwrap()
}

pub fn json_string(json: &str, key: &str) -> String {
    let k = format!("\"{key}\":\"");
    let at = json.find(&k).unwrap_or_else(|| panic!("no {key}")) + k.len();
    unescape(&json[at..])
}

/// The SHA-256 that the corpus manifest records for one output file: `"<file>": { "sha256": "…" }`.
pub fn corpus_sha256(json: &str, file: &str) -> Option<String> {
    let at = json.find(&format!("{file}\""))?;
    json_string_after(&json[at..], "sha256")
}

/// The string value that follows the first occurrence of `"key"`.
pub fn json_string_after(json: &str, key: &str) -> Option<String> {
    let at = json.find(&format!("\"{key}\""))?;
    let rest = &json[at + key.len() + 2..];
    let open = rest.find('"')?;
    Some(unescape(&rest[open + 1..]))
}

/// Reads a JSON string body up to its closing quote.
pub fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let mut code = u32::from_str_radix(&hex, 16).unwrap();
                    if (0xD800..0xDC00).contains(&code) {
                        let _ = (chars.next(), chars.next());
                        let lo: String = chars.by_ref().take(4).collect();
                        code = 0x10000 + ((code - 0xD800) << 10) + (u32::from_str_radix(&lo, 16).unwrap() - 0xDC00);
                    }
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

pub fn save_checkpoint(model: &Gpt, opt: &AdamW, curve: &[String], seconds: f64) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend((opt.t as u64).to_le_bytes());
    out.extend(seconds.to_le_bytes());
    for v in [&model.params, &opt.m, &opt.v] {
        for x in v.iter() {
            out.extend(x.to_le_bytes());
        }
    }
    out.extend(curve.join("\n").as_bytes());
    out
}

pub type Moments = (usize, Vec<f32>, Vec<f32>);

pub fn load_checkpoint(bytes: &[u8], cfg: Config) -> (Gpt, Moments, Vec<String>, f64) {
    let n = cfg.n_params();
    let t = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let seconds = f64::from_le_bytes(bytes[8..16].try_into().unwrap());
    let floats = |k: usize| -> Vec<f32> { bytes[16 + 4 * n * k..16 + 4 * n * (k + 1)].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect() };
    let curve = String::from_utf8_lossy(&bytes[16 + 12 * n..]).lines().map(String::from).collect();
    (Gpt { cfg, params: floats(0) }, (t, floats(1), floats(2)), curve, seconds)
}

/// Runs `work(k, workspace k)` for the two workspaces on two threads, then adds the second's gradients
/// into the first's (always in that order, so runs are deterministic); returns what each returned.
pub fn on_two_threads<T: Send>(workspaces: &mut [Workspace; 2], work: impl Fn(usize, &mut Workspace) -> T + Sync) -> Vec<T> {
    let work = &work;
    let out = std::thread::scope(|s| {
        let handles: Vec<_> = workspaces.iter_mut().enumerate().map(|(k, ws)| s.spawn(move || work(k, ws))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let [a, b] = workspaces;
    for (g, h) in a.grads.iter_mut().zip(&b.grads) {
        *g += h;
    }
    out
}

/// One State of the Union address of `sotu.jsonl`.
#[derive(Clone, Debug)]
pub struct Address {
    pub id: usize,
    pub year: i64,
    pub president: String,
    pub party: String,
    pub text: String,
}

impl Address {
    /// The validation split of prepare_corpus.mjs: ids with id % 20 == 7, never trained on.
    pub fn held_out(&self) -> bool {
        self.id % 20 == 7
    }

    /// The header line pre-training put before every address, e.g.
    /// "State of the Union, 1862. Abraham Lincoln (Republican)."
    pub fn header(&self) -> String {
        format!("State of the Union, {}. {} ({}).", self.year, self.president, self.party)
    }
}

/// The corpus of prepare_corpus.mjs: Moby Dick split at `moby_dick_val_from_char`, and the addresses.
pub struct Corpus {
    pub moby_train: String,
    pub moby_val: String,
    pub addresses: Vec<Address>,
}

pub fn load_corpus(dir: &str) -> Corpus {
    let moby = std::fs::read_to_string(format!("{dir}/moby-dick.txt")).expect("run tools/lm/prepare_corpus.mjs first");
    let split = std::fs::read_to_string(format!("{dir}/split.json")).unwrap();
    let from_char = json_number(&split, "moby_dick_val_from_char") as usize;
    let cut = moby.char_indices().nth(from_char).map_or(moby.len(), |(i, _)| i);
    let sotu = std::fs::read_to_string(format!("{dir}/sotu.jsonl")).unwrap();
    let addresses = sotu
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Address {
            id: json_number(l, "id") as usize,
            year: json_number(l, "year") as i64,
            president: json_string(l, "president"),
            party: json_string(l, "party"),
            text: json_string(l, "text"),
        })
        .collect();
    Corpus { moby_train: moby[..cut].to_string(), moby_val: moby[cut..].to_string(), addresses }
}

/// A JSON string literal of `s` (quotes, backslashes and control characters escaped).
pub fn json_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
