/* common.c — status messages, error details, checked arithmetic, allocation. */
#include "w2v/common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *w2v_strerror(int status)
{
    switch (status) {
    case W2V_OK: return "success";
    case W2V_ENOMEM: return "out of memory";
    case W2V_EIO: return "input/output error";
    case W2V_EFORMAT: return "malformed file";
    case W2V_EINVAL: return "invalid argument";
    case W2V_ENOTFOUND: return "not in the vocabulary";
    case W2V_EOVERFLOW: return "size too large";
    case W2V_EEMPTY: return "nothing to work on";
    case W2V_EINTR: return "interrupted";
    default: return "unknown error";
    }
}

static int fail_v(struct w2v_err *err, int status, const char *suffix,
                  const char *fmt, va_list ap)
{
    if (!err)
        return status;
    err->status = status;
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    if (suffix && n >= 0 && (size_t)n < sizeof err->message)
        snprintf(err->message + n, sizeof err->message - (size_t)n, ": %s", suffix);
    /* One line, always: a word from a hostile file may hold a newline. */
    for (char *c = err->message; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    return status;
}

int w2v_fail(struct w2v_err *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(err, status, NULL, fmt, ap);
    va_end(ap);
    return status;
}

int w2v_fail_errno(struct w2v_err *err, const char *fmt, ...)
{
    const char *reason = strerror(errno);
    va_list ap;
    va_start(ap, fmt);
    fail_v(err, W2V_EIO, reason, fmt, ap);
    va_end(ap);
    return W2V_EIO;
}

int w2v_size_mul(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return W2V_EOVERFLOW;
    *out = a * b;
    return 0;
}

int w2v_size_add(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return W2V_EOVERFLOW;
    *out = a + b;
    return 0;
}

#ifdef W2V_FAULT_INJECTION
/* Test-only counters; the build that defines W2V_FAULT_INJECTION is never
 * shipped, so this is the one tolerated piece of global state. */
static int64_t fault_countdown;
static int64_t fault_calls;

int64_t w2v_fault_alloc_after(int64_t n)
{
    int64_t calls = fault_calls;
    fault_calls = 0;
    fault_countdown = n;
    return calls;
}

static int fault_should_fail(void)
{
    fault_calls++;
    if (fault_countdown > 0 && --fault_countdown == 0)
        return 1;
    return 0;
}
#else
static int fault_should_fail(void) { return 0; }
#endif

void *w2v_malloc(size_t size)
{
    if (fault_should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *w2v_calloc(size_t n, size_t size)
{
    size_t total;
    if (w2v_size_mul(n, size, &total) != 0 || fault_should_fail())
        return NULL;
    return calloc(total ? n : 1, total ? size : 1);
}

void *w2v_realloc(void *p, size_t size)
{
    if (fault_should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void w2v_free(void *p) { free(p); }

#define W2V_ALIGN 64

void *w2v_aligned_alloc(size_t size)
{
    size_t rounded;
    if (w2v_size_add(size ? size : 1, W2V_ALIGN - 1, &rounded) != 0 || fault_should_fail())
        return NULL;
    rounded &= ~(size_t)(W2V_ALIGN - 1);
    void *p = NULL;
    if (posix_memalign(&p, W2V_ALIGN, rounded) != 0)
        return NULL;
    return p;
}

void w2v_aligned_free(void *p) { free(p); }

char *w2v_strndup(const char *s, size_t n)
{
    size_t cap;
    if (w2v_size_add(n, 1, &cap) != 0)
        return NULL;
    char *copy = w2v_malloc(cap);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}
