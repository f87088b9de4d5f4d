#!/bin/sh
# End-to-end checks of eval-analogy and eval-similarity on a hand-made model
# whose answers are known by construction (see the comments), in both file
# formats, plus the bad-input cases.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

# ---- fixtures ---------------------------------------------------------------

# Nine orthogonal directions: 1 gender, 2 royal, 3 person, 4 capital,
# 5 France, 6 Germany, 7 plural, 8 fruit, 9 vehicle. So queen = king - man +
# woman exactly, berlin = paris - France + germany, cars = apples - apple +
# car. "Woman" is a later spelling of woman holding queen's vector: it would
# win man:woman::king:? if rows folding to a question word were not
# excluded. "regina" ties with queen, one row later, so it never wins.
# "zero" is a zero vector.
model="$TMP/model.txt"
{
    printf '15 9\n'
    printf 'man 0 0 1 0 0 0 0 0 0\n'
    printf 'woman 1 0 1 0 0 0 0 0 0\n'
    printf 'Woman 1 1 1 0 0 0 0 0 0\n'
    printf 'king 0 1 1 0 0 0 0 0 0\n'
    printf 'queen 1 1 1 0 0 0 0 0 0\n'
    printf 'regina 1 1 1 0 0 0 0 0 0\n'
    printf 'France 0 0 0 0 1 0 0 0 0\n'
    printf 'paris 0 0 0 1 1 0 0 0 0\n'
    printf 'germany 0 0 0 0 0 1 0 0 0\n'
    printf 'berlin 0 0 0 1 0 1 0 0 0\n'
    printf 'apple 0 0 0 0 0 0 0 1 0\n'
    printf 'apples 0 0 0 0 0 0 1 1 0\n'
    printf 'car 0 0 0 0 0 0 0 0 1\n'
    printf 'cars 0 0 0 0 0 0 1 0 1\n'
    printf 'zero 0 0 0 0 0 0 0 0 0\n'
} >"$model"
"$W2V" convert "$model" "$TMP/model.bin" --binary

# family: 1-3 right (2 by case folding), 4 wrong (the answer is queen),
# 5 skipped (unicorn), 6 wrong (queen ties with regina and comes first).
# capital: both right. empty-section: nothing. gram-plural: both right.
questions="$TMP/questions.txt"
{
    printf ': family\n'
    printf 'man woman king queen\n'
    printf 'MAN WOMAN KING QUEEN\n'
    printf 'king queen man woman\n'
    printf 'man woman king apple\n'
    printf 'man woman unicorn queen\n'
    printf 'man woman king regina\n'
    printf ': capital\n'
    printf 'france paris germany berlin\n'
    printf 'paris France\tberlin  germany\r\n'
    printf '\n'
    printf ': empty-section\n'
    printf ': gram-plural\n'
    printf 'apple apples car cars\n'
    printf 'cars car apples apple\n'
} >"$questions"

# The full result, and with --restrict 10 (apple, apples, car, cars, zero
# outside: questions 4 and both plurals are skipped too).
full='{"accuracy": 0.777778, "correct": 7, "total": 9, "skipped": 1, "semantic": {"correct": 5, "total": 7}, "syntactic": {"correct": 2, "total": 2}, "sections": [{"name": "family", "correct": 3, "total": 5}, {"name": "capital", "correct": 2, "total": 2}, {"name": "empty-section", "correct": 0, "total": 0}, {"name": "gram-plural", "correct": 2, "total": 2}]}'
restricted='{"accuracy": 0.833333, "correct": 5, "total": 6, "skipped": 4, "semantic": {"correct": 5, "total": 6}, "syntactic": {"correct": 0, "total": 0}, "sections": [{"name": "family", "correct": 3, "total": 4}, {"name": "capital", "correct": 2, "total": 2}, {"name": "empty-section", "correct": 0, "total": 0}, {"name": "gram-plural", "correct": 0, "total": 0}]}'

# same DESCRIPTION EXPECTED COMMAND...: COMMAND succeeds and prints EXPECTED.
same() {
    desc=$1 want=$2
    shift 2
    if ! "$@" >"$TMP/same.out" 2>"$TMP/same.err"; then
        fail "$desc: exit status $?: $(head -c 300 "$TMP/same.err")"
    elif [ "$(cat "$TMP/same.out")" != "$want" ]; then
        fail "$desc: got $(head -c 600 "$TMP/same.out")"
    else
        pass
    fi
}

# ---- eval-analogy -------------------------------------------------------------

for fmt in txt bin; do
    for method in 3cosadd 3cosmul; do
        same "analogy json, $fmt, $method" "$full" \
            "$W2V" eval-analogy "$TMP/model.$fmt" "$questions" --json --method "$method"
        same "analogy json, $fmt, $method, --restrict 10" "$restricted" \
            "$W2V" eval-analogy "$TMP/model.$fmt" "$questions" --json --method "$method" \
            --restrict 10
    done
