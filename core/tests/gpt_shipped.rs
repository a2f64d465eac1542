//! The shipped language model (public/lm/): the files load, belong together, and the validation
//! loss the pre-training script recorded in the manifest is what these weights give on the
//! held-out end of Moby Dick (which ships in public/tokens/ for the Tokens section).

use genai_core::gpt::{self, tokenizer::Tokenizer, Workspace};

fn number_after(json: &str, key: &str) -> f64 {
    let at = json.find(&format!("\"{key}\"")).unwrap_or_else(|| panic!("no {key} in the manifest")) + key.len() + 2;
    let rest = json[at..].trim_start_matches([':', ' ']);
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap();
    rest[..end].parse().unwrap()
}

#[test]
fn the_shipped_model_matches_its_manifest_on_held_out_moby_dick() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public");
    let tok = Tokenizer::from_binary(&std::fs::read(format!("{root}/lm/tokenizer.bpe")).unwrap()).unwrap();
    let model = gpt::from_bytes(&std::fs::read(format!("{root}/lm/model.bin")).unwrap()).unwrap();
    let manifest = std::fs::read_to_string(format!("{root}/lm/manifest.json")).unwrap();
    assert_eq!(model.cfg.vocab, tok.vocab_size());
    assert_eq!(model.cfg.n_params() as f64, number_after(&manifest, "params"));
    let recorded = number_after(&manifest, "moby_dick");
    // the held-out slice: Moby Dick from the paragraph at 95 % (split.json of tools/lm/prepare_corpus.mjs)
    let book = std::fs::read_to_string(format!("{root}/tokens/moby-dick.txt")).unwrap().replace("\r\n", "\n");
    let book = book.trim();
    let from = book.char_indices().nth(1_131_726).unwrap().0;
    let ids = tok.encode(&book[from..]);
    let ctx = model.cfg.ctx;
    let mut ws = Workspace::new();
    let windows = ((ids.len() - 1) / ctx).min(32);
    let loss: f64 = (0..windows).map(|k| ws.forward(&model, &ids[k * ctx..(k + 1) * ctx], Some(&ids[k * ctx + 1..(k + 1) * ctx + 1]), 1, ctx) as f64).sum::<f64>() / windows as f64;
    assert!((loss - recorded).abs() < 2e-3, "recomputed {loss:.4}, manifest {recorded:.4}");
    // far better than a uniform guess over the vocabulary (ln V)
    assert!(loss < (model.cfg.vocab as f64).ln() - 2.0, "{loss}");
}
