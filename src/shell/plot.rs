//! The one plotting helper: a plotters canvas that is sharp on HiDPI screens, drawn in the theme's
//! colours, redrawn when its inputs, its size or the theme change, and always paired with a text
//! alternative (an accessible name plus a data table or summary behind a keyboard-reachable toggle).

use super::theme::use_theme;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Theme colours for plots, read from the CSS custom properties `--plot-*` of the root element.
#[derive(Clone, Debug)]
#[allow(dead_code)] // grid and series colours are for chart widgets
pub struct Palette {
    pub bg: RGBColor,
    pub fg: RGBColor,
    pub muted: RGBColor,
    pub grid: RGBColor,
    pub surface: RGBColor,
    pub accent: RGBColor,
    pub on_accent: RGBColor,
    pub series: [RGBColor; 6],
}

fn parse_hex(s: &str) -> Option<RGBColor> {
    let h = s.trim().strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let v = u32::from_str_radix(h, 16).ok()?;
    Some(RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

/// The current palette (falls back to a light palette if a variable is missing).
pub fn palette() -> Palette {
    let style = document()
        .document_element()
        .and_then(|el| window().get_computed_style(&el).ok().flatten());
    let get = |name: &str, fallback: RGBColor| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .and_then(|v| parse_hex(&v))
            .unwrap_or(fallback)
    };
    Palette {
        bg: get("--plot-bg", RGBColor(255, 255, 255)),
        fg: get("--plot-fg", RGBColor(20, 24, 31)),
        muted: get("--plot-muted", RGBColor(96, 104, 118)),
        grid: get("--plot-grid", RGBColor(220, 224, 230)),
        surface: get("--plot-surface", RGBColor(244, 246, 249)),
        accent: get("--plot-accent", RGBColor(37, 99, 235)),
        on_accent: get("--plot-on-accent", RGBColor(255, 255, 255)),
        series: [
            get("--plot-s1", RGBColor(37, 99, 235)),
            get("--plot-s2", RGBColor(234, 88, 12)),
            get("--plot-s3", RGBColor(22, 163, 74)),
            get("--plot-s4", RGBColor(190, 24, 93)),
            get("--plot-s5", RGBColor(124, 58, 237)),
            get("--plot-s6", RGBColor(202, 138, 4)),
        ],
    }
}

/// What a draw function gets besides the drawing area.
pub struct PlotCtx {
    /// Device pixels per CSS pixel.
    pub dpr: f64,
    /// Backing-store size in device pixels.
    pub width: u32,
    pub height: u32,
    pub palette: Palette,
    canvas: web_sys::HtmlCanvasElement,
}

impl PlotCtx {
    /// Many small circles of one colour (centres in device pixels) as a single canvas path: one
    /// fill or stroke instead of a style change and a draw call per point.
    pub fn dots(&self, centres: &[(f64, f64)], radius: f64, color: RGBColor, filled: bool, line_width: f64) {
        let Some(c) = self.canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()) else { return };
        let css = format!("rgb({},{},{})", color.0, color.1, color.2);
        c.begin_path();
        for &(x, y) in centres {
            c.move_to(x + radius, y);
            let _ = c.arc(x, y, radius, 0.0, std::f64::consts::TAU);
        }
        if filled {
            c.set_fill_style_str(&css);
            c.fill();
        } else {
            c.set_stroke_style_str(&css);
            c.set_line_width(line_width);
            c.stroke();
        }
    }

    /// Paints an RGBA image of `w × h` pixels stretched over the device-pixel rectangle
    /// (x, y, dw, dh), smoothed between pixels or not. One call instead of one rectangle per cell:
    /// for heat maps, which would otherwise cost thousands of canvas calls per frame.
    pub fn image(&self, rgba: &[u8], w: u32, h: u32, (x, y, dw, dh): (f64, f64, f64, f64), smooth: bool) {
        use wasm_bindgen::Clamped;
        let Ok(data) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), w, h) else { return };
        // One scratch canvas per bitmap size, reused: a fresh canvas per call (dozens a frame for an
        // image grid) left the garbage collector with 200 ms pauses.
        thread_local! {
            static TILES: std::cell::RefCell<Vec<web_sys::HtmlCanvasElement>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let cached = TILES.with(|t| t.borrow().iter().find(|c| c.width() == w && c.height() == h).cloned());
        let tile = match cached {
            Some(c) => c,
            None => {
                let Some(c) = document().create_element("canvas").ok().and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok()) else { return };
                c.set_width(w);
                c.set_height(h);
                TILES.with(|t| {
                    let mut t = t.borrow_mut();
                    if t.len() >= 8 {
                        t.remove(0);
                    }
                    t.push(c.clone());
                });
                c
            }
        };
        let ctx2d = |c: &web_sys::HtmlCanvasElement| c.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
        let (Some(t), Some(main)) = (ctx2d(&tile), ctx2d(&self.canvas)) else { return };
        let _ = t.put_image_data(&data, 0.0, 0.0);
        main.set_image_smoothing_enabled(smooth);
        let _ = main.draw_image_with_html_canvas_element_and_dw_and_dh(&tile, x, y, dw, dh);
        main.set_image_smoothing_enabled(true);
    }

    /// An axis-aligned ellipse outline (centre and radii in device pixels).
    pub fn ellipse(&self, (cx, cy): (f64, f64), (rx, ry): (f64, f64), color: RGBColor, line_width: f64) {
        let Some(c) = self.canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()) else { return };
        c.begin_path();
        let _ = c.ellipse(cx, cy, rx.max(0.5), ry.max(0.5), 0.0, 0.0, std::f64::consts::TAU);
        c.set_stroke_style_str(&format!("rgb({},{},{})", color.0, color.1, color.2));
        c.set_line_width(line_width);
        c.stroke();
    }

    /// A length given in CSS pixels, in device pixels.
    pub fn px(&self, css: f64) -> f64 {
        css * self.dpr
    }
    /// A sans-serif font of `css_px` CSS pixels in colour `color`.
    pub fn font(&self, css_px: f64, color: RGBColor) -> TextStyle<'static> {
        ("system-ui, sans-serif", css_px * self.dpr).into_font().color(&color)
    }
}

