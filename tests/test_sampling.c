/* test_sampling.c — RNG, alias sampler, subsampling, window shrink. */
#include <stdint.h>

#include "test.h"
#include "w2v/sampling.h"

/* Pearson's chi-square of observed against expected counts. */
static double chi_square(const int64_t *observed, const double *expected, int n)
{
    double chi = 0.0;
    for (int i = 0; i < n; i++) {
        double d = (double)observed[i] - expected[i];
        chi += d * d / expected[i];
    }
    return chi;
}

/* A generous upper bound for a chi-square with df degrees of freedom: the
 * mean plus 6 standard deviations (false alarm odds far below 1e-6). The
 * draws are seeded, so the test is deterministic anyway. */
static double chi_bound(int df) { return df + 6.0 * sqrt(2.0 * df); }

static void test_rng_streams(void)
{
    struct rng a, b, c;
    rng_seed(&a, 42, 0);
    rng_seed(&b, 42, 0);
    rng_seed(&c, 42, 1);
    int same = 1, differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
        same &= x == y;
        differ += x != z;
    }
    CHECK(same);
    CHECK(differ == 1000);
    /* seed + 1 of stream 0 is not stream 1 of the seed shifted by one. */
    struct rng d, e;
    rng_seed(&d, 43, 0);
    rng_seed(&e, 42, 1);
    CHECK(rng_next(&d) != rng_next(&e));
}

static void test_rng_uniform_and_below(void)
{
    struct rng r;
    rng_seed(&r, 7, 3);
    double sum = 0.0;
    float lo = 1.0f, hi = 0.0f;
    enum { N = 200000, BINS = 10 };
    int64_t bins[BINS] = {0};
    int in_range = 1;
    for (int i = 0; i < N; i++) {
        float u = rng_uniform(&r);
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        uint32_t k = rng_below(&r, BINS);
        in_range &= k < BINS;
        if (k < BINS)
            bins[k]++;
    }
    CHECK(lo >= 0.0f);
    CHECK(hi < 1.0f);
    CHECK_NEAR(sum / N, 0.5, 0.005);
    CHECK(in_range);
    double expected[BINS];
    for (int i = 0; i < BINS; i++)
        expected[i] = (double)N / BINS;
    CHECK(chi_square(bins, expected, BINS) < chi_bound(BINS - 1));
    /* n = 1 always gives 0; n = 2^32 stays in range. */
    int ok = 1;
    for (int i = 0; i < 1000; i++)
        ok &= rng_below(&r, 1) == 0 && rng_below(&r, UINT64_C(1) << 32) <= UINT32_MAX;
    CHECK(ok);
}

/* Draw many times from an alias table and return the chi-square against
 * counts^exponent. */
static double alias_chi(const struct alias_table *a, const int64_t *counts, int n,
                        double exponent, int draws, int64_t *hits)
{
    struct rng r;
    rng_seed(&r, 1234, 0);
    memset(hits, 0, (size_t)n * sizeof *hits);
    for (int i = 0; i < draws; i++)
        hits[alias_sample(a, &r)]++;
    double *expected = calloc((size_t)n, sizeof *expected);
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += counts[i] > 0 ? pow((double)counts[i], exponent) : 0.0;
    int m = 0;
    int64_t *obs = calloc((size_t)n, sizeof *obs);
    for (int i = 0; i < n; i++)
        if (counts[i] > 0) {
            expected[m] = draws * pow((double)counts[i], exponent) / sum;
            obs[m++] = hits[i];
        }
    double chi = chi_square(obs, expected, m);
    free(expected);
    free(obs);
    return chi;
}

static void test_alias_distribution(void)
{
    enum { N = 200, DRAWS = 400000 };
    int64_t counts[N], hits[N];
    /* Zipf-like counts, one word with count zero (like </s> in training). */
    for (int i = 0; i < N; i++)
        counts[i] = 1000000 / (i + 1);
    counts[0] = 0;
    struct alias_table a;
    struct w2v_err err;
    CHECK(alias_build(&a, counts, N, 0.75, &err) == 0);
    CHECK(a.n == N);
    double chi = alias_chi(&a, counts, N, 0.75, DRAWS, hits);
    CHECK(chi < chi_bound(N - 2));
    CHECK(hits[0] == 0);
    /* The test has power: the same draws are far off counts^1. */
    double chi_wrong = alias_chi(&a, counts, N, 1.0, DRAWS, hits);
    CHECK(chi_wrong > 10.0 * chi_bound(N - 2));
    alias_release(&a);
    alias_release(&a); /* release twice is safe */

    /* Exponent 0: uniform over the words with a count. */
    CHECK(alias_build(&a, counts, N, 0.0, &err) == 0);
    CHECK(alias_chi(&a, counts, N, 0.0, DRAWS, hits) < chi_bound(N - 2));
    alias_release(&a);

    /* A huge exponent must not overflow. */
    CHECK(alias_build(&a, counts, N, 60.0, &err) == 0);
    struct rng r;
    rng_seed(&r, 5, 5);
    int top = 0;
    for (int i = 0; i < 1000; i++)
        top += alias_sample(&a, &r) == 1;
    CHECK(top == 1000);
    alias_release(&a);
}

