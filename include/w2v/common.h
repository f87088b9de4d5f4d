/* common.h — status codes, error details, checked size arithmetic and the
 * single allocation wrapper every module uses: what an embedding program
 * needs to call the library and read its failures. The tree's internal
 * helpers (atomic output files, the buffered reader, FNV-1a, JSON strings,
 * the thread runner) are in src/common_internal.h.
 *
 * Conventions (see DESIGN.md): library functions return 0 on success or a
 * negative W2V_E* code; a function that can say more fills a struct w2v_err
 * (which may be NULL). Only the CLI prints. */
#ifndef W2V_COMMON_H
#define W2V_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define W2V_VERSION "0.1.0"

enum w2v_status {
    W2V_OK = 0,
    W2V_ENOMEM = -1,    /* an allocation failed */
    W2V_EIO = -2,       /* read/write/open/close failed (errno in err) */
    W2V_EFORMAT = -3,   /* a file is malformed */
    W2V_EINVAL = -4,    /* invalid data handed to a function (a word with
                         * whitespace, a negative count): a failure, exit 1 */
    W2V_ENOTFOUND = -5, /* a word is not in the vocabulary */
    W2V_EOVERFLOW = -6, /* a size does not fit */
    W2V_EEMPTY = -7,    /* nothing to work on (empty corpus, no usable line) */
    W2V_EINTR = -8,     /* interrupted by a signal */
    W2V_EUSAGE = -9,    /* a bad option or argument (k = 0, an unknown name):
                         * the caller's mistake, a usage error, exit 2 */
    W2V_EDIVERGED = -10 /* training diverged (non-finite weights): the rate is too high */
};

/* Static English text for a status code; never NULL. Thread-safe. */
const char *w2v_strerror(int status);

/* Details of a failure, filled by the function that failed. `message` is a
 * complete one-line sentence without the "w2v: error: " prefix. */
struct w2v_err {
    int status;
    int64_t line;     /* 1-based line in the input, 0 when not applicable */
    char message[512];
};

/* Record a failure in err (if not NULL) and return status, so callers can
 * write `return w2v_fail(err, W2V_EFORMAT, "bad header in '%s'", path);`.
 * printf-style. Thread-safe for distinct err. */
int w2v_fail(struct w2v_err *err, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Like w2v_fail with status W2V_EIO, appending ": strerror(errno)".
 * Thread-safe for distinct err. */
int w2v_fail_errno(struct w2v_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Overflow-checked arithmetic: store a*b (a+b) in *out and return 0, or
 * return W2V_EOVERFLOW leaving *out untouched. Thread-safe. */
int w2v_size_mul(size_t a, size_t b, size_t *out);
int w2v_size_add(size_t a, size_t b, size_t *out);

/* The allocation wrapper. Same contracts as malloc/calloc/realloc/free
 * (NULL on failure; w2v_calloc checks n*size for overflow). Public because
 * ownership crosses the API: a struct vectors filled by the caller is freed
 * by vectors_release with w2v_free. Thread-safe. */
void *w2v_malloc(size_t size);
void *w2v_calloc(size_t n, size_t size);
void *w2v_realloc(void *p, size_t size);
void w2v_free(void *p);

/* 64-byte aligned allocation for model rows; size is rounded up to a
 * multiple of the alignment. Free with w2v_aligned_free. NULL on failure.
 * Thread-safe. */
void *w2v_aligned_alloc(size_t size);
void w2v_aligned_free(void *p);

/* Duplicate n bytes as a NUL-terminated string (the caller's, to w2v_free);
 * NULL on failure. Thread-safe. */
char *w2v_strndup(const char *s, size_t n);

#endif