/// Appends a point to a training curve, keeping it at most `max` points long: when full, every
/// other point is dropped, so the curve keeps its whole span at half the density.
pub fn push_thinned<T: Copy>(curve: &mut Vec<T>, point: T, max: usize) {
    curve.push(point);
    if curve.len() > max {
        *curve = curve.iter().step_by(2).copied().collect();
    }
}

/// The drawing area a draw function paints on.
pub type Area = DrawingArea<CanvasBackend, Shift>;

/// One line of a [`line_chart`]: its points and colour.
pub struct Line<'a> {
    pub points: &'a [(f64, f64)],
    pub color: RGBColor,
}

/// A line chart over x ∈ [0, x_max], y ∈ y_range, with themed axes and labels — the one chart
/// shape every training curve uses (losses, divergences).
pub fn line_chart(area: &Area, ctx: &PlotCtx, x_desc: &str, y_desc: &str, x_max: f64, y_range: std::ops::Range<f64>, lines: &[Line<'_>]) {
    let p = &ctx.palette;
    let Ok(mut chart) = ChartBuilder::on(area)
        .margin(ctx.px(8.0) as i32)
        .x_label_area_size(ctx.px(26.0) as i32)
        .y_label_area_size(ctx.px(40.0) as i32)
        .build_cartesian_2d(0f64..x_max.max(1e-9), y_range)
    else {
        return;
    };
    let _ = chart
        .configure_mesh()
        .label_style(ctx.font(11.0, p.muted))
        .axis_style(p.muted)
        .bold_line_style(p.grid)
        .light_line_style(p.grid.mix(0.4))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(ctx.font(11.0, p.muted))
        .x_labels(5)
        .y_labels(5)
        .draw();
    let width = ctx.px(2.0).round() as u32;
    for line in lines {
        let finite = line.points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite());
        let _ = chart.draw_series(LineSeries::new(finite, ShapeStyle { color: line.color.to_rgba(), filled: false, stroke_width: width }));
    }
}

/// What a pointer did on a canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointerPhase {
    Down,
    Move,
    Up,
}

