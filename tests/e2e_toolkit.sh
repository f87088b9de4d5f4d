#!/bin/sh
# End-to-end checks of the query toolkit: nearest --minus, analogy --method
# 3cosmul, doesnt-match and map, against brute-force answers computed here
# in awk (double precision) on models with known geometry, plus their bad
# input: one "w2v:" line and exit 1 (bad data) or 2 (usage) each.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

# ---- fixtures ---------------------------------------------------------------

# A random model: 300 words "w0".."w299" of 8 dimensions.
random_model "$TMP/rand.txt" 11
"$W2V" convert "$TMP/rand.txt" "$TMP/rand.bin" --binary

# A planted model: king - man + woman is queen; breakfast, lunch and dinner
# share an axis that cereal only touches; zero is a zero vector.
cat >"$TMP/planted.txt" <<'EOF'
12 5
king 1 1 0 0 0
queen 1 0 1 0 0
man 0 1 0 0 0
woman 0 0 1 0 0
royal 1 0.1 0 0 0
girl 0 0.2 1 0 0
breakfast 0 0 0 1 0.2
lunch 0 0 0 1 0.1
dinner 0 0 0 1 0.3
cereal 0 0.3 0 0.4 1
apple 0 0 0 0.1 1
zero 0 0 0 0 0
EOF

# brute MODE FILE K RESTRICT POS NEG: the expected answer in awk, in double
# precision, as "word<TAB>score" lines best first (ties: lower row).
#   mix:    cosine with unit(sum unit(POS) - sum unit(NEG)); POS and NEG
#           are space-separated lists; every query word left out
#   cosmul: POS = "A C", NEG = "B": cos'(x,A) cos'(x,C) / (cos'(x,B) + 0.001)
#           with cos' = (cos + 1) / 2, A, B and C left out
#   odd:    POS = the words; each word with its cosine to the normalised
#           mean of the unit vectors, lowest first (ties: earlier word)
brute() {
    awk -v mode="$1" -v k="$3" -v restrict="$4" -v pos="$5" -v neg="$6" '
    NR == 1 { d = $2; next }
    {
        r = NR - 2; word[r] = $1; n = 0
        for (j = 1; j <= d; j++) n += $(j + 1) * $(j + 1)
        n = sqrt(n)
        for (j = 1; j <= d; j++) u[r, j] = (n > 0) ? $(j + 1) / n : 0
        row[$1] = r; rows = r + 1
    }
    function cosv(r, t, tn,   s, j) {
        s = 0; for (j = 1; j <= d; j++) s += t[j] * u[r, j]
        return tn > 0 ? s / tn : 0
    }
    function cosr(a, b,   s, j) { s = 0; for (j = 1; j <= d; j++) s += u[a, j] * u[b, j]; return s }
    END {
        np = split(pos, p, " "); nn = split(neg, q, " ")
        m = 0
        if (mode == "odd") {
            for (j = 1; j <= d; j++) t[j] = 0
            for (i = 1; i <= np; i++) for (j = 1; j <= d; j++) t[j] += u[row[p[i]], j]
            tn = 0; for (j = 1; j <= d; j++) tn += t[j] * t[j]; tn = sqrt(tn)
            for (i = 1; i <= np; i++) { m++; sc[m] = -cosv(row[p[i]], t, tn); id[m] = i; name[i] = p[i] }
        } else {
            for (j = 1; j <= d; j++) t[j] = 0
            for (i = 1; i <= np; i++) { ex[row[p[i]]] = 1; for (j = 1; j <= d; j++) t[j] += u[row[p[i]], j] }
            for (i = 1; i <= nn; i++) { ex[row[q[i]]] = 1; for (j = 1; j <= d; j++) t[j] -= u[row[q[i]], j] }
            tn = 0; for (j = 1; j <= d; j++) tn += t[j] * t[j]; tn = sqrt(tn)
            lim = (restrict > 0 && restrict < rows) ? restrict : rows
            for (r = 0; r < lim; r++) {
                if (r in ex) continue
                if (mode == "mix") s = cosv(r, t, tn)
                else s = (cosr(r, row[p[1]]) + 1) / 2 * (cosr(r, row[p[2]]) + 1) / 2 / ((cosr(r, row[q[1]]) + 1) / 2 + 0.001)
                m++; sc[m] = s; id[m] = r; name[r] = word[r]
            }
        }
        if (k <= 0) k = m
        for (i = 1; i <= k && i <= m; i++) {
            b = i
            for (j = i + 1; j <= m; j++)
                if (sc[j] > sc[b] || (sc[j] == sc[b] && id[j] < id[b])) b = j
            ts = sc[i]; sc[i] = sc[b]; sc[b] = ts; ti = id[i]; id[i] = id[b]; id[b] = ti
            printf "%s\t%.6f\n", name[id[i]], mode == "odd" ? -sc[i] : sc[i]
        }
    }' "$2"
}

