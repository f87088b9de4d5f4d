/* test_eval.c — eval.c: case-folded lookup, the analogy search against a
 * brute-force double-precision reference, similarity, mapped models.
 * Parsing and statistics: test_eval_parse.c, test_eval_stats.c. */
#include <stdint.h>

#include "test.h"
#include "test_rand.h"
#include "w2v/eval.h"
#include "w2v/vectors.h"

/* ---- helpers ------------------------------------------------------------------ */

/* A deterministic generator (splitmix64), so failures reproduce. */
static uint64_t rng_state = 42;

/* Build a struct vectors in memory: rows words, dim floats each (data may be
 * NULL for zeros). Returns 0 on success. */
/* A query model over rows words/data (zeros when data is NULL). */
static int make_model(struct query_model *m, const char *const *words, int64_t rows,
                      int32_t dim, const float *data)
{
    struct vectors v;
    vectors_init(&v);
    memset(m, 0, sizeof *m);
    v.rows = rows;
    v.dim = dim;
    v.words = w2v_calloc((size_t)rows, sizeof *v.words);
    v.data = w2v_aligned_alloc((size_t)rows * (size_t)dim * sizeof(float));
    if (!v.words || !v.data)
        goto fail;
    for (int64_t r = 0; r < rows; r++)
        if (!(v.words[r] = w2v_strndup(words[r], strlen(words[r]))))
            goto fail;
    for (size_t i = 0; i < (size_t)rows * (size_t)dim; i++)
        v.data[i] = data ? data[i] : 0.0f;
    return query_model_from_vectors(m, &v);
fail:
    vectors_release(&v);
    return -1;
}

/* Parse questions text q into qs, zero res. */
static void questions_setup(struct eval_questions *qs, struct eval_analogy_result *res,
                            const char *q, size_t len)
{
    struct w2v_err err = {0};
    eval_questions_init(qs);
    memset(res, 0, sizeof *res);
    CHECK(eval_questions_parse(qs, q, len, "q", &err) == 0);
}

/* ---- case folding ------------------------------------------------------------ */

static void test_vocab_fold(void)
{
    const char *words[] = {"the", "Paris", "paris", "PARIS", "Berlin", "\xc3\xbc" "ber",
                           "\xc3\x9c" "ber"};
    struct query_model model;
    struct eval_vocab ev;
    CHECK(make_model(&model, words, 7, 2, NULL) == 0);
    eval_vocab_init(&ev);
    CHECK(eval_vocab_build(&ev, &model, 0, NULL) == 0);
    CHECK(ev.rows == 7);
    CHECK(eval_vocab_find(&ev, "paris") == 1);
    CHECK(eval_vocab_find(&ev, "PaRiS") == 1);
    CHECK(eval_vocab_find(&ev, "Paris") == 1);
    CHECK(eval_vocab_find(&ev, "BERLIN") == 4);
    CHECK(eval_vocab_find(&ev, "THE") == 0);
    CHECK(eval_vocab_find(&ev, "pari") == -1);
    CHECK(eval_vocab_find(&ev, "parisx") == -1);
    /* Only ASCII letters fold: the two spellings of "über" stay apart. */
    CHECK(eval_vocab_find(&ev, "\xc3\xbc" "BER") == 5);
    CHECK(eval_vocab_find(&ev, "\xc3\x9c" "ber") == 6);
    /* The class of Paris lists its rows in order. */
    CHECK(ev.head[1] == 1 && ev.head[2] == 1 && ev.head[3] == 1 && ev.head[4] == 4);
    CHECK(ev.next[1] == 2 && ev.next[2] == 3 && ev.next[3] == -1);
    /* Restricted to the first 2 rows. */
    CHECK(eval_vocab_build(&ev, &model, 2, NULL) == 0);
    CHECK(ev.rows == 2);
    CHECK(eval_vocab_find(&ev, "PARIS") == 1);
    CHECK(eval_vocab_find(&ev, "berlin") == -1);
    eval_vocab_release(&ev);
    eval_vocab_release(&ev); /* twice is safe */
    CHECK(eval_vocab_find(&ev, "the") == -1);
    query_model_release(&model);
}

