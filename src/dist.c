/* dist.c — model averaging across MPI ranks (see dist.h). Without W2V_MPI
 * only the single-process case is compiled. */
#include "w2v/dist.h"

#include <string.h>

#ifdef W2V_MPI
#include <mpi.h>
#include <time.h>
#endif

/* Where part k of `parts` equal parts of the stream starts: k * n / parts
 * (without overflow), moved on to the next sentence start. Part `parts`
 * starts at n. */
static int64_t part_start(const int32_t *ids, int64_t n, int64_t parts, int64_t k)
{
    int64_t p = k >= parts ? n : n / parts * k + n % parts * k / parts;
    while (p > 0 && p < n && ids[p - 1] != 0) /* to the next sentence start */
        p++;
    return p;
}

void dist_slice(const struct dist *d, const int32_t *ids, int64_t n, int64_t *lo, int64_t *hi)
{
    *lo = part_start(ids, n, d->size, d->rank);
    *hi = part_start(ids, n, d->size, d->rank + 1);
}

int64_t dist_gather(const struct dist *d, int32_t *ids, int64_t n)
{
    if (d->size <= 1)
        return n;
    const int64_t parts = (int64_t)d->size * DIST_PIECES;
    /* All the cuts first: finding one reads the ids before it, which a
     * move may already have overwritten (a sentence can span parts). */
    int64_t from[DIST_PIECES], to[DIST_PIECES];
    for (int i = 0; i < DIST_PIECES; i++) {
        int64_t k = (int64_t)i * d->size + d->rank;
        from[i] = part_start(ids, n, parts, k);
        to[i] = part_start(ids, n, parts, k + 1);
    }
    int64_t kept = 0;
    for (int i = 0; i < DIST_PIECES; i++) {
        /* from[i] >= kept: the pieces move towards the front, in order. */
        if (from[i] != kept)
            memmove(ids + kept, ids + from[i], (size_t)(to[i] - from[i]) * sizeof *ids);
        kept += to[i] - from[i];
    }
    return kept;
}

void dist_merge(float *matrix, float *base, const float *snap, const float *sum, size_t floats,
                int ranks, size_t avg_from, size_t avg_to)
{
    const float inv = 1.0f / (float)(ranks > 0 ? ranks : 1);
    for (size_t i = 0; i < floats; i++) {
        const float add = i >= avg_from && i < avg_to ? sum[i] * inv : sum[i];
        matrix[i] += add - snap[i];
        base[i] += add;
    }
}

void dist_averaged_range(int64_t V, size_t stride, int64_t first, int64_t rows, int32_t n,
                         size_t *from, size_t *to)
{
    int64_t lo = V - 2 - (n > 0 ? n : 0), hi = V - 2; /* rows [lo, hi) */
    if (lo < first)
        lo = first;
    if (hi > first + rows)
        hi = first + rows;
    if (hi <= lo)
        lo = hi = first;
    *from = (size_t)(lo - first) * stride;
    *to = (size_t)(hi - first) * stride;
}

#ifndef W2V_MPI

int dist_init(struct dist *d, int *argc, char ***argv, struct w2v_err *err)
{
    (void)argc;
    (void)argv;
    (void)err;
    memset(d, 0, sizeof *d);
    d->size = 1;
    return 0;
}

void dist_release(struct dist *d) { memset(d, 0, sizeof *d); }

void dist_exit(struct dist *d, int code)
{
    (void)d;
    (void)code;
}

int dist_round(struct dist *d, struct model *m, int done, int full, int *all_done,
               struct w2v_err *err)
{
    (void)m;
    (void)full;
    (void)err;
    d->rounds++;
    *all_done = done;
    return 0;
}

#else

/* MPI_Allreduce (a sum) that sleeps while it waits. The rounds run on the
 * monitor thread, which shares the CPUs with the training threads: a
 * blocking collective spins until the slowest rank arrives, and every
 * microsecond it spins is taken from training. */
