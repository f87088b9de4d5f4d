/* fuzz_eval_pairs.c — the input is a word-pair similarity file. Checks, for
 * any bytes:
 *  - eval_pairs_parse agrees exactly with a plain reference parser written
 *    here from the contract in eval.h (comments, blank lines, the optional
 *    header, three fields with a finite number last, malformed lines and
 *    the first of them, W2V_EFORMAT at the line of a NUL byte, W2V_EEMPTY
 *    without pairs; one-line messages; a released struct on failure);
 *    eval_pairs_read on the same bytes in a file gives the same result;
 *  - eval_similarity on a small model built from the pairs' own words (some
 *    left out, some case variants, zero rows, a restriction from the input)
 *    counts pairs and skipped pairs as a brute force does, fails with
 *    W2V_EEMPTY exactly when no pair is known, and its Spearman and
 *    Pearson coefficients lie in [-1, 1], are NaN exactly when undefined,
 *    and match a long-double reference. */
#include <errno.h>
#include <float.h>
#include <math.h>

#include "w2v/query.h"
#include "fuzz.h"
#include "w2v/eval.h"

#define MAX_MODEL_ROWS 40
#define MAX_REF_PAIRS 64

FUZZ_NO_COVERAGE static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* ---- reference parser ---------------------------------------------------- */

struct ref_pair {
    const char *w[2];
    size_t wl[2];
    double score;
    int64_t line;
};

struct ref {
    int status;
    int64_t err_line;
    struct ref_pair *p;
    size_t n;
    int64_t malformed, first_malformed;
};

/* The whole token is a finite number as strtod reads it, and not one that
 * underflowed... */
FUZZ_NO_COVERAGE static int ref_score(const char *s, size_t len, double *out)
{
    char *buf = malloc(len + 1);
    FUZZ_ASSERT(buf != NULL);
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    int whole = end != buf && *end == '\0';
    free(buf);
    if (!whole || !isfinite(v))
        return -1;
    /* ...into a large value: an overflow reported as ERANGE was caught by
     * isfinite; an underflow gives a tiny (accepted) number. */
    if (errno == ERANGE && fabs(v) > 1.0)
        return -1;
    *out = v;
    return 0;
}

FUZZ_NO_COVERAGE static void ref_parse(const char *t, size_t len, struct ref *r)
{
    memset(r, 0, sizeof *r);
    const char *nul = memchr(t, '\0', len);
    if (nul) {
        r->status = W2V_EFORMAT;
        r->err_line = 1;
        for (const char *c = t; c < nul; c++)
            r->err_line += *c == '\n';
        return;
    }
    r->p = calloc(len + 1, sizeof *r->p);
    FUZZ_ASSERT(r->p != NULL);
    size_t p = 0;
    int64_t line = 0;
    int seen = 0;
    while (p < len) {
        size_t e = p;
        while (e < len && t[e] != '\n')
            e++;
        line++;
        size_t i = p;
        while (i < e && blank(t[i]))
            i++;
        if (i < e && t[i] != '#') {
            const char *w[4];
            size_t wl[4];
            int n = 0;
            while (n < 4) {
                while (i < e && blank(t[i]))
                    i++;
                if (i == e)
                    break;
                w[n] = t + i;
                while (i < e && !blank(t[i]))
                    i++;
                wl[n] = (size_t)(t + i - w[n]);
                n++;
            }
            double score = 0;
            if (n == 3 && ref_score(w[2], wl[2], &score) == 0) {
                struct ref_pair *rp = &r->p[r->n++];
                for (int k = 0; k < 2; k++) {
                    rp->w[k] = w[k];
                    rp->wl[k] = wl[k];
                }
                rp->score = score;
                rp->line = line;
            } else if (seen) {
                if (r->malformed++ == 0)
                    r->first_malformed = line;
            }
            seen = 1;
        }
        p = e + 1;
    }
    if (r->n == 0)
        r->status = W2V_EEMPTY;
}

FUZZ_NO_COVERAGE static int same(const char *s, const char *ref, size_t len)
{
    return strlen(s) == len && memcmp(s, ref, len) == 0;
}

