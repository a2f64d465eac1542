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
}

impl PlotCtx {
    /// A length given in CSS pixels, in device pixels.
    pub fn px(&self, css: f64) -> f64 {
        css * self.dpr
    }
    /// A sans-serif font of `css_px` CSS pixels in colour `color`.
    pub fn font(&self, css_px: f64, color: RGBColor) -> TextStyle<'static> {
        ("system-ui, sans-serif", css_px * self.dpr).into_font().color(&color)
    }
}

/// The drawing area a draw function paints on.
pub type Area = DrawingArea<CanvasBackend, Shift>;

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
        theme.track();
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
        let Some(backend) = CanvasBackend::with_canvas_object(canvas) else { return };
        let ctx = PlotCtx { dpr, width: dw, height: dh, palette: palette() };
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
    let ratio = format!("aspect-ratio: 1000 / {}", (aspect * 1000.0).round() as i64);
    view! {
        <figure class="plot">
            <canvas
                node_ref=canvas_ref
                role="img"
                aria-label=move || label.get()
                style=ratio
                on:click=click
            ></canvas>
            <details class="plot-alt">
                <summary>{alt_title}</summary>
                {children()}
            </details>
        </figure>
    }
}
