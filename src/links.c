/* links.c — link-prediction AUC (see links.h). */
#include "common_internal.h"
#include "w2v/links.h"

#include <stdlib.h>
#include <string.h>

#include "w2v/sampling.h"
#include "w2v/tokenizer.h"

/* How many draws a non-edge may take on average before the sampler gives
 * up: only a nearly complete graph gets near it. */
#define LINKS_TRIES_PER_PAIR 100

struct scored {
    float score;
    int positive;
};

static int scored_cmp(const void *a, const void *b)
{
    float x = ((const struct scored *)a)->score, y = ((const struct scored *)b)->score;
    return (x > y) - (x < y);
}

int links_auc(const float *pos, int64_t n_pos, const float *neg, int64_t n_neg, double *auc,
              struct w2v_err *err)
{
    if (n_pos < 1 || n_neg < 1)
        return w2v_fail(err, W2V_EINVAL, "AUC needs at least one score on each side");
    size_t n = (size_t)(n_pos + n_neg);
    struct scored *all = w2v_calloc(n, sizeof *all);
    if (!all)
        return w2v_fail(err, W2V_ENOMEM, "out of memory");
    for (int64_t i = 0; i < n_pos; i++)
        all[i] = (struct scored){pos[i], 1};
    for (int64_t i = 0; i < n_neg; i++)
        all[n_pos + i] = (struct scored){neg[i], 0};
    qsort(all, n, sizeof *all, scored_cmp);
    /* Sum of the positives' ranks (1-based), a tied run sharing its mean rank. */
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int64_t in_run = 0;
        while (j < n && all[j].score == all[i].score)
            in_run += all[j++].positive;
        rank_sum += (double)in_run * ((double)(i + 1) + (double)j) / 2.0;
        i = j;
    }
    *auc = (rank_sum - (double)n_pos * ((double)n_pos + 1) / 2.0) /
           ((double)n_pos * (double)n_neg);
    w2v_free(all);
    return 0;
}

/* Node id in g of vector row r, or -1. */
static int32_t node_of_row(const struct query_model *m, const struct graph *g, int64_t r)
{
    size_t len;
    const char *w = query_model_word(m, r, &len);
    return graph_find(g, w, len);
}

/* rows a and b are an edge of g (either direction). */
static int is_edge(const struct query_model *m, const struct graph *g, int64_t a, int64_t b)
{
    if (!g)
        return 0;
    int32_t u = node_of_row(m, g, a), v = node_of_row(m, g, b);
    return u >= 0 && v >= 0 && (graph_arc(g, u, v) >= 0 || graph_arc(g, v, u) >= 0);
}

int links_eval(const struct query_model *m, const struct graph *held, const struct graph *exclude,
               uint64_t seed, struct links_result *res, struct w2v_err *err)
{
    int rc = 0;
    float *pos = NULL, *neg = NULL;
    memset(res, 0, sizeof *res);
    size_t cap = (size_t)held->n_arcs + 1;
    pos = w2v_calloc(cap, sizeof *pos);
    neg = w2v_calloc(cap, sizeof *neg);
    if (!pos || !neg) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    double pos_sum = 0, neg_sum = 0;
    for (int32_t u = 0; u < held->n_nodes; u++) {
        int64_t ru = query_model_find(m, graph_name(held, u));
        for (int64_t k = held->offsets[u]; k < held->offsets[u + 1]; k++) {
            int32_t v = held->targets[k];
            /* Each undirected pair once, from its lower id; loops are no pair. */
            if (v == u || (!held->directed && v < u))
                continue;
            if (held->directed && v < u && graph_arc(held, v, u) >= 0)
                continue;
            int64_t rv = query_model_find(m, graph_name(held, v));
            if (ru < 0 || rv < 0) {
                res->skipped++;
                continue;
            }
            rc = query_similarity(m, ru, rv, &pos[res->positives], err);
            if (rc != 0)
                goto fail;
            pos_sum += pos[res->positives++];
        }
    }
    if (res->positives == 0) {
        rc = w2v_fail(err, W2V_EEMPTY, "no held-out edge has both nodes in the vectors "
                      "(%lld skipped)", (long long)res->skipped);
        goto fail;
    }
    /* Candidates: every row but the trainer's sentence end. */
    int64_t eos = query_model_find(m, W2V_EOS);
    int64_t n_cand = m->rows - (eos >= 0);
    if (n_cand < 2) {
        rc = w2v_fail(err, W2V_EEMPTY, "the vectors hold fewer than two nodes");
        goto fail;
    }
    struct rng r;
    rng_seed(&r, seed, 0);
    int64_t tries = 0, max_tries = res->positives * LINKS_TRIES_PER_PAIR;
    while (res->negatives < res->positives && tries++ < max_tries) {
        /* Draw among the candidates, skipping eos's row by shifting past it. */
        int64_t a = (int64_t)(rng_double(&r) * (double)n_cand);
        int64_t b = (int64_t)(rng_double(&r) * (double)n_cand);
        a = a < n_cand ? a : n_cand - 1; /* rounding at the top end */
        b = b < n_cand ? b : n_cand - 1;
        if (eos >= 0) {
            a += a >= eos;
            b += b >= eos;
        }
        if (a == b || is_edge(m, held, a, b) || is_edge(m, exclude, a, b))
            continue;
        rc = query_similarity(m, a, b, &neg[res->negatives], err);
        if (rc != 0)
            goto fail;
        neg_sum += neg[res->negatives++];
    }
    if (res->negatives == 0) {
        rc = w2v_fail(err, W2V_EEMPTY, "found no pair of nodes that is not an edge");
        goto fail;
    }
    rc = links_auc(pos, res->positives, neg, res->negatives, &res->auc, err);
    if (rc != 0)
        goto fail;
    res->pos_mean = pos_sum / (double)res->positives;
    res->neg_mean = neg_sum / (double)res->negatives;
fail:
    w2v_free(pos);
    w2v_free(neg);
    return rc;
}
