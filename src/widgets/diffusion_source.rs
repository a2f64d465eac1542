//! Where the forward process's image comes from: a handwritten digit, a pixel-art icon, or the
//! learner's own 24 × 24 image — drawn with pointer or keyboard, or uploaded (scaled down in the
//! browser, never sent anywhere).

use crate::shell::plot::{Area, PlotCanvas, PlotCtx, PointerPhase};
use super::diffusion_reverse::draw_grid;
use genai_core::diffusion::grey_from_rgba;
use genai_core::query::Choice;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Side of the learner's own image (the icons' grid).
pub const SIDE: usize = 24;
/// Uploads larger than this are refused before decoding.
pub const MAX_UPLOAD_BYTES: f64 = 40.0 * 1024.0 * 1024.0;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    #[default]
    Digit,
    Icon,
    Own,
}

impl Choice for Source {
    const ALL: &'static [Source] = &[Source::Digit, Source::Icon, Source::Own];
    fn key(self) -> &'static str {
        match self {
            Source::Digit => "digit",
            Source::Icon => "icon",
            Source::Own => "own",
        }
    }
}

/// Decodes an uploaded file into a `SIDE` × `SIDE` grey image. The browser scales it while decoding
/// (`createImageBitmap` with a resize), so even a very large picture never lands in memory at full size here.
async fn decode_upload(file: web_sys::File) -> Result<Vec<f32>, String> {
    let size = file.size();
    if size > MAX_UPLOAD_BYTES {
        return Err(format!("That file is {:.0} MB; pictures up to {:.0} MB are accepted. Your image here is unchanged.", size / 1048576.0, MAX_UPLOAD_BYTES / 1048576.0));
    }
    if !file.type_().starts_with("image/") {
        return Err(format!("“{}” is not a picture (its type is “{}”). Choose a PNG, JPEG, GIF or WebP file.", file.name(), if file.type_().is_empty() { "unknown".to_owned() } else { file.type_() }));
    }
    let window = web_sys::window().ok_or("no window")?;
    let opts = web_sys::ImageBitmapOptions::new();
    opts.set_resize_width(SIDE as u32);
    opts.set_resize_height(SIDE as u32);
    opts.set_resize_quality(web_sys::ResizeQuality::High);
    let promise = window.create_image_bitmap_with_blob_and_image_bitmap_options(&file, &opts).map_err(|_| "This browser could not start reading the picture.".to_owned())?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(promise)
        .await
        .map_err(|_| format!("“{}” could not be decoded as a picture — it may be damaged, or too large for this browser to open.", file.name()))?
        .unchecked_into();
    let canvas: web_sys::HtmlCanvasElement = window.document().ok_or("no document")?.create_element("canvas").map_err(|_| "no canvas")?.unchecked_into();
    canvas.set_width(SIDE as u32);
    canvas.set_height(SIDE as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or("no 2-D canvas")?.unchecked_into();
    ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0).map_err(|_| "The picture could not be drawn.")?;
    bitmap.close();
    let data = ctx.get_image_data(0.0, 0.0, SIDE as f64, SIDE as f64).map_err(|_| "The picture's pixels could not be read.")?;
    Ok(grey_from_rgba(&data.data().0))
}