/* The per-thread shares: each draws ids below `from` and its own blocks
 * only; with equal weight in every share's blocks, the shares together
 * draw every id as the whole table does; with one part, the whole table. */
static void test_alias_shares(void)
{
    enum { N = 103, FROM = 7, BLOCK = 4, PARTS = 3, DRAWS = 300000 };
    int64_t counts[N], hits[N], together[N] = {0};
    /* Zipf-like head; the tail flat, so each share's blocks weigh alike
     * except for the last, partial round (ids 91 .. 102), cut to match. */
    for (int i = 0; i < N; i++)
        counts[i] = i < FROM ? 100000 / (i + 1) : i < 91 ? 500 : 0;
    counts[0] = 0;
    struct w2v_err err;
    struct alias_share s;
    int32_t own_total = 0;
    for (int part = 0; part < PARTS; part++) {
        CHECK(alias_share_build(&s, counts, N, 0.75, FROM, BLOCK, part, PARTS, &err) == 0);
        int32_t size = alias_share_size(N, FROM, BLOCK, part, PARTS);
        CHECK(s.table.n == size);
        own_total += size - FROM;
        for (int k = 0; k < FROM; k++)
            CHECK(alias_share_id(&s, k) == k);
        int foreign = 0;
        for (int32_t k = FROM; k < size; k++) {
            const int32_t id = alias_share_id(&s, k);
            foreign += (id - FROM) / BLOCK % PARTS != part || id <= alias_share_id(&s, k - 1);
        }
        CHECK(foreign == 0 && alias_share_id(&s, size - 1) < N);
        /* Every alias is a word id of the share, ready to return. */
        int stray = 0;
        for (int32_t k = 0; k < size; k++) {
            const int32_t a = s.table.entries[k].alias;
            stray += a < 0 || a >= N || (a >= FROM && (a - FROM) / BLOCK % PARTS != part);
        }
        CHECK(stray == 0);
        struct rng r;
        rng_seed(&r, 99, (uint64_t)part);
        int wrong = 0;
        for (int i = 0; i < DRAWS; i++) {
            int32_t id = alias_share_sample(&s, &r);
            wrong += id >= FROM && (id - FROM) / BLOCK % PARTS != part;
            together[id]++;
        }
        CHECK(wrong == 0);
        alias_share_release(&s);
        alias_share_release(&s); /* twice is safe */
    }
    CHECK(own_total == N - FROM); /* every id in exactly one share */
    double expected[N], sum = 0.0;
    int m = 0;
    for (int i = 0; i < N; i++)
        sum += counts[i] > 0 ? pow((double)counts[i], 0.75) : 0.0;
    for (int i = 0; i < N; i++)
        if (counts[i] > 0) {
            expected[m] = PARTS * (double)DRAWS * pow((double)counts[i], 0.75) / sum;
            hits[m++] = together[i];
        }
    CHECK(together[0] == 0 && together[N - 1] == 0);
    CHECK(chi_square(hits, expected, m) < chi_bound(m - 1));

    /* One part: the whole table's distribution, ids in order. */
    CHECK(alias_share_build(&s, counts, N, 0.75, FROM, BLOCK, 0, 1, &err) == 0);
    CHECK(s.table.n == N && alias_share_id(&s, N - 1) == N - 1);
    CHECK(alias_chi(&s.table, counts, N, 0.75, DRAWS, hits) < chi_bound(m - 1));
    alias_share_release(&s);

    /* from past the end: every id below it, no tail; from below 0 as 0. */
    CHECK(alias_share_size(N, N + 5, BLOCK, 1, PARTS) == N);
    CHECK(alias_share_build(&s, counts, N, 0.75, -3, BLOCK, 1, PARTS, &err) == 0);
    CHECK(s.table.n == alias_share_size(N, 0, BLOCK, 1, PARTS) && alias_share_id(&s, 0) == BLOCK);
    alias_share_release(&s);
    /* A share with no words at all (a tail shorter than its turn). */
    CHECK(alias_share_build(&s, counts, 5, 0.75, 0, BLOCK, 2, PARTS, &err) == W2V_EINVAL);
    CHECK(s.table.entries == NULL);
    /* Bad shares. */
    CHECK(alias_share_build(&s, counts, N, 0.75, FROM, BLOCK, PARTS, PARTS, &err) == W2V_EINVAL);
    CHECK(s.table.entries == NULL);
    CHECK(alias_share_build(&s, counts, N, 0.75, FROM, 0, 0, PARTS, &err) == W2V_EINVAL);
    CHECK(alias_share_build(&s, counts, N, 0.75, FROM, 3, 0, PARTS, &err) == W2V_EINVAL);
    CHECK(alias_share_build(&s, counts, N, 0.75, FROM, BLOCK, -1, PARTS, &err) == W2V_EINVAL);
    /* A share whose ids all have count zero. */
    int64_t zero[N] = {0};
    zero[FROM] = 5;
    CHECK(alias_share_build(&s, zero, N, 0.75, FROM, BLOCK, 1, PARTS, &err) == W2V_EINVAL);
    CHECK(s.table.entries == NULL);
}

