#!/bin/sh
# sbm.sh — a planted-partition graph (a stochastic block model with equal
# blocks) as an edge list on stdout, for tests, the README and benchmarks.
#
#   sh scripts/sbm.sh NODES BLOCKS EDGES P_IN SEED
#
# Node i is named b<block>_n<i>, its block being i mod BLOCKS, so a reader
# (and a test) sees each node's community in its name. Edge e starts at
# node e mod NODES (every node gets about EDGES/NODES edges); its other end
# is, with probability P_IN, a node of the same block, otherwise any node;
# an end equal to the start, or one that repeats an edge (either way), is
# drawn again: every line is a distinct edge, so edges held out of the file
# are truly absent from the rest. The same arguments give the same file with
# the same awk (mawk and gawk differ).
set -eu
if [ $# -ne 5 ]; then
    echo "usage: sh scripts/sbm.sh NODES BLOCKS EDGES P_IN SEED" >&2
    exit 2
fi
awk -v n="$1" -v k="$2" -v m="$3" -v pin="$4" -v seed="$5" 'BEGIN {
    if (n < 2 || k < 1 || k > n || m < 1 || pin < 0 || pin > 1 || m > n * (n - 1) / 4) {
        print "sbm.sh: need NODES >= 2, 1 <= BLOCKS <= NODES, 1 <= EDGES <= NODES (NODES - 1) / 4, 0 <= P_IN <= 1" > "/dev/stderr"
        exit 2
    }
    srand(seed)
    size = int(n / k)              # full blocks of this size share nodes 0..size*k-1
    printf "# planted partition: %d nodes, %d blocks, %d edges, p_in %s, seed %s\n", n, k, m, pin, seed
    for (e = 0; e < m; e++) {
        u = e % n
        b = u % k
        tries = 0
        do {
            if (++tries > 100000) {
                print "sbm.sh: cannot find a new edge for node " u " (the graph is too dense)" > "/dev/stderr"
                exit 1
            }
            if (rand() < pin && size > 1)
                v = k * int(rand() * size) + b   # a node of block b (blocks are residues mod k)
            else
                v = int(rand() * n)
            key = u < v ? u " " v : v " " u
        } while (v == u || v >= n || key in seen)
        seen[key] = 1
        printf "b%d_n%d b%d_n%d\n", b, u, v % k, v
    }
}'
