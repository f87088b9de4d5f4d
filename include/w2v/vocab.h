/* vocab.h — the vocabulary: a growable open-addressing hash table of words
 * with 64-bit counts, pruning of rare words during the scan, sorting by
 * count, and the original word2vec vocabulary file format ("word count"
 * per line).
 *
 * After vocab_finalize, word ids are 0..size-1 in descending count order
 * with "</s>" as id 0 and ties broken by byte order of the word, so the
 * same corpus always gives the same ids. */
#ifndef W2V_VOCAB_H
#define W2V_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"

struct vocab_entry {
    char *word;     /* NUL-terminated, owned by the vocab */
    int64_t count;
};

struct vocab {
    struct vocab_entry *entries; /* [size] */
    int32_t size;
    int32_t capacity;
    int32_t *slots;              /* hash table of entry ids, -1 empty */
    size_t n_slots;              /* power of two */
    int64_t max_size;            /* prune when size passes this (0: no limit) */
    int64_t prune_floor;         /* current pruning threshold (grows like the original's min_reduce) */
    int64_t words_pruned;        /* distinct words removed by pruning */
    int64_t total_words;         /* sum of counts of the words kept */
};

struct vocab_options {
    int64_t min_count;  /* keep words with count >= min_count (default 5); </s> always kept */
    int64_t max_size;   /* distinct-word bound during the scan (0: none) */
};

void vocab_init(struct vocab *v);
void vocab_release(struct vocab *v);   /* safe on zeroed/released */

/* Id of word[0..len), or -1. Thread-safe for concurrent readers. */
int32_t vocab_find(const struct vocab *v, const char *word, size_t len);

/* Add count to word[0..len), inserting it if new; may prune when the table
 * passes max_size. Returns 0 or W2V_ENOMEM / W2V_EOVERFLOW. Ids are not
 * stable until vocab_finalize. */
int vocab_add(struct vocab *v, const char *word, size_t len, int64_t count);

/* Drop words with count < min_count (</s> kept, and moved to id 0), sort the
 * rest by descending count then bytes, rebuild the hash, set total_words.
 * Returns 0, W2V_ENOMEM, or W2V_EEMPTY when no word besides </s> is left. */
int vocab_finalize(struct vocab *v, int64_t min_count);

/* Scan a corpus file and build a finalized vocabulary. words_cut (if not
 * NULL) receives the number of over-long words cut. Returns 0 or an error
 * with err filled (W2V_EIO, W2V_ENOMEM, W2V_EEMPTY). */
int vocab_build_from_file(struct vocab *v, const char *path, const struct vocab_options *opt,
                          int64_t *words_cut, struct w2v_err *err);

/* Write "word count\n" per entry in id order, via a temporary file renamed
 * into place. Returns 0 or W2V_EIO. */
int vocab_save(const struct vocab *v, const char *path, struct w2v_err *err);

/* Read a vocabulary file; counts must be positive integers, words unique.
 * Applies min_count and finalizes. Returns 0, W2V_EIO, W2V_EFORMAT (err has
 * the line), W2V_ENOMEM or W2V_EEMPTY. */
int vocab_load(struct vocab *v, const char *path, int64_t min_count, struct w2v_err *err);

#endif
