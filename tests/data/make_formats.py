#!/usr/bin/env python3
"""make_formats.py — writes the small vector files of tests/data/ that
tests/e2e_formats.sh reads: one model (30 words, 8 dimensions, values with
4 decimals so that every layout holds the same float32 values) in each
layout people have. Run from anywhere: python3 tests/data/make_formats.py
The outputs are committed; this script documents how they were made."""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
BOM = b"\xef\xbb\xbf"

rng = random.Random(11)
words = ["</s>", "2019", "caf\u00e9", "\u4e2d\u6587"] + ["w%d" % i for i in range(26)]
dim = 8
rows = [[round(rng.uniform(-1, 1), 4) for _ in range(dim)] for _ in words]


def text_lines(trailing=""):
    # "%g"-free formatting: repr of a 4-decimal float reads back to the same float32
    return ["%s %s%s" % (w, " ".join(repr(x) for x in r), trailing) for w, r in zip(words, rows)]


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def binary(newlines):
    """newlines(i): whether row i's vector is followed by '\\n'."""
    out = b"%d %d\n" % (len(words), dim)
    for i, (w, r) in enumerate(zip(words, rows)):
        out += w.encode() + b" " + struct.pack("<%df" % dim, *r)
        if newlines(i):
            out += b"\n"
    return out


header = "%d %d" % (len(words), dim)
# The reference: word2vec's text layout.
write("fmt-word2vec.txt", ("\n".join([header] + text_lines()) + "\n").encode())
# word2vec text with CRLF line ends.
write("fmt-word2vec-crlf.txt", ("\r\n".join([header] + text_lines()) + "\r\n").encode())
# fastText's .vec: a space after every value, the last included.
write("fmt-fasttext.vec", ("\n".join([header] + text_lines(" ")) + "\n").encode())
write("fmt-fasttext-bom.vec", BOM + ("\n".join([header] + text_lines(" ")) + "\n").encode())
# GloVe: no header line; then CRLF with blank lines at the end; then a BOM.
write("fmt-glove.txt", ("\n".join(text_lines()) + "\n").encode())
write("fmt-glove-crlf.txt", ("\r\n".join(text_lines()) + "\r\n\r\n\n").encode())
write("fmt-glove-bom.txt", BOM + ("\n".join(text_lines())).encode())
# Binary: the original tool's ('\n' after each vector), gensim's (none),
# both mixed, and a BOM before the header.
write("fmt-original.bin", binary(lambda i: True))
write("fmt-gensim.bin", binary(lambda i: False))
write("fmt-mixed.bin", binary(lambda i: i % 3 == 1))
write("fmt-bom.bin", BOM + binary(lambda i: True))
# A one-word GloVe file; a 1-dimensional GloVe file whose first line "2 3"
# is not a header (the next lines hold one value, not 3); one whose first
# line "2 1" is read as a header unless --no-header says otherwise.
write("fmt-glove-one.txt", b"solo 0.5 -0.25 1\n")
write("fmt-glove-1d.txt", b"2 3\nx 0.5\ny -0.5\nz 0.25\n")
write("fmt-glove-1d-ambiguous.txt", b"2 1\nx 0.5\ny -0.5\n")
