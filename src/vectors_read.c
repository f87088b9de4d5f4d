/* vectors_read.c — reading a vector file (binary or text) into memory.
 *
 * Binary records go through the shared scanner (vectors_scan.c) over a
 * streaming buffer; text lines are parsed here. Both check everything the
 * format allows a hostile file to get wrong and name the row or line. */
#include "vectors_scan.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest text line accepted: D values of up to ~600 bytes each would be
 * silly; this bounds the line buffer for hostile files without newlines. */
#define MAX_TEXT_LINE ((size_t)1 << 28)

/* Exact powers of ten in double (10^22 = 2^22 * 5^22 and 5^22 < 2^53). */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Fold decimal digit c into the significand m, leading zeros skipped.
 * Returns 0, or -1 past 19 significant digits (m would overflow). */
static inline int take_digit(uint64_t *m, int *digits, char c)
{
    if (*m || c != '0') {
        if (++*digits > 19)
            return -1;
        *m = *m * 10 + (uint64_t)(c - '0');
    }
    return 0;
}

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
    for (; *p >= '0' && *p <= '9'; p++, seen = 1)
        if (take_digit(&m, &digits, *p) != 0)
            goto slow;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, seen = 1, e10--)
            if (take_digit(&m, &digits, *p) != 0)
                goto slow;
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

/* After the announced rows only whitespace may follow. */
static int check_tail(struct w2v_reader *r, int64_t rows, struct w2v_err *err)
{
    for (;;) {
        int64_t got = w2v_reader_ensure(r, 1, err);
        if (got <= 0)
            return (int)got;
        int rc = vectors_check_tail(r->buf + r->off, (size_t)got, r->path, rows, err);
        if (rc < 0)
            return rc;
        r->off += (size_t)got;
        r->pos += got;
    }
}

/* Lines of path from byte start on that hold more than spaces, tabs and
 * CRs: the rows of a headerless file (a second pass, so that the matrix is
 * allocated once at its size; counting is much cheaper than parsing).
 * Returns 0 with *out set, or W2V_EIO / W2V_ENOMEM (err filled). */
static int count_data_lines(const char *path, size_t start, int64_t *out, struct w2v_err *err)
{
    struct w2v_reader r = {.fd = -1};
    int rc = w2v_reader_open(&r, path, VECTORS_READ_CHUNK, err);
    int64_t lines = 0;
    int data = 0; /* the current line holds a data byte */
    size_t skip = start;
    while (rc == 0) {
        int64_t got = w2v_reader_ensure(&r, 1, err);
        if (got <= 0) {
            rc = (int)got;
            break;
        }
        const unsigned char *b = r.buf + r.off;
        size_t i = skip < (size_t)got ? skip : (size_t)got;
        while (i < (size_t)got) {
            const unsigned char *nl = memchr(b + i, '\n', (size_t)got - i);
            const size_t end = nl ? (size_t)(nl - b) : (size_t)got;
            /* Only the bytes up to the first that is not blank are looked at. */
            for (; !data && i < end; i++)
                data = b[i] != ' ' && b[i] != '\t' && b[i] != '\r';
            if (!nl)
                break;
            lines += data;
            data = 0;
            i = end + 1;
        }
        skip -= skip < (size_t)got ? skip : (size_t)got;
        r.off += (size_t)got;
        r.pos += got;
    }
    w2v_reader_close(&r);
    *out = lines + data; /* a last line without '\n' counts */
    return rc;
}

/* The text rows: v->rows lines from the reader's position, which is line
 * first_line of the file. headerless: D came from line 1, not a header. */
static int read_text(struct w2v_reader *r, struct vectors *v, struct pool *pool, size_t *offs,
                     int64_t first_line, int headerless, struct w2v_err *err)
{
    const size_t dim = (size_t)v->dim;
    for (int64_t row = 0; row < v->rows; row++) {
        const int64_t lineno = row + first_line;
        char *line = NULL;
        size_t len = 0;
        int rc = w2v_reader_line(r, MAX_TEXT_LINE, &line, &len, err);
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
            if (vectors_word_forbidden((unsigned char)line[i]))
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
                                "'%s' line %lld: word '%.200s' has more than %zu values%s",
                                r->path, (long long)lineno, wname, dim,
                                headerless ? " (as on line 1)" : "");
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
                            "'%s' line %lld: word '%.200s' has %zu values, expected %zu%s",
                            r->path, (long long)lineno, wname, n, dim,
                            headerless ? " (as on line 1)" : "");
    }
    return 0;
}

