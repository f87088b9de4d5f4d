#!/bin/sh
# End-to-end checks of nearest, analogy, similarity and convert on vector
# files written here, against a brute-force computation in awk, plus every
# bad-input case of the foundation issue.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

# ---- fixtures ---------------------------------------------------------------

# A random model: 300 words "w0".."w299" of 8 dimensions.
random_model "$TMP/rand.txt" 7
"$W2V" convert "$TMP/rand.txt" "$TMP/rand.bin" --binary

# A planted model where king - man + woman is queen (see the comments).
cat >"$TMP/planted.txt" <<'EOF'
8 4
king 1 1 0 0
queen 1 0 1 0
man 0 1 0 0
woman 0 0 1 0
royal 1 0.1 0 0
apple 0 0 0 1
girl 0 0.2 1 0
zero 0 0 0 0
EOF

# brute MODE FILE K RESTRICT WORD...: the expected answer, computed in awk
# in double precision. MODE is nearest or analogy.
brute() {
    mode=$1 file=$2 k=$3 restrict=$4
    shift 4
    awk -v mode="$mode" -v k="$k" -v restrict="$restrict" -v qwords="$*" '
    NR == 1 { d = $2; next }
    {
        r = NR - 2; word[r] = $1; n = 0
        for (j = 1; j <= d; j++) { v[r, j] = $(j + 1); n += $(j + 1) * $(j + 1) }
        n = sqrt(n)
        for (j = 1; j <= d; j++) u[r, j] = (n > 0) ? v[r, j] / n : 0
        row[$1] = r; rows = r + 1
    }
    END {
        nq = split(qwords, q, " ")
        for (j = 1; j <= d; j++) t[j] = 0
        for (i = 1; i <= nq; i++) {
            sign = (mode == "analogy" && i == 2) ? -1 : 1
            for (j = 1; j <= d; j++) t[j] += sign * u[row[q[i]], j]
            ex[row[q[i]]] = 1
        }
        n = 0; for (j = 1; j <= d; j++) n += t[j] * t[j]; n = sqrt(n)
        lim = (restrict > 0 && restrict < rows) ? restrict : rows
        m = 0
        for (r = 0; r < lim; r++) {
            if (r in ex) continue
            s = 0; for (j = 1; j <= d; j++) s += t[j] * u[r, j]
            if (n > 0) s /= n; else s = 0
            m++; sc[m] = s; id[m] = r
        }
        # selection of the k best: higher score, then lower row
        for (i = 1; i <= k && i <= m; i++) {
            b = i
            for (j = i + 1; j <= m; j++)
                if (sc[j] > sc[b] || (sc[j] == sc[b] && id[j] < id[b])) b = j
            ts = sc[i]; sc[i] = sc[b]; sc[b] = ts; ti = id[i]; id[i] = id[b]; id[b] = ti
            printf "%s\t%.6f\n", word[id[i]], sc[i]
        }
    }' "$file"
}

# same_hits A B: the same words in the same order, scores within 2e-5.
same_hits() {
    awk -F '\t' 'NR == FNR { w[FNR] = $1; s[FNR] = $2; n = FNR; next }
        { m = FNR; if ($1 != w[FNR]) bad = 1; d = $2 - s[FNR]; if (d < 0) d = -d; if (d > 2e-5) bad = 1 }
        END { exit (bad || n != m || n == 0) }' "$1" "$2"
}

check_brute() { # desc mode file k restrict args-for-w2v... ; words are the trailing args
    desc=$1 mode=$2 file=$3 k=$4 restrict=$5
    shift 5
    extra=""
    [ "$restrict" -gt 0 ] && extra="--restrict $restrict"
    # shellcheck disable=SC2086
    "$W2V" "$mode" "$file" "$@" -k "$k" $extra >"$TMP/got" 2>"$TMP/got.err"
    brute "$mode" "$TMP/rand.txt" "$k" "$restrict" "$@" >"$TMP/want"
    if same_hits "$TMP/got" "$TMP/want"; then pass; else
        fail "$desc: got $(head -c 300 "$TMP/got") $(cat "$TMP/got.err") want $(head -c 300 "$TMP/want")"
    fi
}

# ---- answers ----------------------------------------------------------------

for f in rand.txt rand.bin; do
    check_brute "nearest w5 ($f)" nearest "$TMP/$f" 10 0 w5
    check_brute "nearest w0 -k 1 ($f)" nearest "$TMP/$f" 1 0 w0
    check_brute "nearest of three words ($f)" nearest "$TMP/$f" 7 0 w1 w2 w3
    check_brute "nearest --restrict 50 ($f)" nearest "$TMP/$f" 10 50 w120
    check_brute "analogy ($f)" analogy "$TMP/$f" 5 0 w10 w20 w30
    check_brute "analogy --restrict 100 ($f)" analogy "$TMP/$f" 5 100 w10 w20 w30
    check_brute "k larger than the vocabulary ($f)" nearest "$TMP/$f" 1000 0 w9