/* ---- analogies ---------------------------------------------------------------------- */

/* The planted case: vectors built so that each answer is exactly b - a + c. */
static void test_analogy_planted(void)
{
    /* Basis directions: gender g, royalty r, person p, fruit f, colour c. */
    enum { D = 5 };
    const char *words[] = {"man", "woman", "king", "queen", "apple", "red", "KING", "Queen"};
    const float data[][D] = {
        {0, 0, 1, 0, 0},  /* man = p */
        {1, 0, 1, 0, 0},  /* woman = g + p */
        {0, 1, 1, 0, 0},  /* king = r + p */
        {1, 1, 1, 0, 0},  /* queen = g + r + p = king - man + woman */
        {0, 0, 0, 1, 0},  /* apple */
        {0, 0, 0, 0, 1},  /* red */
        {0, 1, 1, 0, 0},  /* KING: a later spelling of king, same vector */
        {1, 1, 1, 0, 0.01f}, /* Queen: a later spelling of queen */
    };
    struct query_model model;
    CHECK(make_model(&model, words, 8, D, &data[0][0]) == 0);
    const char q[] = ": royalty\n"
                     "man woman king queen\n"
                     "MAN Woman King QUEEN\n"   /* case-folded */
                     "woman man queen king\n"
                     ": gram-plural\n"
                     "man king woman queen\n"
                     "man woman pear queen\n"   /* unknown word: skipped */
                     ": empty\n";
    struct eval_questions qs;
    struct eval_analogy_result res;
    struct w2v_err err = {0};
    questions_setup(&qs, &res, q, sizeof q - 1);
    for (int m = 0; m < 2; m++) {
        struct eval_analogy_options opt = {0, m ? EVAL_3COSMUL : EVAL_3COSADD, 1, 0};
        CHECK(eval_analogy(&model, &qs, &opt, &res, &err) == 0);
        CHECK(res.n_sections == 3);
        CHECK(res.correct == 4 && res.total == 4 && res.skipped == 1);
        CHECK(res.semantic_correct == 3 && res.semantic_total == 3);
        CHECK(res.syntactic_correct == 1 && res.syntactic_total == 1);
        CHECK(res.sections[2].total == 0 && res.sections[2].correct == 0);
        CHECK(res.sections[1].skipped == 1);
        CHECK(res.predicted[0] == 3);  /* queen, the first spelling */
        CHECK(res.predicted[1] == 3);
        CHECK(res.predicted[2] == 2);  /* king, not KING (same vector, later row) */
        CHECK(res.predicted[4] == -1); /* skipped */
        CHECK(res.rows_used == 8);
    }
    /* Restrict to 3 rows: queen is outside, so every question is skipped. */
    struct eval_analogy_options opt3 = {3, EVAL_3COSADD, 1, 0};
    CHECK(eval_analogy(&model, &qs, &opt3, &res, &err) == 0);
    CHECK(res.total == 0 && res.skipped == 5 && res.correct == 0 && res.rows_used == 3);
    eval_analogy_result_release(&res);
    eval_analogy_result_release(&res);
    eval_questions_release(&qs);
    query_model_release(&model);
}

/* Rows folding to the question words are never answers, even a case
 * variant holding the best-scoring vector. */
