use super::*;

fn tiny() -> Config {
    Config { vocab: 11, ctx: 6, d: 8, layers: 2, heads: 2 }
}

/// A model whose biases and gains are not at their initial 0 / 1, so their gradients are tested too.
fn shaken(cfg: Config, seed: u64) -> Gpt {
    let mut m = Gpt::new(cfg, seed).unwrap();
    let mut rng = Rng::new(seed + 1);
    let mut noise = vec![0.0; m.params.len()];
    rng.fill_normal(&mut noise);
    for (p, n) in m.params.iter_mut().zip(noise) {
        *p += 0.1 * n;
    }
    m
}

#[test]
fn tensors_tile_the_parameter_vector() {
    let cfg = tiny();
    let mut at = 0;
    for t in cfg.tensors() {
        assert_eq!(t.offset, at, "{}", t.name);
        at += t.len();
    }
    assert_eq!(at, cfg.n_params());
    // V·d + T·d + L(12d² + 13d) + 2d
    assert_eq!(cfg.n_params(), 11 * 8 + 6 * 8 + 2 * (12 * 64 + 13 * 8) + 16);
}

#[test]
fn every_parameter_gradient_matches_finite_differences() {
    let cfg = tiny();
    let model = shaken(cfg, 3);
    let (b, t) = (2, 5);
    let tokens: Vec<u32> = (0..b * t).map(|i| ((i * 7 + 3) % cfg.vocab) as u32).collect();
    let mut targets: Vec<u32> = (0..b * t).map(|i| ((i * 5 + 1) % cfg.vocab) as u32).collect();
    targets[3] = IGNORE; // ignored positions must not contribute
    let mut ws = Workspace::new();
    ws.forward(&model, &tokens, Some(&targets), b, t);
    ws.zero_grad();
    let n = ws.counted();
    ws.backward(&model, n);
    let analytic = ws.grads.clone();
    let loss_at = |m: &Gpt| {
        let mut w = Workspace::new();
        w.forward(m, &tokens, Some(&targets), b, t) as f64
    };
    let mut rng = Rng::new(9);
    for tensor in cfg.tensors() {
        // a handful of entries per tensor (all of the small ones)
        let picks: Vec<usize> = if tensor.len() <= 16 { tensor.range().collect() } else { (0..12).map(|_| tensor.offset + rng.below(tensor.len() as u64) as usize).collect() };
        let mut worst = 0.0f64;
        for i in picks {
            let h = 1e-2f32;
            let mut plus = model.clone();
            plus.params[i] += h;
            let mut minus = model.clone();
            minus.params[i] -= h;
            let fd = (loss_at(&plus) - loss_at(&minus)) / (2.0 * h as f64);
            let an = analytic[i] as f64;
            let err = (fd - an).abs() / (1e-3 + an.abs().max(fd.abs()));
            worst = worst.max(err);
            assert!(err < 0.03, "{} entry {}: analytic {an:.6}, finite differences {fd:.6}", tensor.name, i - tensor.offset);
        }
        assert!(worst.is_finite());
    }
}

#[test]
fn kv_cache_generation_equals_full_recomputation() {
    let cfg = tiny();
    let model = shaken(cfg, 5);
    let tokens: Vec<u32> = vec![3, 1, 4, 1, 5, 9];
    let mut ws = Workspace::new();
    ws.forward(&model, &tokens, None, 1, tokens.len());
    let mut cache = KvCache::new(&cfg);
    let mut logits = vec![0.0; cfg.vocab];
    for (i, &tok) in tokens.iter().enumerate() {
        model.step(&mut cache, tok, &mut logits);
        let mut p = logits.clone();
        softmax(&mut p);
        for (a, b) in p.iter().zip(&ws.probs[i * cfg.vocab..(i + 1) * cfg.vocab]) {
            assert!((a - b).abs() < 1e-6, "position {i}: {a} vs {b}");
        }
        // the recorded attention rows are distributions over the tokens so far
        for row in cache.last_attention.chunks(i + 1) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
        assert_eq!(cache.last_stream.len(), (cfg.layers + 1) * cfg.d);
    }
    // the attention the full pass stored agrees with the cache's for the last token
    let (h, t) = (cfg.heads, tokens.len());
    for l in 0..cfg.layers {
        for hi in 0..h {
            let full = &ws.att[l][(hi * t + t - 1) * t..][..t];
            let cached = &cache.last_attention[(l * h + hi) * t..][..t];
            for (a, b) in full.iter().zip(cached) {
                assert!((a - b).abs() < 1e-6);
            }
        }
    }
}

