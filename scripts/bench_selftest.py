#!/usr/bin/python3
"""Self-test of the benchmark's evaluation plumbing, in a second or two.

1. bench_eval.py on a hand-made 8-word model (text and binary) whose analogy and
   similarity answers are known: gensim's numbers must be the known ones, and the
   format sniffing must pick the right reader.
2. The comparator: a w2v JSON equal to gensim's yields no disagreement, and each
   planted difference (a count off by one, a score off by 1e-4) is reported.
3. When ./w2v implements eval-analogy and eval-similarity, their JSON on the same
   files must agree with gensim (the same check bench.sh makes on real models).

Usage: scripts/bench_selftest.py   (from anywhere; prints "N passed, N failed").
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"

# Unit-length rows are not needed: both evaluators normalise.  king - man + woman
# lands nearest queen, boy - man + woman nearest girl; apple is nobody's answer.
WORDS = [
    ("the", [0.5, 0.5, 0.5, 0.5]),
    ("man", [1.0, 0.0, 0.0, 0.0]),
    ("woman", [0.0, 1.0, 0.0, 0.0]),
    ("king", [1.0, 0.0, 1.0, 0.0]),
    ("queen", [0.0, 1.0, 1.0, 0.0]),
    ("boy", [1.0, 0.0, 0.0, 1.0]),
    ("girl", [0.0, 1.0, 0.0, 1.0]),
    ("apple", [0.1, 0.2, -0.3, 0.05]),
]
QUESTIONS = """: family
man woman king queen
man woman boy girl
Man Woman King Queen
man king woman apple
man woman zebra girl
: empty-section
: gram-toy
king queen man woman
boy girl man woman
"""
# Expected with the full vocabulary: family 3/4 answered (zebra skipped), gram-toy 2/2.
PAIRS = """# a comment line
Word 1\tWord 2\tHuman (mean)
man\twoman\t5.0
king\tqueen\t8.0
man\tapple\t1.0
boy\tgirl\t7.0
zebra\tman\t3.0
"""

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what)


def write_text(path):
    with open(path, "w", encoding="utf-8") as f:
        f.write("%d %d\n" % (len(WORDS), len(WORDS[0][1])))
        for w, v in WORDS:
            f.write("%s %s \n" % (w, " ".join(repr(x) for x in v)))


def write_binary(path):
    with open(path, "wb") as f:
        f.write(b"%d %d\n" % (len(WORDS), len(WORDS[0][1])))
        for w, v in WORDS:
            f.write(w.encode() + b" " + struct.pack("<%df" % len(v), *v) + b"\n")


def run_eval(vec, questions, pairs, extra=(), restrict=30000):
    p = subprocess.run([PY, os.path.join(HERE, "bench_eval.py"), vec, "--questions", questions,
                        "--pairs", pairs, "--restrict", str(restrict)] + list(extra),
                       capture_output=True, text=True)
    check(p.returncode == 0, "bench_eval exit status 0 (%s)" % p.stderr.strip())
    return json.loads(p.stdout) if p.returncode == 0 else None


def main():
    with tempfile.TemporaryDirectory() as d:
        q = os.path.join(d, "q.txt")
        pr = os.path.join(d, "pairs.tsv")
        with open(q, "w") as f:
            f.write(QUESTIONS)
        with open(pr, "w") as f:
            f.write(PAIRS)
        txt, binf = os.path.join(d, "v.txt"), os.path.join(d, "v.bin")
        write_text(txt)
        write_binary(binf)

        results = {}
        for name, path, fmt in (("text", txt, "text"), ("binary", binf, "binary")):
            r = run_eval(path, q, pr)
            if r is None:
                continue
            results[name] = r
            check(r["vectors"]["format"] == fmt, "%s file sniffed as %s" % (name, fmt))
            an, si = r["gensim"]["analogy"], r["gensim"]["similarity"]
            check((an["correct"], an["total"], an["skipped"]) == (5, 6, 1),
                  "%s: analogy correct/total/skipped 5/6/1, got %s/%s/%s"
                  % (name, an["correct"], an["total"], an["skipped"]))
            check(an["semantic"] == {"correct": 3, "total": 4}, "%s: semantic 3/4" % name)
            check(an["syntactic"] == {"correct": 2, "total": 2}, "%s: syntactic 2/2" % name)
            check([s["name"] for s in an["sections"]] == ["family", "empty-section", "gram-toy"],
                  "%s: sections in file order, empty one kept" % name)
            check((si["pairs"], si["skipped"]) == (4, 1), "%s: 4 pairs, 1 skipped" % name)
            check(r["disagreements"] == [] and r["w2v"] is None, "%s: nothing to compare" % name)
        if "text" in results and "binary" in results:
            a, b = results["text"]["gensim"], results["binary"]["gensim"]
            check(abs(a["similarity"]["spearman"] - b["similarity"]["spearman"]) < 1e-6,
                  "text and binary give the same Spearman")

        # A restricted vocabulary of 5 words (the .. queen) leaves boy/girl/apple out:
        # the two king/queen questions and the gram one remain, all right.
        r = run_eval(txt, q, pr, restrict=5)
        if r:
            an = r["gensim"]["analogy"]
            check((an["correct"], an["total"], an["skipped"]) == (3, 3, 4),
                  "restrict 5: 3/3 answered, 4 skipped, got %s/%s, %s"
                  % (an["correct"], an["total"], an["skipped"]))

        # The comparator: gensim's own numbers agree; planted differences do not.
        g = results.get("text", {}).get("gensim")
        if g:
            wa, ws = os.path.join(d, "wa.json"), os.path.join(d, "ws.json")

            def compare_with(analogy, similarity):
                with open(wa, "w") as f:
                    json.dump(analogy, f)
                with open(ws, "w") as f:
                    json.dump(similarity, f)
                return run_eval(txt, q, pr, ["--w2v-analogy", wa, "--w2v-similarity", ws])

            r = compare_with(g["analogy"], g["similarity"])
            check(r and r["disagreements"] == [], "identical results agree: %s" % (r and r["disagreements"]))
            bad_an = json.loads(json.dumps(g["analogy"]))
            bad_an["correct"] += 1
            bad_an["sections"][0]["total"] -= 1
            bad_si = dict(g["similarity"], spearman=g["similarity"]["spearman"] + 1e-4)
            r = compare_with(bad_an, bad_si)
            dis = r["disagreements"] if r else []
            check(len(dis) == 3, "three planted differences reported, got %s" % dis)
            near = dict(g["similarity"], pearson=g["similarity"]["pearson"] + 5e-7)
            r = compare_with(g["analogy"], near)
            check(r and r["disagreements"] == [], "a difference within 1e-6 is tolerated")

        # The real thing, once w2v has its eval commands.
        w2v = os.path.join(ROOT, "w2v")
        if os.access(w2v, os.X_OK) and implements(w2v, "eval-analogy") and implements(w2v, "eval-similarity"):
            for path in (txt, binf):
                wa, ws = os.path.join(d, "wa.json"), os.path.join(d, "ws.json")
                for cmd, out in (([w2v, "eval-analogy", path, q, "--restrict", "30000", "--json"], wa),
                                 ([w2v, "eval-similarity", path, pr, "--json"], ws)):
                    with open(out, "w") as f:
                        p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, text=True)
                    check(p.returncode == 0, "%s exits 0 (%s)" % (" ".join(cmd[1:2]), p.stderr.strip()))
                r = run_eval(path, q, pr, ["--w2v-analogy", wa, "--w2v-similarity", ws])
                check(r and r["disagreements"] == [],
                      "w2v eval-* agree with gensim on %s: %s" % (os.path.basename(path), r and r["disagreements"]))
        else:
            print("note: w2v eval-analogy/eval-similarity not available; skipped the w2v cross-check")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def implements(w2v, cmd):
    p = subprocess.run([w2v, cmd, "--help"], capture_output=True, text=True)
    return "not implemented" not in (p.stdout + p.stderr).lower()


if __name__ == "__main__":
    sys.exit(main())
