#!/bin/sh
# w2v walks and w2v eval-links end to end: hostile graph files, the walks
# themselves (every step an edge, reproducible, p/q bias), and the planted
# partition property: walks -> train -> same-block nodes nearer than other
# nodes, and link-prediction AUC above what a shuffled embedding reaches.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SBM="$HERE/../scripts/sbm.sh"

G=$TMP/g
OUT=$TMP/walks.txt
no_output() {
    if [ -e "$OUT" ] || ls "$TMP" | grep --quiet '\.tmp\.'; then fail "$1: output left behind"; else pass; fi
    rm -f "$OUT"
}
# bad_graph STATUS DESCRIPTION FILE [OPTIONS...]: one error line naming the
# problem, no output file.
bad_graph() {
    st=$1; desc=$2; file=$3; shift 3
    expect_error "$st" "walks: $desc" -- walks "$file" -o "$OUT" --threads 2 "$@"
    no_output "$desc"
}

# ---- bad options ----------------------------------------------------------------
# (Bad graph files, for walks and train --graph alike: e2e_hostile.sh.)
printf 'a b c d\n' >"$G.four"
printf 'a b\n' >"$G.ok"
bad_graph 2 "no -o" "$G.ok" -o
expect_error 2 "walks: no output option" -- walks "$G.ok"
bad_graph 2 "--p 0" "$G.ok" --p 0
bad_graph 2 "--q -1" "$G.ok" --q -1
bad_graph 2 "--length 0" "$G.ok" --length 0
bad_graph 2 "--walks x" "$G.ok" --walks x
bad_graph 2 "an unknown option" "$G.ok" --teleport 3
# -q would be ambiguous (quiet or node2vec q): walks has no short -q.
bad_graph 2 "-q (ambiguous: --q or --quiet)" "$G.ok" -q 4
expect_error 1 "walks: output into a missing directory" -- walks "$G.ok" -o "$TMP/no/dir/w.txt"

# ---- defined answers ---------------------------------------------------------------
# Isolated nodes, self-loops, repeats, comments, a weight column, CRs.
printf '# tiny\na b 2\r\nb a\nc c\nsolo   # alone\nd e 1.5\n' >"$G.tiny"
"$W2V" walks "$G.tiny" -o "$OUT" --walks 3 --length 6 --seed 4 2>"$TMP/err"
check "tiny graph: walks written" test -s "$OUT"
check "tiny graph: summary names 6 nodes, 3 edges, 1 loop, 1 repeat" \
    grep --quiet "6 nodes, 3 edges (1 self-loops, 1 repeated lines merged)" "$TMP/err"
check "tiny graph: 3 walks per node" test "$(wc -l <"$OUT")" -eq 18
check "isolated node: its walks are the node alone" \
    test "$(grep -c '^solo$' "$OUT")" -eq 3
check "self-loop: c only ever goes to c" test "$(grep -c '^c c c c c c$' "$OUT")" -eq 3
check "no walk mentions a comment" sh -c '! grep --quiet "#\|alone\|tiny" "$1"' sh "$OUT"
"$W2V" walks "$G.tiny" -o - --walks 3 --length 6 --seed 4 --quiet >"$TMP/stdout.txt"
check "-o - writes the same walks to stdout" cmp -s "$OUT" "$TMP/stdout.txt"
printf 'a b 2\n' | "$W2V" walks - -o - --quiet --weighted --walks 1 --length 3 >"$TMP/stdin.txt"
check "GRAPH - reads stdin" test "$(wc -l <"$TMP/stdin.txt")" -eq 2
printf 'a b\nb c\n' >"$G.dir"
"$W2V" walks "$G.dir" -o "$OUT" --directed --walks 1 --length 5 --quiet
check "directed: a walk from c (a sink) is c alone" grep -qx 'c' "$OUT"
check "directed: a -> b -> c and no way back" grep -qx 'a b c' "$OUT"

# SIGINT: exit 130, one error line, no output file.
rm -f "$OUT"
"$W2V" walks "$G.ok" -o "$OUT" --walks 1000000000 --length 2 --threads 2 --quiet 2>"$TMP/err" &
pid=$!
sleep 0.5
kill -INT "$pid"
wait "$pid"
st=$?
check "SIGINT: exit 130 (got $st)" test "$st" -eq 130
check "SIGINT: one error line" grep --quiet "^w2v: error: interrupted by signal 2" "$TMP/err"
no_output "SIGINT"

