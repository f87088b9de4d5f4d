/* walks.c — DeepWalk / node2vec walks by rejection sampling (see walks.h),
 * and the threaded writer.
 *
 * The writer works in batches: each of T threads makes a block of up to
 * WALKS_BLOCK consecutive walks of the round's order and formats them into
 * its own text buffer; the calling thread then writes the buffers in block
 * order. The order of the output therefore never depends on T. */
#include "common_internal.h"
#include "w2v/walks.h"

#include "w2v/tokenizer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#define WALKS_BLOCK 512
#define WALKS_MAX_THREADS 1024

void walks_options_default(struct walks_options *o)
{
    o->walks = 10;
    o->length = 80;
    o->p = 1.0;
    o->q = 1.0;
    o->threads = 1;
    o->seed = 1;
}

/* A neighbour of cur drawn from its own weights (first-order step);
 * cur's row must not be empty. */
static int32_t propose(const struct graph *g, int32_t cur, struct rng *r)
{
    int64_t a = g->offsets[cur], b = g->offsets[cur + 1];
    if (!g->cum)
        return g->targets[a + (int64_t)rng_below(r, (uint64_t)(b - a))];
    /* The first arc whose running sum passes x: binary search. */
    double x = rng_double(r) * g->cum[b - 1];
    int64_t lo = a, hi = b - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (g->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return g->targets[lo];
}

int32_t walks_step(const struct graph *g, int32_t prev, int32_t cur, double p, double q,
                   struct rng *r)
{
    int64_t a = g->offsets[cur], b = g->offsets[cur + 1];
    if (a == b)
        return -1;
    if (prev < 0 || (p == 1.0 && q == 1.0))
        return propose(g, cur, r);
    /* Envelope: return mass w(cur,prev)/p, the rest total * m. */
    double m = q < 1.0 ? 1.0 / q : 1.0;
    double total = g->cum ? g->cum[b - 1] : (double)(b - a);
    int64_t back = graph_arc(g, cur, prev);
    double ret = back >= 0 ? graph_arc_weight(g, cur, back) / p : 0.0;
    double rest = total * m;
    for (;;) {
        if (rng_double(r) * (ret + rest) < ret)
            return prev;
        int32_t x = propose(g, cur, r);
        if (x == prev)
            continue; /* prev's mass is the return branch's */
        double alpha = graph_arc(g, prev, x) >= 0 ? 1.0 : 1.0 / q;
        if (alpha >= m || rng_double(r) * m < alpha)
            return x;
    }
}

int walks_one(const struct graph *g, int32_t start, int length, double p, double q,
              struct rng *r, int32_t *out)
{
    int n = 0;
    int32_t prev = -1, cur = start;
    out[n++] = start;
    while (n < length) {
        int32_t next = walks_step(g, prev, cur, p, q, r);
        if (next < 0)
            break;
        out[n++] = next;
        prev = cur;
        cur = next;
    }
    return n;
}

void walks_seed(struct rng *r, uint64_t seed, int64_t round, int32_t start, int32_t n_nodes)
{
    rng_seed(r, seed, (uint64_t)round * (uint64_t)n_nodes + (uint64_t)start);
}

/* ---- the writer ---------------------------------------------------------------- */

struct walks_worker {
    const struct graph *g;
    const struct walks_options *o;
    const int32_t *order; /* this block's start nodes */
    int64_t n_starts;
    int64_t round;
    int32_t *path;        /* [length] */
    char *text;           /* formatted walks */
    size_t len, cap;
    int status;
    pthread_t thread;
};

/* Room for `more` bytes in w->text. */
static int worker_reserve(struct walks_worker *w, size_t more)
{
    if (w->cap - w->len >= more)
        return 0;
    size_t cap = w->cap ? w->cap : 1 << 16;
    while (cap - w->len < more) {
        if (cap > SIZE_MAX / 2)
            return W2V_EOVERFLOW;
        cap *= 2;
    }
    char *t = w2v_realloc(w->text, cap);
    if (!t)
        return W2V_ENOMEM;
    w->text = t;
    w->cap = cap;
    return 0;
}

static void *worker_run(void *arg)
{
    struct walks_worker *w = arg;
    const struct graph *g = w->g;
    const struct walks_options *o = w->o;
    w->len = 0;
    w->status = 0;
    for (int64_t i = 0; i < w->n_starts; i++) {
        struct rng r;
        walks_seed(&r, o->seed, w->round, w->order[i], g->n_nodes);
        int n = walks_one(g, w->order[i], o->length, o->p, o->q, &r, w->path);
        /* Each name with its separator: at most W2V_MAX_WORD_BYTES + 1. */
        if ((w->status = worker_reserve(w, (size_t)n * (W2V_MAX_WORD_BYTES + 1))) != 0)
            return NULL;
        char *at = w->text + w->len;
        for (int k = 0; k < n; k++) {
            size_t len = g->name_len[w->path[k]];
            memcpy(at, graph_name(g, w->path[k]), len);
            at += len;
            *at++ = k + 1 < n ? ' ' : '\n';
        }
        w->len = (size_t)(at - w->text);
    }
    return NULL;
}

void walks_round_order(int32_t *order, int32_t n, uint64_t seed, int64_t round)
{
    for (int32_t u = 0; u < n; u++)
        order[u] = u;
    /* The shuffle's stream is apart from every walk's: streams of walks
     * count up from 0, this one down from the top. Fisher-Yates. */
    struct rng r;
    rng_seed(&r, seed, UINT64_MAX - (uint64_t)round);
    for (int32_t i = n - 1; i > 0; i--) {
        int32_t j = (int32_t)rng_below(&r, (uint64_t)i + 1);
        int32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

int walks_write(const struct graph *g, const struct walks_options *o, FILE *out,
                walks_progress_fn progress, void *ctx, struct w2v_err *err)
{
    int rc = 0;
    int32_t *order = NULL;
    struct walks_worker *w = NULL;
    int nt = o->threads;
    if (o->walks < 1 || o->length < 1 || !(o->p > 0) || !(o->q > 0) || nt < 1 ||
        nt > WALKS_MAX_THREADS || g->n_nodes < 1)
        return w2v_fail(err, W2V_EINVAL, "bad walk options");
    if (o->walks > INT64_MAX / g->n_nodes)
        return w2v_fail(err, W2V_EOVERFLOW, "too many walks");
    order = w2v_malloc((size_t)g->n_nodes * sizeof *order);
    w = w2v_calloc((size_t)nt, sizeof *w);
    int ok = order && w;
    for (int t = 0; w && t < nt; t++) {
        w[t].g = g;
        w[t].o = o;
        w[t].path = w2v_malloc((size_t)o->length * sizeof *w[t].path);
        ok &= w[t].path != NULL;
    }
    if (!ok) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for the walks");
        goto fail;
    }
    int64_t total = o->walks * g->n_nodes, done = 0;
    /* Blocks of at most WALKS_BLOCK walks, sized so that a round splits
     * into a whole number of batches of nt blocks: no batch at the end of a
     * round leaves threads idle (10,000 nodes on 16 threads: 32 blocks of
     * 313, not 19 of 512 and one of 272). */
    int64_t batches = (g->n_nodes + (int64_t)nt * WALKS_BLOCK - 1) / ((int64_t)nt * WALKS_BLOCK);
    int64_t block = (g->n_nodes + batches * nt - 1) / (batches * nt);
    for (int64_t round = 0; round < o->walks; round++) {
        walks_round_order(order, g->n_nodes, o->seed, round);
        for (int64_t pos = 0; pos < g->n_nodes;) {
            int used = 0;
            for (int t = 0; t < nt && pos < g->n_nodes; t++, used++) {
                int64_t n = g->n_nodes - pos < block ? g->n_nodes - pos : block;
                w[t].order = order + pos;
                w[t].n_starts = n;
                w[t].round = round;
                pos += n;
            }
            /* Workers block every signal, so a handler runs on this thread. */
            int started = 0;
            if (used > 1) {
                sigset_t all, old;
                sigfillset(&all);
                pthread_sigmask(SIG_BLOCK, &all, &old);
                for (; started < used - 1; started++)
                    if (pthread_create(&w[started + 1].thread, NULL, worker_run,
                                       &w[started + 1]) != 0)
                        break;
                pthread_sigmask(SIG_SETMASK, &old, NULL);
            }
            /* This thread makes block 0, and any block a thread failed to start for. */
            worker_run(&w[0]);
            for (int t = started + 1; t < used; t++)
                worker_run(&w[t]);
            for (int t = 1; t <= started; t++)
                pthread_join(w[t].thread, NULL);
            for (int t = 0; t < used; t++) {
                if (w[t].status != 0) {
                    rc = w2v_fail(err, w[t].status, "out of memory writing walks");
                    goto fail;
                }
                if (w[t].len && fwrite(w[t].text, 1, w[t].len, out) != w[t].len) {
                    rc = w2v_fail_errno(err, "cannot write the walks");
                    goto fail;
                }
                done += w[t].n_starts;
            }
            if (progress && progress(ctx, done, total) != 0) {
                rc = w2v_fail(err, W2V_EINTR, "interrupted");
                goto fail;
            }
        }
    }
fail:
    if (w)
        for (int t = 0; t < nt; t++) {
            w2v_free(w[t].path);
            w2v_free(w[t].text);
        }
    w2v_free(w);
    w2v_free(order);
    return rc;
}
