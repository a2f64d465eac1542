//! The one animation / training loop every widget uses.
//!
//! Driven by `requestAnimationFrame`. Each frame hands the widget a [`FrameInfo`] with the elapsed
//! time and the amount of work asked for (iterations per frame, a control the widget may expose).
//! The loop stops scheduling frames while paused, while the tab is hidden and while the widget is
//! scrolled off screen; it never starts by itself when the visitor prefers reduced motion.

use super::{dom, errors};
use leptos::html::Div;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What one frame (or one single step) asks the widget to do.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)] // `work` is for iteration-based widgets (training loops); the lifecycle is time-based.
pub struct FrameInfo {
    /// Milliseconds since the previous frame (0 on the first frame after a start; capped at 100).
    pub dt_ms: f64,
    /// Units of work asked for this frame (≥ 1), e.g. training iterations.
    pub work: u32,
    /// True when the visitor pressed "step" rather than the loop running.
    pub single_step: bool,
    /// For [`AS_FAST_AS_POSSIBLE`]: the `performance.now()` by which this frame's work should stop.
    pub deadline_ms: Option<f64>,
}

/// Work-per-frame value meaning "slow motion": one unit of work every [`SLOW_MOTION_MS`].
pub const SLOW_MOTION: u32 = 0;
pub const SLOW_MOTION_MS: f64 = 400.0;
/// Work-per-frame value meaning "as much as fits": each frame works until a time budget is spent,
/// then draws. The budget adapts so that work plus drawing fill one display frame: it grows by
/// 0.5 ms per frame until the first late frame, then by 0.1 ms per frame while frames arrive on time (≤ 18.5 ms apart, i.e. 60 Hz); a late frame cuts
/// it by 15 % and holds it for [`HOLD_FRAMES`] frames before probing again, between
/// [`MIN_BUDGET_MS`] and [`MAX_BUDGET_MS`]. Training speed is then decoupled from drawing and from
/// any chosen count, and a probe costs about one late frame in a hundred (an earlier rule, which
/// waited for two late frames in eight, dropped one frame in ten).
pub const AS_FAST_AS_POSSIBLE: u32 = u32::MAX;
const LATE_FRAME_MS: f64 = 18.5;
const MIN_BUDGET_MS: f64 = 6.0;
const MAX_BUDGET_MS: f64 = 30.0;
const HOLD_FRAMES: u32 = 60;

/// Milliseconds since the page loaded (`performance.now()`).
pub fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// A training loop's bookkeeping, shared by the training widgets: the milliseconds spent training
/// (for speeds) and a gate that lets the views re-measure at most every `every_ms` (and on every
/// single step).
#[derive(Clone, Copy)]
pub struct TrainClock {
    spent: StoredValue<f64>,
    last: StoredValue<f64>,
    every_ms: f64,
}

impl TrainClock {
    pub fn new(every_ms: f64) -> TrainClock {
        TrainClock { spent: StoredValue::new(0.0), last: StoredValue::new(f64::NEG_INFINITY), every_ms }
    }

    /// Counts a frame's training that started at `t0` and ended at `t1`; true when a measurement is due.
    pub fn after_frame(&self, f: &FrameInfo, t0: f64, t1: f64) -> bool {
        self.spent.update_value(|c| *c += t1 - t0);
        if f.single_step || t1 - self.last.get_value() >= self.every_ms {
            self.last.set_value(t1);
            true
        } else {
            false
        }
    }

    /// Seconds spent training since the last reset.
    pub fn seconds(&self) -> f64 {
        self.spent.get_value() / 1000.0
    }

    pub fn reset(&self) {
        self.spent.set_value(0.0);
    }
}

/// What a training widget says when its loss or weights stopped being numbers at `step`.
pub fn diverged_message(step: impl std::fmt::Display, loss: f64) -> String {
    format!(
        "Training diverged at step {step}: the loss is {loss:.3e} (or a weight is no longer a number). The learning rate is too high for this network. Training is paused; choose a lower learning rate and press Reset."
    )
}

