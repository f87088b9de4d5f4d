/* test_classes.c — spherical k-means on planted clusters. */
#include <stdint.h>

#include "test.h"
#include "w2v/classes.h"
#include "w2v/sampling.h"

#define DIM 8
#define PER 50
#define NC 4
#define ROWS (NC * PER)

/* ROWS points around NC orthogonal directions (with noise and random
 * lengths), in shuffled order; planted[i] is the true cluster of row i. */
static void planted(float *data, size_t stride, int *truth, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, 0);
    int order[ROWS];
    for (int i = 0; i < ROWS; i++)
        order[i] = i;
    for (int i = ROWS - 1; i > 0; i--) {
        int j = (int)rng_below(&r, (uint64_t)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < ROWS; i++) {
        int c = order[i] % NC;
        float len = 0.5f + 2.0f * rng_uniform(&r);
        truth[i] = c;
        for (size_t d = 0; d < stride; d++)
            data[(size_t)i * stride + d] = 0.0f;
        for (int d = 0; d < DIM; d++)
            data[(size_t)i * stride + (size_t)d] =
                len * ((d == 2 * c ? 1.0f : 0.0f) + 0.25f * (rng_uniform(&r) - 0.5f));
    }
}

/* Classes match the truth up to renaming. */
static int recovers(const int32_t *cls, const int *truth)
{
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < ROWS; j++)
            if ((truth[i] == truth[j]) != (cls[i] == cls[j]))
                return 0;
    return 1;
}

static void test_planted(void)
{
    float data[ROWS * DIM];
    int truth[ROWS];
    int32_t a[ROWS], b[ROWS];
    struct classes_options o;
    struct classes_stats st;
    struct w2v_err err = {0};
    int all_recovered = 1, all_converged = 1;
    classes_options_default(&o);
    o.k = NC;
    /* Every seed recovers the planted clusters (k-means++ seeds them far
     * apart), and converges. */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        planted(data, DIM, truth, seed);
        o.seed = seed;
        CHECK(classes_kmeans(data, ROWS, DIM, DIM, &o, a, &st, &err) == 0);
        all_recovered &= recovers(a, truth);
        all_converged &= st.converged && st.iterations <= 10;
    }
    CHECK(all_recovered);
    CHECK(all_converged);
    CHECK(st.mean_cosine > 0.9 && st.mean_cosine <= 1.0);
    /* The same seed gives the same classes, on any number of threads. */
    o.seed = 5;
    CHECK(classes_kmeans(data, ROWS, DIM, DIM, &o, a, NULL, &err) == 0);
    o.threads = 3;
    CHECK(classes_kmeans(data, ROWS, DIM, DIM, &o, b, NULL, &err) == 0);
    CHECK(memcmp(a, b, sizeof a) == 0);
    /* A padded matrix (the trainer's layout) gives the same result. */
    static float padded[ROWS * 16];
    int truth2[ROWS];
    planted(padded, 16, truth2, 20);
    o.seed = 9;
    CHECK(classes_kmeans(padded, ROWS, DIM, 16, &o, b, NULL, &err) == 0);
    CHECK(recovers(b, truth2));
}

static void test_every_word(void)
{
    float data[ROWS * DIM];
    int truth[ROWS];
    int32_t cls[ROWS];
    struct classes_options o;
    struct w2v_err err = {0};
    planted(data, DIM, truth, 3);
    classes_options_default(&o);
    /* More classes than clusters, up to one class per word: every word gets
     * a class in range and no class stays empty. */
    int32_t ks[] = {1, 7, 37, ROWS};
    for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
        o.k = ks[t];
        o.max_iter = 50;
        CHECK(classes_kmeans(data, ROWS, DIM, DIM, &o, cls, NULL, &err) == 0);
        int used[ROWS] = {0}, in_range = 1, n_used = 0;
        for (int i = 0; i < ROWS; i++) {
            if (cls[i] < 0 || cls[i] >= o.k)
                in_range = 0;
            else if (!used[cls[i]]++)
                n_used++;
        }
        CHECK(in_range);
        CHECK(n_used == o.k);
    }
    /* --iter 1: one round, not converged. */
    struct classes_stats st;
    o.k = 7;
    o.max_iter = 1;
    CHECK(classes_kmeans(data, ROWS, DIM, DIM, &o, cls, &st, &err) == 0);
    CHECK(st.iterations == 1 && !st.converged);
    /* Bad k. */
    o.max_iter = 10;
    o.k = 0;
    CHECK(classes_kmeans(data, ROWS, DIM, DIM, &o, cls, NULL, &err) == W2V_EINVAL);
    o.k = ROWS + 1;
    CHECK(classes_kmeans(data, ROWS, DIM, DIM, &o, cls, NULL, &err) == W2V_EINVAL);
    o.k = 2;
    CHECK(classes_kmeans(data, ROWS, DIM, DIM - 1, &o, cls, NULL, &err) == W2V_EINVAL);
}

static void test_degenerate(void)
{
    /* Zero rows and identical rows: no NaN, every word a valid class. */
    float data[6 * 2] = {0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0};
    int32_t cls[6];
    struct classes_options o;
    struct w2v_err err = {0};
    classes_options_default(&o);
    o.k = 3;
    CHECK(classes_kmeans(data, 6, 2, 2, &o, cls, NULL, &err) == 0);
    int ok = 1, used[3] = {0};
    for (int i = 0; i < 6; i++) {
        ok &= cls[i] >= 0 && cls[i] < 3;
        if (cls[i] >= 0 && cls[i] < 3)
            used[cls[i]] = 1;
    }
    CHECK(ok);
    /* Seeds that coincide leave classes empty at first; they are reseeded. */
    CHECK(used[0] && used[1] && used[2]);
}

static void test_mean_cosine(void)
{
    /* (1,0) and (0,1) in one class: the centre is (1,1)/sqrt2, cos 0.7071;
     * (3,0) alone: cos 1. Rows with class -1 are skipped. */
    float data[] = {1, 0, 0, 1, 3, 0, 5, 5};
    int32_t cls[] = {0, 0, 1, -1};
    double m;
    struct w2v_err err = {0};
    CHECK(classes_mean_cosine(data, 4, 2, 2, cls, 2, &m, &err) == 0);
    CHECK_NEAR(m, (2 * sqrt(0.5) + 1) / 3, 1e-6);
    int32_t none[] = {-1, -1, -1, -1};
    CHECK(classes_mean_cosine(data, 4, 2, 2, none, 2, &m, &err) == W2V_EINVAL);
}

int main(void)
{
    TEST_RUN(test_planted);
    TEST_RUN(test_every_word);
    TEST_RUN(test_degenerate);
    TEST_RUN(test_mean_cosine);
    return TEST_REPORT("test_classes");
}
