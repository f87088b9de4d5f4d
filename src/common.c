/* common.c — status messages, error details, checked arithmetic, allocation. */
#include "common_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
    case W2V_EINVAL: return "invalid data";
    case W2V_ENOTFOUND: return "not in the vocabulary";
    case W2V_EOVERFLOW: return "size too large";
    case W2V_EEMPTY: return "nothing to work on";
    case W2V_EINTR: return "interrupted";
    case W2V_EDIVERGED: return "training diverged";
    case W2V_EUSAGE: return "bad option or argument";
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
    /* The replacement keeps an existing file's permission bits (a private
     * 600 model stays private); set before a byte is written. A new file
     * has the umask's mode from the open above. */
    if (exists && fchmod(fd, st.st_mode & 07777) != 0) {
        int rc = w2v_fail_errno(err, "cannot keep the mode of '%s'", path);
        close(fd);
        w2v_outfile_abort(o);
        return rc;
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

/* ---- small helpers -------------------------------------------------------- */

uint64_t w2v_fnv1a(const void *s, size_t len)
{
    const unsigned char *p = s;
    uint64_t h = W2V_FNV1A_INIT;
    for (size_t i = 0; i < len; i++)
        h = w2v_fnv1a_step(h, p[i]);
    return h;
}

int w2v_host_is_little_endian(void)
{
    const uint32_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

int w2v_cpu_count(int max)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 || max < 1 ? 1 : n > max ? max : (int)n;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one. */
size_t w2v_utf8_sequence(const unsigned char *s, size_t n, uint32_t *code_point)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
        if (code_point)
            *code_point = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    if (code_point)
        *code_point = cp;
    return len;
}

/* A JSON string. Bytes that are not UTF-8 become U+FFFD, so the output is
 * always valid JSON even for words from a file with broken encodings. */
void w2v_json_write_string(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t len = w2v_utf8_sequence(p + i, n - i, NULL);
        if (len == 0) {
            fputs("\\ufffd", out);
            i++;
            continue;
        }
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
        } else {
            fwrite(p + i, 1, len, out);
        }
        i += len;
    }
    fputc('"', out);
}

/* ---- buffered reader ------------------------------------------------------ */

int w2v_reader_from_fd(struct w2v_reader *r, int fd, const char *path, size_t cap,
                       struct w2v_err *err)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->path = path;
    r->cap = cap ? cap : 1;
    r->buf = w2v_malloc(r->cap + 1);
    if (!r->buf) {
        w2v_reader_close(r);
        return w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", path);
    }
    return 0;
}

int w2v_reader_open(struct w2v_reader *r, const char *path, size_t cap, struct w2v_err *err)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return w2v_fail_errno(err, "cannot open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return w2v_fail(err, W2V_EIO, "cannot read '%s': Is a directory", path);
    }
    return w2v_reader_from_fd(r, fd, path, cap, err);
}

void w2v_reader_close(struct w2v_reader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd); /* read-only: a close error loses nothing */
    w2v_free(r->buf);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

int64_t w2v_reader_ensure(struct w2v_reader *r, size_t n, struct w2v_err *err)
{
    if (r->len - r->off >= n)
        return (int64_t)(r->len - r->off);
    if (r->off > 0) {
        memmove(r->buf, r->buf + r->off, r->len - r->off);
        r->len -= r->off;
        r->off = 0;
    }
    if (n > r->cap) {
        size_t cap = r->cap;
        while (cap < n)
            cap *= 2;
        unsigned char *nb = w2v_realloc(r->buf, cap + 1);
        if (!nb)
            return w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", r->path);
        r->buf = nb;
        r->cap = cap;
    }
    while (r->len < n && !r->eof) {
        ssize_t got = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return w2v_fail_errno(err, "cannot read '%s'", r->path);
        }
        if (got == 0)
            r->eof = 1;
        r->len += (size_t)got;
    }
    return (int64_t)(r->len - r->off);
}

/* Bytes asked for at a time while a line has no end yet. */
#define READER_CHUNK ((size_t)1 << 20)

int w2v_reader_line(struct w2v_reader *r, size_t max_line, char **line, size_t *len,
                    struct w2v_err *err)
{
    size_t scanned = 0; /* bytes after off known to hold no '\n' */
    for (;;) {
        size_t avail = r->len - r->off;
        unsigned char *nl = memchr(r->buf + r->off + scanned, '\n', avail - scanned);
        if (nl) {
            *len = (size_t)(nl - (r->buf + r->off));
            if (*len > max_line)
                break;
            *nl = '\0';
            *line = (char *)r->buf + r->off;
            r->off += *len + 1;
            r->pos += (int64_t)*len + 1;
            return 1;
        }
        scanned = avail;
        if (r->eof) {
            if (avail == 0)
                return 0;
            r->buf[r->off + avail] = '\0'; /* the spare byte past cap */
            *line = (char *)r->buf + r->off;
            *len = avail;
            r->off += avail;
            r->pos += (int64_t)avail;
            return 1;
        }
        if (avail > max_line)
            break;
        size_t step = max_line - avail < READER_CHUNK ? max_line - avail + 1 : READER_CHUNK;
        int64_t got = w2v_reader_ensure(r, avail + step, err);
        if (got < 0)
            return (int)got;
    }
    return w2v_fail(err, W2V_EFORMAT, "'%s': line longer than %zu bytes", r->path, max_line);
}

/* ---- threads ------------------------------------------------------------- */

struct parallel_task {
    void (*fn)(void *arg, int i);
    void *arg;
    int i;
};

static void *parallel_start(void *p)
{
    const struct parallel_task *t = p;
    t->fn(t->arg, t->i);
    return NULL;
}

void w2v_parallel(int n, void (*fn)(void *arg, int i), void *arg)
{
    if (n < 1)
        return;
    pthread_t *tids = n > 1 ? w2v_calloc((size_t)n, sizeof *tids) : NULL;
    struct parallel_task *tasks = n > 1 ? w2v_calloc((size_t)n, sizeof *tasks) : NULL;
    unsigned char *started = n > 1 ? w2v_calloc((size_t)n, 1) : NULL;
    const int can_start = tids && tasks && started;
    for (int i = 1; i < n && can_start; i++) {
        tasks[i] = (struct parallel_task){fn, arg, i};
        started[i] = pthread_create(&tids[i], NULL, parallel_start, &tasks[i]) == 0;
    }
    fn(arg, 0);
    for (int i = 1; i < n; i++) {
        if (can_start && started[i])
            pthread_join(tids[i], NULL);
        else
            fn(arg, i);
    }
    w2v_free(tids);
    w2v_free(tasks);
    w2v_free(started);
}
