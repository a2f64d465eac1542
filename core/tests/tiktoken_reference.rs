//! Our BPE against the reference encoder tiktoken-rs: the whole of Moby Dick, adversarial strings,
//! and 10,000 random Unicode strings, for r50k_base, cl100k_base and o200k_base. The vocabularies are
//! the files the app ships (public/tokens/*.bpe, made by tools/prepare-tokens.mjs).

use genai_core::bpe::{Encoding, Pattern, Vocab};
use genai_core::rng::Rng;
use std::path::PathBuf;

fn public(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public/tokens").join(name)
}

fn ours(file: &str, pattern: Pattern) -> Encoding {
    let data = std::fs::read(public(file)).expect("run tools/prepare-tokens.mjs");
    Encoding::new(Vocab::from_binary(&data).unwrap(), pattern)
}

fn all() -> Vec<(&'static str, Encoding, tiktoken_rs::CoreBPE)> {
    vec![
        ("r50k", ours("r50k.bpe", Pattern::R50k), tiktoken_rs::r50k_base().unwrap()),
        ("cl100k", ours("cl100k.bpe", Pattern::Cl100k), tiktoken_rs::cl100k_base().unwrap()),
        ("o200k", ours("o200k.bpe", Pattern::O200k), tiktoken_rs::o200k_base().unwrap()),
    ]
}

const ADVERSARIAL: &[&str] = &[
    "👩🏽‍💻👨‍👩‍👧‍👦🏳️‍🌈 family emoji with ZWJ and skin tones 👍🏿",
    "e\u{301} a\u{308}\u{323} Z\u{335}\u{30d}\u{353}a\u{336}l\u{334}g\u{337}o combining marks",
    "日本語のテキストを分割します。中文分词测试。한국어 문장입니다.",
    "مرحبا بالعالم שלום עולם mixed RTL and LTR",
    "Ελληνικά кириллица English日本 mixed scripts",
    "     runs    of   spaces\n\n\n\nand\r\nnewlines\t\ttabs  \n  ",
    "1234567890 3.14159 1,000,000 0x1F 2024-11-30",
    "I'm you're they've we'll she'd it's DON'T I'M 'S",
    "NUL\u{0}and\u{1}\u{7}\u{1b}[0mcontrol\u{7f}chars",
    "camelCaseWords HTTPServer getHTTPResponseCode iPhone",
    "<|endoftext|> special-looking text is ordinary text here",
    "   ",
    "\n",
    "a",
    "",
    "unbelievable unbelievably believing",
    "\u{feff}BOM and \u{200b}zero\u{200d}width",
];

#[test]
fn moby_dick_ids_equal_tiktoken_for_all_three_encodings() {
    let text = std::fs::read_to_string(public("moby-dick.txt")).unwrap();
    for (name, enc, reference) in all() {
        let want = reference.encode_ordinary(&text);
        let got = enc.encode(&text);
        assert_eq!(got.len(), want.len(), "{name}: token count");
        assert!(got == want, "{name}: ids differ");
        assert_eq!(enc.decode_bytes(&got).unwrap(), text.as_bytes(), "{name}: round trip");
    }
}

#[test]
fn moby_dick_token_counts_are_the_known_ones() {
    let text = std::fs::read_to_string(public("moby-dick.txt")).unwrap();
    let counts: Vec<usize> = all().iter().map(|(_, e, _)| e.encode(&text).len()).collect();
    assert_eq!(counts, [317_756, 298_693, 296_485]);
}

#[test]
fn adversarial_strings_equal_tiktoken() {
    for (name, enc, reference) in all() {
        for s in ADVERSARIAL {
            assert_eq!(enc.encode(s), reference.encode_ordinary(s), "{name}: {s:?}");
            let spans = enc.encode_spans(s);
            let ids: Vec<u32> = spans.iter().map(|t| t.id).collect();
            assert_eq!(ids, enc.encode(s));
            // Spans tile the text's bytes exactly.
            let mut at = 0;
            for t in &spans {
                assert_eq!(t.bytes.start, at);
                at = t.bytes.end;
            }
            assert_eq!(at, s.len());
        }
    }
}

