/* classes.c — spherical k-means with k-means++ seeding, on threads over
 * words (assignment, seeding distances) and over classes (centres). */
#include "common_internal.h"
#include "w2v/classes.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "w2v/model.h"
#include "w2v/sampling.h"
#include "w2v/vectors.h"

void classes_options_default(struct classes_options *o)
{
    memset(o, 0, sizeof *o);
    o->k = 1;
    o->max_iter = 100;
    o->seed = 1;
    o->threads = 1;
}

/* The shared state of one clustering. */
struct km {
    int64_t rows;
    int32_t dim, k;
    size_t ld;            /* padded row length of unit and cent */
    float *unit;          /* [rows, ld] unit rows (zero rows stay zero) */
    float *cent;          /* [k, ld] unit centres */
    int32_t *cls;         /* [rows] current class, -1 before the first round */
    float *best;          /* [rows] cosine to the current centre */
    float *dist;          /* [rows] seeding: squared distance to the nearest seed */
    int64_t *member_start; /* [k + 1] offsets into members */
    int64_t *members;     /* [rows] rows grouped by class, in row order */
    int64_t seed_row;     /* seeding: the row of the seed just chosen */
    int threads;
};

/* One thread's share of a phase. */
struct km_task {
    struct km *m;
    int t;
    int64_t changes;
    void (*fn)(struct km_task *);
};

static void chunk(int64_t n, int t, int threads, int64_t *lo, int64_t *hi)
{
    *lo = n * t / threads;
    *hi = n * (t + 1) / threads;
}

/* Assign rows [lo, hi) to their nearest centre; count the changes. */
static void km_assign(struct km_task *task)
{
    struct km *m = task->m;
    int64_t lo, hi;
    chunk(m->rows, task->t, m->threads, &lo, &hi);
    for (int64_t i = lo; i < hi; i++) {
        const float *u = m->unit + (size_t)i * m->ld; // unit: [rows, ld]
        int32_t arg = 0;
        float best = -INFINITY;
        for (int32_t c = 0; c < m->k; c++) {
            float s = kernels_dot(u, m->cent + (size_t)c * m->ld, m->ld); // cent: [k, ld]
            if (s > best) {
                best = s;
                arg = c;
            }
        }
        if (m->cls[i] != arg)
            task->changes++;
        m->cls[i] = arg;
        m->best[i] = best;
    }
}

/* Centres [lo, hi): the normalised sum of their members, in row order. A
 * class without members keeps its centre (the caller reseeds it). */
static void km_update(struct km_task *task)
{
    struct km *m = task->m;
    int64_t lo, hi;
    chunk(m->k, task->t, m->threads, &lo, &hi);
    double *sum = w2v_malloc((size_t)m->dim * sizeof *sum);
    if (!sum) {
        task->changes = -1; /* out of memory: the caller reports it */
        return;
    }
    for (int64_t c = lo; c < hi; c++) {
        int64_t a = m->member_start[c], b = m->member_start[c + 1];
        if (a == b)
            continue;
        memset(sum, 0, (size_t)m->dim * sizeof *sum);
        for (int64_t j = a; j < b; j++) {
            const float *u = m->unit + (size_t)m->members[j] * m->ld;
            for (int32_t d = 0; d < m->dim; d++)
                sum[d] += u[d];
        }
        double norm = 0;
        for (int32_t d = 0; d < m->dim; d++)
            norm += sum[d] * sum[d];
        norm = sqrt(norm);
        if (norm == 0)
            continue; /* members cancel out (or are zero rows): keep the old centre */
        float *cent = m->cent + (size_t)c * m->ld;
        for (int32_t d = 0; d < m->dim; d++)
            cent[d] = (float)(sum[d] / norm);
    }
    w2v_free(sum);
}

/* Seeding: lower each row's distance to the nearest seed by the new one. */
static void km_seed_dist(struct km_task *task)
{
    struct km *m = task->m;
    int64_t lo, hi;
    chunk(m->rows, task->t, m->threads, &lo, &hi);
    const float *c = m->unit + (size_t)m->seed_row * m->ld;
    for (int64_t i = lo; i < hi; i++) {
        float d = 2.0f - 2.0f * kernels_dot(m->unit + (size_t)i * m->ld, c, m->ld);
        if (d < 0)
            d = 0;
        if (d < m->dist[i])
            m->dist[i] = d;
    }
}

static void *km_thread(void *arg)
{
    struct km_task *task = arg;
    task->fn(task);
    return NULL;
}

