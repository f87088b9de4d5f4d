/* vectors.c — reading and writing word2vec vector files (binary and text).
 *
 * Every size a file claims is hostile until checked: the header's V and D
 * are checked against overflow, W2V_MAX_DIM and the file's real size before
 * anything is allocated, so a header claiming 10^12 words fails at once. */
#include "w2v/vectors.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* Exact powers of ten in double (10^22 = 2^22 * 5^22 and 5^22 < 2^53). */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

float vectors_strtof(const char *s, char **end)
{
    /* Fast path for plain decimals ("-0.0123", "1.5e-05", "0.123456789"):
     * up to 19 significant digits m and a power of ten e with m < 2^53 and
     * |e| <= 22 give m * 10^e correctly rounded to double in one operation
     * (both operands exact). Rounding that double to float again is
     * correct unless it lies exactly halfway between two floats (a double
     * rounding could then go the wrong way): that case, the float
     * subnormal/overflow range, and everything else (nan, inf, hex, long
     * digit strings) go to strtof. */
    const char *p = s;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        goto slow; /* hexadecimal */
    uint64_t m = 0;
    int digits = 0, e10 = 0, seen = 0;
    while (*p >= '0' && *p <= '9') {
        seen = 1;
        if (m || *p != '0') {
            if (++digits > 19)
                goto slow;
            m = m * 10 + (uint64_t)(*p - '0');
        }
        p++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            seen = 1;
            if (m || *p != '0') {
                if (++digits > 19)
                    goto slow;
                m = m * 10 + (uint64_t)(*p - '0');
            }
            e10--;
            p++;
        }
    }
    if (!seen)
        goto slow;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        int eneg = 0, ev = 0, ed = 0;
        if (*q == '-' || *q == '+')
            eneg = *q++ == '-';
        while (*q >= '0' && *q <= '9') {
            if (++ed > 4)
                goto slow;
            ev = ev * 10 + (*q++ - '0');
        }
        if (ed == 0)
            goto slow; /* "1e" or "1e+": let strtof decide what it consumes */
        e10 += eneg ? -ev : ev;
        p = q;
    }
    if (m == 0) {
        *end = (char *)p;
        return neg ? -0.0f : 0.0f;
    }
    if (m >= ((uint64_t)1 << 53) || e10 < -22 || e10 > 22)
        goto slow;
    double d = (double)m;
    d = e10 >= 0 ? d * pow10_exact[e10] : d / pow10_exact[-e10];
    if (d < FLT_MIN || d > FLT_MAX)
        goto slow;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    if ((bits & (((uint64_t)1 << 29) - 1)) == ((uint64_t)1 << 28))
        goto slow; /* exactly halfway between two floats */
    *end = (char *)p;
    return neg ? -(float)d : (float)d;
slow:
    return strtof(s, end);
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
static int parse_header(const char *path, const char *line, size_t len, int64_t *rows, int64_t *dim,
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
 * will name) and its length does not fit a binary record. p may be a
 * read-only mapping. Returns 1 (text), 0 (binary) or W2V_ENOMEM. */
static int looks_like_text(const unsigned char *p, size_t avail, int64_t dim)
{
    const unsigned char *nl = memchr(p, '\n', avail);
    size_t len = nl ? (size_t)(nl - p) : avail;
    const unsigned char *sp = memchr(p, ' ', len);
    if (!sp)
        return 1; /* no space on the line: no binary record either */
    size_t wlen = (size_t)(sp - p);
    for (size_t i = wlen; i < len; i++)
        if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r') || p[i] >= 0x7f)
            return 0;
    /* Exactly D numbers: text, even when the length would fit binary (the
     * original's "w 0.1 0.2 0.3 \n" is 12 bytes after the word, like 3
     * floats). strtof needs a terminated copy. */
    char *copy = w2v_strndup((const char *)p + wlen, len - wlen);
    if (!copy)
        return W2V_ENOMEM;
    char *q = copy, *end;
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
    w2v_free(copy);
    if (all_numbers && count == dim)
        return 1;
    if ((uint64_t)(len - wlen - 1) == (uint64_t)dim * 4)
        return 0; /* exactly a binary record whose floats happen to be printable */
    /* The line ended inside where a binary vector would lie. Float bytes may
     * hold a '\n' (0.01f is 0a d7 23 3c), so a binary file can begin with a
     * short printable "line": about one in 256 models. Past that '\n' a
     * text file holds its next lines (printable ASCII, whitespace), float
     * bytes soon something else: binary, when the whole vector is here and
     * one of its bytes past the '\n' could not be text. (A broken text file
     * with non-ASCII words right after its first line then gets the binary
     * reader's complaint instead of the text reader's.) */
    const size_t vend = wlen + 1 + (size_t)dim * 4;
    if (nl && vend <= avail)
        for (size_t i = len + 1; i < vend; i++)
            if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') || p[i] >= 0x7f)
                return 0;
    return 1;
}

