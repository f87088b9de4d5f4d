/* graph_corpus.c — a graph's random walks as the trainer's id stream and
 * vocabulary (graph_corpus.h): walk, count the visits, finalize the
 * vocabulary, then turn node ids into word ids in place. */
#include "common_internal.h"
#include "w2v/graph_corpus.h"

#include "w2v/tokenizer.h"

#include <string.h>

/* One round's walks, made by several threads: walk j of the round's order
 * goes to slots[j (length + 1) ...], its length to lens[j]. Each walk has
 * its own random stream (walks_seed), so the walks do not depend on the
 * number of parts. */
struct walk_round {
    const struct graph *g;
    const struct walks_options *o;
    const int32_t *order;  /* [n_nodes] the round's start nodes */
    int32_t *slots;        /* [n_nodes][length + 1] */
    int32_t *lens;         /* [n_nodes] */
    int64_t round;
    int parts;
};

static void walk_part(void *arg, int part)
{
    const struct walk_round *w = arg;
    const int64_t n = w->g->n_nodes, stride = (int64_t)w->o->length + 1;
    for (int64_t j = n * part / w->parts; j < n * (part + 1) / w->parts; j++) {
        struct rng r;
        walks_seed(&r, w->o->seed, w->round, w->order[j], w->g->n_nodes);
        w->lens[j] = walks_one(w->g, w->order[j], w->o->length, w->o->p, w->o->q, &r,
                               w->slots + j * stride);
    }
}

/* Walk every round into c (reserved for all of them at full length) as node
 * id + 1, 0 ending each walk, counting each node's visits into visits[]:
 * the threads fill the round's slots just past the stream's end, then the
 * walks are packed down onto it in the round's order (a walk never moves
 * forward, so the packing is in place). *n_walks gets the number of walks. */
static void walk_all(struct corpus *c, const struct graph *g, const struct walks_options *o,
                     int64_t *visits, int32_t *order, int32_t *lens, int64_t *n_walks)
{
    const int64_t stride = (int64_t)o->length + 1;
    struct walk_round w = {g, o, order, NULL, lens, 0, o->threads < 1 ? 1 : o->threads};
    if (w.parts > g->n_nodes)
        w.parts = g->n_nodes;
    *n_walks = 0;
    for (w.round = 0; w.round < o->walks; w.round++) {
        walks_round_order(order, g->n_nodes, o->seed, w.round);
        w.slots = c->ids + c->n;
        w2v_parallel(w.parts, walk_part, &w);
        int64_t out = c->n;
        for (int32_t j = 0; j < g->n_nodes; j++) {
            const int32_t *walk = w.slots + j * stride;
            for (int32_t k = 0; k < lens[j]; k++) {
                visits[walk[k]]++;
                c->ids[out++] = walk[k] + 1;
            }
            c->ids[out++] = 0;
            c->words += lens[j];
        }
        c->n = out;
        *n_walks += g->n_nodes;
    }
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
    int32_t *order = NULL, *lens = NULL;
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
    lens = w2v_malloc((size_t)g->n_nodes * sizeof *lens);
    if (!visits || !order || !lens) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory for the walks");
        goto fail;
    }
    walk_all(c, g, o, visits, order, lens, &n_walks);
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
    w2v_free(lens);
    if (status != 0) {
        corpus_release(c);
        vocab_release(v);
    }
    return status;
}
