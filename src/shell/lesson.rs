//! Lesson links in the widget frame: finds a widget's controls, gives each a stable key, and hides or
//! locks the ones a link names (`<id>.hide=…`, `<id>.lock=…`; codec in `genai_core::lesson`).
//!
//! Generic: it reads the widget body's DOM, so no widget declares anything. A control is an
//! `input` (not hidden), `select`, `textarea` or `button`; radios sharing a `name` are one control,
//! and so are the controls inside an element marked `data-lesson-group="<name>"` (a pad of cells).
//! Its key is the slug of its accessible name (aria-label, aria-labelledby, its label, its text),
//! unique within the widget; `data-lesson-key` on an element overrides it (for a button whose text
//! changes, e.g. play / pause). Once given, a key stays on the element (`data-lesson-control`).
//! A MutationObserver re-applies the lesson when the widget adds controls (data arriving) or
//! re-enables a locked one. A control's name is computed once and kept on it (`data-lesson-name`).

use genai_core::lesson::{slug, unique_key, Lesson};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// Attribute a widget may set to fix a control's key.
const KEY_OVERRIDE: &str = "data-lesson-key";
/// Attribute the frame writes: the key each control was given.
pub const KEY_ATTR: &str = "data-lesson-control";
const HIDDEN_ATTR: &str = "data-lesson-hidden";
const LOCKED_ATTR: &str = "data-lesson-locked";
const NAME_ATTR: &str = "data-lesson-name";
/// Attribute a widget puts on an element whose controls are one control (a drawing pad's cells),
/// its value the control's name.
const GROUP_ATTR: &str = "data-lesson-group";
/// Longest control name shown in the Share panel.
const MAX_NAME_CHARS: usize = 80;

/// One control as the Share panel lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlInfo {
    pub key: String,
    pub name: String,
}

/// What a scan of the widget body found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    pub controls: Vec<ControlInfo>,
    /// Keys the lesson names that no control has (empty while the widget is still loading).
    pub unknown: Vec<String>,
}

struct Control {
    key: String,
    name: String,
    /// The form elements (one, or every radio of a group).
    elements: Vec<Element>,
    /// What to hide: the label around it, or the element and its labels, or a radio group's fieldset.
    wrappers: Vec<Element>,
}