FUZZ_NO_COVERAGE static void check_parse(int rc, const struct eval_pairs *ps, const struct w2v_err *err,
                        const struct ref *r)
{
    FUZZ_ASSERT(rc == r->status);
    if (rc != 0) {
        FUZZ_ASSERT(err->status == rc && fuzz_one_line(err->message));
        if (rc == W2V_EFORMAT)
            FUZZ_ASSERT(err->line == r->err_line);
        FUZZ_ASSERT(ps->text == NULL && ps->p == NULL && ps->n == 0);
        return;
    }
    FUZZ_ASSERT(ps->n == r->n);
    FUZZ_ASSERT(ps->malformed == r->malformed && ps->first_malformed_line == r->first_malformed);
    for (size_t i = 0; i < ps->n; i++) {
        const struct eval_pair *p = &ps->p[i];
        FUZZ_ASSERT(same(p->w1, r->p[i].w[0], r->p[i].wl[0]));
        FUZZ_ASSERT(same(p->w2, r->p[i].w[1], r->p[i].wl[1]));
        FUZZ_ASSERT(memcmp(&p->score, &r->p[i].score, sizeof p->score) == 0);
        FUZZ_ASSERT(p->line == r->p[i].line && isfinite(p->score));
    }
}

/* ---- a small model over the pairs' words --------------------------------- */

FUZZ_NO_COVERAGE static uint64_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

FUZZ_NO_COVERAGE static int fold_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

FUZZ_NO_COVERAGE static void add_word(struct vectors *v, const char *w)
{
    if (v->rows >= MAX_MODEL_ROWS)
        return;
    for (int64_t r = 0; r < v->rows; r++)
        if (strcmp(v->words[r], w) == 0)
            return;
    v->words[v->rows] = w2v_strndup(w, strlen(w));
    FUZZ_ASSERT(v->words[v->rows] != NULL);
    v->rows++;
}

/* Words of the first pairs (the second word of every fourth pair left out),
 * upper-case variants now and then; random components (24 bits), so that
 * two cosines tie only when they come from the same rows, or zero rows. */
FUZZ_NO_COVERAGE static void build_model(struct vectors *v, const struct eval_pairs *ps, uint64_t h)
{
    vectors_init(v);
    v->dim = 1 + (int32_t)(h % 5);
    v->words = w2v_calloc(MAX_MODEL_ROWS, sizeof *v->words);
    FUZZ_ASSERT(v->words != NULL);
    for (size_t i = 0; i < ps->n && v->rows < MAX_MODEL_ROWS - 2; i++)
        for (int k = 0; k < 2; k++) {
            const char *w = k ? ps->p[i].w2 : ps->p[i].w1;
            if (k == 1 && i % 4 == 3)
                continue;
            if ((h >> (8 + (2 * i + (size_t)k) % 48)) & 1) {
                char up[64];
                size_t n = strlen(w);
                if (n < sizeof up) {
                    for (size_t j = 0; j <= n; j++)
                        up[j] = (char)(w[j] >= 'a' && w[j] <= 'z' ? w[j] - 32 : w[j]);
                    add_word(v, up);
                }
            }
            add_word(v, w);
        }
    v->data = w2v_aligned_alloc((size_t)MAX_MODEL_ROWS * (size_t)v->dim * sizeof(float));
    FUZZ_ASSERT(v->data != NULL);
    uint64_t s = h;
    for (int64_t r = 0; r < v->rows; r++) {
        int zero = next_rand(&s) % 11 == 0;
        for (int32_t j = 0; j < v->dim; j++)
            v->data[(size_t)r * (size_t)v->dim + (size_t)j] =
                zero ? 0.0f : (float)((double)(next_rand(&s) & 0xffffff) / 8388608.0 - 1.0);
    }
}

FUZZ_NO_COVERAGE static int64_t head_of(const struct vectors *v, int64_t n, const char *w)
{
    for (int64_t r = 0; r < n; r++)
        if (fold_eq(v->words[r], w))
            return r;
    return -1;
}

