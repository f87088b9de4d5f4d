/* subword_model.h — the subword model file: word vectors plus the trained
 * n-gram bucket rows, so that any word, seen in training or not, gets a
 * vector (fastText's idea; the n-grams are ngram.h's).
 *
 * Layout, version 1; every integer and float little-endian:
 *
 *   offset  size  field
 *   0       8     magic "W2VSUBW\0" (a word2vec file starts with a digit)
 *   8       4     u32 version = 1
 *   12      4     u32 dim D, 1..W2V_MAX_DIM
 *   16      4     u32 minn   } the n-gram settings the model was trained
 *   20      4     u32 maxn   } with (ngram_check_params must accept them)
 *   24      4     u32 bucket }
 *   28      4     u32 reserved, 0
 *   32      8     u64 V, number of words, >= 1
 *   40      8     u64 G, number of n-gram rows stored, <= bucket
 *   48      8     u64 W, bytes of the word block
 *   56      8     u64 reserved, 0
 *   64      W     the words, in row order, each followed by one NUL; no
 *                 word is empty or holds whitespace or control bytes
 *                 (as in vector files), no word twice
 *           pad   zero bytes up to a multiple of 64
 *           4G    u32 bucket ids of the stored n-gram rows, strictly
 *                 increasing, each < bucket
 *           pad   zero bytes up to a multiple of 64
 *           4VD   word rows: row i is word i's vector, the composed vector
 *                 a vectors file of the same model holds for it
 *           4GD   n-gram rows: row j is the input row of bucket ids[j]
 *   end of file (nothing may follow)
 *
 * Only buckets that some vocabulary word's n-grams reach are stored (the
 * others were never trained). A word not in the model gets the mean of the
 * rows of its n-grams that are stored (each occurrence counted, as fastText
 * counts them); a word none of whose n-grams is stored has no vector.
 *
 * The reader maps the file: only the header, the words and the bucket ids
 * are read at open (sizes checked against overflow and the real file size
 * first); rows are read when asked for. */
#ifndef W2V_SUBWORD_MODEL_H
#define W2V_SUBWORD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/vectors.h"

#define SUBWORD_MODEL_MAGIC "W2VSUBW" /* plus its NUL: 8 bytes */
#define SUBWORD_MODEL_VERSION 1
#define SUBWORD_MODEL_HEADER 64

/* What subword_model_write writes. */
struct subword_model_data {
    int32_t dim;
    int minn, maxn;
    uint32_t bucket;
    int64_t n_words;
    const char *const *words;  /* [n_words] NUL-terminated */
    const float *word_rows;    /* [n_words, word_stride] */
    size_t word_stride;
    int64_t n_grams;
    const uint32_t *gram_ids;  /* [n_grams] strictly increasing, < bucket */
    const float *gram_rows;    /* [n_grams, gram_stride] */
    size_t gram_stride;
};

/* Write d to path through a temporary file renamed into place when whole
 * (an existing file is untouched on failure). Returns 0, W2V_EIO (errno
 * text), W2V_ENOMEM, W2V_EOVERFLOW, or W2V_EINVAL when d could not be read
 * back (bad settings, no words, an empty word or one holding whitespace,
 * ids not increasing, a non-finite value). Thread-safe for distinct paths. */
int subword_model_write(const char *path, const struct subword_model_data *d,
                        struct w2v_err *err);

/* A mapped subword model. */
struct subword_model {
    int32_t dim;
    int minn, maxn;
    uint32_t bucket;
    int64_t n_words, n_grams;
    struct vectors words;        /* words and their index only (data is NULL), owned */
    const unsigned char *base;   /* the mapping, size bytes */
    size_t size;
    size_t ids_at, word_rows_at, gram_rows_at; /* offsets into the mapping */
};

/* Map path and check it. Returns 0; 1 when the file does not start with
 * the magic (not a subword model: nothing mapped, err untouched); or
 * W2V_EIO (cannot open/map; not a regular file), W2V_EEMPTY, W2V_EFORMAT
 * (err names the problem: truncated, wrong version, sizes that disagree
 * with the file, bad words or ids), W2V_EOVERFLOW, W2V_ENOMEM. On failure
 * m is released. Not thread-safe on one m. The header is checked against
 * the file's size before the file is mapped, so a short or lying file is
 * an error, never a fault. The remaining caveat of any mapping: if another
 * process shrinks the file while it is mapped, reading a lost n-gram row
 * faults (SIGBUS), as with mapped vector files; the commands turn that
 * into their one-line error (cmd_model.h's guard). */
int subword_model_open(struct subword_model *m, const char *path, struct w2v_err *err);

void subword_model_release(struct subword_model *m); /* safe on zeroed/released */

/* The model's words and word rows as a struct vectors (words, rows in
 * host order, 64-byte aligned, indexed), e.g. for query_model_from_vectors;
 * only the first limit rows when 0 < limit < n_words (gensim's limit=).
 * Returns 0, W2V_ENOMEM, W2V_EOVERFLOW or W2V_EFORMAT (a non-finite value,
 * err names the word); on failure v is released. */
int subword_model_to_vectors(const struct subword_model *m, int64_t limit, struct vectors *v,
                             struct w2v_err *err);

/* Row of word among the model's words, or -1. Thread-safe. */
int64_t subword_model_find(const struct subword_model *m, const char *word);

/* Copy word row `row` (0 <= row < n_words) to out[0..dim) in host order. */
void subword_model_word_row(const struct subword_model *m, int64_t row, float *out);

/* Index j of bucket b among the stored n-gram rows, or -1. O(log G).
 * Thread-safe. */
int64_t subword_model_find_gram(const struct subword_model *m, uint32_t b);

/* The vector of any word into out[0..dim): its word row when it is a
 * model word (*n_grams_used = 0), otherwise the mean of its stored n-gram
 * rows (*n_grams_used = how many were averaged, *n_grams_total how many
 * n-grams the word has; either pointer may be NULL). Returns 0,
 * W2V_ENOTFOUND (not a model word and none of its n-grams stored; err says
 * so), W2V_EFORMAT (a row used holds a non-finite value), W2V_ENOMEM.
 * Thread-safe. */
int subword_model_vector(const struct subword_model *m, const char *word, float *out,
                         size_t *n_grams_used, size_t *n_grams_total, struct w2v_err *err);

/* The n-gram half of subword_model_vector: the mean of word's stored
 * n-gram rows even when word is a model word (as for a word past a query's
 * --limit, whose row is not read). Same returns. Thread-safe. */
int subword_model_gram_vector(const struct subword_model *m, const char *word, float *out,
                              size_t *n_grams_used, size_t *n_grams_total, struct w2v_err *err);

#endif
