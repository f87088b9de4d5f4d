/* common.h — status codes, error details, checked size arithmetic and the
 * single allocation wrapper every module uses.
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
    W2V_EINVAL = -4,    /* a bad argument (usage-level problem) */
    W2V_ENOTFOUND = -5, /* a word is not in the vocabulary */
    W2V_EOVERFLOW = -6, /* a size does not fit */
    W2V_EEMPTY = -7,    /* nothing to work on (empty corpus, no usable line) */
    W2V_EINTR = -8,     /* interrupted by a signal */
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

/* Like w2v_fail with status W2V_EIO, appending ": strerror(errno)". */
int w2v_fail_errno(struct w2v_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Overflow-checked arithmetic: store a*b (a+b) in *out and return 0, or
 * return W2V_EOVERFLOW leaving *out untouched. */
int w2v_size_mul(size_t a, size_t b, size_t *out);
int w2v_size_add(size_t a, size_t b, size_t *out);

/* The allocation wrapper. Same contracts as malloc/calloc/realloc/free
 * (NULL on failure; w2v_calloc checks n*size for overflow). In a build with
 * -DW2V_FAULT_INJECTION the N-th call can be made to fail (see below). */
void *w2v_malloc(size_t size);
void *w2v_calloc(size_t n, size_t size);
void *w2v_realloc(void *p, size_t size);
void w2v_free(void *p);

/* 64-byte aligned allocation for model rows; size is rounded up to a
 * multiple of the alignment. Free with w2v_aligned_free. NULL on failure. */
void *w2v_aligned_alloc(size_t size);
void w2v_aligned_free(void *p);

/* Duplicate n bytes as a NUL-terminated string; NULL on failure. */
char *w2v_strndup(const char *s, size_t n);

/* An output file that appears whole or not at all. For a regular (or new)
 * path, writes go to a temporary file beside it (same directory, so rename
 * is atomic) that replaces the path only on commit; an existing file is
 * untouched until then. A path that exists and is not a regular file (a
 * device such as /dev/full or /dev/stdout, a FIFO) is written directly:
 * renaming over it would destroy the device node. */
struct w2v_outfile {
    FILE *fp;        /* write here between open and commit */
    char *path;      /* owned copy of the destination */
    char *tmp_path;  /* owned; NULL when writing directly */
};

/* Open for writing. Returns 0, or W2V_EIO / W2V_ENOMEM with err filled and
 * nothing left behind. Not thread-safe on one struct. */
int w2v_outfile_open(struct w2v_outfile *o, const char *path, struct w2v_err *err);

/* Flush, sync, close and move into place. Returns 0 or W2V_EIO (e.g. disk
 * full), in which case the temporary is removed. Either way o is released. */
int w2v_outfile_commit(struct w2v_outfile *o, struct w2v_err *err);

/* Close and remove the temporary; the destination is untouched. Safe on a
 * zeroed, committed or already-aborted struct. */
void w2v_outfile_abort(struct w2v_outfile *o);

#ifdef W2V_FAULT_INJECTION
/* Make the n-th allocation from now fail (1 = the next one); 0 disables.
 * Test-only, not thread-safe. Returns how many allocations were made since
 * the last call. */
int64_t w2v_fault_alloc_after(int64_t n);
#endif

#endif
