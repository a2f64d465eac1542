//! A variational autoencoder trained live on the 1,797 UCI digits (core `vae`): −ELBO,
//! reconstruction and KL curves on held-out digits; the 2-D latent with every training digit as a
//! dot coloured by class; a point to drag (pointer, touch, keys) with its decoded digit; the decoded
//! latent grid (the manifold); samples from the prior; β from 0 (a plain autoencoder) up; a 5-NN
//! classifier in the latent against one on the 2-D PCA projection; the learner's own drawing
//! encoded as a Gaussian (an ellipse on the plane); a walk between two held-out digits.

use crate::shell::controls::seed_field;
use crate::shell::anim::{diverged_message, now_ms, use_animation_loop, FrameInfo, LoopControls, LoopOptions, TrainClock, AS_FAST_AS_POSSIBLE};
use crate::shell::checkpoint::Checkpoint;
use crate::shell::plot::{line_chart, push_thinned, Area, Line, PlotCanvas, PlotCtx, PointerPhase};
use crate::shell::urlstate::use_url_state;
use crate::shell::widget::{Loading, WidgetFrame, WidgetMeta};
use crate::widgets::diffusion::fetch_digits;
use genai_core::diffusion::Digits;
use genai_core::embed::pca;
use genai_core::query::{StateReader, StateWriter, UrlState};
use genai_core::rng::Rng;
use genai_core::vae::{knn_accuracy, Terms, Trainer, Vae, HIDDEN};
use leptos::html::Div;
use leptos::prelude::*;
use plotters::prelude::*;
use std::rc::Rc;

pub const META_ID: &str = "vae";
pub const META: WidgetMeta = WidgetMeta { id: META_ID, page: "vae", title: "A VAE trained on handwritten digits", embed_height: 1700 };

/// The latent plane shown: z ∈ [−EXTENT, EXTENT]².
const EXTENT: f32 = 4.0;
/// The decoded grid: GRID × GRID points over z ∈ [−GRID_EXTENT, GRID_EXTENT]².
const GRID: usize = 12;
const GRID_EXTENT: f32 = 2.0;
const PRIOR_SAMPLES: usize = 16;
/// Held-out digits (the last fifth of the 1,797).
const HELD_OUT: usize = 360;
/// Points decoded between two digits' codes.
const LERP_STEPS: usize = 10;
const LRS: [f64; 6] = [3e-4, 1e-3, 2e-3, 1e-2, 0.1, 1.0];
/// Ten class colours that read on light and dark backgrounds (Tableau 10).
const CLASS: [RGBColor; 10] = [
    RGBColor(78, 121, 167), RGBColor(242, 142, 43), RGBColor(225, 87, 89), RGBColor(118, 183, 178), RGBColor(89, 161, 79),
    RGBColor(237, 201, 72), RGBColor(176, 122, 161), RGBColor(255, 157, 167), RGBColor(156, 117, 95), RGBColor(186, 176, 172),
];

#[derive(Clone, Debug, PartialEq)]
pub struct VaeState {
    /// Weight of the KL term: 1 is the VAE, 0 a plain autoencoder.
    pub beta: f64,
    pub lr: f64,
    pub seed: u64,
    /// The point of the latent being decoded.
    pub z: (f32, f32),
    /// The learner's 8 × 8 drawing, ink on or off per cell.
    pub draw: Vec<bool>,
    /// Two held-out digits (1-based) to interpolate between.
    pub a: i64,
    pub b: i64,
}

impl Default for VaeState {
    fn default() -> Self {
        VaeState { beta: 1.0, lr: 2e-3, seed: 1, z: (0.0, 0.0), draw: vec![false; 64], a: 1, b: 2 }
    }
}

impl UrlState for VaeState {
    const ID: &'static str = META_ID;
    fn write(&self, w: &mut StateWriter<'_>) {
        w.float("beta", self.beta);
        w.float("lr", self.lr);
        w.seed("seed", self.seed);
        w.float("zx", (self.z.0 as f64 * 100.0).round() / 100.0);
        w.float("zy", (self.z.1 as f64 * 100.0).round() / 100.0);
        if self.draw.iter().any(|&b| b) {
            w.bits("draw", &self.draw);
        }
        w.int("a", self.a);
        w.int("b", self.b);
    }
    fn read(r: &mut StateReader<'_>) -> Self {
        let d = VaeState::default();
        let e = EXTENT as f64;
        VaeState {
            beta: r.float("beta", 0.0..=4.0, d.beta),
            lr: r.float("lr", 1e-5..=1.0, d.lr),
            seed: r.seed("seed", d.seed),
            z: (r.float("zx", -e..=e, 0.0) as f32, r.float("zy", -e..=e, 0.0) as f32),
            draw: r.bits("draw", 64),
            a: r.int("a", 1..=HELD_OUT as i64, d.a),
            b: r.int("b", 1..=HELD_OUT as i64, d.b),
        }
    }
}