static void test_analogy_excludes_variants(void)
{
    enum { D = 3 };
    const char *words[] = {"a", "b", "c", "d", "B"};
    const float data[][D] = {
        {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-0.2f, 0.7f, 0.7f},
        {-1, 1, 1}, /* B scores best for b - a + c but folds to b */
    };
    struct query_model model;
    CHECK(make_model(&model, words, 5, D, &data[0][0]) == 0);
    const char q[] = ": s\na b c d\n";
    struct eval_questions qs;
    struct eval_analogy_result res;
    questions_setup(&qs, &res, q, sizeof q - 1);
    struct eval_analogy_options opt = {0, EVAL_3COSADD, 1, 0};
    CHECK(eval_analogy(&model, &qs, &opt, &res, NULL) == 0);
    CHECK(res.predicted[0] == 3);
    CHECK(res.correct == 1);
    /* With only the question words as candidates, there is no answer. */
    struct eval_analogy_options opt3 = {3, EVAL_3COSADD, 1, 0};
    const char q3[] = ": s\na b c a\n";
    CHECK(eval_questions_parse(&qs, q3, sizeof q3 - 1, "q", NULL) == 0);
    CHECK(eval_analogy(&model, &qs, &opt3, &res, NULL) == 0);
    CHECK(res.predicted[0] == -1 && res.total == 1 && res.correct == 0);
    eval_analogy_result_release(&res);
    eval_questions_release(&qs);
    query_model_release(&model);
}

/* Random vectors and questions against a double-precision brute force:
 * same predictions (where the brute force's best is not a near-tie), and
 * the same counts; the thread count and block size change nothing. */
