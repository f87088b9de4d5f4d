/* senses.c — the sense table, its files and the sense choice: see senses.h. */
#include "w2v/senses.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels.h"
#include "w2v/model.h"

/* Hogwild: every training thread reads and adds to the centre rows and
 * the sense rows without locks, as the model matrices are (train.h): two
 * threads seldom assign the same word at the same moment, and a lost float
 * update there changes a centre's direction by a hair. They go through
 * kernels_dot and kernels_axpy, which tests/tsan/tsan.supp names. */

int senses_bytes(int64_t n_words, int max_senses, int32_t dim, size_t *out)
{
    size_t rows, row_bytes, mats, small, total;
    if (n_words < 0 || max_senses < 0 || dim < 0 ||
        w2v_size_mul((size_t)n_words, (size_t)max_senses, &rows) != 0 ||
        w2v_size_mul(model_stride(dim), 2 * sizeof(float), &row_bytes) != 0 ||
        w2v_size_mul(rows, row_bytes, &mats) != 0 ||
        w2v_size_mul(rows + (size_t)n_words, sizeof(int64_t), &small) != 0 ||
        w2v_size_add(mats, small, &total) != 0)
        return W2V_EOVERFLOW;
    *out = total;
    return 0;
}

void senses_release(struct senses *s)
{
    if (!s)
        return;
    w2v_aligned_free(s->vec);
    w2v_aligned_free(s->centre);
    w2v_free((void *)s->count);
    w2v_free((void *)s->n_open);
    w2v_free(s->weight);
    memset(s, 0, sizeof *s);
}

int senses_init(struct senses *s, int32_t n_words, int max_senses, int32_t dim, double threshold,
                struct w2v_err *err)
{
    memset(s, 0, sizeof *s);
    if (n_words < 1)
        return w2v_fail(err, W2V_EINVAL, "no words to give senses to");
    if (max_senses < 1 || max_senses > W2V_SENSES_MAX)
        return w2v_fail(err, W2V_EINVAL, "the number of senses must be from 1 to %d, not %d",
                        W2V_SENSES_MAX, max_senses);
    if (dim < 1 || dim > W2V_MAX_DIM)
        return w2v_fail(err, W2V_EINVAL, "dimension %d out of range", (int)dim);
    if (!(threshold >= -1.0 && threshold <= 1.0))
        return w2v_fail(err, W2V_EINVAL, "the sense threshold must be a cosine in [-1, 1]");
    size_t total, rows, bytes;
    if (senses_bytes(n_words, max_senses, dim, &total) != 0)
        return w2v_fail(err, W2V_EOVERFLOW, "a sense table of %d words x %d senses x %d floats "
                        "does not fit in memory", (int)n_words, max_senses, (int)dim);
    s->n_words = n_words;
    s->max_senses = max_senses;
    s->dim = dim;
    s->stride = model_stride(dim);
    s->threshold = (float)threshold;
    rows = (size_t)n_words * (size_t)max_senses;
    bytes = rows * s->stride * sizeof(float); /* checked by senses_bytes */
    s->vec = w2v_aligned_alloc(bytes);
    s->centre = w2v_aligned_alloc(bytes);
    s->count = w2v_calloc(rows, sizeof *s->count);
    s->n_open = w2v_calloc((size_t)n_words, sizeof *s->n_open);
    if (!s->vec || !s->centre || !s->count || !s->n_open)
        goto fail;
    memset(s->vec, 0, bytes);
    memset(s->centre, 0, bytes);
    for (size_t r = 0; r < rows; r++)
        atomic_init(&s->count[r], 0);
    for (int32_t w = 0; w < n_words; w++)
        atomic_init(&s->n_open[w], 0);
    return 0;
fail:
    senses_release(s);
    return w2v_fail(err, W2V_ENOMEM, "out of memory for a sense table of %.1f MB",
                    (double)total / 1e6);
}

