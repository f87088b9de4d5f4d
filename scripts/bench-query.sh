#!/bin/sh
# bench-query.sh — how fast does `w2v nearest` answer from a big binary model?
#
#   scripts/bench-query.sh [ROWS...]        default: 1000000 3000000
#
# For each size it generates (once) a synthetic binary model of ROWS x DIM
# random vectors with realistic word lengths under $BENCH_DIR (default
# work/bench, git-ignored), warms the page cache, then times, REPS times each
# and reports the median:
#   cat MODEL > /dev/null                   (how fast the bytes come)
#   w2v nearest MODEL WORD -k 10            (a whole cold process)
#   the same with MODEL.w2vi beside it      (w2v index; built once, timed)
# (these three alternate, REPS rounds, so that a change of load hits all)
#   gensim load_word2vec_format + most_similar (once; BENCH_GENSIM=0 skips)
#   QUERIES words fed on stdin to one w2v nearest process (queries/s)
# Environment: W2V (binary, default ./w2v), DIM (300), REPS (5), QUERIES
# (1000), BENCH_DIR, BENCH_GENSIM (1), THREADS (w2v --threads; default all).
# Needs /usr/bin/python3 with numpy to generate the models. Not part of CI.
set -eu
W2V=${W2V:-./w2v}
DIM=${DIM:-300}
REPS=${REPS:-5}
QUERIES=${QUERIES:-1000}
DIR=${BENCH_DIR:-work/bench}
GENSIM=${BENCH_GENSIM:-1}
THREADS_OPT=""
[ -n "${THREADS:-}" ] && THREADS_OPT="--threads $THREADS"
[ $# -gt 0 ] || set -- 1000000 3000000
mkdir -p "$DIR"

# gen ROWS: write $DIR/vec-ROWSxDIM.bin (+ .words: QUERIES query words).
gen() {
    out="$DIR/vec-$1x$DIM.bin"
    [ -s "$out" ] && [ -s "$out.words" ] && return 0
    echo "generating $out ..." >&2
    /usr/bin/python3 - "$1" "$DIM" "$out" "$QUERIES" <<'EOF'
import sys
import numpy as np
rows, dim, out, nq = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rng = np.random.default_rng(12345)
alphabet = b"abcdefghijklmnopqrstuvwxyz"
digits = "0123456789abcdefghijklmnopqrstuvwxyz"
def b36(i):
    s = ""
    while True:
        s = digits[i % 36] + s
        i //= 36
        if i == 0:
            return s
# Word = letters + "_" + base-36 row number: unique, 4 to ~16 bytes, like
# the mix of words and phrases in pretrained models.
letters = rng.integers(0, 26, size=rows * 12, dtype=np.uint8)
letters = np.frombuffer(alphabet, dtype=np.uint8)[letters].tobytes().decode()
lens = rng.integers(1, 12, size=rows)
words = []
with open(out + ".tmp", "wb") as f:
    f.write(b"%d %d\n" % (rows, dim))
    chunk = 50000
    pos = 0
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        vecs = (rng.standard_normal((n, dim), dtype=np.float32) * 0.1).astype("<f4")
        parts = []
        for i in range(n):
            r = start + i
            w = letters[pos:pos + lens[r]] + "_" + b36(r)
            pos += lens[r]
            words.append(w) if r % max(1, rows // (4 * nq)) == 0 else None
            parts.append(w.encode() + b" " + vecs[i].tobytes() + b"\n")
        f.write(b"".join(parts))
import os
os.replace(out + ".tmp", out)
pick = rng.choice(len(words), size=nq, replace=len(words) < nq)
with open(out + ".words", "w") as f:
    for i in pick:
        f.write(words[i] + "\n")
EOF
}

now_ns() { date +%s%N; }

catfile() { cat "$1"; }

# median FILE: the median of the numbers in FILE, one a line.
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# spread FILE: "min-max" of the numbers in FILE.
spread() { sort -n "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }

# time_ms OUTFILE CMD...: run CMD once (stdout to /dev/null), append its ms.
time_ms() {
    f=$1
    shift
    t0=$(now_ns)
    "$@" >/dev/null
    t1=$(now_ns)
    echo $(((t1 - t0) / 1000000)) >>"$f"
}

printf '%-22s %8s %11s %6s %11s %6s %9s %9s %12s %10s\n' model "cat ms" "nearest ms" ratio \
    "+w2vi ms" ratio "index ms" "gensim s" "gensim q ms" "stdin q/s"
for rows in "$@"; do
    gen "$rows"
    model="$DIR/vec-${rows}x$DIM.bin"
    word=$(head -n 1 "$model.words")
    cat "$model" >/dev/null # warm the page cache
    cat "$model" >/dev/null
    rm -f "$model.w2vi" "$DIR/index.ms"
    time_ms "$DIR/index.ms" "$W2V" index "$model"
    index_ms=$(cat "$DIR/index.ms")
    mv "$model.w2vi" "$DIR/side.w2vi"
    : >"$DIR/cat.ms"
    : >"$DIR/near.ms"
    : >"$DIR/side.ms"
    i=0
    while [ $i -lt "$REPS" ]; do
        time_ms "$DIR/cat.ms" catfile "$model"
        # shellcheck disable=SC2086
        time_ms "$DIR/near.ms" "$W2V" nearest "$model" "$word" -k 10 $THREADS_OPT
        mv "$DIR/side.w2vi" "$model.w2vi"
        # shellcheck disable=SC2086
        time_ms "$DIR/side.ms" "$W2V" nearest "$model" "$word" -k 10 $THREADS_OPT
        mv "$model.w2vi" "$DIR/side.w2vi"
        i=$((i + 1))
    done
    rm -f "$DIR/side.w2vi"
    cat_ms=$(median "$DIR/cat.ms")
    near_ms=$(median "$DIR/near.ms")
    side_ms=$(median "$DIR/side.ms")
    ratio=$(awk -v a="$near_ms" -v b="$cat_ms" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }')
    side_ratio=$(awk -v a="$side_ms" -v b="$cat_ms" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }')
    head -n "$QUERIES" "$model.words" >"$DIR/queries"
    nq=$(wc -l <"$DIR/queries")
    t0=$(now_ns)
    # shellcheck disable=SC2086
    "$W2V" nearest "$model" -k 10 $THREADS_OPT <"$DIR/queries" >/dev/null
    t1=$(now_ns)
    qps=$(awk -v n="$nq" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }')
    g_load="-" g_query="-"
    if [ "$GENSIM" = 1 ] && /usr/bin/python3 -c 'import gensim' 2>/dev/null; then
        g_out=$(/usr/bin/python3 - "$model" "$word" <<'EOF'
import sys, time
from gensim.models import KeyedVectors
t0 = time.perf_counter()
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=True)
t1 = time.perf_counter()
kv.most_similar(sys.argv[2], topn=10)
t2 = time.perf_counter()
kv.most_similar(sys.argv[2], topn=10)
t3 = time.perf_counter()
print("%.2f %.0f/%.0f" % (t1 - t0, (t2 - t1) * 1000, (t3 - t2) * 1000))
EOF
        )
        g_load=${g_out%% *} g_query=${g_out#* }
    fi
    printf '%-22s %8s %11s %6s %11s %6s %9s %9s %12s %10s\n' "${rows}x$DIM" "$cat_ms" "$near_ms" \
        "$ratio" "$side_ms" "$side_ratio" "$index_ms" "$g_load" "$g_query" "$qps"
    printf '%-22s min-max ms of %s: cat %s, nearest %s, +w2vi %s\n' "" "$REPS" \
        "$(spread "$DIR/cat.ms")" "$(spread "$DIR/near.ms")" "$(spread "$DIR/side.ms")"
done
echo "(gensim q ms: first most_similar, which computes the norms / a second one)"
