#!/bin/sh
# Hostile input: every case must end with one "w2v: " line on stderr, exit
# status 1 (bad data) or 2 (bad usage), no signal, and no output file left
# behind. (Issue 6's catalogue; e2e_train.sh and e2e_query.sh cover more.)
. "$(dirname "$0")/lib.sh"

OUT="$TMP/out.bin"
# no_output DESCRIPTION: the failed run left nothing at $OUT, nor a temporary.
no_output() {
    if [ -e "$OUT" ] || ls "$TMP" | grep -q '\.tmp\.'; then fail "$1: output left behind"; else pass; fi
    rm -f "$OUT"
}
# bad_train STATUS DESCRIPTION CORPUS [OPTIONS...]
bad_train() {
    st=$1; desc=$2; corpus=$3; shift 3
    expect_error "$st" "train: $desc" -- train "$corpus" -o "$OUT" --quiet --threads 1 --epochs 1 "$@"
    no_output "$desc"
}
# bad_vectors DESCRIPTION FILE: nearest on FILE fails with status 1.
bad_vectors() {
    expect_error 1 "vectors: $1" -- nearest "$2" a
}

# ---- corpora ---------------------------------------------------------------
C=$TMP/c
: >"$C.empty"
bad_train 1 "an empty corpus" "$C.empty"
printf '   \t \n  \n\t\t' >"$C.space"
bad_train 1 "only whitespace" "$C.space"
printf '\n\n\n\n\n\n\n\n' >"$C.eos"
bad_train 1 "only line ends (</s>)" "$C.eos"
printf 'a b c d e f g h\n' >"$C.rare"
bad_train 1 "nothing reaching min-count" "$C.rare"
bad_train 1 "a directory as the corpus" "$TMP"
bad_train 1 "a missing corpus" "$TMP/no-such-corpus.txt"
head -c 1000000 /dev/urandom >"$C.random"
"$W2V" train "$C.random" -o "$OUT" --quiet --threads 1 --epochs 1 --dim 8 2>"$TMP/err" >/dev/null
st=$?
check "random bytes: trained, or one error line" sh -c '[ "$1" -eq 0 ] || { [ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ]; }' sh "$st" "$TMP/err"
rm -f "$OUT"
# 50 MB without whitespace: one cut word, counted once, below min-count.
awk 'BEGIN { s = "abcdefghij"; for (i = 0; i < 19; i++) s = s s; for (j = 0; j < 10; j++) printf "%s", s; print "" }' >"$C.longline"
bad_train 1 "a 50 MB line with no whitespace" "$C.longline"

# Valid-but-odd corpora train fine: invalid UTF-8, CRLF, a 1 MB word. NUL
# bytes in the first block mean a binary file (e2e_safety.sh).
awk 'BEGIN { srand(3); for (l = 0; l < 400; l++) { s = ""; for (w = 0; w < 10; w++) s = s " w" int(rand() * 30); print s } }' >"$C.base"
tr 'w' '\000' <"$C.base" >"$C.nul"
bad_train 1 "NUL bytes in the first block" "$C.nul"
sed 's/w1/\xff\xfe/g; s/w2/\xc3/g' "$C.base" >"$C.utf8"
check "invalid UTF-8 trains" "$W2V" train "$C.utf8" -o "$TMP/utf8.bin" --quiet --threads 1 --epochs 1 --dim 8
sed 's/$/\r/' "$C.base" >"$C.crlf"
check "CRLF corpus trains" "$W2V" train "$C.crlf" -o "$TMP/crlf.bin" --quiet --threads 1 --epochs 1 --dim 8 --save-vocab "$TMP/crlf.vocab"
check "... and no word keeps the CR" sh -c '! grep -q "$(printf "\r")" "$1"' sh "$TMP/crlf.vocab"
{ cat "$C.base"; for i in 1 2 3 4 5 6; do awk 'BEGIN { s = "\303\251"; for (i = 0; i < 19; i++) s = s s; print s }'; done; } >"$C.bigword"
"$W2V" train "$C.bigword" -o "$TMP/big.bin" --threads 1 --epochs 1 --dim 8 --save-vocab "$TMP/big.vocab" 2>"$TMP/big.err" >/dev/null
check "a 1 MB word trains" [ $? -eq 0 ]
check "... the cut is reported once" [ "$(grep -c 'cut' "$TMP/big.err")" -eq 1 ]
check "... and cut at a character boundary (100 bytes of 2-byte characters)" \
    sh -c 'awk "length(\$1) > 90 { print length(\$1) }" "$1" | LC_ALL=C grep -qx "100"' sh "$TMP/big.vocab"