static void test_analogy_brute_force(void)
{
    enum { V = 700, D = 24, N = 500, NQ = 400 };
    static char names[V][16];
    const char *words[V];
    static float data[V * D];
    static double unit[V][D];
    /* Structured so that analogies partly hold: row x + 23 y is
     * e1[x] + e2[y] + noise, and a question (x1,y1) (x1,y2) (x2,y1) (x2,y2)
     * has its answer near b - a + c. */
    static double e1[23][D], e2[29][D];
    for (int i = 0; i < 23; i++)
        for (int k = 0; k < D; k++)
            e1[i][k] = test_normal(&rng_state);
    for (int i = 0; i < 29; i++)
        for (int k = 0; k < D; k++)
            e2[i][k] = test_normal(&rng_state);
    for (int r = 0; r < V; r++) {
        /* Every 50th row is an upper-case spelling of an earlier word. */
        if (r % 50 == 49)
            snprintf(names[r], sizeof names[r], "W%d", r - 7);
        else
            snprintf(names[r], sizeof names[r], "w%d", r);
        words[r] = names[r];
        double norm = 0;
        for (int k = 0; k < D; k++) {
            double x = e1[r % 23][k] + e2[(r / 23) % 29][k] + 0.7 * test_normal(&rng_state);
            data[r * D + k] = (float)(x * (1 + r % 3));
            norm += (double)data[r * D + k] * data[r * D + k];
        }
        for (int k = 0; k < D; k++)
            unit[r][k] = data[r * D + k] / sqrt(norm);
    }
    struct query_model model;
    CHECK(make_model(&model, words, V, D, data) == 0);

    /* Rows x + 23 y >= N = 500 are outside the restricted vocabulary, so
     * their questions are skipped; mixed case on the way in. */
    static char qtext[NQ * 64 + 256];
    size_t len = 0;
    int qrow[NQ][4];
    int qsec[NQ];
    for (int i = 0; i < NQ; i++) {
        if (i % 100 == 0)
            len += (size_t)snprintf(qtext + len, sizeof qtext - len, ": %s%d\n",
                                    (i / 100) % 2 ? "gram" : "sem", i / 100);
        int ok;
        do {
            int x1 = (int)(test_splitmix(&rng_state) % 23), x2 = (int)(test_splitmix(&rng_state) % 23);
            int y1 = (int)(test_splitmix(&rng_state) % 29), y2 = (int)(test_splitmix(&rng_state) % 29);
            qrow[i][0] = x1 + 23 * y1;
            qrow[i][1] = x1 + 23 * y2;
            qrow[i][2] = x2 + 23 * y1;
            qrow[i][3] = x2 + 23 * y2;
            ok = x1 != x2 && y1 != y2;
            for (int k = 0; k < 4; k++)
                ok &= qrow[i][k] % 50 != 49; /* ask by the first spelling's name */
        } while (!ok);
        qsec[i] = i / 100;
        len += (size_t)snprintf(qtext + len, sizeof qtext - len, "%s%d w%d W%d w%d\n",
                                i % 2 ? "W" : "w", qrow[i][0], qrow[i][1], qrow[i][2],
                                qrow[i][3]);
    }
    /* Class head of each row (folding W<n> onto w<n>). */
    int head[V];
    for (int r = 0; r < V; r++)
        head[r] = r % 50 == 49 ? r - 7 : r;

    struct eval_questions qs;
    struct w2v_err err = {0};
    eval_questions_init(&qs);
    CHECK(eval_questions_parse(&qs, qtext, len, "q", &err) == 0);
    CHECK(qs.n == NQ);

    for (int m = 0; m < 2; m++) {
        int64_t brute[NQ];
        int uncertain = 0, sec_correct[4] = {0}, sec_total[4] = {0}, skipped = 0;
        for (int i = 0; i < NQ; i++) {
            brute[i] = -1;
            int known = 1;
            for (int k = 0; k < 4; k++)
                known &= qrow[i][k] < N;
            if (!known) {
                skipped++;
                continue;
            }
            double best = -INFINITY, second = -INFINITY;
            for (int r = 0; r < N; r++) {
                if (head[r] == qrow[i][0] || head[r] == qrow[i][1] || head[r] == qrow[i][2])
                    continue;
                double ca = 0, cb = 0, cc = 0;
                for (int k = 0; k < D; k++) {
                    ca += unit[r][k] * unit[qrow[i][0]][k];
                    cb += unit[r][k] * unit[qrow[i][1]][k];
                    cc += unit[r][k] * unit[qrow[i][2]][k];
                }
                double s = m == 0 ? cb - ca + cc
                                  : ((cb + 1) / 2) * ((cc + 1) / 2) / ((ca + 1) / 2 + 0.001);
                if (s > best) {
                    second = best;
                    best = s;
                    brute[i] = r;
                } else if (s > second) {
                    second = s;
                }
            }
            uncertain += best - second < 1e-4;
            sec_total[qsec[i]]++;
            sec_correct[qsec[i]] += head[brute[i]] == qrow[i][3];
        }
        CHECK(uncertain < NQ / 20);

        int64_t first_pred[NQ];
        const int threads[] = {1, 2, 3, 1};
        const size_t blocks[] = {0, 16, 48, 100};
        for (int t = 0; t < 4; t++) {
            struct eval_analogy_result res;
            memset(&res, 0, sizeof res);
            struct eval_analogy_options opt = {N, m ? EVAL_3COSMUL : EVAL_3COSADD, threads[t],
                                               blocks[t]};
            CHECK(eval_analogy(&model, &qs, &opt, &res, &err) == 0);
            if (!res.predicted)
                continue;
            int differ = 0;
            for (int i = 0; i < NQ; i++) {
                if (t == 0)
                    first_pred[i] = res.predicted[i];
                else
                    differ += res.predicted[i] != first_pred[i];
            }
            CHECK(differ == 0);
            int mismatch = 0, counted_total = 0, counted_correct = 0;
            for (int i = 0; i < NQ; i++) {
                if (brute[i] < 0) {
                    mismatch += res.predicted[i] != -1;
                    continue;
                }
                counted_total++;
                counted_correct += head[res.predicted[i]] == qrow[i][3];
                /* Near-ties may go either way in float; others must agree. */
                if (res.predicted[i] != brute[i])
                    mismatch++;
            }
            CHECK(mismatch <= uncertain);
            if (getenv("TEST_VERBOSE"))
                fprintf(stderr, "method %d threads %d: %d uncertain, %d mismatches, %lld/%lld "
                        "correct\n", m, threads[t], uncertain, mismatch, (long long)res.correct,
                        (long long)res.total);
            CHECK(res.skipped == skipped);
            CHECK(res.total == counted_total && res.correct == counted_correct);
            if (uncertain == 0)
                for (int s = 0; s < 4; s++)
                    CHECK(res.sections[s].correct == sec_correct[s] &&
                          res.sections[s].total == sec_total[s]);
            CHECK(res.semantic_total == res.sections[0].total + res.sections[2].total);
            CHECK(res.syntactic_correct == res.sections[1].correct + res.sections[3].correct);
            CHECK(res.correct == res.semantic_correct + res.syntactic_correct);
            /* The structure shows: neither none nor all right. */
            CHECK(res.correct > res.total / 5 && res.correct < res.total);
            eval_analogy_result_release(&res);
        }
    }
    eval_questions_release(&qs);
    query_model_release(&model);
}