/// The digits split 80 / 20, as grey levels in [0, 1], and the 5-NN accuracy of 2-D PCA.
struct Data {
    train: Vec<f32>,
    train_labels: Vec<u8>,
    test: Vec<f32>,
    test_labels: Vec<u8>,
    pca_knn: f64,
}

impl Data {
    fn new(d: &Digits) -> Data {
        let n = d.labels.len();
        let n_train = n * 4 / 5;
        let x: Vec<f32> = d.pixels.iter().map(|v| (v + 1.0) / 2.0).collect();
        let (train, test) = x.split_at(n_train * 64);
        let p = pca(train, n_train, 64, 2, 30, 1);
        let mut proj = vec![0.0f32; (n - n_train) * 2];
        for (q, out) in test.chunks_exact(64).zip(proj.chunks_exact_mut(2)) {
            p.project(q, out);
        }
        let pca_knn = knn_accuracy(&p.projections, &d.labels[..n_train], &proj, &d.labels[n_train..], 2, 5);
        Data { train: train.to_vec(), train_labels: d.labels[..n_train].to_vec(), test: test.to_vec(), test_labels: d.labels[n_train..].to_vec(), pca_knn }
    }
}

/// The learner's drawing through the encoder: q(z | x) = N(μ, diag σ²), and the decoder's image of
/// μ with its mean binary cross-entropy per pixel against the drawing.
#[derive(Clone, Debug)]
struct Encoded {
    mu: (f32, f32),
    sigma: (f32, f32),
    recon: Vec<f32>,
    bce: f64,
}

/// A measurement on the held-out digits.
#[derive(Clone, Copy, Debug)]
struct Point {
    epoch: f64,
    terms: Terms,
}

/// 8 × 8 digits (grey levels in [0, 1], one after another) tiled `cols` to a row with `gap`
/// background pixels between them, as RGBA (ink dark on light, or light on dark): (pixels, w, h).
fn tile_digits(imgs: &[f32], cols: usize, gap: usize, dark: bool) -> (Vec<u8>, usize, usize) {
    let n = imgs.len() / 64;
    let cols = cols.max(1);
    let rows = n.div_ceil(cols);
    let (w, h) = (cols * (8 + gap) - gap, (rows * (8 + gap)).saturating_sub(gap));
    let bg = if dark { 0 } else { 255 };
    let mut rgba = vec![bg; w * h * 4];
    for px in rgba.chunks_exact_mut(4) {
        px[3] = 255;
    }
    for (k, img) in imgs.chunks_exact(64).enumerate() {
        let (gi, gj) = (k % cols, k / cols);
        for (p, &v) in img.iter().enumerate() {
            let (x, y) = (gi * (8 + gap) + p % 8, gj * (8 + gap) + p / 8);
            let ink = (v.clamp(0.0, 1.0) * 255.0) as u8;
            let g = if dark { ink } else { 255 - ink };
            rgba[(y * w + x) * 4..(y * w + x) * 4 + 3].copy_from_slice(&[g, g, g]);
        }
    }
    (rgba, w, h)
}

/// Paints tiled digits as large as fits, top left.
fn paint_tiles(ctx: &PlotCtx, imgs: &[f32], cols: usize, gap: usize, centred: bool) {
    let (rgba, w, h) = tile_digits(imgs, cols, gap, is_dark(ctx));
    if w == 0 || h == 0 || imgs.len() < 64 {
        return;
    }
    let scale = (ctx.width as f64 / w as f64).min(ctx.height as f64 / h as f64);
    let x = if centred { (ctx.width as f64 - w as f64 * scale) / 2.0 } else { 0.0 };
    ctx.image(&rgba, w as u32, h as u32, (x, 0.0, w as f64 * scale, h as f64 * scale), false);
}

/// Whether the plot background is dark (ink is then drawn light).
fn is_dark(ctx: &PlotCtx) -> bool {
    let b = ctx.palette.bg;
    (b.0 as u32 + b.1 as u32 + b.2 as u32) < 384
}

/// A digit as eight lines of shading characters, for the text alternative.
fn digit_text(p: &[f32]) -> String {
    const SHADES: [char; 5] = ['·', '░', '▒', '▓', '█'];
    p.chunks_exact(8).map(|row| row.iter().map(|v| SHADES[(v.clamp(0.0, 1.0) * 4.0).round() as usize]).collect::<String>()).collect::<Vec<_>>().join("\n")
}

