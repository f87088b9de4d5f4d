/* query.c — cosine top-k over a vector matrix: bounded heaps, normalisation,
 * threaded scans over disjoint row ranges, analogies and similarities. */
#include "w2v/query.h"

#include "common_internal.h"
#include "kernels.h"

#include <math.h>
#include <string.h>

/* ---- bounded heap ------------------------------------------------------- */

int query_heap_init(struct query_heap *h, size_t k)
{
    memset(h, 0, sizeof *h);
    if (k == 0)
        return W2V_EUSAGE;
    h->hits = w2v_calloc(k, sizeof *h->hits);
    if (!h->hits)
        return W2V_ENOMEM;
    h->k = k;
    return 0;
}

void query_heap_release(struct query_heap *h)
{
    if (!h)
        return;
    w2v_free(h->hits);
    memset(h, 0, sizeof *h);
}

void query_heap_reset(struct query_heap *h) { h->n = 0; }

/* Min-heap on "better": the root is the worst kept hit. */
static void heap_sift_down(struct query_hit *a, size_t n, size_t i)
{
    struct query_hit x = a[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && query_hit_better(a[c], a[c + 1]))
            c++; /* the worse child */
        if (!query_hit_better(x, a[c]))
            break;
        a[i] = a[c];
        i = c;
    }
    a[i] = x;
}

void query_heap_push(struct query_heap *h, int64_t row, float score)
{
    struct query_hit x = {row, score};
    if (h->n < h->k) {
        size_t i = h->n++;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!query_hit_better(h->hits[p], x))
                break;
            h->hits[i] = h->hits[p];
            i = p;
        }
        h->hits[i] = x;
        return;
    }
    if (!query_hit_better(x, h->hits[0]))
        return;
    h->hits[0] = x;
    heap_sift_down(h->hits, h->n, 0);
}

size_t query_heap_sort(struct query_heap *h)
{
    /* Heap sort in place: repeatedly move the worst to the end. */
    size_t n = h->n;
    for (size_t end = n; end > 1; end--) {
        struct query_hit worst = h->hits[0];
        h->hits[0] = h->hits[end - 1];
        h->hits[end - 1] = worst;
        heap_sift_down(h->hits, end - 1, 0);
    }
    return n;
}

/* ---- kernels ------------------------------------------------------------ */

/* The dot products and the normalisation are the kernels module's
 * (src/kernels.h). */

/* x: [n] -> x / |x| in place (see kernels_unit_row_from). */
static int unit_row(float *x, size_t n)
{
    return kernels_unit_row_from(x, (const unsigned char *)x, n);
}

/* ---- model -------------------------------------------------------------- */

int query_model_from_vectors(struct query_model *m, struct vectors *v)
{
    memset(m, 0, sizeof *m);
    m->vec = *v;
    memset(v, 0, sizeof *v);
    m->rows = m->vec.rows;
    m->dim = m->vec.dim;
    m->source = QUERY_IN_MEMORY;
    const size_t dim = (size_t)m->dim;
    int rc = 0;
    for (int64_t r = 0; r < m->rows; r++) {
        float *x = m->vec.data + (size_t)r * dim;
        if (unit_row(x, dim) != 0) {
            memset(x, 0, dim * sizeof *x); /* never NaN in a score */
            rc = W2V_EFORMAT;
        }
    }
    return rc;
}

int query_model_open(struct query_model *m, const char *path, int allow_map,
                     struct w2v_err *err)
{
    return query_model_open_limit(m, path, allow_map, 0, err);
}

int query_model_open_limit(struct query_model *m, const char *path, int allow_map,
                           int64_t limit, struct w2v_err *err)
{
    const struct vectors_read_opts o = {.limit = limit};
    return query_model_open_with(m, path, allow_map, &o, err);
}

int query_model_open_with(struct query_model *m, const char *path, int allow_map,
                          const struct vectors_read_opts *o, struct w2v_err *err)
{
    const int64_t limit = o ? o->limit : 0;
    memset(m, 0, sizeof *m);
    if (allow_map && !(o && o->no_header)) {
        struct vectors_map *map = w2v_calloc(1, sizeof *map);
        if (!map)
            return w2v_fail(err, W2V_ENOMEM, "out of memory");
        int rc = vectors_map_open_limit(map, path, limit, err);
        if (rc == 0) {
            m->source = QUERY_MAPPED;
            m->mapping = map;
            m->rows = map->rows;
            m->dim = map->dim;
            return 0;
        }
        w2v_free(map);
        if (rc < 0)
            return rc;
        /* rc == 1: a text file, read below. */
    }
    struct vectors v;
    int rc = vectors_read_with(&v, path, o, err);
    if (rc < 0)
        return rc;
    rc = query_model_from_vectors(m, &v);
    if (rc < 0) {
        /* vectors_read rejects non-finite values: this cannot happen. */
        query_model_release(m);
        return w2v_fail(err, rc, "'%s' holds non-finite values", path);
    }
    return 0;
}

