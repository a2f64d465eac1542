//! Drawing a 2-D point set as data — with a mouse, pen or finger, or with the keyboard (arrows move
//! a cross, Space adds a point, Backspace removes the last stroke). Shared by every widget whose
//! learner may draw their own data (GAN, 2-D diffusion). The points live in the widget's URL state.

use super::plot::{Area, PlotCtx, PointerPhase};
use leptos::prelude::*;
use plotters::prelude::*;

/// The drawing's signals and the handlers to give a [`super::plot::PlotCanvas`].
#[derive(Clone, Copy)]
pub struct PointSketch {
    /// The stroke in progress (committed to the state on release).
    pub stroke: RwSignal<Vec<(f32, f32)>>,
    /// The keyboard cross.
    pub cursor: RwSignal<(f32, f32)>,
    pub on_pointer: Callback<(PointerPhase, f64, f64)>,
    pub on_key: Callback<web_sys::KeyboardEvent>,
    pub undo: Callback<()>,
    pub clear: Callback<()>,
}

/// A point of the square [−extent, extent]² from fractions of a square canvas (y up).
pub fn to_plane(fx: f64, fy: f64, extent: f32) -> (f32, f32) {
    let c = |v: f64| (v.clamp(0.0, 1.0) as f32 * 2.0 - 1.0) * extent;
    (c(fx), -c(fy))
}

/// Drawing into `state`'s point list (reached through `points`), at most `max` points in
/// [−extent, extent]², while `active`. `before_change` runs before each change (e.g. to pause).
pub fn use_point_sketch<S: Send + Sync + 'static>(
    state: RwSignal<S>,
    points: fn(&mut S) -> &mut Vec<(f32, f32)>,
    extent: f32,
    max: usize,
    active: Signal<bool>,
    before_change: impl Fn() + Copy + Send + Sync + 'static,
) -> PointSketch {
    let stroke = RwSignal::new(Vec::<(f32, f32)>::new());
    let stroke_ends = RwSignal::new(Vec::<usize>::new());
    let cursor = RwSignal::new((0.0f32, 0.0f32));
    let count = move || state.try_update_untracked(|s| points(s).len()).unwrap_or(0);
    let commit = move |pts: Vec<(f32, f32)>| {
        if pts.is_empty() {
            return;
        }
        before_change();
        state.update(|s| {
            let list = points(s);
            let room = max.saturating_sub(list.len());
            list.extend(pts.into_iter().take(room));
            let n = list.len();
            stroke_ends.update(|e| e.push(n));
        });
    };
    let on_pointer = Callback::new(move |(phase, fx, fy): (PointerPhase, f64, f64)| {
        let p = to_plane(fx, fy, extent);
        match phase {
            PointerPhase::Down => stroke.set(vec![p]),
            PointerPhase::Move => stroke.update(|s| {
                // While pressed, one point per 2.3 % of the square's side of movement.
                if let Some(&(x, y)) = s.last() {
                    if (p.0 - x).hypot(p.1 - y) >= 0.046 * extent {
                        s.push(p);
                    }
                }
            }),
            PointerPhase::Up => {
                let pts = stroke.get_untracked();
                stroke.set(Vec::new());
                commit(pts);
            }
        }
    });
    let undo = Callback::new(move |()| {
        let ends = stroke_ends.get_untracked();
        let n = count();
        // Back to the end of the previous stroke; one point at a time for points from a link.
        let keep = if ends.last() == Some(&n) {
            ends.iter().rev().find(|&&e| e < n).copied().unwrap_or(0)
        } else {
            n.saturating_sub(1)
        };
        before_change();
        stroke_ends.update(|e| e.retain(|&x| x <= keep));
        state.update(|s| points(s).truncate(keep));
    });
    let clear = Callback::new(move |()| {
        before_change();
        stroke_ends.set(Vec::new());
        state.update(|s| points(s).clear());
    });
    let on_key = Callback::new(move |ev: web_sys::KeyboardEvent| {
        if !active.get_untracked() {
            return;
        }
        let step = extent * if ev.shift_key() { 0.19 } else { 0.038 };
        let (dx, dy) = match ev.key().as_str() {
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, step),
            "ArrowDown" => (0.0, -step),
            " " | "Enter" => {
                ev.prevent_default();
                commit(vec![cursor.get_untracked()]);
                return;
            }
            "Backspace" | "Delete" => {
                ev.prevent_default();
                undo.run(());
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        cursor.update(|c| *c = ((c.0 + dx).clamp(-extent, extent), (c.1 + dy).clamp(-extent, extent)));
    });
    PointSketch { stroke, cursor, on_pointer, on_key, undo, clear }
}

/// How to use the drawing area, for its accessible name.
pub fn instructions(n: usize, cursor: (f32, f32)) -> String {
    format!(
        "Drawing area: {n} points drawn. Drag to draw, or move the cross with the arrow keys (Shift for bigger steps) and press Space to add a point; Backspace removes the last stroke. Cross at ({:.1}, {:.1}).",
        cursor.0, cursor.1
    )
}

/// Draws the points and the keyboard cross, placed by `to_px`.
pub fn draw(area: &Area, ctx: &PlotCtx, points: &[(f32, f32)], cursor: (f32, f32), to_px: impl Fn(f32, f32) -> (i32, i32)) {
    let p = &ctx.palette;
    let dot = ctx.px(3.5).round() as i32;
    for &(x, y) in points {
        let _ = area.draw(&Circle::new(to_px(x, y), dot, p.fg.filled()));
    }
    let (cx, cy) = to_px(cursor.0, cursor.1);
    let arm = ctx.px(9.0) as i32;
    let style = ShapeStyle { color: p.fg.to_rgba(), filled: false, stroke_width: ctx.px(1.5).round().max(1.0) as u32 };
    let _ = area.draw(&PathElement::new(vec![(cx - arm, cy), (cx + arm, cy)], style));
    let _ = area.draw(&PathElement::new(vec![(cx, cy - arm), (cx, cy + arm)], style));
}

/// The “Undo last stroke” and “Clear drawing” buttons, shown while `active`.
pub fn edit_buttons(sk: PointSketch, active: Signal<bool>) -> impl IntoView {
    view! {
        <Show when=move || active.get()>
            <div class="controls-row">
                <button type="button" class="btn btn-small" on:click=move |_| sk.undo.run(())>"Undo last stroke"</button>
                <button type="button" class="btn btn-small" on:click=move |_| sk.clear.run(())>"Clear drawing"</button>
            </div>
        </Show>
    }
}
