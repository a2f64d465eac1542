//! Typed URL state: every widget declares one state struct that round-trips through the query string.
//!
//! A widget's fields live under its id as a prefix, `lifecycle.stage=evaluation`, so several widgets
//! share one URL without clashing. Reading never fails: a malformed, out-of-range or unknown value
//! falls back to the field's default and leaves a [`Notice`] the widget shows to the visitor.

use std::fmt;
use std::ops::RangeInclusive;

/// A query string as an ordered list of percent-decoded `(key, value)` pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses `?a=1&b=x+y` (the leading `?` is optional). `+` means space, `%XX` is a byte; a broken
    /// escape is kept literally and invalid UTF-8 is replaced with U+FFFD, so any input parses.
    pub fn parse(search: &str) -> Query {
        let s = search.strip_prefix('?').unwrap_or(search);
        let pairs = s
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| match part.split_once('=') {
                Some((k, v)) => (decode_component(k), decode_component(v)),
                None => (decode_component(part), String::new()),
            })
            .collect();
        Query { pairs }
    }

    /// The first value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Sets `key` to `value`, replacing every earlier value, keeping the first one's position.
    pub fn set(&mut self, key: &str, value: &str) {
        match self.pairs.iter().position(|(k, _)| k == key) {
            Some(i) => {
                self.pairs[i].1 = value.to_owned();
                let mut seen = false;
                self.pairs.retain(|(k, _)| {
                    if k != key {
                        return true;
                    }
                    let keep = !seen;
                    seen = true;
                    keep
                });
            }
            None => self.pairs.push((key.to_owned(), value.to_owned())),
        }
    }

    /// Removes every pair whose key is `key`.
    pub fn remove(&mut self, key: &str) {
        self.pairs.retain(|(k, _)| k != key);
    }

    /// Removes every pair whose key starts with `prefix`.
    pub fn remove_prefixed(&mut self, prefix: &str) {
        self.pairs.retain(|(k, _)| !k.starts_with(prefix));
    }

    /// The pairs in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// `?k=v&…` with keys and values percent-encoded; the empty query is the empty string.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            f.write_str(if i == 0 { "?" } else { "&" })?;
            f.write_str(&encode_component(k))?;
            f.write_str("=")?;
            f.write_str(&encode_component(v))?;
        }
        Ok(())
    }
}

/// Percent-encodes everything but the RFC 3986 unreserved characters `A–Z a–z 0–9 - . _ ~`.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `+` as space and `%XX` as a byte; keeps broken escapes literally; lossy UTF-8.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (bytes.get(i + 1).and_then(hex), bytes.get(i + 2).and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).map(|d| d as u8)
}

/// Why a value in the URL was not used, shown to the visitor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The full query key, e.g. `lifecycle.stage`.
    pub key: String,
    /// The value as it was in the URL (shortened when long).
    pub value: String,
    /// What was done instead, in plain words.
    pub reason: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "The link's “{}={}” {}", self.key, self.value, self.reason)
    }
}

/// A closed set of options stored in the URL by a stable key, e.g. an enum of stages.
pub trait Choice: Copy + PartialEq + 'static {
    /// Every option, in display order.
    const ALL: &'static [Self];
    /// The option's key in URLs; stable, lowercase, `-` between words.
    fn key(self) -> &'static str;
    /// The option whose key is `key`.
    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.key() == key)
    }
}

/// One widget's state, declared once, round-tripping through the query string.
pub trait UrlState: Clone + PartialEq + Default + 'static {
    /// The widget's id: its embed name and the prefix of its query keys.
    const ID: &'static str;
    /// Writes every field (defaults included, so a link keeps meaning the same view).
    fn write(&self, w: &mut StateWriter<'_>);
    /// Reads every field, falling back to defaults with a notice.
    fn read(r: &mut StateReader<'_>) -> Self;
}

/// Reads a state's fields from a [`Query`], collecting notices.
pub struct StateReader<'a> {
    query: &'a Query,
    id: &'static str,
    used: Vec<String>,
    notices: Vec<Notice>,
}