/* Run fn on every thread's share; returns the summed changes, or -1 when a
 * thread could not start or ran out of memory. */
static int64_t km_parallel(struct km *m, void (*fn)(struct km_task *))
{
    enum { MAX_THREADS = 1024 };
    struct km_task tasks[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int n = m->threads, started = 1, failed = 0;
    for (int t = 0; t < n; t++)
        tasks[t] = (struct km_task){m, t, 0, fn};
    for (; started < n; started++)
        if (pthread_create(&tid[started], NULL, km_thread, &tasks[started]) != 0)
            break;
    /* Shares of threads that did not start run here. */
    for (int t = started; t < n; t++)
        fn(&tasks[t]);
    fn(&tasks[0]);
    for (int t = 1; t < started; t++)
        pthread_join(tid[t], NULL);
    int64_t total = 0;
    for (int t = 0; t < n; t++) {
        if (tasks[t].changes < 0)
            failed = 1;
        total += tasks[t].changes;
    }
    return failed ? -1 : total;
}

/* k-means++: the first seed uniform, each next one drawn with probability
 * proportional to its distance to the nearest seed so far. */
static void km_seed(struct km *m, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, 0);
    for (int64_t i = 0; i < m->rows; i++)
        m->dist[i] = INFINITY;
    int64_t row = (int64_t)(rng_next(&r) % (uint64_t)m->rows);
    for (int32_t c = 0; c < m->k; c++) {
        memcpy(m->cent + (size_t)c * m->ld, m->unit + (size_t)row * m->ld, m->ld * sizeof(float));
        m->dist[row] = 0;
        m->seed_row = row;
        if (c == m->k - 1)
            break;
        km_parallel(m, km_seed_dist);
        double total = 0;
        for (int64_t i = 0; i < m->rows; i++)
            total += m->dist[i];
        if (total > 0) {
            double u = (double)(rng_next(&r) >> 11) * (1.0 / 9007199254740992.0) * total;
            double acc = 0;
            for (int64_t i = 0; i < m->rows; i++) {
                if (m->dist[i] <= 0)
                    continue;
                acc += m->dist[i];
                row = i; /* the last positive one, should rounding carry u past the end */
                if (acc > u)
                    break;
            }
        } else {
            /* Every row coincides with a seed: any row will do; the class
             * that stays empty is reseeded by the first round. */
            row = (c + 1) % m->rows;
        }
    }
}

/* Group the rows by class (counting sort, row order kept within a class). */
static void km_group(struct km *m)
{
    memset(m->member_start, 0, ((size_t)m->k + 1) * sizeof *m->member_start);
    for (int64_t i = 0; i < m->rows; i++)
        m->member_start[m->cls[i] + 1]++;
    for (int32_t c = 0; c < m->k; c++)
        m->member_start[c + 1] += m->member_start[c];
    /* members[] is filled with a moving cursor per class; the cursors are
     * the starts, restored afterwards by a backward shift. */
    for (int64_t i = 0; i < m->rows; i++)
        m->members[m->member_start[m->cls[i]]++] = i;
    for (int32_t c = m->k; c > 0; c--)
        m->member_start[c] = m->member_start[c - 1];
    m->member_start[0] = 0;
}

/* A class with no member takes the row farthest from its own centre among
 * classes of two or more; returns how many classes were reseeded. */
static int32_t km_reseed_empty(struct km *m)
{
    int32_t reseeded = 0;
    for (int32_t c = 0; c < m->k; c++) {
        if (m->member_start[c + 1] > m->member_start[c])
            continue;
        int64_t far = -1;
        for (int64_t i = 0; i < m->rows; i++) {
            int32_t ci = m->cls[i];
            if (m->member_start[ci + 1] - m->member_start[ci] < 2)
                continue;
            if (far < 0 || m->best[i] < m->best[far])
                far = i;
        }
        if (far < 0)
            break; /* cannot happen while k <= rows */
        memcpy(m->cent + (size_t)c * m->ld, m->unit + (size_t)far * m->ld, m->ld * sizeof(float));
        m->cls[far] = c;
        m->best[far] = 1.0f;
        km_group(m);
        reseeded++;
    }
    return reseeded;
}

static void km_release(struct km *m)
{
    w2v_aligned_free(m->unit);
    w2v_aligned_free(m->cent);
    w2v_free(m->best);
    w2v_free(m->dist);
    w2v_free(m->member_start);
    w2v_free(m->members);
}

