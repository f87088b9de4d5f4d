/* test_dist.c — the ranks' slices of the id stream (dist_slice): they tile
 * the stream, in order, each starting at a sentence start; their
 * interleaved shares (dist_gather): every word in exactly one share, in
 * order, whole sentences only, one rank's the stream untouched; and the
 * single-process round (the default build) is a no-op that reports done. */
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

int main(void)
{
    TEST_RUN(test_slices_tile);
    TEST_RUN(test_gather);
    TEST_RUN(test_single_process);
    return TEST_REPORT("test_dist");
}