int senses_set_weights(struct senses *s, const int64_t *counts, const float *keep,
                       int32_t vocab_size, struct w2v_err *err)
{
    if (vocab_size < 2)
        return w2v_fail(err, W2V_EINVAL, "no words to weigh");
    float *w = w2v_calloc((size_t)vocab_size, sizeof *w);
    if (!w)
        return w2v_fail(err, W2V_ENOMEM, "out of memory for the context weights");
    double total = 0.0;
    for (int32_t i = 1; i < vocab_size; i++)
        total += (double)counts[i] * (keep ? (double)keep[i] : 1.0);
    for (int32_t i = 1; total > 0.0 && i < vocab_size; i++)
        w[i] = (float)((double)counts[i] * (keep ? (double)keep[i] : 1.0) / total);
    w2v_free(s->weight);
    s->weight = w;
    s->vocab_size = vocab_size;
    return 0;
}

void senses_context_mean(const struct senses *s, const float *global, size_t stride, float *out)
{
    memset(out, 0, s->stride * sizeof *out);
    if (!s->weight)
        return;
    for (int32_t w = 1; w < s->vocab_size; w++)
        if (s->weight[w] > 0.0f)
            kernels_axpy(s->weight[w], global + (size_t)w * stride, out, s->stride);
}

/* Cosine of a and b given b's norm; 0 when either is zero. */
static inline float cosine(const float *a, const float *b, float b_norm, size_t n)
{
    float d = kernels_dot(a, b, n), aa = kernels_dot(a, a, n);
    if (!(aa > 0.0f) || !(b_norm > 0.0f))
        return 0.0f;
    return d / (sqrtf(aa) * b_norm);
}

/* The open sense of slot whose row in table (s->centre or s->vec) has the
 * largest cosine with x ([stride] floats), that cosine in *sim; -1 (and
 * *sim = -2) when no sense is open. Ties: the lower index. */
static inline int nearest_open_row(const struct senses *s, const float *table, int32_t slot,
                                   const float *x, float *sim)
{
    int n = atomic_load_explicit(&s->n_open[slot], memory_order_acquire);
    const size_t D = s->stride;
    const float x_norm = sqrtf(kernels_dot(x, x, D));
    const float *rows = table + (size_t)slot * (size_t)s->max_senses * D;
    int best = -1;
    float best_sim = -2.0f;
    for (int k = 0; k < n && k < s->max_senses; k++) {
        float c = cosine(rows + (size_t)k * D, x, x_norm, D);
        if (c > best_sim) {
            best_sim = c;
            best = k;
        }
    }
    *sim = best_sim;
    return best;
}

W2V_CLONES
int senses_nearest(const struct senses *s, int32_t slot, const float *ctx, float *sim)
{
    return nearest_open_row(s, s->centre, slot, ctx, sim);
}

/* The cosine, not the raw dot product: a sense that wins grows longer, and
 * by its length alone would then win every context. */
W2V_CLONES
int senses_best_fit(const struct senses *s, int32_t slot, const float *fit)
{
    float sim;
    return nearest_open_row(s, s->vec, slot, fit, &sim);
}

W2V_CLONES
int senses_assign(struct senses *s, int32_t slot, const float *ctx, const float *fit,
                  const float *init, int may_open)
{
    const size_t D = s->stride;
    float norm = sqrtf(kernels_dot(ctx, ctx, D));
    float unit = norm > 0.0f ? 1.0f / norm : 0.0f;
    int32_t n_open = atomic_load_explicit(&s->n_open[slot], memory_order_relaxed);
    int k = -1;
    /* The centres decide whether a new sense opens; with every sense open
     * and a fit given, only the fit is needed. */
    if (n_open == 0 || !fit || (may_open && n_open < s->max_senses)) {
        float sim;
        k = senses_nearest(s, slot, ctx, &sim);
        if (k < 0 || (may_open && sim < s->threshold)) {
            int32_t n = n_open;
            /* Claim slot n; a thread that loses the race uses the nearest
             * sense instead (or sense 0, which the winner is opening). */
            if (n < s->max_senses &&
                atomic_compare_exchange_strong_explicit(&s->n_open[slot], &n, n + 1,
                                                        memory_order_acq_rel,
                                                        memory_order_relaxed)) {
                float *c = senses_centre(s, slot, n);
                memset(c, 0, D * sizeof *c);
                kernels_axpy(unit, ctx, c, D);
                if (init)
                    memcpy(senses_vec(s, slot, n), init, (size_t)s->dim * sizeof(float));
                atomic_fetch_add_explicit(
                    &s->count[(size_t)slot * (size_t)s->max_senses + (size_t)n], 1,
                    memory_order_relaxed);
                return n;
            }
        }
    }
    if (fit)
        k = senses_best_fit(s, slot, fit);
    if (k < 0)
        k = 0; /* lost the race to open the first sense: the winner's */
    kernels_axpy(unit, ctx, senses_centre(s, slot, k), D);
    atomic_fetch_add_explicit(&s->count[(size_t)slot * (size_t)s->max_senses + (size_t)k], 1,
                              memory_order_relaxed);
    return k;
}