/* ---- similarity -------------------------------------------------------------------- */

static void test_similarity(void)
{
    enum { D = 2 };
    const char *words[] = {"a", "b", "c", "d", "Z", "zero"};
    const float data[][D] = {{1, 0}, {3, 4}, {0, 2}, {-1, 1}, {5, 5}, {0, 0}};
    struct query_model model;
    CHECK(make_model(&model, words, 6, D, &data[0][0]) == 0);
    const char text[] = "A\tb\t9\n"   /* cos 0.6 */
                        "a c 2\n"     /* cos 0 */
                        "b c 8\n"     /* cos 0.8 */
                        "a d 1\n"     /* cos -0.7071 */
                        "z a 5\n"     /* Z folds: cos 0.7071 */
                        "a zero 3\n"  /* zero row: cos 0 */
                        "a nope 4\n"; /* unknown: skipped */
    struct eval_pairs ps;
    struct eval_similarity_result res;
    struct w2v_err err = {0};
    eval_pairs_init(&ps);
    CHECK(eval_pairs_parse(&ps, text, sizeof text - 1, "p", &err) == 0);
    CHECK(eval_similarity(&model, &ps, 0, &res, &err) == 0);
    CHECK(res.pairs == 6 && res.skipped == 1);
    const double gold[] = {9, 2, 8, 1, 5, 3};
    const double cosv[] = {0.6, 0, 0.8, -sqrt(0.5), sqrt(0.5), 0};
    CHECK_NEAR(res.spearman, eval_spearman(gold, cosv, 6), 1e-6);
    CHECK_NEAR(res.pearson, eval_pearson(gold, cosv, 6), 1e-6);
    /* By hand: gold ranks {6,2,5,1,4,3}; cosine ranks {4,2.5,6,1,5,2.5}. */
    const double rg[] = {6, 2, 5, 1, 4, 3}, rc[] = {4, 2.5, 6, 1, 5, 2.5};
    CHECK_NEAR(res.spearman, eval_pearson(rg, rc, 6), 1e-12);
    /* Restricted to 3 rows: only a-b (A folds), a-c, b-c remain. */
    CHECK(eval_similarity(&model, &ps, 3, &res, &err) == 0);
    CHECK(res.pairs == 3 && res.skipped == 4);
    /* No known pair at all. */
    const char unknown[] = "x y 1\nq r 2\n";
    CHECK(eval_pairs_parse(&ps, unknown, sizeof unknown - 1, "p", &err) == 0);
    CHECK(eval_similarity(&model, &ps, 0, &res, &err) == W2V_EEMPTY);
    CHECK(res.pairs == 0 && res.skipped == 2 && isnan(res.spearman));
    eval_pairs_release(&ps);
    query_model_release(&model);
}

/* ---- --oov: question words outside the first N rows --------------------------- */

/* The hook of the --oov tests: "lady" is woman's vector (scaled: eval
 * normalises), "prince" king's; "boom" fails; anything else has none.
 * Counts its calls. */