/* Copy data into unit rows of length ld (zero-padded). */
static void km_normalise(struct km *m, const float *data, size_t stride)
{
    for (int64_t i = 0; i < m->rows; i++) {
        const float *src = data + (size_t)i * stride;
        float *dst = m->unit + (size_t)i * m->ld;
        double norm = 0;
        for (int32_t d = 0; d < m->dim; d++)
            norm += (double)src[d] * src[d];
        norm = sqrt(norm);
        for (int32_t d = 0; d < m->dim; d++)
            dst[d] = norm > 0 ? (float)(src[d] / norm) : 0.0f;
        for (size_t d = (size_t)m->dim; d < m->ld; d++)
            dst[d] = 0.0f;
    }
}

/* Allocate m's arrays for rows x dim and k classes. */
static int km_alloc(struct km *m, int64_t rows, int32_t dim, int32_t k)
{
    size_t n_unit, n_cent, bytes;
    m->rows = rows;
    m->dim = dim;
    m->k = k;
    m->ld = ((size_t)dim + W2V_MODEL_ROW_ALIGN - 1) / W2V_MODEL_ROW_ALIGN * W2V_MODEL_ROW_ALIGN;
    if (w2v_size_mul((size_t)rows, m->ld, &n_unit) != 0 ||
        w2v_size_mul(n_unit, sizeof(float), &bytes) != 0 ||
        w2v_size_mul((size_t)k, m->ld * sizeof(float), &n_cent) != 0)
        return W2V_EOVERFLOW;
    m->unit = w2v_aligned_alloc(bytes);
    m->cent = w2v_aligned_alloc(n_cent);
    m->best = w2v_calloc((size_t)rows, sizeof *m->best);
    m->dist = w2v_calloc((size_t)rows, sizeof *m->dist);
    m->member_start = w2v_calloc((size_t)k + 1, sizeof *m->member_start);
    m->members = w2v_calloc((size_t)rows, sizeof *m->members);
    if (!m->unit || !m->cent || !m->best || !m->dist || !m->member_start || !m->members)
        return W2V_ENOMEM;
    memset(m->cent, 0, n_cent);
    return 0;
}

int classes_mean_cosine(const float *data, int64_t rows, int32_t dim, size_t stride,
                        const int32_t *cls, int32_t k, double *out, struct w2v_err *err)
{
    struct km m;
    int rc;
    memset(&m, 0, sizeof m);
    if (rows < 1 || dim < 1 || k < 1 || stride < (size_t)dim)
        return w2v_fail(err, W2V_EINVAL, "nothing to score");
    if ((rc = km_alloc(&m, rows, dim, k)) != 0) {
        w2v_fail(err, rc, "out of memory for the classes of %" PRId64 " words", rows);
        goto fail;
    }
    km_normalise(&m, data, stride);
    /* Centres from the given classes; rows without a class take part in
     * nothing. */
    int64_t used = 0;
    double total = 0;
    double *sum = w2v_calloc((size_t)k * (size_t)dim, sizeof *sum);
    if (!sum) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    for (int64_t i = 0; i < rows; i++) {
        if (cls[i] < 0 || cls[i] >= k)
            continue;
        const float *u = m.unit + (size_t)i * m.ld;
        for (int32_t d = 0; d < dim; d++)
            sum[(size_t)cls[i] * (size_t)dim + (size_t)d] += u[d];
    }
    for (int32_t c = 0; c < k; c++) {
        double norm = 0;
        double *s = sum + (size_t)c * (size_t)dim;
        for (int32_t d = 0; d < dim; d++)
            norm += s[d] * s[d];
        norm = sqrt(norm);
        for (int32_t d = 0; d < dim; d++)
            s[d] = norm > 0 ? s[d] / norm : 0.0;
    }
    for (int64_t i = 0; i < rows; i++) {
        if (cls[i] < 0 || cls[i] >= k)
            continue;
        const float *u = m.unit + (size_t)i * m.ld;
        const double *s = sum + (size_t)cls[i] * (size_t)dim;
        double dot = 0;
        for (int32_t d = 0; d < dim; d++)
            dot += u[d] * s[d];
        total += dot;
        used++;
    }
    w2v_free(sum);
    km_release(&m);
    if (used == 0)
        return w2v_fail(err, W2V_EINVAL, "no word has a class");
    *out = total / (double)used;
    return 0;
fail:
    km_release(&m);
    return rc;
}