/* What the first bytes of a file say: sizes, where the rows start, format. */
struct prologue {
    int64_t rows, dim;
    size_t body_start;
    enum vectors_format format;
};

#define NOT_A_VECTOR_FILE "'%s' is not a word2vec vector file (the first line must be \"WORDS DIMENSIONS\")"

/* p[0..avail): the file's first bytes, at least min(file_size, READ_CHUNK)
 * of them. Checks the header against overflow, W2V_MAX_DIM and file_size
 * before anyone allocates by it. Returns 0 or a status with err filled. */
static int parse_prologue(const char *path, const unsigned char *p, size_t avail,
                          int64_t file_size, struct prologue *out, struct w2v_err *err)
{
    const unsigned char *nl = memchr(p, '\n', avail < 128 ? avail : 128);
    if (!nl)
        return w2v_fail(err, W2V_EFORMAT, NOT_A_VECTOR_FILE, path);
    size_t hlen = (size_t)(nl - p);
    int64_t rows = 0, dim = 0;
    int rc = parse_header(path, (const char *)p, hlen, &rows, &dim, err);
    if (rc < 0)
        return rc;
    if (rows == 0)
        return w2v_fail(err, W2V_EEMPTY, "'%s' holds no vectors (header says 0 words)", path);
    if (dim == 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s': header says 0 dimensions", path);
    if (dim > W2V_MAX_DIM)
        return w2v_fail(err, W2V_EOVERFLOW, "'%s': header claims %lld dimensions (at most %d)",
                        path, (long long)dim, W2V_MAX_DIM);
    /* Each row needs at least a 1-byte word and D values of at least 2 bytes
     * (text: " 0"); binary at least a word, a space and 4D bytes. */
    int64_t body = file_size - (int64_t)(hlen + 1);
    if (rows > body / (1 + 2 * dim))
        goto too_small;
    rc = looks_like_text(p + hlen + 1, avail - hlen - 1, dim);
    if (rc < 0)
        return w2v_fail(err, rc, "out of memory reading '%s'", path);
    out->format = rc ? VECTORS_TEXT : VECTORS_BINARY;
    if (out->format == VECTORS_BINARY && rows > body / (2 + 4 * dim))
        goto too_small;
    out->rows = rows;
    out->dim = dim;
    out->body_start = hlen + 1;
    return 0;
too_small:
    return w2v_fail(err, W2V_EFORMAT,
                    "'%s': header claims %lld words of %lld dimensions but the file has only %lld bytes",
                    path, (long long)rows, (long long)dim, (long long)file_size);
}

/* Open path for reading and check that it is a non-empty regular file.
 * Returns the descriptor (>= 0) or a status. */
static int open_regular(const char *path, int64_t *size, struct w2v_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return w2v_fail_errno(err, "cannot open '%s'", path);
    struct stat st;
    int rc;
    if (fstat(fd, &st) != 0) {
        rc = w2v_fail_errno(err, "cannot stat '%s'", path);
    } else if (S_ISDIR(st.st_mode)) {
        rc = w2v_fail(err, W2V_EIO, "cannot read '%s': Is a directory", path);
    } else if (!S_ISREG(st.st_mode)) {
        /* Pipes and the like have no size to check the header against. */
        rc = w2v_fail(err, W2V_EIO, "cannot read '%s': not a regular file", path);
    } else if (st.st_size == 0) {
        rc = w2v_fail(err, W2V_EEMPTY, "'%s' is empty", path);
    } else {
        *size = (int64_t)st.st_size;
        return fd;
    }
    close(fd);
    return rc;
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
            float f = vectors_strtof(p, &end);
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

    int64_t file_size = 0;
    r.fd = open_regular(path, &file_size, err);
    if (r.fd < 0) {
        rc = r.fd;
        goto fail;
    }
    /* No bigger buffer than the file needs: a small file is read whole, and
     * one byte more lets that read see the end of the file. */
    const size_t first = (uint64_t)file_size < READ_CHUNK ? (size_t)file_size + 1 : READ_CHUNK;
    r.cap = first;
    r.buf = w2v_malloc(r.cap + 1);
    if (!r.buf) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", path);
        goto fail;
    }
    int64_t got = reader_ensure(&r, first, err);
    if (got < 0) {
        rc = (int)got;
        goto fail;
    }
    struct prologue pro = {0};
    rc = parse_prologue(path, r.buf, (size_t)got, file_size, &pro, err);
    if (rc < 0)
        goto fail;
    r.off = pro.body_start;
    r.pos = (int64_t)pro.body_start;
    int64_t rows = pro.rows, dim = pro.dim;
    v->format = pro.format;
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

/* ---- mapping ------------------------------------------------------------ */

void vectors_map_release(struct vectors_map *m)
{
    if (!m)
        return;
    if (m->base)
        munmap((void *)m->base, m->size);
    w2v_free(m->row_off);
    w2v_free(m->slots);
    memset(m, 0, sizeof *m);
}

const char *vectors_map_word(const struct vectors_map *m, int64_t row, size_t *len)
{
    /* A word starts where the previous vector ends, after its optional
     * '\n' (no word starts with one), and ends at the space before the row. */
    size_t start = row == 0 ? m->body_start
                            : (size_t)m->row_off[row - 1] + (size_t)m->dim * sizeof(float);
    if (row > 0 && m->base[start] == '\n')
        start++;
    *len = (size_t)m->row_off[row] - 1 - start;
    return (const char *)m->base + start;
}

/* Slots hold (hash tag << 32) | (row + 1); 0 is empty. The tag spares most
 * comparisons of word bytes in the file. */
static int64_t map_probe(const struct vectors_map *m, const char *w, size_t len, uint64_t h,
                         size_t *slot)
{
    size_t mask = m->n_slots - 1, i = (size_t)h & mask;
    uint32_t tag = (uint32_t)(h >> 32);
    for (;;) {
        uint64_t e = m->slots[i];
        if (e == 0) {
            *slot = i;
            return -1;
        }
        if ((uint32_t)(e >> 32) == tag) {
            int64_t row = (int64_t)(e & 0xffffffffu) - 1;
            size_t wl;
            const char *word = vectors_map_word(m, row, &wl);
            if (wl == len && memcmp(word, w, len) == 0) {
                *slot = i;
                return row;
            }
        }
        i = (i + 1) & mask;
    }
}

int64_t vectors_map_find(const struct vectors_map *m, const char *word)
{
    if (!m->slots)
        return -1;
    size_t len = strlen(word), slot;
    return map_probe(m, word, len, vectors_hash(word, len), &slot);
}

#if defined(__GNUC__)
#define w2v_prefetch(p) __builtin_prefetch(p)
#else
#define w2v_prefetch(p) ((void)(p))
#endif
#define PF_DIST 16

/* A word found by the walk, waiting for its slot's cache line. */
struct pending_word {
    int64_t row;
    uint64_t h;
    size_t at, len;
};

static int map_insert(struct vectors_map *m, const struct pending_word *w, const char *path,
                      struct w2v_err *err)
{
    size_t slot;
    const char *word = (const char *)m->base + w->at;
    int64_t prev = map_probe(m, word, w->len, w->h, &slot);
    if (prev >= 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s': duplicate word '%.*s' (rows %lld and %lld)",
                        path, (int)(w->len > 200 ? 200 : w->len), word, (long long)prev + 1,
                        (long long)w->row + 1);
    m->slots[slot] = (w->h >> 32 << 32) | (uint64_t)(w->row + 1);
    return 0;
}

int vectors_map_open(struct vectors_map *m, const char *path, struct w2v_err *err)
{
    int rc;
    int64_t file_size = 0;
    memset(m, 0, sizeof *m);
    int fd = open_regular(path, &file_size, err);
    if (fd < 0)
        return fd;
    if ((uint64_t)file_size > SIZE_MAX) {
        close(fd);
        return 1; /* cannot map it whole: let the reader try */
    }
    void *base = mmap(NULL, (size_t)file_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd); /* the mapping keeps the file */
    if (base == MAP_FAILED) {
        errno = map_errno;
        return w2v_fail_errno(err, "cannot map '%s'", path);
    }
    m->base = base;
    m->size = (size_t)file_size;
    struct prologue pro = {0};
    size_t head = m->size < READ_CHUNK ? m->size : READ_CHUNK;
    rc = parse_prologue(path, m->base, head, file_size, &pro, err);
    if (rc < 0)
        goto fail;
    if (pro.format == VECTORS_TEXT) {
        vectors_map_release(m);
        return 1; /* text cannot be mapped */
    }
    if (pro.rows >= (int64_t)UINT32_MAX) {
        rc = w2v_fail(err, W2V_EOVERFLOW, "'%s': too many words (%lld) to map", path,
                      (long long)pro.rows);
        goto fail;
    }
    /* The kernel reads ahead for the sequential index walk. */
    madvise((void *)m->base, m->size, MADV_WILLNEED);
    m->rows = pro.rows;
    m->dim = (int32_t)pro.dim;
    m->body_start = pro.body_start;
    size_t want = 16;
    while (want / 2 < (size_t)m->rows)
        want *= 2; /* rows < 2^32: no overflow */
    m->row_off = w2v_malloc((size_t)m->rows * sizeof *m->row_off);
    m->slots = w2v_calloc(want, sizeof *m->slots);
    if (!m->row_off || !m->slots) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory indexing '%s'", path);
        goto fail;
    }
    m->n_slots = want;

    /* One walk over the rows: find each word, check it, index it. Only the
     * words are read; the floats are checked when queries scan them. */
    const unsigned char *b = m->base;
    const size_t size = m->size, vbytes = (size_t)m->dim * sizeof(float);
    size_t p = pro.body_start;
    struct pending_word ring[PF_DIST];
    for (int64_t row = 0; row < m->rows; row++) {
        if (row > 0 && p < size && b[p] == '\n')
            p++;
        /* Each word is a cache miss ~4D bytes past the last: prefetch where
         * the word PF_DIST rows ahead should be, by the mean row length so
         * far (word lengths vary, so two lines around the estimate). */
        if (row >= 8) {
            size_t ahead = p + (p - pro.body_start) / (size_t)row * PF_DIST;
            if (ahead + 64 < size) {
                w2v_prefetch(b + ahead);
                w2v_prefetch(b + ahead + 64);
            }
        }
        size_t avail = size - p;
        size_t limit = avail < W2V_MAX_FILE_WORD_BYTES + 1 ? avail : W2V_MAX_FILE_WORD_BYTES + 1;
        const unsigned char *sp = memchr(b + p, ' ', limit);
        if (!sp) {
            if (avail <= W2V_MAX_FILE_WORD_BYTES)
                rc = w2v_fail(err, W2V_EFORMAT, "'%s' is truncated: %lld of %lld vectors present",
                              path, (long long)row, (long long)m->rows);
            else
                rc = w2v_fail(err, W2V_EFORMAT,
                              "'%s': word of row %lld is longer than %d bytes (not a vector file?)",
                              path, (long long)row + 1, W2V_MAX_FILE_WORD_BYTES);
            goto fail;
        }
        size_t wlen = (size_t)(sp - (b + p));
        if (wlen == 0) {
            rc = w2v_fail(err, W2V_EFORMAT, "'%s': empty word at row %lld", path,
                          (long long)row + 1);
            goto fail;
        }
        uint64_t h = 1469598103934665603ULL; /* vectors_hash, fused with the check */
        for (size_t i = 0; i < wlen; i++) {
            unsigned char c = b[p + i];
            if (is_word_forbidden(c)) {
                rc = w2v_fail(err, W2V_EFORMAT,
                              "'%s': word of row %lld holds a control byte 0x%02x (bad or truncated file)",
                              path, (long long)row + 1, c);
                goto fail;
            }
            h ^= c;
            h *= 1099511628211ULL;
        }
        size_t off = p + wlen + 1;
        if (size - off < vbytes) {
            rc = w2v_fail(err, W2V_EFORMAT,
                          "'%s' is truncated in the vector of '%.*s' (row %lld of %lld)", path,
                          (int)(wlen > 200 ? 200 : wlen), (const char *)b + p, (long long)row + 1,
                          (long long)m->rows);
            goto fail;
        }
        m->row_off[row] = (int64_t)off;
        /* The slot is a cache miss in a table of many megabytes: prefetch
         * it now and insert this word PF_DIST rows later. */
        w2v_prefetch(&m->slots[(size_t)h & (m->n_slots - 1)]);
        if (row >= PF_DIST) {
            rc = map_insert(m, &ring[row % PF_DIST], path, err);
            if (rc < 0)
                goto fail;
        }
        ring[row % PF_DIST] = (struct pending_word){row, h, p, wlen};
        p = off + vbytes;
    }
    for (int64_t row = m->rows > PF_DIST ? m->rows - PF_DIST : 0; row < m->rows; row++) {
        rc = map_insert(m, &ring[row % PF_DIST], path, err);
        if (rc < 0)
            goto fail;
    }
    for (; p < size; p++)
        if (b[p] != '\n' && b[p] != '\r' && b[p] != ' ' && b[p] != '\t') {
            rc = w2v_fail(err, W2V_EFORMAT,
                          "'%s' holds more data after the %lld vectors its header announces",
                          path, (long long)m->rows);
            goto fail;
        }
    return 0;
fail:
    vectors_map_release(m);
    return rc;
}

