/* fuzz_eval_questions.c — the input is an analogy questions file. Checks,
 * for any bytes:
 *  - eval_questions_parse agrees exactly with a plain reference parser
 *    written here from the contract in eval.h: questions (words, section,
 *    line), section names, malformed lines and the first of them, and the
 *    status (W2V_EFORMAT at the right line for a NUL byte or a question
 *    before any section, W2V_EEMPTY without questions; one-line messages,
 *    a released struct on failure); eval_questions_read on the same bytes
 *    in a file gives the same result;
 *  - eval_analogy on a small model built from the questions' own words
 *    (some left out, some case variants, zero rows, method and restriction
 *    from the input) answers consistently: counts add up per section and
 *    in total, skipped questions predict -1, a prediction is a restricted
 *    row not folding to a, b or c and scores within rounding of the best
 *    such row (by a double-precision brute force), "correct" means it
 *    folds to d, and two threads over small blocks give the same answer. */
#include <math.h>

#include "w2v/query.h"
#include "fuzz.h"
#include "w2v/eval.h"

#define MAX_MODEL_ROWS 40

FUZZ_NO_COVERAGE static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* ---- reference parser ---------------------------------------------------- */

struct ref_question {
    const char *w[4];
    size_t wl[4];
    int32_t section;
    int64_t line;
};

struct ref {
    int status;  /* 0, W2V_EFORMAT or W2V_EEMPTY */
    int64_t err_line;
    struct ref_question *q;
    size_t n;
    const char **sec;
    size_t *sec_len;
    int32_t n_sections;
    int64_t malformed, first_malformed;
};

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
    /* At most one question or section per line, and lines <= len + 1. */
    r->q = calloc(len + 1, sizeof *r->q);
    r->sec = calloc(len + 1, sizeof *r->sec);
    r->sec_len = calloc(len + 1, sizeof *r->sec_len);
    FUZZ_ASSERT(r->q && r->sec && r->sec_len);
    size_t p = 0;
    int64_t line = 0;
    while (p < len) {
        size_t e = p;
        while (e < len && t[e] != '\n')
            e++;
        line++;
        if (t[p] == ':') {
            size_t s = p + 1, f = e;
            while (s < f && blank(t[s]))
                s++;
            while (f > s && blank(t[f - 1]))
                f--;
            r->sec[r->n_sections] = t + s;
            r->sec_len[r->n_sections++] = f - s;
        } else {
            const char *w[5];
            size_t wl[5];
            int n = 0;
            size_t i = p;
            while (n < 5) {
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
            if (n == 4) {
                if (r->n_sections == 0) {
                    r->status = W2V_EFORMAT;
                    r->err_line = line;
                    return;
                }
                struct ref_question *q = &r->q[r->n++];
                for (int k = 0; k < 4; k++) {
                    q->w[k] = w[k];
                    q->wl[k] = wl[k];
                }
                q->section = r->n_sections - 1;
                q->line = line;
            } else if (n != 0) {
                if (r->malformed++ == 0)
                    r->first_malformed = line;
            }
        }
        p = e + 1;
    }
    if (r->n == 0)
        r->status = W2V_EEMPTY;
}

FUZZ_NO_COVERAGE static void ref_free(struct ref *r)
{
    free(r->q);
    free(r->sec);
    free(r->sec_len);
}

FUZZ_NO_COVERAGE static int same(const char *s, const char *ref, size_t len)
{
    return strlen(s) == len && memcmp(s, ref, len) == 0;
}

FUZZ_NO_COVERAGE static void check_parse(int rc, const struct eval_questions *qs, const struct w2v_err *err,
                        const struct ref *r)
{
    FUZZ_ASSERT(rc == r->status);
    if (rc != 0) {
        FUZZ_ASSERT(err->status == rc && fuzz_one_line(err->message));
        if (rc == W2V_EFORMAT)
            FUZZ_ASSERT(err->line == r->err_line);
        FUZZ_ASSERT(qs->text == NULL && qs->q == NULL && qs->n == 0 &&
                    qs->section_names == NULL && qs->n_sections == 0);
        return;
    }
    FUZZ_ASSERT(qs->n == r->n && qs->n_sections == r->n_sections);
    FUZZ_ASSERT(qs->malformed == r->malformed && qs->first_malformed_line == r->first_malformed);
    for (int32_t i = 0; i < qs->n_sections; i++)
        FUZZ_ASSERT(same(qs->section_names[i], r->sec[i], r->sec_len[i]));
    for (size_t i = 0; i < qs->n; i++) {
        FUZZ_ASSERT(qs->q[i].section == r->q[i].section && qs->q[i].line == r->q[i].line);
        for (int k = 0; k < 4; k++)
            FUZZ_ASSERT(same(qs->q[i].w[k], r->q[i].w[k], r->q[i].wl[k]));
    }
}

/* ---- a small model over the questions' words ----------------------------- */

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

FUZZ_NO_COVERAGE static int have_word(const struct vectors *v, const char *w)
{
    for (int64_t r = 0; r < v->rows; r++)
        if (strcmp(v->words[r], w) == 0)
            return 1;
    return 0;
}