const SHOWN_VALUE_CHARS: usize = 40;

/// A URL value as a notice shows it: at most [`SHOWN_VALUE_CHARS`] characters, then `…`.
fn shorten(value: &str) -> String {
    let mut shown: String = value.chars().take(SHOWN_VALUE_CHARS).collect();
    if value.chars().count() > SHOWN_VALUE_CHARS {
        shown.push('…');
    }
    shown
}

fn outside<T: fmt::Display>(range: &RangeInclusive<T>, default: T) -> String {
    format!("is outside {}–{}; using {default}.", range.start(), range.end())
}

impl<'a> StateReader<'a> {
    fn raw(&mut self, field: &str) -> Option<(String, &'a str)> {
        let key = format!("{}.{}", self.id, field);
        let value = self.query.get(&key);
        self.used.push(key.clone());
        value.map(|v| (key, v))
    }

    fn reject(&mut self, key: String, value: &str, reason: String) {
        self.notices.push(Notice { key, value: shorten(value), reason });
    }

    /// One of a closed set of options.
    pub fn choice<C: Choice>(&mut self, field: &str, default: C) -> C {
        let Some((key, v)) = self.raw(field) else { return default };
        match C::from_key(v) {
            Some(c) => c,
            None => {
                let options: Vec<&str> = C::ALL.iter().map(|c| c.key()).collect();
                let reason = format!(
                    "is not one of {}; using “{}”.",
                    options.join(", "),
                    default.key()
                );
                self.reject(key, v, reason);
                default
            }
        }
    }

    /// An integer within `range` (inclusive).
    pub fn int(&mut self, field: &str, range: RangeInclusive<i64>, default: i64) -> i64 {
        let Some((key, v)) = self.raw(field) else { return default };
        match v.trim().parse::<i64>() {
            Ok(n) if range.contains(&n) => n,
            Ok(_) => {
                self.reject(key, v, outside(&range, default));
                default
            }
            Err(_) => {
                self.reject(key, v, format!("is not a whole number; using {default}."));
                default
            }
        }
    }

