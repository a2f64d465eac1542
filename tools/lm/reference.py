"""An independent numpy forward pass of the GPT in core/src/gpt.rs, for the reference test.

    python tools/lm/reference.py      # needs numpy (PyPI); not run in CI

Draws random weights for a small model (seeded numpy generator), writes them as a GPT1 file
(f32) plus a token sequence and the logits numpy computes for every position. The Rust test
(core/tests/gpt_reference.rs) loads the same file and must agree to 1e-4.
Written from the equations (GPT-2: pre-LayerNorm blocks, causal attention, tanh-GELU MLP,
tied output embedding), not from the Rust code.
"""
import json, pathlib, struct
import numpy as np

V, T, D, L, H = 37, 12, 16, 2, 4
rng = np.random.default_rng(20261203)

def randn(*shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)

wte, wpe = randn(V, D), randn(T, D)
blocks = []
for _ in range(L):
    blocks.append(dict(
        ln1_g=1 + randn(D, scale=0.1), ln1_b=randn(D, scale=0.1),
        qkv_w=randn(3 * D, D), qkv_b=randn(3 * D, scale=0.1),
        proj_w=randn(D, D), proj_b=randn(D, scale=0.1),
        ln2_g=1 + randn(D, scale=0.1), ln2_b=randn(D, scale=0.1),
        fc_w=randn(4 * D, D), fc_b=randn(4 * D, scale=0.1),
        out_w=randn(D, 4 * D), out_b=randn(D, scale=0.1)))
lnf_g, lnf_b = 1 + randn(D, scale=0.1), randn(D, scale=0.1)

def layernorm(x, g, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b

def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))

def forward(tokens):
    x = (wte[tokens] + wpe[: len(tokens)]).astype(np.float64)
    n, hs = len(tokens), D // H
    mask = np.tril(np.ones((n, n), dtype=bool))
    for b in blocks:
        h = layernorm(x, b["ln1_g"], b["ln1_b"])
        qkv = h @ b["qkv_w"].T + b["qkv_b"]
        q, k, v = np.split(qkv, 3, axis=-1)
        y = np.zeros_like(q)
        for i in range(H):
            s = slice(i * hs, (i + 1) * hs)
            att = q[:, s] @ k[:, s].T / np.sqrt(hs)
            att = np.where(mask, att, -np.inf)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            y[:, s] = att @ v[:, s]
        x = x + y @ b["proj_w"].T + b["proj_b"]
        h = layernorm(x, b["ln2_g"], b["ln2_b"])
        x = x + gelu(h @ b["fc_w"].T + b["fc_b"]) @ b["out_w"].T + b["out_b"]
    return layernorm(x, lnf_g, lnf_b) @ wte.T

tokens = rng.integers(0, V, size=T)
logits = forward(tokens)

out = pathlib.Path(__file__).resolve().parents[2] / "core/tests/fixtures/gpt"
out.mkdir(parents=True, exist_ok=True)
parts = [wte, wpe]
for b in blocks:
    parts += [b[k] for k in ["ln1_g", "ln1_b", "qkv_w", "qkv_b", "proj_w", "proj_b", "ln2_g", "ln2_b", "fc_w", "fc_b", "out_w", "out_b"]]
parts += [lnf_g, lnf_b]
body = np.concatenate([p.astype("<f4").ravel() for p in parts]).tobytes()
(out / "tiny.bin").write_bytes(b"GPT1" + struct.pack("<6I", V, T, D, L, H, 0) + body)
(out / "tiny.json").write_text(json.dumps({
    "about": "numpy forward of tiny.bin (tools/lm/reference.py), float64 arithmetic",
    "tokens": tokens.tolist(),
    "logits": [[round(float(z), 7) for z in row] for row in logits],
}) + "\n")
print("wrote", out, "logit range", float(logits.min()), float(logits.max()))
