/* vectors.c — the in-memory struct vectors: lifecycle and word index.
 * Reading, mapping and writing files live in vectors_read.c, vectors_map.c
 * and vectors_write.c around the record scanner of vectors_scan.c. */
#include "w2v/vectors.h"

#include "common_internal.h"

#include <string.h>

void vectors_init(struct vectors *v) { memset(v, 0, sizeof *v); }

void vectors_release(struct vectors *v)
{
    if (!v)
        return;
    if (v->word_pool) {
        w2v_free(v->word_pool);
    } else if (v->words) {
        for (int64_t i = 0; i < v->rows; i++)
            w2v_free(v->words[i]);
    }
    w2v_free(v->words);
    w2v_aligned_free(v->data);
    w2v_free(v->slots);
    memset(v, 0, sizeof *v);
}

int64_t vectors_find(const struct vectors *v, const char *word)
{
    if (!v->slots || v->n_slots == 0)
        return -1;
    size_t mask = v->n_slots - 1;
    size_t len = strlen(word);
    size_t i = (size_t)w2v_fnv1a(word, len) & mask;
    for (;;) {
        int64_t row = v->slots[i];
        if (row < 0)
            return -1;
        if (strcmp(v->words[row], word) == 0)
            return row;
        i = (i + 1) & mask;
    }
}

int vectors_index(struct vectors *v, struct w2v_err *err)
{
    w2v_free(v->slots);
    v->slots = NULL;
    v->n_slots = 0;
    /* Power of two at least twice the rows: linear probing stays short. */
    size_t want = 16;
    while (want / 2 < (size_t)v->rows) {
        if (want > SIZE_MAX / 4)
            return w2v_fail(err, W2V_EOVERFLOW, "too many words to index (%lld)",
                            (long long)v->rows);
        want *= 2;
    }
    size_t bytes;
    if (w2v_size_mul(want, sizeof(int64_t), &bytes) != 0)
        return w2v_fail(err, W2V_EOVERFLOW, "too many words to index (%lld)", (long long)v->rows);
    int64_t *slots = w2v_malloc(bytes);
    if (!slots)
        return w2v_fail(err, W2V_ENOMEM, "out of memory indexing %lld words", (long long)v->rows);
    memset(slots, 0xff, want * sizeof *slots); /* all -1 */
    size_t mask = want - 1;
    for (int64_t r = 0; r < v->rows; r++) {
        const char *w = v->words[r];
        size_t i = (size_t)w2v_fnv1a(w, strlen(w)) & mask;
        while (slots[i] >= 0) {
            if (strcmp(v->words[slots[i]], w) == 0) {
                int64_t first = slots[i];
                w2v_free(slots);
                return w2v_fail(err, W2V_EFORMAT, "duplicate word '%.200s' (rows %lld and %lld)",
                                w, (long long)first + 1, (long long)r + 1);
            }
            i = (i + 1) & mask;
        }
        slots[i] = r;
    }
    v->slots = slots;
    v->n_slots = want;
    return 0;
}
