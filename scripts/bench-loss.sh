#!/usr/bin/env bash
# bench-loss.sh — what measuring the training loss costs: the same trainer
# built with the loss (every 32nd centre word scored once more) and without
# it (-DW2V_LOSS_EVERY=0), side by side through bench-threads.sh (one
# thread, sg-ns and cbow-ns, runs alternating, median of --repeats).
#   scripts/bench-loss.sh [--corpus FILE] [--repeats N] [--epochs N]
# Defaults: corpus1m, 3 repeats, 1 epoch. Any other option goes to
# bench-threads.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CORPUS=$ROOT/../shared/data/corpus1m.txt.gz
REPEATS=3
EPOCHS=1
REST=()
while [ $# -gt 0 ]; do
    case $1 in
    --corpus) CORPUS=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --epochs) EPOCHS=$2; shift 2 ;;
    *) REST+=("$1"); shift ;;
    esac
done
make -C "$ROOT" -s -j2
make -C "$ROOT" -s -j2 BUILD=work/build-noloss CFLAGS="-O3 -g -DW2V_LOSS_EVERY=0" work/build-noloss/w2v
exec "$ROOT/scripts/bench-threads.sh" --corpus "$CORPUS" --threads 1 --configs sg-ns,cbow-ns \
    --repeats "$REPEATS" --epochs "$EPOCHS" \
    --bin "$ROOT/build/w2v,$ROOT/work/build-noloss/w2v" --out "$ROOT/work/bench-loss" "${REST[@]+"${REST[@]}"}"