# ---- walks on a planted partition -------------------------------------------------
sh "$SBM" 400 4 4000 0.85 3 >"$G.all"
check "sbm: 4000 edges and a header" test "$(wc -l <"$G.all")" -eq 4001
awk 'NR > 1 && NR % 10 == 0' "$G.all" >"$G.held"
awk 'NR == 1 || NR % 10 != 0' "$G.all" >"$G.train"
"$W2V" walks "$G.train" -o "$TMP/w1" --walks 10 --length 40 --threads 1 --seed 5 --quiet
"$W2V" walks "$G.train" -o "$TMP/w3" --walks 10 --length 40 --threads 3 --seed 5 --quiet
check "walks: the same output with 1 and 3 threads" cmp -s "$TMP/w1" "$TMP/w3"
"$W2V" walks "$G.train" -o "$TMP/w6" --walks 10 --length 40 --threads 1 --seed 6 --quiet
check "walks: another seed, other walks" sh -c '! cmp -s "$1" "$2"' sh "$TMP/w1" "$TMP/w6"
# Every step of every walk is an edge of the training graph (either way).
check "walks: every step follows an edge" awk '
    NR == FNR { if ($1 !~ /^#/) { e[$1 " " $2] = 1; e[$2 " " $1] = 1 }; next }
    { for (i = 2; i <= NF; i++) if (!(($(i-1) " " $i) in e)) { print "not an edge: " $(i-1) " " $i; exit 1 } }
' "$G.train" "$TMP/w1"
# Return frequency: share of steps x_i = x_{i-2}; p 0.25 returns more, p 4 less.
returns() {
    awk '{ for (i = 3; i <= NF; i++) { n++; r += ($i == $(i-2)) } } END { printf "%.0f\n", 10000 * r / n }' "$1"
}
"$W2V" walks "$G.train" -o "$TMP/wp" --walks 5 --length 40 --p 0.25 --seed 5 --quiet
"$W2V" walks "$G.train" -o "$TMP/wP" --walks 5 --length 40 --p 4 --seed 5 --quiet
r1=$(returns "$TMP/w1"); rlow=$(returns "$TMP/wp"); rhigh=$(returns "$TMP/wP")
check "p 0.25 returns more than DeepWalk ($rlow vs $r1 per 10000)" test "$rlow" -gt $((2 * r1))
check "p 4 returns less than DeepWalk ($rhigh vs $r1 per 10000)" test $((2 * rhigh)) -lt "$r1"

# ---- the planted property ---------------------------------------------------------
V=$TMP/v.bin
"$W2V" train "$TMP/w1" -o "$V" --model skipgram --min-count 1 --sample 0 --dim 32 \
    --window 5 --epochs 3 --threads 1 --seed 1 --quiet
check "train on the walks" test -s "$V"
planted_check "walks" "$V" "$TMP/w1" "$G.held" "$G.train"
"$W2V" eval-links "$V" "$G.held" >"$TMP/links.txt"
check "eval-links: a readable line" grep --quiet "^AUC 0\.[0-9]*: [0-9]* held-out edges" "$TMP/links.txt"
a1=$("$W2V" eval-links "$V" "$G.held" --seed 3 --json)
a2=$("$W2V" eval-links "$V" "$G.held" --seed 3 --json)
check "eval-links: the same seed, the same answer" test "$a1" = "$a2"

# ---- the README example (data/graph.txt) -------------------------------------------
"$W2V" walks "$HERE/../data/graph.txt" -o "$TMP/readme-walks.txt" --quiet
"$W2V" train "$TMP/readme-walks.txt" -o "$TMP/readme.bin" --model skipgram --min-count 1 \
    --sample 0 --dim 32 --epochs 3 --threads 1 --quiet
check "README: the 5 nearest of b2_n6 are all in block 2" sh -c \
    '[ "$("$1" nearest "$2" b2_n6 -k 5 | grep -c "^b2_")" -eq 5 ]' sh "$W2V" "$TMP/readme.bin"
check "README: AUC on data/graph-held.txt is about 0.8" sh -c '"$1" eval-links "$2" "$3" --exclude "$4" |
    grep --quiet "^AUC 0\.[78][0-9]*: 160 held-out edges"' sh "$W2V" "$TMP/readme.bin" \
    "$HERE/../data/graph-held.txt" "$HERE/../data/graph.txt"

# ---- eval-links on bad input -------------------------------------------------------
expect_error 2 "eval-links: one argument" -- eval-links "$V"
expect_error 1 "eval-links: a missing vector file" -- eval-links "$TMP/none.bin" "$G.held"
expect_error 1 "eval-links: a bad held-out file" -- eval-links "$V" "$G.four"
printf 'zz yy\n' >"$G.unknown"
expect_error 1 "eval-links: no held-out edge in the vectors" -- eval-links "$V" "$G.unknown"

echo "planted: same-block $same%, AUC $auc, shuffled $auc_shuf" >&2
summary