static int read_binary(struct w2v_reader *r, struct vectors *v, struct pool *pool, size_t *offs,
                       struct w2v_err *err)
{
    const size_t dim = (size_t)v->dim;
    const size_t vbytes = dim * sizeof(float);
    const int le = w2v_host_is_little_endian();
    size_t want = vbytes + 256; /* bytes to have buffered before a scan */
    for (int64_t row = 0; row < v->rows; row++) {
        struct vectors_record rec;
        int sr;
        for (;;) {
            int64_t got = w2v_reader_ensure(r, want, err);
            if (got < 0)
                return (int)got;
            sr = vectors_scan_record(r->buf + r->off, (size_t)got, r->eof, row, v->dim, &rec);
            if (sr != VECTORS_SCAN_MORE)
                break;
            want = 2 * (size_t)got + 1; /* a long word: bounded by the scanner */
        }
        const unsigned char *p = r->buf + r->off;
        if (sr < 0)
            return vectors_record_fail(err, sr, r->path, p, &rec, row, v->rows);
        int rc = pool_add(pool, (const char *)p + rec.word, rec.word_len, &offs[row]);
        if (rc < 0)
            return w2v_fail(err, rc, "out of memory reading '%s'", r->path);
        const char *wname = pool->buf + offs[row];
        const unsigned char *src = p + rec.floats;
        float *dst = v->data + (size_t)row * dim;
        if (le)
            memcpy(dst, src, vbytes);
        else
            for (size_t j = 0; j < dim; j++)
                dst[j] = vectors_load_le(src + 4 * j);
        for (size_t j = 0; j < dim; j++)
            if (!isfinite(dst[j]))
                return w2v_fail(err, W2V_EFORMAT,
                                "'%s': vector of '%.200s' (row %lld) has a non-finite value at %zu",
                                r->path, wname, (long long)row + 1, j + 1);
        r->off += rec.end;
        r->pos += (int64_t)rec.end;
    }
    return 0;
}

int vectors_read(struct vectors *v, const char *path, struct w2v_err *err)
{
    return vectors_read_limit(v, path, 0, err);
}

int vectors_read_limit(struct vectors *v, const char *path, int64_t limit, struct w2v_err *err)
{
    const struct vectors_read_opts o = {.limit = limit};
    return vectors_read_with(v, path, &o, err);
}

int vectors_read_with(struct vectors *v, const char *path, const struct vectors_read_opts *o,
                      struct w2v_err *err)
{
    const int64_t limit = o ? o->limit : 0;
    struct w2v_reader r = {.fd = -1};
    struct pool pool = {0};
    size_t *offs = NULL;
    int rc;
    vectors_init(v);

    int64_t file_size = 0;
    int fd = vectors_open_regular(path, &file_size, err);
    if (fd < 0) {
        rc = fd;
        goto fail;
    }
    /* No bigger buffer than the file needs: a small file is read whole, and
     * one byte more lets that read see the end of the file. */
    const size_t first =
        (uint64_t)file_size < VECTORS_READ_CHUNK ? (size_t)file_size + 1 : VECTORS_READ_CHUNK;
    rc = w2v_reader_from_fd(&r, fd, path, first, err);
    if (rc < 0)
        goto fail;
    int64_t got = w2v_reader_ensure(&r, first, err);
    if (got < 0) {
        rc = (int)got;
        goto fail;
    }
    struct vectors_prologue pro = {0};
    rc = vectors_parse_prologue_opts(path, r.buf, (size_t)got, file_size, o && o->no_header,
                                     &pro, err);
    if (rc < 0)
        goto fail;
    if (pro.headerless) {
        /* The prologue's bound stays: a valid row takes 2D + 2 bytes or
         * more, so a file with more lines has a bad one among the first
         * that many, and the parse names it; a file of a million "x"
         * lines cannot make us allocate a million rows. */
        int64_t lines;
        if ((rc = count_data_lines(path, pro.body_start, &lines, err)) < 0)
            goto fail;
        if (lines < pro.rows)
            pro.rows = lines;
    }
    r.off = pro.body_start;
    r.pos = (int64_t)pro.body_start;
    /* gensim's limit=: the first rows only; what follows them is not read,
     * so it is not checked either. */
    const int limited = limit > 0 && limit < pro.rows;
    int64_t rows = limited ? limit : pro.rows, dim = pro.dim;
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
                                     : read_text(&r, v, &pool, offs, pro.headerless ? 1 : 2,
                                                 pro.headerless, err);
    if (rc == 0 && !limited)
        rc = check_tail(&r, rows, err);
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
    w2v_reader_close(&r);
    return 0;

fail:
    w2v_free(offs);
    w2v_free(pool.buf);
    w2v_reader_close(&r);
    /* words, when set, points into word_pool: release frees both. */
    vectors_release(v);
    return rc;
}
