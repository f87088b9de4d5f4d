/* test_huffman.c — properties of the codes: prefix-free, Kraft sum exactly 1,
 * points consistent and in range, optimal cost, depth without a cap. */
#include <stdint.h>

#include "test.h"
#include "w2v/huffman.h"

/* Kraft sum == 1 exactly, in integers: count codes per length, then carry
 * pairs upward from the deepest level; a complete code leaves exactly one
 * node at depth 0 and never an odd count on the way. */
static int kraft_is_one(const struct huffman *h)
{
    int64_t *at = calloc((size_t)h->max_length + 1, sizeof *at);
    if (!at)
        abort();
    for (int32_t w = 0; w < h->n_words; w++)
        at[h->length[w]]++;
    int ok = 1;
    for (int32_t d = h->max_length; d > 0; d--) {
        if (at[d] % 2 != 0)
            ok = 0;
        at[d - 1] += at[d] / 2;
    }
    ok &= at[0] == 1;
    free(at);
    return ok;
}

/* Insert every code into a binary trie. Prefix-free: no code ends at or
 * passes through another code's leaf. Points: each trie inner node maps to
 * exactly one point id, the root to n-2, and the n-1 ids are all used. */
static int trie_check(const struct huffman *h)
{
    int32_t n = h->n_words;
    if (n == 1)
        return h->length[0] == 0;
    size_t cap = 2 * (size_t)n + 1;
    int32_t(*child)[2] = malloc(cap * sizeof *child);
    int32_t *point = malloc(cap * sizeof *point);
    char *is_leaf = calloc(cap, 1);
    char *used = calloc((size_t)n, 1);
    if (!child || !point || !is_leaf || !used)
        abort();
    size_t nodes = 1;
    child[0][0] = child[0][1] = -1;
    point[0] = -1;
    int ok = 1;
    for (int32_t w = 0; w < n && ok; w++) {
        if (h->length[w] < 1)
            ok = 0;
        int32_t node = 0;
        for (int32_t i = 0; i < h->length[w] && ok; i++) {
            uint8_t b = h->code_bits[h->offset[w] + i];
            int32_t p = h->points[h->offset[w] + i];
            if (b > 1 || p < 0 || p > n - 2 || is_leaf[node]) {
                ok = 0;
                break;
            }
            if (point[node] == -1) {
                if (used[p])
                    ok = 0; /* one point id for two trie nodes */
                used[p] = 1;
                point[node] = p;
            } else if (point[node] != p) {
                ok = 0;
            }
            if (child[node][b] < 0) {
                if (nodes == cap) {
                    ok = 0;
                    break;
                }
                child[nodes][0] = child[nodes][1] = -1;
                point[nodes] = -1;
                child[node][b] = (int32_t)nodes++;
            }
            node = child[node][b];
        }
        if (!ok)
            break;
        /* The code must end at a fresh leaf, not at an inner node. */
        if (is_leaf[node] || child[node][0] >= 0 || child[node][1] >= 0)
            ok = 0;
        is_leaf[node] = 1;
    }
    ok &= point[0] == n - 2;
    for (int32_t p = 0; p < n - 1; p++)
        ok &= used[p];
    free(child);
    free(point);
    free(is_leaf);
    free(used);
    return ok;
}

static void check_tree(const int64_t *counts, int32_t n)
{
    struct huffman h;
    struct w2v_err err = {0};
    CHECK(huffman_build(&h, counts, n, &err) == 0);
    CHECK(h.n_words == n);
    CHECK(kraft_is_one(&h));
    CHECK(trie_check(&h));
    int32_t maxlen = 0;
    for (int32_t w = 0; w < n; w++)
        if (h.length[w] > maxlen)
            maxlen = h.length[w];
    CHECK(maxlen == h.max_length);
    huffman_release(&h);
}

static void test_small(void)
{
    struct huffman h;
    struct w2v_err err = {0};
    int64_t one[] = {7};
    CHECK(huffman_build(&h, one, 1, &err) == 0);
    CHECK(h.n_words == 1 && h.length[0] == 0 && h.max_length == 0);
    huffman_release(&h);

    int64_t two[] = {5, 3};
    CHECK(huffman_build(&h, two, 2, &err) == 0);
    CHECK(h.length[0] == 1 && h.length[1] == 1);
    CHECK(h.points[h.offset[0]] == 0 && h.points[h.offset[1]] == 0);
    /* Bit 1 to the heavier child, as the original does. */
    CHECK(h.code_bits[h.offset[0]] == 1 && h.code_bits[h.offset[1]] == 0);
    huffman_release(&h);
    huffman_release(&h);

    CHECK(huffman_build(&h, two, 0, &err) == W2V_EINVAL);
    int64_t neg[] = {3, -1};
    CHECK(huffman_build(&h, neg, 2, &err) == W2V_EINVAL);
    CHECK(h.offset == NULL);
    struct huffman z = {0};
    huffman_release(&z);
}