fn elements(list: web_sys::NodeList) -> Vec<Element> {
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text of `el` without the text of form controls inside it (a label around a select).
fn text_without_controls(el: &Element) -> String {
    let Ok(copy) = el.clone_node_with_deep(true) else { return String::new() };
    let Ok(copy) = copy.dyn_into::<Element>() else { return String::new() };
    if let Ok(list) = copy.query_selector_all("select, textarea, input, button, option, [aria-hidden=\"true\"]") {
        for e in elements(list) {
            e.remove();
        }
    }
    squash(&copy.text_content().unwrap_or_default())
}

fn attr(el: &Element, name: &str) -> Option<String> {
    el.get_attribute(name).map(|s| squash(&s)).filter(|s| !s.is_empty())
}

/// The accessible name of a control, close to what a screen reader announces.
fn name_of(el: &Element, labels_for: &[(String, Element)]) -> String {
    if let Some(n) = attr(el, "aria-label") {
        return n;
    }
    if let Some(ids) = el.get_attribute("aria-labelledby") {
        let doc = document();
        let n = squash(&ids.split_whitespace().filter_map(|id| doc.get_element_by_id(id)).map(|e| text_without_controls(&e)).collect::<Vec<_>>().join(" "));
        if !n.is_empty() {
            return n;
        }
    }
    let tag = el.tag_name().to_ascii_lowercase();
    if tag != "button" {
        let label = el.closest("label").ok().flatten().or_else(|| {
            let id = el.id();
            labels_for.iter().find(|(f, _)| !id.is_empty() && *f == id).map(|(_, l)| l.clone())
        });
        if let Some(n) = label.map(|l| text_without_controls(&l)).filter(|n| !n.is_empty()) {
            return n;
        }
    } else {
        let n = text_without_controls(el);
        if !n.is_empty() {
            return n;
        }
    }
    attr(el, "title").or_else(|| attr(el, "placeholder")).or_else(|| attr(el, "value").filter(|_| tag == "input")).unwrap_or_else(|| tag)
}

/// Whether every control inside `fieldset` is a radio of the group `name`.
fn only_group(fieldset: &Element, name: &str) -> bool {
    let inside = fieldset.query_selector_all("input:not([type=\"hidden\"]), select, textarea, button").map(elements).unwrap_or_default();
    inside.iter().all(|e| e.get_attribute("type").is_some_and(|t| t.eq_ignore_ascii_case("radio")) && e.get_attribute("name").as_deref() == Some(name))
}

/// The controls of a widget body in document order, keyed.
fn find_controls(body: &Element) -> Vec<Control> {
    let Ok(list) = body.query_selector_all("input:not([type=\"hidden\"]), select, textarea, button") else { return Vec::new() };
    let labels_for: Vec<(String, Element)> = body
        .query_selector_all("label[for]")
        .map(elements)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|l| Some((l.get_attribute("for")?, l)))
        .collect();
    let mut found: Vec<Control> = Vec::new();
    let mut groups: Vec<(String, usize)> = Vec::new(); // radio name → index in `found`
    let mut containers: Vec<(Element, usize)> = Vec::new(); // data-lesson-group element → index
    for el in elements(list) {
        let container = el.closest(&format!("[{GROUP_ATTR}]")).ok().flatten().filter(|g| body.contains(Some(g)));
        if let Some(g) = container {
            match containers.iter().find(|(c, _)| c.is_same_node(Some(&g))) {
                Some(&(_, i)) => found[i].elements.push(el),
                None => {
                    let name = g.get_attribute(GROUP_ATTR).map(|n| squash(&n)).filter(|n| !n.is_empty()).unwrap_or_else(|| "group".to_owned());
                    containers.push((g.clone(), found.len()));
                    found.push(Control { key: String::new(), name, elements: vec![el], wrappers: vec![g] });
                }
            }
            continue;
        }
        let is_radio = el.tag_name().eq_ignore_ascii_case("input") && el.get_attribute("type").is_some_and(|t| t.eq_ignore_ascii_case("radio"));
        let group = el.get_attribute("name").filter(|n| is_radio && !n.is_empty());
        if let Some(g) = &group {
            if let Some(&(_, i)) = groups.iter().find(|(n, _)| n == g) {
                found[i].elements.push(el.clone());
                if !found[i].wrappers.first().is_some_and(|w| w.tag_name().eq_ignore_ascii_case("fieldset")) {
                    found[i].wrappers.push(el.closest("label").ok().flatten().unwrap_or_else(|| el.clone()));
                }
                continue;
            }
        }
        let fieldset = group.as_ref().and_then(|_| el.closest("fieldset").ok().flatten()).filter(|f| body.contains(Some(f)));
        // The fieldset is what to hide only when it holds nothing but this group.
        let whole = fieldset.as_ref().zip(group.as_ref()).is_some_and(|(f, g)| only_group(f, g));
        let name = match (&group, &fieldset) {
            (Some(_), Some(f)) => f.query_selector("legend").ok().flatten().map(|l| text_without_controls(&l)).filter(|n| !n.is_empty()),
            (Some(g), None) => Some(g.replace(['-', '_'], " ")),
            _ => None,
        }
        .or_else(|| el.get_attribute(NAME_ATTR))
        .unwrap_or_else(|| name_of(&el, &labels_for));
        let name: String = name.chars().take(MAX_NAME_CHARS).collect();
        if el.get_attribute(NAME_ATTR).as_deref() != Some(name.as_str()) {
            let _ = el.set_attribute(NAME_ATTR, &name);
        }
        let wrappers = if let Some(f) = fieldset.filter(|_| whole) {
            vec![f]
        } else if let Some(l) = el.closest("label").ok().flatten().filter(|l| body.contains(Some(l))) {
            vec![l]
        } else {
            let id = el.id();
            let mut w = vec![el.clone()];
            w.extend(labels_for.iter().filter(|(f, _)| !id.is_empty() && *f == id).map(|(_, l)| l.clone()));
            w
        };
        if let Some(g) = group {
            groups.push((g, found.len()));
        }
        found.push(Control { key: String::new(), name, elements: vec![el], wrappers });
    }
    // Keys: a widget's override, else the key this element already has, else a new unique slug.
    let mut used: Vec<String> = Vec::new();
    let mut fixed: Vec<Option<String>> = Vec::new();
    for c in &found {
        let el = &c.elements[0];
        let k = el.get_attribute(KEY_OVERRIDE).map(|k| slug(&k)).or_else(|| el.get_attribute(KEY_ATTR));
        if let Some(k) = &k {
            if !used.contains(k) {
                used.push(k.clone());
            }
        }
        fixed.push(k);
    }
    for (c, k) in found.iter_mut().zip(fixed) {
        c.key = match k {
            Some(k) => k,
            None => {
                let k = unique_key(&slug(&c.name), &used);
                used.push(k.clone());
                k
            }
        };
        for e in &c.elements {
            if e.get_attribute(KEY_ATTR).as_deref() != Some(c.key.as_str()) {
                let _ = e.set_attribute(KEY_ATTR, &c.key);
            }
        }
    }
    found
}

