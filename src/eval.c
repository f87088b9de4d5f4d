/* eval.c — analogy accuracy and word-pair correlation (see eval.h).
 *
 * The analogy search is the expensive part: every question scores every
 * one of the N restricted rows. Scoring a row x for a : b :: c needs only
 * cos(x,a), cos(x,b) and cos(x,c), for both 3CosAdd and 3CosMul, and a
 * question file reuses few words (questions-words: 19,544 questions over
 * ~900 words). So the work is one matrix product of the U distinct
 * question words against the N rows, done a block of rows at a time,
 * followed by a cheap per-question scan of three rows of that product that
 * keeps a running best. Threads take row blocks from a shared counter and
 * keep their own running bests, merged at the end with ties going to the
 * lower row, so the answer does not depend on the thread count. */
#include "w2v/eval.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- case folding -------------------------------------------------------- */

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static uint64_t fold_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= fold(*p);
        h *= 1099511628211ULL;
    }
    return h;
}

static int fold_equal(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (; *p && *q; p++, q++)
        if (fold(*p) != fold(*q))
            return 0;
    return *p == *q;
}

void eval_vocab_init(struct eval_vocab *ev) { memset(ev, 0, sizeof *ev); }

void eval_vocab_release(struct eval_vocab *ev)
{
    if (!ev)
        return;
    w2v_free(ev->head);
    w2v_free(ev->next);
    w2v_free(ev->slots);
    memset(ev, 0, sizeof *ev);
}

int eval_vocab_build(struct eval_vocab *ev, const struct vectors *v, int64_t restrict_rows,
                     struct w2v_err *err)
{
    int64_t rows = v->rows;
    if (restrict_rows > 0 && restrict_rows < rows)
        rows = restrict_rows;
    eval_vocab_release(ev);
    ev->vec = v;
    ev->rows = rows;
    /* At most half full, so probes stay short. */
    size_t n_slots = 16;
    while (n_slots / 2 < (size_t)rows) {
        if (n_slots > SIZE_MAX / 4)
            return w2v_fail(err, W2V_EOVERFLOW, "vocabulary too large to index");
        n_slots *= 2;
    }
    int64_t *tail = NULL;
    ev->head = w2v_calloc((size_t)rows, sizeof *ev->head);
    ev->next = w2v_calloc((size_t)rows, sizeof *ev->next);
    ev->slots = w2v_calloc(n_slots, sizeof *ev->slots);
    tail = w2v_calloc((size_t)rows, sizeof *tail);
    if (!ev->head || !ev->next || !ev->slots || !tail)
        goto nomem;
    ev->n_slots = n_slots;
    for (size_t i = 0; i < n_slots; i++)
        ev->slots[i] = -1;
    for (int64_t r = 0; r < rows; r++) {
        size_t i = (size_t)fold_hash(v->words[r]) & (n_slots - 1);
        while (ev->slots[i] >= 0 && !fold_equal(v->words[ev->slots[i]], v->words[r]))
            i = (i + 1) & (n_slots - 1);
        ev->next[r] = -1;
        if (ev->slots[i] < 0) {
            ev->slots[i] = r;
            ev->head[r] = r;
            tail[r] = r;
        } else {
            /* Append, so each class lists its rows in ascending order. */
            int64_t h = ev->slots[i];
            ev->head[r] = h;
            ev->next[tail[h]] = r;
            tail[h] = r;
        }
    }
    w2v_free(tail);
    return 0;
nomem:
    w2v_free(tail);
    eval_vocab_release(ev);
    return w2v_fail(err, W2V_ENOMEM, "out of memory indexing the vocabulary");
}

int64_t eval_vocab_find(const struct eval_vocab *ev, const char *word)
{
    if (!ev->slots)
        return -1;
    size_t i = (size_t)fold_hash(word) & (ev->n_slots - 1);
    while (ev->slots[i] >= 0) {
        if (fold_equal(ev->vec->words[ev->slots[i]], word))
            return ev->slots[i];
        i = (i + 1) & (ev->n_slots - 1);
    }
    return -1;
}

/* ---- reading files ---------------------------------------------------------- */

