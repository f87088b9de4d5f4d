/* test_dist.c — the ranks' slices of the id stream (dist_slice): they tile
 * the stream, in order, each starting at a sentence start; their
 * interleaved shares (dist_gather): every word in exactly one share, in
 * order, whole sentences only, one rank's the stream untouched; the
 * single-process round (the default build) is a no-op that reports done;
 * a round's merge, which averages the root-most Huffman nodes' changes
 * (dist_merge, dist_averaged_range). */
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "w2v/dist.h"

static void test_slices_tile(void)
{
    int32_t ids[200];
    uint64_t x = 12345;
    int ok = 1;
    for (int trial = 0; trial < 50; trial++) {
        int64_t n = 1 + trial * 3 % 200;
        for (int64_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            ids[i] = (x >> 33) % 5 == 0 ? 0 : 1 + (int32_t)((x >> 40) % 9);
        }
        ids[n - 1] = 0;
        for (int size = 1; size <= 5; size++) {
            int64_t expect = 0;
            for (int rank = 0; rank < size; rank++) {
                struct dist d = {0};
                d.rank = rank;
                d.size = size;
                int64_t lo, hi;
                dist_slice(&d, ids, n, &lo, &hi);
                ok &= lo == expect && hi >= lo && hi <= n;
                ok &= lo == 0 || ids[lo - 1] == 0; /* no sentence is split */
                expect = hi;
            }
            ok &= expect == n;
        }
    }
    CHECK(ok);
}

/* Words carry their position + 1 (ends are 0), so a share shows where each
 * of its ids came from. */
static void test_gather(void)
{
    enum { N = 3000 };
    static int32_t ids[N], share[N];
    static int seen[N + 1];
    uint64_t x = 99;
    int ok = 1;
    for (int trial = 0; trial < 12; trial++) {
        int64_t n = 1 + (int64_t)trial * 251 % N;
        for (int64_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            ids[i] = (x >> 33) % 7 == 0 ? 0 : (int32_t)i + 1;
        }
        ids[n - 1] = 0;
        for (int size = 1; size <= 4; size++) {
            memset(seen, 0, sizeof seen);
            for (int rank = 0; rank < size; rank++) {
                struct dist d = {0};
                d.rank = rank;
                d.size = size;
                memcpy(share, ids, (size_t)n * sizeof *ids);
                int64_t kept = dist_gather(&d, share, n);
                ok &= kept >= 0 && kept <= n;
                if (size == 1)
                    ok &= kept == n && memcmp(share, ids, (size_t)n * sizeof *ids) == 0;
                for (int64_t j = 0; j < kept; j++) {
                    int32_t v = share[j];
                    if (v == 0)
                        continue;
                    seen[v]++;
                    int32_t prev = j > 0 ? share[j - 1] : 0;
                    /* next to the word before it, or starting a sentence
                     * that starts a sentence in the stream too */
                    ok &= prev == v - 1 || (prev == 0 && (v == 1 || ids[v - 2] == 0));
                    ok &= prev == 0 || prev < v;
                }
            }
            for (int64_t i = 0; i < n; i++)
                ok &= ids[i] == 0 || seen[ids[i]] == 1;
        }
    }
    CHECK(ok);
}

static void test_single_process(void)
{
    struct dist d;
    struct w2v_err err;
    int all_done = -1;
    CHECK(dist_init(&d, NULL, NULL, &err) == 0);
    CHECK(d.rank == 0 && d.size == 1);
    struct model m = {0};
    CHECK(dist_round(&d, &m, 0, 0, &all_done, &err) == 0 && all_done == 0);
    CHECK(dist_round(&d, &m, 1, 1, &all_done, &err) == 0 && all_done == 1);
    dist_exit(&d, 1); /* one rank: returns */
    dist_release(&d);
    CHECK(d.size == 0);
}

/* A later round's merge: outside the averaged floats each row becomes
 * row + the others' changes (sum - snap) and base + sum; inside, the sum
 * counts once per rank: the mean change. Two ranks, exact in binary. */
static void test_merge(void)
{
    float matrix[6] = {1, 1, 1, 1, 1, 1}, base[6] = {0, 0, 0, 0, 0, 0};
    const float snap[6] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}; /* this rank's change */
    const float sum[6] = {1.5f, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f};  /* with the other's 1 */
    dist_merge(matrix, base, snap, sum, 6, 2, 2, 4);
    for (int i = 0; i < 6; i++) {
        const int averaged = i >= 2 && i < 4;
        CHECK(base[i] == (averaged ? 0.75f : 1.5f));
        CHECK(matrix[i] == (averaged ? 1.25f : 2.0f)); /* 1 + (0.75 or 1.5) - 0.5 */
    }
    /* an empty range: all summed; one rank: the mean is the sum */
    float m1[2] = {1, 1}, b1[2] = {0, 0};
    const float s1[2] = {0.5f, 0.5f};
    dist_merge(m1, b1, s1, s1, 2, 1, 0, 2);
    CHECK(m1[0] == 1.0f && m1[1] == 1.0f && b1[0] == 0.5f && b1[1] == 0.5f);
}

/* The averaged nodes (rows V - 2 - n .. V - 3 of syn1) within a round's
 * span of syn1 rows [first, first + rows), in floats from its start. */
static void test_averaged_range(void)
{
    size_t from, to;
    /* V 1000, stride 4: the top-256 span is rows 743 .. 998; the 10 nodes
     * are rows 988 .. 997: span rows 245 .. 254 */
    dist_averaged_range(1000, 4, 743, 256, 10, &from, &to);
    CHECK(from == 245 * 4 && to == 255 * 4);
    /* the full span (rows 0 .. 999) */
    dist_averaged_range(1000, 4, 0, 1000, 10, &from, &to);
    CHECK(from == 988 * 4 && to == 998 * 4);
    /* more nodes than the span holds: the span's nodes, up to row V - 3 */
    dist_averaged_range(1000, 4, 743, 256, 500, &from, &to);
    CHECK(from == 0 && to == 255 * 4);
    /* none */
    dist_averaged_range(1000, 4, 743, 256, 0, &from, &to);
    CHECK(from == to);
    /* a span that ends below them */
    dist_averaged_range(1000, 4, 0, 100, 10, &from, &to);
    CHECK(from == to);
}

int main(void)
{
    TEST_RUN(test_slices_tile);
    TEST_RUN(test_gather);
    TEST_RUN(test_single_process);
    TEST_RUN(test_merge);
    TEST_RUN(test_averaged_range);
    return TEST_REPORT("test_dist");
}
