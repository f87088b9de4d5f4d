/* vectors.c — reading and writing word2vec vector files (binary and text).
 *
 * Every size a file claims is hostile until checked: the header's V and D
 * are checked against overflow, W2V_MAX_DIM and the file's real size before
 * anything is allocated, so a header claiming 10^12 words fails at once. */
#include "w2v/vectors.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest text line accepted: D values of up to ~600 bytes each would be
 * silly; this bounds the line buffer for hostile files without newlines. */
#define MAX_TEXT_LINE ((size_t)1 << 28)
#define READ_CHUNK ((size_t)1 << 20)

void vectors_init(struct vectors *v) { memset(v, 0, sizeof *v); }

void vectors_release(struct vectors *v)
{
    if (!v)
        return;
    if (v->word_pool) {
        w2v_free(v->word_pool);
    } else if (v->words) {
        for (int64_t i = 0; i < v->rows; i++)
            w2v_free(v->words[i]);
    }
    w2v_free(v->words);
    w2v_aligned_free(v->data);
    w2v_free(v->slots);
    memset(v, 0, sizeof *v);
}

uint64_t vectors_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int64_t vectors_find(const struct vectors *v, const char *word)
{
    if (!v->slots || v->n_slots == 0)
        return -1;
    size_t mask = v->n_slots - 1;
    size_t len = strlen(word);
    size_t i = (size_t)vectors_hash(word, len) & mask;
    for (;;) {
        int64_t row = v->slots[i];
        if (row < 0)
            return -1;
        if (strcmp(v->words[row], word) == 0)
            return row;
        i = (i + 1) & mask;
    }
}