int vectors_map_row(const struct vectors_map *m, int64_t row, float *out)
{
    const unsigned char *src = m->base + m->row_off[row];
    const size_t dim = (size_t)m->dim;
    if (host_is_little_endian())
        memcpy(out, src, dim * sizeof *out);
    else
        for (size_t j = 0; j < dim; j++)
            out[j] = load_le_float(src + 4 * j);
    return 0;
}

/* ---- writing ------------------------------------------------------------ */

int vectors_write(const char *path, enum vectors_format format, int64_t rows, int32_t dim,
                  const char *const *words, const float *data, size_t stride,
                  struct w2v_err *err)
{
    char *vbuf = NULL;
    unsigned char *row_buf = NULL;
    struct w2v_outfile out = {0};
    FILE *fp = NULL;
    int rc;

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

    rc = w2v_outfile_open(&out, path, err);
    if (rc != 0)
        return rc;
    fp = out.fp;
    /* A buffer no bigger than the file will be (roughly: at most 16 bytes
     * per text value, words of up to 64 bytes; a longer file just flushes
     * more often). */
    size_t vsize = READ_CHUNK;
    if ((uint64_t)rows < READ_CHUNK / 64 &&
        (uint64_t)rows * ((uint64_t)dim * 16 + 64) + 64 < READ_CHUNK)
        vsize = (size_t)rows * ((size_t)dim * 16 + 64) + 64;
    vbuf = w2v_malloc(vsize);
    if (vbuf)
        setvbuf(fp, vbuf, _IOFBF, vsize);

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
    fp = NULL;
    rc = w2v_outfile_commit(&out, err);
    w2v_free(vbuf);
    w2v_free(row_buf);
    return rc;

io_fail:
    rc = w2v_fail_errno(err, "cannot write '%s'", path);
fail:
    w2v_outfile_abort(&out);
    w2v_free(vbuf);
    w2v_free(row_buf);
    return rc;
}