int classes_kmeans(const float *data, int64_t rows, int32_t dim, size_t stride,
                   const struct classes_options *o, int32_t *class_out,
                   struct classes_stats *st, struct w2v_err *err)
{
    struct km m;
    int rc = 0;
    memset(&m, 0, sizeof m);
    if (rows < 1 || o->k < 1 || o->k > rows)
        return w2v_fail(err, W2V_EINVAL, "%" PRId32 " classes for %" PRId64 " words: k must be from 1 to the number of words",
                        o->k, rows);
    if (dim < 1 || stride < (size_t)dim || o->max_iter < 1 || o->threads < 1 || o->threads > 1024)
        return w2v_fail(err, W2V_EINVAL, "bad k-means arguments (dim %" PRId32 ", iterations %d, threads %d)",
                        dim, o->max_iter, o->threads);
    if ((rc = km_alloc(&m, rows, dim, o->k)) != 0) {
        w2v_fail(err, rc, "out of memory for %" PRId32 " classes of %" PRId64 " words", o->k, rows);
        goto fail;
    }
    m.cls = class_out;
    m.threads = o->threads;
    if ((int64_t)m.threads > rows)
        m.threads = (int)rows;
    km_normalise(&m, data, stride);
    km_seed(&m, o->seed);
    for (int64_t i = 0; i < rows; i++)
        m.cls[i] = -1;
    int it = 0, converged = 0;
    while (it < o->max_iter) {
        int64_t changes = km_parallel(&m, km_assign);
        it++;
        km_group(&m);
        int32_t reseeded = km_reseed_empty(&m);
        if (changes == 0 && reseeded == 0) {
            converged = 1;
            break;
        }
        if (it == o->max_iter)
            break;
        if (km_parallel(&m, km_update) < 0) {
            rc = w2v_fail(err, W2V_ENOMEM, "out of memory for the class centres");
            goto fail;
        }
    }
    if (st) {
        st->iterations = it;
        st->converged = converged;
        st->mean_cosine = 0;
    }
    km_release(&m);
    if (st)
        return classes_mean_cosine(data, rows, dim, stride, class_out, o->k, &st->mean_cosine, err);
    return 0;
fail:
    km_release(&m);
    return rc;
}

int classes_write(const char *path, const char *const *words, int64_t rows,
                  const int32_t *cls, struct w2v_err *err)
{
    struct w2v_outfile out;
    int rc = w2v_outfile_open(&out, path, err);
    if (rc != 0)
        return rc;
    for (int64_t i = 0; i < rows; i++)
        if (fprintf(out.fp, "%s %" PRId32 "\n", words[i], cls[i]) < 0) {
            rc = w2v_fail_errno(err, "cannot write '%s'", path);
            w2v_outfile_abort(&out);
            return rc;
        }
    return w2v_outfile_commit(&out, err);
}

int classes_read(const char *path, const struct vectors *v, int32_t *cls, int32_t *k,
                 struct w2v_err *err)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int64_t lineno = 0, listed = 0;
    int32_t max_class = -1;
    int rc = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return w2v_fail_errno(err, "cannot open '%s'", path);
    for (int64_t i = 0; i < v->rows; i++)
        cls[i] = -1;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        char *sp = strrchr(line, ' ');
        char *end = NULL;
        errno = 0;
        long c = sp ? strtol(sp + 1, &end, 10) : -1;
        /* strlen != n: a NUL byte inside the line. */
        if (!sp || sp == line || end == sp + 1 || *end || errno || c < 0 || c > INT32_MAX ||
            strlen(line) != (size_t)n) {
            rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %" PRId64 ": expected 'word class'",
                          path, lineno);
            goto fail;
        }
        *sp = '\0';
        int64_t row = vectors_find(v, line);
        if (row < 0 || cls[row] >= 0) {
            rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %" PRId64 ": '%.100s' is %s", path,
                          lineno, line, row < 0 ? "not in the vectors" : "listed twice");
            goto fail;
        }
        cls[row] = (int32_t)c;
        if (c > max_class)
            max_class = (int32_t)c;
        listed++;
    }
    if (ferror(f)) {
        rc = w2v_fail_errno(err, "cannot read '%s'", path);
        goto fail;
    }
    if (listed == 0) {
        rc = w2v_fail(err, W2V_EFORMAT, "'%s' holds no 'word class' line", path);
        goto fail;
    }
    *k = max_class + 1;
    free(line);
    fclose(f);
    return 0;
fail:
    free(line);
    fclose(f);
    return rc;
}