/* CLRS's example: a45 b13 c12 d16 e9 f5 gives lengths a1 b3 c3 d3 e4 f4. */
static void test_hand_worked(void)
{
    int64_t counts[] = {45, 16, 13, 12, 9, 5}; /* a d b c e f */
    int32_t want[] = {1, 3, 3, 3, 4, 4};
    struct huffman h;
    struct w2v_err err = {0};
    CHECK(huffman_build(&h, counts, 6, &err) == 0);
    for (int i = 0; i < 6; i++)
        CHECK(h.length[i] == want[i]);
    /* The most frequent word hangs off the root. */
    CHECK(h.points[h.offset[0]] == 4);
    huffman_release(&h);
    check_tree(counts, 6);

    /* 5 4 3 2 1: 1+2=3, 3+3=6, 4+5=9, 6+9=15 -> lengths 2 2 2 3 3. */
    int64_t c2[] = {5, 4, 3, 2, 1};
    int32_t w2[] = {2, 2, 2, 3, 3};
    CHECK(huffman_build(&h, c2, 5, &err) == 0);
    for (int i = 0; i < 5; i++)
        CHECK(h.length[i] == w2[i]);
    huffman_release(&h);
}

/* Reference: the cost sum(count * length) of an optimal code, by repeatedly
 * merging the two smallest of a plain array (O(n^2), fine for tests). */
static int64_t reference_cost(const int64_t *counts, int32_t n)
{
    int64_t *w = malloc((size_t)n * sizeof *w);
    if (!w)
        abort();
    memcpy(w, counts, (size_t)n * sizeof *w);
    int64_t cost = 0;
    for (int32_t m = n; m > 1; m--) {
        for (int k = 0; k < 2; k++) { /* move the two smallest to the end */
            int32_t lo = 0;
            for (int32_t i = 1; i < m - k; i++)
                if (w[i] < w[lo])
                    lo = i;
            int64_t t = w[lo];
            w[lo] = w[m - k - 1];
            w[m - k - 1] = t;
        }
        int64_t s = w[m - 1] + w[m - 2];
        cost += s;
        w[m - 2] = s;
    }
    free(w);
    return cost;
}

static uint64_t rng_state = 7;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static int cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x < y) - (x > y);
}

static void test_random_optimal(void)
{
    int64_t counts[600];
    for (int round = 0; round < 40; round++) {
        int32_t n = 1 + (int32_t)(rnd() % 600);
        for (int32_t i = 0; i < n; i++)
            counts[i] = round % 4 == 0 ? 1 + rnd() % 3 : 1 + (int64_t)(rnd() % 100000) / (1 + i);
        qsort(counts, (size_t)n, sizeof *counts, cmp_desc);
        check_tree(counts, n);
        struct huffman h;
        struct w2v_err err = {0};
        CHECK(huffman_build(&h, counts, n, &err) == 0);
        int64_t cost = 0;
        for (int32_t i = 0; i < n; i++)
            cost += counts[i] * h.length[i];
        CHECK(cost == reference_cost(counts, n));
        /* Unsorted input (as a vocab whose </s> is rarer than the rest)
         * gives the same cost. */
        if (n > 2) {
            int64_t keep = counts[0];
            counts[0] = counts[n - 1];
            counts[n - 1] = keep;
            huffman_release(&h);
            CHECK(huffman_build(&h, counts, n, &err) == 0);
            int64_t cost2 = 0;
            for (int32_t i = 0; i < n; i++)
                cost2 += counts[i] * h.length[i];
            CHECK(cost2 == cost);
            check_tree(counts, n);
        }
        huffman_release(&h);
    }
}

/* Fibonacci counts force a path-shaped tree: length n-1 for the rarest two,
 * far past the original's cap of 40. Also zero counts and saturation. */
static void test_deep(void)
{
    int64_t fib[80];
    int32_t n = 80;
    fib[n - 1] = 1;
    fib[n - 2] = 1;
    for (int32_t i = n - 3; i >= 0; i--)
        fib[i] = fib[i + 1] + fib[i + 2];
    struct huffman h;
    struct w2v_err err = {0};
    CHECK(huffman_build(&h, fib, n, &err) == 0);
    CHECK(h.max_length == n - 1);
    CHECK(h.length[n - 1] == n - 1 && h.length[0] == 1);
    huffman_release(&h);
    check_tree(fib, n);

    int64_t zeros[] = {0, 0, 0, 0, 0};
    check_tree(zeros, 5);
    int64_t huge[] = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX - 1, 3};
    check_tree(huge, 5);
}

int main(void)
{
    TEST_RUN(test_small);
    TEST_RUN(test_hand_worked);
    TEST_RUN(test_random_optimal);
    TEST_RUN(test_deep);
    return TEST_REPORT("test_huffman");
}