done
check "binary and text give the same answers" sh -c \
    '"$0" nearest "$1/rand.txt" w42 -k 20 >"$1/a" && "$0" nearest "$1/rand.bin" w42 -k 20 >"$1/b" && cmp -s "$1/a" "$1/b"' \
    "$W2V" "$TMP"
check "thread count does not change answers" sh -c \
    '"$0" nearest "$1/rand.bin" w7 -k 50 --threads 1 >"$1/a" && "$0" nearest "$1/rand.bin" w7 -k 50 --threads 3 >"$1/b" && cmp -s "$1/a" "$1/b"' \
    "$W2V" "$TMP"
check "nearest prints k lines word<TAB>cosine" sh -c \
    '[ "$("$0" nearest "$1/rand.bin" w1 -k 4 | grep -cE "^w[0-9]+	-?[01]\.[0-9]{6}$")" -eq 4 ]' "$W2V" "$TMP"
check "nearest leaves out the query word" sh -c \
    '! "$0" nearest "$1/rand.txt" w3 -k 299 | grep -q "^w3	"' "$W2V" "$TMP"

check "analogy king man woman answers queen" sh -c \
    '"$0" analogy "$1/planted.txt" king man woman -k 1 | grep -q "^queen	"' "$W2V" "$TMP"
check "analogy leaves out A, B and C" sh -c \
    '! "$0" analogy "$1/planted.txt" king man woman -k 10 | grep -qE "^(king|man|woman)	"' "$W2V" "$TMP"
check "a zero vector scores 0, never NaN" sh -c \
    '"$0" nearest "$1/planted.txt" king -k 10 | grep -q "^zero	0.000000$" && ! "$0" nearest "$1/planted.txt" zero | grep -qi nan' \
    "$W2V" "$TMP"

