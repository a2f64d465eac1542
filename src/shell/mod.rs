//! The shell: everything a widget needs from the app, written once and shared by every widget.
//!
//! - [`urlstate`]: a widget's typed state ⇄ the query string (replaceState), with notices.
//! - [`widget`]: the frame around every widget: title, notices, error panel, Share / embed.
//! - [`lesson`]: lesson links: the frame hides / locks the controls a link names.
//! - [`anim`]: the requestAnimationFrame loop with play / pause / step and visibility pausing.
//! - [`plot`]: HiDPI plotters canvas with theme colours and a text alternative.
//! - [`section_host`]: loads the heavy sections' module when one of them opens, and mounts it.
//! - [`sketch`]: drawing a 2-D point set as data, by pointer or keyboard.
//! - [`theme`]: light / dark theme following the system, with a remembered toggle.
//! - [`errors`]: the panic hook that turns a crash into a readable panel in the affected widget.
//! - [`assets`]: lazy fetch of data files from public/ (relative URLs).
//! - [`checkpoint`]: predict-then-reveal questions for course use.
//! - [`controls`]: small shared form controls (state-bound checkbox).
//! - [`dom`]: small browser helpers (location, history, storage, media queries).
//! - [`offline`]: the "Make available offline" control (service worker: tools/sw/).

pub mod anim;
pub mod assets;
pub mod checkpoint;
pub mod controls;
pub mod dom;
pub mod errors;
pub mod lesson;
pub mod offline;
pub mod plot;
pub mod section_host;
pub mod sketch;
pub mod theme;
pub mod urlstate;
pub mod widget;