void query_model_release(struct query_model *m)
{
    if (!m)
        return;
    vectors_release(&m->vec);
    if (m->mapping) {
        vectors_map_release(m->mapping);
        w2v_free(m->mapping);
    }
    memset(m, 0, sizeof *m);
}

int64_t query_model_find(const struct query_model *m, const char *word)
{
    if (m->source == QUERY_MAPPED)
        return vectors_map_find(m->mapping, word);
    return vectors_find(&m->vec, word);
}

const char *query_model_word(const struct query_model *m, int64_t row, size_t *len)
{
    if (m->source == QUERY_MAPPED)
        return vectors_map_word(m->mapping, row, len);
    const char *w = m->vec.words[row];
    *len = strlen(w);
    return w;
}

static int fail_not_finite(const struct query_model *m, int64_t row, struct w2v_err *err)
{
    size_t len;
    const char *w = query_model_word(m, row, &len);
    return w2v_fail(err, W2V_EFORMAT, "the vector of '%.*s' (row %lld) has a non-finite value",
                    (int)(len > 200 ? 200 : len), w, (long long)row + 1);
}

int query_model_unit(const struct query_model *m, int64_t row, float *out, struct w2v_err *err)
{
    const size_t dim = (size_t)m->dim;
    if (m->source == QUERY_MAPPED) {
        vectors_map_row(m->mapping, row, out);
        if (unit_row(out, dim) != 0)
            return fail_not_finite(m, row, err);
        return 0;
    }
    memcpy(out, m->vec.data + (size_t)row * dim, dim * sizeof *out);
    return 0;
}

int query_vector_nearest(const struct query_model *m, const int64_t *rows, size_t n, float *out,
                         struct w2v_err *err)
{
    const size_t dim = (size_t)m->dim;
    memset(out, 0, dim * sizeof *out);
    float *u = w2v_malloc(dim * sizeof *u);
    if (!u)
        return w2v_fail(err, W2V_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int rc = query_model_unit(m, rows[i], u, err);
        if (rc < 0) {
            w2v_free(u);
            return rc;
        }
        for (size_t j = 0; j < dim; j++)
            out[j] += u[j];
    }
    w2v_free(u);
    unit_row(out, dim); /* a sum of unit vectors is finite */
    return 0;
}

int query_vector_analogy(const struct query_model *m, int64_t a, int64_t b, int64_t c,
                         float *out, struct w2v_err *err)
{
    const size_t dim = (size_t)m->dim;
    float *u = w2v_malloc(dim * sizeof *u);
    if (!u)
        return w2v_fail(err, W2V_ENOMEM, "out of memory");
    int rc = query_model_unit(m, a, out, err);
    if (rc == 0)
        rc = query_model_unit(m, b, u, err);
    if (rc == 0) {
        for (size_t j = 0; j < dim; j++)
            out[j] -= u[j];
        rc = query_model_unit(m, c, u, err);
    }
    if (rc == 0) {
        for (size_t j = 0; j < dim; j++)
            out[j] += u[j];
        unit_row(out, dim);
    }
    w2v_free(u);
    return rc;
}

int query_similarity(const struct query_model *m, int64_t r1, int64_t r2, float *out,
                     struct w2v_err *err)
{
    const size_t dim = (size_t)m->dim;
    float *u = w2v_malloc(2 * dim * sizeof *u);
    if (!u)
        return w2v_fail(err, W2V_ENOMEM, "out of memory");
    int rc = query_model_unit(m, r1, u, err);
    if (rc == 0)
        rc = query_model_unit(m, r2, u + dim, err);
    if (rc == 0) {
        float s = kernels_dot_any(u, u + dim, dim);
        /* Rounding can push |cos| of parallel unit vectors just past 1. */
        *out = s > 1.0f ? 1.0f : (s < -1.0f ? -1.0f : s);
    }
    w2v_free(u);
    return rc;
}

/* ---- scans -------------------------------------------------------------- */

struct scan_job {
    const struct query_model *m;
    const struct query_request *reqs;
    size_t n_req;
    int64_t lo, hi;            /* rows [lo, hi) */
    struct query_heap *heaps;  /* [n_req], this job's own */
    int status;
    struct w2v_err err;
};