int senses_order(const struct senses *s, int32_t slot, int *order)
{
    int n_open = atomic_load(&s->n_open[slot]);
    const _Atomic int64_t *cnt = s->count + (size_t)slot * (size_t)s->max_senses;
    int n = 0;
    for (int k = 0; k < n_open && k < s->max_senses; k++) {
        int64_t c = atomic_load(&cnt[k]);
        if (c <= 0)
            continue;
        int j = n++;
        while (j > 0 && atomic_load(&cnt[order[j - 1]]) < c) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    return n;
}

/* ---- writing --------------------------------------------------------------- */

/* Whether w[0..len) is WORD#N (N >= 1, no leading zero). */
static int sense_name_n(const char *w, size_t len)
{
    size_t hash = len;
    while (hash > 0 && w[hash - 1] != '#')
        hash--;
    if (hash < 2 || hash == len || w[hash] < '1' || w[hash] > '9')
        return 0; /* no '#', nothing before it, or no number after it */
    for (size_t i = hash; i < len; i++)
        if (w[i] < '0' || w[i] > '9')
            return 0;
    return 1;
}

int senses_is_sense_name(const char *word)
{
    return sense_name_n(word, strlen(word));
}

int senses_check_plain(const struct query_model *m, const char *path, struct w2v_err *err)
{
    for (int64_t r = 0; r < m->rows; r++) {
        size_t len;
        const char *w = query_model_word(m, r, &len);
        if (!sense_name_n(w, len))
            return 0;
    }
    return w2v_fail(err, W2V_EFORMAT,
                    "'%s' holds sense vectors (WORD#N rows, from train --senses-output); give "
                    "the main vectors file (train -o) instead", path);
}

/* "WORD#k" in a new string, or NULL. */
static char *sense_name(const char *word, int k)
{
    size_t len = strlen(word), cap;
    if (w2v_size_add(len, 16, &cap) != 0)
        return NULL;
    char *name = w2v_malloc(cap);
    if (name)
        snprintf(name, cap, "%s#%d", word, k);
    return name;
}

static char *ctx_path_of(const char *path)
{
    size_t len = strlen(path), cap;
    if (w2v_size_add(len, sizeof W2V_SENSES_CTX_SUFFIX, &cap) != 0)
        return NULL;
    char *p = w2v_malloc(cap);
    if (p)
        snprintf(p, cap, "%s%s", path, W2V_SENSES_CTX_SUFFIX);
    return p;
}

/* Cosine of two rows of n floats; 0 when either is zero. */
static float row_cosine(const float *a, const float *b, size_t n)
{
    float aa = kernels_dot(a, a, n), bb = kernels_dot(b, b, n);
    return aa > 0.0f && bb > 0.0f ? kernels_dot(a, b, n) / sqrtf(aa * bb) : 0.0f;
}

/* Fold sense j of the n in vec/centre/count into sense i (i != j): vector
 * the count-weighted mean, centre the sum (a centre is the sum of its unit
 * contexts, so the union's is the sum), count the sum; j is removed and
 * the senses after it move up one place. Returns n - 1. */
static int fold_sense(float *vec, float *centre, int64_t *count, int n, size_t S, int i, int j)
{
    float *vi = vec + (size_t)i * S, *vj = vec + (size_t)j * S;
    const double ni = (double)count[i], nj = (double)count[j];
    for (size_t d = 0; d < S; d++)
        vi[d] = (float)((ni * (double)vi[d] + nj * (double)vj[d]) / (ni + nj));
    kernels_axpy(1.0f, centre + (size_t)j * S, centre + (size_t)i * S, S);
    count[i] += count[j];
    n--;
    memmove(vj, vj + S, (size_t)(n - j) * S * sizeof(float));
    memmove(centre + (size_t)j * S, centre + (size_t)(j + 1) * S, (size_t)(n - j) * S * sizeof(float));
    memmove(count + j, count + j + 1, (size_t)(n - j) * sizeof *count);
    return n;
}

int senses_slot_merged(const struct senses *s, int32_t slot, float mu_vec, float mu_centre,
                       float *vec, float *centre, int64_t *count)
{
    const size_t S = s->stride;
    int order[W2V_SENSES_MAX];
    int n = senses_order(s, slot, order);
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        memcpy(vec + (size_t)i * S, senses_vec(s, slot, order[i]), S * sizeof(float));
        memcpy(centre + (size_t)i * S, senses_centre(s, slot, order[i]), S * sizeof(float));
        count[i] = atomic_load(&s->count[(size_t)slot * (size_t)s->max_senses + (size_t)order[i]]);
        total += count[i];
    }
    /* Fold the two senses whose vectors are most alike, among the pairs
     * whose vectors' cosine reaches mu_vec and whose centres' reaches
     * mu_centre; the survivor is the more frequent (lower index). */
    for (;;) {
        int bi = -1, bj = -1;
        float best = mu_vec;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                float c = row_cosine(vec + (size_t)i * S, vec + (size_t)j * S, S);
                if (c >= best &&
                    row_cosine(centre + (size_t)i * S, centre + (size_t)j * S, S) >= mu_centre) {
                    best = c;
                    bi = i;
                    bj = j;
                }
            }
        if (bi < 0)
            break;
        n = fold_sense(vec, centre, count, n, S, bi, bj);
    }
    /* A sense that won almost no occurrence (W2V_SENSES_MIN_SHARE) opened
     * on an outlying context and is still about the copy of the global
     * vector it started as: fold the rarest such into the sense whose
     * vector is nearest, until none is left. */
    for (;;) {
        int rare = -1;
        for (int j = 0; n > 1 && j < n; j++)
            if ((double)count[j] < W2V_SENSES_MIN_SHARE * (double)total &&
                (rare < 0 || count[j] < count[rare]))
                rare = j;
        if (rare < 0)
            break;
        int near = -1;
        float best = -2.0f;
        for (int i = 0; i < n; i++) {
            float c = i == rare ? -3.0f : row_cosine(vec + (size_t)i * S, vec + (size_t)rare * S, S);
            if (c > best) {
                best = c;
                near = i;
            }
        }
        n = fold_sense(vec, centre, count, n, S, near, rare);
    }
    /* Most frequent first again (insertion sort, stable: ties keep order). */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && count[j - 1] < count[j]; j--) {
            int64_t tc = count[j];
            count[j] = count[j - 1];
            count[j - 1] = tc;
            for (size_t d = 0; d < S; d++) {
                float *a = vec + (size_t)j * S + d, *b = a - S, t = *a;
                *a = *b;
                *b = t;
                a = centre + (size_t)j * S + d;
                b = a - S;
                t = *a;
                *a = *b;
                *b = t;
            }
        }
    return n;
}