FUZZ_NO_COVERAGE static long double ref_cosine(const float *a, const float *b, int32_t dim)
{
    long double ab = 0, aa = 0, bb = 0;
    for (int32_t k = 0; k < dim; k++) {
        ab += (long double)a[k] * b[k];
        aa += (long double)a[k] * a[k];
        bb += (long double)b[k] * b[k];
    }
    return aa == 0 || bb == 0 ? 0 : ab / sqrtl(aa * bb);
}

FUZZ_NO_COVERAGE static long double ref_pearson(const long double *x, const long double *y, size_t n)
{
    long double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (long double)n;
    my /= (long double)n;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / sqrtl(sxx * syy);
}

/* Average ranks, O(n^2). */
FUZZ_NO_COVERAGE static void ref_rank(const long double *x, size_t n, long double *rank)
{
    for (size_t i = 0; i < n; i++) {
        size_t less = 0, equal = 0;
        for (size_t j = 0; j < n; j++) {
            less += x[j] < x[i];
            equal += x[j] == x[i];
        }
        rank[i] = (long double)less + ((long double)equal + 1) / 2;
    }
}

FUZZ_NO_COVERAGE static int constant(const long double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0])
            return 0;
    return 1;
}

FUZZ_NO_COVERAGE static void check_similarity_on(const struct vectors *v,
                                                 const struct query_model *m,
                                                 const struct eval_pairs *ps, uint64_t h)
{
    int64_t restrict_rows = (h >> 57) & 1 ? 1 + (int64_t)((h >> 32) % (uint64_t)v->rows) : 0;
    const int64_t nrows = restrict_rows > 0 ? restrict_rows : v->rows;
    struct eval_similarity_result res;
    struct w2v_err err = {0};
    int rc = eval_similarity(m, ps, restrict_rows, &res, &err);

    long double gold[MAX_REF_PAIRS], model[MAX_REF_PAIRS];
    int64_t ra[MAX_REF_PAIRS], rb[MAX_REF_PAIRS];
    size_t n = 0;
    int64_t known = 0;
    for (size_t i = 0; i < ps->n; i++) {
        int64_t a = head_of(v, nrows, ps->p[i].w1), b = head_of(v, nrows, ps->p[i].w2);
        if (a < 0 || b < 0)
            continue;
        known++;
        if (n < MAX_REF_PAIRS) {
            gold[n] = ps->p[i].score;
            /* The statistics are checked on the cosines eval uses (the
             * query engine's float cosines), and those against the
             * long-double cosine of the raw rows. */
            float cos = 0;
            FUZZ_ASSERT(query_similarity(m, a, b, &cos, &err) == 0);
            long double ref = ref_cosine(v->data + (size_t)a * (size_t)v->dim,
                                         v->data + (size_t)b * (size_t)v->dim, v->dim);
            FUZZ_ASSERT(fabsl((long double)cos - ref) < 1e-5L);
            model[n] = cos;
            ra[n] = a < b ? a : b;
            rb[n] = a < b ? b : a;
            n++;
        }
    }
    FUZZ_ASSERT(res.pairs == known && res.pairs + res.skipped == (int64_t)ps->n);
    if (known == 0) {
        FUZZ_ASSERT(rc == W2V_EEMPTY && fuzz_one_line(err.message));
        FUZZ_ASSERT(isnan(res.spearman) && isnan(res.pearson));
        return;
    }
    FUZZ_ASSERT(rc == 0);
    FUZZ_ASSERT(isnan(res.spearman) || fabs(res.spearman) <= 1.0);
    FUZZ_ASSERT(isnan(res.pearson) || fabs(res.pearson) <= 1.0);
    if (known < 2) {
        FUZZ_ASSERT(isnan(res.spearman) && isnan(res.pearson));
        return;
    }
    if ((size_t)known != n)
        return; /* too many pairs for the quadratic reference */

    /* Cosines that differ by rounding only (or are equal but for rounding)
     * rank differently here and there: compare only when every two
     * cosines from different rows are far apart. */
    int near_tie = 0;
    long double lo = model[0], hi = model[0];
    for (size_t i = 0; i < n; i++) {
        lo = model[i] < lo ? model[i] : lo;
        hi = model[i] > hi ? model[i] : hi;
        for (size_t j = 0; j < i; j++)
            if (!(ra[i] == ra[j] && rb[i] == rb[j]) && fabsl(model[i] - model[j]) < 1e-9L)
                near_tie = 1;
    }
    int gold_constant = constant(gold, n);
    /* Gold scores are exact; equal model cosines here are equal there. */
    if (gold_constant || (!near_tie && constant(model, n))) {
        FUZZ_ASSERT(isnan(res.spearman));
        FUZZ_ASSERT(isnan(res.pearson));
        return;
    }
    if (near_tie)
        return;
    long double rg[MAX_REF_PAIRS], rm[MAX_REF_PAIRS];
    ref_rank(gold, n, rg);
    ref_rank(model, n, rm);
    long double rho = ref_pearson(rg, rm, n);
    FUZZ_ASSERT(!isnan(res.spearman) && fabsl((long double)res.spearman - rho) < 1e-9L);
    /* Pearson: within rounding of the long-double value, whatever the
     * scale of the scores (r does not depend on it), when neither the
     * scores nor the cosines are so close to constant that rounding in
     * their mean decides the result. */
    long double glo = gold[0], ghi = gold[0], gmax = 0;
    for (size_t i = 0; i < n; i++) {
        glo = gold[i] < glo ? gold[i] : glo;
        ghi = gold[i] > ghi ? gold[i] : ghi;
        gmax = fabsl(gold[i]) > gmax ? fabsl(gold[i]) : gmax;
    }
    long double r = ref_pearson(gold, model, n);
    if (ghi - glo >= 1e-6L * gmax && hi - lo >= 1e-6L)
        FUZZ_ASSERT(!isnan(res.pearson) && fabsl((long double)res.pearson - r) < 1e-6L);
}

