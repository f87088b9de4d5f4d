#!/bin/sh
# e2e_mpi.sh — the MPI build (make mpi): 2 ranks x 1 thread on one machine
# train their halves of a planted corpus, average their models, and rank 0
# alone writes a model in which planted partners are nearest; a rank killed
# mid-run ends the whole job with nothing written. Skipped (visibly) when
# mpirun or mpicc is absent: apt-get install openmpi-bin libopenmpi-dev.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MPI_W2V=$ROOT/build/mpi/w2v
if ! command -v mpirun >/dev/null 2>&1 || ! command -v mpicc >/dev/null 2>&1; then
    echo "e2e_mpi.sh: SKIP (no mpirun/mpicc: apt-get install openmpi-bin libopenmpi-dev)"
    summary
    exit $?
fi
# Incremental: quick when build/mpi is up to date.
# A clean environment: under `make sanitize` MAKEFLAGS would pass its
# sanitizer flags down to the MPI build.
check "make mpi builds" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" mpi
MPIRUN="mpirun -np 2 --oversubscribe"
[ "$(id -u)" -eq 0 ] && MPIRUN="$MPIRUN --allow-run-as-root"

# Planted pairs pN/qN: N in 0..2 only in the first half of the lines, 3..5
# only in the second, so each rank's slice holds half of the pairs and only
# the averaging can teach rank 0 (the writer) the other half.
awk 'BEGIN { srand(3)
    for (l = 0; l < 3000; l++) {
        s = ""
        if (rand() < 0.5) { p = int(rand() * 3) + (l < 1500 ? 0 : 3); for (w = 0; w < 8; w++) s = s (rand() < 0.5 ? " p" : " q") p }
        else for (w = 0; w < 8; w++) s = s " f" int(rand() * 30)
        print s
    } }' >"$TMP/planted.txt"

# shellcheck disable=SC2086
$MPIRUN "$MPI_W2V" train "$TMP/planted.txt" -o "$TMP/m.bin" --dim 24 --window 3 --epochs 5 \
    --min-count 1 --sample 0 --threads 1 >"$TMP/mpi.out" 2>"$TMP/mpi.err"
check "2 ranks train and exit 0" test $? -eq 0
check "one model, 43 x 24" test "$(head -n 1 "$TMP/m.bin")" = "43 24"
check "only rank 0 speaks: one 'wrote' line" test "$(grep -c '^w2v: wrote' "$TMP/mpi.err")" -eq 1
trained=$(sed -n 's/^w2v: trained \([0-9]*\) words.*/\1/p' "$TMP/mpi.err")
check "each rank trains its half of 5 x 24000 words ($trained of ~60000)" \
    test "${trained:-0}" -gt 55000 -a "${trained:-0}" -lt 65000
good=0
for i in 0 1 2 3 4 5; do
    "$W2V" nearest "$TMP/m.bin" "p$i" -k 1 | grep -qw "q$i" && good=$((good + 1))
    "$W2V" nearest "$TMP/m.bin" "q$i" -k 1 | grep -qw "p$i" && good=$((good + 1))
done
check "the averaged model keeps planted partners nearest: $good of 12" [ "$good" -eq 12 ]

# Ranks that finish at different times: the first half of the stream is one
# word, which subsampling all but drops, so rank 0 ends at once and asks for
# full averaging rounds while rank 1 still trains and averages its periodic
# 2,048 rows (the vocabulary is larger). Every rank must average the same
# rows in each round: mismatched collectives crashed or hung the job.
awk 'BEGIN { srand(5)
    for (l = 0; l < 6000; l++) {
        s = ""
        for (w = 0; w < 8; w++) s = s " " (l < 3000 ? "a" : "w" int(rand() * 3000))
        print s
    } }' >"$TMP/uneven.txt"
# shellcheck disable=SC2086
timeout 120 $MPIRUN "$MPI_W2V" train "$TMP/uneven.txt" -o "$TMP/u.bin" --dim 8 --window 3 --epochs 200 \
    --min-count 1 --sample 1e-4 --threads 1 >"$TMP/u.out" 2>"$TMP/u.err"
check "ranks that finish at different times train and exit 0" test $? -eq 0
rows=$(head -n 1 "$TMP/u.bin" 2>/dev/null | cut -d' ' -f1)
check "... and rank 0 writes the model ($rows rows > 2048)" test "${rows:-0}" -gt 2048

# A rank dying: kill one rank while they train; the job ends, nothing is written.
mkdir "$TMP/die"
# shellcheck disable=SC2086
$MPIRUN "$MPI_W2V" train "$TMP/planted.txt" -o "$TMP/die/m.bin" --dim 24 --epochs 100000 \
    --min-count 1 --threads 1 -q >/dev/null 2>&1 &
job=$!
sleep 2
rank=$(pgrep -f -P "$job" "build/mpi/w2v" | tail -n 1)
check "a rank of the job is found" test -n "$rank"
[ -n "$rank" ] && kill -9 "$rank"
i=0
while kill -0 "$job" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "a killed rank ends the job" sh -c "! kill -0 $job 2>/dev/null"
kill -9 "$job" 2>/dev/null
wait "$job"
check "... with a failure status" test $? -ne 0
check "... and nothing is written beside OUT" test -z "$(ls -A "$TMP/die")"
summary