int senses_write(const struct senses *s, const char *path, enum vectors_format format,
                 const char *const *words, int32_t vocab_size, const float *global,
                 size_t global_stride, struct w2v_err *err)
{
    const size_t D = (size_t)s->dim, S = s->stride, K = (size_t)s->max_senses;
    int32_t slots = vocab_size - 1 < s->n_words ? vocab_size - 1 : s->n_words;
    int status = W2V_ENOMEM;
    char *ctx_path = ctx_path_of(path);
    struct vectors names; /* the sense names, indexed to find collisions */
    vectors_init(&names);
    const char **ctx_words = NULL;
    float *sense_data = NULL, *ctx_data = NULL, *centre_data = NULL;
    float *mvec = w2v_calloc(K, S * sizeof(float)), *mcentre = w2v_calloc(K, S * sizeof(float));
    int64_t *mcount = w2v_calloc(K, sizeof *mcount);
    size_t n_ctx = 0, bytes;
    int ctx_written = 0;
    if (!ctx_path || !mvec || !mcentre || !mcount)
        goto fail;
    /* The senses as written: each word's after merging (senses.h). */
    int64_t n_rows = 0;
    for (int32_t w = 0; w < slots; w++)
        n_rows += senses_slot_merged(s, w, W2V_SENSES_MERGE, W2V_SENSES_MERGE_CENTRE, mvec,
                                     mcentre, mcount);
    if (n_rows == 0) {
        status = w2v_fail(err, W2V_EEMPTY, "no word was given a sense (too little text for "
                          "--senses?); '%s' was not written", path);
        goto done;
    }
    names.rows = n_rows;
    names.dim = s->dim;
    names.words = w2v_calloc((size_t)n_rows, sizeof *names.words);
    ctx_words = w2v_calloc((size_t)vocab_size + (size_t)n_rows, sizeof *ctx_words);
    if (w2v_size_mul((size_t)vocab_size + (size_t)n_rows, S * sizeof(float), &bytes) != 0) {
        status = W2V_EOVERFLOW;
        goto fail;
    }
    sense_data = w2v_calloc((size_t)n_rows, S * sizeof(float));
    centre_data = w2v_calloc((size_t)n_rows, S * sizeof(float));
    ctx_data = w2v_malloc(bytes);
    if (!names.words || !ctx_words || !sense_data || !centre_data || !ctx_data)
        goto fail;

    /* The sense rows, most frequent sense first; the centres rescaled so
     * that their length is their count. */
    int64_t r = 0;
    for (int32_t w = 0; w < slots; w++) {
        int n = senses_slot_merged(s, w, W2V_SENSES_MERGE, W2V_SENSES_MERGE_CENTRE, mvec,
                                   mcentre, mcount);
        for (int i = 0; i < n; i++, r++) {
            names.words[r] = sense_name(words[w + 1], i + 1);
            if (!names.words[r])
                goto fail;
            memcpy(sense_data + (size_t)r * S, mvec + (size_t)i * S, D * sizeof(float));
            const float *c = mcentre + (size_t)i * S;
            float *out = centre_data + (size_t)r * S;
            double len = sqrt((double)kernels_dot(c, c, S)), cnt = (double)mcount[i];
            if (len > 0.0)
                for (size_t j = 0; j < D; j++)
                    out[j] = (float)((double)c[j] / len * cnt);
            else
                out[0] = (float)cnt;
        }
    }
    status = vectors_index(&names, err);
    if (status != 0)
        goto fail;
    /* The global part: every vocabulary word but one spelt like a sense row. */
    for (int32_t id = 0; id < vocab_size; id++) {
        if (senses_is_sense_name(words[id]) && vectors_find(&names, words[id]) >= 0)
            continue;
        ctx_words[n_ctx] = words[id];
        if (id == 0)
            senses_context_mean(s, global, global_stride, ctx_data + n_ctx * S);
        else
            memcpy(ctx_data + n_ctx * S, global + (size_t)id * global_stride, D * sizeof(float));
        n_ctx++;
    }
    memcpy(ctx_data + n_ctx * S, centre_data, (size_t)n_rows * S * sizeof(float));
    for (r = 0; r < n_rows; r++)
        ctx_words[n_ctx++] = names.words[r];
    status = vectors_write(ctx_path, format, (int64_t)n_ctx, s->dim, ctx_words, ctx_data, S, err);
    if (status != 0)
        goto fail;
    ctx_written = 1;
    status = vectors_write(path, format, n_rows, s->dim, (const char *const *)names.words,
                           sense_data, S, err);
    if (status != 0)
        goto fail;
    status = 0;
    goto done;
fail:
    if (status == W2V_ENOMEM)
        w2v_fail(err, W2V_ENOMEM, "out of memory writing the senses file '%s'", path);
    else if (status == W2V_EOVERFLOW)
        w2v_fail(err, W2V_EOVERFLOW, "the senses file '%s' is too large", path);
    if (ctx_written)
        unlink(ctx_path);
done:
    vectors_release(&names); /* frees the names too */
    w2v_free(ctx_words);
    w2v_free(sense_data);
    w2v_free(ctx_data);
    w2v_free(centre_data);
    w2v_free(mvec);
    w2v_free(mcentre);
    w2v_free(mcount);
    w2v_free(ctx_path);
    return status;
}