# same_hits A B: the same words in the same order, scores within 2e-5
# (relative, for 3CosMul's scores above 1).
same_hits() {
    awk -F '\t' 'NR == FNR { w[FNR] = $1; s[FNR] = $2; n = FNR; next }
        { m = FNR; if ($1 != w[FNR]) bad = 1; d = $2 - s[FNR]; if (d < 0) d = -d
          a = s[FNR] < 0 ? -s[FNR] : s[FNR]; if (d > 2e-5 * (a > 1 ? a : 1)) bad = 1 }
        END { exit (bad || n != m || n == 0) }' "$1" "$2"
}

# check_brute DESC WANT-ARGS -- W2V-ARGS: w2v's answer equals brute's.
check_brute() {
    desc=$1; shift
    want_args=""
    while [ "$1" != "--" ]; do want_args="$want_args$1|"; shift; done
    shift
    "$W2V" "$@" >"$TMP/got" 2>"$TMP/got.err"
    old_ifs=$IFS; IFS='|'
    # shellcheck disable=SC2086
    set -- $want_args
    IFS=$old_ifs
    brute "$@" >"$TMP/want"
    if same_hits "$TMP/got" "$TMP/want"; then pass; else
        fail "$desc: got $(head -c 300 "$TMP/got") $(cat "$TMP/got.err") want $(head -c 300 "$TMP/want")"
    fi
}

# ---- nearest --minus ----------------------------------------------------------

for f in rand.txt rand.bin; do
    check_brute "nearest w5 --minus w6 ($f)" mix "$TMP/rand.txt" 10 0 "w5" "w6" -- \
        nearest "$TMP/$f" w5 --minus w6 -k 10
    check_brute "nearest two positives, two negatives ($f)" mix "$TMP/rand.txt" 12 0 "w1 w2" "w3 w4" -- \
        nearest "$TMP/$f" w1 w2 --minus w3 --minus w4 -k 12
    check_brute "nearest --minus --restrict 80 ($f)" mix "$TMP/rand.txt" 5 80 "w100" "w7" -- \
        nearest "$TMP/$f" w100 --minus w7 -k 5 --restrict 80
    check_brute "nearest without --minus is unchanged ($f)" mix "$TMP/rand.txt" 10 0 "w9" "" -- \
        nearest "$TMP/$f" w9 -k 10
done
check "king woman --minus man answers queen (gensim's most_similar)" sh -c \
    '"$0" nearest "$1/planted.txt" king woman --minus man -k 1 | grep -q "^queen	"' "$W2V" "$TMP"
check "--minus words are left out of the answers" sh -c \
    '! "$0" nearest "$1/planted.txt" king --minus man -k 11 | grep -qE "^(king|man)	"' "$W2V" "$TMP"
check "a word minus itself scores 0, never NaN" sh -c \
    '"$0" nearest "$1/planted.txt" king --minus king -k 3 >"$1/self" && ! grep -qi nan "$1/self" && grep -q "	0.000000$" "$1/self"' \
    "$W2V" "$TMP"
