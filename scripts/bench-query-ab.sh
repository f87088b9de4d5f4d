#!/bin/sh
# bench-query-ab.sh A_BIN B_BIN [DIR] — two w2v binaries side by side on a
# generated mid-size model (200,000 x 100 random vectors, binary), runs
# alternating A B A B ..., REPEATS (default 3) of each, printing the median
# wall time of each case for each binary. The cases: nearest on 200 stdin
# queries (mapped, and --no-map), analogy on one query, eval-analogy on
# 2,000 questions, eval-similarity on 2,000 pairs, and --limit 20000.
# The model and test files are made once in DIR (default /tmp/w2v-bench-ab,
# ~80 MB) with python3. Timings on a loaded machine are indicative only:
# the script prints `uptime` first.
set -eu
A=${1:?usage: bench-query-ab.sh A_BIN B_BIN [DIR]}
B=${2:?usage: bench-query-ab.sh A_BIN B_BIN [DIR]}
DIR=${3:-/tmp/w2v-bench-ab}
REPEATS=${REPEATS:-3}
ROWS=${ROWS:-200000}
DIM=${DIM:-100}
mkdir -p "$DIR"
if [ ! -f "$DIR/m.bin" ]; then
    python3 - "$DIR" "$ROWS" "$DIM" <<'PY'
import random, struct, sys
d, V, D = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
with open(d + '/m.bin', 'wb') as f:
    f.write(b'%d %d\n' % (V, D))
    for i in range(V):
        f.write(b'w%d ' % i)
        f.write(struct.pack('<%df' % D, *[random.gauss(0, 1) for _ in range(D)]))
        f.write(b'\n')
top = min(V, 20000)
with open(d + '/q.txt', 'w') as f:
    f.write(': s\n')
    for _ in range(2000):
        f.write('w%d w%d w%d w%d\n' % tuple(random.randrange(top) for _ in range(4)))
with open(d + '/words.txt', 'w') as f:
    for _ in range(200):
        f.write('w%d\n' % random.randrange(V))
with open(d + '/pairs.txt', 'w') as f:
    for _ in range(2000):
        f.write('w%d w%d %f\n' % (random.randrange(V), random.randrange(V), random.random() * 10))
PY
fi
uptime
now() { python3 -c 'import time; print(time.time())'; }
run_case() { # bin case
    bin=$1
    case $2 in
    nearest) "$bin" nearest "$DIR/m.bin" -k 10 <"$DIR/words.txt" ;;
    nearest-nomap) "$bin" nearest "$DIR/m.bin" -k 10 --no-map <"$DIR/words.txt" ;;
    analogy) "$bin" analogy "$DIR/m.bin" w1 w2 w3 ;;
    eval-analogy) "$bin" eval-analogy "$DIR/m.bin" "$DIR/q.txt" ;;
    eval-similarity) "$bin" eval-similarity "$DIR/m.bin" "$DIR/pairs.txt" ;;
    limit) "$bin" nearest "$DIR/m.bin" w5 --limit 20000 ;;
    esac
}
CASES="nearest nearest-nomap analogy eval-analogy eval-similarity limit"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for c in $CASES; do
    for i in $(seq "$REPEATS"); do
        for which in A B; do
            bin=$A; [ "$which" = B ] && bin=$B
            t0=$(now)
            if run_case "$bin" "$c" >/dev/null 2>&1; then st=ok; else st=fail; fi
            t1=$(now)
            echo "$c $which $st $(python3 -c "print(round($t1 - $t0, 3))")" >>"$out"
        done
    done
done
python3 - "$out" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
cases = []
for c, *_ in rows:
    if c not in cases:
        cases.append(c)
print('%-16s %10s %10s  (median s of each; "fail" = the binary refused the case)' % ('case', 'A', 'B'))
for c in cases:
    cell = []
    for w in 'AB':
        ts = [float(t) for cc, ww, st, t in rows if cc == c and ww == w and st == 'ok']
        fails = sum(1 for cc, ww, st, t in rows if cc == c and ww == w and st != 'ok')
        cell.append('%.3f' % statistics.median(ts) if ts and not fails else 'fail')
    print('%-16s %10s %10s' % (c, cell[0], cell[1]))
PY