impl FrameInfo {
    /// Runs `unit` as many times as this frame asks for — a fixed count, or until the time budget
    /// is spent (at least once) — and returns how many times it ran. `unit` returns false to stop
    /// early (e.g. training diverged).
    pub fn repeat(&self, mut unit: impl FnMut() -> bool) -> u32 {
        let mut done = 0;
        loop {
            done += 1;
            if !unit() {
                return done;
            }
            match self.deadline_ms {
                Some(t) if now_ms() < t => {}
                Some(_) => return done,
                None if done < self.work => {}
                None => return done,
            }
        }
    }
}

/// The label of a work-per-frame choice.
pub fn speed_name(n: u32) -> String {
    match n {
        SLOW_MOTION => "slow motion".to_owned(),
        AS_FAST_AS_POSSIBLE => "as many as fit".to_owned(),
        n => n.to_string(),
    }
}

/// How the loop starts.
#[derive(Clone, Copy, Debug)]
pub struct LoopOptions {
    /// Start playing on mount (ignored under `prefers-reduced-motion: reduce`).
    pub autoplay: bool,
    /// Initial work per frame.
    pub work_per_frame: u32,
}

impl Default for LoopOptions {
    fn default() -> Self {
        LoopOptions { autoplay: false, work_per_frame: 1 }
    }
}

/// Handle to a widget's loop: signals for the controls plus play / pause / step.
#[derive(Clone, Copy)]
pub struct AnimationLoop {
    pub playing: RwSignal<bool>,
    pub work_per_frame: RwSignal<u32>,
    /// The tab is visible and the widget is on screen.
    pub in_view: Signal<bool>,
    /// Autoplay was asked for but withheld because of reduced motion.
    pub autoplay_withheld: bool,
    step_fn: StoredValue<Rc<dyn Fn()>, LocalStorage>,
}

#[allow(dead_code)] // part of the shared API; not every widget uses every method
impl AnimationLoop {
    pub fn play(&self) {
        self.playing.set(true);
    }
    pub fn pause(&self) {
        self.playing.set(false);
    }
    pub fn toggle(&self) {
        self.playing.update(|p| *p = !*p);
    }
    /// Pauses and does exactly one unit of work.
    pub fn step(&self) {
        self.pause();
        self.step_fn.with_value(|f| f());
    }
}

struct Frames {
    raf: Cell<Option<i32>>,
    last: Cell<Option<f64>>,
    /// Milliseconds waited since the last slow-motion step (0 = none yet).
    slow: Cell<f64>,
    /// "As many as fit": this frame's work budget in milliseconds, and the frames left before it
    /// may grow again.
    budget: Cell<f64>,
    hold: Cell<u32>,
    /// A late frame has been seen since the loop was created (the budget then grows slowly).
    seen_late: Cell<bool>,
    closure: RefCell<Option<Closure<dyn FnMut(f64)>>>,
}

impl Frames {
    fn schedule(&self) {
        if self.raf.get().is_some() {
            return;
        }
        if let Some(c) = self.closure.borrow().as_ref() {
            if let Ok(id) = window().request_animation_frame(c.as_ref().unchecked_ref()) {
                self.raf.set(Some(id));
            }
        }
    }
    fn cancel(&self) {
        if let Some(id) = self.raf.take() {
            let _ = window().cancel_animation_frame(id);
        }
        self.last.set(None);
        self.slow.set(0.0);
    }
}

fn widget_of(root: NodeRef<Div>) -> Option<web_sys::Element> {
    let el: web_sys::Element = root.get_untracked()?.into();
    el.closest("[data-widget]").ok().flatten()
}