fn set_flag(el: &Element, name: &str, on: bool) {
    if on && !el.has_attribute(name) {
        let _ = el.set_attribute(name, "");
    } else if !on && el.has_attribute(name) {
        let _ = el.remove_attribute(name);
    }
}

/// Finds the controls and applies `lesson` to them; `hint_id` names the "Locked by this lesson
/// link" text that locked controls are described by.
pub fn scan_and_apply(body: &Element, lesson: &Lesson, hint_id: &str) -> Scan {
    let controls = find_controls(body);
    for c in &controls {
        let hide = lesson.hide.contains(&c.key);
        let lock = lesson.lock.contains(&c.key);
        if hide {
            for w in &c.wrappers {
                set_flag(w, HIDDEN_ATTR, true);
                set_flag(w, "hidden", true);
            }
        }
        if lock {
            for w in &c.wrappers {
                set_flag(w, LOCKED_ATTR, true);
            }
            for e in &c.elements {
                set_flag(e, "disabled", true);
                let described = e.get_attribute("aria-describedby").unwrap_or_default();
                if !described.split_whitespace().any(|d| d == hint_id) {
                    let _ = e.set_attribute("aria-describedby", squash(&format!("{described} {hint_id}")).as_str());
                }
            }
        }
    }
    let loading = body.query_selector(".loading").ok().flatten().is_some();
    let unknown = if loading {
        Vec::new()
    } else {
        lesson.hide.iter().chain(&lesson.lock).filter(|k| !controls.iter().any(|c| &c.key == *k)).fold(Vec::new(), |mut v, k| {
            if !v.contains(k) {
                v.push(k.clone());
            }
            v
        })
    };
    Scan { controls: controls.into_iter().map(|c| ControlInfo { key: c.key, name: c.name }).collect(), unknown }
}

/// Watches the widget body: scans once now and again after every change of its elements (or of a
/// control's `disabled` / name), keeping `scan` up to date. Stops when the calling owner is cleaned up.
pub fn watch(body: Element, lesson: Lesson, hint_id: String, scan: RwSignal<Scan>) {
    use wasm_bindgen::prelude::*;
    let run = {
        let body = body.clone();
        move || {
            let now = scan_and_apply(&body, &lesson, &hint_id);
            if scan.try_with_untracked(|s| *s != now).unwrap_or(false) {
                scan.set(now);
            }
        }
    };
    run();
    let run = std::cell::RefCell::new(run);
    let on_change = Closure::<dyn FnMut()>::new(move || {
        // A re-entrant call (our own attribute writes) is skipped; the observer calls back again.
        if let Ok(f) = run.try_borrow_mut() {
            (f)();
        }
    });
    let Ok(observer) = web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()) else { return };
    let init = web_sys::MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    init.set_attributes(true);
    init.set_attribute_filter(&js_sys::Array::of2(&"disabled".into(), &KEY_OVERRIDE.into()));
    let _ = observer.observe_with_options(&body, &init);
    let keep = send_wrapper::SendWrapper::new((observer, on_change));
    on_cleanup(move || {
        let (observer, on_change) = keep.take();
        observer.disconnect();
        drop(on_change);
    });
}
