/* test_query.c — bounded heap, normalisation, top-k scans, analogies. */
#include <float.h>
#include <stdint.h>

#include "test.h"
#include "w2v/query.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}
static double rng_unit(void) { return (double)(rng_next() >> 11) / 9007199254740992.0; }
static size_t rng_below(size_t n) { return (size_t)(rng_next() % n); }

/* ---- heap --------------------------------------------------------------- */

static int cmp_hit_best_first(const void *pa, const void *pb)
{
    /* Spelled out independently of query_hit_better, which is under test. */
    const struct query_hit *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* The heap keeps exactly the k best of a stream (ties by lower row), in any
 * arrival order, compared with a full sort. */
static void test_heap_matches_sort(void)
{
    int all_ok = 1;
    for (int trial = 0; trial < 400; trial++) {
        size_t n = rng_below(300);
        size_t k = 1 + rng_below(trial % 3 ? 20 : 400);
        struct query_hit *all = malloc((n + 1) * sizeof *all);
        size_t m = 0;
        struct query_heap h;
        CHECK(query_heap_init(&h, k) == 0);
        int levels = 1 + (int)rng_below(8); /* few levels: many ties */
        for (size_t i = 0; i < n; i++) {
            int64_t row = (int64_t)((i * 7919) % (n ? n : 1)); /* rows out of order */
            float s = (float)((int)rng_below((size_t)levels) - levels / 2) / 4.0f;
            if (rng_below(10) == 0)
                continue; /* "excluded": never offered */
            all[m].row = row;
            all[m].score = s;
            m++;
            query_heap_push(&h, row, s);
        }
        qsort(all, m, sizeof *all, cmp_hit_best_first);
        size_t want = m < k ? m : k;
        size_t got = query_heap_sort(&h);
        if (got != want)
            all_ok = 0;
        for (size_t i = 0; i < want && i < got; i++)
            if (h.hits[i].row != all[i].row || h.hits[i].score != all[i].score)
                all_ok = 0;
        query_heap_reset(&h);
        CHECK(h.n == 0 && h.k == k);
        query_heap_release(&h);
        query_heap_release(&h);
        free(all);
    }
    CHECK(all_ok);
    struct query_heap h;
    CHECK(query_heap_init(&h, 0) == W2V_EUSAGE);
    query_heap_release(&h);
}

/* ---- models ------------------------------------------------------------- */

/* A model of rows x dim from values (copied); words "w0", "w1", ... */
static void make_model(struct query_model *m, int64_t rows, int32_t dim, const float *values)
{
    struct vectors v;
    vectors_init(&v);
    v.rows = rows;
    v.dim = dim;
    v.words = w2v_calloc((size_t)rows, sizeof *v.words);
    v.data = w2v_aligned_alloc((size_t)rows * (size_t)dim * sizeof(float));
    for (int64_t r = 0; r < rows; r++) {
        char w[32];
        snprintf(w, sizeof w, "w%lld", (long long)r);
        v.words[r] = w2v_strndup(w, strlen(w));
    }
    memcpy(v.data, values, (size_t)rows * (size_t)dim * sizeof(float));
    struct w2v_err err = {0};
    if (vectors_index(&v, &err) != 0) {
        fprintf(stderr, "index: %s\n", err.message);
        exit(1);
    }
    CHECK(query_model_from_vectors(m, &v) == 0);
    CHECK(v.data == NULL && v.words == NULL);
}

static float *random_values(int64_t rows, int32_t dim)
{
    float *x = malloc((size_t)rows * (size_t)dim * sizeof *x);
    for (size_t i = 0; i < (size_t)rows * (size_t)dim; i++)
        x[i] = (float)(rng_unit() * 2 - 1);
    return x;
}

static double cosine_d(const float *a, const float *b, int32_t dim)
{
    double ab = 0, aa = 0, bb = 0;
    for (int32_t i = 0; i < dim; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    if (aa == 0 || bb == 0)
        return 0;
    return ab / sqrt(aa * bb);
}

static void test_normalisation(void)
{
    const int32_t dim = 37;
    float *x = random_values(6, dim);
    memset(x + 2 * dim, 0, dim * sizeof *x); /* zero row */
    for (int j = 0; j < dim; j++) {
        x[3 * dim + j] = (j % 2) ? FLT_MAX : -FLT_MAX; /* would overflow a float sum */
        x[4 * dim + j] = (j % 3) ? FLT_TRUE_MIN : 0;  /* denormals */
    }
    struct query_model m;
    make_model(&m, 6, dim, x);
    CHECK(m.rows == 6 && m.dim == dim && m.source == QUERY_IN_MEMORY);
    float *u = malloc(dim * sizeof *u);
    for (int64_t r = 0; r < 6; r++) {
        CHECK(query_model_unit(&m, r, u, NULL) == 0);
        double ss = 0;
        int finite = 1;
        for (int j = 0; j < dim; j++) {
            finite &= isfinite(u[j]);
            ss += (double)u[j] * u[j];
        }
        CHECK(finite);
        if (r == 2)
            CHECK(ss == 0);
        else
            CHECK_NEAR(ss, 1.0, 1e-5);
        /* Direction kept. */
        CHECK_NEAR(cosine_d(u, x + r * dim, dim), r == 2 ? 0.0 : 1.0, 1e-5);
    }
    float s;
    CHECK(query_similarity(&m, 2, 1, &s, NULL) == 0 && s == 0.0f);
    CHECK(query_similarity(&m, 1, 1, &s, NULL) == 0 && s <= 1.0f && s > 0.99999f);
    CHECK(query_similarity(&m, 0, 5, &s, NULL) == 0);
    CHECK_NEAR(s, cosine_d(x, x + 5 * dim, dim), 1e-5);
    float s2;
    CHECK(query_similarity(&m, 5, 0, &s2, NULL) == 0 && s == s2);
    CHECK(query_model_find(&m, "w4") == 4 && query_model_find(&m, "nope") == -1);
    size_t len;
    const char *w = query_model_word(&m, 5, &len);
    CHECK(len == 2 && memcmp(w, "w5", 2) == 0);
    free(u);
    free(x);
    query_model_release(&m);
    query_model_release(&m);
}

/* Top-k equals brute force (within float rounding of the scores), for any
 * number of threads, with restriction, exclusions and batches. */
static void test_topk_brute_force(void)
{
    enum { DIM = 45 };
    const int64_t rows = 3000;
    const int32_t dim = DIM;
    float *x = random_values(rows, dim);
    memset(x + 10 * dim, 0, dim * sizeof *x);
    struct query_model m;
    make_model(&m, rows, dim, x);
    enum { NQ = 7, K = 25 }; /* 4 + 2 + 1: every kernel */
    float q[NQ][DIM];
    int64_t excl[NQ][3];
    struct query_request reqs[NQ];
    for (int i = 0; i < NQ; i++) {
        for (int j = 0; j < 3; j++)
            excl[i][j] = (int64_t)rng_below((size_t)rows);
        if (i == 0)
            query_vector_nearest(&m, excl[i], 1, q[i], NULL);
        else
            query_vector_analogy(&m, excl[i][0], excl[i][1], excl[i][2], q[i], NULL);
        reqs[i] = (struct query_request){q[i], excl[i], 3};
    }
    struct query_hit ref[NQ][K], hits[NQ][K];
    size_t nref[NQ], nh[NQ];
    int64_t restricts[] = {0, 1, 2, 7, 1000, rows + 5};
    int same_across_threads = 1, brute_ok = 1;
    for (size_t ri = 0; ri < sizeof restricts / sizeof restricts[0]; ri++) {
        int64_t lim = restricts[ri] > 0 && restricts[ri] < rows ? restricts[ri] : rows;
        int thread_counts[] = {1, 2, 3, 8};
        for (size_t ti = 0; ti < 4; ti++) {
            struct query_options opt = {K, restricts[ri], thread_counts[ti]};
            CHECK(query_topk(&m, reqs, NQ, &opt, &hits[0][0], nh, NULL) == 0);
            if (ti == 0) {
                memcpy(ref, hits, sizeof ref);
                memcpy(nref, nh, sizeof nref);
            } else {
                for (int i = 0; i < NQ; i++) {
                    same_across_threads &= nh[i] == nref[i];
                    for (size_t j = 0; j < nh[i] && j < nref[i]; j++)
                        same_across_threads &=
                            hits[i][j].row == ref[i][j].row && hits[i][j].score == ref[i][j].score;
                }
            }
        }
        /* Brute force in double over rows [0, lim) minus exclusions. */
        for (int i = 0; i < NQ; i++) {
            struct query_hit *all = malloc((size_t)lim * sizeof *all);
            size_t n = 0;
            for (int64_t r = 0; r < lim; r++) {
                if (r == excl[i][0] || r == excl[i][1] || r == excl[i][2])
                    continue;
                all[n].row = r;
                all[n].score = (float)cosine_d(q[i], x + r * dim, dim);
                n++;
            }
            qsort(all, n, sizeof *all, cmp_hit_best_first);
            size_t want = n < K ? n : K;
            brute_ok &= nref[i] == want;
            for (size_t j = 0; j < want && j < nref[i]; j++) {
                /* Scores agree to rounding; rows may swap only on near-ties. */
                brute_ok &= fabsf(ref[i][j].score - all[j].score) < 1e-5f;
                if (ref[i][j].row != all[j].row)
                    brute_ok &= fabsf(all[j].score - (float)cosine_d(q[i], x + ref[i][j].row * dim, dim)) < 1e-5f;
                brute_ok &= ref[i][j].row < lim;
                brute_ok &= j == 0 || cmp_hit_best_first(&ref[i][j - 1], &ref[i][j]) < 0;
            }
            free(all);
        }
    }
    CHECK(same_across_threads);
    CHECK(brute_ok);
    /* A batch answers bit for bit like one request at a time (the 2x2
     * kernel and the single dot product add in the same order). */
    struct query_options opt_all = {K, 0, 2};
    CHECK(query_topk(&m, reqs, NQ, &opt_all, &ref[0][0], nref, NULL) == 0);
    int batch_same = 1;
    for (int i = 0; i < NQ; i++) {
        size_t one;
        CHECK(query_topk(&m, &reqs[i], 1, &opt_all, &hits[0][0], &one, NULL) == 0);
        batch_same &= one == nref[i] && memcmp(hits[0], ref[i], one * sizeof hits[0][0]) == 0;
    }
    CHECK(batch_same);
    struct query_options bad = {0, 0, 1};
    struct w2v_err err = {0};
    CHECK(query_topk(&m, reqs, 1, &bad, &hits[0][0], nh, &err) == W2V_EUSAGE);
    /* k larger than the candidates: all of them, sorted. */
    struct query_options all_opt = {K, 4, 2};
    CHECK(query_topk(&m, reqs, 1, &all_opt, &hits[0][0], nh, NULL) == 0);
    size_t expect = 4;
    for (int64_t r = 0; r < 4; r++)
        if (r == excl[0][0] || r == excl[0][1] || r == excl[0][2])
            expect--;
    CHECK(nh[0] == expect);
    free(x);
    query_model_release(&m);
}

/* Planted analogy: d = a - b + c exactly (on unit vectors), among random
 * distractors: the answer is d with cosine 1, and a, b, c are never
 * answered even when closer. */
static void test_planted_analogy(void)
{
    const int64_t rows = 500;
    const int32_t dim = 16;
    float *x = random_values(rows, dim);
    /* rows 0..3 = a, b, c, d, all unit length, mutually orthogonal a,b,c. */
    memset(x, 0, 4 * dim * sizeof *x);
    x[0 * dim + 0] = 1;               /* a = e0 */
    x[1 * dim + 1] = 1;               /* b = e1 */
    x[2 * dim + 2] = 1;               /* c = e2 */
    x[3 * dim + 0] = 1 / sqrtf(3.0f); /* d = (e0 - e1 + e2)/sqrt(3) */
    x[3 * dim + 1] = -1 / sqrtf(3.0f);
    x[3 * dim + 2] = 1 / sqrtf(3.0f);
    struct query_model m;
    make_model(&m, rows, dim, x);
    float q[16];
    CHECK(query_vector_analogy(&m, 0, 1, 2, q, NULL) == 0);
    int64_t ex[3] = {0, 1, 2};
    struct query_request req = {q, ex, 3};
    struct query_hit hits[5];
    size_t nh;
    struct query_options opt = {5, 0, 2};
    CHECK(query_topk(&m, &req, 1, &opt, hits, &nh, NULL) == 0);
    CHECK(nh == 5 && hits[0].row == 3);
    CHECK_NEAR(hits[0].score, 1.0, 1e-6);
    /* nearest of several words: the normalised sum points between them. */
    int64_t pair[2] = {0, 2};
    CHECK(query_vector_nearest(&m, pair, 2, q, NULL) == 0);
    CHECK_NEAR(q[0], 1 / sqrt(2.0), 1e-6);
    CHECK_NEAR(q[2], 1 / sqrt(2.0), 1e-6);
    req = (struct query_request){q, pair, 2};
    CHECK(query_topk(&m, &req, 1, &opt, hits, &nh, NULL) == 0);
    CHECK(hits[0].row == 3); /* d has cos sqrt(2/3) with (a+c)/sqrt2 */
    CHECK_NEAR(hits[0].score, sqrt(2.0 / 3.0), 1e-5);
    /* Excluding nothing: a itself is nearest to a with cosine 1. */
    CHECK(query_vector_nearest(&m, ex, 1, q, NULL) == 0);
    req = (struct query_request){q, NULL, 0};
    CHECK(query_topk(&m, &req, 1, &opt, hits, &nh, NULL) == 0);
    CHECK(hits[0].row == 0 && hits[0].score > 0.99999f);
    free(x);
    query_model_release(&m);
}

/* A mapped binary file answers exactly (bit for bit) as the same file
 * read into memory; a NaN in a mapped row is reported, naming the word. */
static void test_mapped_equals_memory(void)
{
    enum { ROWS = 2000, DIM = 30 };
    float *x = random_values(ROWS, DIM);
    memset(x + 5 * DIM, 0, DIM * sizeof *x);
    char **words = malloc(ROWS * sizeof *words);
    for (int r = 0; r < ROWS; r++) {
        char w[32];
        snprintf(w, sizeof w, "word_%d", r);
        words[r] = strdup(w);
    }
    char path[256];
    test_tmp_path(path, sizeof path, "mapped.bin");
    struct w2v_err err = {0};
    CHECK(vectors_write(path, VECTORS_BINARY, ROWS, DIM, (const char *const *)words, x, DIM,
                        &err) == 0);
    struct query_model mm, mem;
    CHECK(query_model_open(&mm, path, 1, &err) == 0 && mm.source == QUERY_MAPPED);
    CHECK(query_model_open(&mem, path, 0, &err) == 0 && mem.source == QUERY_IN_MEMORY);
    int same = 1;
    float qa[DIM], qb[DIM];
    for (int t = 0; t < 20; t++) {
        int64_t a = (int64_t)rng_below(ROWS), b = (int64_t)rng_below(ROWS),
                c = (int64_t)rng_below(ROWS);
        same &= query_model_find(&mm, words[a]) == a && query_model_find(&mem, words[a]) == a;
        CHECK(query_vector_analogy(&mm, a, b, c, qa, NULL) == 0);
        CHECK(query_vector_analogy(&mem, a, b, c, qb, NULL) == 0);
        same &= memcmp(qa, qb, sizeof qa) == 0;
        int64_t ex[3] = {a, b, c};
        struct query_request ra = {qa, ex, 3}, rb = {qb, ex, 3};
        struct query_hit ha[10], hb[10];
        size_t na, nb;
        struct query_options opt = {10, t % 2 ? 0 : 777, 1 + t % 4};
        CHECK(query_topk(&mm, &ra, 1, &opt, ha, &na, NULL) == 0);
        CHECK(query_topk(&mem, &rb, 1, &opt, hb, &nb, NULL) == 0);
        same &= na == nb && memcmp(ha, hb, na * sizeof *ha) == 0;
        float sa, sb;
        CHECK(query_similarity(&mm, a, 5, &sa, NULL) == 0 && sa == 0.0f);
        CHECK(query_similarity(&mm, a, b, &sa, NULL) == 0);
        CHECK(query_similarity(&mem, a, b, &sb, NULL) == 0);
        same &= sa == sb;
        size_t len;
        const char *w = query_model_word(&mm, c, &len);
        same &= len == strlen(words[c]) && memcmp(w, words[c], len) == 0;
    }
    CHECK(same);
    query_model_release(&mm);
    query_model_release(&mem);

    /* Poison row 1234 with a NaN directly in the file's bytes. */
    FILE *fp = fopen(path, "r+b");
    char head[64];
    CHECK(fgets(head, sizeof head, fp) != NULL);
    long off = (long)strlen(head);
    for (int r = 0; r < 1234; r++)
        off += (long)strlen(words[r]) + 1 + DIM * 4 + 1;
    off += (long)strlen(words[1234]) + 1 + 8; /* the third float */
    fseek(fp, off, SEEK_SET);
    const unsigned char nan_le[4] = {0, 0, 0xc0, 0x7f};
    fwrite(nan_le, 1, 4, fp);
    fclose(fp);
    CHECK(query_model_open(&mm, path, 1, &err) == 0); /* values are checked by scans */
    float q[DIM];
    int64_t zero = 0;
    CHECK(query_vector_nearest(&mm, &zero, 1, q, NULL) == 0);
    struct query_request req = {q, &zero, 1};
    struct query_hit h[3];
    size_t nh;
    for (int threads = 1; threads <= 3; threads++) {
        struct query_options opt = {3, 0, threads};
        memset(&err, 0, sizeof err);
        CHECK(query_topk(&mm, &req, 1, &opt, h, &nh, &err) == W2V_EFORMAT &&
              strstr(err.message, "'word_1234'"));
    }
    struct query_options small = {3, 1000, 2}; /* the bad row is not a candidate */
    CHECK(query_topk(&mm, &req, 1, &small, h, &nh, NULL) == 0 && nh == 3);
    int64_t bad = 1234;
    CHECK(query_vector_nearest(&mm, &bad, 1, q, &err) == W2V_EFORMAT);
    query_model_release(&mm);
    CHECK(query_model_open(&mem, path, 0, &err) == W2V_EFORMAT); /* the reader refuses it */
    unlink(path);
    for (int r = 0; r < ROWS; r++)
        free(words[r]);
    free(words);
    free(x);
}

int main(void)
{
    TEST_RUN(test_heap_matches_sort);
    TEST_RUN(test_normalisation);
    TEST_RUN(test_topk_brute_force);
    TEST_RUN(test_planted_analogy);
    TEST_RUN(test_mapped_equals_memory);
    return TEST_REPORT("test_query");
}
