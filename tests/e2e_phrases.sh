#!/bin/sh
# End-to-end tests of `w2v phrases` and `w2v classes`: planted data with
# known answers, stdin/stdout, the original's option spellings, and bad
# input (one "w2v: " error line, exit 1 or 2, no output file left behind).
. "$(dirname "$0")/lib.sh"

# ---- phrases ------------------------------------------------------------------
# 800 lines of filler words with "new york" (always together) on every 20th
# line, "red" and "car" 400 times each but together only 40 times, and "bank
# of america" on every 20th line.
C=$TMP/corpus.txt
awk 'BEGIN { srand(5); for (l = 0; l < 800; l++) { s = "";
    for (i = 0; i < 12; i++) s = s "f" int(rand() * 200) " ";
    if (l % 20 == 0) s = s "new york ";
    if (l % 2 == 0) s = s (l % 20 == 10 ? "red car " : "red f1 "); else s = s "f2 car ";
    if (l % 20 == 5) s = s "bank of america ";
    print s "f" int(rand() * 200) } }' >"$C"
OUT=$TMP/phrased.txt
tokens() { tr ' ' '\n' <"$1" | grep -c "^$2\$"; }

check "phrases runs" "$W2V" phrases "$C" -o "$OUT" --quiet
check "new york is joined every time" [ "$(tokens "$OUT" new_york)" -eq 40 ]
check "red car (a near miss) is not" [ "$(tokens "$OUT" red_car)" -eq 0 ]
check "lines stay lines" [ "$(wc -l <"$OUT")" -eq 800 ]
check "nothing but the joins changed" sh -c 'tr _ " " <"$1" | cmp -s - "$2"' sh "$OUT" "$C"
"$W2V" phrases "$C" -o "$TMP/summary.txt" 2>"$TMP/err" >/dev/null
check "a summary line on stderr" grep -q "pass 1: 12200 words in, 80 phrases joined" "$TMP/err"
"$W2V" phrases - -o - --quiet <"$C" >"$TMP/stdio.txt"
check "stdin to stdout gives the same text" cmp -s "$TMP/stdio.txt" "$OUT"
check "2 threads give the same text" sh -c '"$1" phrases "$2" -o - -q --threads 2 | cmp -s - "$3"' sh "$W2V" "$C" "$OUT"
check "the original's spellings" "$W2V" phrases -train "$C" -output "$TMP/orig.txt" -min-count 5 -threshold 100 -q
check "... give the same text" cmp -s "$TMP/orig.txt" "$OUT"
printf 'of\nthe\n' >"$TMP/connectors.txt"
"$W2V" phrases "$C" -o "$TMP/conn.txt" -q --connector-words "$TMP/connectors.txt"
check "connector words join bank_of_america" [ "$(tokens "$TMP/conn.txt" bank_of_america)" -eq 40 ]
check "... and never start or end a phrase" sh -c '! tr " " "\n" <"$1" | grep -Eq "^(of|the)_|_(of|the)\$"' sh "$TMP/conn.txt"
"$W2V" phrases "$C" -o "$TMP/two.txt" -q --threshold 100,100
check "a second pass joins phrases of phrases" [ "$(tokens "$TMP/two.txt" bank_of_america)" -eq 40 ]
check "--passes 2 with one threshold is the same" sh -c '"$1" phrases "$2" -o - -q --passes 2 | cmp -s - "$3"' sh "$W2V" "$C" "$TMP/two.txt"
"$W2V" phrases "$C" -o "$TMP/npmi.txt" -q --scoring npmi --threshold 0.9
check "npmi 0.9 joins new york" [ "$(tokens "$TMP/npmi.txt" new_york)" -eq 40 ]
check "... not red car" [ "$(tokens "$TMP/npmi.txt" red_car)" -eq 0 ]
cp "$C" "$TMP/inplace.txt"
check "OUT may be IN" sh -c '"$1" phrases "$2" -o "$2" -q && cmp -s "$2" "$3"' sh "$W2V" "$TMP/inplace.txt" "$OUT"
: >"$TMP/empty.txt"
check "an empty input gives an empty output" sh -c '"$1" phrases "$2" -o "$3" -q && [ ! -s "$3" ]' sh "$W2V" "$TMP/empty.txt" "$TMP/empty.out"