# similarity against awk
want=$(awk '$1 == "w4" { for (j = 2; j <= 9; j++) a[j] = $j } $1 == "w77" { for (j = 2; j <= 9; j++) b[j] = $j }
    END { for (j = 2; j <= 9; j++) { ab += a[j] * b[j]; aa += a[j] * a[j]; bb += b[j] * b[j] }
          printf "%.6f", ab / sqrt(aa * bb) }' "$TMP/rand.txt")
check "similarity matches brute force" sh -c \
    'got=$("$0" similarity "$1/rand.bin" w4 w77) && awk -v a="$got" -v b="$2" "BEGIN { d = a - b; exit !(d < 2e-5 && d > -2e-5) }"' \
    "$W2V" "$TMP" "$want"
check "similarity of a word with itself is 1" sh -c \
    '[ "$("$0" similarity "$1/planted.txt" queen queen)" = "1.000000" ]' "$W2V" "$TMP"
check "similarity with a zero vector is 0" sh -c \
    '[ "$("$0" similarity "$1/planted.txt" queen zero)" = "0.000000" ]' "$W2V" "$TMP"

# ---- stdin ------------------------------------------------------------------

printf 'king\n\nnosuch\nqueen man\n' | "$W2V" nearest "$TMP/planted.txt" -k 2 >"$TMP/out" 2>"$TMP/err"
st=$?
{
    "$W2V" nearest "$TMP/planted.txt" king -k 2
    echo
    echo # the blank line's empty answer
    echo
    "$W2V" nearest "$TMP/planted.txt" queen man -k 2
    echo
} >"$TMP/expect"
check "stdin: one record per line, blank-line separated" cmp -s "$TMP/out" "$TMP/expect"
check "stdin: an unknown word makes exit status 1" test "$st" -eq 1
check "stdin: the error names the word, on one line" sh -c \
    '[ "$(wc -l <"$0")" -eq 1 ] && grep -q "^w2v: error: .*nosuch" "$0"' "$TMP/err"

printf 'king man woman\nking man\nw1 w2 w3\n' | "$W2V" analogy "$TMP/planted.txt" -k 1 --json >"$TMP/out" 2>"$TMP/err"
st=$?
check "stdin analogy --json: one line per query, null for a failed one" sh -c \
    '[ "$(sed -n 1p "$0")" = "[{\"word\": \"queen\", \"score\": 0.958569}]" ] && [ "$(sed -n 2p "$0")" = null ] && [ "$(sed -n 3p "$0")" = null ] && [ "$(wc -l <"$0")" -eq 3 ]' \
    "$TMP/out"
check "stdin analogy: failures exit 1 with one line each" sh -c \
    '[ "$1" -eq 1 ] && [ "$(wc -l <"$0")" -eq 2 ]' "$TMP/err" "$st"

# Many queries on stdin (several batches) answer like one at a time.
awk 'BEGIN { for (i = 0; i < 150; i++) print "w" (i * 7 % 300) }' >"$TMP/many"
"$W2V" nearest "$TMP/rand.bin" -k 3 <"$TMP/many" >"$TMP/out"
: >"$TMP/expect"
while read -r w; do
    "$W2V" nearest "$TMP/rand.bin" "$w" -k 3 >>"$TMP/expect"
    echo >>"$TMP/expect"
done <"$TMP/many"
check "150 stdin queries answer like 150 processes" cmp -s "$TMP/out" "$TMP/expect"

# ---- JSON -------------------------------------------------------------------

printf '3 2\nplain 1 0\na"b\\c 0.9 0.1\nbad\377byte 0.8 0.2\n' >"$TMP/json.txt"
"$W2V" nearest "$TMP/json.txt" plain --json >"$TMP/out"
check "--json escapes quotes and backslashes, replaces bad UTF-8" sh -c \
    'grep -qF "[{\"word\": \"a\\\"b\\\\c\", \"score\": 0.993884}, {\"word\": \"bad\\ufffdbyte\", \"score\": 0.970142}]" "$0"' \
    "$TMP/out"
if /usr/bin/python3 -c 'import json' 2>/dev/null; then
    check "--json output parses as JSON" /usr/bin/python3 -c \
        'import json,sys; a=json.load(open(sys.argv[1])); assert a[0]["word"]=="a\"b\\c" and len(a)==2' "$TMP/out"
fi

# ---- convert ------------------------------------------------------------------

check "convert text -> binary -> text -> binary is stable" sh -c \
    '"$0" convert "$1/rand.bin" "$1/r2.txt" && "$0" convert "$1/r2.txt" "$1/r2.bin" && cmp -s "$1/rand.bin" "$1/r2.bin"' \
    "$W2V" "$TMP"
check "convert picks the other format by default" sh -c \
    '"$0" convert "$1/planted.txt" "$1/p.bin" && ! grep -q "^king 1 1" "$1/p.bin" && "$0" convert "$1/p.bin" "$1/p.txt" && grep -q "^king 1 1 0 0$" "$1/p.txt"' \
    "$W2V" "$TMP"
check "convert in place" sh -c \
    'cp "$1/planted.txt" "$1/inplace" && "$0" convert "$1/inplace" "$1/inplace" --binary && "$0" similarity "$1/inplace" king queen >/dev/null' \
    "$W2V" "$TMP"

# ---- files from gensim (when it is installed) ---------------------------------

if /usr/bin/python3 -c 'import gensim' 2>/dev/null; then
    /usr/bin/python3 - "$TMP" <<'EOF' >"$TMP/gensim.out" 2>"$TMP/gensim.err"
import sys
from gensim.models import KeyedVectors
d = sys.argv[1]
kv = KeyedVectors.load_word2vec_format(d + "/rand.txt", binary=False)
kv.save_word2vec_format(d + "/g.bin", binary=True)
kv.save_word2vec_format(d + "/g.txt", binary=False)
for w, s in kv.most_similar("w5", topn=5):
    print("%s\t%.6f" % (w, s))
EOF
    for f in g.bin g.txt; do
        "$W2V" nearest "$TMP/$f" w5 -k 5 >"$TMP/got"
        if same_hits "$TMP/got" "$TMP/gensim.out"; then pass; else
            fail "gensim file $f: $(cat "$TMP/got") vs $(cat "$TMP/gensim.out" "$TMP/gensim.err")"
        fi
    done
fi

# ---- bad input ----------------------------------------------------------------

mkdir "$TMP/dir"
: >"$TMP/empty"
awk 'BEGIN { srand(3); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 256) }' >"$TMP/random"
printf '1000000000000 300\nthe 1 2 3\n' >"$TMP/many-words"
printf '3 1000000000\nthe 1 2 3\n' >"$TMP/many-dims"
size=$(wc -c <"$TMP/rand.bin")
head -c $((size - 20)) "$TMP/rand.bin" >"$TMP/truncated"
printf '2 3\na 1 2 3\nb 1 2\n' >"$TMP/count"
printf '2 3\na 1 2 3\nb 1 x 3\n' >"$TMP/nonnum"
printf '2 3\na 1 2 3\nb 1 nan 3\n' >"$TMP/nan"
printf '2 3\na 1 2 3\nb inf 2 3\n' >"$TMP/inf"
printf '2 3\na 1 2 3\na 4 5 6\n' >"$TMP/dup"

for cmd in nearest analogy similarity; do
    case $cmd in
    nearest) words="king" ;;
    analogy) words="king man woman" ;;
    similarity) words="king queen" ;;
    esac
    # shellcheck disable=SC2086
    {
        expect_error 1 "$cmd: missing file" -- $cmd "$TMP/nonexistent" $words
        expect_error 1 "$cmd: empty file" -- $cmd "$TMP/empty" $words
        expect_error 1 "$cmd: directory" -- $cmd "$TMP/dir" $words
        expect_error 1 "$cmd: random bytes" -- $cmd "$TMP/random" $words
        expect_error 1 "$cmd: 10^12 words" -- $cmd "$TMP/many-words" $words
        expect_error 1 "$cmd: 10^9 dimensions" -- $cmd "$TMP/many-dims" $words
        expect_error 1 "$cmd: truncated binary" -- $cmd "$TMP/truncated" $words
        expect_error 1 "$cmd: wrong value count" -- $cmd "$TMP/count" $words
        expect_error 1 "$cmd: non-numeric value" -- $cmd "$TMP/nonnum" $words
        expect_error 1 "$cmd: NaN" -- $cmd "$TMP/nan" $words
        expect_error 1 "$cmd: infinity" -- $cmd "$TMP/inf" $words
        expect_error 1 "$cmd: duplicate word" -- $cmd "$TMP/dup" $words
        expect_error 2 "$cmd: unknown option" -- $cmd "$TMP/planted.txt" $words --bogus
    }
