#!/bin/sh
# Set contexts (train --context line, item2vec) and training straight from a
# graph (train --graph): planted structure must come out, the modes' rules
# (window ignored, --max-set, graph defaults) must hold, and --graph must be
# exactly `w2v walks` then `w2v train`.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SBM="$HERE/../scripts/sbm.sh"
OUT=$TMP/out.bin

# ---- planted baskets --------------------------------------------------------------
# baskets FILE LEN_MIN LEN_SPAN SEED: 1500 lines, each LEN_MIN + [0, LEN_SPAN)
# items drawn from one of 4 groups of 12 (gK_iN is item N of group K).
baskets() {
    awk -v lo="$2" -v span="$3" -v seed="$4" 'BEGIN { srand(seed)
        for (l = 0; l < 1500; l++) {
            g = int(rand() * 4); n = lo + int(rand() * span); s = ""
            for (k = 0; k < n; k++) s = s (k ? " " : "") "g" g "_i" int(rand() * 12)
            print s
        } }' >"$1"
}
B=$TMP/baskets
baskets "$B" 3 6 1
awk '{ for (i = 1; i <= NF; i++) print $i }' "$B" | sort -u >"$TMP/items"
check "baskets: 48 distinct items" test "$(wc -l <"$TMP/items")" -eq 48
set_train() { # OUT CORPUS THREADS [OPTIONS...]
    o=$1; c=$2; t=$3; shift 3
    "$W2V" train "$c" -o "$o" --context line --min-count 1 --sample 0 --dim 16 --epochs 5 \
        --threads "$t" --seed 2 --quiet "$@"
}
for model in skipgram cbow; do
    for obj in ns hs; do
        if [ "$obj" = hs ]; then X="--hs --negative 0"; else X=""; fi
        # shellcheck disable=SC2086
        set_train "$TMP/$model-$obj.bin" "$B" 1 --model "$model" $X
        share=$(same_group_share "$TMP/$model-$obj.bin" "$TMP/items" 5)
        check "$model $obj: same-group items nearest ($share% of the 5 nearest, chance 23%)" \
            test "$share" -ge 90
    done
done
set_train "$TMP/t2.bin" "$B" 2 --model skipgram
share=$(same_group_share "$TMP/t2.bin" "$TMP/items" 5)
check "two threads: same-group items nearest ($share%)" test "$share" -ge 90
set_train "$TMP/again.bin" "$B" 1 --model skipgram
check "one thread, one seed: the same bits" cmp -s "$TMP/again.bin" "$TMP/skipgram-ns.bin"
set_train "$TMP/w1.bin" "$B" 1 --model skipgram --window 1
set_train "$TMP/w9.bin" "$B" 1 --model skipgram --window 9
check "--context line ignores --window" cmp -s "$TMP/w1.bin" "$TMP/w9.bin"
"$W2V" train "$B" -o "$TMP/win.bin" --min-count 1 --sample 0 --dim 16 --epochs 5 --threads 1 \
    --seed 2 --quiet --model skipgram
check "--context window (the default) trains otherwise" sh -c '! cmp -s "$1" "$2"' sh \
    "$TMP/win.bin" "$TMP/skipgram-ns.bin"

# ---- --max-set: long lines ------------------------------------------------------
# Lines of exactly 30 items: up to --max-set 30 a line is one set (no draw,
# the same bits as any larger cap); below it each item gets max-set - 1 of
# the others, drawn anew, which still finds the groups.
baskets "$TMP/long" 30 1 3
set_train "$TMP/m30.bin" "$TMP/long" 1 --model skipgram --max-set 30
set_train "$TMP/m1000.bin" "$TMP/long" 1 --model skipgram --max-set 1000
check "--max-set >= the line: the whole line is the set" cmp -s "$TMP/m30.bin" "$TMP/m1000.bin"
set_train "$TMP/m5.bin" "$TMP/long" 1 --model skipgram --max-set 5
check "--max-set below the line: a sample of it" sh -c '! cmp -s "$1" "$2"' sh \
    "$TMP/m5.bin" "$TMP/m30.bin"
share=$(same_group_share "$TMP/m5.bin" "$TMP/items" 5)
check "--max-set 5 on lines of 30: same-group items nearest ($share%)" test "$share" -ge 90
set_train "$TMP/m2.bin" "$TMP/long" 2 --model cbow --hs --max-set 2
check "--max-set 2 (one context an item), cbow hs, 2 threads" test -s "$TMP/m2.bin"

# ---- the README table (data/table.txt) -----------------------------------------
"$W2V" train "$HERE/../data/table.txt" -o "$TMP/table.bin" --context line --model skipgram \
    --min-count 1 --sample 0 --dim 16 --epochs 20 --threads 1 --quiet
check "table: japan's 5 nearest are its cities, currency and language" sh -c '
    [ "$("$1" nearest "$2" country=japan -k 5 | grep -c "=tokyo\|=osaka\|=kyoto\|=jpy\|=japanese")" -eq 5 ]' \
    sh "$W2V" "$TMP/table.bin"
check "table: geneva's 4 nearest are its country's values" sh -c '
    [ "$("$1" nearest "$2" city=geneva -k 4 | grep -c "=lausanne\|=fribourg\|=chf\|=switzerland")" -eq 4 ]' \
    sh "$W2V" "$TMP/table.bin"

# ---- --context usage errors -------------------------------------------------------
expect_error 2 "--context bogus" -- train "$B" -o "$OUT" --context bogus
expect_error 2 "--max-set 1" -- train "$B" -o "$OUT" --context line --max-set 1
expect_error 2 "--max-set 1001" -- train "$B" -o "$OUT" --context line --max-set 1001
expect_error 2 "--context line --kernel reference" -- train "$B" -o "$OUT" --context line \
    --kernel reference