    /// A finite number within `range` (inclusive).
    pub fn float(&mut self, field: &str, range: RangeInclusive<f64>, default: f64) -> f64 {
        let Some((key, v)) = self.raw(field) else { return default };
        match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() && range.contains(&x) => x,
            Ok(x) if x.is_finite() => {
                self.reject(key, v, outside(&range, default));
                default
            }
            _ => {
                self.reject(key, v, format!("is not a finite number; using {default}."));
                default
            }
        }
    }

    /// A random seed: any unsigned 64-bit integer.
    pub fn seed(&mut self, field: &str, default: u64) -> u64 {
        let Some((key, v)) = self.raw(field) else { return default };
        match v.trim().parse::<u64>() {
            Ok(n) => n,
            Err(_) => {
                self.reject(key, v, format!("is not a seed (0 to 2⁶⁴−1); using {default}."));
                default
            }
        }
    }

    /// A yes/no flag written as `1`/`0` (`true`/`false` also read).
    pub fn flag(&mut self, field: &str, default: bool) -> bool {
        let Some((key, v)) = self.raw(field) else { return default };
        match v {
            "1" | "true" => true,
            "0" | "false" => false,
            _ => {
                let shown = if default { "1" } else { "0" };
                self.reject(key, v, format!("is not 1 or 0; using {shown}."));
                default
            }
        }
    }

    /// Up to `max` points in [−extent, extent]², as written by [`StateWriter::points`].
    pub fn points(&mut self, field: &str, extent: f32, max: usize) -> Vec<(f32, f32)> {
        let Some((key, v)) = self.raw(field) else { return Vec::new() };
        match decode_points(v, extent) {
            Some(mut pts) => {
                if pts.len() > max {
                    self.reject(key, v, format!("has more than {max} points; the first {max} were kept."));
                    pts.truncate(max);
                }
                pts
            }
            None => {
                self.reject(key, v, "is not a list of points; starting with none.".to_owned());
                Vec::new()
            }
        }
    }

    /// A grey image of `len` pixels, as written by [`StateWriter::image`]; None when absent or bad.
    pub fn image(&mut self, field: &str, len: usize) -> Option<Vec<f32>> {
        let (key, v) = self.raw(field)?;
        match decode_image(v, len) {
            Some(img) => Some(img),
            None => {
                self.reject(key, v, format!("is not a {len}-pixel image; starting blank."));
                None
            }
        }
    }

    /// Free text up to `max_chars` characters; longer text is cut with a notice.
    /// `n` on/off cells written as hexadecimal digits, four cells per digit, first cell in the
    /// highest bit (e.g. an 8 × 8 drawing in 16 digits). Anything else is refused: all off.
    pub fn bits(&mut self, field: &str, n: usize) -> Vec<bool> {
        let off = vec![false; n];
        let Some((key, v)) = self.raw(field) else { return off };
        let digits = n.div_ceil(4);
        let parsed: Option<Vec<u32>> = v.chars().map(|c| c.to_digit(16)).collect();
        match parsed {
            Some(d) if d.len() == digits => (0..n).map(|i| d[i / 4] >> (3 - i % 4) & 1 == 1).collect(),
            _ => {
                self.reject(key, v, format!("is not {digits} hexadecimal digits; starting from an empty drawing."));
                off
            }
        }
    }

    pub fn text(&mut self, field: &str, max_chars: usize, default: &str) -> String {
        let Some((key, v)) = self.raw(field) else { return default.to_owned() };
        if v.chars().count() > max_chars {
            let reason = format!("is longer than {max_chars} characters; it was cut there.");
            self.reject(key, v, reason);
            v.chars().take(max_chars).collect()
        } else {
            v.to_owned()
        }
    }
}

/// Writes a state's fields into a [`Query`] under the widget's prefix.
pub struct StateWriter<'a> {
    query: &'a mut Query,
    id: &'static str,
}

impl StateWriter<'_> {
    fn put(&mut self, field: &str, value: &str) {
        let key = format!("{}.{}", self.id, field);
        self.query.set(&key, value);
    }
    pub fn choice<C: Choice>(&mut self, field: &str, value: C) {
        self.put(field, value.key());
    }
    pub fn int(&mut self, field: &str, value: i64) {
        self.put(field, &value.to_string());
    }
    /// Shortest decimal that parses back to the same `f64`.
    pub fn float(&mut self, field: &str, value: f64) {
        self.put(field, &value.to_string());
    }
    pub fn seed(&mut self, field: &str, value: u64) {
        self.put(field, &value.to_string());
    }
    pub fn flag(&mut self, field: &str, value: bool) {
        self.put(field, if value { "1" } else { "0" });
    }
    pub fn text(&mut self, field: &str, value: &str) {
        self.put(field, value);
    }
    /// On/off cells as hexadecimal digits (see [`StateReader::bits`]).
    pub fn bits(&mut self, field: &str, cells: &[bool]) {
        let hex: String = cells.chunks(4).map(|c| {
            let v = c.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (b as u32) << (3 - i));
            char::from_digit(v, 16).unwrap_or('0')
        }).collect();
        self.put(field, &hex);
    }
    /// A grey image, 4 bits a pixel (see [`encode_image`]).
    pub fn image(&mut self, field: &str, pixels: &[f32]) {
        self.put(field, &encode_image(pixels));
    }
    /// Points in [−extent, extent]², two bytes each (see [`encode_points`]); nothing when empty.
    pub fn points(&mut self, field: &str, points: &[(f32, f32)], extent: f32) {
        if !points.is_empty() {
            self.put(field, &encode_points(points, extent));
        }
    }
}