FUZZ_NO_COVERAGE static void add_word(struct vectors *v, const char *w)
{
    if (v->rows < MAX_MODEL_ROWS && !have_word(v, w)) {
        v->words[v->rows] = w2v_strndup(w, strlen(w));
        FUZZ_ASSERT(v->words[v->rows] != NULL);
        v->rows++;
    }
}

/* Words of the first questions (the last word of every third question left
 * out, so that some questions are skipped), an upper-case variant now and
 * then, then filler rows; small integer components so that ties happen. */
FUZZ_NO_COVERAGE static void build_model(struct vectors *v, const struct eval_questions *qs, uint64_t h)
{
    vectors_init(v);
    v->dim = 1 + (int32_t)(h % 4);
    v->words = w2v_calloc(MAX_MODEL_ROWS, sizeof *v->words);
    FUZZ_ASSERT(v->words != NULL);
    for (size_t i = 0; i < qs->n && v->rows < MAX_MODEL_ROWS - 4; i++)
        for (int k = 0; k < 4; k++) {
            const char *w = qs->q[i].w[k];
            if (k == 3 && i % 3 == 2)
                continue;
            if ((h >> (8 + (i + (size_t)k) % 48)) & 1) {
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
    int fill = (int)((h >> 4) % 24);
    for (int i = 0; i < fill; i++) {
        char name[16];
        snprintf(name, sizeof name, "\x01" "fill%d", i);
        add_word(v, name);
    }
    /* vectors_release frees words one by one (no word_pool) and data
     * with w2v_aligned_free. */
    v->data = w2v_aligned_alloc((size_t)MAX_MODEL_ROWS * (size_t)v->dim * sizeof(float));
    FUZZ_ASSERT(v->data != NULL);
    uint64_t s = h;
    for (int64_t r = 0; r < v->rows; r++) {
        int zero = next_rand(&s) % 9 == 0;
        for (int32_t j = 0; j < v->dim; j++)
            v->data[(size_t)r * (size_t)v->dim + (size_t)j] =
                zero ? 0.0f : (float)((int)(next_rand(&s) % 5) - 2);
    }
}

FUZZ_NO_COVERAGE static double cosine(const float *a, const float *b, int32_t dim)
{
    double ab = 0, aa = 0, bb = 0;
    for (int32_t k = 0; k < dim; k++) {
        ab += (double)a[k] * b[k];
        aa += (double)a[k] * a[k];
        bb += (double)b[k] * b[k];
    }
    return aa == 0 || bb == 0 ? 0 : ab / sqrt(aa * bb);
}

/* The first row among the first n that folds to w, or -1. */
FUZZ_NO_COVERAGE static int64_t head_of(const struct vectors *v, int64_t n, const char *w)
{
    for (int64_t r = 0; r < n; r++)
        if (fold_eq(v->words[r], w))
            return r;
    return -1;
}

FUZZ_NO_COVERAGE static double ref_score(const struct vectors *v, int64_t x, const int64_t h[3],
                        enum eval_method method)
{
    const float *row = v->data + (size_t)x * (size_t)v->dim;
    double c[3];
    for (int k = 0; k < 3; k++)
        c[k] = cosine(row, v->data + (size_t)h[k] * (size_t)v->dim, v->dim);
    if (method == EVAL_3COSADD)
        return c[1] - c[0] + c[2];
    return (c[1] + 1) / 2 * ((c[2] + 1) / 2) / ((c[0] + 1) / 2 + EVAL_3COSMUL_EPSILON);
}

FUZZ_NO_COVERAGE static void check_analogy(const struct vectors *v, const struct eval_questions *qs, uint64_t h)
{
    struct eval_analogy_options opt = {0};
    opt.method = (h >> 56) & 1 ? EVAL_3COSMUL : EVAL_3COSADD;
    opt.restrict_rows = (h >> 57) & 1 ? 1 + (int64_t)((h >> 32) % (uint64_t)v->rows) : 0;
    opt.threads = 1;
    const int64_t n = opt.restrict_rows > 0 ? opt.restrict_rows : v->rows;
    struct eval_analogy_result res = {0};
    struct w2v_err err = {0};
    struct query_model m;
    fuzz_model_copy(v, &m);
    FUZZ_ASSERT(eval_analogy(&m, qs, &opt, &res, &err) == 0);
    FUZZ_ASSERT(res.rows_used == n && res.n_sections == qs->n_sections);

    int64_t heads[MAX_MODEL_ROWS];
    for (int64_t x = 0; x < n; x++)
        heads[x] = head_of(v, n, v->words[x]);
    int64_t total = 0, correct = 0, skipped = 0;
    for (size_t i = 0; i < qs->n; i++) {
        const struct eval_question *q = &qs->q[i];
        int64_t hd[4];
        int known = 1;
        for (int k = 0; k < 4; k++)
            known &= (hd[k] = head_of(v, n, q->w[k])) >= 0;
        int64_t p = res.predicted[i];
        if (!known) {
            FUZZ_ASSERT(p == -1);
            skipped++;
            continue;
        }
        total++;
        if (i >= 64) { /* the first 64 are enough: bound the work per input */
            if (p >= 0)
                correct += heads[p] == hd[3];
            continue;
        }
        /* Brute force over the candidates: rows under n whose class is not
         * that of a, b or c. */
        double best = -INFINITY;
        int64_t best_row = -1;
        for (int64_t x = 0; x < n; x++) {
            int64_t hx = heads[x];
            if (hx == hd[0] || hx == hd[1] || hx == hd[2])
                continue;
            double s = ref_score(v, x, hd, opt.method);
            if (s > best) {
                best = s;
                best_row = x;
            }
        }
        if (best_row < 0) {
            FUZZ_ASSERT(p == -1);
            continue;
        }
        FUZZ_ASSERT(p >= 0 && p < n);
        int64_t hp = heads[p];
        FUZZ_ASSERT(hp != hd[0] && hp != hd[1] && hp != hd[2]);
        double sp = ref_score(v, p, hd, opt.method);
        /* Float rounding (3CosMul scores reach 1000). */
        const double tol = 1e-5 * (1 + fabs(best));
        FUZZ_ASSERT(sp >= best - tol);
        /* Ties go to the lower row: a lower row clearly better is a bug. */
        for (int64_t x = 0; x < p; x++) {
            int64_t hx = heads[x];
            if (hx != hd[0] && hx != hd[1] && hx != hd[2])
                FUZZ_ASSERT(ref_score(v, x, hd, opt.method) <= sp + tol);
        }
        correct += hp == hd[3];
    }
    int64_t sum_total = 0, sum_correct = 0, sum_skipped = 0, sem = 0, syn = 0;
    for (int32_t s = 0; s < res.n_sections; s++) {
        const struct eval_section_result *sec = &res.sections[s];
        FUZZ_ASSERT(sec->name == qs->section_names[s]);
        FUZZ_ASSERT(sec->correct >= 0 && sec->correct <= sec->total && sec->skipped >= 0);
        sum_total += sec->total;
        sum_correct += sec->correct;
        sum_skipped += sec->skipped;
        if (strncmp(sec->name, "gram", 4) == 0)
            syn += sec->total;
        else
            sem += sec->total;
    }
    FUZZ_ASSERT(res.total == total && sum_total == total);
    FUZZ_ASSERT(res.correct == correct && sum_correct == correct);
    FUZZ_ASSERT(res.skipped == skipped && sum_skipped == skipped);
    FUZZ_ASSERT(res.semantic_total == sem && res.syntactic_total == syn);
    FUZZ_ASSERT(res.semantic_correct + res.syntactic_correct == correct);
    FUZZ_ASSERT((size_t)(total + skipped) == qs->n);

    if ((h >> 60) % 8 == 0) {
        /* Two threads, blocks of 16 rows: the same answer. */
        struct eval_analogy_result two = {0};
        opt.threads = 2;
        opt.block = 16;
        FUZZ_ASSERT(eval_analogy(&m, qs, &opt, &two, &err) == 0);
        FUZZ_ASSERT(two.correct == res.correct && two.total == res.total);
        FUZZ_ASSERT(memcmp(two.predicted, res.predicted, qs->n * sizeof *res.predicted) == 0);
        eval_analogy_result_release(&two);
    }
    eval_analogy_result_release(&res);
    query_model_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    uint64_t h = fuzz_hash(data, size);
    struct ref r;
    ref_parse(text, size, &r);

    struct eval_questions qs;
    struct w2v_err err = {0};
    eval_questions_init(&qs);
    int rc = eval_questions_parse(&qs, text, size, "fuzz", &err);
    check_parse(rc, &qs, &err, &r);

    if (h % 32 == 0) {
        /* From a file (1 input in 32: the read costs more than the rest):
         * the same, except that an empty file is EEMPTY. */
        const char *path = fuzz_tmp_path(0, "questions");
        struct eval_questions fq;
        struct w2v_err ferr = {0};
        fuzz_write_file(path, data, size);
        eval_questions_init(&fq);
        int frc = eval_questions_read(&fq, path, &ferr);
        FUZZ_ASSERT(frc == rc);
        if (frc == 0) {
            FUZZ_ASSERT(fq.n == qs.n && fq.n_sections == qs.n_sections &&
                        fq.malformed == qs.malformed);
            for (size_t i = 0; i < qs.n; i++)
                for (int k = 0; k < 4; k++)
                    FUZZ_ASSERT(strcmp(fq.q[i].w[k], qs.q[i].w[k]) == 0);
        } else {
            FUZZ_ASSERT(fuzz_one_line(ferr.message) && ferr.status == frc);
        }
        eval_questions_release(&fq);
    }

    if (rc == 0) {
        struct vectors v;
        build_model(&v, &qs, h);
        if (v.rows > 0)
            check_analogy(&v, &qs, h);
        vectors_release(&v);
    }
    eval_questions_release(&qs);
    ref_free(&r);
    return 0;
}
