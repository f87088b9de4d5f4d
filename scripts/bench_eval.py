#!/usr/bin/python3
"""Cross-check one vector file for scripts/bench.sh.

Evaluates VECTORS with gensim's KeyedVectors.evaluate_word_analogies and
evaluate_word_pairs (loading the file once), puts the results in the shape of
`w2v eval-analogy --json` / `w2v eval-similarity --json`, and, when those
commands' JSON output is given, compares the two field by field.  Counts must
be equal and scores within --tolerance; every difference is listed under
"disagreements".  Prints one JSON object on stdout:

  {"gensim": {"analogy": {...}, "similarity": {...}},
   "w2v":    {"analogy": {...}, "similarity": {...}} or null,
   "disagreements": ["analogy.correct: w2v 812 vs gensim 813", ...],
   "seconds": {"load": .., "analogy": .., "similarity": ..}}

Exit status 0 whether or not they agree (bench.sh decides); 1 on a broken input.
"""
import argparse
import json
import logging
import math
import sys
import time
import warnings


def is_syntactic(name):
    # The questions-words convention, and the one w2v eval-analogy uses.
    return name.startswith("gram")


def sniff_format(path):
    """'text' when the line after the header is a word and DIM numbers, else 'binary'.

    A binary file's first row is raw float bytes, which never parse as DIM
    decimal numbers on one line.
    """
    with open(path, "rb") as f:
        header = f.readline(4096).split()
        if len(header) != 2:
            raise ValueError("%s: header is not 'WORDS DIM'" % path)
        dim = int(header[1])
        row = f.readline(1 << 20).split()
    if len(row) != dim + 1:
        return "binary"
    try:
        for x in row[1:]:
            float(x)
    except ValueError:
        return "binary"
    return "text"


def gensim_analogy(kv, path, restrict):
    t = time.monotonic()
    _, sections = kv.evaluate_word_analogies(path, restrict_vocab=restrict, case_insensitive=True)
    secs = time.monotonic() - t
    out_sections = []
    sem = {"correct": 0, "total": 0}
    syn = {"correct": 0, "total": 0}
    for s in sections:
        if s["section"] == "Total accuracy":
            continue
        c, n = len(s["correct"]), len(s["correct"]) + len(s["incorrect"])
        out_sections.append({"name": s["section"], "correct": c, "total": n})
        bucket = syn if is_syntactic(s["section"]) else sem
        bucket["correct"] += c
        bucket["total"] += n
    correct = sem["correct"] + syn["correct"]
    total = sem["total"] + syn["total"]
    # gensim counts the skipped (out-of-vocabulary) questions only in its log:
    # count the well-formed question lines the way it parses them.
    asked = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(": "):
                continue
            if len(line.split()) == 4:
                asked += 1
    return {
        "accuracy": correct / total if total else 0.0,
        "correct": correct,
        "total": total,
        "skipped": asked - total,
        "semantic": sem,
        "syntactic": syn,
        "sections": out_sections,
    }, secs


def gensim_similarity(kv, path):
    t = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # delimiter=None: split on any run of whitespace, so both tab- and
        # space-separated files read; the whole vocabulary is searched, as
        # w2v eval-similarity does.
        pearson, spearman, oov_pct = kv.evaluate_word_pairs(
            path, delimiter=None, restrict_vocab=len(kv.index_to_key), case_insensitive=True)
    secs = time.monotonic() - t
    usable = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 3:
                continue
            try:
                float(parts[2])
            except ValueError:
                continue
            usable += 1
    skipped = int(round(oov_pct * usable / 100.0))
    rho = float(spearman[0]) if hasattr(spearman, "__getitem__") else float(spearman.correlation)
    r = float(pearson[0])
    return {
        "spearman": rho,
        "pearson": r,
        "pairs": usable - skipped,
        "skipped": skipped,
    }, secs


def num_equal(a, b, tol):
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        return a == b
    if math.isnan(fa) and math.isnan(fb):
        return True
    return abs(fa - fb) <= tol