# no_output FILE DESCRIPTION: a failed run left neither FILE nor a temporary.
no_output() {
    if [ -e "$1" ] || ls "$(dirname "$1")" | grep -q '\.tmp\.'; then fail "$2: output left behind"; else pass; fi
    rm -f "$1"
}
BAD=$TMP/bad-out.txt
expect_error 1 "phrases: a missing input" -- phrases "$TMP/no-such.txt" -o "$BAD"
no_output "$BAD" "missing input"
expect_error 1 "phrases: a directory as input" -- phrases "$TMP" -o "$BAD"
no_output "$BAD" "directory input"
expect_error 2 "phrases: no -o" -- phrases "$C"
expect_error 2 "phrases: no input" -- phrases -o "$BAD"
expect_error 2 "phrases: a threshold that is not a number" -- phrases "$C" -o "$BAD" --threshold abc
expect_error 2 "phrases: an empty threshold in a list" -- phrases "$C" -o "$BAD" --threshold 1,,2
expect_error 2 "phrases: an npmi threshold outside [-1, 1]" -- phrases "$C" -o "$BAD" --scoring npmi --threshold 2
expect_error 2 "phrases: 3 thresholds for 2 passes" -- phrases "$C" -o "$BAD" --threshold 1,2,3 --passes 2
expect_error 2 "phrases: an unknown scoring" -- phrases "$C" -o "$BAD" --scoring pmi
expect_error 2 "phrases: min-count 0" -- phrases "$C" -o "$BAD" --min-count 0
expect_error 1 "phrases: a missing connector file" -- phrases "$C" -o "$BAD" --connector-words "$TMP/no-such"
no_output "$BAD" "missing connector file"
printf '\n \n' >"$TMP/blank.txt"
expect_error 1 "phrases: a connector file without words" -- phrases "$C" -o "$BAD" --connector-words "$TMP/blank.txt"
expect_error 1 "phrases: an output directory that does not exist" -- phrases "$C" -o "$TMP/no/such/dir.txt"
echo keep >"$TMP/keep.txt"
"$W2V" phrases "$TMP/no-such.txt" -o "$TMP/keep.txt" 2>/dev/null
check "a failed run leaves an existing output untouched" grep -qx keep "$TMP/keep.txt"
# A signal while the input is still arriving: exit 128 + signal, one line,
# no output, no temporary file left in $TMPDIR.
mkdir "$TMP/tmpd"
mkfifo "$TMP/fifo"
sleep 20 >"$TMP/fifo" &
writer=$!
TMPDIR=$TMP/tmpd "$W2V" phrases - -o "$BAD" <"$TMP/fifo" 2>"$TMP/err" &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
st=$?
kill "$writer" 2>/dev/null
check "SIGTERM: exit 143" [ "$st" -eq 143 ]
check "... with one error line" sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "^w2v: error: interrupted" "$1"' sh "$TMP/err"
check "... and no temporary file left" [ -z "$(ls "$TMP/tmpd")" ]
no_output "$BAD" "SIGTERM"
head -c 300000 /dev/urandom >"$TMP/random.bin"
"$W2V" phrases "$TMP/random.bin" -o "$BAD" -q --min-count 1 --threshold 0 2>"$TMP/err"
st=$?
check "binary garbage: phrased, or one error line" sh -c '[ "$1" -eq 0 ] || { [ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && [ ! -e "$3" ]; }' sh "$st" "$TMP/err" "$BAD"
rm -f "$BAD"

# ---- classes --------------------------------------------------------------------
# 4 planted clusters of 10 words (a0..a9 near the first axis, b0..b9 near
# the second, ...), in a text vector file, interleaved.
V=$TMP/vec.txt
awk 'BEGIN { srand(9); print 40, 4; for (i = 0; i < 10; i++) for (c = 0; c < 4; c++) {
    s = substr("abcd", c + 1, 1) i;
    for (d = 0; d < 4; d++) s = s " " ((d == c ? 1 : 0) + 0.3 * (rand() - 0.5)) * (1 + rand());
    print s } }' >"$V"
CL=$TMP/classes.txt
check "classes runs" "$W2V" classes "$V" -k 4 -o "$CL" --quiet
check "one 'word class' line per word, in the file's order" sh -c 'tail -n +2 "$1" | cut -d" " -f1 | cmp -s - "$(cut -d" " -f1 "$2" >"$2.w"; echo "$2.w")"' sh "$V" "$CL"
check "the planted clusters are found" sh -c '[ "$(sed "s/^\(.\)[0-9]* /\1 /" "$1" | sort -u | wc -l)" -eq 4 ] && [ "$(cut -d" " -f2 "$1" | sort -u | wc -l)" -eq 4 ]' sh "$CL"
check "the same seed gives the same classes on 1 thread" sh -c '"$1" classes "$2" -k 4 -o - -q --threads 1 | cmp -s - "$3"' sh "$W2V" "$V" "$CL"
"$W2V" classes "$V" -k 4 -o "$TMP/cl.txt" 2>"$TMP/err"
check "a summary on stderr" grep -q "4 classes of 40 words: .* rounds (converged), mean cosine to the class centre 0\.9" "$TMP/err"
"$W2V" classes "$V" --evaluate "$CL" >"$TMP/score"
check "--evaluate scores a class file" awk '$1 > 0.9 && $1 <= 1 { ok = 1 } END { exit !ok }' "$TMP/score"
"$W2V" classes "$V" -k 4 --iter 1 -o "$TMP/one.txt" -q
check "--iter 1 still gives every word a class" [ "$(wc -l <"$TMP/one.txt")" -eq 40 ]
"$W2V" convert "$V" "$TMP/vec.bin" --binary
check "binary vectors give the same classes" sh -c '"$1" classes "$2" -k 4 -o - -q | cmp -s - "$3"' sh "$W2V" "$TMP/vec.bin" "$CL"
expect_error 1 "classes: a missing vector file" -- classes "$TMP/no-such.bin" -k 4 -o "$BAD"
no_output "$BAD" "classes: missing vectors"
expect_error 2 "classes: -k 0" -- classes "$V" -k 0 -o "$BAD"
expect_error 2 "classes: -k larger than the vocabulary" -- classes "$V" -k 41 -o "$BAD"
no_output "$BAD" "classes: -k 41"
expect_error 2 "classes: no -k" -- classes "$V" -o "$BAD"
expect_error 2 "classes: no -o" -- classes "$V" -k 4
expect_error 2 "classes: --iter 0" -- classes "$V" -k 4 -o "$BAD" --iter 0
expect_error 1 "classes: binary garbage as vectors" -- classes "$TMP/random.bin" -k 4 -o "$BAD"
no_output "$BAD" "classes: garbage"
expect_error 1 "classes: an output directory that does not exist" -- classes "$V" -k 4 -o "$TMP/no/such/cl.txt"
printf 'zz 1\n' >"$TMP/unknown.txt"
expect_error 1 "classes: --evaluate with a word not in the vectors" -- classes "$V" --evaluate "$TMP/unknown.txt"
printf 'a0 x\n' >"$TMP/badclass.txt"
expect_error 1 "classes: --evaluate with a class that is no number" -- classes "$V" --evaluate "$TMP/badclass.txt"

summary
