//! The transformer's logits equal an independent numpy forward pass of the same weights
//! (fixture written by tools/lm/reference.py), and KV-cache generation gives the same numbers.

use genai_core::gpt::{self, KvCache, Workspace};

fn numbers(s: &str) -> Vec<f64> {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == 'E'))
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap())
        .collect()
}

#[test]
fn logits_equal_the_numpy_reference() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gpt");
    let model = gpt::from_bytes(&std::fs::read(format!("{dir}/tiny.bin")).unwrap()).unwrap();
    let json = std::fs::read_to_string(format!("{dir}/tiny.json")).unwrap();
    let tok_at = json.find("\"tokens\"").unwrap();
    let log_at = json.find("\"logits\"").unwrap();
    let tokens: Vec<u32> = numbers(&json[tok_at + 8..log_at]).into_iter().map(|x| x as u32).collect();
    let expected = numbers(&json[log_at + 8..]);
    let (t, v) = (tokens.len(), model.cfg.vocab);
    assert_eq!(expected.len(), t * v);
    // full forward: probabilities, so compare log-softmax of the reference
    let mut ws = Workspace::new();
    ws.forward(&model, &tokens, None, 1, t);
    let mut cache = KvCache::new(&model.cfg);
    let mut logits = vec![0.0f32; v];
    let mut worst = 0.0f64;
    for i in 0..t {
        let row = &expected[i * v..(i + 1) * v];
        model.step(&mut cache, tokens[i], &mut logits);
        for j in 0..v {
            worst = worst.max((logits[j] as f64 - row[j]).abs());
        }
        let m = row.iter().cloned().fold(f64::MIN, f64::max);
        let z: f64 = row.iter().map(|x| (x - m).exp()).sum();
        for j in 0..v {
            let p = (row[j] - m).exp() / z;
            assert!((ws.probs[i * v + j] as f64 - p).abs() < 1e-5, "position {i}, token {j}");
        }
    }
    assert!(worst <= 1e-4, "largest logit difference {worst}");
}
