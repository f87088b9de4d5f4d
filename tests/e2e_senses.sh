#!/bin/sh
# End-to-end checks of train --senses, w2v senses and w2v disambiguate:
# a planted corpus (one token in two disjoint contexts gets two senses, one
# in one context gets one), the main output unchanged, hand-made senses
# files with known answers, and every bad-input case of issue 15.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

# ---- the planted corpus -------------------------------------------------------
# Sentences of 12 words from topic a (a0..a24) or topic b (b0..b24),
# alternating; `bank` is the 7th word of every sentence (two disjoint
# contexts), `calm` the 4th word of every topic-a sentence (one context).
awk 'BEGIN { srand(3)
  for (s = 0; s < 3000; s++) {
    t = s % 2 ? "a" : "b"; line = ""
    for (i = 0; i < 12; i++) {
      if (i == 6) w = "bank"; else if (i == 3 && t == "a") w = "calm"; else w = t int(rand() * 25)
      line = line (i ? " " : "") w }
    print line } }' >"$TMP/planted.txt"
PLAIN="--model skipgram --sample 0 --threads 1 --dim 32 --min-count 1 --quiet"

check "train --senses" "$W2V" train "$TMP/planted.txt" -o "$TMP/vec.bin" $PLAIN \
    --senses 3 --senses-output "$TMP/senses.bin"
check "the context file is written beside" test -s "$TMP/senses.bin.ctx"
"$W2V" senses "$TMP/senses.bin" bank calm -k 5 >"$TMP/senses.out" 2>"$TMP/senses.err"
check "w2v senses exits 0" test $? -eq 0
n_bank=$(grep -c '^bank#' "$TMP/senses.out")
n_calm=$(grep -c '^calm#' "$TMP/senses.out")
if [ "$n_bank" -eq 2 ]; then pass; else fail "bank (two contexts) has $n_bank senses, not 2"; fi
if [ "$n_calm" -eq 1 ]; then pass; else fail "calm (one context) has $n_calm senses, not 1"; fi
# Each sense of bank has the words of one topic as its neighbours.
awk '/^bank#/ { s = $1; next } /^  / && s { t[s] = t[s] substr($1, 1, 1) } /^$/ { s = "" }
     END { if (t["bank#1"] ~ /^a+$/ && t["bank#2"] ~ /^b+$/) exit 0
           if (t["bank#1"] ~ /^b+$/ && t["bank#2"] ~ /^a+$/) exit 0; exit 1 }' "$TMP/senses.out"
check "each sense of bank is one topic" test $? -eq 0
# Shares: both senses about half, summing to 1.
awk -F'\t' '/^bank#/ { s += $2; if ($2 < 0.4) bad = 1 } END { exit !(s > 0.99 && s < 1.01 && !bad) }' \
    "$TMP/senses.out"
check "the shares of bank's senses are about half each" test $? -eq 0
# The senses file is a word2vec file: nearest reads it.
check "nearest reads the senses file" "$W2V" nearest "$TMP/senses.bin" bank#1 -k 1