/// The editor for the learner's own 24 × 24 image: paint cells with pointer or keyboard, clear,
/// upload. Bound to one `Option<Vec<f32>>` field of a widget's state (`None`: blank); `prefix` keeps
/// its element ids unique per widget.
#[component]
pub fn OwnImage<S: Send + Sync + 'static>(
    state: RwSignal<S>,
    get: fn(&S) -> Option<&Vec<f32>>,
    set: fn(&mut S, Option<Vec<f32>>),
    prefix: &'static str,
    /// What to say while the image is blank.
    #[prop(into)]
    blank_text: String,
) -> impl IntoView {
    let erase = RwSignal::new(false);
    let cursor = RwSignal::new((SIDE / 2, SIDE / 2));
    let message = RwSignal::new(None::<String>);
    let blank = vec![-1.0f32; SIDE * SIDE];
    let paint = move |cx: usize, cy: usize| {
        let v = if erase.get_untracked() { -1.0 } else { 1.0 };
        state.update(|s| {
            let mut img = get(s).cloned().unwrap_or_else(|| vec![-1.0; SIDE * SIDE]);
            if let Some(p) = img.get_mut(cy.min(SIDE - 1) * SIDE + cx.min(SIDE - 1)) {
                *p = v;
            }
            set(s, Some(img));
        });
    };
    let on_pointer = Callback::new(move |(phase, fx, fy): (PointerPhase, f64, f64)| {
        if phase == PointerPhase::Up {
            return;
        }
        let cell = |f: f64| ((f.clamp(0.0, 0.9999)) * SIDE as f64) as usize;
        let (cx, cy) = (cell(fx), cell(fy));
        cursor.set((cx, cy));
        paint(cx, cy);
    });
    let on_key = Callback::new(move |ev: web_sys::KeyboardEvent| {
        let (x, y) = cursor.get_untracked();
        let moved = match ev.key().as_str() {
            "ArrowLeft" => (x.saturating_sub(1), y),
            "ArrowRight" => ((x + 1).min(SIDE - 1), y),
            "ArrowUp" => (x, y.saturating_sub(1)),
            "ArrowDown" => (x, (y + 1).min(SIDE - 1)),
            " " | "Enter" => {
                ev.prevent_default();
                paint(x, y);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        cursor.set(moved);
        if ev.shift_key() {
            paint(moved.0, moved.1);
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        message.set(Some("Reading the picture…".to_owned()));
        leptos::task::spawn_local(async move {
            match decode_upload(file).await {
                Ok(img) => {
                    state.update(|s| set(s, Some(img)));
                    message.set(Some("Picture loaded, scaled to 24 × 24 grey pixels. It stays in your browser; the link keeps a 16-level copy.".to_owned()));
                }
                Err(e) => message.set(Some(e)),
            }
        });
    };
    let is_blank = move || state.with(|s| get(s).is_none_or(|d| d.iter().all(|&v| v <= -0.99)));
    let blank_for_view = blank.clone();
    view! {
        <div class="own-image">
            <PlotCanvas label=Signal::derive(move || { let (x, y) = cursor.get(); format!("Your 24 × 24 image: draw by pointing, or focus it and use the arrow keys with Space to paint (Shift + arrow paints as it moves). Cursor at column {}, row {}.", x + 1, y + 1) })
                aspect=1.0 draw=move |_a: &Area, ctx: &PlotCtx| {
                    let img = state.with(|s| get(s).cloned()).unwrap_or_else(|| blank_for_view.clone());
                    draw_grid(ctx, &[&img], SIDE, 1, (0.0, 0.0, ctx.width as f64, ctx.height as f64));
                    let (x, y) = cursor.get();
                    let cell = ctx.width.min(ctx.height) as f64 / SIDE as f64;
                    let left = (ctx.width as f64 - cell * SIDE as f64) / 2.0;
                    let style = plotters::style::ShapeStyle { color: plotters::style::Color::to_rgba(&ctx.palette.accent), filled: false, stroke_width: ctx.px(2.0) as u32 };
                    let _ = _a.draw(&plotters::element::Rectangle::new([((left + x as f64 * cell) as i32, (y as f64 * cell) as i32), ((left + (x + 1) as f64 * cell) as i32, ((y + 1) as f64 * cell) as i32)], style));
                } on_pointer=on_pointer pointer_active=Signal::derive(|| true) on_key=on_key alt_title="Show the pixels">
                <p>{move || state.with(|s| get(s).map(|d| d.chunks(SIDE).map(|r| r.iter().map(|&v| if v > 0.0 { '█' } else { '·' }).collect::<String>()).collect::<Vec<_>>().join(" / ")).unwrap_or_else(|| "blank".to_owned()))}</p>
            </PlotCanvas>
            <div class="controls-row">
                <fieldset class="radio-row">
                    <legend>"Brush"</legend>
                    <label class="radio"><input type="radio" name=format!("{prefix}-brush") prop:checked=move || !erase.get() on:change=move |_| erase.set(false)/>"Ink"</label>
                    <label class="radio"><input type="radio" name=format!("{prefix}-brush") prop:checked=move || erase.get() on:change=move |_| erase.set(true)/>"Eraser"</label>
                </fieldset>
                <button type="button" class="btn btn-small" on:click=move |_| state.update(|s| set(s, None))>"Clear"</button>
                <label class="field" for=format!("{prefix}-upload")>
                    <span>"Or upload a picture"</span>
                    <input id=format!("{prefix}-upload") type="file" accept="image/*" on:change=on_file/>
                </label>
            </div>
            <Show when=is_blank>
                <p class="notice" role="status" data-testid=format!("{prefix}-blank")>{blank_text.clone()}</p>
            </Show>
            {move || message.get().map(|m| view! { <p class="muted" role="status" data-testid=format!("{prefix}-upload-message")>{m}</p> })}
        </div>
    }
}
