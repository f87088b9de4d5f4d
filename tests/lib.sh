# lib.sh — helpers for the shell end-to-end tests. Source it, call the
# checks, end with `summary`. Uses $W2V_BIN (set by tests/run.sh).
W2V=${W2V_BIN:-./w2v}
PASSED=0
FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/w2v-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
    desc=$1; shift
    if "$@" >"$TMP/check.out"; then pass; else fail "$desc"; fi
}

# expect_error STATUS DESCRIPTION -- w2v ARGS...: w2v must exit with STATUS,
# print exactly one stderr line starting "w2v: ", and not die by a signal.
expect_error() {
    want=$1; desc=$2; shift 3
    "$W2V" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    got=$?
    lines=$(wc -l <"$TMP/err")
    if [ "$got" -ne "$want" ]; then
        fail "$desc: exit $got, expected $want; stderr: $(head -c 300 "$TMP/err")"
    elif [ "$lines" -ne 1 ] || ! head -n 1 "$TMP/err" | grep -q '^w2v: '; then
        fail "$desc: stderr is not one 'w2v: ' line: $(head -c 300 "$TMP/err")"
    else
        pass
    fi
}

# random_model FILE SEED: a text model of 300 words "w0".."w299" with 8
# random dimensions in [-1, 1), the same for the same SEED.
random_model() {
    awk -v seed="$2" 'BEGIN { srand(seed); print 300, 8
        for (i = 0; i < 300; i++) {
            printf "w%d", i
            for (j = 0; j < 8; j++) printf " %.6f", rand() * 2 - 1
            printf "\n"
        } }' >"$1"
}

# planted_corpus FILE SEED: 3000 lines; pairs pN/qN (N < 6) only ever share
# a line with each other, fillers f0..f29 fill the other lines.
planted_corpus() {
    awk -v seed="$2" 'BEGIN { srand(seed)
        for (l = 0; l < 3000; l++) {
            s = ""
            if (rand() < 0.5) { p = int(rand() * 6); for (w = 0; w < 8; w++) s = s (rand() < 0.5 ? " p" : " q") p }
            else for (w = 0; w < 8; w++) s = s " f" int(rand() * 30)
            print s
        } }' >"$1"
}

# same_group_share VEC PROBE K: the share (in %) of the K nearest of each
# word in the file PROBE whose group matches the word's; a word's group is
# its name up to the first '_' (b2_n6: b2).
same_group_share() {
    "$W2V" nearest "$1" -k "$3" <"$2" | awk -v probe="$2" '
        BEGIN { while ((getline w < probe) > 0) q[++nq] = w; i = 1 }
        /^$/ { i++; next }
        { split(q[i], a, "_"); split($1, b, "_"); n++; same += (a[1] == b[1]) }
        END { printf "%.0f\n", n ? 100 * same / n : 0 }'
}

# shuffled_model VEC OUT: the text model of VEC with its rows given to other
# words (a shuffled embedding: what chance scores against the same vectors).
shuffled_model() {
    "$W2V" convert "$1" "$TMP/shuffle-in.txt" --text 2>/dev/null ||
        "$W2V" convert "$1" -o "$TMP/shuffle-in.txt" --text
    awk 'NR == 1 { print; next } { w[NR] = $1; $1 = ""; r[NR] = $0 }
         END { srand(11); n = NR; for (i = n; i > 2; i--) { j = 2 + int(rand() * (i - 1)); t = w[i]; w[i] = w[j]; w[j] = t }
               for (i = 2; i <= n; i++) print w[i] r[i] }' "$TMP/shuffle-in.txt" >"$2"
}

# links_auc VEC HELD TRAIN: eval-links' AUC of VEC on the held-out edges.
links_auc() {
    "$W2V" eval-links "$1" "$2" --exclude "$3" --json | sed 's/.*"auc": \([0-9.]*\).*/\1/'
}

# planted_check LABEL VEC WALKS HELD TRAIN: the planted-partition property
# of the node vectors VEC (nodes named bK_nI, scripts/sbm.sh): for 40 nodes
# (the first names of the walks file WALKS), at least 80% of the 10 nearest
# in their own block (chance: 1 in 4); eval-links AUC on the edges HELD out
# of TRAIN at least 0.7, and at most 0.6 for the same vectors shuffled
# among the nodes. Sets $same, $auc and $auc_shuf for the caller's report.
planted_check() {
    awk '{ print $1 }' "$3" | sort -u | head -n 40 >"$TMP/probe"
    same=$(same_group_share "$2" "$TMP/probe" 10)
    check "$1: same-block neighbours: $same% of the 10 nearest (chance 25%)" test "$same" -ge 80
    auc=$(links_auc "$2" "$4" "$5")
    shuffled_model "$2" "$TMP/shuffled.txt"
    auc_shuf=$(links_auc "$TMP/shuffled.txt" "$4" "$5")
    check "$1: AUC $auc >= 0.7" awk -v a="$auc" 'BEGIN { exit !(a >= 0.7) }'
    check "$1: shuffled AUC $auc_shuf <= 0.6" awk -v a="$auc_shuf" 'BEGIN { exit !(a <= 0.6 && a > 0) }'
}

summary() {
    echo "$(basename "$0"): $PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