done
for t in 1 2 3; do
    same "analogy json, --threads $t" "$full" \
        "$W2V" eval-analogy "$model" "$questions" --json --threads "$t"
done
same "--restrict larger than the file is the whole file" "$full" \
    "$W2V" eval-analogy "$model" "$questions" --json --restrict 1000000

# The table: per section, the two groups, the total and the coverage.
"$W2V" eval-analogy "$model" "$questions" >"$TMP/table" 2>"$TMP/table.err"
check "analogy table exits 0" test $? -eq 0
check "table: method and rows" grep -q '^3CosAdd, the first 15 of 15 words$' "$TMP/table"
check "table: family row" grep -Eq '^family +3 +5 +60\.00% +1$' "$TMP/table"
check "table: capital row" grep -Eq '^capital +2 +2 +100\.00% +0$' "$TMP/table"
check "table: empty section shows no accuracy" grep -Eq '^empty-section +0 +0 +- +0$' "$TMP/table"
check "table: semantic" grep -Eq '^semantic +5 +7 +71\.43%$' "$TMP/table"
check "table: syntactic" grep -Eq '^syntactic +2 +2 +100\.00%$' "$TMP/table"
check "table: total" grep -Eq '^total +7 +9 +77\.78% +1$' "$TMP/table"
check "table: coverage" grep -q '^coverage: 9 of 10 questions (90.00%); 1 skipped' "$TMP/table"
check "table: nothing on stderr" test ! -s "$TMP/table.err"
"$W2V" eval-analogy "$model" "$questions" --method 3cosmul >"$TMP/table"
check "table names 3CosMul" grep -q '^3CosMul, ' "$TMP/table"

if command -v python3 >/dev/null 2>&1; then
    check "analogy --json is valid JSON" sh -c \
        '"$0" eval-analogy "$1" "$2" --json | python3 -c "import json,sys; json.load(sys.stdin)"' \
        "$W2V" "$model" "$questions"
fi

# Malformed lines are skipped with one warning naming the first; the rest
# is evaluated as before.
{ cat "$questions"; printf ': more\nonly three words\na b c d e\n'; } >"$TMP/malformed.txt"
"$W2V" eval-analogy "$model" "$TMP/malformed.txt" --json >"$TMP/out" 2>"$TMP/err"
check "malformed lines: exit 0" test $? -eq 0
check "malformed lines: counts unchanged" grep -q '"correct": 7, "total": 9, "skipped": 1' "$TMP/out"
check "malformed lines: one warning" test "$(wc -l <"$TMP/err")" -eq 1
check "malformed lines: the warning names the count and the first line" \
    grep -q "^w2v: warning: .*skipped 2 malformed lines (first: line 17" "$TMP/err"

# A section name with quotes and a control character stays valid JSON.
printf ': "odd"\\\tname\nman woman king queen\n' >"$TMP/odd.txt"
same "section names are escaped in JSON" \
    '{"accuracy": 1.000000, "correct": 1, "total": 1, "skipped": 0, "semantic": {"correct": 1, "total": 1}, "syntactic": {"correct": 0, "total": 0}, "sections": [{"name": "\"odd\"\\\u0009name", "correct": 1, "total": 1}]}' \
    "$W2V" eval-analogy "$model" "$TMP/odd.txt" --json

# Every question outside the vocabulary: not an error, accuracy 0.
printf ': s\nfoo bar baz qux\n' >"$TMP/oov.txt"
same "all questions skipped" \
    '{"accuracy": 0.000000, "correct": 0, "total": 0, "skipped": 1, "semantic": {"correct": 0, "total": 0}, "syntactic": {"correct": 0, "total": 0}, "sections": [{"name": "s", "correct": 0, "total": 0}]}' \
    "$W2V" eval-analogy "$model" "$TMP/oov.txt" --json

# Bad input: one line on stderr, exit 1 for data, 2 for usage.
: >"$TMP/empty.txt"
printf ': only a section\nnot a question\n\n' >"$TMP/nousable.txt"
printf 'man woman king queen\n: s\n' >"$TMP/nosection.txt"
printf ': s\nman woman\000 king queen\n' >"$TMP/nul.txt"
expect_error 1 "missing questions file" -- eval-analogy "$model" "$TMP/nonexistent"
expect_error 1 "empty questions file" -- eval-analogy "$model" "$TMP/empty.txt"
expect_error 1 "no usable line" -- eval-analogy "$model" "$TMP/nousable.txt"
expect_error 1 "question before any section" -- eval-analogy "$model" "$TMP/nosection.txt"
check "question before any section: the error names line 1" \
    grep -q "line 1: question before" "$TMP/err"
