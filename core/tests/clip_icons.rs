//! The contrastive image–text model on the shipped data: the 1,036 pixelarticons with their names
//! as captions and the frozen MiniLM word vectors of tools/multimodal/prepare.py.

use genai_core::clip::{Clip, Dataset, Vocabulary};
use genai_core::diffusion::Icons;
use genai_core::embed::Table;

fn read(rel: &str) -> Vec<u8> {
    let path = format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn dataset() -> (Vocabulary, Dataset) {
    let table = Table::from_emb1(&read("../public/multimodal/words.bin")).expect("words.bin parses");
    let words = String::from_utf8(read("../public/multimodal/words.txt")).unwrap().lines().map(str::to_owned).collect();
    let vocab = Vocabulary::new(table, words).expect("one word per vector");
    let icons = Icons::from_icn1(&read("../public/diffusion/icons.bin")).expect("icons.bin parses");
    let data = Dataset::new(&icons, &vocab).expect("every caption word has a vector");
    (vocab, data)
}

#[test]
fn split_keeps_sharp_twins_together() {
    let (_, data) = dataset();
    assert_eq!(data.len(), 1036);
    assert_eq!(data.train.len() + data.test.len(), 1036);
    let test: std::collections::HashSet<&str> = data.test.iter().map(|&i| data.names[i].as_str()).collect();
    for &i in &data.train {
        let base = data.names[i].strip_suffix("-sharp").unwrap_or(&data.names[i]);
        assert!(!test.contains(base) && !test.contains(format!("{base}-sharp").as_str()), "{} leaks", data.names[i]);
    }
    println!("train {} test {}", data.train.len(), data.test.len());
}

/// Seed 1, 500 steps of batch 64 (≈ 1 s natively): held-out recall@5 was 36.1 % image → caption
/// and 33.2 % caption → image against 2.4 % by chance when this test was written; asserted: both
/// directions at least 5 × chance. Before training both are at chance level (≤ 2 × chance).
#[test]
fn held_out_recall_beats_chance() {
    let (_, data) = dataset();
    let mut clip = Clip::standard(&data, 1);
    let before = clip.test_recall(&data, 5);
    assert!(before.mean() <= 2.0 * before.chance, "untrained: {before:?}");
    let mut first = 0.0;
    let mut last = 0.0;
    for s in 0..500 {
        let loss = clip.step(&data).loss;
        if s == 0 {
            first = loss;
        }
        last = loss;
    }
    let after = clip.test_recall(&data, 5);
    println!("loss {first:.3} → {last:.3}, scale {:.1}; before {before:?}; after {after:?}", clip.scale());
    assert!(last < first / 4.0, "the loss falls: {first} → {last}");
    assert!(after.image_to_text >= 5.0 * after.chance && after.text_to_image >= 5.0 * after.chance, "{after:?}");
}

/// The frozen text side reads words no caption uses (the point of borrowing a sentence model).
#[test]
fn vocabulary_covers_common_words() {
    let (vocab, _) = dataset();
    for w in ["cat", "dog", "money", "weather", "red"] {
        assert!(vocab.contains(w), "{w}");
    }
}

/// The shipped text → image generator (tools/multimodal/train_generator.rs): it reads back, a
/// damaged file is an error, and guidance pulls its pictures toward the words — measured as the
/// cosine of each picture with the prompt in the generator's own CLIP space, for several prompts.
#[test]
fn shipped_generator_follows_the_words() {
    use genai_core::clip::generator::Generator;
    let (vocab, data) = dataset();
    let bytes = read("../public/multimodal/generator.bin");
    assert!(Generator::from_bytes(&bytes[..bytes.len() / 2], 576).is_err());
    assert!(Generator::from_bytes(b"GEN0", 576).is_err());
    let mut g = Generator::from_bytes(&bytes, 576).expect("generator.bin reads");
    let mut gain = Vec::new();
    for prompt in ["heart", "arrow up", "cloud", "battery", "user", "music"] {
        let v = g.condition(&vocab, prompt).expect("known words");
        let mean_cos = |g: &mut Generator, w: f32| {
            let xs = g.sample(Some(&v), 4, 25, w, 7);
            let u = g.embed_images(&xs);
            genai_core::clip::similarity(&u, &v, 4, 32).iter().sum::<f32>() / 4.0
        };
        let (free, guided) = (mean_cos(&mut g, 0.0), mean_cos(&mut g, 3.0));
        println!("{prompt}: cosine with the words, w = 0: {free:.3}, w = 3: {guided:.3}");
        gain.push(guided - free);
    }
    assert!(gain.iter().all(|&d| d > 0.1), "guidance raises every prompt's cosine: {gain:?}");
    assert_eq!(data.pixels, 576);
}