/// A grey image with values in [−1, 1] at 16 levels, two pixels a byte (high nibble first), as
/// URL-safe base64: a 24 × 24 image takes 384 characters.
pub fn encode_image(pixels: &[f32]) -> String {
    use base64::Engine as _;
    let q = |v: f32| if v.is_finite() { ((v.clamp(-1.0, 1.0) + 1.0) * 7.5).round() as u8 } else { 0 };
    let bytes: Vec<u8> = pixels.chunks(2).map(|p| (q(p[0]) << 4) | p.get(1).map(|&v| q(v)).unwrap_or(0)).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The inverse of [`encode_image`] for an image of `len` pixels.
pub fn decode_image(text: &str, len: usize) -> Option<Vec<f32>> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    if bytes.len() != len.div_ceil(2) {
        return None;
    }
    let v = |n: u8| n as f32 / 7.5 - 1.0;
    Some(bytes.iter().flat_map(|&b| [v(b >> 4), v(b & 15)]).take(len).collect())
}

/// Points in [−extent, extent]² quantised to a 256 × 256 grid — one byte per coordinate, about
/// 2 % of the square — and written as URL-safe base64 (≈ 2.7 characters per point).
pub fn encode_points(points: &[(f32, f32)], extent: f32) -> String {
    use base64::Engine as _;
    let q = |v: f32| (((v + extent) / (2.0 * extent) * 256.0).floor().clamp(0.0, 255.0)) as u8;
    let bytes: Vec<u8> = points.iter().flat_map(|&(x, y)| [q(x), q(y)]).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The inverse of [`encode_points`] (each point at the centre of its grid cell); `None` when the
/// text is not such a list.
pub fn decode_points(text: &str, extent: f32) -> Option<Vec<(f32, f32)>> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    if bytes.len() % 2 != 0 {
        return None;
    }
    let v = |b: u8| -extent + (b as f32 + 0.5) * 2.0 * extent / 256.0;
    Some(bytes.chunks_exact(2).map(|b| (v(b[0]), v(b[1]))).collect())
}

/// Reads `S` from `query`; unknown keys under the widget's prefix also give a notice.
pub fn decode<S: UrlState>(query: &Query) -> (S, Vec<Notice>) {
    let mut r = StateReader { query, id: S::ID, used: Vec::new(), notices: Vec::new() };
    let state = S::read(&mut r);
    let prefix = format!("{}.", S::ID);
    let mut notices = r.notices;
    for (k, v) in query.pairs() {
        let reserved = k.strip_prefix(&prefix).is_some_and(|f| crate::lesson::RESERVED_FIELDS.contains(&f));
        if k.starts_with(&prefix) && !r.used.contains(k) && !reserved {
            notices.push(Notice {
                key: k.clone(),
                value: shorten(v),
                reason: "is not a setting of this widget; it was ignored.".to_owned(),
            });
        }
    }
    (state, notices)
}

/// Writes `state` into `query`, replacing whatever the widget's prefix held (but a lesson link's
/// reserved fields, [`crate::lesson::RESERVED_FIELDS`]) and keeping other keys.
pub fn encode<S: UrlState>(state: &S, query: &mut Query) {
    let prefix = format!("{}.", S::ID);
    query.pairs.retain(|(k, _)| !k.strip_prefix(&prefix).is_some_and(|f| !crate::lesson::RESERVED_FIELDS.contains(&f)));
    let mut w = StateWriter { query, id: S::ID };
    state.write(&mut w);
}

#[cfg(test)]
mod point_tests {
    use super::*;