static int read_whole(const char *path, char **out, size_t *out_len, struct w2v_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!f)
        return w2v_fail_errno(err, "cannot open '%s'", path);
    for (;;) {
        if (cap - len < 65536) {
            size_t ncap;
            if (w2v_size_add(cap, cap / 2 + 65536, &ncap) != 0)
                goto nomem;
            char *nb = w2v_realloc(buf, ncap);
            if (!nb)
                goto nomem;
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                w2v_fail_errno(err, "cannot read '%s'", path);
                goto fail;
            }
            break;
        }
    }
    fclose(f); /* read-only: a close error loses nothing */
    if (len == 0) {
        w2v_free(buf);
        return w2v_fail(err, W2V_EEMPTY, "'%s' is empty", path);
    }
    *out = buf;
    *out_len = len;
    return 0;
nomem:
    w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", path);
fail:
    fclose(f);
    w2v_free(buf);
    return err ? err->status : W2V_EIO;
}

static inline int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Split line[0..len) (no '\n') into at most max tokens, NUL-cutting them in
 * place (the byte after each token is blank or the line's end, which the
 * caller made writable). Returns the token count, or max + 1 when there are
 * more. */
static int split_line(char *line, size_t len, char **tok, int max)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && is_blank(line[i]))
            i++;
        if (i >= len)
            return n;
        if (n == max)
            return max + 1;
        tok[n++] = line + i;
        while (i < len && !is_blank(line[i]))
            i++;
        line[i] = '\0'; /* i == len writes the line's terminator */
        i++;
    }
}

/* Copy text, with a NUL after it, checking that it holds no NUL itself. */
static int copy_text(const char *text, size_t len, const char *name, char **out,
                     struct w2v_err *err)
{
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int64_t line = 1;
        for (const char *c = text; c < nul; c++)
            line += *c == '\n';
        w2v_fail(err, W2V_EFORMAT, "%s: line %lld: NUL byte (not a text file?)", name,
                 (long long)line);
        if (err)
            err->line = line;
        return W2V_EFORMAT;
    }
    size_t cap;
    if (w2v_size_add(len, 1, &cap) != 0 || !(*out = w2v_malloc(cap)))
        return w2v_fail(err, W2V_ENOMEM, "out of memory reading %s", name);
    memcpy(*out, text, len);
    (*out)[len] = '\0';
    return 0;
}

/* Grow *p (of *cap elements of size el) to hold at least need elements. */
static int grow(void **p, size_t *cap, size_t need, size_t el)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return W2V_ENOMEM;
        ncap *= 2;
    }
    size_t bytes;
    if (w2v_size_mul(ncap, el, &bytes) != 0)
        return W2V_ENOMEM;
    void *np = w2v_realloc(*p, bytes);
    if (!np)
        return W2V_ENOMEM;
    *p = np;
    *cap = ncap;
    return 0;
}

/* ---- questions ------------------------------------------------------------------ */

void eval_questions_init(struct eval_questions *qs) { memset(qs, 0, sizeof *qs); }

void eval_questions_release(struct eval_questions *qs)
{
    if (!qs)
        return;
    w2v_free(qs->text);
    w2v_free(qs->section_names);
    w2v_free(qs->q);
    memset(qs, 0, sizeof *qs);
}

int eval_questions_parse(struct eval_questions *qs, const char *text, size_t len,
                         const char *name, struct w2v_err *err)
{
    size_t q_cap = 0, s_cap = 0;
    int status;
    eval_questions_release(qs);
    if ((status = copy_text(text, len, name, &qs->text, err)) != 0)
        return status;
    char *p = qs->text, *end = qs->text + len;
    int64_t line_no = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line_end = nl ? nl : end;
        size_t n = (size_t)(line_end - p);
        line_no++;
        if (p[0] == ':') {
            char *s = p + 1, *e = line_end;
            while (s < e && is_blank(*s))
                s++;
            while (e > s && is_blank(e[-1]))
                e--;
            *e = '\0';
            if (qs->n_sections == INT32_MAX ||
                grow((void **)&qs->section_names, &s_cap, (size_t)qs->n_sections + 1,
                     sizeof *qs->section_names) != 0)
                goto nomem;
            qs->section_names[qs->n_sections++] = s;
        } else {
            char *tok[4];
            int nt = split_line(p, n, tok, 4);
            if (nt == 4) {
                if (qs->n_sections == 0) {
                    w2v_fail(err, W2V_EFORMAT,
                             "%s: line %lld: question before the first ': section' line", name,
                             (long long)line_no);
                    if (err)
                        err->line = line_no;
                    status = W2V_EFORMAT;
                    goto fail;
                }
                if (grow((void **)&qs->q, &q_cap, qs->n + 1, sizeof *qs->q) != 0)
                    goto nomem;
                struct eval_question *q = &qs->q[qs->n++];
                for (int i = 0; i < 4; i++)
                    q->w[i] = tok[i];
                q->section = qs->n_sections - 1;
                q->line = line_no;
            } else if (nt != 0) {
                if (qs->malformed++ == 0)
                    qs->first_malformed_line = line_no;
            }
        }
        p = line_end + 1;
    }
    if (qs->n == 0) {
        status = w2v_fail(err, W2V_EEMPTY, "%s: no questions (lines of four words after a "
                          "': section' line)", name);
        goto fail;
    }
    return 0;