int vectors_index(struct vectors *v, struct w2v_err *err)
{
    w2v_free(v->slots);
    v->slots = NULL;
    v->n_slots = 0;
    /* Power of two at least twice the rows: linear probing stays short. */
    size_t want = 16;
    while (want / 2 < (size_t)v->rows) {
        if (want > SIZE_MAX / 4)
            return w2v_fail(err, W2V_EOVERFLOW, "too many words to index (%lld)",
                            (long long)v->rows);
        want *= 2;
    }
    size_t bytes;
    if (w2v_size_mul(want, sizeof(int64_t), &bytes) != 0)
        return w2v_fail(err, W2V_EOVERFLOW, "too many words to index (%lld)", (long long)v->rows);
    int64_t *slots = w2v_malloc(bytes);
    if (!slots)
        return w2v_fail(err, W2V_ENOMEM, "out of memory indexing %lld words", (long long)v->rows);
    memset(slots, 0xff, want * sizeof *slots); /* all -1 */
    size_t mask = want - 1;
    for (int64_t r = 0; r < v->rows; r++) {
        const char *w = v->words[r];
        size_t i = (size_t)vectors_hash(w, strlen(w)) & mask;
        while (slots[i] >= 0) {
            if (strcmp(v->words[slots[i]], w) == 0) {
                int64_t first = slots[i];
                w2v_free(slots);
                return w2v_fail(err, W2V_EFORMAT, "duplicate word '%.200s' (rows %lld and %lld)",
                                w, (long long)first + 1, (long long)r + 1);
            }
            i = (i + 1) & mask;
        }
        slots[i] = r;
    }
    v->slots = slots;
    v->n_slots = want;
    return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* A forward-only buffered reader over a file descriptor. buf[off..len) is
 * unread; pos is the file offset of buf[off]. One spare byte past cap lets
 * a line be NUL-terminated in place. */
struct reader {
    int fd;
    const char *path;
    unsigned char *buf;
    size_t cap, len, off;
    int64_t pos;
    int eof;
};

/* Make at least n unread bytes available (fewer only at end of file).
 * Returns the number available, or a negative status. */
static int64_t reader_ensure(struct reader *r, size_t n, struct w2v_err *err)
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

/* Find the next line: on success *line points at it (NUL-terminated in
 * place, the '\n' dropped) and *len is its length; returns 1, or 0 at end of
 * file, or a negative status. The line stays valid until the next call. */
static int reader_line(struct reader *r, char **line, size_t *len, struct w2v_err *err)
{
    size_t scanned = 0; /* bytes after off known to hold no '\n' */
    for (;;) {
        size_t avail = r->len - r->off;
        unsigned char *nl = memchr(r->buf + r->off + scanned, '\n', avail - scanned);
        if (nl) {
            *len = (size_t)(nl - (r->buf + r->off));
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
        if (avail >= MAX_TEXT_LINE)
            return w2v_fail(err, W2V_EFORMAT, "'%s': line longer than %zu bytes", r->path,
                            MAX_TEXT_LINE);
        int64_t got = reader_ensure(r, avail + READ_CHUNK, err);
        if (got < 0)
            return (int)got;
    }
}

static int is_word_forbidden(unsigned char c)
{
    /* What no tokenizer can put in a word, and what would break the file. */
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static int host_is_little_endian(void)
{
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Little-endian bytes to float, on any host. */
static inline float load_le_float(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline void store_le_float(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    p[0] = (unsigned char)u;
    p[1] = (unsigned char)(u >> 8);
    p[2] = (unsigned char)(u >> 16);
    p[3] = (unsigned char)(u >> 24);
}

/* Parse a decimal without sign into *out; 0 or -1 (empty, not digits,
 * overflow past INT64_MAX). */
static int parse_count(const char *s, size_t n, int64_t *out)
{
    if (n == 0)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        int d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Parse "V D" with optional trailing spaces / CR. Returns 0 or a status. */
static int parse_header(const char *path, char *line, size_t len, int64_t *rows, int64_t *dim,
                        struct w2v_err *err)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    const char *sp = memchr(line, ' ', len);
    if (!sp)
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' is not a word2vec vector file (the first line must be \"WORDS DIMENSIONS\")",
                        path);
    size_t n1 = (size_t)(sp - line);
    const char *p2 = sp + 1;
    size_t n2 = len - n1 - 1;
    int a = parse_count(line, n1, rows), b = parse_count(p2, n2, dim);
    if (a == -2 || b == -2)
        return w2v_fail(err, W2V_EOVERFLOW, "'%s': header sizes are too large", path);
    if (a != 0 || b != 0)
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' is not a word2vec vector file (the first line must be \"WORDS DIMENSIONS\")",
                        path);
    return 0;
}

/* Is the first record a text line? Text when it has exactly D values that
 * parse, or when it is printable (a text line with an error the text parser
 * will name) and its length does not fit a binary record. */
static int looks_like_text(unsigned char *p, size_t avail, int64_t dim)
{
    const unsigned char *nl = memchr(p, '\n', avail);
    size_t len = nl ? (size_t)(nl - p) : avail;
    const unsigned char *sp = memchr(p, ' ', len);
    if (!sp)
        return 1; /* no space on the line: no binary record either */
    size_t wlen = (size_t)(sp - p);
    int printable = 1;
    for (size_t i = wlen; i < len && printable; i++)
        if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r') || p[i] >= 0x7f)
            printable = 0;
    if (!printable)
        return 0;
    /* Exactly D numbers: text, even when the length would fit binary (the
     * original's "w 0.1 0.2 0.3 \n" is 12 bytes after the word, like 3 floats). */
    /* strtof needs a terminator: borrow the byte after the line (the '\n',
     * or the reader's spare byte past its capacity) and put it back. */
    unsigned char saved = p[len];
    p[len] = '\0';
    char *q = (char *)p + wlen, *end;
    int64_t count = 0;
    for (;;) {
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (!*q)
            break;
        strtof(q, &end);
        if (end == q || (*end && *end != ' ' && *end != '\t' && *end != '\r'))
            break;
        count++;
        q = end;
    }
    int all_numbers = !*q;
    p[len] = saved;
    if (all_numbers && count == dim)
        return 1;
    if ((uint64_t)(len - wlen - 1) == (uint64_t)dim * 4)
        return 0; /* exactly a binary record whose floats happen to be printable */
    return 1;
}

static int check_tail(struct reader *r, struct w2v_err *err, int64_t rows)
{
    /* After the announced rows only whitespace may follow. */
    for (;;) {
        int64_t got = reader_ensure(r, 1, err);
        if (got < 0)
            return (int)got;
        if (got == 0)
            return 0;
        while (r->off < r->len) {
            unsigned char c = r->buf[r->off];
            if (c != '\n' && c != '\r' && c != ' ' && c != '\t')
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s' holds more data after the %lld vectors its header announces",
                                r->path, (long long)rows);
            r->off++;
            r->pos++;
        }
    }
}

/* Append a word of n bytes to the pool; offsets[row] records where. */
struct pool {
    char *buf;
    size_t len, cap;
};

static int pool_add(struct pool *p, const char *w, size_t n, size_t *at)
{
    size_t need;
    if (w2v_size_add(p->len, n + 1, &need) != 0)
        return W2V_EOVERFLOW;
    if (need > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < need)
            cap *= 2;
        char *nb = w2v_realloc(p->buf, cap);
        if (!nb)
            return W2V_ENOMEM;
        p->buf = nb;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, w, n);
    p->buf[p->len + n] = '\0';
    *at = p->len;
    p->len = need;
    return 0;
}

static int read_binary(struct reader *r, struct vectors *v, struct pool *pool, size_t *offs,
                       struct w2v_err *err)
{
    const size_t dim = (size_t)v->dim;
    const size_t vbytes = dim * sizeof(float);
    const int le = host_is_little_endian();
    for (int64_t row = 0; row < v->rows; row++) {
        /* An optional '\n' ends the previous vector (the original writes one,
         * gensim none). */
        int64_t got = reader_ensure(r, 1, err);
        if (got < 0)
            return (int)got;
        if (got > 0 && r->buf[r->off] == '\n' && row > 0) {
            r->off++;
            r->pos++;
        }
        /* The word: bytes up to a space. */
        size_t wlen, scanned = 0;
        for (;;) {
            got = reader_ensure(r, scanned + 1, err);
            if (got < 0)
                return (int)got;
            if ((size_t)got <= scanned)
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s' is truncated: %lld of %lld vectors present", r->path,
                                (long long)row, (long long)v->rows);
            size_t limit = (size_t)got;
            if (limit > W2V_MAX_FILE_WORD_BYTES + 1)
                limit = W2V_MAX_FILE_WORD_BYTES + 1;
            const unsigned char *sp = memchr(r->buf + r->off + scanned, ' ', limit - scanned);
            if (sp) {
                wlen = (size_t)(sp - (r->buf + r->off));
                break;
            }
            scanned = limit;
            if (scanned > W2V_MAX_FILE_WORD_BYTES)
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s': word of row %lld is longer than %d bytes (not a vector file?)",
                                r->path, (long long)row + 1, W2V_MAX_FILE_WORD_BYTES);
        }
        for (size_t i = 0; i < wlen; i++) {
            unsigned char c = r->buf[r->off + i];
            if (is_word_forbidden(c))
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s': word of row %lld holds a control byte 0x%02x (bad or truncated file)",
                                r->path, (long long)row + 1, c);
        }
        const char *word = (const char *)r->buf + r->off;
        if (wlen == 0)
            return w2v_fail(err, W2V_EFORMAT, "'%s': empty word at row %lld", r->path,
                            (long long)row + 1);
        int rc = pool_add(pool, word, wlen, &offs[row]);
        if (rc < 0)
            return w2v_fail(err, rc, "out of memory reading '%s'", r->path);
        r->off += wlen + 1;
        r->pos += (int64_t)wlen + 1;
        const char *wname = pool->buf + offs[row];
        got = reader_ensure(r, vbytes, err);
        if (got < 0)
            return (int)got;
        if ((size_t)got < vbytes)
            return w2v_fail(err, W2V_EFORMAT,
                            "'%s' is truncated in the vector of '%.200s' (row %lld of %lld)",
                            r->path, wname, (long long)row + 1, (long long)v->rows);
        const unsigned char *src = r->buf + r->off;
        float *dst = v->data + (size_t)row * dim;
        if (le)
            memcpy(dst, src, vbytes);
        else
            for (size_t j = 0; j < dim; j++)
                dst[j] = load_le_float(src + 4 * j);
        for (size_t j = 0; j < dim; j++)
            if (!isfinite(dst[j]))
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s': vector of '%.200s' (row %lld) has a non-finite value at %zu",
                                r->path, wname, (long long)row + 1, j + 1);
        r->off += vbytes;
        r->pos += (int64_t)vbytes;
    }
    return check_tail(r, err, v->rows);
}