static int is_excluded(const struct query_request *q, int64_t row)
{
    for (size_t i = 0; i < q->n_exclude; i++)
        if (q->exclude[i] == row)
            return 1;
    return 0;
}

/* Rows ascend within a job, so a hit whose score only ties the worst kept
 * one is never better (its row is larger): the bar is a strict '>'. */
static void offer(struct query_heap *h, const struct query_request *q, int64_t row, float s)
{
    if (h->n == h->k && !(s > h->hits[0].score))
        return;
    if (is_excluded(q, row))
        return;
    query_heap_push(h, row, s);
}

/* Score unit rows r (x0) and r + 1 (x1, or NULL) against every query of
 * the job, queries in pairs. Offers keep ascending row order per heap. */
static void score_rows(struct scan_job *job, int64_t r, const float *x0, const float *x1)
{
    const size_t dim = (size_t)job->m->dim, nq = job->n_req;
    const struct query_request *q = job->reqs;
    struct query_heap *h = job->heaps;
    size_t i = 0;
    if (x1) {
        for (; i + 4 <= nq; i += 4) {
            const float *qs[4] = {q[i].vec, q[i + 1].vec, q[i + 2].vec, q[i + 3].vec};
            float s[8];
            kernels_dot_4x2(qs, x0, x1, dim, s);
            for (size_t k = 0; k < 4; k++) {
                offer(&h[i + k], &q[i + k], r, s[2 * k]);
                offer(&h[i + k], &q[i + k], r + 1, s[2 * k + 1]);
            }
        }
        for (; i + 2 <= nq; i += 2) {
            float s[4];
            kernels_dot_2x2(q[i].vec, q[i + 1].vec, x0, x1, dim, s);
            offer(&h[i], &q[i], r, s[0]);
            offer(&h[i], &q[i], r + 1, s[1]);
            offer(&h[i + 1], &q[i + 1], r, s[2]);
            offer(&h[i + 1], &q[i + 1], r + 1, s[3]);
        }
        for (; i < nq; i++) {
            offer(&h[i], &q[i], r, kernels_dot_any(q[i].vec, x0, dim));
            offer(&h[i], &q[i], r + 1, kernels_dot_any(q[i].vec, x1, dim));
        }
        return;
    }
    for (; i < nq; i++)
        offer(&h[i], &q[i], r, kernels_dot_any(q[i].vec, x0, dim));
}

static void scan_memory(struct scan_job *job)
{
    const size_t dim = (size_t)job->m->dim;
    const float *data = job->m->vec.data; /* [rows, dim] unit rows */
    int64_t r = job->lo;
    for (; r + 2 <= job->hi; r += 2)
        score_rows(job, r, data + (size_t)r * dim, data + (size_t)(r + 1) * dim);
    if (r < job->hi)
        score_rows(job, r, data + (size_t)r * dim, NULL);
}

#if defined(__GNUC__)
#define query_prefetch(p) __builtin_prefetch(p)
#else
#define query_prefetch(p) ((void)(p))
#endif
#define SCAN_AHEAD 4

/* Mapped rows, two at a time: each is normalised straight from the file's
 * unaligned little-endian bytes into an aligned scratch row (its norm
 * computed in the same pass as the scan, nothing stored), then dotted with
 * every query. A non-finite value stops the job with the word named. */
static void scan_mapped(struct scan_job *job)
{
    const struct query_model *m = job->m;
    const size_t dim = (size_t)m->dim;
    float *x = w2v_aligned_alloc(2 * dim * sizeof *x); /* [2, dim] scratch */
    if (!x) {
        job->status = w2v_fail(&job->err, W2V_ENOMEM, "out of memory");
        return;
    }
    const struct vectors_map *map = m->mapping;
    const size_t row_bytes = dim * sizeof(float);
    const int little_endian = w2v_host_is_little_endian(); /* normalise straight from the file */
    for (int64_t r = job->lo; r < job->hi; r += 2) {
        int two = r + 1 < job->hi;
        for (int k = 0; k <= two; k++) {
            /* Hardware prefetchers stop at page boundaries (a page holds ~3
             * rows of 300 floats): fetch SCAN_AHEAD rows ahead ourselves. */
            if (r + k + SCAN_AHEAD < job->hi) {
                const unsigned char *next = map->base + map->row_off[r + k + SCAN_AHEAD];
                for (size_t o = 0; o < row_bytes; o += 64)
                    query_prefetch(next + o);
            }
            float *xk = x + (size_t)k * dim;
            int bad;
            if (little_endian) {
                bad = kernels_unit_row_from(xk, vectors_map_bytes(map, r + k), dim);
            } else {
                vectors_map_row(map, r + k, xk);
                bad = unit_row(xk, dim);
            }
            if (bad) {
                job->status = fail_not_finite(m, r + k, &job->err);
                goto done;
            }
        }
        score_rows(job, r, x, two ? x + dim : NULL);
    }
done:
    w2v_aligned_free(x);
}