nomem:
    status = w2v_fail(err, W2V_ENOMEM, "out of memory reading %s", name);
fail:
    eval_questions_release(qs);
    return status;
}

int eval_questions_read(struct eval_questions *qs, const char *path, struct w2v_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    char name[300];
    int status = read_whole(path, &buf, &len, err);
    if (status != 0)
        return status;
    snprintf(name, sizeof name, "'%s'", path);
    status = eval_questions_parse(qs, buf, len, name, err);
    w2v_free(buf);
    return status;
}

/* ---- pairs ---------------------------------------------------------------------------- */

void eval_pairs_init(struct eval_pairs *ps) { memset(ps, 0, sizeof *ps); }

void eval_pairs_release(struct eval_pairs *ps)
{
    if (!ps)
        return;
    w2v_free(ps->text);
    w2v_free(ps->p);
    memset(ps, 0, sizeof *ps);
}

/* A whole-string finite number, as strtod reads it in the C locale. */
static int parse_score(const char *s, double *out)
{
    char *e = NULL;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s || *e != '\0' || !isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return -1;
    *out = v;
    return 0;
}

int eval_pairs_parse(struct eval_pairs *ps, const char *text, size_t len, const char *name,
                     struct w2v_err *err)
{
    size_t cap = 0;
    int status;
    int seen_data_line = 0;
    eval_pairs_release(ps);
    if ((status = copy_text(text, len, name, &ps->text, err)) != 0)
        return status;
    char *p = ps->text, *end = ps->text + len;
    int64_t line_no = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *line_end = nl ? nl : end;
        size_t n = (size_t)(line_end - p);
        line_no++;
        size_t i = 0;
        while (i < n && is_blank(p[i]))
            i++;
        if (i < n && p[i] != '#') {
            char *tok[3];
            double score = 0;
            int nt = split_line(p, n, tok, 3);
            int ok = nt == 3 && parse_score(tok[2], &score) == 0;
            if (ok) {
                if (grow((void **)&ps->p, &cap, ps->n + 1, sizeof *ps->p) != 0) {
                    status = w2v_fail(err, W2V_ENOMEM, "out of memory reading %s", name);
                    goto fail;
                }
                struct eval_pair *pr = &ps->p[ps->n++];
                pr->w1 = tok[0];
                pr->w2 = tok[1];
                pr->score = score;
                pr->line = line_no;
            } else if (seen_data_line) {
                if (ps->malformed++ == 0)
                    ps->first_malformed_line = line_no;
            }
            /* Only the first non-comment line may be a header. */
            seen_data_line = 1;
        }
        p = line_end + 1;
    }
    if (ps->n == 0) {
        status = w2v_fail(err, W2V_EEMPTY, "%s: no word pairs (lines 'word1 word2 score')",
                          name);
        goto fail;
    }
    return 0;
fail:
    eval_pairs_release(ps);
    return status;
}

int eval_pairs_read(struct eval_pairs *ps, const char *path, struct w2v_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    char name[300];
    int status = read_whole(path, &buf, &len, err);
    if (status != 0)
        return status;
    snprintf(name, sizeof name, "'%s'", path);
    status = eval_pairs_parse(ps, buf, len, name, err);
    w2v_free(buf);
    return status;
}

/* ---- statistics ------------------------------------------------------------------------ */

/* Binary exponent that brings the largest |x[i]| into [0.5, 1) (0 for all
 * zeros), and whether x holds a single value. */
static int pearson_scale(const double *x, size_t n, int *constant)
{
    double m = 0;
    *constant = 1;
    for (size_t i = 0; i < n; i++) {
        m = fabs(x[i]) > m ? fabs(x[i]) : m;
        *constant &= x[i] == x[0];
    }
    int e = 0;
    if (m > 0 && isfinite(m))
        frexp(m, &e);
    return e;
}

