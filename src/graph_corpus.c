/* graph_corpus.c — a graph's random walks as the trainer's id stream and
 * vocabulary (graph_corpus.h): walk, count the visits, finalize the
 * vocabulary, then turn node ids into word ids in place. */
#include "common_internal.h"
#include "w2v/graph_corpus.h"

#include "w2v/tokenizer.h"

#include <string.h>

/* Walk every round into c as node id + 1 (0 ends a walk), counting each
 * node's visits into visits[]; *n_walks gets the number of walks. */
static int walk_all(struct corpus *c, const struct graph *g, const struct walks_options *o,
                    int64_t *visits, int32_t *order, int32_t *path, int64_t *n_walks)
{
    int status = 0;
    *n_walks = 0;
    for (int64_t round = 0; round < o->walks; round++) {
        walks_round_order(order, g->n_nodes, o->seed, round);
        for (int32_t i = 0; i < g->n_nodes; i++) {
            struct rng r;
            walks_seed(&r, o->seed, round, order[i], g->n_nodes);
            int n = walks_one(g, order[i], o->length, o->p, o->q, &r, path);
            for (int k = 0; k < n && status == 0; k++) {
                visits[path[k]]++;
                status = corpus_push(c, path[k] + 1);
            }
            if (status == 0)
                status = corpus_push(c, 0);
            if (status != 0)
                return status;
            (*n_walks)++;
        }
    }
    return 0;
}

/* The vocabulary of the walks: </s> once per walk, each node its visits. */
static int count_nodes(struct vocab *v, const struct graph *g, const int64_t *visits,
                       int64_t n_walks, int64_t min_count)
{
    int status = vocab_add(v, W2V_EOS, strlen(W2V_EOS), n_walks);
    for (int32_t u = 0; u < g->n_nodes && status == 0; u++)
        if (visits[u] > 0)
            status = vocab_add(v, graph_name(g, u), g->name_len[u], visits[u]);
    return status != 0 ? status : vocab_finalize(v, min_count);
}

/* Node ids + 1 to word ids, in place; nodes left out of v are dropped and
 * counted, and the stream keeps corpus.h's form (no leading or repeated
 * end) as a text corpus with those words missing would have it. */
static int renumber(struct corpus *c, struct vocab *v, const struct graph *g)
{
    int32_t *word = w2v_malloc((size_t)g->n_nodes * sizeof *word);
    if (!word)
        return W2V_ENOMEM;
    for (int32_t u = 0; u < g->n_nodes; u++)
        word[u] = vocab_find(v, graph_name(g, u), g->name_len[u]);
    int64_t out = 0, words = 0;
    for (int64_t i = 0; i < c->n; i++) {
        int32_t id = c->ids[i];
        if (id == 0) {
            if (out > 0 && c->ids[out - 1] != 0)
                c->ids[out++] = 0;
            continue;
        }
        int32_t w = word[id - 1];
        if (w < 0) {
            c->dropped++;
            continue;
        }
        c->ids[out++] = w;
        words++;
    }
    c->n = out;
    c->words = words;
    w2v_free(word);
    return 0;
}

int graph_corpus_build(struct corpus *c, struct vocab *v, const struct graph *g,
                       const struct walks_options *o, int64_t min_count, struct w2v_err *err)
{
    int64_t *visits = NULL;
    int32_t *order = NULL, *path = NULL;
    int64_t n_walks = 0;
    int status;
    corpus_init(c);
    vocab_init(v);
    if (o->walks < 1 || o->length < 1 || !(o->p > 0) || !(o->q > 0) || g->n_nodes < 1)
        return w2v_fail(err, W2V_EINVAL, "bad walk options");
    /* The whole stream is reserved up front: every walk at full length. */
    if (o->walks > INT64_MAX / g->n_nodes / ((int64_t)o->length + 1)) {
        status = w2v_fail(err, W2V_EOVERFLOW, "%lld walks of %d nodes are too many",
                          (long long)o->walks * g->n_nodes, o->length);
        goto fail;
    }
    status = corpus_reserve(c, o->walks * g->n_nodes * ((int64_t)o->length + 1));
    if (status != 0) {
        status = w2v_fail(err, status, "no memory for %lld walks of %d nodes (4 bytes a node)",
                          (long long)(o->walks * g->n_nodes), o->length);
        goto fail;
    }
    visits = w2v_calloc((size_t)g->n_nodes, sizeof *visits);
    order = w2v_malloc((size_t)g->n_nodes * sizeof *order);
    path = w2v_malloc((size_t)o->length * sizeof *path);
    if (!visits || !order || !path) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory for the walks");
        goto fail;
    }
    status = walk_all(c, g, o, visits, order, path, &n_walks);
    if (status == 0)
        status = count_nodes(v, g, visits, n_walks, min_count);
    if (status == W2V_EEMPTY) {
        status = w2v_fail(err, status, "no node is visited --min-count %lld times",
                          (long long)min_count);
        goto fail;
    }
    if (status == 0)
        status = renumber(c, v, g);
    if (status != 0) {
        status = w2v_fail(err, status, "cannot build the walks' corpus: %s", w2v_strerror(status));
        goto fail;
    }
fail:
    w2v_free(visits);
    w2v_free(order);
    w2v_free(path);
    if (status != 0) {
        corpus_release(c);
        vocab_release(v);
    }
    return status;
}
