/* huffman.h — the Huffman tree over a sorted vocabulary, for hierarchical
 * softmax. Built in O(V) with the two-queue method from counts sorted in
 * descending order. Code lengths are whatever the data gives (no cap).
 *
 * For word w: its code bits are code_bits[offset[w] .. offset[w]+length[w])
 * (root first), and points[offset[w] + i] is the inner node (0..V-2) whose
 * output vector decides bit i; points[offset[w]] is always the root, n_words-2.
 * Bit 1 goes to the heavier of the two children merged, as in the original.
 * With V == 1 the single word has length 0. */
#ifndef W2V_HUFFMAN_H
#define W2V_HUFFMAN_H

#include <stdint.h>

#include "w2v/common.h"

struct huffman {
    int32_t n_words;
    int64_t *offset;     /* [n_words] start of each word's code */
    int32_t *length;     /* [n_words] code length */
    uint8_t *code_bits;  /* [sum of lengths] 0/1 */
    int32_t *points;     /* [sum of lengths] inner-node ids, 0..n_words-2 */
    int32_t max_length;
};

/* counts: [n], each >= 0. When they are in non-increasing order the build
 * is O(V); otherwise (a finalized vocab's "</s>" at id 0 may be rarer than
 * the words after it) they are sorted first, O(V log V). Ties prefer leaves, which keeps the tree shallow.
 * h is initialised here. Returns 0, W2V_EINVAL (n < 1 or a negative count),
 * W2V_EOVERFLOW or W2V_ENOMEM, with err filled and h left zeroed. Thread-safe
 * for distinct h. */
int huffman_build(struct huffman *h, const int64_t *counts, int32_t n, struct w2v_err *err);

void huffman_release(struct huffman *h); /* safe on zeroed/released */

#endif
