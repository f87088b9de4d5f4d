#!/bin/sh
# Formats people have (issue 11): every layout in tests/data/fmt-* holds the
# same model as fmt-word2vec.txt (word2vec's text layout) and must give the
# same answers, scores included, to every command that reads vectors:
# GloVe's headerless text (LF, CRLF with blank lines at the end, a BOM),
# fastText's .vec (a space after each value, with and without a BOM),
# word2vec text with CRLF, and binary files from the original tool ('\n'
# after each vector), gensim (none), both mixed, and with a BOM. The files
# are made by tests/data/make_formats.py.
. "$(dirname "$0")/lib.sh"

D="$(cd "$(dirname "$0")" && pwd)/data"
REF="$D/fmt-word2vec.txt"
LAYOUTS="fmt-word2vec-crlf.txt fmt-fasttext.vec fmt-fasttext-bom.vec fmt-glove.txt
fmt-glove-crlf.txt fmt-glove-bom.txt fmt-original.bin fmt-gensim.bin fmt-mixed.bin fmt-bom.bin"
# Queries: a plain word, a word that is a number, UTF-8 words, the first row.
QUERIES="w3 2019 café 中文 </s>"

# same DESCRIPTION FILE_A FILE_B: identical bytes.
same() {
    if cmp -s "$2" "$3"; then pass; else fail "$1: $(diff "$2" "$3" | head -n 4 | tr '\n' ' ')"; fi
}

# answers FILE [OPTIONS...]: the answers of every query command, to stdout.
answers() {
    f=$1; shift
    for q in $QUERIES; do
        "$W2V" nearest "$f" "$q" -k 29 --json "$@" || echo "nearest $q failed"
    done
    "$W2V" analogy "$f" w1 w2 w3 -k 5 "$@" || echo "analogy failed"
    "$W2V" nearest "$f" w4 w5 --minus w6 -k 5 "$@" || echo "nearest --minus failed"
    "$W2V" similarity "$f" café 中文 "$@" || echo "similarity failed"
    "$W2V" doesnt-match "$f" w1 w2 w3 2019 --verbose "$@" || echo "doesnt-match failed"
    "$W2V" vector "$f" 2019 "</s>" || echo "vector failed"
}

answers "$REF" >"$TMP/ref.answers" 2>&1
check "the reference answers" grep -q '"word": "w' "$TMP/ref.answers"
check "... and no failure" sh -c '! grep -q failed "$1"' sh "$TMP/ref.answers"
"$W2V" convert "$REF" "$TMP/ref.conv.txt" --text
printf ': s\nw1 w2 w3 w4\nw5 w6 w7 w8\n' >"$TMP/q.txt"
"$W2V" eval-analogy "$REF" "$TMP/q.txt" --json >"$TMP/ref.eval" 2>&1
"$W2V" map "$REF" w3 -k 6 -o "$TMP/ref.svg"
for name in $LAYOUTS; do
    f="$D/$name"
    answers "$f" >"$TMP/got.answers" 2>&1
    same "$name: the same answers and scores as word2vec text" "$TMP/ref.answers" "$TMP/got.answers"
    answers "$f" --no-map >"$TMP/got.answers" 2>&1
    same "$name --no-map: the same answers" "$TMP/ref.answers" "$TMP/got.answers"
    # Converted to word2vec text: the same words, order and float values.
    rm -f "$TMP/conv.txt"
    "$W2V" convert "$f" "$TMP/conv.txt" --text
    same "$name: converts to the same word2vec text" "$TMP/ref.conv.txt" "$TMP/conv.txt"
    "$W2V" eval-analogy "$f" "$TMP/q.txt" --json >"$TMP/got.eval" 2>&1
    same "$name: eval-analogy" "$TMP/ref.eval" "$TMP/got.eval"
    "$W2V" map "$f" w3 -k 6 -o "$TMP/got.svg"
    same "$name: map draws the same picture" "$TMP/ref.svg" "$TMP/got.svg"
done

# --no-header on a headerless file changes nothing.
answers "$D/fmt-glove.txt" --no-header >"$TMP/got.answers" 2>&1
same "fmt-glove.txt --no-header: the same answers" "$TMP/ref.answers" "$TMP/got.answers"

# A one-word file: the word has its vector and no neighbours.
check "a one-word GloVe file: its vector" sh -c \
    '[ "$("$1" vector "$2" solo)" = "solo 0.5 -0.25 1" ]' sh "$W2V" "$D/fmt-glove-one.txt"
check "... no neighbours, exit 0" sh -c \
    '[ -z "$("$1" nearest "$2" solo)" ]' sh "$W2V" "$D/fmt-glove-one.txt"

# The rule for a first line of two whole numbers "A B": a header, unless B
# is not 1 and the next lines hold one value each (then A is a word of a
# 1-dimensional GloVe file); --no-header forces the data reading.
"$W2V" convert "$D/fmt-glove-1d.txt" "$TMP/1d.txt" --text
check "'2 3' then one value a line: headerless, 4 words of 1 dimension" sh -c \
    '[ "$(head -n 2 "$1" | tr "\n" " ")" = "4 1 2 3 " ]' sh "$TMP/1d.txt"
"$W2V" convert "$D/fmt-glove-1d-ambiguous.txt" "$TMP/amb.txt" --text
check "'2 1' then one value a line: a header (2 words)" sh -c \
    '[ "$(head -n 1 "$1")" = "2 1" ] && [ "$(wc -l <"$1")" -eq 3 ]' sh "$TMP/amb.txt"
"$W2V" convert "$D/fmt-glove-1d-ambiguous.txt" "$TMP/amb.txt" --text --no-header
check "... --no-header: 3 words, the first '2'" sh -c \
    '[ "$(head -n 2 "$1" | tr "\n" " ")" = "3 1 2 1 " ]' sh "$TMP/amb.txt"
check "nearest --no-header finds the word '2'" sh -c \
    '"$1" nearest "$2" x --no-header | grep -q "^2	"' sh "$W2V" "$D/fmt-glove-1d-ambiguous.txt"
check "... and without it does not" sh -c \
    '! "$1" nearest "$2" x | grep -q "^2	"' sh "$W2V" "$D/fmt-glove-1d-ambiguous.txt"

# Bad headerless input: one line naming the line, exit 1.
printf 'a 1 2 3\nb 1 2\n' >"$TMP/dims.txt"
expect_error 1 "a GloVe line one value short" -- nearest "$TMP/dims.txt" a
check "... names line 2 and where D came from" grep -q "line 2: word 'b' has 2 values, expected 3 (as on line 1)" "$TMP/err"
expect_error 1 "--no-header on a binary file" -- nearest "$D/fmt-original.bin" w3 --no-header
summary
