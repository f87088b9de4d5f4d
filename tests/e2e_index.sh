#!/bin/sh
# End-to-end checks of `w2v index` and of queries with a side index: the
# same answers with and without it, a stale index (another model of the
# same size and mtime) passed over, a corrupt or truncated one ignored with
# one note, bad paths refused with one line, and no index ever written
# unasked.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

random_model "$TMP/a.txt" 7
random_model "$TMP/b.txt" 8
"$W2V" convert "$TMP/a.txt" "$TMP/a.bin" --binary
"$W2V" convert "$TMP/b.txt" "$TMP/b.bin" --binary
A=$TMP/a.bin
check "two models of the same size" test "$(wc -c <"$A")" -eq "$(wc -c <"$TMP/b.bin")"

# answers FILE: the output of a few queries on FILE (stderr to $TMP/qerr).
answers() {
    { "$W2V" nearest "$1" w5 w17 -k 7 && "$W2V" analogy "$1" w1 w2 w3 -k 4 &&
        "$W2V" similarity "$1" w8 w9; } 2>"$TMP/qerr"
}
answers "$A" >"$TMP/a.plain"
answers "$TMP/b.bin" >"$TMP/b.plain"
check "the two models answer differently" sh -c '! cmp -s "$1" "$2"' sh "$TMP/a.plain" "$TMP/b.plain"
check "queries write no index" test ! -e "$A.w2vi"

# ---- help and usage ----------------------------------------------------------
"$W2V" index --help >"$TMP/help" 2>&1
check "index --help exits 0" test $? -eq 0
check "index --help names the side file" grep -q 'MODEL.w2vi' "$TMP/help"
check "w2v help lists index" sh -c '"$1" help | grep -q "^  index "' sh "$W2V"
expect_error 2 "index without a model" -- index
expect_error 2 "index with two models" -- index "$A" "$TMP/b.bin"
expect_error 2 "index with an unknown option" -- index "$A" --fast

# ---- bad paths: one line, exit 1, nothing written -----------------------------
expect_error 1 "index of a missing file" -- index "$TMP/none.bin"
check "no index for a missing file" test ! -e "$TMP/none.bin.w2vi"
expect_error 1 "index of a directory" -- index "$TMP"
expect_error 1 "index of a text model" -- index "$TMP/a.txt"
check "no index for a text model" test ! -e "$TMP/a.txt.w2vi"
printf '3 2\nab' >"$TMP/trunc.bin"
expect_error 1 "index of a truncated model" -- index "$TMP/trunc.bin"
check "no index for a bad model" test ! -e "$TMP/trunc.bin.w2vi"
cp "$A" "$TMP/c.bin"
mkdir "$TMP/c.bin.w2vi"
expect_error 1 "index where a directory is in the way" -- index "$TMP/c.bin"

# ---- reuse --------------------------------------------------------------------
"$W2V" index "$A" >"$TMP/out" 2>"$TMP/err"
check "index exits 0" test $? -eq 0
check "index is quiet" test ! -s "$TMP/out" -a ! -s "$TMP/err"
check "index wrote MODEL.w2vi" test -s "$A.w2vi"
ls "$TMP" | grep '\.tmp' >"$TMP/tmps"
check "index left no temporary" test ! -s "$TMP/tmps"
answers "$A" >"$TMP/a.indexed"
check "same answers with the index" cmp -s "$TMP/a.plain" "$TMP/a.indexed"
check "no note with a good index" test ! -s "$TMP/qerr"
cp "$A.w2vi" "$TMP/good.w2vi"
"$W2V" index "$A"
check "indexing again gives the same file" cmp -s "$A.w2vi" "$TMP/good.w2vi"

# ---- corrupt or truncated: ignored with one note ---------------------------------
# note_once DESCRIPTION: the last answers printed one "w2v: note:" line.
note_once() {
    if [ "$(wc -l <"$TMP/qerr")" -le 3 ] && grep -q '^w2v: note: .*a.bin.w2vi' "$TMP/qerr" &&
        ! grep -qv '^w2v: note: ' "$TMP/qerr"; then pass; else fail "$1: $(head -c 300 "$TMP/qerr")"; fi
}
size=$(wc -c <"$TMP/good.w2vi")
for cut in 0 1 64 112 200 $((size - 1)); do
    head -c "$cut" "$TMP/good.w2vi" >"$A.w2vi"
    answers "$A" >"$TMP/a.cut"
    check "index cut at $cut: same answers" cmp -s "$TMP/a.plain" "$TMP/a.cut"
    note_once "index cut at $cut"
done
for at in 0 30 120 3000 $((size - 5)); do
    cp "$TMP/good.w2vi" "$A.w2vi"
    printf '\377' | dd of="$A.w2vi" bs=1 seek="$at" conv=notrunc 2>/dev/null
    answers "$A" >"$TMP/a.flip"
    check "index byte $at changed: same answers" cmp -s "$TMP/a.plain" "$TMP/a.flip"
    note_once "index byte $at changed"
done
head -c 100000 /dev/urandom >"$A.w2vi"
answers "$A" >"$TMP/a.junk"
check "random bytes as the index: same answers" cmp -s "$TMP/a.plain" "$TMP/a.junk"
note_once "random bytes as the index"

# ---- stale: another model, same size and mtime --------------------------------------
cp "$TMP/good.w2vi" "$A.w2vi"
touch -r "$A" "$TMP/stamp"
cp "$TMP/b.bin" "$A"
touch -r "$TMP/stamp" "$A"
check "the swapped model kept its mtime" test "$(stat -c %y "$A")" = "$(stat -c %y "$TMP/stamp")"
answers "$A" >"$TMP/a.stale"
check "stale index: the new model's answers" cmp -s "$TMP/b.plain" "$TMP/a.stale"
check "stale index: no note" test ! -s "$TMP/qerr"
touch "$A"
answers "$A" >"$TMP/a.touched"
check "newer mtime: the model's answers" cmp -s "$TMP/b.plain" "$TMP/a.touched"
"$W2V" index "$A"
answers "$A" >"$TMP/a.reindexed"
check "reindexed: the model's answers" cmp -s "$TMP/b.plain" "$TMP/a.reindexed"
check "other models got no index" test ! -e "$TMP/b.bin.w2vi"

summary