done
# Binary files (mapped, and read with --no-map): a NaN, a duplicate, junk
# after the vectors. 1.0f, 2.0f and a NaN, little-endian.
one='\000\000\200\077' two='\000\000\000\100' nan='\000\000\300\177'
printf "3 2\na $one$two\nb $nan$one\nc $two$two\n" >"$TMP/nan.bin"
printf "3 2\na $one$two\nb $two$one\na $two$two\n" >"$TMP/dup.bin"
printf "3 2\na $one$two\nb $two$one\nc $two$two\njunk" >"$TMP/junk.bin"
printf "3 2\na $one$two\nb $two$one\nc $two$two\n" >"$TMP/good.bin"
check "the hand-made binary file is good" "$W2V" nearest "$TMP/good.bin" a
for map in "" --no-map; do
    expect_error 1 "binary NaN $map" -- nearest "$TMP/nan.bin" a $map
    check "the NaN message names the word" grep -q "'b'" "$TMP/err"
    expect_error 1 "binary NaN in a query word $map" -- similarity "$TMP/nan.bin" a b $map
    expect_error 1 "binary duplicate $map" -- nearest "$TMP/dup.bin" b $map
    expect_error 1 "binary junk after the vectors $map" -- nearest "$TMP/junk.bin" a $map
    expect_error 1 "truncated binary $map" -- nearest "$TMP/truncated" w1 $map
done
expect_error 1 "unknown query word" -- nearest "$TMP/planted.txt" nosuchword
check "the message names the unknown word" grep -q "nosuchword" "$TMP/err"
expect_error 1 "unknown analogy word" -- analogy "$TMP/planted.txt" king man nosuchword
expect_error 1 "unknown similarity word" -- similarity "$TMP/planted.txt" king nosuchword
for cmd in nearest analogy; do
    case $cmd in nearest) words="king" ;; analogy) words="king man woman" ;; esac
    # shellcheck disable=SC2086
    {
        expect_error 2 "$cmd -k 0" -- $cmd "$TMP/planted.txt" $words -k 0
        expect_error 2 "$cmd -k -3" -- $cmd "$TMP/planted.txt" $words -k -3
        expect_error 2 "$cmd -k abc" -- $cmd "$TMP/planted.txt" $words -k abc
        expect_error 2 "$cmd missing value" -- $cmd "$TMP/planted.txt" $words -k
        expect_error 2 "$cmd --restrict 0" -- $cmd "$TMP/planted.txt" $words --restrict 0
        expect_error 2 "$cmd missing --restrict value" -- $cmd "$TMP/planted.txt" $words --restrict
    }
done
expect_error 2 "nearest without VEC" -- nearest
expect_error 2 "analogy with two words" -- analogy "$TMP/planted.txt" king man
expect_error 2 "similarity with one word" -- similarity "$TMP/planted.txt" king
expect_error 2 "convert with one file" -- convert "$TMP/planted.txt"
expect_error 2 "convert --binary --text" -- convert "$TMP/planted.txt" "$TMP/x" --binary --text
expect_error 1 "convert a missing file" -- convert "$TMP/nonexistent" "$TMP/x"
expect_error 1 "convert into a missing directory" -- convert "$TMP/planted.txt" "$TMP/no/such/dir"
expect_error 1 "convert bad input" -- convert "$TMP/nan" "$TMP/x"
check "a failed convert leaves no output" test ! -e "$TMP/x"

summary