static int allreduce_sum(const void *send, void *recv, int count, MPI_Datatype type)
{
    MPI_Request req;
    if (MPI_Iallreduce(send, recv, count, type, MPI_SUM, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
        return -1;
    for (;;) {
        int done = 0;
        if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return -1;
        if (done)
            return 0;
        struct timespec nap = {0, 100 * 1000};
        nanosleep(&nap, NULL);
    }
}

int dist_init(struct dist *d, int *argc, char ***argv, struct w2v_err *err)
{
    int inited = 0, provided = 0;
    memset(d, 0, sizeof *d);
    d->size = 1;
    MPI_Initialized(&inited);
    if (!inited) {
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return w2v_fail(err, W2V_EIO, "cannot start MPI");
        d->started = 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d->size);
    return 0;
}

void dist_release(struct dist *d)
{
    w2v_free(d->snap);
    w2v_free(d->avg);
    for (int i = 0; i < 3; i++)
        w2v_free(d->base[i]);
    if (d->started)
        MPI_Finalize();
    memset(d, 0, sizeof *d);
}

void dist_exit(struct dist *d, int code)
{
    if (code != 0 && d->size > 1)
        MPI_Abort(MPI_COMM_WORLD, code);
}

/* One round over `floats` floats of a matrix and its base (the same rows
 * of d->base[i]): first, the mean of the ranks' rows; after that, base +
 * the sum of the ranks' changes from base, their mean in [avg_from,
 * avg_to) (dist_merge). Either way base takes the new value, which is the
 * same on every rank. */
static int dist_average(struct dist *d, float *matrix, float *base, size_t floats, int first,
                        size_t avg_from, size_t avg_to, struct w2v_err *err)
{
    if (floats > d->cap) {
        w2v_free(d->snap);
        w2v_free(d->avg);
        d->snap = w2v_malloc(floats * sizeof *d->snap);
        d->avg = w2v_malloc(floats * sizeof *d->avg);
        d->cap = d->snap && d->avg ? floats : 0;
        if (!d->cap)
            return w2v_fail(err, W2V_ENOMEM, "out of memory for averaging the model");
    }
    /* snap: what this rank sends, the rows as they are now (first) or
     * their change since the last round. Hogwild: the training threads
     * write these rows meanwhile; what they add between the copy and the
     * write-back is kept by adding the new value's difference from the
     * copy instead of storing the new value. */
    if (first)
        memcpy(d->snap, matrix, floats * sizeof *matrix);
    else
        for (size_t i = 0; i < floats; i++)
            d->snap[i] = matrix[i] - base[i];
    for (size_t at = 0; at < floats;) {
        int k = floats - at > (size_t)1 << 30 ? 1 << 30 : (int)(floats - at);
        if (allreduce_sum(d->snap + at, d->avg + at, k, MPI_FLOAT) != 0)
            return w2v_fail(err, W2V_EIO, "averaging the model across the ranks failed");
        at += (size_t)k;
    }
    if (first) {
        const float inv = 1.0f / (float)d->size;
        for (size_t i = 0; i < floats; i++) {
            float now = d->avg[i] * inv;
            matrix[i] += now - d->snap[i];
            base[i] = now;
        }
    } else {
        dist_merge(matrix, base, d->snap, d->avg, floats, d->size, avg_from, avg_to);
    }
    return 0;
}

int dist_round(struct dist *d, struct model *m, int done, int full, int *all_done,
               struct w2v_err *err)
{
    /* Every rank must average the same rows in the same order: what one
     * rank asks (done, a full round) is summed over all before anything
     * is decided. A rank that has finished asks for full rounds while the
     * others still train; had each decided alone, one would reduce all
     * rows against the others' 2,048 — mismatched collectives, which
     * corrupt memory in the MPI library. */
    int mine[2] = {done != 0, full != 0}, sum[2] = {0, 0};
    if (allreduce_sum(mine, sum, 2, MPI_INT) != 0)
        return w2v_fail(err, W2V_EIO, "averaging the model across the ranks failed");
    *all_done = sum[0] == d->size;
    if (d->size == 1)
        return 0;
    d->rounds++;
    int64_t rows = d->rounds % DIST_HOT_EVERY == 0 ? DIST_HOT_ROWS : DIST_TOP_ROWS;
    if (sum[1] > 0 || *all_done || d->rounds % DIST_FULL_EVERY == 0 || rows > m->rows)
        rows = m->rows;
    size_t floats = (size_t)rows * m->stride;
    /* Word rows: the frequent words come first. HS inner nodes (0..V-3;
     * row V-2 is unused): the root is V-3 and parents follow children, so
     * the nodes every word passes through are the last ones. */
    size_t hs_at = (size_t)(m->rows - 1 > rows ? m->rows - 1 - rows : 0) * m->stride;
    float *mats[3] = {m->syn0, m->syn1 ? m->syn1 + hs_at : NULL, m->syn1neg};
    /* Every rank's first round is the same round: all rows, averaged, the
     * common base of the rounds after it. */
    const int first = d->base[0] == NULL;
    if (first) {
        floats = (size_t)m->rows * m->stride;
        hs_at = 0;
        mats[1] = m->syn1;
        for (int i = 0; i < 3; i++) {
            if (!mats[i])
                continue;
            d->base[i] = w2v_malloc(floats * sizeof(float));
            if (!d->base[i])
                return w2v_fail(err, W2V_ENOMEM, "out of memory for averaging the model");
        }
    }
    for (int i = 0; i < 3; i++)
        if (mats[i]) {
            size_t avg_from = 0, avg_to = 0;
            if (i == 1)
                dist_averaged_range(m->rows, m->stride, (int64_t)(hs_at / m->stride),
                                    (int64_t)(floats / m->stride), d->hs_averaged, &avg_from,
                                    &avg_to);
            int status = dist_average(d, mats[i], d->base[i] + (i == 1 ? hs_at : 0), floats,
                                      first, avg_from, avg_to, err);
            if (status != 0)
                return status;
        }
    return 0;
}

#endif
