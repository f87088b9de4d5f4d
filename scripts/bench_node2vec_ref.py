#!/usr/bin/python3
"""node2vec walks the way the reference implementation (aditya-grover/node2vec,
src/node2vec.py and main.py) makes them, for scripts/bench-graph.sh.

Run under Debian's /usr/bin/python3 with python3-networkx.  The steps follow
the reference's published algorithm, written here from its description:

  * read the edge list with networkx as a directed graph, give every edge
    weight 1, turn it undirected (main.py's read_graph);
  * preprocess: an alias table (Walker's method) per node over its sorted
    neighbours' weights, and one per directed edge (src, dst) over dst's
    sorted neighbours x with weight w/p when x == src, w when x is a
    neighbour of src, w/q otherwise: sum over nodes of deg^2 entries, which
    is where the reference's memory goes;
  * simulate: num_walks rounds, each over the nodes in a shuffled order; a
    walk's first step uses the node's table, every later step the table of
    the edge just taken; the neighbour list is sorted at every step.

The walks are written one per line for gensim's corpus_file mode (the
reference hands gensim the list in memory; a file is what gensim trains
fastest from, so this favours the reference).  p = q = 1 still builds the
edge tables, as the reference does.
"""
import argparse
import random
import sys

import numpy as np


def alias_setup(probs):
    """Walker's alias method: (J, q) for sampling from probs in O(1)."""
    k = len(probs)
    q = np.zeros(k)
    j = np.zeros(k, dtype=int)
    smaller, larger = [], []
    for i, prob in enumerate(probs):
        q[i] = k * prob
        (smaller if q[i] < 1.0 else larger).append(i)
    while smaller and larger:
        small, large = smaller.pop(), larger.pop()
        j[small] = large
        q[large] = q[large] + q[small] - 1.0
        (smaller if q[large] < 1.0 else larger).append(large)
    return j, q


def alias_draw(j, q):
    k = len(j)
    i = int(np.floor(np.random.rand() * k))
    return i if np.random.rand() < q[i] else j[i]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("graph")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--p", type=float, default=1.0)
    ap.add_argument("--q", type=float, default=1.0)
    ap.add_argument("--walks", type=int, default=10)
    ap.add_argument("--length", type=int, default=80)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    try:
        import networkx as nx
    except ImportError as e:
        sys.exit("bench_node2vec_ref: python3-networkx is needed: %s" % e)
    random.seed(a.seed)
    np.random.seed(a.seed)

    g = nx.read_edgelist(a.graph, nodetype=str, create_using=nx.DiGraph(), comments="#")
    for e in g.edges():
        g[e[0]][e[1]]["weight"] = 1
    g = g.to_undirected()

    alias_nodes = {}
    for node in g.nodes():
        w = [g[node][nbr]["weight"] for nbr in sorted(g.neighbors(node))]
        total = float(sum(w))
        alias_nodes[node] = alias_setup([x / total for x in w])

    def alias_edge(src, dst):
        w = []
        for x in sorted(g.neighbors(dst)):
            if x == src:
                w.append(g[dst][x]["weight"] / a.p)
            elif g.has_edge(x, src):
                w.append(g[dst][x]["weight"])
            else:
                w.append(g[dst][x]["weight"] / a.q)
        total = float(sum(w))
        return alias_setup([x / total for x in w])

    alias_edges = {}
    for e in g.edges():
        alias_edges[e] = alias_edge(e[0], e[1])
        alias_edges[(e[1], e[0])] = alias_edge(e[1], e[0])

    nodes = list(g.nodes())
    with open(a.output, "w") as out:
        for _ in range(a.walks):
            random.shuffle(nodes)
            for start in nodes:
                walk = [start]
                while len(walk) < a.length:
                    cur = walk[-1]
                    nbrs = sorted(g.neighbors(cur))
                    if not nbrs:
                        break
                    if len(walk) == 1:
                        walk.append(nbrs[alias_draw(*alias_nodes[cur])])
                    else:
                        walk.append(nbrs[alias_draw(*alias_edges[(walk[-2], cur)])])
                out.write(" ".join(walk))
                out.write("\n")


if __name__ == "__main__":
    main()
