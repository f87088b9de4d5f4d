/* test_hotrows.c — private copies of hot rows: pass-through without copies,
 * copies start equal to the shared rows, a sync adds every thread's changes
 * (none lost, none counted twice) and refreshes the copies, untouched rows
 * stay as they are. */
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
    TEST_RUN(test_many_rows);
    return TEST_REPORT("test_hotrows");
}
