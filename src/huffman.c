/* huffman.c — Huffman codes by the two-queue method.
 *
 * Leaves sorted by ascending weight form one queue; inner nodes are created
 * in non-decreasing weight order, so they form the second queue for free,
 * and each step merges the two lightest fronts: O(V) after sorting.
 * Node ids: leaves are the word ids 0..n-1, inner node k is n+k; every
 * parent has a larger id than its children, which lets depths and codes be
 * computed by plain loops instead of recursion. */
#include "w2v/huffman.h"

#include <stdlib.h>
#include <string.h>

void huffman_release(struct huffman *h)
{
    w2v_free(h->offset);
    w2v_free(h->length);
    w2v_free(h->code_bits);
    w2v_free(h->points);
    memset(h, 0, sizeof *h);
}

/* Sorting by count needs the counts in the comparator; qsort has no context
 * argument, so sort (count, id) pairs instead. */
struct huffman_key {
    int64_t count;
    int32_t id;
};

static int huffman_key_cmp(const void *pa, const void *pb)
{
    const struct huffman_key *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Sums saturate: counts near INT64_MAX from a hostile vocabulary file must
 * not overflow, and saturation keeps inner weights non-decreasing, so the
 * result stays a valid (if no longer optimal) prefix code. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

int huffman_build(struct huffman *h, const int64_t *counts, int32_t n, struct w2v_err *err)
{
    int rc;
    int32_t *order = NULL, *parent = NULL, *depth = NULL;
    uint64_t *weight = NULL;
    uint8_t *bit = NULL;
    struct huffman_key *keys = NULL;
    memset(h, 0, sizeof *h);
    if (n < 1 || n > INT32_MAX / 2) {
        rc = w2v_fail(err, W2V_EINVAL, "cannot build a Huffman tree over %ld words", (long)n);
        goto fail;
    }
    int sorted = 1;
    for (int32_t i = 0; i < n; i++) {
        if (counts[i] < 0) {
            rc = w2v_fail(err, W2V_EINVAL, "negative count for word %ld", (long)i);
            goto fail;
        }
        if (i > 0 && counts[i] > counts[i - 1])
            sorted = 0;
    }
    size_t nodes = 2 * (size_t)n - 1;
    order = w2v_calloc((size_t)n, sizeof *order);
    weight = w2v_calloc(nodes, sizeof *weight);
    parent = w2v_calloc(nodes, sizeof *parent);
    depth = w2v_calloc(nodes, sizeof *depth);
    bit = w2v_calloc(nodes, sizeof *bit);
    h->offset = w2v_calloc((size_t)n, sizeof *h->offset);
    h->length = w2v_calloc((size_t)n, sizeof *h->length);
    if (!order || !weight || !parent || !depth || !bit || !h->offset || !h->length) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for a Huffman tree of %ld words", (long)n);
        goto fail;
    }
    /* order[i]: the word with the i-th largest count. */
    if (sorted) {
        for (int32_t i = 0; i < n; i++)
            order[i] = i;
    } else {
        keys = w2v_calloc((size_t)n, sizeof *keys);
        if (!keys) {
            rc = w2v_fail(err, W2V_ENOMEM, "out of memory for a Huffman tree of %ld words",
                          (long)n);
            goto fail;
        }
        for (int32_t i = 0; i < n; i++)
            keys[i] = (struct huffman_key){counts[i], i};
        qsort(keys, (size_t)n, sizeof *keys, huffman_key_cmp);
        for (int32_t i = 0; i < n; i++)
            order[i] = keys[i].id;
        w2v_free(keys);
        keys = NULL;
    }
    for (int32_t i = 0; i < n; i++)
        weight[i] = (uint64_t)counts[i];

    /* leaf: next leaf in ascending order (index into order[], walking down);
     * inner: front of the inner-node queue; next: id of the next inner node. */
    int64_t leaf = (int64_t)n - 1;
    size_t inner = (size_t)n, next = (size_t)n;
    for (int32_t k = 0; k + 1 < n; k++) {
        size_t pick[2];
        for (int j = 0; j < 2; j++) {
            if (leaf >= 0 && (inner == next || weight[order[leaf]] <= weight[inner]))
                pick[j] = (size_t)order[leaf--];
            else
                pick[j] = inner++;
        }
        weight[next] = sat_add(weight[pick[0]], weight[pick[1]]);
        parent[pick[0]] = parent[pick[1]] = (int32_t)next;
        bit[pick[0]] = 0;
        bit[pick[1]] = 1;
        next++;
    }

    /* Depths, top down: the root is the last node and parents come after
     * their children. */
    size_t root = nodes - 1;
    depth[root] = 0;
    for (size_t id = root; id-- > 0;)
        depth[id] = depth[parent[id]] + 1;

    int64_t total = 0;
    for (int32_t w = 0; w < n; w++) {
        h->offset[w] = total;
        h->length[w] = n == 1 ? 0 : depth[w];
        total += h->length[w];
        if (h->length[w] > h->max_length)
            h->max_length = h->length[w];
    }
    /* total <= n * (n - 1) fits int64; it must also fit memory. */
    if ((uint64_t)total > SIZE_MAX / sizeof(int32_t)) {
        rc = w2v_fail(err, W2V_EOVERFLOW, "Huffman codes of %ld words are too long", (long)n);
        goto fail;
    }
    h->code_bits = w2v_calloc((size_t)total, sizeof *h->code_bits);
    h->points = w2v_calloc((size_t)total, sizeof *h->points);
    if (!h->code_bits || !h->points) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for Huffman codes of %ld words", (long)n);
        goto fail;
    }
    /* Walk each leaf up to the root, filling its code from the end so it
     * reads root first. */
    for (int32_t w = 0; w < n; w++) {
        int64_t p = h->offset[w] + h->length[w];
        for (size_t node = (size_t)w; node != root; node = (size_t)parent[node]) {
            p--;
            h->code_bits[p] = bit[node];
            h->points[p] = parent[node] - n;
        }
    }
    h->n_words = n;
    rc = 0;
    goto done;
fail:
    huffman_release(h);
done:
    w2v_free(order);
    w2v_free(weight);
    w2v_free(parent);
    w2v_free(depth);
    w2v_free(bit);
    w2v_free(keys);
    return rc;
}