#[test]
fn prefill_gives_the_same_bits_as_one_step_per_token() {
    // d = 16 and 9 tokens: the four-row matrix products and the leftover rows both run
    let cfg = Config { vocab: 13, ctx: 12, d: 16, layers: 2, heads: 2 };
    let model = shaken(cfg, 8);
    let tokens: Vec<u32> = vec![3, 1, 4, 1, 5, 9, 2, 6, 5];
    let mut stepped = KvCache::new(&cfg);
    let mut logits = vec![0.0; cfg.vocab];
    for &tok in &tokens {
        model.step(&mut stepped, tok, &mut logits);
    }
    let mut filled = KvCache::new(&cfg);
    assert_eq!(model.prefill(&mut filled, &tokens), logits);
    assert_eq!(filled.len, tokens.len());
    assert_eq!(filled.last_attention, stepped.last_attention);
    assert_eq!(filled.last_stream, stepped.last_stream);
    // and generation goes on from the filled cache exactly as from the stepped one
    let (mut a, mut b) = (vec![0.0; cfg.vocab], vec![0.0; cfg.vocab]);
    model.step(&mut stepped, 7, &mut a);
    model.step(&mut filled, 7, &mut b);
    assert_eq!(a, b);
    // an empty prompt gives no logits; a prompt past the context is cut to it
    assert!(model.prefill(&mut filled, &[]).is_empty());
    let long: Vec<u32> = (0..20).map(|i| i % 13).collect();
    model.prefill(&mut filled, &long);
    assert_eq!(filled.len, cfg.ctx);
}

#[test]
fn a_tiny_repeated_text_is_memorised() {
    let cfg = Config { vocab: 8, ctx: 16, d: 16, layers: 1, heads: 2 };
    let mut model = Gpt::new(cfg, 1).unwrap();
    let text: Vec<u32> = [1, 2, 3, 4, 5, 6, 7, 0].iter().cycle().take(17).copied().collect();
    let (x, y) = (&text[..16], &text[1..17]);
    let mut opt = AdamW::new(1e-2, 300);
    opt.weight_decay = 0.0;
    let mut ws = Workspace::new();
    let first = ws.forward(&model, x, Some(y), 1, 16);
    let mut loss = first;
    for _ in 0..300 {
        loss = ws.forward(&model, x, Some(y), 1, 16);
        ws.zero_grad();
        ws.backward(&model, ws.counted());
        let g = ws.grads.clone();
        opt.step(&mut model, &g);
    }
    assert!(first > 1.8, "starts near ln 8 = 2.08: {first}");
    assert!(loss < 0.02, "memorised: {loss}");
}

#[test]
fn training_is_deterministic_for_a_seed() {
    let run = || {
        let cfg = tiny();
        let mut model = Gpt::new(cfg, 42).unwrap();
        let mut opt = AdamW::new(3e-3, 20);
        let mut ws = Workspace::new();
        let tokens: Vec<u32> = (0..12).map(|i| (i * 3 % 11) as u32).collect();
        for _ in 0..5 {
            ws.forward(&model, &tokens[..10], Some(&tokens[2..12]), 2, 5);
            ws.zero_grad();
            ws.backward(&model, ws.counted());
            let g = ws.grads.clone();
            opt.step(&mut model, &g);
        }
        model.params
    };
    assert_eq!(run(), run());
}

#[test]
fn learning_rate_warms_up_then_decays_to_the_floor() {
    let opt = AdamW::new(1e-3, 1000);
    assert!(opt.rate(0) < opt.rate(opt.warmup - 1));
    assert!((opt.rate(opt.warmup) - 1e-3).abs() < 1e-6);
    assert!((opt.rate(1000) - 1e-4).abs() < 1e-9);
    assert!(opt.rate(600) < opt.rate(300));
}

#[test]
fn clipping_bounds_the_update_of_a_huge_gradient() {
    let cfg = tiny();
    let mut model = Gpt::new(cfg, 1).unwrap();
    let before = model.params.clone();
    let mut opt = AdamW::new(1e-3, 10);
    let g = vec![1e6; model.params.len()];
    let info = opt.step(&mut model, &g);
    assert!(info.grad_norm > 1e6);
    assert!(model.is_finite());
    assert!(model.params.iter().zip(&before).all(|(a, b)| (a - b).abs() < 1e-2));
}