static int read_text(struct reader *r, struct vectors *v, struct pool *pool, size_t *offs,
                     struct w2v_err *err)
{
    const size_t dim = (size_t)v->dim;
    for (int64_t row = 0; row < v->rows; row++) {
        const int64_t lineno = row + 2;
        char *line = NULL;
        size_t len = 0;
        int rc = reader_line(r, &line, &len, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return w2v_fail(err, W2V_EFORMAT, "'%s' is truncated: %lld of %lld vectors present",
                            r->path, (long long)row, (long long)v->rows);
        if (memchr(line, '\0', len))
            return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: holds a NUL byte", r->path,
                            (long long)lineno);
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        size_t wlen = strcspn(line, " \t");
        if (wlen == 0)
            return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: %s", r->path, (long long)lineno,
                            len == 0 ? "empty line where a vector was expected"
                                     : "line starts with a space (empty word)");
        for (size_t i = 0; i < wlen; i++)
            if (is_word_forbidden((unsigned char)line[i]))
                return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: word holds a control byte",
                                r->path, (long long)lineno);
        if (wlen > W2V_MAX_FILE_WORD_BYTES)
            return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: word longer than %d bytes",
                            r->path, (long long)lineno, W2V_MAX_FILE_WORD_BYTES);
        rc = pool_add(pool, line, wlen, &offs[row]);
        if (rc < 0)
            return w2v_fail(err, rc, "out of memory reading '%s'", r->path);
        const char *wname = pool->buf + offs[row];
        float *dst = v->data + (size_t)row * dim;
        char *p = line + wlen;
        size_t n = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '\0')
                break;
            if (n == dim)
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s' line %lld: word '%.200s' has more than %zu values",
                                r->path, (long long)lineno, wname, dim);
            char *end;
            errno = 0;
            float f = strtof(p, &end);
            if (end == p || (*end != ' ' && *end != '\t' && *end != '\0')) {
                size_t tl = strcspn(p, " \t");
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s' line %lld: value %zu of word '%.200s' is not a number: '%.*s'",
                                r->path, (long long)lineno, n + 1, wname,
                                (int)(tl > 60 ? 60 : tl), p);
            }
            if (!isfinite(f))
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s' line %lld: value %zu of word '%.200s' is not finite: '%.*s'",
                                r->path, (long long)lineno, n + 1, wname,
                                (int)(end - p > 60 ? 60 : end - p), p);
            dst[n++] = f;
            p = end;
        }
        if (n != dim)
            return w2v_fail(err, W2V_EFORMAT,
                            "'%s' line %lld: word '%.200s' has %zu values, expected %zu", r->path,
                            (long long)lineno, wname, n, dim);
    }
    return check_tail(r, err, v->rows);
}

