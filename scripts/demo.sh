#!/bin/sh
# make demo: train word vectors on the public-domain text in data/ (Austen,
# State of the Union addresses, King James Bible) and ask a few questions.
# Takes well under a minute on two cores. Output lives in work/demo/
# (git-ignored); W2V names the binary (default ./w2v).
set -e
W2V=${W2V:-./w2v}
dir=work/demo
mkdir -p "$dir"
if [ ! -s "$dir/demo.txt" ]; then
    gzip -dc data/demo.txt.gz >"$dir/demo.txt.tmp"
    mv "$dir/demo.txt.tmp" "$dir/demo.txt"
fi

echo "== w2v train $dir/demo.txt -o $dir/vectors.bin --model skipgram --epochs 5"
"$W2V" train "$dir/demo.txt" -o "$dir/vectors.bin" --model skipgram --dim 100 --window 5 \
    --negative 5 --sample 1e-3 --min-count 5 --epochs 5 --progress

for word in king elizabeth congress; do
    echo
    echo "== w2v nearest $dir/vectors.bin $word -k 8"
    "$W2V" nearest "$dir/vectors.bin" "$word" -k 8
done
echo
echo "== w2v analogy $dir/vectors.bin king man woman   (king - man + woman)"
"$W2V" analogy "$dir/vectors.bin" king man woman -k 5