double eval_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    /* r does not change when x or y is scaled, so scale each by a power of
     * two (exact) that brings it near 1: squares and sums of scores like
     * 1e200 or 1e-200 then neither overflow nor vanish. A constant input is
     * caught before its mean's rounding can make it look variable. */
    int cx, cy;
    const int ex = pearson_scale(x, n, &cx), ey = pearson_scale(y, n, &cy);
    if (cx || cy)
        return NAN;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += ldexp(x[i], -ex);
        my += ldexp(y[i], -ey);
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = ldexp(x[i], -ex) - mx, dy = ldexp(y[i], -ey) - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx == 0 || syy == 0)
        return NAN;
    double r = sxy / sqrt(sxx * syy);
    /* Rounding can push a perfect correlation a hair past 1. */
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

struct ranked {
    double v;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->v < y->v)
        return -1;
    if (x->v > y->v)
        return 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int eval_rank(const double *x, size_t n, double *rank)
{
    struct ranked *r = w2v_calloc(n ? n : 1, sizeof *r);
    if (!r)
        return W2V_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        r[i].v = x[i];
        r[i].i = i;
    }
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && r[j].v == r[i].v)
            j++;
        /* Positions i..j-1 hold ranks i+1..j; each gets their mean. */
        double avg = ((double)(i + 1) + (double)j) / 2.0;
        for (size_t k = i; k < j; k++)
            rank[r[k].i] = avg;
        i = j;
    }
    w2v_free(r);
    return 0;
}

double eval_spearman(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    double *rx = w2v_calloc(n, sizeof *rx);
    double *ry = w2v_calloc(n, sizeof *ry);
    double rho = NAN;
    if (rx && ry && eval_rank(x, n, rx) == 0 && eval_rank(y, n, ry) == 0)
        rho = eval_pearson(rx, ry, n);
    w2v_free(rx);
    w2v_free(ry);
    return rho;
}

/* ---- vectors ---------------------------------------------------------------------------- */

/* 1/|row| in float, or 0 for a zero row (whose cosines are then all 0). The
 * norm is summed in double, so long rows lose nothing to cancellation. */
static float inv_norm(const float *row, int32_t dim)
{
    double s = 0;
    for (int32_t k = 0; k < dim; k++)
        s += (double)row[k] * row[k];
    return s > 0 ? (float)(1.0 / sqrt(s)) : 0.0f;
}

static double cosine(const float *a, const float *b, int32_t dim)
{
    double ab = 0, aa = 0, bb = 0;
    for (int32_t k = 0; k < dim; k++) {
        ab += (double)a[k] * b[k];
        aa += (double)a[k] * a[k];
        bb += (double)b[k] * b[k];
    }
    if (aa == 0 || bb == 0)
        return 0;
    return ab / (sqrt(aa) * sqrt(bb));
}

/* The hot loops below are plain C that any target vectorises. On x86-64
 * GCC also builds x86-64-v3 (AVX2+FMA) and x86-64-v4 (AVX-512) versions and
 * the loader picks one for the running CPU (ifunc), as simd.c does. All
 * threads use the same version, so results are deterministic on a machine
 * and independent of the thread count; under the build's -ffp-contract=fast
 * the FMA versions may differ from the portable one in the last bits of a
 * cosine, which can only matter for a near-tie. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) && \
    !defined(W2V_NO_CLONES)
#define W2V_HOT __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define W2V_HOT
#endif

/* ---- analogy ------------------------------------------------------------------------- */

void eval_analogy_result_release(struct eval_analogy_result *r)
{
    if (!r)
        return;
    w2v_free(r->sections);
    w2v_free(r->predicted);
    memset(r, 0, sizeof *r);
}

/* The shared, read-only description of the search (except next_block). */
struct analogy_job {
    const float *data;       /* vectors: [rows, dim] */
    int64_t rows;            /* restricted row count N */
    int32_t dim;
    const int64_t *head;     /* eval_vocab's class head of each row */
    const float *wq;         /* [U, dim] unit vectors of the distinct question words */
    size_t n_words;          /* U */
    const int64_t *qword;    /* [Q, 3] compact ids (into wq) of a, b, c */
    const int64_t *qhead;    /* [Q, 3] class heads of a, b, c */
    size_t n_questions;      /* Q */
    enum eval_method method;
    size_t block;            /* rows per block, a multiple of 16 */
    int64_t n_blocks;
    _Atomic int64_t next_block;
};

