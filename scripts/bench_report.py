#!/usr/bin/python3
"""Summarise one scripts/bench.sh run directory.

Reads RUN_DIR/meta.tsv, RUN_DIR/timings.tsv and the per-run *.eval.json files that
bench_eval.py wrote; writes RUN_DIR/runs.csv (one row per training run),
RUN_DIR/table.md (medians per tool and config) and, when w2v's evaluation and
gensim's disagree, RUN_DIR/disagreements.txt.  Prints the table on stdout.
Exit status 3 when any evaluation disagrees, 0 otherwise.
"""
import csv
import json
import os
import statistics
import sys

TOOL_ORDER = ["w2v", "gensim", "fasttext"]
CONFIG_ORDER = ["sg-ns", "cbow-ns", "sg-hs", "cbow-hs", "sg-sub", "cbow-sub"]
CONFIG_NAMES = {
    "sg-ns": "skip-gram + NS",
    "cbow-ns": "CBOW + NS",
    "sg-hs": "skip-gram + HS",
    "cbow-hs": "CBOW + HS",
    "sg-sub": "skip-gram + NS + subwords",
    "cbow-sub": "CBOW + NS + subwords",
}


def read_meta(path):
    meta = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            meta[key] = value
    return meta


def fnum(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt_seconds(x):
    return "%.2f" % x if x < 10 else "%.1f" % x


def fmt_frac(x):
    # .183 rather than 0.183, as the reference tables write scores.
    s = "%.3f" % x
    return s[1:] if s.startswith("0") else s


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench_report.py RUN_DIR")
    run_dir = sys.argv[1]
    meta = read_meta(os.path.join(run_dir, "meta.tsv"))
    tokens = int(meta["tokens"])
    epochs = int(meta["epochs"])
    w2v_eval = meta.get("w2v_eval") == "1"
    tool_label = {
        "w2v": "w2v %s" % meta.get("w2v_version", "").replace("w2v ", ""),
        "gensim": "gensim %s" % meta.get("gensim_version", "?"),
        "fasttext": "fastText %s" % meta.get("fasttext_version", "?").split("+")[0],
    }

    rows = []
    disagreements = []
    near_ties = []
    with open(os.path.join(run_dir, "timings.tsv"), encoding="utf-8") as f:
        for t in csv.DictReader(f, delimiter="\t"):
            wall, user, sys_s, rss = (fnum(t[k]) for k in ("wall_s", "user_s", "sys_s", "maxrss_kb"))
            row = {
                "rep": t["rep"], "config": t["config"], "tool": t["tool"], "status": t["status"],
                "wall_s": wall, "user_s": user, "sys_s": sys_s,
                "cpu_s": (user + sys_s) if user is not None and sys_s is not None else None,
                "maxrss_mb": rss / 1024 if rss is not None else None,
                "words_per_s": tokens * epochs / wall if wall else None,
            }
            ev = None
            if t["eval_json"]:
                with open(t["eval_json"], encoding="utf-8") as ef:
                    ev = json.load(ef)
            if ev is not None:
                g = ev["gensim"]
                w = ev.get("w2v") or {}
                an = w.get("analogy") if w_ok(w.get("analogy"), "accuracy") else g["analogy"]
                si = w.get("similarity") if w_ok(w.get("similarity"), "spearman") else g["similarity"]
                row.update({
                    "analogy_accuracy": an.get("accuracy"), "analogy_correct": an.get("correct"),
                    "analogy_total": an.get("total"), "analogy_skipped": an.get("skipped"),
                    "ws353_spearman": si.get("spearman"), "ws353_pearson": si.get("pearson"),
                    "ws353_pairs": si.get("pairs"), "ws353_skipped": si.get("skipped"),
                    "eval_by": "w2v" if ev.get("w2v") else "gensim",
                    "gensim_analogy_accuracy": g["analogy"]["accuracy"],
                    "gensim_ws353_spearman": g["similarity"]["spearman"],
                    "crosscheck": ("DISAGREE" if ev["disagreements"] else
                                   "near-tie" if ev.get("near_ties") else "agree")
                    if ev.get("w2v") else "n/a",
                    "disagreements": len(ev["disagreements"]),
                    "near_ties": len(ev.get("near_ties", [])),
                })
                # eval-* --oov on w2v's subword model (bench.sh, -sub rows).
                oov_path = t["eval_json"].replace(".eval.json", ".analogy-oov.json")
                if os.path.exists(oov_path):
                    with open(oov_path, encoding="utf-8") as of:
                        try:
                            oov = json.load(of)
                            row.update({"oov_analogy_accuracy": oov["accuracy"],
                                        "oov_analogy_total": oov["total"],
                                        "oov_analogy_asked": oov["total"] + oov["skipped"]})
                        except (ValueError, KeyError):
                            pass
                for d in ev["disagreements"]:
                    disagreements.append("r%s %s %s: %s" % (t["rep"], t["config"], t["tool"], d))
                for d in ev.get("near_ties", []):
                    near_ties.append("r%s %s %s: %s" % (t["rep"], t["config"], t["tool"], d))
            rows.append(row)

    fields = ["rep", "config", "tool", "status", "wall_s", "user_s", "sys_s", "cpu_s", "maxrss_mb",
              "words_per_s", "analogy_accuracy", "analogy_correct", "analogy_total", "analogy_skipped",
              "ws353_spearman", "ws353_pearson", "ws353_pairs", "ws353_skipped", "eval_by",
              "gensim_analogy_accuracy", "gensim_ws353_spearman", "crosscheck", "disagreements", "near_ties",
              "oov_analogy_accuracy", "oov_analogy_total", "oov_analogy_asked"]
    with open(os.path.join(run_dir, "runs.csv"), "w", newline="", encoding="utf-8") as f:
        wr = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        wr.writeheader()
        for r in rows:
            wr.writerow({k: ("%.6g" % v if isinstance(v, float) else v) for k, v in r.items()})

    # Medians per (tool, config) over the runs that finished.
    groups = {}
    for r in rows:
        groups.setdefault((r["tool"], r["config"]), []).append(r)
    speed = {}
    summary = {}
    for key, rs in groups.items():
        ok = [r for r in rs if r["status"] == "ok" and r["wall_s"]]
        if not ok:
            summary[key] = None
            continue
        wall = statistics.median(r["wall_s"] for r in ok)
        s = {
            "runs": len(ok), "of": len(rs), "wall": wall,
            "cpu": statistics.median(r["cpu_s"] for r in ok),
            "rss": max(r["maxrss_mb"] for r in ok),
            "wps": tokens * epochs / wall,
        }
        ov = [r for r in ok if r.get("oov_analogy_total") is not None]
        if ov:
            s["oov_acc"] = statistics.median(r["oov_analogy_accuracy"] for r in ov)
            s["oov_answered"] = sorted({r["oov_analogy_total"] for r in ov})
            s["oov_asked"] = ov[0]["oov_analogy_asked"]
        ev = [r for r in ok if r.get("analogy_accuracy") is not None]
        if ev:
            s["acc"] = statistics.median(r["analogy_accuracy"] for r in ev)
            s["answered"] = sorted({r["analogy_total"] for r in ev})
            s["ws"] = statistics.median(r["ws353_spearman"] for r in ev)
            checks = [r["crosscheck"] for r in ev]
            ties = checks.count("near-tie")
            if "DISAGREE" in checks:
                s["check"] = "DISAGREE"
            elif "n/a" in checks:
                s["check"] = "gensim only"
            elif ties:
                s["check"] = "agree*" if ties == 1 else "agree* (%d runs)" % ties
            else:
                s["check"] = "agree"
        summary[key] = s
        speed[key] = s["wps"]

    lines = []
    corpus = os.path.basename(meta.get("corpus", "?"))
    lines.append("Corpus `%s` (%s tokens); %s; %s repeat(s), medians; %s; %s, %s cores."
                 % (corpus, format(tokens, ","), meta.get("settings", ""), meta.get("repeats", "?"),
                    meta.get("date", "?"), meta.get("cpu", "?"), meta.get("cores", "?")))
    lines.append("")
    lines.append("| tool | config | wall s | CPU s | peak RSS MB | words/s | × gensim | analogy (answered) | WS353 ρ | eval check |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for config in CONFIG_ORDER:
        for tool in TOOL_ORDER:
            key = (tool, config)
            if key not in groups:
                continue
            s = summary[key]
            name = tool_label[tool]
            if s is None:
                lines.append("| %s | %s | failed | | | | | | | |" % (name, CONFIG_NAMES[config]))
                continue
            g = speed.get(("gensim", config))
            ratio = "%.2f" % (s["wps"] / g) if g else "–"
            runs_note = "" if s["runs"] == s["of"] else " (%d/%d ok)" % (s["runs"], s["of"])
            if "acc" in s:
                answered = "/".join(format(a, ",") for a in s["answered"])
                acc = "%s (%s)" % (fmt_frac(s["acc"]), answered)
                ws = fmt_frac(s["ws"])
                check = s["check"]
            else:
                acc = ws = check = "–"
            lines.append("| %s | %s | %s%s | %s | %.0f | %s | %s | %s | %s | %s |" % (
                name, CONFIG_NAMES[config], fmt_seconds(s["wall"]), runs_note, fmt_seconds(s["cpu"]),
                s["rss"], format(int(round(s["wps"])), ","), ratio, acc, ws, check))
    for config in CONFIG_ORDER:
        s = summary.get(("w2v", config))
        if s and "oov_acc" in s:
            lines.append("")
            lines.append("%s, %s: with `eval-analogy --oov` (question words outside the vocabulary "
                         "from their n-grams) %s answered of %s questions (%s without), accuracy %s."
                         % (tool_label["w2v"], CONFIG_NAMES[config],
                            "/".join(format(a, ",") for a in s["oov_answered"]),
                            format(s["oov_asked"], ","),
                            "/".join(format(a, ",") for a in s.get("answered", [])) or "?",
                            fmt_frac(s["oov_acc"])))
    if meta.get("w2v_args"):
        lines.append("")
        lines.append("w2v train ran with the extra arguments `%s`." % meta["w2v_args"])
    if meta.get("skipped"):
        lines.append("")
        lines.append("Skipped: %s (its `train` command is not implemented yet)." % meta["skipped"])
    if not w2v_eval:
        lines.append("")
        lines.append("Scores from gensim's evaluate_word_analogies / evaluate_word_pairs only: "
                     "`w2v eval-*` not implemented yet, so no cross-check.")
    if near_ties:
        lines.append("")
        lines.append("\\* w2v's and gensim's scores differ only where cosines within 1e-6 of each "
                     "other came out in a different order (float rounding); details in `near-ties.txt`.")
    table = "\n".join(lines) + "\n"
    with open(os.path.join(run_dir, "table.md"), "w", encoding="utf-8") as f:
        f.write(table)
    sys.stdout.write(table)

    if near_ties:
        with open(os.path.join(run_dir, "near-ties.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(near_ties) + "\n")
        sys.stderr.write("bench_report: %d difference(s) explained by near-tied cosines (see near-ties.txt)\n"
                         % len(near_ties))
    if disagreements:
        with open(os.path.join(run_dir, "disagreements.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(disagreements) + "\n")
        sys.stderr.write("bench_report: %d disagreement(s) between w2v eval-* and gensim:\n" % len(disagreements))
        for d in disagreements[:20]:
            sys.stderr.write("  %s\n" % d)
        return 3
    return 0


def w_ok(obj, field):
    return isinstance(obj, dict) and isinstance(obj.get(field), (int, float))


if __name__ == "__main__":
    sys.exit(main())
