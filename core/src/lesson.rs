//! Lesson links: a shared link that hides or locks some of a widget's controls.
//!
//! Beside a widget's state (`<id>.<field>=…`) a link may carry two reserved fields,
//! `<id>.hide=key1,key2` and `<id>.lock=key3`: comma-separated control keys. A control's key is the
//! [`slug`] of its accessible name (`"Learning rate"` → `learning-rate`), made unique within the widget
//! by `-2`, `-3`…; the widget frame computes the keys and applies the lesson. Hidden controls keep
//! their values (the state still comes from the link); locked controls are shown but disabled.
//! Reading never fails: a malformed key becomes a [`Notice`] and is left out.

use crate::query::{Notice, Query};

/// The state-field names a lesson link reserves under every widget's prefix.
pub const RESERVED_FIELDS: [&str; 2] = ["hide", "lock"];

/// Longest key made (characters); longer names are cut after a whole word.
pub const MAX_KEY_CHARS: usize = 40;
/// At most this many keys are read from one list.
pub const MAX_KEYS: usize = 64;

/// A control's key: the lower-case words of `name` (before any `:` or `=`) joined by `-`, leaving out words with a digit
/// (a label that shows its value, "Steps: 40", keeps one key whatever the value), cut after whole
/// words at [`MAX_KEY_CHARS`] characters; `control` when nothing is left.
pub fn slug(name: &str) -> String {
    // "Top-k = 40", "Denoising directions: off": the words before the value.
    let head = name.split([':', '=']).next().filter(|h| h.chars().any(char::is_alphanumeric)).unwrap_or(name);
    let mut out = String::new();
    for word in head.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit())) {
        let word: String = word.chars().flat_map(char::to_lowercase).collect();
        let extra = word.chars().count() + usize::from(!out.is_empty());
        if out.chars().count() + extra > MAX_KEY_CHARS {
            if out.is_empty() {
                out = word.chars().take(MAX_KEY_CHARS).collect();
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word);
    }
    if out.is_empty() { "control".to_owned() } else { out }
}

/// `base`, or `base-2`, `base-3`… : the first that is not in `used`.
pub fn unique_key(base: &str, used: &[String]) -> String {
    if !used.iter().any(|u| u == base) {
        return base.to_owned();
    }
    (2..).map(|n| format!("{base}-{n}")).find(|k| !used.contains(k)).unwrap_or_default()
}

/// Makes `keys` unique in order: the second `seed` becomes `seed-2`, the third `seed-3`.
pub fn dedupe(keys: &mut [String]) {
    let mut seen: Vec<String> = Vec::with_capacity(keys.len());
    for k in keys.iter_mut() {
        *k = unique_key(k, &seen);
        seen.push(k.clone());
    }
}

/// Whether `key` could be a control key (what [`slug`] produces).
pub fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.chars().count() <= MAX_KEY_CHARS + 4
        && key.chars().all(|c| c == '-' || (c.is_alphanumeric() && !c.is_uppercase()))
        && !key.starts_with('-')
        && !key.ends_with('-')
}

/// The controls a link hides and locks for one widget.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lesson {
    pub hide: Vec<String>,
    pub lock: Vec<String>,
}

impl Lesson {
    /// Reads `<id>.hide` and `<id>.lock` from `query`; malformed keys are left out with a notice.
    pub fn read(query: &Query, id: &str) -> (Lesson, Vec<Notice>) {
        let mut notices = Vec::new();
        let mut list = |field: &str| -> Vec<String> {
            let key = format!("{id}.{field}");
            let Some(value) = query.get(&key) else { return Vec::new() };
            let mut out: Vec<String> = Vec::new();
            let mut bad: Vec<String> = Vec::new();
            for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let k = part.to_lowercase();
                if !is_key(&k) {
                    bad.push(part.chars().take(MAX_KEY_CHARS).collect());
                } else if !out.contains(&k) && out.len() < MAX_KEYS {
                    out.push(k);
                }
            }
            if !bad.is_empty() {
                notices.push(Notice {
                    key,
                    value: bad.join(","),
                    reason: "is not a control key (letters, digits and “-”); it was ignored.".to_owned(),
                });
            }
            out
        };
        let hide = list("hide");
        let lock = list("lock");
        (Lesson { hide, lock }, notices)
    }

    /// Whether the lesson hides or locks anything.
    pub fn is_empty(&self) -> bool {
        self.hide.is_empty() && self.lock.is_empty()
    }

    /// Writes the lesson into `query` under `id` (nothing for an empty list).
    pub fn write(&self, query: &mut Query, id: &str) {
        for (field, keys) in [("hide", &self.hide), ("lock", &self.lock)] {
            let key = format!("{id}.{field}");
            if keys.is_empty() {
                query.remove(&key);
            } else {
                query.set(&key, &keys.join(","));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Learning rate"), "learning-rate");
        assert_eq!(slug("  ▶ Play the tour "), "play-the-tour");
        assert_eq!(slug("β schedule (linear)"), "β-schedule-linear");
        assert_eq!(slug("❚❚"), "control");
        assert_eq!(slug("Time step t = 200 of 1000"), "time-step-t");
        assert_eq!(slug("Top-k = off"), slug("Top-k = 40"));
        assert_eq!(slug("Generate 40 tokens"), "generate-tokens");
        assert_eq!(slug("Vocabulary size: 1256 tokens (256 bytes + 1000 merges)"), "vocabulary-size");
        assert_eq!(slug("Model width (d) 48"), "model-width-d");
        assert_eq!(slug(": odd"), "odd");
        assert_eq!(slug("2"), "control");
        assert_eq!(slug(&"a".repeat(100)).len(), MAX_KEY_CHARS);
        assert_eq!(slug("Top-k"), "top-k");
        assert!(is_key(&slug("Learning rate")));
    }

    #[test]
    fn dedupes_in_order() {
        let mut k: Vec<String> = ["seed", "seed", "seed-2", "x", "seed"].iter().map(|s| s.to_string()).collect();
        dedupe(&mut k);
        assert_eq!(k, ["seed", "seed-2", "seed-2-2", "x", "seed-3"]);
    }

    #[test]
    fn reads_lists_and_rejects_garbage() {
        let q = Query::parse("?gan.hide=seed,%3Cscript%3E,Seed,,learning-rate&gan.lock=step&other.hide=x");
        let (l, n) = Lesson::read(&q, "gan");
        assert_eq!(l.hide, ["seed", "learning-rate"]);
        assert_eq!(l.lock, ["step"]);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].key, "gan.hide");
        assert_eq!(n[0].value, "<script>");
        let (l, n) = Lesson::read(&Query::parse("?a=1"), "gan");
        assert!(l.is_empty() && n.is_empty());
    }

    #[test]
    fn writes_and_round_trips() {
        let l = Lesson { hide: vec!["seed".into(), "speed".into()], lock: vec!["step".into()] };
        let mut q = Query::parse("?page=gan&gan.lr=0.1");
        l.write(&mut q, "gan");
        assert_eq!(q.to_string(), "?page=gan&gan.lr=0.1&gan.hide=seed%2Cspeed&gan.lock=step");
        assert_eq!(Lesson::read(&q, "gan").0, l);
        Lesson::default().write(&mut q, "gan");
        assert_eq!(q.to_string(), "?page=gan&gan.lr=0.1");
    }
}