static int oov_calls;
static int test_oov_vector(void *ctx, const char *word, float *out, struct w2v_err *err)
{
    (void)ctx;
    oov_calls++;
    const float lady[5] = {2, 0, 2, 0, 0}, prince[5] = {0, 1, 1, 0, 0};
    if (strcmp(word, "lady") == 0 || strcmp(word, "prince") == 0) {
        memcpy(out, word[0] == 'l' ? lady : prince, sizeof lady);
        return 0;
    }
    if (strcmp(word, "boom") == 0)
        return w2v_fail(err, W2V_EIO, "the hook failed on 'boom'");
    return 1;
}

static void test_analogy_oov(void)
{
    enum { D = 5 };
    const char *words[] = {"man", "woman", "king", "queen", "apple", "red"};
    const float data[][D] = {
        {0, 0, 1, 0, 0}, {1, 0, 1, 0, 0}, {0, 1, 1, 0, 0}, {1, 1, 1, 0, 0},
        {0, 0, 0, 1, 0}, {0, 0, 0, 0, 1},
    };
    struct query_model model;
    CHECK(make_model(&model, words, 6, D, &data[0][0]) == 0);
    const char q[] = ": royalty\n"
                     "man lady king queen\n"    /* a, b, c: lady from the hook */
                     "man woman prince queen\n"
                     "man woman king lady\n"    /* d is no candidate: skipped */
                     "man zzz king queen\n"     /* the hook has nothing: skipped */
                     "man woman king queen\n"   /* in the vocabulary */
                     "MAN LADY king queen\n"    /* lady again (folded): one call */
                     "red woman king queen\n";  /* red: row 5, past --restrict 4 */
    struct eval_questions qs;
    struct eval_analogy_result res;
    struct w2v_err err = {0};
    questions_setup(&qs, &res, q, sizeof q - 1);
    const struct eval_oov hook = {test_oov_vector, NULL};
    struct eval_analogy_options opt = {4, EVAL_3COSADD, 1, 0};
    /* Without: only the question whose four words are among the 4 rows. */
    CHECK(eval_analogy(&model, &qs, &opt, &res, &err) == 0);
    CHECK(res.total == 1 && res.skipped == 6 && res.correct == 1);
    CHECK(res.vocab_total == 1 && res.vocab_correct == 1);
    CHECK(res.oov_rows == 0 && res.oov_hook == 0);
    /* With: coverage rises from 1 to 5 questions, all answered right. */
    for (int threads = 1; threads <= 2; threads++) {
        oov_calls = 0;
        opt.threads = threads;
        CHECK(eval_analogy_oov(&model, &qs, &opt, &hook, &res, &err) == 0);
        CHECK(res.total == 5 && res.skipped == 2 && res.correct == 5);
        CHECK(res.vocab_total == 1 && res.vocab_correct == 1);
        CHECK(res.predicted[0] == 3 && res.predicted[1] == 3 && res.predicted[6] == 3);
        CHECK(res.predicted[2] == -1 && res.predicted[3] == -1);
        CHECK(res.oov_rows == 1 && res.oov_hook == 2); /* red; lady, prince */
        CHECK(oov_calls == 3);                         /* lady, prince, zzz: once each */
    }
    /* A failing hook fails the evaluation, result released. */
    const char qb[] = ": s\nman boom king queen\n";
    CHECK(eval_questions_parse(&qs, qb, sizeof qb - 1, "q", &err) == 0);
    CHECK(eval_analogy_oov(&model, &qs, &opt, &hook, &res, &err) == W2V_EIO);
    CHECK(res.sections == NULL && res.total == 0 && strstr(err.message, "boom") != NULL);
    eval_analogy_result_release(&res);
    eval_questions_release(&qs);
    query_model_release(&model);
}

