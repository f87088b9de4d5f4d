/* test_eval_stats.c — eval_stats.c: average ranks, Spearman and Pearson
 * against hand values and a brute force. */
#include <stdint.h>

#include "test.h"
#include "test_rand.h"
#include "w2v/eval.h"

/* ---- helpers ------------------------------------------------------------------ */

/* A deterministic generator (splitmix64), so failures reproduce. */
static uint64_t rng_state = 42;

/* Build a struct vectors in memory: rows words, dim floats each (data may be
 * NULL for zeros). Returns 0 on success. */
static void test_rank_ties(void)
{
    const double x[] = {3, 1, 4, 1, 5};
    double r[5];
    CHECK(eval_rank(x, 5, r) == 0);
    CHECK_NEAR(r[0], 3, 0);
    CHECK_NEAR(r[1], 1.5, 0);
    CHECK_NEAR(r[2], 4, 0);
    CHECK_NEAR(r[3], 1.5, 0);
    CHECK_NEAR(r[4], 5, 0);
    const double same[] = {7, 7, 7, 7};
    double rs[4];
    CHECK(eval_rank(same, 4, rs) == 0);
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(rs[i], 2.5, 0);
    /* Property: ranks of any list sum to n(n+1)/2. */
    double big[200], rb[200], sum = 0;
    for (int i = 0; i < 200; i++)
        big[i] = (double)(test_splitmix(&rng_state) % 17); /* many ties */
    CHECK(eval_rank(big, 200, rb) == 0);
    for (int i = 0; i < 200; i++)
        sum += rb[i];
    CHECK_NEAR(sum, 200.0 * 201.0 / 2.0, 1e-9);
}

static void test_spearman_hand(void)
{
    /* ry = {1, 2, 3.5, 5, 3.5}: rho = 8 / sqrt(10 * 9.5). */
    const double x[] = {1, 2, 3, 4, 5}, y[] = {5, 6, 7, 8, 7};
    CHECK_NEAR(eval_spearman(x, y, 5), 8.0 / sqrt(95.0), 1e-12);
    /* Ties on both sides: rx = {1.5,1.5,3,4}, ry = {1,2.5,2.5,4}: 3.75/4.5. */
    const double a[] = {1, 1, 2, 3}, b[] = {1, 2, 2, 3};
    CHECK_NEAR(eval_spearman(a, b, 4), 3.75 / 4.5, 1e-12);
    /* Rank-based: any increasing map gives 1, a decreasing one -1. */
    double u[50], v[50], w[50];
    for (int i = 0; i < 50; i++) {
        u[i] = test_normal(&rng_state);
        v[i] = exp(3 * u[i]);
        w[i] = -u[i] * u[i] * u[i];
    }
    CHECK_NEAR(eval_spearman(u, v, 50), 1.0, 1e-12);
    CHECK_NEAR(eval_spearman(u, w, 50), -1.0, 1e-12);
    CHECK_NEAR(eval_spearman(v, u, 50), eval_spearman(u, v, 50), 1e-15);
    /* Undefined cases. */
    const double c[] = {2, 2, 2};
    CHECK(isnan(eval_spearman(x, c, 3)));
    CHECK(isnan(eval_spearman(x, y, 1)));
}

static void test_pearson(void)
{
    const double x[] = {1, 2, 3, 4}, y[] = {2, 4, 5, 9};
    CHECK_NEAR(eval_pearson(x, y, 4), 11.0 / sqrt(130.0), 1e-12);
    double u[40], v[40];
    for (int i = 0; i < 40; i++) {
        u[i] = test_normal(&rng_state);
        v[i] = 3 * u[i] + 2;
    }
    CHECK_NEAR(eval_pearson(u, v, 40), 1.0, 1e-12);
    for (int i = 0; i < 40; i++)
        v[i] = -0.5 * u[i];
    CHECK_NEAR(eval_pearson(u, v, 40), -1.0, 1e-12);
    const double c[] = {1, 1, 1, 1};
    CHECK(isnan(eval_pearson(x, c, 4)));
    CHECK(isnan(eval_pearson(x, y, 1)));
}

int main(void)
{
    TEST_RUN(test_rank_ties);
    TEST_RUN(test_spearman_hand);
    TEST_RUN(test_pearson);
    return TEST_REPORT("test_eval_stats");
}