/// A random string mixing ASCII, whitespace, Latin-1, combining marks, CJK, emoji and any scalar.
fn random_string(rng: &mut Rng) -> String {
    let len = rng.below(24) as usize;
    (0..len)
        .map(|_| match rng.below(8) {
            0 => (b' ' + rng.below(95) as u8) as char,
            1 => [' ', ' ', '\n', '\t', '\r', '\u{a0}', '\u{3000}'][rng.below(7) as usize],
            2 => char::from_u32(0xC0 + rng.below(0x180) as u32).unwrap_or('x'),
            3 => char::from_u32(0x300 + rng.below(0x70) as u32).unwrap(),
            4 => char::from_u32(0x4E00 + rng.below(0x5000) as u32).unwrap(),
            5 => char::from_u32(0x1F300 + rng.below(0x300) as u32).unwrap_or('🙂'),
            6 => (b'a' + rng.below(26) as u8) as char,
            _ => loop {
                if let Some(c) = char::from_u32(rng.below(0x11_0000) as u32) {
                    break c;
                }
            },
        })
        .collect()
}

#[test]
fn ten_thousand_random_strings_round_trip_and_equal_tiktoken() {
    let encs = all();
    let mut rng = Rng::new(2026);
    for _ in 0..10_000 {
        let s = random_string(&mut rng);
        for (name, enc, reference) in &encs {
            let ids = enc.encode(&s);
            assert_eq!(enc.decode_bytes(&ids).unwrap(), s.as_bytes(), "{name}: round trip of {s:?}");
            assert_eq!(ids, reference.encode_ordinary(&s), "{name}: ids of {s:?}");
        }
    }
}

#[test]
fn bpe_trained_on_moby_dick_learns_the_expected_first_merges() {
    use genai_core::bpe_train::Trainer;
    let text = std::fs::read_to_string(public("moby-dick.txt")).unwrap();
    let mut t = Trainer::new(&text, 256 + 5).unwrap();
    assert_eq!(t.distinct_words(), 23_347);
    let mut learned = Vec::new();
    while let Some(m) = t.step() {
        learned.push(String::from_utf8_lossy(t.token(m.id)).into_owned());
    }
    assert_eq!(learned, [" t", "he", " a", "in", " the"]);
}

#[test]
fn ten_thousand_random_strings_round_trip_through_the_simple_tokenizers() {
    use genai_core::tokenize::{chars, decode_chars, WordTokenizer};
    let mut rng = Rng::new(7);
    for _ in 0..10_000 {
        let s = random_string(&mut rng);
        let ids: Vec<u32> = chars(&s).iter().map(|t| t.id).collect();
        assert_eq!(decode_chars(&ids).unwrap(), s);
        let mut w = WordTokenizer::new();
        let ids: Vec<u32> = w.encode(&s).iter().map(|t| t.id).collect();
        assert_eq!(w.decode(&ids).unwrap(), s);
    }
}

#[test]
fn unicode_class_tables_equal_the_regex_crate_for_every_code_point() {
    use genai_core::pretokenize::{flags, L, LO, N, UP, WS};
    let classes = [
        (WS, r"^\s$"),
        (L, r"^\p{L}$"),
        (N, r"^\p{N}$"),
        (UP, r"^[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]$"),
        (LO, r"^[\p{Ll}\p{Lm}\p{Lo}\p{M}]$"),
    ];
    let res: Vec<(u8, regex::Regex)> = classes.iter().map(|(f, p)| (*f, regex::Regex::new(p).unwrap())).collect();
    let mut buf = [0u8; 4];
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let s = c.encode_utf8(&mut buf);
        let want = res.iter().filter(|(_, r)| r.is_match(s)).fold(0, |a, (f, _)| a | f);
        assert_eq!(flags(c), want, "U+{:04X}", c as u32);
    }
}

#[test]
fn a_bpe_trained_here_round_trips_ten_thousand_random_strings() {
    use genai_core::bpe_train::Trainer;
    let text = std::fs::read_to_string(public("moby-dick.txt")).unwrap();
    let cut = (200_000..text.len()).find(|&i| text.is_char_boundary(i)).unwrap();
    let mut t = Trainer::new(&text[..cut], 600).unwrap();
    while t.step().is_some() {}
    let enc = t.encoding();
    let mut rng = Rng::new(99);
    for _ in 0..10_000 {
        let s = random_string(&mut rng);
        assert_eq!(enc.decode_bytes(&enc.encode(&s)).unwrap(), s.as_bytes(), "{s:?}");
    }
}