/// Creates the loop for the widget whose body contains `root`; `on_frame` does the work.
pub fn use_animation_loop(
    root: NodeRef<Div>,
    options: LoopOptions,
    on_frame: impl FnMut(FrameInfo) + 'static,
) -> AnimationLoop {
    let reduced = dom::prefers_reduced_motion();
    let playing = RwSignal::new(options.autoplay && !reduced);
    let work_per_frame = RwSignal::new(options.work_per_frame);
    let page_visible = RwSignal::new(document().visibility_state() == web_sys::VisibilityState::Visible);
    let on_screen = RwSignal::new(true);
    let in_view = Signal::derive(move || page_visible.get() && on_screen.get());
    let on_frame: Rc<RefCell<dyn FnMut(FrameInfo)>> = Rc::new(RefCell::new(on_frame));

    let frames = Rc::new(Frames { raf: Cell::new(None), last: Cell::new(None), slow: Cell::new(0.0), budget: Cell::new(8.0), hold: Cell::new(0), seen_late: Cell::new(false), closure: RefCell::new(None) });
    {
        let frames2 = frames.clone();
        let on_frame = on_frame.clone();
        let closure = Closure::<dyn FnMut(f64)>::new(move |ts: f64| {
            frames2.raf.set(None);
            if !(playing.get_untracked() && page_visible.get_untracked() && on_screen.get_untracked()) {
                frames2.last.set(None);
                return;
            }
            let dt_ms = frames2.last.get().map(|l| (ts - l).clamp(0.0, 100.0)).unwrap_or(0.0);
            frames2.last.set(Some(ts));
            let work = work_per_frame.get_untracked();
            let info = match work {
                SLOW_MOTION => {
                    let waited = frames2.slow.get() + dt_ms;
                    if waited < SLOW_MOTION_MS && frames2.slow.get() > 0.0 {
                        frames2.slow.set(waited);
                        None
                    } else {
                        frames2.slow.set(f64::MIN_POSITIVE);
                        Some(FrameInfo { dt_ms, work: 1, single_step: false, deadline_ms: None })
                    }
                }
                AS_FAST_AS_POSSIBLE => {
                    // Probe upwards slowly while frames keep the display's pace; back off and
                    // hold after a late one.
                    let (b, hold) = (frames2.budget.get(), frames2.hold.get());
                    let b = if dt_ms == 0.0 {
                        b
                    } else if dt_ms > LATE_FRAME_MS {
                        frames2.hold.set(HOLD_FRAMES);
                        frames2.seen_late.set(true);
                        b * 0.85
                    } else if hold > 0 {
                        frames2.hold.set(hold - 1);
                        b
                    } else {
                        b + if frames2.seen_late.get() { 0.1 } else { 0.5 }
                    };
                    let b = b.clamp(MIN_BUDGET_MS, MAX_BUDGET_MS);
                    frames2.budget.set(b);
                    Some(FrameInfo { dt_ms, work, single_step: false, deadline_ms: Some(now_ms() + b) })
                }
                n => Some(FrameInfo { dt_ms, work: n, single_step: false, deadline_ms: None }),
            };
            if let Some(info) = info {
                errors::with_active_widget(widget_of(root), || (on_frame.borrow_mut())(info));
            }
            frames2.schedule();
        });
        *frames.closure.borrow_mut() = Some(closure);
    }

    {
        let frames = frames.clone();
        Effect::new(move |_| {
            if playing.get() && page_visible.get() && on_screen.get() {
                frames.schedule();
            } else {
                frames.cancel();
            }
        });
    }

    // Pause while the tab is hidden.
    let visibility = Closure::<dyn FnMut()>::new(move || {
        page_visible.set(document().visibility_state() == web_sys::VisibilityState::Visible);
    });
    let _ = document().add_event_listener_with_callback("visibilitychange", visibility.as_ref().unchecked_ref());

    // Pause while scrolled off screen.
    let observer: Rc<RefCell<Option<web_sys::IntersectionObserver>>> = Rc::new(RefCell::new(None));
    let on_intersect = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        if let Some(last) = entries.iter().last() {
            if let Ok(entry) = last.dyn_into::<web_sys::IntersectionObserverEntry>() {
                on_screen.set(entry.is_intersecting());
            }
        }
    });
    {
        let observer = observer.clone();
        let callback = on_intersect.as_ref().unchecked_ref::<js_sys::Function>().clone();
        Effect::new(move |_| {
            let el = root.get();
            let unobserved = observer.borrow().is_none();
            if let (Some(el), true) = (el, unobserved) {
                if let Ok(o) = web_sys::IntersectionObserver::new(&callback) {
                    o.observe(&el);
                    *observer.borrow_mut() = Some(o);
                }
            }
        });
    }

    let step_fn: Rc<dyn Fn()> = Rc::new(move || {
        let info = FrameInfo { dt_ms: 0.0, work: 1, single_step: true, deadline_ms: None };
        errors::with_active_widget(widget_of(root), || (on_frame.borrow_mut())(info));
    });

    let cleanup = SendWrapper::new((frames, visibility, on_intersect, observer));
    on_cleanup(move || {
        let (frames, visibility, _on_intersect, observer) = cleanup.take();
        frames.cancel();
        frames.closure.borrow_mut().take(); // breaks the Rc cycle
        let _ = document()
            .remove_event_listener_with_callback("visibilitychange", visibility.as_ref().unchecked_ref());
        let o = observer.borrow_mut().take();
        if let Some(o) = o {
            o.disconnect();
        }
    });

    AnimationLoop {
        playing,
        work_per_frame,
        in_view,
        autoplay_withheld: options.autoplay && reduced,
        step_fn: StoredValue::new_local(step_fn),
    }
}

