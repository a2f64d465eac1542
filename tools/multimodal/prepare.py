#!/usr/bin/env python3
"""Prepare the Multimodal section's text side: frozen all-MiniLM-L6-v2 word vectors (run by hand, offline).

The multimodal widgets train an image encoder live and keep the text encoder frozen (LiT, Zhai et al.
2022): a caption's features are the mean of its words' sentence-model vectors, and only a projection
on top is trained. This script writes those word vectors for

  * every word of every pixelarticons icon name (the captions: "arrow-left" -> "arrow", "left"), and
  * the most frequent words and the teaching words of the Embeddings section's vocabulary
    (public/embeddings/words.json), so a learner can type labels such as "cat" or "house",

in the same EMB1 format and with the same model, pooling and quantisation as tools/embeddings/prepare.py
(whose functions it imports). Output: public/multimodal/words.bin, words.txt (the words, one per line) and words.json (provenance).

Run (from the repository root, in the venv of tools/embeddings/README.md):
  HF_HUB_OFFLINE=1 /work/venv-emb/bin/python tools/multimodal/prepare.py
"""
from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "embeddings"))
import prepare as emb  # noqa: E402

COMMON = 1200  # most frequent words of the Embeddings vocabulary added for typed labels


def icon_names(blob: bytes) -> list[str]:
    """Names from an ICN1 file: 'ICN1', u32 n, u8 side, then (u8 len, name, side*side/8 bytes) records."""
    assert blob[:4] == b"ICN1"
    n = struct.unpack("<I", blob[4:8])[0]
    side = blob[8]
    o, names = 9, []
    for _ in range(n):
        length = blob[o]
        names.append(blob[o + 1:o + 1 + length].decode())
        o += 1 + length + side * side // 8
    return names


def caption_words(name: str) -> list[str]:
    return [w for w in name.lower().replace("_", "-").split("-") if w]


def main() -> None:
    icons = (ROOT / "public" / "diffusion" / "icons.bin").read_bytes()
    names = icon_names(icons)
    emb_meta = json.loads((ROOT / "public" / "embeddings" / "words.json").read_text())
    caption_vocab = sorted({w for n in names for w in caption_words(n)})
    # group[i] > 0 marks a teaching word (animals, colours, vehicles, ...) of the Embeddings section.
    teaching = [w for w, g in zip(emb_meta["words"], emb_meta["group"]) if g > 0]
    extra = []
    seen = set(caption_vocab)
    for w in teaching + emb_meta["words"][:COMMON]:
        if w not in seen:
            seen.add(w)
            extra.append(w)
    words = caption_vocab + extra
    model = emb.load_model()
    v = emb.encode_words(model, words)
    q, s = emb.quantise(v)
    out = ROOT / "public" / "multimodal"
    out.mkdir(parents=True, exist_ok=True)
    blob = emb.write_emb1(out / "words.bin", q, s)
    meta = {
        "format": emb_meta["format"],
        "model": emb_meta["model"],
        "model_licence": emb_meta["model_licence"],
        "package": emb_meta["package"],
        "vector": emb_meta["vector"],
        "quantisation": emb_meta["quantisation"],
        "dim": int(q.shape[1]),
        "n": len(words),
        "caption_words": len(caption_vocab),
        "order": f"the {len(caption_vocab)} words of the icon names (sorted), then the Embeddings section's "
                 f"teaching words and its {COMMON} most frequent words not already present",
        "icons": {"file": "public/diffusion/icons.bin", "count": len(names), "sha256": emb.sha256_bytes(icons)},
        "words_file": "public/multimodal/words.txt (one word per line, row order)",
        "sha256": emb.sha256_bytes(blob),
        "generated_by": "tools/multimodal/prepare.py",
    }
    (out / "words.txt").write_text("".join(w + "\n" for w in words))
    (out / "words.json").write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(words)} words ({len(caption_vocab)} from captions), {len(blob):,} bytes")


if __name__ == "__main__":
    main()