    #[test]
    fn bits_round_trip_and_refuse_garbage() {
        let cells: Vec<bool> = (0..64).map(|i| i % 3 == 0 || i == 63).collect();
        let mut q = Query::default();
        StateWriter { query: &mut q, id: "w" }.bits("draw", &cells);
        let mut r = StateReader { query: &q, id: "w", used: Vec::new(), notices: Vec::new() };
        assert_eq!(r.bits("draw", 64), cells);
        let bad = Query::parse("?w.draw=zz");
        let mut r = StateReader { query: &bad, id: "w", used: Vec::new(), notices: Vec::new() };
        assert_eq!(r.bits("draw", 64), vec![false; 64]);
        assert_eq!(r.notices.len(), 1);
    }

    #[test]
    fn points_round_trip_within_one_grid_cell() {
        let pts = [(-2.6f32, 2.6f32), (0.0, 0.0), (1.234, -0.5), (9.0, -9.0)];
        let back = decode_points(&encode_points(&pts, 2.6), 2.6).unwrap();
        assert_eq!(back.len(), 4);
        for (a, b) in pts.iter().zip(&back) {
            let (ax, ay) = (a.0.clamp(-2.6, 2.6), a.1.clamp(-2.6, 2.6));
            assert!((ax - b.0).abs() <= 5.2 / 256.0 && (ay - b.1).abs() <= 5.2 / 256.0, "{a:?} → {b:?}");
        }
        assert_eq!(decode_points("", 2.6), Some(vec![]));
        assert_eq!(decode_points("***", 2.6), None);
        assert_eq!(decode_points("AAAA", 2.6), None); // three bytes: not whole points
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn images_round_trip_at_sixteen_levels() {
        let img: Vec<f32> = (0..576).map(|i| ((i * 37) % 100) as f32 / 50.0 - 1.0).collect();
        let text = encode_image(&img);
        assert_eq!(text.len(), 384);
        let back = decode_image(&text, 576).unwrap();
        assert!(img.iter().zip(&back).all(|(a, b)| (a - b).abs() <= 1.0 / 15.0 + 1e-6));
        assert_eq!(decode_image(&encode_image(&back), 576).unwrap(), back);
        assert!(decode_image("AAAA", 576).is_none());
        assert!(decode_image("not base64!", 576).is_none());
        assert_eq!(decode_image(&encode_image(&[1.0, -1.0, f32::NAN]), 3).unwrap(), vec![1.0, -1.0, -1.0]);
    }

    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Shape {
        Ring,
        Spiral,
    }
    impl Choice for Shape {
        const ALL: &'static [Self] = &[Shape::Ring, Shape::Spiral];
        fn key(self) -> &'static str {
            match self {
                Shape::Ring => "ring",
                Shape::Spiral => "spiral",
            }
        }
    }

    #[derive(Clone, Debug, PartialEq)]
    struct Demo {
        shape: Shape,
        layers: i64,
        lr: f64,
        seed: u64,
        play: bool,
        text: String,
    }
    impl Default for Demo {
        fn default() -> Self {
            Demo { shape: Shape::Ring, layers: 2, lr: 0.001, seed: 42, play: false, text: "hi".into() }
        }
    }
    impl UrlState for Demo {
        const ID: &'static str = "demo";
        fn write(&self, w: &mut StateWriter<'_>) {
            w.choice("shape", self.shape);
            w.int("layers", self.layers);
            w.float("lr", self.lr);
            w.seed("seed", self.seed);
            w.flag("play", self.play);
            w.text("text", &self.text);
        }
        fn read(r: &mut StateReader<'_>) -> Self {
            let d = Demo::default();
            Demo {
                shape: r.choice("shape", d.shape),
                layers: r.int("layers", 0..=8, d.layers),
                lr: r.float("lr", 1e-6..=10.0, d.lr),
                seed: r.seed("seed", d.seed),
                play: r.flag("play", d.play),
                text: r.text("text", 10, &d.text),
            }
        }
    }