static void scan(struct scan_job *job)
{
    if (job->m->source == QUERY_MAPPED)
        scan_mapped(job);
    else
        scan_memory(job);
}

/* w2v_parallel's task: job i of the array. */
static void scan_task(void *arg, int i) { scan((struct scan_job *)arg + i); }

/* Below this many multiply-adds per thread, starting a thread costs more
 * than it saves. */
#define WORK_PER_THREAD ((int64_t)1 << 21)
#define MAX_THREADS 64

int query_topk(const struct query_model *m, const struct query_request *reqs, size_t n_req,
               const struct query_options *opt, struct query_hit *hits, size_t *n_hits,
               struct w2v_err *err)
{
    if (opt->k == 0)
        return w2v_fail(err, W2V_EUSAGE, "the number of results must be at least 1");
    if (n_req == 0)
        return 0;
    int64_t hi = m->rows;
    if (opt->restrict_rows > 0 && opt->restrict_rows < hi)
        hi = opt->restrict_rows;
    /* No more hits than candidates: keeps heaps small for a large k. */
    size_t k = opt->k;
    if ((uint64_t)k > (uint64_t)hi)
        k = (size_t)hi;

    /* An explicit thread count is honoured (tests rely on it); the automatic
     * one gives each thread enough work to pay for starting it. */
    int threads = opt->threads > 0 ? opt->threads : w2v_cpu_count(1024);
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    int64_t work = hi * (int64_t)m->dim * (int64_t)(n_req < 64 ? n_req : 64);
    if (opt->threads <= 0 && work / WORK_PER_THREAD < threads)
        threads = (int)(work / WORK_PER_THREAD);
    if (threads > hi)
        threads = (int)hi;
    if (threads < 1)
        threads = 1;

    int rc = 0;
    struct scan_job jobs[MAX_THREADS];
    struct query_heap *heaps = NULL;
    struct query_heap final = {0};
    memset(jobs, 0, sizeof jobs);
    heaps = w2v_calloc((size_t)threads * n_req, sizeof *heaps);
    if (!heaps) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < (size_t)threads * n_req; i++)
        if (k > 0 && query_heap_init(&heaps[i], k) != 0) {
            rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
            goto done;
        }
    for (int t = 0; t < threads; t++) {
        jobs[t].m = m;
        jobs[t].reqs = reqs;
        jobs[t].n_req = n_req;
        jobs[t].lo = hi * t / threads;
        jobs[t].hi = hi * (t + 1) / threads;
        jobs[t].heaps = heaps + (size_t)t * n_req;
    }
    /* The calling thread takes the first range; a range whose thread did
     * not start is scanned here too (slower, still correct). */
    if (k > 0)
        w2v_parallel(threads, scan_task, jobs);
    for (int t = 0; t < threads; t++)
        if (jobs[t].status < 0) {
            if (err)
                *err = jobs[t].err;
            rc = jobs[t].status;
            goto done;
        }
    if (k > 0 && query_heap_init(&final, k) != 0) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t qi = 0; qi < n_req; qi++) {
        query_heap_reset(&final);
        for (int t = 0; t < threads && k > 0; t++) {
            const struct query_heap *h = &heaps[(size_t)t * n_req + qi];
            for (size_t i = 0; i < h->n; i++)
                query_heap_push(&final, h->hits[i].row, h->hits[i].score);
        }
        size_t n = k > 0 ? query_heap_sort(&final) : 0;
        memcpy(hits + qi * opt->k, final.hits, n * sizeof *hits);
        n_hits[qi] = n;
    }
done:
    if (heaps)
        for (size_t i = 0; i < (size_t)threads * n_req; i++)
            query_heap_release(&heaps[i]);
    w2v_free(heaps);
    query_heap_release(&final);
    return rc;
}

/* The toolkit (src/query_toolkit.c) scores and normalises with the
 * search's own kernels. */
float query_dot(const float *a, const float *b, size_t n)
{
    return kernels_dot_any(a, b, n);
}

int query_normalize(float *x, size_t n) { return unit_row(x, n) == 0 ? 0 : W2V_EFORMAT; }