#[component]
pub fn VaeWidget() -> impl IntoView {
    let url = use_url_state::<VaeState>();
    let state = url.state;
    let data = StoredValue::new_local(None::<Rc<Data>>);
    let load = RwSignal::new(None::<Result<(), String>>);
    leptos::task::spawn_local(async move {
        match fetch_digits().await {
            Ok(d) => {
                let _ = data.try_set_value(Some(Rc::new(Data::new(&d))));
                let _ = load.try_set(Some(Ok(())));
            }
            Err(e) => {
                let _ = load.try_set(Some(Err(e)));
            }
        }
    });
    view! {
        <WidgetFrame meta=META share_query=url.share_query() notices=url.notices>
            {move || match load.get() {
                None => view! { <Loading label="Loading the digits" text="Loading 1,797 handwritten digits (117 KB)…"/> }.into_any(),
                Some(Err(e)) => view! { <p class="error-panel" role="alert">{e}</p> }.into_any(),
                Some(Ok(())) => match data.get_value() {
                    Some(d) => view! { <VaeInner data=d state=state/> }.into_any(),
                    None => view! { <p class="error-panel" role="alert">"The digits could not be read."</p> }.into_any(),
                },
            }}
        </WidgetFrame>
    }
}

#[component]
fn VaeInner(data: Rc<Data>, state: RwSignal<VaeState>) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    let data = StoredValue::new_local(data);
    let make = move || {
        let s = state.get_untracked();
        let vae = Vae::new(64, 2, HIDDEN, s.beta as f32, s.lr as f32, s.seed);
        data.with_value(|d| Trainer::new(vae, d.train.clone(), s.seed))
    };
    let trainer = StoredValue::new_local(make());
    // what the views read, refreshed a few times a second while training
    let version = RwSignal::new(0u64);
    let curve = RwSignal::new(Vec::<Point>::new());
    let latent = StoredValue::new_local(Vec::<f32>::new());
    let knn = RwSignal::new(None::<(f64, f64)>); // (epoch, accuracy)
    let diverged = RwSignal::new(None::<String>);
    let speed = RwSignal::new(0.0f64); // epochs/s
    let clock = TrainClock::new(150.0);
    let prior_seed = RwSignal::new(0u64);
    let pad_cursor = RwSignal::new(0usize);

    // held-out terms, the training codes and the 5-NN accuracy, now
    let measure = move || {
        let (terms, mu, mu_test, epoch) = trainer
            .try_update_value(|t| {
                data.with_value(|d| {
                    let held = t.vae.evaluate(&d.test, 9);
                    let (mu, _) = t.vae.encode(&d.train);
                    let (mu_test, _) = t.vae.encode(&d.test);
                    (held, mu, mu_test, t.epochs)
                })
            })
            .expect("trainer");
        let acc = data.with_value(|d| knn_accuracy(&mu, &d.train_labels, &mu_test, &d.test_labels, 2, 5));
        latent.set_value(mu);
        knn.set(Some((epoch, acc)));
        curve.update(|c| push_thinned(c, Point { epoch, terms }, 400));
        version.update(|v| *v += 1);
    };
    measure();

    let anim = use_animation_loop(root, LoopOptions { autoplay: false, work_per_frame: AS_FAST_AS_POSSIBLE }, move |f: FrameInfo| {
        if diverged.get_untracked().is_some() {
            return;
        }
        let t0 = now_ms();
        let mut bad = None;
        trainer.update_value(|t| {
            f.repeat(|| {
                let terms = t.step();
                let loss = terms.loss(t.vae.beta as f64);
                if !loss.is_finite() || !t.vae.is_finite() || terms.recon > 1e4 {
                    bad = Some((t.vae.steps, loss));
                    return false;
                }
                true
            });
        });
        let due = clock.after_frame(&f, t0, now_ms());
        if let Some((step, loss)) = bad {
            diverged.set(Some(diverged_message(step, loss)));
            return;
        }
        if due {
            measure();
            if clock.seconds() > 0.0 {
                speed.set(trainer.with_value(|t| t.epochs) / clock.seconds());
            }
        }
    });
    Effect::new(move |_| {
        if diverged.get().is_some() {
            anim.pause();
        }
    });

    let reset = move || {
        anim.pause();
        trainer.set_value(make());
        curve.set(Vec::new());
        diverged.set(None);
        clock.reset();
        speed.set(0.0);
        measure();
    };
    // β and the learning rate act from the next step on; a new seed starts over
    Effect::new(move |prev: Option<(f64, f64, u64)>| {
        let s = state.with(|s| (s.beta, s.lr, s.seed));
        if let Some(p) = prev {
            if p.2 != s.2 {
                reset();
            } else {
                trainer.update_value(|t| {
                    t.vae.beta = s.0 as f32;
                    t.vae.set_learning_rate(s.1 as f32);
                });
            }
        }
        s
    });

    let decoded = move || -> Vec<f32> {
        let _ = version.get();
        let z = state.with(|s| s.z);
        trainer.try_update_value(|t| t.vae.decode(&[z.0, z.1])).unwrap_or_default()
    };

    // --- the learner's drawing, encoded ---------------------------------------------------------
    let encoded = move || -> Option<Encoded> {
        let _ = version.get();
        let cells = state.with(|s| s.draw.clone());
        if !cells.iter().any(|&b| b) {
            return None;
        }
        let x: Vec<f32> = cells.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect();
        trainer.try_update_value(|t| {
            let (mu, lv) = t.vae.encode(&x);
            let recon = t.vae.decode(&mu);
            let bce = recon.iter().zip(&x).map(|(&p, &t)| -(t as f64 * (p as f64).max(1e-7).ln() + (1.0 - t as f64) * (1.0 - p as f64).max(1e-7).ln())).sum::<f64>() / 64.0;
            Encoded { mu: (mu[0], mu[1]), sigma: ((0.5 * lv[0]).exp(), (0.5 * lv[1]).exp()), recon, bce }
        })
    };
    // two held-out digits and the decodes between their codes
    let interpolation = move || -> (Vec<f32>, u8, u8) {
        let _ = version.get();
        let (a, b) = state.with(|s| (s.a as usize - 1, s.b as usize - 1));
        data.with_value(|d| {
            let (xa, xb) = (&d.test[a * 64..(a + 1) * 64], &d.test[b * 64..(b + 1) * 64]);
            let imgs = trainer
                .try_update_value(|t| {
                    let (ma, _) = t.vae.encode(xa);
                    let (mb, _) = t.vae.encode(xb);
                    let zs: Vec<f32> = (0..LERP_STEPS)
                        .flat_map(|k| {
                            let u = k as f32 / (LERP_STEPS - 1) as f32;
                            [ma[0] + u * (mb[0] - ma[0]), ma[1] + u * (mb[1] - ma[1])]
                        })
                        .collect();
                    let mut out = xa.to_vec();
                    out.extend(t.vae.decode(&zs));
                    out.extend_from_slice(xb);
                    out
                })
                .unwrap_or_default();
            (imgs, d.test_labels[a], d.test_labels[b])
        })
    };

    // --- the latent plane --------------------------------------------------------------------
    let dragging = StoredValue::new(false);
    let set_z = move |x: f64, y: f64| {
        // fractions of the canvas → z (the plane is square and fills the canvas)
        let e = EXTENT as f64;
        let zx = ((x * 2.0 - 1.0) * e).clamp(-e, e) as f32;
        let zy = ((1.0 - y * 2.0) * e).clamp(-e, e) as f32;
        state.update(|s| s.z = ((zx * 100.0).round() / 100.0, (zy * 100.0).round() / 100.0));
    };
    let on_pointer = Callback::new(move |(phase, x, y): (PointerPhase, f64, f64)| match phase {
        PointerPhase::Down => {
            dragging.set_value(true);
            set_z(x, y);
        }
        PointerPhase::Move if dragging.get_value() => set_z(x, y),
        PointerPhase::Up => dragging.set_value(false),
        _ => {}
    });
    let on_key = Callback::new(move |ev: web_sys::KeyboardEvent| {
        let step = if ev.shift_key() { 1.0 } else { 0.1 };
        let (dx, dy) = match ev.key().as_str() {
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, step),
            "ArrowDown" => (0.0, -step),
            "Home" => {
                ev.prevent_default();
                state.update(|s| s.z = (0.0, 0.0));
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        state.update(|s| {
            let r = |v: f32| (v.clamp(-EXTENT, EXTENT) * 100.0).round() / 100.0;
            s.z = (r(s.z.0 + dx), r(s.z.1 + dy));
        });
    });
    let draw_latent = move |_area: &Area, ctx: &PlotCtx| {
        let _ = version.get();
        let z = state.with(|s| s.z);
        let (w, h) = (ctx.width as f64, ctx.height as f64);
        let size = w.min(h);
        let to_px = |x: f32, y: f32| ((x.clamp(-EXTENT, EXTENT) + EXTENT) as f64 / (2.0 * EXTENT as f64) * size + (w - size) / 2.0, (EXTENT - y.clamp(-EXTENT, EXTENT)) as f64 / (2.0 * EXTENT as f64) * size + (h - size) / 2.0);
        let p = &ctx.palette;
        // the prior's 1σ and 2σ circles
        let centre = to_px(0.0, 0.0);
        let unit = size / (2.0 * EXTENT as f64);
        ctx.dots(&[centre], unit, p.grid, false, ctx.px(1.0));
        ctx.dots(&[centre], 2.0 * unit, p.grid, false, ctx.px(1.0));
        latent.with_value(|mu| {
            data.with_value(|d| {
                for (c, colour) in CLASS.iter().enumerate() {
                    let pts: Vec<(f64, f64)> = mu.chunks_exact(2).zip(&d.train_labels).filter(|(_, &l)| l as usize == c).map(|(m, _)| to_px(m[0], m[1])).collect();
                    ctx.dots(&pts, ctx.px(2.2), *colour, true, 0.0);
                }
            })
        });
        if let Some(e) = encoded() {
            // the drawing's q(z | x): its mean and the 2σ ellipse
            ctx.ellipse(to_px(e.mu.0, e.mu.1), (2.0 * e.sigma.0 as f64 * unit, 2.0 * e.sigma.1 as f64 * unit), p.accent, ctx.px(2.0));
            ctx.dots(&[to_px(e.mu.0, e.mu.1)], ctx.px(3.0), p.accent, true, 0.0);
        }
        let zp = to_px(z.0, z.1);
        ctx.dots(&[zp], ctx.px(8.0), p.fg, false, ctx.px(2.5));
        ctx.dots(&[zp], ctx.px(2.0), p.fg, true, 0.0);
    };
    let latent_label = Signal::derive(move || {
        let z = state.with(|s| s.z);
        let _ = version.get();
        format!(
            "The 2-D latent space: the means μ of {} training digits as dots coloured by class, the prior's 1σ and 2σ circles, and the chosen point z = ({:.2}, {:.2}). Drag or click to move the point, or focus the plane and use the arrow keys (Shift for bigger steps, Home for the centre).",
            data.with_value(|d| d.train_labels.len()),
            z.0,
            z.1
        )
    });
    let class_table = move || {
        let _ = version.get();
        latent.with_value(|mu| {
            data.with_value(|d| {
                (0..10)
                    .map(|c| {
                        let pts: Vec<&[f32]> = mu.chunks_exact(2).zip(&d.train_labels).filter(|(_, &l)| l as usize == c).map(|(m, _)| m).collect();
                        let n = pts.len().max(1) as f32;
                        let (mx, my) = (pts.iter().map(|m| m[0]).sum::<f32>() / n, pts.iter().map(|m| m[1]).sum::<f32>() / n);
                        let sd = (pts.iter().map(|m| (m[0] - mx).powi(2) + (m[1] - my).powi(2)).sum::<f32>() / n).sqrt();
                        view! { <tr><th scope="row">{c}</th><td>{pts.len()}</td><td>{format!("({mx:.2}, {my:.2})")}</td><td>{format!("{sd:.2}")}</td></tr> }
                    })
                    .collect_view()
            })
        })
    };

    // --- decoded views ------------------------------------------------------------------------
    let draw_digit = move |_area: &Area, ctx: &PlotCtx| paint_tiles(ctx, &decoded(), 1, 0, true);
    let draw_grid = move |_area: &Area, ctx: &PlotCtx| {
        let _ = version.get();
        let step = 2.0 * GRID_EXTENT / (GRID - 1) as f32;
        let zs: Vec<f32> = (0..GRID * GRID).flat_map(|k| [-GRID_EXTENT + (k % GRID) as f32 * step, GRID_EXTENT - (k / GRID) as f32 * step]).collect();
        let imgs = trainer.try_update_value(|t| t.vae.decode(&zs)).unwrap_or_default();
        paint_tiles(ctx, &imgs, GRID, 1, true);
    };
    let draw_prior = move |_area: &Area, ctx: &PlotCtx| {
        let _ = version.get();
        let mut z = vec![0.0f32; 2 * PRIOR_SAMPLES];
        Rng::new(state.with(|s| s.seed) ^ 0x9e37 ^ prior_seed.get()).fill_normal(&mut z);
        let imgs = trainer.try_update_value(|t| t.vae.decode(&z)).unwrap_or_default();
        paint_tiles(ctx, &imgs, 8, 1, false);
    };
    let draw_curves = move |area: &Area, ctx: &PlotCtx| {
        curve.with(|c| {
            let neg_elbo: Vec<(f64, f64)> = c.iter().map(|p| (p.epoch, p.terms.recon + p.terms.kl)).collect();
            let recon: Vec<(f64, f64)> = c.iter().map(|p| (p.epoch, p.terms.recon)).collect();
            let kl: Vec<(f64, f64)> = c.iter().map(|p| (p.epoch, p.terms.kl)).collect();
            let x_max = c.last().map_or(1.0, |p| p.epoch).max(1.0);
            let y_max = c.iter().skip(1).map(|p| p.terms.recon + p.terms.kl).filter(|v| v.is_finite()).fold(10.0, f64::max).min(80.0) * 1.05;
            let s = &ctx.palette.series;
            line_chart(area, ctx, "epoch", "nats per digit (held out)", x_max, 0.0..y_max, &[Line { points: &neg_elbo, color: s[0] }, Line { points: &recon, color: s[1] }, Line { points: &kl, color: s[2] }]);
        });
    };
    let curve_label = Signal::derive(move || {
        curve.with(|c| match (c.first(), c.last()) {
            (Some(a), Some(b)) if c.len() > 1 => format!("Chart: on held-out digits, −ELBO {:.1} → {:.1} nats, reconstruction {:.1} → {:.1}, KL {:.2} → {:.2}, over {:.1} epochs", a.terms.recon + a.terms.kl, b.terms.recon + b.terms.kl, a.terms.recon, b.terms.recon, a.terms.kl, b.terms.kl, b.epoch),
            _ => "Chart: −ELBO, reconstruction and KL on held-out digits (not trained yet)".into(),
        })
    });

    let answer = Callback::new(move |()| {
        let s = state.get_untracked();
        let epochs = trainer.with_value(|t| t.epochs);
        if s.beta != 0.0 || epochs < 20.0 {
            return None;
        }
        let (outside, spread) = latent.with_value(|mu| {
            let n = (mu.len() / 2).max(1) as f64;
            let outside = mu.chunks_exact(2).filter(|m| m[0].hypot(m[1]) > 2.0).count() as f64 / n;
            let spread = (mu.chunks_exact(2).map(|m| (m[0] * m[0] + m[1] * m[1]) as f64).sum::<f64>() / n).sqrt();
            (outside, spread)
        });
        let kl = curve.with_untracked(|c| c.last().map_or(0.0, |p| p.terms.kl));
        Some((1, format!(
            "Measured now, after {epochs:.0} epochs at β = 0: {:.0} % of the digits' means lie outside the prior's 2σ circle, their root-mean-square distance from the centre is {spread:.1} (the prior's is 1.4), and the KL term has grown to {kl:.1} nats. Nothing pulls the codes toward N(0, I), so they spread out and leave gaps; samples of the prior land in regions the decoder never learned, and many decode to blurs. Set β back to 1, press Reset and train to compare.",
            100.0 * outside
        )))
    });

    let st = move || state.get();
    let stats = move || {
        let _ = version.get();
        let (steps, epochs) = trainer.with_value(|t| (t.vae.steps, t.epochs));
        let last = curve.with(|c| c.last().map(|p| p.terms));
        let pca = data.with_value(|d| d.pca_knn);
        view! {
            <dl class="stats">
                <div><dt>"Epochs"</dt><dd data-testid="vae-epochs">{format!("{epochs:.1}")}</dd></div>
                <div><dt>"Steps (batches of 64)"</dt><dd>{steps}</dd></div>
                <div><dt>"Held-out −ELBO"</dt><dd data-testid="vae-elbo">{last.map(|t| format!("{:.2} nats", t.recon + t.kl)).unwrap_or_default()}</dd></div>
                <div><dt>"Reconstruction"</dt><dd>{last.map(|t| format!("{:.2}", t.recon)).unwrap_or_default()}</dd></div>
                <div><dt>"KL"</dt><dd>{last.map(|t| format!("{:.2}", t.kl)).unwrap_or_default()}</dd></div>
                <div><dt>"5-NN in the latent"</dt><dd data-testid="vae-knn">{knn.get().map(|(_, a)| format!("{:.1} %", 100.0 * a)).unwrap_or_default()}</dd></div>
                <div><dt>"5-NN on 2-D PCA"</dt><dd data-testid="vae-pca">{format!("{:.1} %", 100.0 * pca)}</dd></div>
                <div><dt>"Speed"</dt><dd>{move || format!("{:.1} epochs/s", speed.get())}</dd></div>
            </dl>
        }
    };
    let set_held = move |ev: leptos::ev::Event, which: u8| {
        if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() {
            let v = v.clamp(1, HELD_OUT as i64);
            state.update(|s| if which == 0 { s.a = v } else { s.b = v });
        }
    };
    let pad_keys = move |ev: web_sys::KeyboardEvent| {
        let c = pad_cursor.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowLeft" if c % 8 > 0 => c - 1,
            "ArrowRight" if c % 8 < 7 => c + 1,
            "ArrowUp" if c >= 8 => c - 8,
            "ArrowDown" if c < 56 => c + 8,
            _ => return,
        };
        ev.prevent_default();
        pad_cursor.set(next);
        if let Some(el) = document().get_element_by_id(&format!("vae-cell-{next}")) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    };
    let encoded_text = move || match encoded() {
        None => "The pad is empty: draw a digit to encode it.".to_owned(),
        Some(e) => {
            let typical = curve.with(|c| c.last().map_or(0.5, |p| p.terms.recon / 64.0));
            let fit = if e.bce > 2.0 * typical + 0.1 {
                format!("The decoder rebuilds it poorly ({:.2} nats per pixel; held-out digits average {typical:.2}): the drawing is unlike the digits this model learned, or the model has not trained enough.", e.bce)
            } else {
                format!("Rebuilt with {:.2} nats per pixel (held-out digits average {typical:.2}).", e.bce)
            };
            format!("q(z | your digit): μ = ({:.2}, {:.2}), σ = ({:.2}, {:.2}). {fit}", e.mu.0, e.mu.1, e.sigma.0, e.sigma.1)
        }
    };

    view! {
        <div class="vae" node_ref=root>
            <p class="muted">
                "Encoder 64 → 128 → (μ, log σ²) in 2 dimensions; decoder 2 → 128 → 64 pixel probabilities; ReLU units, Adam, "
                "batches of 64, on 1,437 of the digits (the other 360 are held out). Everything is computed in your browser; "
                "a toy next to image models, but the same objective."
            </p>
            <div class="controls-row">
                <LoopControls anim=anim play_label="Train" step_label="One step"/>
                <button type="button" class="btn" on:click=move |_| reset()>"Reset"</button>
                <label class="field slider" for="vae-beta">
                    <span>{move || format!("β (weight of the KL term) = {:.1}{}", st().beta, if st().beta == 0.0 { " — a plain autoencoder" } else { "" })}</span>
                    <input id="vae-beta" type="range" min="0" max="4" step="0.1" prop:value=move || st().beta.to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|s| s.beta = (v.clamp(0.0, 4.0) * 10.0).round() / 10.0) } }/>
                </label>
                <label class="field" for="vae-lr">
                    <span>"Learning rate"</span>
                    <select id="vae-lr" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<f64>() { state.update(|s| s.lr = v) } }>
                        {move || { let cur = st().lr; let mut o = LRS.to_vec(); if !o.iter().any(|v| (v - cur).abs() < 1e-12) { o.push(cur); }
                            o.into_iter().map(|v| view! { <option value=v.to_string() selected=(v - cur).abs() < 1e-12>{format!("{v}")}</option> }).collect_view() }}
                    </select>
                </label>
                {seed_field(state, "vae-seed", |s| s.seed, |s, v| s.seed = v)}
            </div>
            {move || diverged.get().map(|m| view! { <div class="error-panel" role="alert">{m}" "<button type="button" class="btn btn-small" on:click=move |_| reset()>"Reset the run"</button></div> })}
            {stats}
            <div class="gan-grid">
                <PlotCanvas label=latent_label aspect=1.0 draw=draw_latent on_pointer=on_pointer pointer_active=Signal::derive(|| true) on_key=on_key alt_title="Show the classes as a table">
                    <table class="data-table">
                        <caption>"Where each digit class sits in the latent: count, mean of μ, spread"</caption>
                        <thead><tr><th scope="col">"Digit"</th><th scope="col">"Training digits"</th><th scope="col">"Mean position"</th><th scope="col">"Spread (RMS)"</th></tr></thead>
                        <tbody>{class_table}</tbody>
                    </table>
                </PlotCanvas>
                <div>
                    <h3 class="small-heading">{move || { let z = st().z; format!("Decoded at z = ({:.2}, {:.2})", z.0, z.1) }}</h3>
                    <div class="vae-digit">
                        <PlotCanvas label=Signal::derive(move || { let z = st().z; format!("The digit the decoder makes from z = ({:.2}, {:.2}), 8 × 8 pixels", z.0, z.1) }) aspect=1.0 draw=draw_digit alt_title="Show the pixels as text">
                            <pre data-testid="vae-decoded">{move || digit_text(&decoded())}</pre>
                        </PlotCanvas>
                    </div>
                    <ul class="vae-legend" aria-label="Class colours">
                        {CLASS.iter().enumerate().map(|(c, col)| view! { <li><span class="swatch" style=format!("background: rgb({},{},{})", col.0, col.1, col.2)></span>{c}</li> }).collect_view()}
                    </ul>
                </div>
            </div>
            <div class="gan-grid">
                <div>
                    <h3 class="small-heading">"The decoded latent: a 12 × 12 grid over z ∈ [−2, 2]²"</h3>
                    <PlotCanvas label=Signal::derive(|| "The decoder's output for a 12 × 12 grid of latent points from (−2, 2) at the top left to (2, −2) at the bottom right, where the prior puts 91 % of its mass".to_owned()) aspect=1.0 draw=draw_grid alt_title="What this shows">
                        <p>"Each tile is the decoder's image for one grid point. Where the tiles change smoothly the latent is continuous; where they blur, no training digit was coded nearby."</p>
                    </PlotCanvas>
                </div>
                <div>
                    <h3 class="small-heading">"Samples from the prior: z ~ N(0, I), decoded"</h3>
                    <PlotCanvas label=Signal::derive(move || format!("{PRIOR_SAMPLES} digits decoded from random draws of the prior")) aspect=0.25 draw=draw_prior alt_title="What this shows">
                        <p>"Sixteen latent points drawn from a standard normal distribution and decoded. With β = 1 most look like digits; with β = 0 many fall between the clusters and come out blurred."</p>
                    </PlotCanvas>
                    <button type="button" class="btn btn-small" on:click=move |_| prior_seed.update(|s| *s += 1)>"New samples"</button>
                    <h3 class="small-heading">"Training curves (held-out digits)"</h3>
                    <PlotCanvas label=curve_label aspect=0.62 draw=draw_curves alt_title="Show the curve as a table">
                        <table class="data-table">
                            <caption>"−ELBO, reconstruction and KL on the held-out digits (nats per digit)"</caption>
                            <thead><tr><th scope="col">"Epoch"</th><th scope="col">"−ELBO"</th><th scope="col">"Reconstruction"</th><th scope="col">"KL"</th></tr></thead>
                            <tbody>{move || curve.with(|c| { let k = (c.len() / 12).max(1); c.iter().enumerate().filter(|(i, _)| i % k == 0 || *i + 1 == c.len()).map(|(_, p)| view! { <tr><td>{format!("{:.1}", p.epoch)}</td><td>{format!("{:.2}", p.terms.recon + p.terms.kl)}</td><td>{format!("{:.2}", p.terms.recon)}</td><td>{format!("{:.2}", p.terms.kl)}</td></tr> }).collect_view() })}</tbody>
                        </table>
                    </PlotCanvas>
                    <p class="muted">"Blue: −ELBO (lower is better); orange: reconstruction; green: KL to the prior."</p>
                </div>
            </div>
            <h3 class="small-heading">"Encode your own digit"</h3>
            <p class="muted">"Draw on the 8 × 8 pad (click or tap a cell; or focus it, move with the arrow keys and press Space). The encoder turns the drawing into a Gaussian in the latent — the blue ring on the plane above shows its mean and 2σ — and the decoder rebuilds it from the mean."</p>
            <div class="vae-draw">
                <div class="vae-pad" role="group" aria-label="Your digit, 8 by 8 cells" data-lesson-group="Drawing pad" on:keydown=pad_keys>
                    {(0..64usize).map(|i| view! {
                        <button type="button" id=format!("vae-cell-{i}") class="vae-cell" class:on=move || state.with(|s| s.draw[i])
                            aria-pressed=move || state.with(|s| s.draw[i]).to_string()
                            aria-label=format!("row {}, column {}", i / 8 + 1, i % 8 + 1)
                            tabindex=move || if pad_cursor.get() == i { "0" } else { "-1" }
                            on:focus=move |_| pad_cursor.set(i)
                            on:click=move |_| { pad_cursor.set(i); state.update(|s| s.draw[i] = !s.draw[i]) }></button>
                    }).collect_view()}
                </div>
                <div>
                    <div class="controls-row">
                        <button type="button" class="btn btn-small" on:click=move |_| state.update(|s| s.draw = vec![false; 64])>"Clear the pad"</button>
                        <button type="button" class="btn btn-small" on:click=move |_| {
                            let a = state.get_untracked().a as usize - 1;
                            let cells: Vec<bool> = data.with_value(|d| d.test[a * 64..(a + 1) * 64].iter().map(|&v| v > 0.4).collect());
                            state.update(|s| s.draw = cells);
                        }>{move || format!("Copy held-out digit #{}", st().a)}</button>
                    </div>
                    <p role="status" data-testid="vae-encoded">{encoded_text}</p>
                    <div class="vae-digit">
                        <PlotCanvas label=Signal::derive(move || if encoded().is_some() { "The decoder's rebuild of your digit from its mean code".to_owned() } else { "No drawing to rebuild".to_owned() }) aspect=1.0 draw=move |_area: &Area, ctx: &PlotCtx| {
                            if let Some(e) = encoded() {
                                paint_tiles(ctx, &e.recon, 1, 0, true);
                            }
                        } alt_title="Show the rebuild as text">
                            <pre>{move || encoded().map(|e| digit_text(&e.recon)).unwrap_or_default()}</pre>
                        </PlotCanvas>
                    </div>
                </div>
            </div>
            <h3 class="small-heading">"Walk between two digits"</h3>
            <div class="controls-row">
                <label class="field" for="vae-a"><span>"From held-out digit #"</span>
                    <input id="vae-a" type="number" min="1" max=HELD_OUT.to_string() prop:value=move || st().a.to_string() on:change=move |ev| set_held(ev, 0)/></label>
                <label class="field" for="vae-b"><span>"to held-out digit #"</span>
                    <input id="vae-b" type="number" min="1" max=HELD_OUT.to_string() prop:value=move || st().b.to_string() on:change=move |ev| set_held(ev, 1)/></label>
            </div>
            <PlotCanvas label=Signal::derive(move || { let (_, la, lb) = interpolation(); format!("Held-out digit #{} (a {la}), ten images decoded along the straight line between the two codes, and held-out digit #{} (a {lb})", st().a, st().b) }) aspect=0.09 draw=move |_area: &Area, ctx: &PlotCtx| {
                let (imgs, _, _) = interpolation();
                paint_tiles(ctx, &imgs, LERP_STEPS + 2, 1, false);
            } alt_title="What this shows">
                <p>"The first and last tiles are the real digits; between them, the decoder's images of evenly spaced points on the line joining their mean codes. In a VAE's latent the path passes through plausible digits; at β = 0 it may cross blurred gaps."</p>
            </PlotCanvas>
            <Checkpoint
                id="vae-cp"
                question="Set β to 0 (no KL term), press Reset and train for 20 epochs. Compared with β = 1, where do the digits' codes end up?".to_owned()
                options=vec![
                    "About the same place: the KL term only adds a constant".to_owned(),
                    "Spread far beyond the prior's circles, with gaps between the classes".to_owned(),
                    "All on one point in the centre".to_owned(),
                ]
                answer=answer
                waiting_text="Set β to 0, press Reset and train for at least 20 epochs first; the answer is measured on that run."
            />
        </div>
    }
}
