#!/bin/sh
# e2e_bench_pool.sh — scripts/bench-threads.sh --pool: the tables of earlier
# runs' raw.tsv files together. The docs' thread figures are pooled this way
# (docs/threads/), so the pooling must keep each file's rounds apart: two
# files both have a round 1, and "by round" must pair a run with its own
# file's one-thread run, not the other file's.
. "$(dirname "$0")/lib.sh"
BENCH="$(dirname "$0")/../scripts/bench-threads.sh"

if ! command -v bash >/dev/null; then
    echo "e2e_bench_pool.sh: no bash, skipped"
    summary
    exit $?
fi

# raw_run FILE W1 W2 HI LO P0 P1 PROC: a raw.tsv of one round of CBOW + NS
# (binary, config, threads, train s, words/s, wall s, line ns: the larger
# reading and the smaller, round): W1 and W2 words/s at 1 and 2 threads,
# the 2-thread run's line readings HI and LO, P0 and P1 one thread pinned
# to CPU 0 and 1, PROC two one-thread processes summed.
raw_run() {
    {
        printf 'w2v\tcbow-ns\t1\t10\t%s\t11\t-\t-\t1\n' "$2"
        printf 'w2v\tcbow-ns\t2\t5\t%s\t6\t%s\t%s\t1\n' "$3" "$4" "$5"
        printf 'w2v\tcbow-ns\t1@cpu0\t10\t%s\t11\t-\t-\t1\n' "$6"
        printf 'w2v\tcbow-ns\t1@cpu1\t10\t%s\t11\t-\t-\t1\n' "$7"
        printf '2x1 process\tcbow-ns\t2\t10\t%s\t11\t-\t-\t1\n' "$8"
    } >"$1"
}
# Run A: 2 threads 1.8x its one thread, vCPUs far; run B: 2.0x, near. The
# pinned runs average to the unpinned one; two processes make 1.9x in both.
raw_run "$TMP/a.tsv" 100 180 450 440 90 110 190
raw_run "$TMP/b.tsv" 200 400 50 40 180 220 380

out=$TMP/pooled.md
bash "$BENCH" --pool "$TMP/a.tsv,$TMP/b.tsv" >"$out" 2>"$TMP/pool.err"
check "--pool prints the tables of two raw files" test $? -eq 0 -a -s "$out"
check "... and says what it pooled: 2 runs, 2 rounds" grep -q "^pooled: 2 runs' raw tables, 2 rounds" "$out"
# by round: 1.8x and 2.0x, each run against its own file's round; keyed by
# round number alone, B's runs would overwrite A's (2.00x, 2.00-2.00)
check "... 2 threads by round: median and range of the two files' rounds" \
    grep -q '^| w2v | cbow-ns | 2 | .* | 1\.90x (1\.80-2\.00) |' "$out"
check "... the speed-up of the medians: 290 / 150" grep -q '^| w2v | cbow-ns | 2 | .* | 290 | 1\.93x |' "$out"
check "... the ceiling rows found in the files" \
    grep -q '^| 2x1 process | cbow-ns | 2 | .* | 1\.90x (1\.90-1\.90) |' "$out"
check "... against the pinned mean, by round" \
    grep -q '^| cbow-ns | 2 | 290 | 150 | 1\.93x | 1\.90x (1\.80-2\.00) |' "$out"
check "... by placement: B's run near, A's far" \
    grep -q '^| w2v | cbow-ns | 2 | 1, 400 (400-400), 2\.67x | 1, 180 (180-180), 1\.20x |' "$out"

printf 'w2v\tcbow-ns\t1\n' >"$TMP/short.tsv"
check "a line that is not a raw.tsv line is an error" \
    sh -c '! bash "$1" --pool "$2" >/dev/null 2>"$3"' sh "$BENCH" "$TMP/short.tsv" "$TMP/err"
check "... named with its file and line" grep -q "short.tsv:1: not a raw.tsv line" "$TMP/err"
check "a missing file is an error" \
    sh -c '! bash "$1" --pool "$2" >/dev/null 2>"$3"' sh "$BENCH" "$TMP/none.tsv" "$TMP/err"
check "... that names it" grep -q "no raw table '.*none.tsv'" "$TMP/err"
check "--pool with --quality is refused (the quality runs are not pooled)" \
    sh -c '! bash "$1" --pool "$2" --quality >/dev/null 2>&1' sh "$BENCH" "$TMP/a.tsv"
summary