# stdin: --minus applies to every line; answers in blocks.
printf 'w10\nw11 w12\n' | "$W2V" nearest "$TMP/rand.bin" --minus w13 -k 4 >"$TMP/out" 2>"$TMP/err"
{ brute mix "$TMP/rand.txt" 4 0 "w10" "w13"; echo; brute mix "$TMP/rand.txt" 4 0 "w11 w12" "w13"; echo; } >"$TMP/want"
grep -v '^$' "$TMP/out" >"$TMP/o1"
grep -v '^$' "$TMP/want" >"$TMP/w1"
if same_hits "$TMP/o1" "$TMP/w1" && [ "$(grep -c '^$' "$TMP/out")" -eq 2 ] &&
    [ "$(wc -l <"$TMP/out")" -eq 10 ]; then pass; else
    fail "stdin --minus: $(head -c 300 "$TMP/out") $(cat "$TMP/err")"
fi

# ---- analogy --method 3cosmul -------------------------------------------------

for f in rand.txt rand.bin; do
    check_brute "3cosmul w10 w20 w30 ($f)" cosmul "$TMP/rand.txt" 5 0 "w10 w30" "w20" -- \
        analogy "$TMP/$f" w10 w20 w30 --method 3cosmul -k 5
    check_brute "3cosmul --restrict 100 ($f)" cosmul "$TMP/rand.txt" 7 100 "w150 w3" "w40" -- \
        analogy "$TMP/$f" w150 w40 w3 --method 3cosmul -k 7 --restrict 100
done
check_brute "3cosmul king man woman" cosmul "$TMP/planted.txt" 3 0 "king woman" "man" -- \
    analogy "$TMP/planted.txt" king man woman --method 3cosmul -k 3
check_brute "--method 3cosadd is the default" mix "$TMP/rand.txt" 5 0 "w10 w30" "w20" -- \
    analogy "$TMP/rand.bin" w10 w20 w30 --method 3cosadd -k 5
check "3cosmul king man woman answers queen" sh -c \
    '"$0" analogy "$1/planted.txt" king man woman --method 3cosmul -k 1 | grep -q "^queen	"' "$W2V" "$TMP"
# stdin, one query per line, --json
printf 'w1 w2 w3\nw4 w5 w6\n' | "$W2V" analogy "$TMP/rand.bin" --method 3cosmul -k 2 --json >"$TMP/out"
if [ "$(wc -l <"$TMP/out")" -eq 2 ] && head -n 1 "$TMP/out" | grep -q "^\[{\"word\": \"$(brute cosmul "$TMP/rand.txt" 1 0 "w1 w3" "w2" | cut -f1)\""; then
    pass; else fail "3cosmul stdin --json: $(cat "$TMP/out")"; fi
# The same formula as eval-analogy: questions built from analogy's own
# answers (eval's "b a c d" is analogy's "a b c" -> d) score 100%.
{
    echo ": toolkit"
    for t in "w1 w2 w3" "w10 w20 w30" "w7 w8 w9" "w100 w200 w50"; do
        set -- $t
        d=$("$W2V" analogy "$TMP/rand.bin" "$1" "$2" "$3" --method 3cosmul -k 1 | cut -f1)
        echo "$2 $1 $3 $d"
    done
} >"$TMP/questions.txt"
check "eval-analogy --method 3cosmul agrees with analogy --method 3cosmul" sh -c \
    '"$0" eval-analogy "$1/rand.bin" "$1/questions.txt" --method 3cosmul | grep -qE "^total +4 +4 +100\.00%"' \
    "$W2V" "$TMP"

# ---- doesnt-match -------------------------------------------------------------

check "doesnt-match breakfast cereal dinner lunch answers cereal" sh -c \
    '[ "$("$0" doesnt-match "$1/planted.txt" breakfast cereal dinner lunch)" = cereal ]' "$W2V" "$TMP"
