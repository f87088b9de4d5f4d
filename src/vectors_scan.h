/* vectors_scan.h — internal: what reading and mapping a vector file share.
 *
 * The header ("V D" and the format guess), the one binary-record scanner
 * (word bytes, separator, D floats, the optional newline) and the checks on
 * what may follow the last record, each with its error messages, written
 * once. vectors_read.c streams records through a buffer, vectors_map.c
 * walks them in a mapping; both call these. Not part of the public API. */
#ifndef W2V_VECTORS_SCAN_H
#define W2V_VECTORS_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "w2v/vectors.h"
#include "common_internal.h"

/* The first read of a file (and the part of a mapping the prologue looks
 * at): enough for the header and the first record of any sane file. */
#define VECTORS_READ_CHUNK ((size_t)1 << 20)

/* What no tokenizer can put in a word, and what would break the file. */
static inline int vectors_word_forbidden(unsigned char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Little-endian bytes to float, and back, on any host. */
static inline float vectors_load_le(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline void vectors_store_le(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    p[0] = (unsigned char)u;
    p[1] = (unsigned char)(u >> 8);
    p[2] = (unsigned char)(u >> 16);
    p[3] = (unsigned char)(u >> 24);
}

/* strtof for the text format: same result and end pointer as strtof in the
 * C locale, several times faster for plain decimals (it falls back to
 * strtof for anything else). Thread-safe. */
float vectors_strtof(const char *s, char **end);

/* Open path for reading and check that it is a non-empty regular file.
 * Returns the descriptor (>= 0, the caller's to close) or W2V_EIO /
 * W2V_EEMPTY with err filled. */
int vectors_open_regular(const char *path, int64_t *size, struct w2v_err *err);

/* Map size bytes of fd (from vectors_open_regular) read-only and private,
 * closing fd either way (the mapping keeps the file). Returns 0 with *base
 * set (the caller's to munmap), or W2V_EIO with err filled. */
int vectors_map_fd(int fd, size_t size, const char *path, void **base, struct w2v_err *err);

/* What the first bytes of a file say: sizes, where the rows start, format. */
struct vectors_prologue {
    int64_t rows, dim;
    size_t body_start;
    enum vectors_format format;
    int headerless; /* text whose first line is data (GloVe): rows is only an
                     * upper bound, the reader counts the lines */
};

/* p[0..avail): the file's first bytes, at least min(file_size,
 * VECTORS_READ_CHUNK) of them (p may be a read-only mapping). Checks the
 * header against overflow, W2V_MAX_DIM and file_size before anyone
 * allocates by it, and guesses the format from the first record. Returns 0
 * or W2V_EFORMAT / W2V_EOVERFLOW / W2V_EEMPTY / W2V_ENOMEM with err filled. */
int vectors_parse_prologue(const char *path, const unsigned char *p, size_t avail,
                           int64_t file_size, struct vectors_prologue *out,
                           struct w2v_err *err);

/* vectors_parse_prologue, with no_header: the first line is data whatever
 * it looks like (--no-header). A UTF-8 BOM before the first line is skipped
 * (body_start is past it). Without no_header the first line is a header
 * when it is two whole numbers "A B" (see two_numbers_are_data for the one
 * exception), else a headerless text file when it is a word and D >= 1
 * numbers. Same returns. */
int vectors_parse_prologue_opts(const char *path, const unsigned char *p, size_t avail,
                                int64_t file_size, int no_header, struct vectors_prologue *out,
                                struct w2v_err *err);

/* One binary record found by vectors_scan_record; offsets are from the p it
 * was given. */
struct vectors_record {
    size_t word;          /* the word's first byte (past the optional '\n') */
    size_t word_len;      /* >= 1, no forbidden byte */
    size_t floats;        /* the first of the D little-endian floats */
    size_t end;           /* just past the last float */
    uint64_t hash;        /* w2v_fnv1a of the word, computed in the check */
    unsigned char bad;    /* VECTORS_SCAN_CONTROL_BYTE: the byte */
};

enum vectors_scan_result {
    VECTORS_SCAN_OK = 0,
    VECTORS_SCAN_MORE = 1,            /* p ends inside the record; not at_end */
    VECTORS_SCAN_TRUNCATED = -1,      /* the file ends before this row's word */
    VECTORS_SCAN_LONG_WORD = -2,      /* no ' ' in W2V_MAX_FILE_WORD_BYTES + 1 bytes */
    VECTORS_SCAN_EMPTY_WORD = -3,
    VECTORS_SCAN_CONTROL_BYTE = -4,   /* a forbidden byte in the word */
    VECTORS_SCAN_SHORT_VECTOR = -5    /* the file ends inside the floats */
};

/* Parse the binary record of row (0-based) at p[0..avail): an optional
 * '\n' ending the previous vector (row > 0; the original writes one, gensim
 * none), the word up to a space, then 4 * dim bytes. at_end: p holds all
 * that is left of the file, so running out is an error rather than
 * VECTORS_SCAN_MORE. Returns a vectors_scan_result; rec is filled for OK
 * (and word/word_len for SHORT_VECTOR, bad for CONTROL_BYTE). Thread-safe. */
int vectors_scan_record(const unsigned char *p, size_t avail, int at_end, int64_t row,
                        int32_t dim, struct vectors_record *rec);

/* The one message for a failed scan (result < 0) of row of rows at p (the
 * p given to the scan). Returns W2V_EFORMAT. */
int vectors_record_fail(struct w2v_err *err, int result, const char *path,
                        const unsigned char *p, const struct vectors_record *rec, int64_t row,
                        int64_t rows);

/* After the announced rows only whitespace may follow: check p[0..n).
 * Returns 0 or W2V_EFORMAT (err filled). */
int vectors_check_tail(const unsigned char *p, size_t n, const char *path, int64_t rows,
                       struct w2v_err *err);

#endif
