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
    /* Private to vocab.c (fields added after the contract was set). */
    uint32_t *hashes;            /* [capacity] hash of each entry, for fast rejects and regrowth */
    uint32_t *lengths;           /* [capacity] byte length of each entry's word */
};

struct vocab_options {
    int64_t min_count;  /* keep words with count >= min_count (default 5); </s> always kept */
    int64_t max_size;   /* distinct-word bound during the scan (0: none) */
};

/* Longest line vocab_load accepts (word, separator and count). */
#define VOCAB_MAX_LINE 1024

void vocab_init(struct vocab *v);
void vocab_release(struct vocab *v);   /* safe on zeroed/released */

/* Id of word[0..len), or -1. Thread-safe for concurrent readers (no writer). */
int32_t vocab_find(const struct vocab *v, const char *word, size_t len);

/* Add count (>= 0) to word[0..len), inserting it if new; may prune when the
 * table passes max_size, so that size <= max_size on return (</s> is never
 * pruned). Returns 0 or W2V_ENOMEM / W2V_EOVERFLOW (a count past INT64_MAX,
 * more than INT32_MAX words) / W2V_EINVAL (a negative count, or a new word
 * that is empty or holds a NUL byte). Ids are not stable until
 * vocab_finalize. Not thread-safe. */
int vocab_add(struct vocab *v, const char *word, size_t len, int64_t count);

/* vocab_add without pruning: returns the word's id (>= 0; ids are given in
 * order of first insertion and stay stable until vocab_finalize, since
 * nothing is pruned here whatever max_size says) or the same negative codes
 * as vocab_add. For scans that record provisional ids. Not thread-safe. */
int32_t vocab_add_id(struct vocab *v, const char *word, size_t len, int64_t count);

/* Drop words with count < min_count (</s> kept, and moved to id 0; added with
 * count 0 when the corpus had no newline), sort the rest by descending count
 * then bytes (unsigned), rebuild the hash, set total_words.
 * Returns 0, W2V_ENOMEM, W2V_EOVERFLOW (the counts sum past INT64_MAX), or
 * W2V_EEMPTY when no word besides </s> is left (the vocabulary is then still
 * valid, holding only </s>). Not thread-safe. */
int vocab_finalize(struct vocab *v, int64_t min_count);

/* vocab_finalize for a vocabulary counted from the corpus at path, with
 * err filled in the words a user reads (path only names it). Returns what
 * vocab_finalize returns. Not thread-safe. */
int vocab_finalize_counted(struct vocab *v, int64_t min_count, const char *path,
                           struct w2v_err *err);

/* Scan a corpus file and build a finalized vocabulary into v, which is
 * initialised here (any previous content must have been released). opt may
 * be NULL (min_count 5, no max_size). words_cut (if not NULL) receives the
 * number of over-long words cut. Returns 0 or an error with err filled
 * (W2V_EIO, W2V_ENOMEM, W2V_EOVERFLOW, W2V_EEMPTY); on error v is released. */
int vocab_build_from_file(struct vocab *v, const char *path, const struct vocab_options *opt,
                          int64_t *words_cut, struct w2v_err *err);

/* Write "word count\n" per entry in id order, via a temporary file in the
 * same directory renamed into place, so `path` is either untouched or
 * complete. Returns 0, W2V_EIO, W2V_ENOMEM, or W2V_EFORMAT when a word cannot
 * be written in this format (empty, or holding whitespace). */
int vocab_save(const struct vocab *v, const char *path, struct w2v_err *err);

/* Read a vocabulary file into v (initialised here): one "word count" per
 * line, word and count separated by spaces or tabs, an optional CR before
 * the newline, at most VOCAB_MAX_LINE bytes a line. Counts must be positive
 * decimal integers (</s> may have 0, as the original writes for a corpus
 * without newlines), words unique and free of NUL, CR, VT and FF bytes
 * (which the tokenizer never leaves in a word). Applies min_count and finalizes.
 * Returns 0, W2V_EIO, W2V_EFORMAT (err->line is the 1-based line),
 * W2V_ENOMEM or W2V_EEMPTY; on error v is released. */
int vocab_load(struct vocab *v, const char *path, int64_t min_count, struct w2v_err *err);

#endif