/* eval_similarity on a query model over a copy of v (v keeps the raw rows
 * for the reference). */
FUZZ_NO_COVERAGE static void check_similarity(const struct vectors *v, const struct eval_pairs *ps, uint64_t h)
{
    struct query_model m;
    fuzz_model_copy(v, &m);
    check_similarity_on(v, &m, ps, h);
    query_model_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    uint64_t h = fuzz_hash(data, size);
    struct ref r;
    ref_parse(text, size, &r);

    struct eval_pairs ps;
    struct w2v_err err = {0};
    eval_pairs_init(&ps);
    int rc = eval_pairs_parse(&ps, text, size, "fuzz", &err);
    check_parse(rc, &ps, &err, &r);

    if (h % 32 == 0) {
        /* From a file (1 input in 32: the read costs more than the rest):
         * the same, except that an empty file is EEMPTY. */
        const char *path = fuzz_tmp_path(0, "pairs");
        struct eval_pairs fp;
        struct w2v_err ferr = {0};
        fuzz_write_file(path, data, size);
        eval_pairs_init(&fp);
        int frc = eval_pairs_read(&fp, path, &ferr);
        FUZZ_ASSERT(frc == rc);
        if (frc == 0) {
            FUZZ_ASSERT(fp.n == ps.n && fp.malformed == ps.malformed);
            for (size_t i = 0; i < ps.n; i++)
                FUZZ_ASSERT(strcmp(fp.p[i].w1, ps.p[i].w1) == 0 &&
                            strcmp(fp.p[i].w2, ps.p[i].w2) == 0 &&
                            fp.p[i].score == ps.p[i].score);
        } else {
            FUZZ_ASSERT(fuzz_one_line(ferr.message) && ferr.status == frc);
        }
        eval_pairs_release(&fp);
    }

    if (rc == 0) {
        struct vectors v;
        build_model(&v, &ps, h);
        if (v.rows > 0)
            check_similarity(&v, &ps, h);
        vectors_release(&v);
    }
    eval_pairs_release(&ps);
    free(r.p);
    return 0;
}