static void test_similarity_oov(void)
{
    enum { D = 5 };
    const char *words[] = {"man", "woman", "king", "queen"};
    const float data[][D] = {{0, 0, 1, 0, 0}, {1, 0, 1, 0, 0}, {0, 1, 1, 0, 0}, {1, 1, 1, 0, 0}};
    struct query_model model;
    CHECK(make_model(&model, words, 4, D, &data[0][0]) == 0);
    const char text[] = "woman lady 5\n"  /* cos 1 */
                        "man Lady 3\n"    /* cos 1/sqrt(2); Lady folds to lady */
                        "man zzz 1\n"     /* skipped both ways */
                        "king queen 4\n"  /* cos 2/sqrt(6) */
                        "queen man 2\n";  /* cos 1/sqrt(3) */
    struct eval_pairs ps;
    struct eval_similarity_result res;
    struct w2v_err err = {0};
    eval_pairs_init(&ps);
    CHECK(eval_pairs_parse(&ps, text, sizeof text - 1, "p", &err) == 0);
    const struct eval_oov hook = {test_oov_vector, NULL};
    CHECK(eval_similarity_oov(&model, &ps, 0, NULL, &res, &err) == 0);
    CHECK(res.pairs == 2 && res.skipped == 3 && res.vocab_pairs == 2);
    oov_calls = 0;
    CHECK(eval_similarity_oov(&model, &ps, 0, &hook, &res, &err) == 0);
    CHECK(res.pairs == 4 && res.skipped == 1 && res.vocab_pairs == 2);
    CHECK(res.oov_hook == 1 && res.oov_rows == 0 && oov_calls == 2); /* lady, zzz */
    const double gold[] = {5, 3, 4, 2};
    const double cosv[] = {1, sqrt(0.5), 2 / sqrt(6), sqrt(3) / 3};
    CHECK_NEAR(res.pearson, eval_pearson(gold, cosv, 4), 1e-6);
    CHECK_NEAR(res.spearman, eval_spearman(gold, cosv, 4), 1e-6);
    /* Restricted to row 0 (man): queen, woman, king come from rows further
     * down, lady from the hook; nothing is in the vocabulary pairs. */
    CHECK(eval_similarity_oov(&model, &ps, 1, &hook, &res, &err) == 0);
    CHECK(res.pairs == 4 && res.vocab_pairs == 0 && res.oov_rows == 3 && res.oov_hook == 1);
    CHECK_NEAR(res.pearson, eval_pearson(gold, cosv, 4), 1e-6);
    const char boom[] = "man boom 1\n";
    CHECK(eval_pairs_parse(&ps, boom, sizeof boom - 1, "p", &err) == 0);
    CHECK(eval_similarity_oov(&model, &ps, 0, &hook, &res, &err) == W2V_EIO);
    eval_pairs_release(&ps);
    query_model_release(&model);
}

/* A mapped binary file gives the same answers as the same file read into
 * memory (the query engine normalises both the same way), and a non-finite
 * mapped row is reported, not scored. */
