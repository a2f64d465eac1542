"""Exports the shipped language model (public/lm/model.bin, GPT1) as ONNX, for the benchmark only.

    pip install onnx numpy            # PyPI; onnxruntime too, to verify (optional)
    python tools/lm/export_onnx.py    # → target/lm-onnx/model.onnx, model-kv.onnx, meta.json
    python tools/lm/export_onnx.py <model.bin> <out dir>   # another copy (the bench passes dist's)

Nothing here is shipped: bench/suites/lm.mjs loads the graphs into ONNX Runtime Web (npm
onnxruntime-web, a dev dependency) in the same page as our wasm forward pass, on the same weights.
The graphs are built with onnx.helper only (no torch), from the equations of core/src/gpt.rs (the
same maths as tools/lm/reference.py):

    x₀ = W_te[ids] + W_pe[positions]
    per block: x = x + W_o·Attn(LN₁(x)) + b_o;  x = x + W₂·GELU_tanh(W₁·LN₂(x) + b₁) + b₂
    logits = LN_f(x)·W_teᵀ                       (tied, no bias)

* model.onnx     input_ids int64 [1, T] (T dynamic, ≤ ctx) → logits float32 [1, T, V]. No cache:
                 generating with it recomputes the whole sequence for every token.
* model-kv.onnx  the same plus past_key_i / past_value_i float32 [1, H, P, d/H] (P dynamic, may be 0)
                 → logits [1, S, V] and present_key_i / present_value_i [1, H, P + S, d/H]: the
                 incremental form (a KV cache outside the graph, as transformers.js feeds ORT).

Weights are stored as float32 (bfloat16 in the GPT1 file is widened exactly). Matrices are given to
Gemm with transB = 1, so they keep their (out, in) layout. LayerNormalization (opset 17) and
Gelu(approximate = "tanh") (opset 20) are ONNX operators, so ORT runs its own kernels for them.

With onnxruntime installed, both graphs are checked against a float64 numpy forward pass: max
|Δlogit| must be ≤ 1e-3 (the cached graph fed the prompt in two pieces).
"""
import hashlib, json, pathlib, struct, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = pathlib.Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "public/lm/model.bin"
OUT = pathlib.Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else ROOT / "target/lm-onnx"
OPSET = 20


def read_gpt1(path):
    raw = path.read_bytes()
    if raw[:4] != b"GPT1":
        sys.exit(f"{path} is not a GPT1 file")
    V, T, D, L, H, dtype = struct.unpack("<6I", raw[4:28])
    body = raw[28:]
    if dtype == 1:  # bfloat16: the high half of a float32
        u16 = np.frombuffer(body, dtype="<u2")
        flat = (u16.astype(np.uint32) << 16).view(np.float32)
    elif dtype == 0:
        flat = np.frombuffer(body, dtype="<f4").astype(np.float32)
    else:
        sys.exit(f"unknown dtype {dtype}")
    n = V * D + T * D + L * (12 * D * D + 13 * D) + 2 * D
    if flat.size != n:
        sys.exit(f"{path}: {flat.size} parameters, the header's shape needs {n}")
    at = 0

    def take(*shape):
        nonlocal at
        k = int(np.prod(shape))
        a = flat[at:at + k].reshape(shape)
        at += k
        return a

    w = dict(wte=take(V, D), wpe=take(T, D), blocks=[])
    for _ in range(L):  # Config::tensors() order
        w["blocks"].append(dict(
            ln1_g=take(D), ln1_b=take(D), qkv_w=take(3 * D, D), qkv_b=take(3 * D),
            proj_w=take(D, D), proj_b=take(D), ln2_g=take(D), ln2_b=take(D),
            fc_w=take(4 * D, D), fc_b=take(4 * D), out_w=take(D, 4 * D), out_b=take(D)))
    w["lnf_g"], w["lnf_b"] = take(D), take(D)
    assert at == n
    return dict(vocab=V, ctx=T, d=D, layers=L, heads=H, dtype=dtype), w