/* One thread's buffers and running bests. */
struct analogy_worker {
    struct analogy_job *job;
    float *t;         /* [dim, block]: the block's unit rows, transposed */
    float *s;         /* [U, block]: cosines of question words with the block */
    float *best;      /* [Q] best score so far */
    int64_t *best_row;/* [Q] its row, -1 none */
    pthread_t thread;
    int started;
};

/* s[u][j] = sum_k wq[u][k] * t[k][j] for u < U, j < nb (nb a multiple of
 * 16).  s: [U, ld], t: [dim, ld], wq: [U, dim], all row-major.
 * A 4 x 16 tile of s is accumulated over k as rank-1 updates, so no loop is
 * a reduction and gcc vectorises the l loop without reassociating anything:
 * each s[u][j] is summed over k in order, the same whichever block or
 * thread computes it. The tile shape matters to gcc 12: 4 x 16 and 2 x 32
 * vectorise well, 4 x 8 or 2 x 16 are turned into slow shuffles. */
W2V_HOT static void block_cosines(float *restrict s, const float *restrict t,
                                  const float *restrict wq, size_t n_words, int32_t dim,
                                  size_t nb, size_t ld)
{
    const size_t d = (size_t)dim;
    size_t u = 0;
    for (; u + 4 <= n_words; u += 4) {
        const float *restrict q0 = wq + u * d;
        const float *restrict q1 = q0 + d;
        const float *restrict q2 = q1 + d;
        const float *restrict q3 = q2 + d;
        for (size_t j0 = 0; j0 < nb; j0 += 16) {
            float c0[16] = {0}, c1[16] = {0}, c2[16] = {0}, c3[16] = {0};
            for (size_t k = 0; k < d; k++) {
                const float *restrict tk = t + k * ld + j0;
                const float a0 = q0[k], a1 = q1[k], a2 = q2[k], a3 = q3[k];
                for (int l = 0; l < 16; l++) {
                    c0[l] += a0 * tk[l];
                    c1[l] += a1 * tk[l];
                    c2[l] += a2 * tk[l];
                    c3[l] += a3 * tk[l];
                }
            }
            float *restrict o = s + u * ld + j0;
            for (int l = 0; l < 16; l++) {
                o[l] = c0[l];
                o[ld + (size_t)l] = c1[l];
                o[2 * ld + (size_t)l] = c2[l];
                o[3 * ld + (size_t)l] = c3[l];
            }
        }
    }
    for (; u < n_words; u++) {
        const float *restrict q = wq + u * d;
        float *restrict su = s + u * ld;
        for (size_t j = 0; j < nb; j++)
            su[j] = 0.0f;
        for (size_t k = 0; k < d; k++) {
            const float a = q[k];
            const float *restrict tk = t + k * ld;
            for (size_t j = 0; j < nb; j++)
                su[j] += a * tk[j];
        }
    }
}

/* The two scores, as one expression each so that the filter below and the
 * exact scan compute bit-identical values. sa/sb/sc are cosines with a/b/c
 * (for 3CosMul already shifted to [0,1]). */
static inline float score_add(float sa, float sb, float sc) { return sb - sa + sc; }
static inline float score_mul(float sa, float sb, float sc)
{
    return query_3cosmul(sa, sb, sc);
}

/* Whether any of the nb scores beats thr. A flag rather than a maximum:
 * an OR of comparisons vectorises without -ffast-math, a float max
 * reduction does not. [nb] rows each. */
W2V_HOT static int any_above_add(const float *restrict sa, const float *restrict sb,
                                 const float *restrict sc, size_t nb, float thr)
{
    int any = 0;
    for (size_t j = 0; j < nb; j++)
        any |= score_add(sa[j], sb[j], sc[j]) > thr;
    return any;
}

W2V_HOT static int any_above_mul(const float *restrict sa, const float *restrict sb,
                                 const float *restrict sc, size_t nb, float thr)
{
    int any = 0;
    for (size_t j = 0; j < nb; j++)
        any |= score_mul(sa[j], sb[j], sc[j]) > thr;
    return any;
}

