/* test_dist.c — the ranks' slices of the id stream (dist_slice): they tile
 * the stream, in order, each starting at a sentence start; and the
 * single-process round (the default build) is a no-op that reports done. */
#include <stdint.h>

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
    TEST_RUN(test_single_process);
    return TEST_REPORT("test_dist");
}