def build(cfg, w, cached):
    V, T, D, L, H = (cfg[k] for k in ("vocab", "ctx", "d", "layers", "heads"))
    hs = D // H
    nodes, inits = [], []
    counter = [0]

    def name(base):
        counter[0] += 1
        return f"{base}_{counter[0]}"

    def const(arr, base):
        n = name(base)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def op(kind, inputs, base=None, n_out=1, **attrs):
        outs = [name(base or kind.lower()) for _ in range(n_out)]
        nodes.append(helper.make_node(kind, inputs, outs, name=name("n_" + kind), **attrs))
        return outs[0] if n_out == 1 else outs

    i64 = lambda *v: np.array(v, dtype=np.int64)  # 1-D: every size below is a [1] tensor
    zero, one, ax0 = const(i64(0), "zero"), const(i64(1), "one"), const(i64(0), "axes0")

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "S"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, "S", V])]
    # S = new tokens; P = tokens already in the cache (0 without one)
    ids = op("Squeeze", ["input_ids", ax0], "ids")                       # [S]
    s_len = op("Gather", [op("Shape", ["input_ids"]), one], "S")        # [1]
    if cached:
        for l in range(L):
            for kv in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(f"past_{kv}_{l}", TensorProto.FLOAT, [1, H, "P", hs]))
                outputs.append(helper.make_tensor_value_info(f"present_{kv}_{l}", TensorProto.FLOAT, [1, H, "P+S", hs]))
        p_len = op("Gather", [op("Shape", ["past_key_0"]), const(i64(2), "two")], "P")
    else:
        p_len = zero
    p1 = p_len
    e1 = op("Add", [p_len, s_len], "end")
    wte = const(w["wte"], "wte")
    pos = op("Slice", [const(w["wpe"], "wpe"), p1, e1, ax0], "pos")     # [S, D]
    x = op("Add", [op("Gather", [wte, ids], "tok"), pos], "x0")        # [S, D]
    # additive causal mask: row i (position P+i) sees columns 0..P+i
    bias = np.triu(np.full((T, T), -1e9, dtype=np.float32), 1)
    mask = op("Slice", [const(bias, "causal"), op("Concat", [p1, zero], axis=0),
                        op("Concat", [e1, e1], axis=0), const(i64(0, 1), "axes01")], "mask")  # [S, P+S]
    heads_shape = const(i64(0, H, hs), "heads_shape")
    flat_shape = const(i64(0, D), "flat_shape")
    scale = const(np.array(1.0 / np.sqrt(hs), dtype=np.float32), "scale")

    def gemm(x, wm, b):
        return op("Gemm", [x, const(wm, "w"), const(b, "b")], "gemm", transB=1)

    def layernorm(x, g, b):
        return op("LayerNormalization", [x, const(g, "g"), const(b, "beta")], "ln", axis=-1, epsilon=1e-5)

    for l, b in enumerate(w["blocks"]):
        h = layernorm(x, b["ln1_g"], b["ln1_b"])
        qkv = gemm(h, b["qkv_w"], b["qkv_b"])                              # [S, 3D]
        q, k, v = op("Split", [qkv, const(i64(D, D, D), "split")], "qkv", n_out=3, axis=1)
        to_heads = lambda t: op("Transpose", [op("Reshape", [t, heads_shape])], perm=[1, 0, 2])  # [H, S, hs]
        q, k, v = to_heads(q), to_heads(k), to_heads(v)
        if cached:
            k4 = op("Concat", [f"past_key_{l}", op("Unsqueeze", [k, ax0])], axis=2, base=f"present_key_{l}")
            v4 = op("Concat", [f"past_value_{l}", op("Unsqueeze", [v, ax0])], axis=2, base=f"present_value_{l}")
            nodes.append(helper.make_node("Identity", [k4], [f"present_key_{l}"]))
            nodes.append(helper.make_node("Identity", [v4], [f"present_value_{l}"]))
            k, v = op("Squeeze", [k4, ax0]), op("Squeeze", [v4, ax0])   # [H, P+S, hs]
        att = op("MatMul", [q, op("Transpose", [k], perm=[0, 2, 1])])    # [H, S, P+S]
        att = op("Softmax", [op("Add", [op("Mul", [att, scale]), mask])], axis=-1)
        y = op("Reshape", [op("Transpose", [op("MatMul", [att, v])], perm=[1, 0, 2]), flat_shape])  # [S, D]
        x = op("Add", [x, gemm(y, b["proj_w"], b["proj_b"])], "resid")
        h = layernorm(x, b["ln2_g"], b["ln2_b"])
        h = op("Gelu", [gemm(h, b["fc_w"], b["fc_b"])], approximate="tanh")
        x = op("Add", [x, gemm(h, b["out_w"], b["out_b"])], "resid")
    x = layernorm(x, w["lnf_g"], w["lnf_b"])
    logits = op("Gemm", [x, wte], "logits2d", transB=1)                  # [S, V], tied
    nodes.append(helper.make_node("Unsqueeze", [logits, ax0], ["logits"]))
    graph = helper.make_graph(nodes, "gpt-kv" if cached else "gpt", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="genai-explorables tools/lm/export_onnx.py")
    model.ir_version = 9
    onnx.checker.check_model(model, full_check=True)
    return model