static void *analogy_work(void *arg)
{
    struct analogy_worker *w = arg;
    struct analogy_job *job = w->job;
    const size_t ld = job->block;
    const size_t d = (size_t)job->dim;
    const int cosmul = job->method == EVAL_3COSMUL;
    for (;;) {
        int64_t b = atomic_fetch_add(&job->next_block, 1);
        if (b >= job->n_blocks)
            break;
        const int64_t r0 = b * (int64_t)ld;
        const size_t nb = (size_t)(job->rows - r0 < (int64_t)ld ? job->rows - r0 : (int64_t)ld);
        const size_t nbt = (nb + 15) & ~(size_t)15;

        /* t: [dim, ld], column j = unit row r0 + j; columns past nb are
         * zero so the tiles there compute harmless zeros. */
        for (size_t j = 0; j < nb; j++) {
            const float *row = job->data + (size_t)(r0 + (int64_t)j) * d;
            const float inv = inv_norm(row, job->dim);
            for (size_t k = 0; k < d; k++)
                w->t[k * ld + j] = row[k] * inv;
        }
        for (size_t k = 0; k < d; k++)
            for (size_t j = nb; j < nbt; j++)
                w->t[k * ld + j] = 0.0f;
        block_cosines(w->s, w->t, job->wq, job->n_words, job->dim, nbt, ld);

        if (cosmul) {
            /* Shift cosines to [0,1] once per block, not once per question. */
            for (size_t u = 0; u < job->n_words; u++) {
                float *su = w->s + u * ld;
                for (size_t j = 0; j < nb; j++)
                    su[j] = query_cos_shift(su[j]);
            }
        }

        for (size_t q = 0; q < job->n_questions; q++) {
            const float *restrict sa = w->s + (size_t)job->qword[3 * q] * ld;
            const float *restrict sb = w->s + (size_t)job->qword[3 * q + 1] * ld;
            const float *restrict sc = w->s + (size_t)job->qword[3 * q + 2] * ld;
            float best = w->best[q];
            /* Most blocks hold nothing better than the running best: a
             * vectorised test skips them. The rare block that does (or holds
             * a, b or c themselves, which score high) gets the exact scan. */
            if (!(cosmul ? any_above_mul(sa, sb, sc, nb, best)
                         : any_above_add(sa, sb, sc, nb, best)))
                continue;
            const int64_t ha = job->qhead[3 * q], hb = job->qhead[3 * q + 1],
                          hc = job->qhead[3 * q + 2];
            int64_t best_row = w->best_row[q];
            for (size_t j = 0; j < nb; j++) {
                const float x = cosmul ? score_mul(sa[j], sb[j], sc[j])
                                       : score_add(sa[j], sb[j], sc[j]);
                /* Strictly greater: among equal scores the earlier row stays.
                 * Rows folding to a, b or c are never the answer. */
                if (x > best) {
                    const int64_t h = job->head[r0 + (int64_t)j];
                    if (h != ha && h != hb && h != hc) {
                        best = x;
                        best_row = r0 + (int64_t)j;
                    }
                }
            }
            w->best[q] = best;
            w->best_row[q] = best_row;
        }
    }
    return NULL;
}

static void worker_release(struct analogy_worker *w)
{
    w2v_aligned_free(w->t);
    w2v_aligned_free(w->s);
    w2v_free(w->best);
    w2v_free(w->best_row);
}