static void test_eval_mapped(void)
{
    enum { V = 300, D = 16 };
    static char names[V][16];
    const char *words[V];
    static float data[V * D];
    for (int r = 0; r < V; r++) {
        snprintf(names[r], sizeof names[r], r % 7 == 6 ? "W%d" : "w%d", r % 7 == 6 ? r - 3 : r);
        words[r] = names[r];
        for (int k = 0; k < D; k++)
            data[r * D + k] = (float)test_normal(&rng_state);
    }
    char path[256];
    test_tmp_path(path, sizeof path, "eval-map.bin");
    struct w2v_err err = {0};
    CHECK(vectors_write(path, VECTORS_BINARY, V, D, words, data, D, &err) == 0);
    struct query_model mem, map;
    CHECK(query_model_open(&mem, path, 0, &err) == 0 && mem.source == QUERY_IN_MEMORY);
    CHECK(query_model_open(&map, path, 1, &err) == 0 && map.source == QUERY_MAPPED);
    char qtext[4096];
    size_t len = (size_t)snprintf(qtext, sizeof qtext, ": s\n");
    for (int i = 0; i < 60; i++)
        len += (size_t)snprintf(qtext + len, sizeof qtext - len, "w%d W%d w%d w%d\n",
                                (i * 5) % V, (i * 11 + 3) % 7 == 6 ? (i * 11) % V : (i * 11 + 1) % V,
                                (i * 13 + 2) % V, (i * 17 + 4) % V);
    struct eval_questions qs;
    eval_questions_init(&qs);
    CHECK(eval_questions_parse(&qs, qtext, len, "q", &err) == 0);
    for (int method = 0; method < 2; method++) {
        struct eval_analogy_result a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        struct eval_analogy_options opt = {250, method ? EVAL_3COSMUL : EVAL_3COSADD, 2, 32};
        CHECK(eval_analogy(&mem, &qs, &opt, &a, &err) == 0);
        CHECK(eval_analogy(&map, &qs, &opt, &b, &err) == 0);
        CHECK(a.total == b.total && a.correct == b.correct && a.skipped == b.skipped);
        CHECK(a.total > 0);
        if (a.predicted && b.predicted)
            CHECK(memcmp(a.predicted, b.predicted, qs.n * sizeof *a.predicted) == 0);
        eval_analogy_result_release(&a);
        eval_analogy_result_release(&b);
    }
    const char pairs[] = "w0 w1 1\nw2 w3 2\nw4 w5 3\nw7 w8 2.5\nw9 nothere 1\n";
    struct eval_pairs ps;
    eval_pairs_init(&ps);
    CHECK(eval_pairs_parse(&ps, pairs, sizeof pairs - 1, "p", &err) == 0);
    struct eval_similarity_result sa, sb;
    CHECK(eval_similarity(&mem, &ps, 0, &sa, &err) == 0);
    CHECK(eval_similarity(&map, &ps, 0, &sb, &err) == 0);
    CHECK(sa.pairs == 4 && sb.pairs == 4 && sa.skipped == 1);
    CHECK(sa.spearman == sb.spearman && sa.pearson == sb.pearson);
    query_model_release(&map);
    query_model_release(&mem);

    /* Row 3 (w3) gets a NaN in the file: the mapped search names it. */
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f) {
        long off = 0;
        char head[64];
        CHECK(fgets(head, sizeof head, f) != NULL);
        off = (long)strlen(head);
        for (int r = 0; r < 3; r++)
            off += (long)strlen(words[r]) + 1 + 4 * D + 1;
        off += (long)strlen(words[3]) + 1;
        const unsigned char nan_bytes[4] = {0x00, 0x00, 0xc0, 0x7f};
        CHECK(fseek(f, off, SEEK_SET) == 0 && fwrite(nan_bytes, 1, 4, f) == 4);
        fclose(f);
        CHECK(query_model_open(&map, path, 1, &err) == 0);
        struct eval_analogy_result c;
        memset(&c, 0, sizeof c);
        struct eval_analogy_options opt = {0, EVAL_3COSADD, 2, 32};
        CHECK(eval_analogy(&map, &qs, &opt, &c, &err) == W2V_EFORMAT);
        CHECK(strstr(err.message, "'w3'") != NULL && c.predicted == NULL);
        CHECK(eval_similarity(&map, &ps, 0, &sa, &err) == W2V_EFORMAT);
        query_model_release(&map);
    }
    eval_pairs_release(&ps);
    eval_questions_release(&qs);
    unlink(path);
}

int main(void)
{
    TEST_RUN(test_vocab_fold);
    TEST_RUN(test_analogy_planted);
    TEST_RUN(test_analogy_excludes_variants);
    TEST_RUN(test_analogy_brute_force);
    TEST_RUN(test_similarity);
    TEST_RUN(test_analogy_oov);
    TEST_RUN(test_similarity_oov);
    TEST_RUN(test_eval_mapped);
    return TEST_REPORT("test_eval");
}
