#!/bin/sh
# The training defaults are the original word2vec's and --help states them:
# each default's help line names its value, and training with no options
# gives the same bytes as training with every default spelled out (so the
# value --help states is the one the trainer uses), for both models.
. "$(dirname "$0")/lib.sh"

"$W2V" train --help >"$TMP/help" 2>&1
for line in "--dim D .*(default 100)" "--window N .*(default 5)" \
    "--negative K .*(default 5;" "--ns-exponent X .*(default 0.75)" \
    "--sample T .*(default 1e-3;" "--alpha A .*(default 0.05 cbow, 0.025 skipgram; 0.05 with --subwords)" \
    "--epochs N .*(default 5)" "--model .*(default cbow)" "--kernel .*batched (default)" \
    "--seed N .*(default 1)" "--hs .*(default off)"; do
    check "--help states '$line'" grep -q -e "$line" "$TMP/help"
done

awk 'BEGIN { srand(3)
    for (l = 0; l < 400; l++) {
        s = ""
        for (w = 0; w < 10; w++) s = s " w" int(rand() * rand() * 60)
        print s
    } }' >"$TMP/c.txt"
common="--threads 1 --min-count 1 --quiet"
# shellcheck disable=SC2086
"$W2V" train "$TMP/c.txt" -o "$TMP/implicit.bin" $common
# shellcheck disable=SC2086
"$W2V" train "$TMP/c.txt" -o "$TMP/explicit.bin" $common --model cbow --dim 100 --window 5 \
    --negative 5 --ns-exponent 0.75 --sample 1e-3 --alpha 0.05 --epochs 5 --seed 1 \
    --kernel batched
check "cbow: the defaults are the values --help states" cmp "$TMP/implicit.bin" "$TMP/explicit.bin"
# shellcheck disable=SC2086
"$W2V" train "$TMP/c.txt" -o "$TMP/sg.bin" $common --model skipgram
# shellcheck disable=SC2086
"$W2V" train "$TMP/c.txt" -o "$TMP/sg-explicit.bin" $common --model skipgram --alpha 0.025 \
    --ns-exponent 0.75 --window 5 --negative 5 --sample 1e-3 --epochs 5 --dim 100
check "skipgram: the defaults are the values --help states" cmp "$TMP/sg.bin" "$TMP/sg-explicit.bin"
# shellcheck disable=SC2086
"$W2V" train "$TMP/c.txt" -o "$TMP/sw.bin" $common --model skipgram --subwords --dim 16 --epochs 1
# shellcheck disable=SC2086
"$W2V" train "$TMP/c.txt" -o "$TMP/sw-explicit.bin" $common --model skipgram --subwords --dim 16 \
    --epochs 1 --alpha 0.05
check "skipgram --subwords: the rate is 0.05, as --help states" cmp "$TMP/sw.bin" "$TMP/sw-explicit.bin"
summary