/* ---- reading ------------------------------------------------------------- */

void senses_file_init(struct senses_file *f)
{
    memset(f, 0, sizeof *f);
    vectors_init(&f->vec);
    vectors_init(&f->ctx);
}

void senses_file_release(struct senses_file *f)
{
    if (!f)
        return;
    vectors_release(&f->vec);
    vectors_release(&f->ctx);
    memset(f, 0, sizeof *f);
}

int senses_file_read(struct senses_file *f, const char *path, struct w2v_err *err)
{
    senses_file_init(f);
    int status = W2V_ENOMEM;
    char *ctx_path = ctx_path_of(path);
    if (!ctx_path) {
        w2v_fail(err, status, "out of memory");
        goto fail;
    }
    status = vectors_read(&f->vec, path, err);
    if (status != 0)
        goto fail;
    for (int64_t r = 0; r < f->vec.rows; r++)
        if (!senses_is_sense_name(f->vec.words[r])) {
            status = w2v_fail(err, W2V_EFORMAT,
                              "'%s' is not a senses file: row %lld is '%.200s', not WORD#N "
                              "(give the file written by train --senses-output)",
                              path, (long long)r + 1, f->vec.words[r]);
            goto fail;
        }
    status = vectors_read(&f->ctx, ctx_path, err);
    if (status != 0)
        goto fail;
    if (f->ctx.dim != f->vec.dim || f->ctx.rows < f->vec.rows) {
        status = w2v_fail(err, W2V_EFORMAT, "'%s' does not belong to '%s' (%s)", ctx_path, path,
                          f->ctx.dim != f->vec.dim ? "other dimensions" : "too few rows");
        goto fail;
    }
    f->n_global = f->ctx.rows - f->vec.rows;
    for (int64_t r = 0; r < f->vec.rows; r++)
        if (strcmp(f->ctx.words[f->n_global + r], f->vec.words[r]) != 0) {
            status = w2v_fail(err, W2V_EFORMAT,
                              "'%s' does not belong to '%s': its centre rows do not match the "
                              "senses ('%.100s' where '%.100s' was expected)",
                              ctx_path, path, f->ctx.words[f->n_global + r], f->vec.words[r]);
            goto fail;
        }
    w2v_free(ctx_path);
    return 0;
fail:
    w2v_free(ctx_path);
    senses_file_release(f);
    return status;
}

