/* test_hotrows.c — private copies of hot rows: pass-through without copies,
 * copies start equal to the shared rows, a sync adds every thread's changes
 * (none lost, none counted twice) and refreshes the copies, untouched rows
 * stay as they are; with a weight, a sync adds that share of the chosen
 * copies' changes. */
#include "test.h"

#include "hotrows.h"
#include "w2v/common.h"

enum { ROWS = 8, N = 16 };

static void fill(float *m)
{
    for (int r = 0; r < ROWS; r++)
        for (int i = 0; i < N; i++)
            m[r * N + i] = (float)(r * 100 + i);
}

static void test_pass_through(void)
{
    float m[ROWS * N];
    fill(m);
    struct hot_rows h;
    CHECK(hot_rows_init(&h, m, N, 1, 0) == 0);
    for (int r = 0; r < ROWS; r++) {
        CHECK(hot_rows_get(&h, r) == m + r * N);
        CHECK(hot_rows_peek(&h, r) == m + r * N);
    }
    hot_rows_sync(&h); /* nothing to do */
    hot_rows_release(&h);
    hot_rows_release(&h); /* twice is fine */
}

static void test_copies(void)
{
    float m[ROWS * N];
    fill(m);
    struct hot_rows h;
    CHECK(hot_rows_init(&h, m, N, 2, 3) == 0); /* rows 2, 3, 4 */
    CHECK(hot_rows_get(&h, 1) == m + N);
    CHECK(hot_rows_get(&h, 5) == m + 5 * N);
    float *c = hot_rows_peek(&h, 3) == hot_rows_get(&h, 3) ? hot_rows_get(&h, 3) : NULL;
    CHECK(c != NULL && c != m + 3 * N);
    CHECK(c && memcmp(c, m + 3 * N, sizeof(float) * N) == 0);
    /* Writing the copy leaves the shared row alone until the sync. */
    c[0] += 1.0f;
    CHECK(m[3 * N] == 300.0f);
    hot_rows_sync(&h);
    CHECK(m[3 * N] == 301.0f);
    CHECK(c[0] == 301.0f);
    hot_rows_release(&h);
}

/* Two threads' copies of the same rows: after both sync, the shared row
 * holds the start plus both changes, and so do both copies once the first
 * to sync syncs again. A row only peeked at is not written back. */
static void test_two_threads(void)
{
    float m[ROWS * N];
    fill(m);
    struct hot_rows a, b;
    CHECK(hot_rows_init(&a, m, N, 0, 4) == 0);
    CHECK(hot_rows_init(&b, m, N, 0, 4) == 0);
    float *ra = hot_rows_get(&a, 1), *rb = hot_rows_get(&b, 1);
    for (int i = 0; i < N; i++) {
        ra[i] += 0.5f;
        rb[i] -= 2.0f;
    }
    /* Another thread changes a row meanwhile, straight in the matrix. */
    m[2 * N] = -7.0f;
    float *pa = (float *)hot_rows_peek(&a, 2);
    pa[1] = 1e9f; /* a peeked row is not marked: not written back */
    hot_rows_sync(&a);
    hot_rows_sync(&b);
    int ok = 1;
    for (int i = 0; i < N; i++)
        ok &= m[N + i] == (float)(100 + i) + 0.5f - 2.0f;
    CHECK(ok);
    CHECK(m[2 * N] == -7.0f && m[2 * N + 1] == 201.0f);
    CHECK(hot_rows_get(&b, 1)[0] == m[N]);
    CHECK(hot_rows_get(&a, 1)[0] == 100.5f); /* a synced before b */
    hot_rows_sync(&a);
    CHECK(hot_rows_get(&a, 1)[0] == m[N]);
    hot_rows_release(&a);
    hot_rows_release(&b);
}

/* With weight 1/2 from copy 1 on, two threads' changes to those rows are
 * averaged: each sync adds half of its copy's change (exact in binary
 * floating point) and the copy takes the shared row as it then is; copy 0
 * is still summed, and the untouched rows stay as they are. */
static void test_weight(void)
{
    float m[ROWS * N];
    fill(m);
    struct hot_rows a, b;
    CHECK(hot_rows_init(&a, m, N, 0, 4) == 0);
    CHECK(hot_rows_init(&b, m, N, 0, 4) == 0);
    CHECK(a.weight == 1.0f && a.weighted_from == 4); /* summed unless told */
    a.weight = b.weight = 0.5f;
    a.weighted_from = b.weighted_from = 1;
    float *ra = hot_rows_get(&a, 1), *rb = hot_rows_get(&b, 1);
    float *za = hot_rows_get(&a, 0), *zb = hot_rows_get(&b, 0);
    for (int i = 0; i < N; i++) {
        ra[i] += 4.0f;
        rb[i] += 2.0f;
        za[i] += 4.0f;
        zb[i] += 2.0f;
    }
    hot_rows_sync(&a);
    CHECK(m[N] == 102.0f && ra[0] == 102.0f);
    CHECK(m[0] == 4.0f && za[0] == 4.0f);
    hot_rows_sync(&b);
    int ok = 1;
    for (int i = 0; i < N; i++)
        ok &= m[N + i] == (float)(100 + i) + 3.0f && m[i] == (float)i + 6.0f;
    CHECK(ok);
    CHECK(rb[0] == 103.0f && zb[0] == 6.0f);
    CHECK(m[2 * N] == 200.0f && m[3 * N + 5] == 305.0f);
    hot_rows_release(&a);
    hot_rows_release(&b);
}

/* Many rows, every seventh touched: exactly those are written back. */
static void test_many_rows(void)
{
    enum { R = 200 };
    float *m = calloc((size_t)R * N, sizeof *m);
    CHECK(m != NULL);
    if (!m)
        return;
    struct hot_rows h;
    CHECK(hot_rows_init(&h, m, N, 10, 150) == 0);
    for (int r = 10; r < 160; r += 7)
        hot_rows_get(&h, r)[3] = (float)r;
    hot_rows_sync(&h);
    int ok = 1;
    for (int r = 0; r < R; r++)
        ok &= m[r * N + 3] == ((r >= 10 && r < 160 && (r - 10) % 7 == 0) ? (float)r : 0.0f);
    CHECK(ok);
    hot_rows_release(&h);
    free(m);
}

int main(void)
{
    TEST_RUN(test_pass_through);
    TEST_RUN(test_copies);
    TEST_RUN(test_two_threads);
    TEST_RUN(test_weight);
    TEST_RUN(test_many_rows);
    return TEST_REPORT("test_hotrows");
}