static int worker_alloc(struct analogy_worker *w, struct analogy_job *job)
{
    size_t t_bytes, s_bytes, s_elems;
    memset(w, 0, sizeof *w);
    w->job = job;
    if (w2v_size_mul((size_t)job->dim, job->block * sizeof(float), &t_bytes) != 0 ||
        w2v_size_mul(job->n_words, job->block, &s_elems) != 0 ||
        w2v_size_mul(s_elems, sizeof(float), &s_bytes) != 0)
        return W2V_EOVERFLOW;
    w->t = w2v_aligned_alloc(t_bytes);
    w->s = w2v_aligned_alloc(s_bytes);
    w->best = w2v_calloc(job->n_questions ? job->n_questions : 1, sizeof *w->best);
    w->best_row = w2v_calloc(job->n_questions ? job->n_questions : 1, sizeof *w->best_row);
    if (!w->t || !w->s || !w->best || !w->best_row) {
        worker_release(w);
        return W2V_ENOMEM;
    }
    for (size_t q = 0; q < job->n_questions; q++) {
        w->best[q] = -INFINITY;
        w->best_row[q] = -1;
    }
    return 0;
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* Rows per block: the block's slice of the cosine matrix (U x block floats)
 * should stay within a few MiB so the per-question scans hit cache, but
 * blocks should be long enough for the scans' inner loops to run well. */
static size_t pick_block(size_t n_words, int64_t rows, size_t asked)
{
    size_t block = (4u << 20) / (sizeof(float) * (n_words ? n_words : 1));
    if (block > 512)
        block = 512;
    if (block < 64)
        block = 64;
    if (asked > 0)
        block = asked < SIZE_MAX / 2 ? asked + 15 : 512;
    block &= ~(size_t)15;
    if ((int64_t)block > rows)
        block = ((size_t)rows + 15) & ~(size_t)15;
    return block ? block : 16;
}

int eval_analogy(const struct vectors *v, const struct eval_questions *qs,
                 const struct eval_analogy_options *opt, struct eval_analogy_result *res,
                 struct w2v_err *err)
{
    struct eval_vocab ev;
    struct analogy_job job;
    struct analogy_worker *workers = NULL;
    int64_t *compact = NULL; /* [rows] compact id of a class head, -1 none */
    int64_t *qword = NULL, *qhead = NULL, *qanswer = NULL;
    size_t *qindex = NULL;   /* [Q] index into qs->q of each searched question */
    float *wq = NULL;
    int n_workers = 0;
    int status = 0;
    const int32_t dim = v->dim;

    eval_vocab_init(&ev);
    memset(&job, 0, sizeof job);
    eval_analogy_result_release(res);
    if ((status = eval_vocab_build(&ev, v, opt->restrict_rows, err)) != 0)
        return status;
    const int64_t rows = ev.rows;
    res->rows_used = rows;
    res->n_sections = qs->n_sections;
    res->sections = w2v_calloc(qs->n_sections ? (size_t)qs->n_sections : 1,
                               sizeof *res->sections);
    compact = w2v_calloc(rows ? (size_t)rows : 1, sizeof *compact);
    qword = w2v_calloc(qs->n ? qs->n : 1, 3 * sizeof *qword);
    qhead = w2v_calloc(qs->n ? qs->n : 1, 3 * sizeof *qhead);
    qanswer = w2v_calloc(qs->n ? qs->n : 1, sizeof *qanswer);
    qindex = w2v_calloc(qs->n ? qs->n : 1, sizeof *qindex);
    res->predicted = w2v_calloc(qs->n ? qs->n : 1, sizeof *res->predicted);
    if (!res->predicted || !res->sections || !compact || !qword || !qhead || !qanswer || !qindex)
        goto nomem;
    for (int32_t i = 0; i < qs->n_sections; i++)
        res->sections[i].name = qs->section_names[i];
    for (int64_t r = 0; r < rows; r++)
        compact[r] = -1;
    for (size_t i = 0; i < qs->n; i++)
        res->predicted[i] = -1;

    /* Look the words up; give each distinct a/b/c word a compact id. */
    size_t n_q = 0, n_words = 0;
    for (size_t i = 0; i < qs->n; i++) {
        const struct eval_question *q = &qs->q[i];
        int64_t h[4];
        int known = 1;
        for (int k = 0; k < 4; k++)
            known &= (h[k] = eval_vocab_find(&ev, q->w[k])) >= 0;
        if (!known) {
            res->sections[q->section].skipped++;
            continue;
        }
        for (int k = 0; k < 3; k++) {
            if (compact[h[k]] < 0)
                compact[h[k]] = (int64_t)n_words++;
            qword[3 * n_q + (size_t)k] = compact[h[k]];
            qhead[3 * n_q + (size_t)k] = h[k];
        }
        qanswer[n_q] = h[3];
        qindex[n_q] = i;
        n_q++;
    }

    if (n_q > 0) {
        size_t wq_elems;
        if (w2v_size_mul(n_words, (size_t)dim, &wq_elems) != 0 ||
            w2v_size_mul(wq_elems, sizeof(float), &wq_elems) != 0) {
            status = w2v_fail(err, W2V_EOVERFLOW, "too many question words");
            goto fail;
        }
        if (!(wq = w2v_aligned_alloc(wq_elems)))
            goto nomem;
        for (int64_t r = 0; r < rows; r++) {
            if (compact[r] < 0)
                continue;
            const float *row = v->data + (size_t)r * (size_t)dim;
            float *dst = wq + (size_t)compact[r] * (size_t)dim;
            const float inv = inv_norm(row, dim);
            for (int32_t k = 0; k < dim; k++)
                dst[k] = row[k] * inv;
        }
        job.data = v->data;
        job.rows = rows;
        job.dim = dim;
        job.head = ev.head;
        job.wq = wq;
        job.n_words = n_words;
        job.qword = qword;
        job.qhead = qhead;
        job.n_questions = n_q;
        job.method = opt->method;
        job.block = pick_block(n_words, rows, opt->block);
        job.n_blocks = (rows + (int64_t)job.block - 1) / (int64_t)job.block;
        atomic_init(&job.next_block, 0);

        int want = opt->threads > 0 ? opt->threads : default_threads();
        if ((int64_t)want > job.n_blocks)
            want = (int)job.n_blocks;
        if (want < 1)
            want = 1;
        if (!(workers = w2v_calloc((size_t)want, sizeof *workers)))
            goto nomem;
        for (; n_workers < want; n_workers++) {
            int st = worker_alloc(&workers[n_workers], &job);
            if (st == W2V_EOVERFLOW) {
                status = w2v_fail(err, st, "analogy search buffers too large");
                goto fail;
            }
            if (st != 0)
                goto nomem;
        }
        /* The calling thread is worker 0. A thread that cannot be started
         * costs speed, not correctness: the others take its blocks. */
        for (int i = 1; i < n_workers; i++)
            workers[i].started =
                pthread_create(&workers[i].thread, NULL, analogy_work, &workers[i]) == 0;
        analogy_work(&workers[0]);
        for (int i = 1; i < n_workers; i++)
            if (workers[i].started)
                pthread_join(workers[i].thread, NULL);

        for (size_t q = 0; q < n_q; q++) {
            float best = workers[0].best[q];
            int64_t row = workers[0].best_row[q];
            for (int i = 1; i < n_workers; i++) {
                const float b = workers[i].best[q];
                const int64_t r = workers[i].best_row[q];
                if (r >= 0 && (row < 0 || b > best || (b == best && r < row))) {
                    best = b;
                    row = r;
                }
            }
            struct eval_section_result *sec = &res->sections[qs->q[qindex[q]].section];
            res->predicted[qindex[q]] = row;
            sec->total++;
            if (row >= 0 && ev.head[row] == qanswer[q])
                sec->correct++;
        }
    }

    for (int32_t i = 0; i < res->n_sections; i++) {
        const struct eval_section_result *sec = &res->sections[i];
        res->correct += sec->correct;
        res->total += sec->total;
        res->skipped += sec->skipped;
        if (strncmp(sec->name, "gram", 4) == 0) {
            res->syntactic_correct += sec->correct;
            res->syntactic_total += sec->total;
        } else {
            res->semantic_correct += sec->correct;
            res->semantic_total += sec->total;
        }
    }
    goto done;
nomem:
    status = w2v_fail(err, W2V_ENOMEM, "out of memory in the analogy search");
fail:
    eval_analogy_result_release(res);
done:
    for (int i = 0; i < n_workers; i++)
        worker_release(&workers[i]);
    w2v_free(workers);
    w2v_aligned_free(wq);
    w2v_free(compact);
    w2v_free(qword);
    w2v_free(qhead);
    w2v_free(qanswer);
    w2v_free(qindex);
    eval_vocab_release(&ev);
    return status;
}

/* ---- similarity ----------------------------------------------------------------------- */

int eval_similarity(const struct vectors *v, const struct eval_pairs *ps, int64_t restrict_rows,
                    struct eval_similarity_result *res, struct w2v_err *err)
{
    struct eval_vocab ev;
    double *gold = NULL, *model = NULL;
    int status;
    eval_vocab_init(&ev);
    res->spearman = res->pearson = NAN;
    res->pairs = res->skipped = 0;
    if ((status = eval_vocab_build(&ev, v, restrict_rows, err)) != 0)
        return status;
    gold = w2v_calloc(ps->n ? ps->n : 1, sizeof *gold);
    model = w2v_calloc(ps->n ? ps->n : 1, sizeof *model);
    if (!gold || !model) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory in the similarity evaluation");
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++) {
        int64_t a = eval_vocab_find(&ev, ps->p[i].w1);
        int64_t b = eval_vocab_find(&ev, ps->p[i].w2);
        if (a < 0 || b < 0) {
            res->skipped++;
            continue;
        }
        gold[n] = ps->p[i].score;
        model[n] = cosine(v->data + (size_t)a * (size_t)v->dim,
                          v->data + (size_t)b * (size_t)v->dim, v->dim);
        n++;
    }
    res->pairs = (int64_t)n;
    if (n == 0) {
        status = w2v_fail(err, W2V_EEMPTY, "no pair has both words in the vocabulary "
                          "(%lld skipped)", (long long)res->skipped);
        goto done;
    }
    res->pearson = eval_pearson(gold, model, n);
    res->spearman = eval_spearman(gold, model, n);
done:
    w2v_free(gold);
    w2v_free(model);
    eval_vocab_release(&ev);
    return status;
}