# ---- vector files ------------------------------------------------------------
V=$TMP/v
printf '2 2\na 1 0\nb 0 1\n' >"$V.good"
check "the well-formed file answers" "$W2V" nearest "$V.good" a
: >"$V.empty"
bad_vectors "empty file" "$V.empty"
bad_vectors "a directory" "$TMP"
bad_vectors "random bytes" "$C.random"
printf '1000000000000 2\na 1 0\n' >"$V.hugeV"
bad_vectors "V = 10^12" "$V.hugeV"
printf '2 1000000000\na 1 0\n' >"$V.hugeD"
bad_vectors "D = 10^9" "$V.hugeD"
printf '4611686018427387904 1024\na 1 0\n' >"$V.ovf"
bad_vectors "V x D x 4 overflows" "$V.ovf"
printf -- '-2 2\na 1 0\n' >"$V.negV"
bad_vectors "negative V" "$V.negV"
printf '2 -2\na 1 0\n' >"$V.negD"
bad_vectors "negative D" "$V.negD"
printf '0 2\n' >"$V.zeroV"
bad_vectors "V = 0" "$V.zeroV"
printf '2 0\na\nb\n' >"$V.zeroD"
bad_vectors "D = 0" "$V.zeroD"
printf '2 ' >"$V.cuthead"
bad_vectors "truncated in the header" "$V.cuthead"
printf '2 2\na \000\000\200\077\000\000\000\000\nbb' >"$V.cutword"
bad_vectors "binary truncated in a word" "$V.cutword"
printf '2 2\na \000\000\200\077\000\000\000\000\nb \000\000\200' >"$V.cutvec"
bad_vectors "binary truncated in a vector" "$V.cutvec"
printf '2 2\na 1 0\nb \000\000\200\077\000\000\000\000\n' >"$V.mixed"
bad_vectors "text then binary" "$V.mixed"
printf '2 2\na 1 0\na 0 1\n' >"$V.dup"
bad_vectors "a duplicate word" "$V.dup"
printf '2 2\na nan 0\nb 0 1\n' >"$V.nan"
bad_vectors "NaN in text" "$V.nan"
printf '2 2\na \000\000\200\177\000\000\000\000\nb \000\000\200\077\000\000\000\000\n' >"$V.inf"
bad_vectors "infinity in binary" "$V.inf"
printf '2 2\na 1\nb 0 1\n' >"$V.short"
bad_vectors "a text line one value short" "$V.short"
printf '2 2\na 1 zero\nb 0 1\n' >"$V.word"
bad_vectors "a non-numeric value" "$V.word"
printf '2 2\na b 1 0\nc 0 1\n' >"$V.space"
bad_vectors "a word with a space (text)" "$V.space"
printf '2 2\na\nb 1 0\nc 0 1\n' >"$V.nl"
bad_vectors "a word broken by a newline (text)" "$V.nl"
# Headerless (GloVe) and BOM layouts (tests/e2e_formats.sh reads the good ones).
printf 'a 1 2 3\nb 1 2\nc 1 2 3\n' >"$V.gdims"
bad_vectors "GloVe: a line with fewer values than line 1" "$V.gdims"
printf 'a 1 2\nb 1 2 3\n' >"$V.gmore"
bad_vectors "GloVe: a line with more values than line 1" "$V.gmore"
printf 'a 1 2\n\nb 1 2\n' >"$V.gblank"
bad_vectors "GloVe: a blank line inside" "$V.gblank"
printf 'a 1 2\nb 1 nan\n' >"$V.gnan"
bad_vectors "GloVe: NaN" "$V.gnan"
printf 'a 1 2\na 1 2\n' >"$V.gdup"
bad_vectors "GloVe: a duplicate word" "$V.gdup"
printf 'just words here\n' >"$V.gwords"
bad_vectors "neither a header nor a data line" "$V.gwords"
printf '\357\273\277' >"$V.bomonly"
bad_vectors "only a BOM" "$V.bomonly"
printf '\357\273\277\357\273\2772 2\na 1 2\nb 2 1\n' >"$V.bom2"
bad_vectors "two BOMs" "$V.bom2"
printf '3 4' >"$V.headonly"
bad_vectors "only a header, no newline" "$V.headonly"
printf '2 2\na 1 2\nb 2 1\n' >"$V.good2"
expect_error 1 "vectors: --no-header on a file with a header" -- nearest "$V.good2" a --no-header
expect_error 2 "vectors: --no-header takes no value" -- nearest "$V.good2" a --no-header=1
expect_error 1 "vectors: convert --no-header of a bad GloVe file" -- convert "$V.gdims" "$OUT" --no-header
no_output "convert of a bad GloVe file"
# A mapped file truncated by someone else between two queries: the lost
# pages raise SIGBUS, which must become a one-line error, not a crash.
awk 'BEGIN { print "3000 16"; for (i = 0; i < 3000; i++) { s = "w" i; for (j = 0; j < 16; j++) s = s " " (i * 7 + j * 13) % 17 - 8; print s } }' >"$V.shrink.txt"
"$W2V" convert "$V.shrink.txt" "$V.shrink" --binary
mkfifo "$TMP/queries"
"$W2V" nearest "$V.shrink" -k 3 <"$TMP/queries" >"$TMP/shrink.out" 2>"$TMP/shrink.err" &
pid=$!
exec 9>"$TMP/queries"
echo w1 >&9
i=0
while [ ! -s "$TMP/shrink.out" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
truncate -s 100 "$V.shrink"
echo w2999 >&9
exec 9>&-
wait $pid
st=$?
check "a file truncated while mapped: exit 1 (got $st)" [ "$st" -eq 1 ]
check "... with one w2v: line" sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -q "^w2v: " "$1"' sh "$TMP/shrink.err"
expect_error 1 "vectors: a missing file" -- nearest "$TMP/no-such.bin" a
# w2v index refuses what the queries refuse, and writes nothing then.
for f in "$V.cutword" "$V.cutvec" "$V.mixed" "$V.empty" "$C.random" "$V.hugeV"; do
    expect_error 1 "index: $(basename "$f")" -- index "$f"
    check "index: $(basename "$f"): no MODEL.w2vi" test ! -e "$f.w2vi"
done
# A hostile side index is passed over (a FIFO must not block the query).
"$W2V" convert "$V.shrink.txt" "$V.side" --binary
mkfifo "$V.side.w2vi"
# side_ok DESCRIPTION: nearest on $V.side answers (its note, if any, dropped).
side_ok() { check "$1" sh -c 'timeout 20 "$1" nearest "$2" w1 -k 3 2>/dev/null' sh "$W2V" "$V.side"; }
side_ok "a FIFO as the side index: answered"
rm -f "$V.side.w2vi"
head -c 300000 /dev/urandom >"$V.side.w2vi"
side_ok "random bytes as the side index: answered"
printf 'W2VINDEX' >"$V.side.w2vi"
side_ok "a bare magic as the side index: answered"
expect_error 1 "vectors: an unknown word is named" -- nearest "$V.good" zebra
check "... the message names it" grep -q "zebra" "$TMP/err"

# ---- options -----------------------------------------------------------------
P=$C.base
for opt in dim window epochs threads min-count alpha; do
    bad_train 2 "--$opt 0" "$P" --"$opt" 0
    bad_train 2 "--$opt negative" "$P" --"$opt" -3
    bad_train 2 "--$opt not a number" "$P" --"$opt" many
done
bad_train 2 "--negative negative" "$P" --negative -1
bad_train 2 "--sample negative" "$P" --sample -0.1
bad_train 2 "--dim 1000000 (refused up front)" "$P" --dim 1000000
check "... stating the range" grep -q "1 to 100000" "$TMP/err"
bad_train 2 "--window absurd" "$P" --window 1000000000
bad_train 2 "--threads absurd" "$P" --threads 100000
bad_train 2 "--alpha absurd" "$P" --alpha 1e30
bad_train 2 "a repeated option" "$P" --dim 8 --dim 8
bad_train 2 "an unknown option" "$P" --colour
bad_train 2 "a missing option value" "$P" --window
expect_error 2 "nearest -k 0" -- nearest "$V.good" a -k 0
expect_error 2 "nearest -k -3" -- nearest "$V.good" a -k -3
expect_error 2 "nearest -k abc" -- nearest "$V.good" a -k abc
expect_error 2 "nearest -k repeated" -- nearest "$V.good" a -k 1 -k 2
printf 'a b 1\n' >"$TMP/pairs.tsv"
printf ': s\na b a b\n' >"$TMP/questions.txt"
for bad in 0 -1 abc 1x ''; do
    expect_error 2 "nearest --limit '$bad'" -- nearest "$V.good" a --limit "$bad"
    expect_error 2 "similarity --limit '$bad'" -- similarity "$V.good" a b --limit "$bad"
    expect_error 2 "eval-analogy --limit '$bad'" -- eval-analogy "$V.good" "$TMP/questions.txt" --limit "$bad"
    expect_error 2 "eval-similarity --limit '$bad'" -- eval-similarity "$V.good" "$TMP/pairs.tsv" --limit "$bad"
    expect_error 2 "eval-similarity --columns '$bad'" -- eval-similarity "$V.good" "$TMP/pairs.tsv" --columns "$bad"
done
expect_error 2 "analogy --limit 0" -- analogy "$V.good" a b a --limit 0
for bad in 1,2 1,2,3,4 1,1,3 0,1,2 1,2,-3 1,,3 2,3,1001 ,1,2; do
    expect_error 2 "eval-similarity --columns $bad" -- eval-similarity "$V.good" "$TMP/pairs.tsv" --columns "$bad"
done
expect_error 2 "eval-similarity --delimiter ''" -- eval-similarity "$V.good" "$TMP/pairs.tsv" --delimiter ''
expect_error 2 "eval-similarity --delimiter ab" -- eval-similarity "$V.good" "$TMP/pairs.tsv" --delimiter ab
expect_error 1 "a limit that leaves a query word out" -- similarity "$V.good" a b --limit 1

# ---- outputs -----------------------------------------------------------------
echo precious >"$TMP/keep.bin"
expect_error 1 "an output directory that does not exist" -- train "$P" -o "$TMP/no/dir/v.bin" --quiet --threads 1 --epochs 1 --dim 8
expect_error 1 "an output where nothing may be created" -- train "$P" -o /proc/w2v-test.bin --quiet --threads 1 --epochs 1 --dim 8
expect_error 1 "the output is a directory" -- train "$P" -o "$TMP" --quiet --threads 1 --epochs 1 --dim 8
if [ -w /dev/full ]; then
    expect_error 1 "a full disk (/dev/full)" -- train "$P" -o /dev/full --quiet --threads 1 --epochs 1 --dim 8
    check "... /dev/full is still a device" [ -c /dev/full ]
    expect_error 1 "a full disk for the vocabulary" -- train "$P" -o "$TMP/keep.bin" --save-vocab /dev/full --quiet --threads 1 --epochs 1 --dim 8
fi
expect_error 1 "a failure keeps an existing OUT" -- train "$C.rare" -o "$TMP/keep.bin" --quiet
check "... untouched" [ "$(cat "$TMP/keep.bin")" = precious ]
expect_error 1 "convert into a missing directory" -- convert "$V.good" "$TMP/no/dir/v.txt" --text

# ---- graph files: w2v walks and w2v train --graph read them alike -------------
G=$TMP/g
# bad_graph STATUS DESCRIPTION FILE [OPTIONS...]: walks and train --graph
# each fail with one error line and leave no output ($TMP/err: train's).
bad_graph() {
    st=$1; desc=$2; file=$3; shift 3
    expect_error "$st" "walks: $desc" -- walks "$file" -o "$OUT" --threads 2 "$@"
    no_output "walks: $desc"
    expect_error "$st" "train --graph: $desc" -- train --graph "$file" -o "$OUT" --threads 2 \
        --quiet --epochs 1 --dim 8 "$@"
    no_output "train --graph: $desc"
}
printf 'a b 1\nb c -1\n' >"$G.neg"
bad_graph 1 "a negative weight" "$G.neg" --weighted
check "negative weight: the line is named" grep --quiet "line 2" "$TMP/err"
printf 'a b 1\nb c x\n' >"$G.nan"
bad_graph 1 "a non-numeric weight" "$G.nan" --weighted
check "non-numeric weight: the line is named" grep --quiet "line 2.*'x'" "$TMP/err"
printf 'a b 0\n' >"$G.zero"
bad_graph 1 "a zero weight" "$G.zero" --weighted
printf 'a b\n' >"$G.noweight"
bad_graph 1 "no weight with --weighted" "$G.noweight" --weighted
printf 'a b c d\n' >"$G.four"
bad_graph 1 "four fields" "$G.four"
long=$(printf '%0101d' 0)
printf 'a b\n%s b\n' "$long" >"$G.long"
bad_graph 1 "a node name over 100 bytes" "$G.long"
check "long name: the line is named" grep --quiet "line 2" "$TMP/err"
printf 'a </s>\n' >"$G.eos"
bad_graph 1 "</s> as a node" "$G.eos"
printf 'a b\nc\000d\n' >"$G.nul"
bad_graph 1 "a NUL byte" "$G.nul"
printf '# nothing\n\n' >"$G.empty"
bad_graph 1 "no node" "$G.empty"
: >"$G.zero-bytes"
bad_graph 1 "an empty file" "$G.zero-bytes"
bad_graph 1 "a missing file" "$TMP/no-such-graph"
bad_graph 1 "a directory" "$TMP"
head -c 200000 /dev/urandom >"$G.random"
for cmd in "walks" "train --graph"; do
    # shellcheck disable=SC2086 # $cmd is two words on purpose
    "$W2V" $cmd "$G.random" -o "$OUT" --threads 2 --walks 1 --length 5 --quiet 2>"$TMP/err" >/dev/null
    st=$?
    check "random bytes: $cmd works, or one error line" sh -c '[ "$1" -eq 0 ] || { [ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ]; }' sh "$st" "$TMP/err"
    rm -f "$OUT"
done

summary