    #[test]
    fn state_round_trips_through_the_query_string() {
        let s = Demo {
            shape: Shape::Spiral,
            layers: 7,
            lr: 0.1 + 0.2,
            seed: u64::MAX,
            play: true,
            text: "a&b=c ü?#".into(),
        };
        let mut q = Query::parse("?page=gan&other.x=1");
        encode(&s, &mut q);
        let url = q.to_string();
        let (back, notices) = decode::<Demo>(&Query::parse(&url));
        assert_eq!(back, s);
        assert!(notices.is_empty(), "{notices:?}");
        let q2 = Query::parse(&url);
        assert_eq!(q2.get("page"), Some("gan"));
        assert_eq!(q2.get("other.x"), Some("1"));
    }

    #[test]
    fn lesson_fields_are_neither_reported_nor_dropped() {
        let q = Query::parse("?demo.hide=seed&demo.lock=layers&demo.layers=3&demo.other=1");
        let (d, notices) = decode::<Demo>(&q);
        assert_eq!(d.layers, 3);
        assert_eq!(notices.len(), 1, "only demo.other is unknown");
        let mut q2 = q.clone();
        encode(&d, &mut q2);
        assert_eq!(q2.get("demo.hide"), Some("seed"));
        assert_eq!(q2.get("demo.lock"), Some("layers"));
        assert_eq!(q2.get("demo.other"), None);
    }

    #[test]
    fn encoding_twice_replaces_rather_than_appends() {
        let mut q = Query::default();
        encode(&Demo::default(), &mut q);
        encode(&Demo { layers: 3, ..Demo::default() }, &mut q);
        assert_eq!(q.pairs().iter().filter(|(k, _)| k == "demo.layers").count(), 1);
        assert_eq!(q.get("demo.layers"), Some("3"));
    }

    #[test]
    fn bad_values_fall_back_with_a_notice_each() {
        let q = Query::parse(
            "demo.shape=cube&demo.layers=99&demo.lr=NaN&demo.seed=-1&demo.play=maybe&demo.text=0123456789abc&demo.bogus=1",
        );
        let (s, notices) = decode::<Demo>(&q);
        let d = Demo::default();
        assert_eq!((s.shape, s.layers, s.lr, s.seed, s.play), (d.shape, d.layers, d.lr, d.seed, d.play));
        assert_eq!(s.text, "0123456789");
        let keys: Vec<&str> = notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            ["demo.shape", "demo.layers", "demo.lr", "demo.seed", "demo.play", "demo.text", "demo.bogus"]
        );
        assert!(notices[0].to_string().contains("is not one of ring, spiral"));
        assert!(notices[1].reason.contains("outside 0–8"));
    }

    #[test]
    fn missing_values_are_defaults_without_notice() {
        let (s, notices) = decode::<Demo>(&Query::parse(""));
        assert_eq!(s, Demo::default());
        assert!(notices.is_empty());
    }

    #[test]
    fn long_bad_values_are_shortened_in_the_notice() {
        let long = "x".repeat(500);
        let (_, notices) = decode::<Demo>(&Query::parse(&format!("demo.shape={long}")));
        assert_eq!(notices[0].value.chars().count(), SHOWN_VALUE_CHARS + 1);
    }

    #[test]
    fn decoding_survives_any_input() {
        for s in ["%", "%z", "%4", "a=%ff%fe", "=&&=&==", "+%2B+", "%E2%82", "a=1&a=2"] {
            let q = Query::parse(s);
            let _ = decode::<Demo>(&q);
            let _ = q.to_string();
        }
        assert_eq!(decode_component("%2B+%41"), "+ A");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%ff"), "\u{fffd}");
        assert_eq!(Query::parse("a=1&a=2").get("a"), Some("1"));
    }

    #[test]
    fn set_keeps_one_value_in_the_first_position() {
        let mut q = Query::parse("a=1&b=2&a=3");
        q.set("a", "9");
        assert_eq!(q.to_string(), "?a=9&b=2");
        q.remove("a");
        assert_eq!(q.to_string(), "?b=2");
    }
}
