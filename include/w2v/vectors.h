/* vectors.h — word2vec vector files, binary and text.
 *
 * Binary: an ASCII header "V D\n", then per word: the word's bytes, one
 * space, D little-endian float32, then "\n" (the original tools write it;
 * gensim writes none — both are read). Text: "V D\n" then "word v1 ... vD\n"
 * with single spaces. Also read: text without the header line (GloVe; D
 * from the first line's values, rows counted), fastText's .vec (a space
 * after each value), CRLF line ends and a UTF-8 BOM before the first line.
 * The first line is a header when it is two whole numbers "A B", unless B
 * != 1 and the next lines hold one value each (a 1-dimensional GloVe file);
 * vectors_read_opts.no_header forces the data reading. The reader detects
 * the format, checks V and D against overflow and against the file's real
 * size before allocating, and rejects truncation, non-finite values, wrong
 * value counts and duplicate words.
 *
 * Thread safety, unless a prototype says otherwise: functions that take a
 * const struct may run concurrently on it; those that take a non-const one
 * need the caller to serialise calls on that struct (distinct structs are
 * independent). */
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

/* Read a vector file of either format into v (v owns all it holds until
 * vectors_release; on failure v is left released). Returns 0 or W2V_EIO
 * (cannot open, read error), W2V_EFORMAT (err names the problem and
 * line/word), W2V_ENOMEM, W2V_EOVERFLOW (header sizes impossible),
 * W2V_EEMPTY (empty file). */
int vectors_read(struct vectors *v, const char *path, struct w2v_err *err);

/* vectors_read of the first limit rows only (gensim's limit=; limit <= 0:
 * all). The header is checked as a whole; the rows after the first limit
 * are neither read nor checked. Same returns. */
int vectors_read_limit(struct vectors *v, const char *path, int64_t limit, struct w2v_err *err);

/* How to read a vector file, beyond its path. A zeroed struct reads the
 * whole file with the first line's role detected. */
struct vectors_read_opts {
    int64_t limit;  /* > 0: the first limit rows only (gensim's limit=) */
    int no_header;  /* the first line is data, whatever it looks like
                     * (a GloVe file whose first line is "A B") */
};

/* vectors_read as o says (o may be NULL: as vectors_read). Same returns. */
int vectors_read_with(struct vectors *v, const char *path, const struct vectors_read_opts *o,
                      struct w2v_err *err);

/* Row of word, or -1 (also when no index was built). Thread-safe for
 * readers. */
int64_t vectors_find(const struct vectors *v, const char *word);

/* Build (or rebuild) the hash index over v->words[0..rows). Returns 0,
 * W2V_ENOMEM/W2V_EOVERFLOW, or W2V_EFORMAT naming a duplicate word. For
 * callers that fill a struct vectors themselves; vectors_read does it. */
int vectors_index(struct vectors *v, struct w2v_err *err);

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

/* A binary vector file mapped read-only for queries: only the word index is
 * built (one walk over the words, which are checked as vectors_read checks
 * them: truncation, control bytes, duplicates, trailing data); the floats
 * stay in the file, little-endian and unaligned, and are read with
 * vectors_map_row. Finiteness of the values is the reader's job (query
 * scans check it). If the file shrinks while mapped, access faults
 * (SIGBUS): the price of not copying. */
struct vectors_map {
    int64_t rows;
    int32_t dim;
    const unsigned char *base; /* the mapping, size bytes */
    size_t size;
    size_t body_start;         /* offset of the first word */
    int64_t *row_off;          /* [rows] offset of each row's first float, owned */
    uint64_t *slots;           /* hash index: tag << 32 | (row + 1); 0 empty; owned */
    size_t n_slots;
};

/* Map path and index its words. Returns 0; 1 when the file is in the text
 * format (nothing mapped: read it with vectors_read); or a status as
 * vectors_read's (err filled). Not thread-safe on one struct. */
int vectors_map_open(struct vectors_map *m, const char *path, struct w2v_err *err);

/* vectors_map_open of the first limit rows only (limit <= 0: all), as
 * vectors_read_limit. */
int vectors_map_open_limit(struct vectors_map *m, const char *path, int64_t limit,
                           struct w2v_err *err);

void vectors_map_release(struct vectors_map *m); /* safe on zeroed/released */

/* Row of word, or -1. Thread-safe. */
int64_t vectors_map_find(const struct vectors_map *m, const char *word);

/* Row's word inside the mapping (not NUL-terminated; valid while m is
 * mapped) and its length. Thread-safe. */
const char *vectors_map_word(const struct vectors_map *m, int64_t row, size_t *len);

/* Row's D little-endian floats inside the mapping (unaligned: read them
 * with memcpy, or through vectors_map_row). Thread-safe. */
static inline const unsigned char *vectors_map_bytes(const struct vectors_map *m, int64_t row)
{
    return m->base + m->row_off[row];
}

/* Copy row's D floats to out[0..dim) in host order (memcpy on a
 * little-endian host: the mapped bytes are unaligned). Returns 0.
 * Thread-safe. */
int vectors_map_row(const struct vectors_map *m, int64_t row, float *out);

#endif