#[test]
fn greedy_limits_of_sampling() {
    let logits = [0.5f32, 2.0, -1.0, 1.9, 0.0];
    for s in [
        Sampling { temperature: 0.0, ..Default::default() },
        Sampling { temperature: 1e-9, ..Default::default() },
        Sampling { top_k: 1, ..Default::default() },
        Sampling { top_p: 0.0, ..Default::default() },
        Sampling { top_p: 1e-6, ..Default::default() },
    ] {
        let p = filtered_probs(&logits, &s);
        assert_eq!(p, vec![0.0, 1.0, 0.0, 0.0, 0.0], "{s:?}");
        let mut rng = Rng::new(7);
        assert!((0..50).all(|_| sample(&logits, &s, &mut rng) == 1));
    }
}

#[test]
fn filtered_probabilities_sum_to_one_and_respect_the_cut() {
    let mut rng = Rng::new(3);
    let mut logits = vec![0.0f32; 50];
    rng.fill_normal(&mut logits);
    logits.iter_mut().for_each(|z| *z *= 3.0);
    for (t, k, p) in [(1.0, 0, 1.0), (0.7, 5, 1.0), (1.3, 0, 0.9), (2.0, 10, 0.5), (1e6, 0, 1.0), (f32::INFINITY, 3, f32::NAN)] {
        let probs = filtered_probs(&logits, &Sampling { temperature: t, top_k: k, top_p: p });
        let sum: f32 = probs.iter().sum();
        assert!((sum - 1.0).abs() < 1e-5, "T {t} k {k} p {p}: {sum}");
        assert!(probs.iter().all(|q| q.is_finite() && *q >= 0.0));
        let kept = probs.iter().filter(|&&q| q > 0.0).count();
        if k > 0 {
            assert!(kept <= k);
        }
        if !t.is_finite() {
            continue; // every token equally likely: which ones are kept is a tie
        }
        // the kept tokens are the most probable ones
        let min_kept = probs.iter().zip(&logits).filter(|(q, _)| **q > 0.0).map(|(_, z)| *z).fold(f32::INFINITY, f32::min);
        assert!(probs.iter().zip(&logits).all(|(q, z)| *q > 0.0 || *z <= min_kept));
    }
    // top-p keeps the smallest prefix reaching p
    let probs = filtered_probs(&[3.0f32.ln(), 2.0f32.ln(), 1.0f32.ln()], &Sampling { top_p: 0.6, ..Default::default() });
    assert_eq!(probs.iter().filter(|&&q| q > 0.0).count(), 2, "{probs:?}"); // 0.5 < 0.6 ≤ 0.5 + 0.333
    // a sampled frequency follows the distribution
    let logits = [0.0f32, 1.0f32.ln() + 1.0, 0.5];
    let probs = filtered_probs(&logits, &Sampling::default());
    let mut counts = [0usize; 3];
    for _ in 0..20_000 {
        counts[sample(&logits, &Sampling::default(), &mut rng)] += 1;
    }
    for i in 0..3 {
        assert!((counts[i] as f32 / 20_000.0 - probs[i]).abs() < 0.015);
    }
}

#[test]
fn weights_file_round_trips_and_rejects_damage() {
    let model = shaken(tiny(), 2);
    let back = from_bytes(&to_bytes(&model, false)).unwrap();
    assert_eq!(back.params, model.params);
    let half = from_bytes(&to_bytes(&model, true)).unwrap();
    assert!(half.params.iter().zip(&model.params).all(|(a, b)| (a - b).abs() <= b.abs() / 128.0 + 1e-30));
    let bytes = to_bytes(&model, true);
    assert!(from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(from_bytes(b"GPT1").is_err());
    assert!(from_bytes(b"hello world, this is not a model at all").is_err());
    let mut nan = to_bytes(&model, false);
    let at = nan.len() - 4;
    nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(from_bytes(&nan).unwrap_err().contains("damaged"));
    let mut huge = to_bytes(&model, true);
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(from_bytes(&huge).is_err());
}

#[test]
fn bad_shapes_are_errors() {
    assert!(Gpt::new(Config { vocab: 10, ctx: 4, d: 10, layers: 1, heads: 3 }, 0).is_err());
    assert!(Gpt::new(Config { vocab: 0, ctx: 4, d: 8, layers: 1, heads: 2 }, 0).is_err());
}