int vectors_read(struct vectors *v, const char *path, struct w2v_err *err)
{
    struct reader r = {.fd = -1, .path = path};
    struct pool pool = {0};
    size_t *offs = NULL;
    int rc;
    vectors_init(v);

    r.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r.fd < 0) {
        rc = w2v_fail_errno(err, "cannot open '%s'", path);
        goto fail;
    }
    struct stat st;
    if (fstat(r.fd, &st) != 0) {
        rc = w2v_fail_errno(err, "cannot stat '%s'", path);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = w2v_fail(err, W2V_EIO, "cannot read '%s': Is a directory", path);
        goto fail;
    }
    /* Pipes and the like have no size to check the header against. */
    if (!S_ISREG(st.st_mode)) {
        rc = w2v_fail(err, W2V_EIO, "cannot read '%s': not a regular file", path);
        goto fail;
    }
    int64_t file_size = (int64_t)st.st_size;
    if (file_size == 0) {
        rc = w2v_fail(err, W2V_EEMPTY, "'%s' is empty", path);
        goto fail;
    }
    r.cap = READ_CHUNK;
    r.buf = w2v_malloc(r.cap + 1);
    if (!r.buf) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", path);
        goto fail;
    }

    /* Header: at most a few dozen bytes. */
    int64_t got = reader_ensure(&r, 128, err);
    if (got < 0) {
        rc = (int)got;
        goto fail;
    }
    const unsigned char *nl = memchr(r.buf, '\n', (size_t)got);
    if (!nl) {
        rc = w2v_fail(err, W2V_EFORMAT,
                      "'%s' is not a word2vec vector file (the first line must be \"WORDS DIMENSIONS\")",
                      path);
        goto fail;
    }
    size_t hlen = (size_t)(nl - r.buf);
    int64_t rows = 0, dim = 0;
    rc = parse_header(path, (char *)r.buf, hlen, &rows, &dim, err);
    if (rc < 0)
        goto fail;
    r.off = hlen + 1;
    r.pos = (int64_t)hlen + 1;
    if (rows == 0) {
        rc = w2v_fail(err, W2V_EEMPTY, "'%s' holds no vectors (header says 0 words)", path);
        goto fail;
    }
    if (dim == 0) {
        rc = w2v_fail(err, W2V_EFORMAT, "'%s': header says 0 dimensions", path);
        goto fail;
    }
    if (dim > W2V_MAX_DIM) {
        rc = w2v_fail(err, W2V_EOVERFLOW, "'%s': header claims %lld dimensions (at most %d)", path,
                      (long long)dim, W2V_MAX_DIM);
        goto fail;
    }
    /* Each row needs at least a 1-byte word and D values of at least 2 bytes
     * (text: " 0"); binary needs more, checked once the format is known. */
    int64_t body = file_size - r.pos;
    if (rows > body / (1 + 2 * dim)) {
        rc = w2v_fail(err, W2V_EFORMAT,
                      "'%s': header claims %lld words of %lld dimensions but the file has only %lld bytes",
                      path, (long long)rows, (long long)dim, (long long)file_size);
        goto fail;
    }
    got = reader_ensure(&r, READ_CHUNK, err);
    if (got < 0) {
        rc = (int)got;
        goto fail;
    }
    v->format = looks_like_text(r.buf + r.off, (size_t)got, dim) ? VECTORS_TEXT : VECTORS_BINARY;
    if (v->format == VECTORS_BINARY && rows > body / (2 + 4 * dim)) {
        rc = w2v_fail(err, W2V_EFORMAT,
                      "'%s': header claims %lld words of %lld dimensions but the file has only %lld bytes",
                      path, (long long)rows, (long long)dim, (long long)file_size);
        goto fail;
    }
    /* Now rows * dim * 4 < 2 * file size; still checked for 32-bit hosts. */
    size_t data_bytes;
    if (w2v_size_mul((size_t)rows, (size_t)dim * sizeof(float), &data_bytes) != 0 ||
        (uint64_t)rows > SIZE_MAX / sizeof *offs) {
        rc = w2v_fail(err, W2V_EOVERFLOW, "'%s': %lld x %lld vectors do not fit in memory", path,
                      (long long)rows, (long long)dim);
        goto fail;
    }
    v->rows = rows;
    v->dim = (int32_t)dim;
    v->data = w2v_aligned_alloc(data_bytes);
    offs = w2v_malloc((size_t)rows * sizeof *offs);
    if (!v->data || !offs) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for %lld x %lld vectors from '%s'",
                      (long long)rows, (long long)dim, path);
        goto fail;
    }
    rc = v->format == VECTORS_BINARY ? read_binary(&r, v, &pool, offs, err)
                                     : read_text(&r, v, &pool, offs, err);
    if (rc < 0)
        goto fail;
    v->words = w2v_malloc((size_t)rows * sizeof *v->words);
    if (!v->words) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", path);
        goto fail;
    }
    v->word_pool = pool.buf;
    pool.buf = NULL;
    for (int64_t i = 0; i < rows; i++)
        v->words[i] = v->word_pool + offs[i];
    rc = vectors_index(v, err);
    if (rc < 0) {
        if (rc == W2V_EFORMAT && err) {
            char detail[sizeof err->message];
            snprintf(detail, sizeof detail, "%s", err->message);
            w2v_fail(err, W2V_EFORMAT, "'%s': %s", path, detail);
        }
        goto fail;
    }
    w2v_free(offs);
    w2v_free(r.buf);
    close(r.fd);
    return 0;