/// A canvas drawn with plotters, plus its text alternative (the children).
///
/// `draw` runs inside an effect: any signal it reads makes the plot redraw when it changes.
/// `on_point` receives clicks and taps in device pixels, matching what `draw` sees.
#[component]
pub fn PlotCanvas<F>(
    /// The canvas's accessible name: what the picture shows, in a sentence.
    #[prop(into)]
    label: Signal<String>,
    /// Height ÷ width of the canvas.
    aspect: f64,
    draw: F,
    #[prop(optional)] on_point: Option<Callback<(f64, f64)>>,
    /// Pointer presses, moves and releases (mouse, pen and touch) as fractions (0–1) of the
    /// canvas's width and height, while `pointer_active` is true; touch then draws rather than
    /// scrolls the page.
    #[prop(optional)]
    on_pointer: Option<Callback<(PointerPhase, f64, f64)>>,
    #[prop(optional, into)] pointer_active: Signal<bool>,
    /// Key presses while the canvas has focus (it is focusable when this is given).
    #[prop(optional)]
    on_key: Option<Callback<web_sys::KeyboardEvent>>,
    /// Whether `on_key` does anything now (default: always); the canvas is in the Tab order only
    /// then (a sketch pad answers keys only while drawing).
    #[prop(optional, into)]
    keys_active: Option<Signal<bool>>,
    /// The toggle text of the text alternative.
    #[prop(into, default = "Show as text".to_owned())]
    alt_title: String,
    children: Children,
) -> impl IntoView
where
    F: Fn(&Area, &PlotCtx) + 'static,
{
    let canvas_ref = NodeRef::<Canvas>::new();
    // (CSS width, CSS height, device pixel ratio); 0 until measured.
    let size = RwSignal::new((0.0f64, 0.0f64, 1.0f64));
    let theme = use_theme();

    let measure = move || {
        if let Some(c) = canvas_ref.get_untracked() {
            let dpr = window().device_pixel_ratio().max(1.0);
            let next = (c.client_width() as f64, c.client_height() as f64, dpr);
            if next != size.get_untracked() {
                size.set(next);
            }
        }
    };
    let on_resize = Closure::<dyn FnMut()>::new(measure);
    let observer = StoredValue::new_local(None::<web_sys::ResizeObserver>);
    {
        let cb = on_resize.as_ref().unchecked_ref::<js_sys::Function>().clone();
        Effect::new(move |_| {
            if let Some(c) = canvas_ref.get() {
                measure();
                if observer.with_value(|o| o.is_none()) {
                    if let Ok(o) = web_sys::ResizeObserver::new(&cb) {
                        o.observe(&c);
                        observer.set_value(Some(o));
                    }
                }
            }
        });
    }
    let keep = SendWrapper::new(on_resize);
    on_cleanup(move || {
        drop(keep.take());
        observer.update_value(|o| {
            if let Some(o) = o.take() {
                o.disconnect();
            }
        });
    });

    Effect::new(move |_| {
        let _ = theme.get(); // redraw in the new colours (a derived signal must be read, not just tracked)
        let (w, h, dpr) = size.get();
        let Some(canvas) = canvas_ref.get() else { return };
        if w < 1.0 || h < 1.0 {
            return;
        }
        let (dw, dh) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
        if canvas.width() != dw {
            canvas.set_width(dw);
        }
        if canvas.height() != dh {
            canvas.set_height(dh);
        }
        let element: web_sys::HtmlCanvasElement = canvas.clone();
        let Some(backend) = CanvasBackend::with_canvas_object(canvas) else { return };
        let ctx = PlotCtx { dpr, width: dw, height: dh, palette: palette(), canvas: element };
        let area = backend.into_drawing_area();
        let _ = area.fill(&ctx.palette.bg);
        draw(&area, &ctx);
        let _ = area.present();
    });

    let click = move |ev: web_sys::MouseEvent| {
        if let Some(cb) = on_point {
            let dpr = size.get_untracked().2;
            cb.run((ev.offset_x() as f64 * dpr, ev.offset_y() as f64 * dpr));
        }
    };
    let pointer = move |phase: PointerPhase, ev: web_sys::PointerEvent| {
        let (Some(cb), Some(c)) = (on_pointer, canvas_ref.get_untracked()) else { return };
        if !pointer_active.get_untracked() {
            return;
        }
        let (w, h) = (c.client_width().max(1) as f64, c.client_height().max(1) as f64);
        if phase == PointerPhase::Down {
            ev.prevent_default();
            let _ = c.set_pointer_capture(ev.pointer_id());
        }
        cb.run((phase, ev.offset_x() as f64 / w, ev.offset_y() as f64 / h));
    };
    let ratio = format!("aspect-ratio: 1000 / {}", (aspect * 1000.0).round() as i64);
    let style = move || if pointer_active.get() { format!("{ratio}; touch-action: none; cursor: crosshair") } else { ratio.clone() };
    view! {
        <figure class="plot">
            <canvas
                node_ref=canvas_ref
                role="img"
                aria-label=move || label.get()
                style=style
                tabindex=move || (on_key.is_some() && keys_active.is_none_or(|a| a.get())).then_some("0")
                on:click=click
                on:pointerdown=move |ev| pointer(PointerPhase::Down, ev)
                on:pointermove=move |ev| pointer(PointerPhase::Move, ev)
                on:pointerup=move |ev| pointer(PointerPhase::Up, ev)
                on:pointercancel=move |ev| pointer(PointerPhase::Up, ev)
                on:keydown=move |ev| {
                    if let Some(cb) = on_key {
                        cb.run(ev);
                    }
                }
            ></canvas>
            <details class="plot-alt">
                <summary>{alt_title}</summary>
                {children()}
            </details>
        </figure>
    }
}