# --- the float64 numpy forward (tools/lm/reference.py's maths) -----------------------------------

def ln(x, g, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def numpy_forward(cfg, w, tokens):
    D, H = cfg["d"], cfg["heads"]
    x = (w["wte"][tokens] + w["wpe"][: len(tokens)]).astype(np.float64)
    n, hs = len(tokens), D // H
    mask = np.tril(np.ones((n, n), dtype=bool))
    for b in w["blocks"]:
        h = ln(x, b["ln1_g"], b["ln1_b"])
        q, k, v = np.split(h @ b["qkv_w"].T + b["qkv_b"], 3, axis=-1)
        y = np.zeros_like(q)
        for i in range(H):
            s = slice(i * hs, (i + 1) * hs)
            att = np.where(mask, q[:, s] @ k[:, s].T / np.sqrt(hs), -np.inf)
            att = np.exp(att - att.max(-1, keepdims=True))
            y[:, s] = (att / att.sum(-1, keepdims=True)) @ v[:, s]
        x = x + y @ b["proj_w"].T + b["proj_b"]
        x = x + gelu(ln(x, b["ln2_g"], b["ln2_b"]) @ b["fc_w"].T + b["fc_b"]) @ b["out_w"].T + b["out_b"]
    return ln(x, w["lnf_g"], w["lnf_b"]) @ w["wte"].T.astype(np.float64)


def verify(cfg, w, paths):
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime is not installed: graphs written but not checked")
        return None
    rng = np.random.default_rng(7)
    T = cfg["ctx"]  # every row of the position table
    tokens = rng.integers(0, cfg["vocab"], size=T)
    ref = numpy_forward(cfg, w, tokens)
    so = ort.SessionOptions()
    plain = ort.InferenceSession(str(paths[0]), so, providers=["CPUExecutionProvider"])
    got = plain.run(["logits"], {"input_ids": tokens[None].astype(np.int64)})[0][0]
    err_plain = float(np.abs(got - ref).max())
    kv = ort.InferenceSession(str(paths[1]), so, providers=["CPUExecutionProvider"])
    H, hs, L = cfg["heads"], cfg["d"] // cfg["heads"], cfg["layers"]
    feeds = {f"past_{t}_{l}": np.zeros((1, H, 0, hs), np.float32) for l in range(L) for t in ("key", "value")}
    names = ["logits"] + [f"present_{t}_{l}" for l in range(L) for t in ("key", "value")]
    cut = T - 3  # a prompt, then three single tokens through the cache
    pieces = [tokens[:cut]] + [tokens[i:i + 1] for i in range(cut, T)]
    rows = []
    for piece in pieces:
        out = kv.run(names, {"input_ids": piece[None].astype(np.int64), **feeds})
        rows.append(out[0][0])
        feeds = {f"past_{n[len('present_'):]}": o for n, o in zip(names[1:], out[1:])}
    err_kv = float(np.abs(np.concatenate(rows) - ref).max())
    print(f"onnxruntime {ort.__version__}: max |Δlogit| vs numpy float64 over {T} positions: "
          f"{err_plain:.2e} (model.onnx), {err_kv:.2e} (model-kv.onnx, prompt then 3 cached steps)")
    ok = err_plain <= 1e-3 and err_kv <= 1e-3
    if not ok:
        sys.exit("the ONNX graphs disagree with the numpy forward pass by more than 1e-3")
    return dict(onnxruntime=ort.__version__, positions=T, max_abs_logit_diff=err_plain, max_abs_logit_diff_kv=err_kv)


def main():
    cfg, w = read_gpt1(SRC)
    OUT.mkdir(parents=True, exist_ok=True)
    paths = [OUT / "model.onnx", OUT / "model-kv.onnx"]
    for p, cached in zip(paths, (False, True)):
        onnx.save(build(cfg, w, cached), str(p))
        print("wrote", p, f"{p.stat().st_size / 1e6:.1f} MB")
    check = verify(cfg, w, paths)
    meta = dict(source=str(SRC), source_bytes=SRC.stat().st_size, source_sha256=hashlib.sha256(SRC.read_bytes()).hexdigest(),
                config=cfg, onnx=onnx.__version__,
                opset=OPSET, check=check)
    (OUT / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