fail:
    w2v_free(offs);
    w2v_free(pool.buf);
    w2v_free(r.buf);
    if (r.fd >= 0)
        close(r.fd);
    /* words, when set, points into word_pool: release frees both. */
    vectors_release(v);
    return rc;
}

/* ---- writing ------------------------------------------------------------ */

static atomic_uint temp_counter;

int vectors_write(const char *path, enum vectors_format format, int64_t rows, int32_t dim,
                  const char *const *words, const float *data, size_t stride,
                  struct w2v_err *err)
{
    char *tmp = NULL, *vbuf = NULL;
    unsigned char *row_buf = NULL;
    FILE *fp = NULL;
    int fd = -1, rc;

    if (rows < 1 || dim < 1 || dim > W2V_MAX_DIM || stride < (size_t)dim || !words || !data)
        return w2v_fail(err, W2V_EINVAL,
                        "cannot write '%s': %lld vectors of %d dimensions (stride %zu)", path,
                        (long long)rows, (int)dim, stride);
    for (int64_t r = 0; r < rows; r++) {
        const char *w = words[r];
        if (!w || !*w)
            return w2v_fail(err, W2V_EINVAL, "cannot write '%s': word of row %lld is empty", path,
                            (long long)r + 1);
        for (const char *c = w; *c; c++)
            if (is_word_forbidden((unsigned char)*c))
                return w2v_fail(err, W2V_EINVAL,
                                "cannot write '%s': word '%.200s' holds whitespace", path, w);
        if (strlen(w) > W2V_MAX_FILE_WORD_BYTES)
            return w2v_fail(err, W2V_EINVAL, "cannot write '%s': word of row %lld is too long",
                            path, (long long)r + 1);
        const float *row = data + (size_t)r * stride;
        for (int32_t j = 0; j < dim; j++)
            if (!isfinite(row[j]))
                return w2v_fail(err, W2V_EINVAL,
                                "cannot write '%s': vector of '%.200s' has a non-finite value",
                                path, w);
    }