expect_error 1 "NUL byte in the questions" -- eval-analogy "$model" "$TMP/nul.txt"
expect_error 1 "missing vector file" -- eval-analogy "$TMP/nonexistent" "$questions"
expect_error 1 "questions given as the vector file" -- eval-analogy "$questions" "$questions"
expect_error 2 "no arguments" -- eval-analogy
expect_error 2 "one argument" -- eval-analogy "$model"
expect_error 2 "three arguments" -- eval-analogy "$model" "$questions" extra
expect_error 2 "unknown option" -- eval-analogy "$model" "$questions" --frobnicate
expect_error 2 "--restrict 0" -- eval-analogy "$model" "$questions" --restrict 0
expect_error 2 "--restrict -5" -- eval-analogy "$model" "$questions" --restrict -5
expect_error 2 "--restrict abc" -- eval-analogy "$model" "$questions" --restrict abc
expect_error 2 "--restrict without a value" -- eval-analogy "$model" "$questions" --restrict
expect_error 2 "--method unknown" -- eval-analogy "$model" "$questions" --method cosine
expect_error 2 "--threads 0" -- eval-analogy "$model" "$questions" --threads 0
check "help documents malformed lines" sh -c '"$0" eval-analogy --help | grep -q "skipped with a warning"' "$W2V"

# ---- eval-similarity ---------------------------------------------------------------

# Cosines: man-woman, man-king, France-paris 1/sqrt2; king-queen 2/sqrt6;
# apple-car 0. Model ranks {3,5,3,1,3}, human ranks {2.5,5,2.5,1,4}:
# Spearman = 8/sqrt(8*9.5) = 0.917663. Pearson (scipy): 0.932724.
pairs="$TMP/pairs.tsv"
{
    printf '# a comment line\n'
    printf 'Word 1\tWord 2\tHuman (mean)\n'
    printf 'man\twoman\t5\n'
    printf 'king\tqueen\t8\n'
    printf 'man king 5\n'
    printf 'apple\tcar\t1\n'
    printf 'FRANCE\tParis\t6\r\n'
    printf 'man\tunicorn\t3\n'
} >"$pairs"
sim='{"spearman": 0.917663, "pearson": 0.932724, "pairs": 5, "skipped": 1}'
for fmt in txt bin; do
    same "similarity json, $fmt" "$sim" "$W2V" eval-similarity "$TMP/model.$fmt" "$pairs" --json
done
same "similarity --restrict 5: only the man, woman, king, queen pairs" \
    '{"spearman": 1.000000, "pearson": 1.000000, "pairs": 3, "skipped": 3}' \
    "$W2V" eval-similarity "$model" "$pairs" --json --restrict 5
"$W2V" eval-similarity "$model" "$pairs" >"$TMP/table" 2>"$TMP/table.err"
check "similarity table exits 0" test $? -eq 0
check "similarity table: pairs" grep -Eq '^pairs +5$' "$TMP/table"
check "similarity table: skipped" grep -Eq '^skipped +1 ' "$TMP/table"
check "similarity table: spearman" grep -Eq '^spearman +0\.9177$' "$TMP/table"
check "similarity table: pearson" grep -Eq '^pearson +0\.9327$' "$TMP/table"
check "similarity table: nothing on stderr" test ! -s "$TMP/table.err"

# One pair: correlations are undefined, reported as null / "undefined".
printf 'man woman 3\n' >"$TMP/one.tsv"
same "one pair gives null correlations" \
    '{"spearman": null, "pearson": null, "pairs": 1, "skipped": 0}' \
    "$W2V" eval-similarity "$model" "$TMP/one.tsv" --json
check "one pair: table says undefined" sh -c \
    '"$0" eval-similarity "$1" "$2" | grep -q "^spearman *undefined"' "$W2V" "$model" "$TMP/one.tsv"

{ cat "$pairs"; printf 'bad line\nx y z\n'; } >"$TMP/badpairs.tsv"
"$W2V" eval-similarity "$model" "$TMP/badpairs.tsv" --json >"$TMP/out" 2>"$TMP/err"
check "malformed pairs: exit 0" test $? -eq 0
check "malformed pairs: same result" test "$(cat "$TMP/out")" = "$sim"
check "malformed pairs: one warning naming line 9" \
    grep -q "^w2v: warning: .*skipped 2 malformed lines (first: line 9" "$TMP/err"

printf 'foo bar 1\nbaz qux 2\n' >"$TMP/unknown.tsv"
printf '# nothing\nword1 word2 score\n' >"$TMP/nopairs.tsv"
expect_error 1 "no pair in the vocabulary" -- eval-similarity "$model" "$TMP/unknown.tsv"
expect_error 1 "no usable pair line" -- eval-similarity "$model" "$TMP/nopairs.tsv"
expect_error 1 "empty pairs file" -- eval-similarity "$model" "$TMP/empty.txt"
expect_error 1 "missing pairs file" -- eval-similarity "$model" "$TMP/nonexistent"
expect_error 1 "missing vector file" -- eval-similarity "$TMP/nonexistent" "$pairs"
expect_error 2 "similarity: one argument" -- eval-similarity "$model"
expect_error 2 "similarity: unknown option" -- eval-similarity "$model" "$pairs" --method 3cosadd
expect_error 2 "similarity: --restrict 0" -- eval-similarity "$model" "$pairs" --restrict 0

summary