int senses_file_lookup(const struct senses_file *f, const char *word, int64_t *rows, int cap)
{
    char *name = NULL;
    int n = 0;
    for (; n < cap; n++) {
        name = sense_name(word, n + 1);
        if (!name)
            break;
        int64_t r = vectors_find(&f->vec, name);
        w2v_free(name);
        if (r < 0)
            break;
        rows[n] = r;
    }
    return n;
}

int64_t senses_file_count(const struct senses_file *f, int64_t row)
{
    const float *c = f->ctx.data + (size_t)(f->n_global + row) * (size_t)f->ctx.dim;
    return (int64_t)llround(sqrt((double)kernels_dot_any(c, c, (size_t)f->ctx.dim)));
}

void senses_file_context(const struct senses_file *f, const int64_t *ctx_rows, int n, float *out)
{
    const size_t D = (size_t)f->ctx.dim;
    memset(out, 0, D * sizeof *out);
    if (n <= 0)
        return;
    for (int i = 0; i < n; i++) {
        const float *row = f->ctx.data + (size_t)ctx_rows[i] * D;
        for (size_t d = 0; d < D; d++)
            out[d] += row[d] / (float)n;
    }
    int64_t mean = vectors_find(&f->ctx, "</s>");
    for (size_t d = 0; mean >= 0 && mean < f->n_global && d < D; d++)
        out[d] -= f->ctx.data[(size_t)mean * D + d];
}

int senses_file_pick(const struct senses_file *f, const int64_t *rows, int n, const float *ctx)
{
    const size_t D = (size_t)f->ctx.dim;
    const double ctx_norm = sqrt((double)kernels_dot_any(ctx, ctx, D));
    int best = 0;
    double best_sim = -2.0;
    if (!(ctx_norm > 0.0))
        return 0;
    for (int i = 0; i < n; i++) {
        const float *c = f->ctx.data + (size_t)(f->n_global + rows[i]) * D;
        double cc = (double)kernels_dot_any(c, c, D);
        double sim = cc > 0.0 ? (double)kernels_dot_any(c, ctx, D) / (sqrt(cc) * ctx_norm) : 0.0;
        if (sim > best_sim) {
            best_sim = sim;
            best = i;
        }
    }
    return best;
}
