/* common.c — status messages, error details, checked arithmetic, allocation. */
#include "w2v/common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>
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
    case W2V_EDIVERGED: return "training diverged";
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

int w2v_outfile_open(struct w2v_outfile *o, const char *path, struct w2v_err *err)
{
    static atomic_uint temp_counter;
    int fd = -1;
    memset(o, 0, sizeof *o);
    o->path = w2v_strndup(path, strlen(path));
    if (!o->path)
        return w2v_fail(err, W2V_ENOMEM, "out of memory opening '%s'", path);
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        w2v_outfile_abort(o);
        return w2v_fail(err, W2V_EIO, "cannot write '%s': it is a directory", path);
    }
    /* Devices, FIFOs, dangling links and /dev or /proc names (/dev/stdout
     * is a link to /proc/self/fd/1, which may be a regular file): write in
     * place. */
    struct stat lst;
    int is_link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
    if ((exists && !S_ISREG(st.st_mode)) || (is_link && !exists) ||
        strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0) {
        o->fp = fopen(path, "wb");
        if (!o->fp) {
            int rc = w2v_fail_errno(err, "cannot open '%s' for writing", path);
            w2v_outfile_abort(o);
            return rc;
        }
        return 0;
    }
    /* A symbolic link to a file: replace the file it names, keep the link. */
    if (is_link) {
        char *real = realpath(path, NULL);
        if (!real) {
            int rc = w2v_fail_errno(err, "cannot resolve '%s'", path);
            w2v_outfile_abort(o);
            return rc;
        }
        w2v_free(o->path);
        o->path = w2v_strndup(real, strlen(real));
        free(real); /* realpath's buffer comes from malloc */
        if (!o->path)
            return w2v_fail(err, W2V_ENOMEM, "out of memory opening '%s'", path);
        path = o->path;
    }
    size_t cap = strlen(path) + 48;
    o->tmp_path = w2v_malloc(cap);
    if (!o->tmp_path) {
        w2v_outfile_abort(o);
        return w2v_fail(err, W2V_ENOMEM, "out of memory opening '%s'", path);
    }
    for (int attempt = 0;; attempt++) {
        snprintf(o->tmp_path, cap, "%s.tmp.%ld.%u", path, (long)getpid(),
                 atomic_fetch_add(&temp_counter, 1));
        fd = open(o->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            break;
        if (errno != EEXIST || attempt >= 100) {
            int rc = w2v_fail_errno(err, "cannot create a file beside '%s'", path);
            w2v_free(o->tmp_path);
            o->tmp_path = NULL; /* nothing of ours to remove */
            w2v_outfile_abort(o);
            return rc;
        }
    }
    o->fp = fdopen(fd, "wb");
    if (!o->fp) {
        int rc = w2v_fail_errno(err, "cannot write '%s'", o->tmp_path);
        close(fd);
        w2v_outfile_abort(o);
        return rc;
    }
    return 0;
}

int w2v_outfile_commit(struct w2v_outfile *o, struct w2v_err *err)
{
    int rc = 0;
    FILE *fp = o->fp;
    o->fp = NULL;
    const char *shown = o->path ? o->path : "output";
    if (!fp) {
        rc = w2v_fail(err, W2V_EIO, "cannot write '%s': not open", shown);
        goto done;
    }
    if (fflush(fp) != 0 || ferror(fp)) {
        rc = w2v_fail_errno(err, "cannot write '%s'", shown);
        fclose(fp);
        goto done;
    }
    /* A rename without fsync can leave an empty file after a crash. */
    if (o->tmp_path && fsync(fileno(fp)) != 0) {
        rc = w2v_fail_errno(err, "cannot write '%s'", shown);
        fclose(fp);
        goto done;
    }
    if (fclose(fp) != 0) {
        rc = w2v_fail_errno(err, "cannot write '%s'", shown);
        goto done;
    }
    if (o->tmp_path && rename(o->tmp_path, o->path) != 0) {
        rc = w2v_fail_errno(err, "cannot move the new file into place at '%s'", shown);
        goto done;
    }
    if (o->tmp_path) {
        w2v_free(o->tmp_path);
        o->tmp_path = NULL;
    }
done:
    w2v_outfile_abort(o);
    return rc;
}

void w2v_outfile_abort(struct w2v_outfile *o)
{
    if (o->fp) {
        fclose(o->fp);
        o->fp = NULL;
    }
    if (o->tmp_path) {
        unlink(o->tmp_path);
        w2v_free(o->tmp_path);
        o->tmp_path = NULL;
    }
    w2v_free(o->path);
    o->path = NULL;
}
