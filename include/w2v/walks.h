/* walks.h — random walks over a struct graph, written as text sentences
 * for the trainer (DeepWalk; node2vec with its return and in-out
 * parameters p and q).
 *
 * node2vec's second-order walk (Grover & Leskovec 2016): having come from t
 * to v, the next node x is drawn with probability proportional to
 * w(v,x) * alpha(t,x), alpha = 1/p when x = t, 1 when t has an arc to x,
 * 1/q otherwise. Instead of the reference's alias table per arc (sum of
 * deg(v)^2 entries), each step is drawn by rejection from an envelope:
 * the return to t with mass w(v,t)/p, and every neighbour with mass
 * w(v,x) * max(1, 1/q), proposed from v's own weights and accepted with
 * alpha / max(1, 1/q); a proposal of t from that part is rejected. The
 * accepted draws follow the exact node2vec distribution, each test of "t
 * has an arc to x" is a binary search in t's sorted row, and memory stays
 * that of the graph. p = q = 1 is DeepWalk's first-order walk (no
 * rejection at all).
 *
 * Every walk has its own random stream, seeded from (seed, round, start
 * node), and the output keeps the round's shuffled start order, so the
 * output is the same for any number of threads. */
#ifndef W2V_WALKS_H
#define W2V_WALKS_H

#include <stdint.h>
#include <stdio.h>

#include "w2v/common.h"
#include "w2v/graph.h"
#include "w2v/sampling.h"

struct walks_options {
    int64_t walks;  /* rounds: walks started from every node (default 10) */
    int length;     /* nodes per walk, start included (default 80); >= 1 */
    double p, q;    /* node2vec return and in-out parameters (default 1), > 0 */
    int threads;    /* >= 1 */
    uint64_t seed;
};

/* Defaults: 10 walks of 80 nodes, p = q = 1, one thread, seed 1. */
void walks_options_default(struct walks_options *o);

/* The next node after cur, having come from prev (-1 at the first step,
 * which is first-order), or -1 when cur has no arc out. Thread-safe (the
 * graph is read-only; r is the caller's). */
int32_t walks_step(const struct graph *g, int32_t prev, int32_t cur, double p, double q,
                   struct rng *r);

/* One walk of at most length nodes from start into out[0..length); returns
 * how many nodes it holds (fewer than length only when it reached a node
 * with no arc out: an isolated node's walk is the node alone). */
int walks_one(const struct graph *g, int32_t start, int length, double p, double q,
              struct rng *r, int32_t *out);

/* The random stream of the walk from start in round `round`. */
void walks_seed(struct rng *r, uint64_t seed, int64_t round, int32_t start, int32_t n_nodes);

/* order[0..n) = the start nodes 0..n-1 of round `round` in that round's
 * shuffled order (the order walks_write writes them in). Pure. */
void walks_round_order(int32_t *order, int32_t n, uint64_t seed, int64_t round);

/* Called on the calling thread after each batch of walks; non-zero stops
 * the run (walks_write then returns W2V_EINTR). */
typedef int (*walks_progress_fn)(void *ctx, int64_t done, int64_t total);

/* Write o->walks rounds of one walk per node to out: node names separated
 * by one space, one walk a line. Each round visits the nodes in a fresh
 * shuffled order. Walks are made by o->threads threads and written in
 * order by the calling thread. Returns 0, W2V_EINVAL (bad options),
 * W2V_ENOMEM, W2V_EIO (a write failed, errno text in err) or W2V_EINTR
 * (progress asked to stop). The output may be partial on failure: write
 * to a w2v_outfile to make it atomic. */
int walks_write(const struct graph *g, const struct walks_options *o, FILE *out,
                walks_progress_fn progress, void *ctx, struct w2v_err *err);

#endif
