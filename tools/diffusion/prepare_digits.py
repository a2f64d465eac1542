"""Pack the UCI handwritten digits (1,797 images of 8×8 pixels, values 0–16) for the diffusion widget.

Source: the copy shipped inside the scikit-learn wheel from PyPI, sklearn/datasets/data/digits.csv.gz
(E. Alpaydin and C. Kaynak, UCI Machine Learning Repository; scikit-learn is BSD-3-Clause). Each CSV
row is 64 pixel values followed by the label.

Run (any Python 3 with scikit-learn installed, no network needed):
    python tools/diffusion/prepare_digits.py [path/to/digits.csv.gz]
Writes public/diffusion/digits.bin:
    magic b"DIG1", u32 little-endian n, then n records of (u8 label, 64 × u8 pixel 0–16).
"""
import gzip
import hashlib
import os
import struct
import sys


def find_csv():
    if len(sys.argv) > 1:
        return sys.argv[1]
    import sklearn  # only to find the file

    return os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", "digits.csv.gz")


def main():
    src = find_csv()
    rows = []
    with gzip.open(src, "rt") as f:
        for line in f:
            values = [int(float(v)) for v in line.strip().split(",") if v != ""]
            if len(values) != 65:
                continue
            pixels, label = values[:64], values[64]
            assert 0 <= label <= 9 and all(0 <= p <= 16 for p in pixels)
            rows.append((label, pixels))
    out = bytearray(b"DIG1" + struct.pack("<I", len(rows)))
    for label, pixels in rows:
        out.append(label)
        out.extend(pixels)
    here = os.path.dirname(os.path.abspath(__file__))
    dest = os.path.join(here, "..", "..", "public", "diffusion", "digits.bin")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(out)
    print(f"{len(rows)} digits, {len(out)} bytes, sha256 {hashlib.sha256(out).hexdigest()} -> {os.path.normpath(dest)}")


if __name__ == "__main__":
    main()