for words in "w1 w2 w3 w4" "w10 w50 w90 w130 w170 w210" "w5 w6"; do
    brute odd "$TMP/rand.txt" 0 0 "$words" "" >"$TMP/want"
    # shellcheck disable=SC2086
    "$W2V" doesnt-match "$TMP/rand.bin" $words --verbose >"$TMP/got"
    if same_hits "$TMP/got" "$TMP/want"; then pass; else
        fail "doesnt-match --verbose $words: $(cat "$TMP/got") want $(cat "$TMP/want")"; fi
    # shellcheck disable=SC2086
    got=$("$W2V" doesnt-match "$TMP/rand.txt" $words)
    if [ "$got" = "$(head -n 1 "$TMP/want" | cut -f1)" ]; then pass; else
        fail "doesnt-match $words: $got"; fi
done
check "doesnt-match --json names the odd word and scores all" sh -c \
    '"$0" doesnt-match "$1/planted.txt" breakfast cereal dinner lunch --json |
     grep -qE "^\{\"odd\": \"cereal\", \"scores\": \[(\{\"word\": \"[a-z]+\", \"score\": -?[0-9.]+\}(, )?){4}\]\}$"' \
    "$W2V" "$TMP"
printf 'breakfast cereal dinner lunch\n\nking queen apple\nking nosuch\nking\nman woman girl apple\n' |
    "$W2V" doesnt-match "$TMP/planted.txt" >"$TMP/out" 2>"$TMP/err"
st=$?
printf 'cereal\napple\n\n\napple\n' >"$TMP/want"
if [ "$st" -eq 1 ] && cmp -s "$TMP/out" "$TMP/want" && [ "$(wc -l <"$TMP/err")" -eq 2 ] &&
    ! grep -qv '^w2v: error: ' "$TMP/err"; then pass; else
    fail "doesnt-match stdin: exit $st, out $(cat "$TMP/out"), err $(cat "$TMP/err")"; fi

# ---- map ----------------------------------------------------------------------

"$W2V" map "$TMP/rand.bin" w5 -k 12 -o "$TMP/a.svg" w7 w8 2>"$TMP/err"
check "map writes the picture" test -s "$TMP/a.svg"
if command -v xmllint >/dev/null 2>&1; then
    check "map's SVG is well-formed XML (xmllint)" xmllint --noout "$TMP/a.svg"
else
    echo "e2e_toolkit.sh: SKIP the xmllint check: xmllint is not installed (Debian: libxml2-utils)"
fi
"$W2V" map "$TMP/rand.bin" w5 -k 12 -o "$TMP/b.svg" w7 w8
check "map is deterministic (two runs, same bytes)" cmp -s "$TMP/a.svg" "$TMP/b.svg"
"$W2V" map "$TMP/rand.txt" w5 -k 12 w7 w8 >"$TMP/c.svg"
check "map to stdout, from text, gives the same bytes" cmp -s "$TMP/a.svg" "$TMP/c.svg"
# The lines' tooltips are the k nearest, in order, with nearest's cosines.
sed -n 's/^<line .*<title>w5 – \([^:]*\): cosine \([-0-9.]*\)<\/title><\/line>$/\1	\2/p' "$TMP/a.svg" |
    head -n 12 >"$TMP/got"
"$W2V" nearest "$TMP/rand.bin" w5 -k 12 >"$TMP/want"
check "map draws the k nearest with their cosines" same_hits "$TMP/got" "$TMP/want"
check "map draws the extra words, marked" sh -c \
    '[ "$(grep -c "(extra word)</title></line>" "$1/a.svg")" -eq 2 ] &&
     grep -q "<title>w5 – w7: cosine $("$0" similarity "$1/rand.bin" w5 w7) (extra word)" "$1/a.svg"' \
    "$W2V" "$TMP"