# disambiguate: the context picks the sense whose neighbours are its topic.
a_sense=$(awk '/^bank#/ { s = $1; getline; if (substr($1, 1, 1) == "a") print s }' "$TMP/senses.out")
b_sense=$(awk '/^bank#/ { s = $1; getline; if (substr($1, 1, 1) == "b") print s }' "$TMP/senses.out")
out=$("$W2V" disambiguate "$TMP/senses.bin" "a1 a2 a3 bank a4 a5" "b1 b2 bank b3 calm")
if [ "$out" = "a1#1 a2#1 a3#1 $a_sense a4#1 a5#1
b1#1 b2#1 $b_sense b3#1 calm#1" ]; then pass; else fail "disambiguate: '$out' ($a_sense/$b_sense)"; fi
out=$(printf 'b4 bank b5\nnothing known here\n' | "$W2V" disambiguate "$TMP/senses.bin")
if [ "$out" = "b4#1 $b_sense b5#1
nothing known here" ]; then pass; else fail "disambiguate from stdin: '$out'"; fi

# Two threads (the sense table shared without locks): the same senses. The
# run is not deterministic: once in some 2,500 runs bank had a third sense
# (a context whose best cosine to both centres fell below the threshold
# opens one). Count the senses that hold at least a tenth of the word's
# occurrences, so that a sense a stray context opened does not count.
check "train --senses, 2 threads" "$W2V" train "$TMP/planted.txt" -o "$TMP/vec2.bin" \
    --model skipgram --sample 0 --threads 2 --dim 32 --min-count 1 --quiet --seed 5 \
    --senses 3 --senses-output "$TMP/senses2.bin"
n2=$("$W2V" senses "$TMP/senses2.bin" bank calm -k 0 |
     awk -F'\t' '$2 >= 0.1 { split($1, w, "#"); n[w[1]]++ } END { print n["bank"] + 0, n["calm"] + 0 }')
if [ "$n2" = "2 1" ]; then pass; else fail "2 threads: bank and calm have '$n2' senses of 10% or more, not '2 1'"; fi

# The main output is plain skip-gram's: one thread, one seed, same bytes.
"$W2V" train "$TMP/planted.txt" -o "$TMP/plain.bin" $PLAIN
check "vec.bin with --senses equals plain skip-gram" cmp -s "$TMP/vec.bin" "$TMP/plain.bin"
# Text output: both files in the text format.
check "train --senses --text" "$W2V" train "$TMP/planted.txt" -o "$TMP/vec.txt" $PLAIN --text \
    --senses 2 --senses-output "$TMP/senses.txt"
check "text senses file reads" "$W2V" senses "$TMP/senses.txt" bank -k 0
check "text context file" head -c 20 "$TMP/senses.txt.ctx"

# ---- hand-made files with known answers -------------------------------------------
# The centres' lengths are the counts (30 and 10: shares .75/.25); </s> holds
# the mean context (zero here).
printf '3 4\nbank#1 1 0 0 0\nbank#2 0 1 0 0\ncalm#1 0 0 1 0\n' >"$TMP/h.txt"
printf '11 4\n</s> 0 0 0 0\nriver 1 0 0 0.1\nwater 0.9 0.1 0 0\nmoney 0 1 0 0.1\nloan 0.1 0.9 0 0\ncalm 0 0 1 0\nbank 0.5 0.5 0 0\nthe 0 0 0 1\nbank#1 24 0 0 18\nbank#2 0 8 0 6\ncalm#1 0 0 5 0\n' \
    >"$TMP/h.txt.ctx"
out=$("$W2V" senses "$TMP/h.txt" bank -k 2)
want=$(printf 'bank#1\t0.750\t30\n  river\t0.995037\n  water\t0.993884\n\nbank#2\t0.250\t10\n  money\t0.995037\n  loan\t0.993884\n')
if [ "$out" = "$want" ]; then pass; else fail "senses on the hand-made file: '$out'"; fi
out=$("$W2V" disambiguate "$TMP/h.txt" "the river bank" "money bank loan" "bank")
if [ "$out" = "the river bank#1
money bank#2 loan
bank#1" ]; then pass; else fail "disambiguate on the hand-made file: '$out'"; fi

# ---- bad input -------------------------------------------------------------------
expect_error 2 "--senses 0" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --senses 0 --senses-output "$TMP/s.bin"
expect_error 2 "--senses absurd" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --senses 1000 --senses-output "$TMP/s.bin"
expect_error 2 "--senses without --senses-output" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --senses 3
expect_error 2 "--senses-output without --senses" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --senses-output "$TMP/s.bin"
expect_error 2 "--senses with CBOW" -- train "$TMP/planted.txt" -o "$TMP/x.bin" --model cbow --senses 3 --senses-output "$TMP/s.bin"
grep -q 'skipgram' "$TMP/err" && pass || fail "the CBOW error names skipgram: $(cat "$TMP/err")"
expect_error 2 "--senses with HS only" -- train "$TMP/planted.txt" -o "$TMP/x.bin" --model skipgram --hs --negative 0 --senses 3 --senses-output "$TMP/s.bin"
expect_error 2 "--senses-output equal to -o" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --senses 3 --senses-output "$TMP/x.bin"
expect_error 2 "--senses-threshold out of range" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --senses 3 --senses-output "$TMP/s.bin" --senses-threshold 2
expect_error 2 "--senses with the reference kernel" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --kernel reference --senses 3 --senses-output "$TMP/s.bin"
expect_error 2 "the senses kernel without --senses" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --kernel senses
expect_error 2 "--senses with --classes" -- train "$TMP/planted.txt" -o "$TMP/x.bin" $PLAIN --senses 3 --senses-output "$TMP/s.bin" --classes 2
check "no output after usage errors" test ! -e "$TMP/x.bin" -a ! -e "$TMP/s.bin"
expect_error 1 "senses on plain vectors" -- senses "$TMP/vec.bin" bank
grep -q 'not a senses file' "$TMP/err" && pass || fail "plain vectors: $(cat "$TMP/err")"
expect_error 1 "disambiguate on plain vectors" -- disambiguate "$TMP/vec.bin" "a b"
expect_error 1 "a word without senses" -- senses "$TMP/senses.bin" nosuchword
expect_error 2 "senses without a word" -- senses "$TMP/senses.bin"
expect_error 2 "senses without a file" -- senses
expect_error 2 "disambiguate without a file" -- disambiguate
cp "$TMP/senses.bin" "$TMP/lonely.bin"
expect_error 1 "a senses file without its context file" -- senses "$TMP/lonely.bin" bank
grep -q 'lonely.bin.ctx' "$TMP/err" && pass || fail "missing .ctx: $(cat "$TMP/err")"
cp "$TMP/h.txt.ctx" "$TMP/lonely.bin.ctx"
expect_error 1 "a context file of another senses file" -- senses "$TMP/lonely.bin" bank
printf ': s\nking queen man woman\n' >"$TMP/q.txt"
printf 'bank bank 5\n' >"$TMP/ws.txt"
expect_error 1 "eval-analogy on a senses file" -- eval-analogy "$TMP/senses.bin" "$TMP/q.txt"
grep -q 'main vectors' "$TMP/err" && pass || fail "eval on senses: $(cat "$TMP/err")"
expect_error 1 "eval-similarity on a senses file" -- eval-similarity "$TMP/senses.bin" "$TMP/ws.txt"

summary