expect_error 2 "--context line --subwords" -- train "$B" -o "$OUT" --context line --subwords
expect_error 2 "--context line --senses" -- train "$B" -o "$OUT" --context line --senses 2 \
    --senses-output "$TMP/s.bin" --model skipgram
expect_error 2 "--context line --checkpoint" -- train "$B" -o "$OUT" --context line \
    --checkpoint "$TMP/ck"
check "no output after the usage errors" test ! -e "$OUT"

# ---- train --graph ---------------------------------------------------------------
sh "$SBM" 400 4 4000 0.85 3 >"$TMP/g.all"
awk 'NR > 1 && NR % 10 == 0' "$TMP/g.all" >"$TMP/g.held"
awk 'NR == 1 || NR % 10 != 0' "$TMP/g.all" >"$TMP/g.train"
G=$TMP/g.train
# Exactly the walks file pipeline, node2vec's bias included.
"$W2V" train --graph "$G" -o "$TMP/direct.bin" --model skipgram --dim 16 --epochs 1 --walks 3 \
    --length 20 --p 0.25 --q 4 --threads 1 --seed 5 --quiet
"$W2V" walks "$G" -o "$TMP/walks.txt" --walks 3 --length 20 --p 0.25 --q 4 --seed 5 --quiet
"$W2V" train "$TMP/walks.txt" -o "$TMP/via.bin" --model skipgram --dim 16 --epochs 1 \
    --min-count 1 --sample 0 --batch-rows 1 --threads 1 --seed 5 --quiet
check "--graph: the same bits as walks + train --min-count 1 --sample 0 --batch-rows 1" \
    cmp -s "$TMP/direct.bin" "$TMP/via.bin"
"$W2V" train "$TMP/walks.txt" -o "$TMP/whole.bin" --model skipgram --dim 16 --epochs 1 \
    --min-count 1 --sample 0 --threads 1 --seed 5 --quiet
check "... and a walks file alone trains whole windows (--batch-rows 0, another result)" \
    sh -c '! cmp -s "$1" "$2"' sh "$TMP/direct.bin" "$TMP/whole.bin"
"$W2V" train --graph "$G" -o "$TMP/dw.bin" --model skipgram --dim 16 --epochs 1 --walks 3 \
    --length 20 --threads 1 --seed 5 --quiet
check "--graph: --p/--q change the walks" sh -c '! cmp -s "$1" "$2"' sh "$TMP/dw.bin" \
    "$TMP/direct.bin"
# The planted partition: same-block nodes nearest, held-out edges found.
"$W2V" train --graph "$G" -o "$TMP/sbm.bin" --model skipgram --dim 32 --epochs 3 --walks 10 \
    --length 40 --threads 2 --seed 1 2>"$TMP/log"
check "--graph: the log names the graph's size" grep --quiet "400 nodes, 3600 edges, undirected" \
    "$TMP/log"
check "--graph: every node in the vocabulary (min-count 1)" \
    grep --quiet "401 words in the vocabulary" "$TMP/log"
check "--graph: no subsampling by default" grep --quiet "trained \([0-9]*\) words (\1 after" \
    "$TMP/log"
planted_check "--graph" "$TMP/sbm.bin" "$TMP/walks.txt" "$TMP/g.held" "$G"
# --sample and --min-count still apply when given.
"$W2V" train --graph "$G" -o "$OUT" --dim 8 --epochs 1 --walks 2 --length 10 --sample 1e-3 \
    --threads 1 2>"$TMP/log"
check "--graph --sample 1e-3 subsamples" sh -c '! grep --quiet "trained \([0-9]*\) words (\1 after" "$1"' \
    sh "$TMP/log"
printf 'a b\nb c\nsolo\n' >"$TMP/tiny"
"$W2V" train --graph "$TMP/tiny" -o "$OUT" --dim 8 --epochs 1 --walks 1 --length 1 --text --quiet
check "--graph: one visit is enough, isolated nodes included (4 nodes)" \
    test "$(head -n 1 "$OUT" | cut -d' ' -f1)" -eq 5
expect_error 1 "--graph: --min-count above every node's visits" -- train --graph "$TMP/tiny" \
    -o "$TMP/none.bin" --walks 1 --length 1 --min-count 2 --quiet
check "... names the cause" grep --quiet "min-count 2" "$TMP/err"
expect_error 2 "--graph and a corpus" -- train "$B" --graph "$G" -o "$TMP/none.bin"
expect_error 2 "--graph --resume" -- train --graph "$G" -o "$TMP/none.bin" --resume "$TMP/ck"
expect_error 2 "--graph --read-vocab" -- train --graph "$G" -o "$TMP/none.bin" --read-vocab "$B"
expect_error 2 "--graph --length 0" -- train --graph "$G" -o "$TMP/none.bin" --length 0
expect_error 2 "--graph --q 0" -- train --graph "$G" -o "$TMP/none.bin" --q 0
expect_error 2 "--graph as the output" -- train --graph "$G" -o "$G"
check "no output after the errors" test ! -e "$TMP/none.bin"
echo "items: skipgram-ns $(same_group_share "$TMP/skipgram-ns.bin" "$TMP/items" 5)%, cbow-hs $(same_group_share "$TMP/cbow-hs.bin" "$TMP/items" 5)%, max-set 5: $(same_group_share "$TMP/m5.bin" "$TMP/items" 5)%; graph: same-block $same%, AUC $auc, shuffled $auc_shuf" >&2
summary