static void test_alias_errors(void)
{
    struct alias_table a;
    struct w2v_err err;
    int64_t zeros[3] = {0, 0, 0};
    int64_t neg[2] = {5, -1};
    int64_t one[1] = {3};
    CHECK(alias_build(&a, zeros, 3, 0.75, &err) == W2V_EINVAL);
    CHECK(a.entries == NULL);
    CHECK(alias_build(&a, neg, 2, 0.75, &err) == W2V_EINVAL);
    CHECK(alias_build(&a, one, 0, 0.75, &err) == W2V_EINVAL);
    CHECK(alias_build(&a, one, 1, NAN, &err) == W2V_EINVAL);
    CHECK(alias_build(&a, one, 1, 0.75, &err) == 0);
    struct rng r;
    rng_seed(&r, 1, 0);
    CHECK(alias_sample(&a, &r) == 0);
    alias_release(&a);
}

static void test_keep_probs(void)
{
    int64_t counts[5] = {0, 100000, 10000, 1000, 10};
    float keep[5];
    struct w2v_err err;
    const int64_t total = 1000000;
    CHECK(sampling_keep_probs(keep, counts, 5, total, 1e-3, &err) == 0);
    /* (sqrt(f/t) + 1) * t / f with t * total = 1000. */
    CHECK_NEAR(keep[1], (sqrt(100.0) + 1.0) / 100.0, 1e-6);
    CHECK_NEAR(keep[2], (sqrt(10.0) + 1.0) / 10.0, 1e-6);
    CHECK(keep[3] == 1.0f); /* f == t: (1 + 1) * 1 = 2, capped */
    CHECK(keep[4] == 1.0f);
    CHECK(keep[0] == 1.0f);
    /* More frequent is never kept more often. */
    int64_t many[50];
    float k50[50];
    for (int i = 0; i < 50; i++)
        many[i] = (int64_t)1 << (50 - i) / 2;
    CHECK(sampling_keep_probs(k50, many, 50, (int64_t)1 << 40, 1e-5, &err) == 0);
    int monotone = 1;
    for (int i = 1; i < 50; i++)
        monotone &= k50[i] >= k50[i - 1] && k50[i] > 0.0f && k50[i] <= 1.0f;
    CHECK(monotone);
    /* sample 0 keeps everything. */
    CHECK(sampling_keep_probs(keep, counts, 5, total, 0.0, &err) == 0);
    CHECK(keep[1] == 1.0f && keep[2] == 1.0f);
    CHECK(sampling_keep_probs(keep, counts, 5, 0, 1e-3, &err) == W2V_EINVAL);
}

static void test_window_shrink(void)
{
    struct rng r;
    rng_seed(&r, 99, 0);
    enum { W = 5, N = 100000 };
    int64_t hits[W] = {0};
    int ok = 1;
    for (int i = 0; i < N; i++) {
        int w = sampling_window(&r, W);
        ok &= w >= 1 && w <= W;
        if (w >= 1 && w <= W)
            hits[w - 1]++;
    }
    CHECK(ok);
    double expected[W];
    for (int i = 0; i < W; i++)
        expected[i] = (double)N / W;
    CHECK(chi_square(hits, expected, W) < chi_bound(W - 1));
    CHECK(sampling_window(&r, 1) == 1);
}

int main(void)
{
    TEST_RUN(test_rng_streams);
    TEST_RUN(test_rng_uniform_and_below);
    TEST_RUN(test_alias_distribution);
    TEST_RUN(test_alias_shares);
    TEST_RUN(test_alias_errors);
    TEST_RUN(test_keep_probs);
    TEST_RUN(test_window_shrink);
    return TEST_REPORT("test_sampling");
}
