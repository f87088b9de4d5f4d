/* vectors.h — word2vec vector files, binary and text.
 *
 * Binary: an ASCII header "V D\n", then per word: the word's bytes, one
 * space, D little-endian float32, then "\n" (the original tools write it;
 * gensim writes none — both are read). Text: "V D\n" then "word v1 ... vD\n"
 * with single spaces. The reader detects the format, checks V and D against
 * overflow and against the file's real size before allocating, and rejects
 * truncation, non-finite values, wrong value counts and duplicate words. */
#ifndef W2V_VECTORS_H
#define W2V_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"

enum vectors_format { VECTORS_BINARY = 0, VECTORS_TEXT = 1 };

#define W2V_MAX_DIM 100000  /* largest D a file may claim */

struct vectors {
    int64_t rows;
    int32_t dim;
    char **words;      /* [rows] NUL-terminated, owned */
    float *data;       /* [rows, dim] row-major, 64-byte aligned, owned */
    int64_t *slots;    /* hash index over words, -1 empty */
    size_t n_slots;
    enum vectors_format format; /* the format the file was read in */
    char *word_pool;   /* when not NULL, words[i] point into this one block
                        * (vectors_read does this); otherwise each words[i]
                        * is its own w2v_malloc'd string */
};

/* Longest word a vector file may hold (bytes). Longer than the tokenizer's
 * limit on purpose: files from other tools hold phrases. */
#define W2V_MAX_FILE_WORD_BYTES 65536

void vectors_init(struct vectors *v);
void vectors_release(struct vectors *v); /* safe on zeroed/released */

/* Read a vector file of either format. Returns 0 or W2V_EIO (cannot open,
 * read error), W2V_EFORMAT (err names the problem and line/word), W2V_ENOMEM,
 * W2V_EOVERFLOW (header sizes impossible), W2V_EEMPTY (empty file). */
int vectors_read(struct vectors *v, const char *path, struct w2v_err *err);

/* Row of word, or -1 (also when no index was built). Thread-safe for
 * readers. */
int64_t vectors_find(const struct vectors *v, const char *word);

/* Build (or rebuild) the hash index over v->words[0..rows). Returns 0,
 * W2V_ENOMEM/W2V_EOVERFLOW, or W2V_EFORMAT naming a duplicate word. For
 * callers that fill a struct vectors themselves; vectors_read does it. */
int vectors_index(struct vectors *v, struct w2v_err *err);

/* Hash of a word's bytes as used by the index (FNV-1a, 64-bit). Exposed so
 * other indexes over the same words (a memory-mapped model) agree. */
uint64_t vectors_hash(const char *s, size_t len);

/* Write rows words/vectors to path in format, through a temporary file in
 * the same directory renamed into place when complete; on failure the
 * temporary is removed and an existing file at path is untouched.
 * data: [rows, stride] row-major, the first dim floats of each row written.
 * Binary: "V D\n", then per row the word, ' ', D little-endian float32 and
 * '\n' (the original's layout). Text: values printed with %.9g, which reads
 * back to the same float. Returns 0 or W2V_EIO (with errno text, e.g. disk
 * full) / W2V_EINVAL (rows < 1, dim outside [1, W2V_MAX_DIM], stride < dim,
 * an empty word or one holding whitespace or NUL, a non-finite value: such a
 * file could not be read back). Thread-safe for distinct paths. */
int vectors_write(const char *path, enum vectors_format format, int64_t rows, int32_t dim,
                  const char *const *words, const float *data, size_t stride,
                  struct w2v_err *err);

#endif
