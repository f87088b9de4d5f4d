#!/usr/bin/python3
"""Cross-check one vector file for scripts/bench.sh.

Evaluates VECTORS with gensim's KeyedVectors.evaluate_word_analogies and
evaluate_word_pairs (loading the file once), puts the results in the shape of
`w2v eval-analogy --json` / `w2v eval-similarity --json`, and, when those
commands' JSON output is given, compares the two field by field.  Counts must
be equal and scores within --tolerance; every difference is listed under
"disagreements" -- except one that comes only from near-tied cosines (see
"near ties" below), which is listed under "near_ties" with its explanation.
Prints one JSON object on stdout:

  {"gensim": {"analogy": {...}, "similarity": {...}},
   "w2v":    {"analogy": {...}, "similarity": {...}} or null,
   "disagreements": ["analogy.correct: w2v 812 vs gensim 813", ...],
   "near_ties": ["similarity.spearman: w2v .. vs gensim ..: cosines within 1e-06 ..."],
   "vectors": {"format": "binary", "words": .., "dim": ..},
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


MISSING = object()


def compare(prefix, w, g, tol, out):
    """Append (field, w2v value, gensim value) for every field of g that w lacks or differs in."""
    if isinstance(g, dict):
        if not isinstance(w, dict):
            out.append((prefix, w, "an object"))
            return
        for k, gv in g.items():
            if k == "sections":
                compare_sections(prefix + ".sections", w.get("sections", MISSING), gv, out)
            else:
                compare(prefix + "." + k, w.get(k, MISSING), gv, tol, out)
    elif w is MISSING or not num_equal(w, g, tol):
        out.append((prefix, w, g))


def compare_sections(prefix, w, g, out):
    if not isinstance(w, list):
        out.append((prefix, w, "a list"))
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
                out.append(("%s[%s]" % (prefix, s["name"]), MISSING, "a section"))
            continue
        for k in ("correct", "total"):
            if ws.get(k, MISSING) != s[k]:
                out.append(("%s[%s].%s" % (prefix, s["name"], k), ws.get(k, MISSING), s[k]))


def describe(diff):
    field, w, g = diff
    if w is MISSING:
        return "%s: missing in w2v output" % field
    return "%s: w2v %r vs gensim %r" % (field, w, g)


# ---------------------------------------------------------------- near ties
# Both evaluators work on the same float32 vectors, but gensim computes cosines in
# float32 with BLAS and w2v in its own precision and order, so two cosines closer
# than about 1e-6 may come out in either order.  Such a flip moves a Spearman
# correlation by ~1e-5 or an analogy answer by one question: a difference in
# rounding, not in the evaluation.  When the strict comparison fails only on those
# fields, the vectors are re-scored in float64 and the difference is accepted if
# both tools' numbers are among those the near-tied orders allow.

def upper_index(kv, limit):
    """upper(word) -> row of its first (most frequent) spelling among the first `limit` rows."""
    ok = {}
    for i, k in enumerate(kv.index_to_key[:limit]):
        ok.setdefault(k.upper(), i)
    return ok


def read_pairs(path, ok):
    """The pairs gensim scores: (row a, row b, human score), in file order."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 3:
                continue
            try:
                h = float(parts[2])
            except ValueError:
                continue
            a, b = ok.get(parts[0].upper()), ok.get(parts[1].upper())
            if a is not None and b is not None:
                out.append((a, b, h))
    return out


def unit_rows(kv, limit=None):
    import numpy as np
    m = kv.vectors[:limit].astype(np.float64)
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return m / n


def ranks(x):
    from scipy.stats import rankdata
    return rankdata(x)  # ties share their average rank


def explain_spearman(kv, pairs_path, w_rho, g_rho, eps, tol, cap=20000):
    """A note if both Spearman values arise from some order of the near-tied cosines, else None."""
    import itertools
    import numpy as np
    pairs = read_pairs(pairs_path, upper_index(kv, len(kv.index_to_key)))
    if len(pairs) < 2:
        return None
    u = unit_rows(kv)
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    cos = (u[a] * u[b]).sum(axis=1)  # elementwise then sum: cos(a,b) == cos(b,a) exactly
    human = ranks(np.array([p[2] for p in pairs]))
    order = np.argsort(cos, kind="stable")
    groups, start = [], 0
    for i in range(1, len(order) + 1):
        if i == len(order) or cos[order[i]] - cos[order[i - 1]] > eps:
            if i - start > 1:
                groups.append((start, order[start:i]))
            start = i
    if not groups:
        return None
    # Each group of k near-equal cosines may come out in any of its k! orders, or all tied.
    options = []
    total = 1
    for pos, members in groups:
        k = len(members)
        opts = [np.arange(pos + 1, pos + k + 1, dtype=float)[list(perm)]
                for perm in itertools.permutations(range(k))]
        opts.append(np.full(k, pos + (k + 1) / 2.0))
        options.append((members, opts))
        total *= len(opts)
        if total > cap:
            return None
    base = np.empty(len(cos))
    base[order] = np.arange(1, len(cos) + 1, dtype=float)
    values = []
    for choice in itertools.product(*(opts for _, opts in options)):
        r = base.copy()
        for (members, _), assigned in zip(options, choice):
            r[members] = assigned
        values.append(float(np.corrcoef(r, human)[0, 1]))
    if not any(abs(v - w_rho) <= tol for v in values) or not any(abs(v - g_rho) <= tol for v in values):
        return None
    names = kv.index_to_key
    shown = ["~".join("%s/%s" % (names[pairs[m][0]], names[pairs[m][1]]) for m in members)
             for _, members in groups]
    return ("similarity.spearman: w2v %.7f vs gensim %.7f: cosines within %g of each other (%s) "
            "may come out in either order" % (w_rho, g_rho, eps, ", ".join(shown)))


