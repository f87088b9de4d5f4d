/* links.h — link prediction: how well cosine similarity of node vectors
 * tells held-out edges from pairs that are not edges (ROC AUC).
 *
 * The held-out edges are an edge list read as graph.h reads one (an
 * undirected graph: "u v" and "v u" are one pair; a weight column is
 * ignored; self-loops are not pairs and are skipped). As many non-edges are
 * drawn: pairs of distinct vector rows other than "</s>", uniformly, that
 * are neither a held-out edge nor an edge of an optional exclusion graph
 * (the training graph, say). AUC is the Mann-Whitney statistic: the
 * probability that a random held-out edge scores above a random non-edge,
 * ties counting one half. */
#ifndef W2V_LINKS_H
#define W2V_LINKS_H

#include <stdint.h>

#include "w2v/common.h"
#include "w2v/graph.h"
#include "w2v/query.h"

struct links_result {
    double auc;
    double pos_mean, neg_mean; /* mean cosine of the edges and of the non-edges */
    int64_t positives;         /* held-out edges scored */
    int64_t negatives;         /* non-edges scored (fewer than positives only when the
                                * graph is too dense to find them) */
    int64_t skipped;           /* held-out edges with a node not in the vectors */
};

/* ROC AUC of positive scores pos[0..n_pos) against neg[0..n_neg), ties
 * counted one half; O((n_pos + n_neg) log) time, one temporary array.
 * Returns 0, W2V_EINVAL (either side empty) or W2V_ENOMEM. Thread-safe. */
int links_auc(const float *pos, int64_t n_pos, const float *neg, int64_t n_neg, double *auc,
              struct w2v_err *err);

/* Score the held-out edges in `held` and as many sampled non-edges (seeded
 * by seed) with the vectors of m; exclude (may be NULL) adds the edges that
 * no non-edge may be. Returns 0, W2V_EEMPTY (no held-out edge has both
 * nodes in the vectors, or no non-edge can be found), W2V_ENOMEM, or the
 * error of a mapped row that is not finite. Not thread-safe on one result. */
int links_eval(const struct query_model *m, const struct graph *held, const struct graph *exclude,
               uint64_t seed, struct links_result *res, struct w2v_err *err);

#endif