# Distance from the centre falls as the cosine rises.
check "map: higher cosine, nearer the centre" awk '
    /^<g><title>/ { c = $0; sub(/.*: cosine /, "", c); sub(/[ <].*/, "", c)
        x = $0; sub(/.*cx="/, "", x); sub(/".*/, "", x); y = $0; sub(/.*cy="/, "", y); sub(/".*/, "", y)
        n++; cs[n] = c + 0; ds[n] = sqrt(x * x + y * y) }
    END { if (n < 14) exit 1
          for (i = 1; i <= n; i++) for (j = 1; j <= n; j++)
              if (cs[i] > cs[j] && ds[i] > ds[j] + 0.01) exit 1 }' "$TMP/a.svg"
# Words that are not XML: escaped, invalid bytes replaced, still well-formed.
printf '4 2\nking 1 0\na<b>&"c'"'"' 0.9 0.1\nbad\377\001byte 0.8 0.3\n\342\200\224dash 0.5 0.5\n' >"$TMP/hostile.txt"
"$W2V" map "$TMP/hostile.txt" king -k 3 -o "$TMP/h.svg" 2>"$TMP/err"
check "map escapes markup in words" grep -q 'a&lt;b&gt;&amp;&quot;c&apos;' "$TMP/h.svg"
check "map replaces invalid UTF-8 and control characters" sh -c \
    '! grep -q "$(printf "\\377")" "$1" && ! grep -q "$(printf "\\001")" "$1" && grep -q "bad" "$1"' sh "$TMP/h.svg"
if command -v xmllint >/dev/null 2>&1; then
    check "map's SVG of hostile words is well-formed XML (xmllint)" xmllint --noout "$TMP/h.svg"
fi

# ---- bad input ------------------------------------------------------------------

expect_error 1 "nearest: unknown --minus word" -- nearest "$TMP/planted.txt" king --minus nosuch
expect_error 2 "nearest: --minus without a word" -- nearest "$TMP/planted.txt" king --minus
expect_error 1 "analogy 3cosmul: unknown word" -- analogy "$TMP/planted.txt" king nosuch woman --method 3cosmul
expect_error 2 "analogy: unknown method" -- analogy "$TMP/planted.txt" king man woman --method 3cosfoo
expect_error 1 "analogy 3cosmul: missing file" -- analogy "$TMP/nosuch.bin" a b c --method 3cosmul
expect_error 1 "doesnt-match: unknown word" -- doesnt-match "$TMP/planted.txt" king nosuch apple
expect_error 2 "doesnt-match: one word" -- doesnt-match "$TMP/planted.txt" king
expect_error 2 "doesnt-match: no file" -- doesnt-match
expect_error 1 "doesnt-match: missing file" -- doesnt-match "$TMP/nosuch.bin" a b
expect_error 1 "map: unknown word" -- map "$TMP/planted.txt" nosuch -o "$TMP/bad.svg"
expect_error 1 "map: unknown extra word" -- map "$TMP/planted.txt" king nosuch -o "$TMP/bad.svg"
expect_error 2 "map: -k 0" -- map "$TMP/planted.txt" king -k 0 -o "$TMP/bad.svg"
expect_error 2 "map: absurd -k" -- map "$TMP/planted.txt" king -k 1000000 -o "$TMP/bad.svg"
expect_error 2 "map: -k not a number" -- map "$TMP/planted.txt" king -k ten -o "$TMP/bad.svg"
expect_error 2 "map: no word" -- map "$TMP/planted.txt"
expect_error 1 "map: missing file" -- map "$TMP/nosuch.bin" king -o "$TMP/bad.svg"
expect_error 1 "map: output directory missing" -- map "$TMP/planted.txt" king -o "$TMP/no/dir/x.svg"
check "a failed map leaves no file behind" sh -c '! ls "$1"/bad.svg* >/dev/null 2>&1' sh "$TMP"
cp "$TMP/a.svg" "$TMP/keep.svg"
"$W2V" map "$TMP/planted.txt" nosuch -o "$TMP/keep.svg" 2>/dev/null
check "a failed map leaves an existing file untouched" cmp -s "$TMP/a.svg" "$TMP/keep.svg"

summary