def compare(prefix, w, g, tol, out):
    """Append 'path: w2v X vs gensim Y' for every field of g that w lacks or differs in."""
    if isinstance(g, dict):
        if not isinstance(w, dict):
            out.append("%s: w2v %r vs gensim object" % (prefix, w))
            return
        for k, gv in g.items():
            if k == "sections":
                compare_sections(prefix + ".sections", w.get("sections"), gv, out)
            elif k not in w:
                out.append("%s.%s: missing in w2v output" % (prefix, k))
            else:
                compare(prefix + "." + k, w[k], gv, tol, out)
    elif not num_equal(w, g, tol):
        out.append("%s: w2v %r vs gensim %r" % (prefix, w, g))


def compare_sections(prefix, w, g, out):
    if not isinstance(w, list):
        out.append("%s: missing in w2v output" % prefix)
        return
    wmap = {}
    for s in w:
        if isinstance(s, dict) and "name" in s:
            wmap[s["name"]] = s
    for s in g:
        ws = wmap.get(s["name"])
        if ws is None:
            # A section w2v leaves out because nothing in it was answerable is fine.
            if s["total"] != 0:
                out.append("%s[%s]: missing in w2v output" % (prefix, s["name"]))
            continue
        for k in ("correct", "total"):
            if ws.get(k) != s[k]:
                out.append("%s[%s].%s: w2v %r vs gensim %r" % (prefix, s["name"], k, ws.get(k), s[k]))


def load_json(path):
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    # Tolerate a tool that prints something before the object: take the last line
    # that parses.
    try:
        return json.loads(text)
    except ValueError:
        for line in reversed(text.splitlines()):
            try:
                return json.loads(line)
            except ValueError:
                continue
    raise ValueError("no JSON object in %s" % path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("vectors")
    p.add_argument("--format", choices=("auto", "binary", "text"), default="auto")
    p.add_argument("--questions", required=True)
    p.add_argument("--pairs", required=True)
    p.add_argument("--restrict", type=int, default=30000)
    p.add_argument("--w2v-analogy", help="output of w2v eval-analogy --json")
    p.add_argument("--w2v-similarity", help="output of w2v eval-similarity --json")
    p.add_argument("--tolerance", type=float, default=1e-6)
    args = p.parse_args()

    logging.getLogger("gensim").setLevel(logging.WARNING)
    from gensim.models import KeyedVectors

    fmt = sniff_format(args.vectors) if args.format == "auto" else args.format
    t = time.monotonic()
    kv = KeyedVectors.load_word2vec_format(args.vectors, binary=(fmt == "binary"))
    load_s = time.monotonic() - t
    g_an, an_s = gensim_analogy(kv, args.questions, args.restrict)
    g_sim, sim_s = gensim_similarity(kv, args.pairs)

    result = {
        "gensim": {"analogy": g_an, "similarity": g_sim},
        "w2v": None,
        "disagreements": [],
        "vectors": {"format": fmt, "words": len(kv.index_to_key), "dim": int(kv.vector_size)},
        "seconds": {"load": round(load_s, 3), "analogy": round(an_s, 3), "similarity": round(sim_s, 3)},
    }
    if args.w2v_analogy or args.w2v_similarity:
        w = {}
        dis = result["disagreements"]
        if args.w2v_analogy:
            try:
                w["analogy"] = load_json(args.w2v_analogy)
                compare("analogy", w["analogy"], g_an, args.tolerance, dis)
            except (OSError, ValueError) as e:
                dis.append("analogy: cannot read w2v output: %s" % e)
        if args.w2v_similarity:
            try:
                w["similarity"] = load_json(args.w2v_similarity)
                compare("similarity", w["similarity"], g_sim, args.tolerance, dis)
            except (OSError, ValueError) as e:
                dis.append("similarity: cannot read w2v output: %s" % e)
        result["w2v"] = w
        for d in dis:
            print("bench_eval: %s: DISAGREE %s" % (args.vectors, d), file=sys.stderr)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:
        sys.exit("bench_eval: %s" % e)