def explain_analogy(kv, questions_path, restrict, w_an, g_an, eps, tol):
    """A note if every differing count lies in what near-tied answers allow, else None."""
    import numpy as np
    ok = upper_index(kv, restrict)
    u = unit_rows(kv, restrict)
    canon = np.array([ok[k.upper()] for k in kv.index_to_key[:restrict]])
    qs, secs, section = [], [], None
    with open(questions_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(": "):
                section = line.lstrip(": ").strip()
                secs.append(section)
                continue
            words = line.upper().split()
            if len(words) != 4 or section is None:
                continue
            idx = [ok.get(x) for x in words]
            if None not in idx:
                qs.append((section, idx))
    # Per section: [answers certainly right, answers right only in some near-tied order].
    span = {s: [0, 0] for s in secs}
    fragile = 0
    for lo in range(0, len(qs), 256):
        batch = qs[lo:lo + 256]
        ia = np.array([q[1][0] for q in batch])
        ib = np.array([q[1][1] for q in batch])
        ic = np.array([q[1][2] for q in batch])
        ie = np.array([q[1][3] for q in batch])
        target = u[ib] - u[ia] + u[ic]
        target /= np.maximum(np.linalg.norm(target, axis=1, keepdims=True), 1e-300)
        score = target @ u.T  # [batch, restrict]
        for j in range(len(batch)):
            excluded = np.isin(canon, (ia[j], ib[j], ic[j]))
            score[j, excluded] = -np.inf
        best = score.max(axis=1)
        for j, (sec, _) in enumerate(batch):
            near = canon[score[j] >= best[j] - eps]
            hit = ie[j] in near
            if len(set(near.tolist())) > 1:
                fragile += 1
                span[sec][1] += hit
            else:
                span[sec][0] += hit
    if not fragile:
        return None

    def within(counts, lo_hi):
        return lo_hi[0] <= counts <= lo_hi[0] + lo_hi[1]

    def check(result):
        if not isinstance(result, dict):
            return False
        got = {s.get("name"): s.get("correct") for s in result.get("sections", []) if isinstance(s, dict)}
        sem, syn = [0, 0], [0, 0]
        for name, (c, f) in span.items():
            bucket = syn if is_syntactic(name) else sem
            bucket[0] += c
            bucket[1] += f
            if name in got and not within(got[name], (c, f)):
                return False
        try:
            if not within(result["semantic"]["correct"], sem) or not within(result["syntactic"]["correct"], syn):
                return False
            if not within(result["correct"], (sem[0] + syn[0], sem[1] + syn[1])):
                return False
            return abs(result["accuracy"] - result["correct"] / max(result["total"], 1)) <= tol
        except (KeyError, TypeError):
            return False

    if not (check(w_an) and check(g_an)):
        return None
    return ("analogy: w2v %s vs gensim %s correct: %d question(s) have answers whose 3CosAdd scores "
            "are within %g of each other and may be picked either way"
            % (w_an.get("correct"), g_an.get("correct"), fragile, eps))


TIE_FIELDS_ANALOGY = ("analogy.accuracy", "analogy.correct", "analogy.semantic.correct",
                      "analogy.syntactic.correct")


def tie_sensitive_analogy(field):
    return field in TIE_FIELDS_ANALOGY or (field.startswith("analogy.sections[") and field.endswith("].correct"))


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
    p.add_argument("--tolerance", type=float, default=1e-6,
                   help="largest accepted difference between two scores (default 1e-6)")
    p.add_argument("--tie-eps", type=float, default=1e-6,
                   help="cosines closer than this may be ordered either way (default 1e-6)")
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
        "near_ties": [],
        "vectors": {"format": fmt, "words": len(kv.index_to_key), "dim": int(kv.vector_size)},
        "seconds": {"load": round(load_s, 3), "analogy": round(an_s, 3), "similarity": round(sim_s, 3)},
    }
    if args.w2v_analogy or args.w2v_similarity:
        w = {}
        dis = result["disagreements"]
        ties = result["near_ties"]
        if args.w2v_analogy:
            try:
                w["analogy"] = load_json(args.w2v_analogy)
            except (OSError, ValueError) as e:
                dis.append("analogy: cannot read w2v output: %s" % e)
            else:
                diffs = []
                compare("analogy", w["analogy"], g_an, args.tolerance, diffs)
                note = None
                if diffs and all(tie_sensitive_analogy(d[0]) for d in diffs):
                    note = explain_analogy(kv, args.questions, args.restrict, w["analogy"], g_an,
                                           args.tie_eps, args.tolerance)
                if note:
                    ties.append(note)
                else:
                    dis.extend(describe(d) for d in diffs)
        if args.w2v_similarity:
            try:
                w["similarity"] = load_json(args.w2v_similarity)
            except (OSError, ValueError) as e:
                dis.append("similarity: cannot read w2v output: %s" % e)
            else:
                diffs = []
                compare("similarity", w["similarity"], g_sim, args.tolerance, diffs)
                note = None
                if len(diffs) == 1 and diffs[0][0] == "similarity.spearman" and \
                        isinstance(diffs[0][1], (int, float)):
                    note = explain_spearman(kv, args.pairs, diffs[0][1], g_sim["spearman"],
                                            args.tie_eps, args.tolerance)
                if note:
                    ties.append(note)
                else:
                    dis.extend(describe(d) for d in diffs)
        result["w2v"] = w
        for d in dis:
            print("bench_eval: %s: DISAGREE %s" % (args.vectors, d), file=sys.stderr)
        for d in ties:
            print("bench_eval: %s: near tie, accepted: %s" % (args.vectors, d), file=sys.stderr)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as e:
        sys.exit("bench_eval: %s" % e)
