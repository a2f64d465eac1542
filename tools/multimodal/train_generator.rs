//! Trains the Multimodal section's text → image generator with the app's own Rust core and writes it.
//!
//!     cargo run --release -p genai-core --example train_generator -- [steps] [seed]
//!
//! 1. Trains the CLIP-style model of the page (`clip::Clip::standard`, seed `generator::CLIP_SEED`,
//!    `generator::CLIP_STEPS` steps) on the training split, and rounds its towers to bfloat16 as shipped.
//! 2. Embeds every icon's caption with that text tower: one unit 32-d vector per icon.
//! 3. Trains a noise-predicting MLP on all 1,036 icons conditioned on those vectors (dropped 10 % of
//!    the time, for classifier-free guidance), Adam with the digit denoiser's schedule.
//! 4. Writes `public/multimodal/generator.bin` (GEN1: the two towers and the denoiser, bfloat16) and
//!    `generator.json` (settings and the measurements printed here).
//!
//! Resumable: every 2,000 steps the denoiser's weights and the step are saved to
//! `target/generator-checkpoint.bin`; a rerun with the same arguments continues from there (Adam's
//! moments restart, so a resumed run is not bit-identical to an uninterrupted one). Delete the
//! checkpoint to start over.

use genai_core::clip::{generator, Clip, Dataset, Vocabulary};
use genai_core::diffusion::{nearest_item, Icons};
use genai_core::embed::Table;
use genai_core::nn::Mlp;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let steps: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(40_000);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public");
    let read = |p: &str| std::fs::read(format!("{root}/{p}")).unwrap_or_else(|e| panic!("{p}: {e}"));
    let table = Table::from_emb1(&read("multimodal/words.bin")).expect("words.bin");
    let words = String::from_utf8(read("multimodal/words.txt")).unwrap().lines().map(str::to_owned).collect();
    let vocab = Vocabulary::new(table, words).expect("vocabulary");
    let icons = Icons::from_icn1(&read("diffusion/icons.bin")).expect("icons.bin");
    let data = Dataset::new(&icons, &vocab).expect("pairs");

    // 1. the CLIP model, its towers as shipped (bfloat16)
    let mut clip = Clip::standard(&data, generator::CLIP_SEED);
    for _ in 0..generator::CLIP_STEPS {
        clip.step(&data);
    }
    let r = clip.test_recall(&data, 5);
    println!("CLIP seed {}, {} steps: held-out recall@5 {:.3} / {:.3} (chance {:.3})", generator::CLIP_SEED, generator::CLIP_STEPS, r.image_to_text, r.text_to_image, r.chance);
    let mut text = Mlp::from_bytes(&clip.text.to_bytes()).unwrap();
    let image = Mlp::from_bytes(&clip.image.to_bytes()).unwrap();
    let embed = |net: &mut Mlp, x: &[f32]| {
        let z = net.forward(x).to_vec();
        let mut y = Vec::new();
        genai_core::clip::normalize_rows(&z, genai_core::clip::DIM, &mut y);
        y
    };
    // 2. one caption vector per icon
    let conds = embed(&mut text, &data.text);

    // 3. the conditional denoiser, resumed from a checkpoint if there is one
    let ckpt = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/generator-checkpoint.bin");
    let (net, start) = match std::fs::read(ckpt) {
        Ok(b) if b.len() > 16 && u64::from_le_bytes(b[..8].try_into().unwrap()) == steps ^ seed.rotate_left(32) => {
            let at = u64::from_le_bytes(b[8..16].try_into().unwrap());
            println!("resuming at step {at} from {ckpt}");
            (Some(Mlp::from_bytes(&b[16..]).expect("checkpoint")), at)
        }
        _ => (None, 0),
    };
    let mut model = generator::model(net, data.images.clone(), conds.clone(), seed).expect("model");
    println!("{} parameters, {} icons, steps {start} → {steps}", model.net.n_params(), data.len());
    let started = Instant::now();
    let mut recent = 0.0f64;
    let mut last_loss = f64::NAN;
    for step in start + 1..=steps {
        model.set_learning_rate(genai_core::diffusion::digit_model::learning_rate(step, steps));
        recent += model.train_step() as f64;
        if step % 1000 == 0 {
            last_loss = recent / 1000.0;
            recent = 0.0;
            println!("step {step:>6}  loss {last_loss:.4}  {:.0} s", started.elapsed().as_secs_f64());
        }
        if step % 2000 == 0 {
            let mut b = (steps ^ seed.rotate_left(32)).to_le_bytes().to_vec();
            b.extend(step.to_le_bytes());
            b.extend(model.net.to_bytes());
            std::fs::write(ckpt, b).expect("checkpoint");
        }
    }
    let seconds = started.elapsed().as_secs_f64();

    // 4. write, then measure the shipped file
    let bytes = generator::to_bytes(&text, &image, &model.net);
    std::fs::write(format!("{root}/multimodal/generator.bin"), &bytes).unwrap();
    let mut g = generator::Generator::from_bytes(&bytes, data.pixels).expect("reads back");
    // For every 8th icon: 2 samples from its caption (guidance 3, 50 DDIM steps). How close is each to
    // the nearest training icon (memorisation), and is the sample nearer its own caption than the
    // other captions (CLIP score rank among all captions)?
    let caption_vectors = conds.clone();
    let (mut top5, mut total, mut dists) = (0, 0, Vec::new());
    for i in (0..data.len()).step_by(8) {
        let v = caption_vectors[i * 32..(i + 1) * 32].to_vec();
        let xs = g.sample(Some(&v), 2, 50, 3.0, seed + i as u64);
        let u = g.embed_images(&xs);
        for (k, x) in xs.chunks_exact(data.pixels).enumerate() {
            dists.push(nearest_item(&data.images, data.pixels, x).unwrap().1);
            let scores = genai_core::clip::similarity(&u[k * 32..(k + 1) * 32], &caption_vectors, 1, 32);
            let rank = scores.iter().filter(|&&s| s > scores[i]).count();
            total += 1;
            if rank < 5 {
                top5 += 1;
            }
        }
    }
    dists.sort_by(|a, b| a.total_cmp(b));
    let median = dists[dists.len() / 2];
    let gap = genai_core::diffusion::median_nearest_other(&data.images, data.pixels, 8).unwrap();
    println!("samples: own caption in the CLIP top 5 of 1,036 for {top5} of {total}; distance to the nearest training icon median {median:.2} (icons' median nearest other {gap:.2})");
    for prompt in ["heart", "arrow up", "cloud", "battery", "user"] {
        let v = g.condition(&vocab, prompt).unwrap();
        let xs = g.sample(Some(&v), 1, 50, 3.0, seed);
        println!("{prompt}:");
        for row in xs.chunks(24) {
            println!("  {}", row.iter().map(|&p| if p > 0.0 { '#' } else { '.' }).collect::<String>());
        }
    }
    let json = format!(
        "{{\n  \"what\": \"text-conditioned denoising MLP (predicts the clean icon) for the 24x24 icons plus the CLIP towers it is conditioned through, trained by tools/multimodal/train_generator.rs\",\n  \"format\": \"GEN1: magic, then three (u32 length, MLP1 bfloat16) blobs: text projection 384->32, image encoder 576->128->32, denoiser\",\n  \"clip\": {{\"seed\": {}, \"steps\": {}, \"held_out_recall_at_5\": [{:.4}, {:.4}], \"chance\": {:.4}}},\n  \"layers\": [{}, {}, {}],\n  \"parameters\": {},\n  \"steps\": {steps},\n  \"seed\": {seed},\n  \"batch\": {},\n  \"guidance_dropout\": 0.1,\n  \"learning_rate\": \"0.002 for the first half, then a linear decay to 1e-5\",\n  \"final_loss\": {last_loss:.4},\n  \"seconds\": {seconds:.0},\n  \"samples_own_caption_in_clip_top5\": \"{top5} of {total} (every 8th icon, 2 samples each, guidance 3, 50 DDIM steps)\",\n  \"median_nearest_training_icon\": {median:.3},\n  \"training_median_nearest_other\": {gap:.3},\n  \"bytes\": {}\n}}\n",
        generator::CLIP_SEED, generator::CLIP_STEPS, r.image_to_text, r.text_to_image, r.chance,
        generator::HIDDEN[0], generator::HIDDEN[1], data.pixels, model.net.n_params(), generator::BATCH, bytes.len()
    );
    std::fs::write(format!("{root}/multimodal/generator.json"), json).unwrap();
    let _ = std::fs::remove_file(ckpt);
    println!("wrote {} bytes", bytes.len());
}