/// Play / pause and step buttons for a loop, with a status line a screen reader can follow.
#[component]
pub fn LoopControls(
    anim: AnimationLoop,
    /// Label of the play button, e.g. "Play the tour" or "Train".
    #[prop(into)]
    play_label: String,
    /// Label of the single-step button, e.g. "Next stage" or "Step".
    #[prop(into)]
    step_label: String,
    /// Choices of work per frame (e.g. training iterations); no speed control when absent.
    #[prop(optional)]
    speeds: Option<&'static [u32]>,
    /// Label of the speed control.
    #[prop(into, default = "Iterations per frame".to_owned())]
    speed_label: String,
) -> impl IntoView {
    let play_text = play_label;
    // The play button's text changes to "Pause": a lesson link keys it by its play label.
    let play_key = genai_core::lesson::slug(&play_text);
    let speed_select = speeds.map(|speeds| {
        view! {
            <label class="field speed">
                <span>{speed_label}</span>
                <select on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<u32>() {
                        anim.work_per_frame.set(n);
                    }
                }>
                    {speeds.iter().map(|&n| view! {
                        <option value=n.to_string() prop:selected=move || anim.work_per_frame.get() == n>{speed_name(n)}</option>
                    }).collect_view()}
                </select>
            </label>
        }
    });
    view! {
        <div class="loop-controls" role="group" aria-label="Animation controls">
            <button
                type="button"
                class="btn btn-primary"
                data-lesson-key=play_key
                on:click=move |_| anim.toggle()
            >
                {move || if anim.playing.get() { "❚❚ Pause".to_owned() } else { format!("▶ {play_text}") }}
            </button>
            <button type="button" class="btn" on:click=move |_| anim.step()>
                {step_label}
            </button>
            {speed_select}
            <span class="loop-status" aria-live="polite">
                {move || {
                    if anim.playing.get() && !anim.in_view.get() {
                        "Paused while out of view."
                    } else if !anim.playing.get() && anim.autoplay_withheld {
                        "Not started automatically: your system asks for reduced motion."
                    } else {
                        ""
                    }
                }}
            </span>
        </div>
    }
}