    size_t plen = strlen(path), tcap = plen + 64;
    tmp = w2v_malloc(tcap);
    if (!tmp) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory writing '%s'", path);
        goto fail;
    }
    for (int attempt = 0;; attempt++) {
        unsigned n = atomic_fetch_add(&temp_counter, 1);
        snprintf(tmp, tcap, "%s.tmp.%ld.%u", path, (long)getpid(), n);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            break;
        if (errno != EEXIST || attempt > 100) {
            rc = w2v_fail_errno(err, "cannot create '%s'", tmp);
            w2v_free(tmp);
            tmp = NULL; /* nothing to remove */
            goto fail;
        }
    }
    fp = fdopen(fd, "wb");
    if (!fp) {
        rc = w2v_fail_errno(err, "cannot write '%s'", tmp);
        close(fd);
        goto fail;
    }
    vbuf = w2v_malloc(READ_CHUNK);
    if (vbuf)
        setvbuf(fp, vbuf, _IOFBF, READ_CHUNK);

    if (fprintf(fp, "%lld %d\n", (long long)rows, (int)dim) < 0)
        goto io_fail;
    if (format == VECTORS_BINARY) {
        row_buf = w2v_malloc((size_t)dim * 4 + 1);
        if (!row_buf) {
            rc = w2v_fail(err, W2V_ENOMEM, "out of memory writing '%s'", path);
            goto fail;
        }
        for (int64_t r = 0; r < rows; r++) {
            const float *row = data + (size_t)r * stride;
            for (int32_t j = 0; j < dim; j++)
                store_le_float(row_buf + 4 * (size_t)j, row[j]);
            row_buf[(size_t)dim * 4] = '\n';
            size_t wl = strlen(words[r]);
            if (fwrite(words[r], 1, wl, fp) != wl || fputc(' ', fp) == EOF ||
                fwrite(row_buf, 1, (size_t)dim * 4 + 1, fp) != (size_t)dim * 4 + 1)
                goto io_fail;
        }
    } else {
        for (int64_t r = 0; r < rows; r++) {
            const float *row = data + (size_t)r * stride;
            if (fputs(words[r], fp) == EOF)
                goto io_fail;
            for (int32_t j = 0; j < dim; j++)
                if (fprintf(fp, " %.9g", (double)row[j]) < 0)
                    goto io_fail;
            if (fputc('\n', fp) == EOF)
                goto io_fail;
        }
    }
    if (fflush(fp) != 0 || ferror(fp))
        goto io_fail;
    FILE *closing = fp;
    fp = NULL;
    if (fclose(closing) != 0)
        goto io_fail;
    if (rename(tmp, path) != 0) {
        rc = w2v_fail_errno(err, "cannot rename '%s' to '%s'", tmp, path);
        goto fail;
    }
    w2v_free(vbuf);
    w2v_free(row_buf);
    w2v_free(tmp);
    return 0;

io_fail:
    rc = w2v_fail_errno(err, "cannot write '%s'", tmp ? tmp : path);
fail:
    if (fp)
        fclose(fp);
    if (tmp) {
        unlink(tmp);
        w2v_free(tmp);
    }
    w2v_free(vbuf);
    w2v_free(row_buf);
    return rc;
}
