/* vectors_scan.c — the header, the binary-record scanner and the tail
 * check shared by reading (vectors_read.c) and mapping (vectors_map.c).
 *
 * Every size a file claims is hostile until checked: the header's V and D
 * are checked against overflow, W2V_MAX_DIM and the file's real size before
 * anything is allocated, so a header claiming 10^12 words fails at once. */
#include "vectors_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open path for reading and check that it is a non-empty regular file.
 * Returns the descriptor (>= 0) or a status. */
int vectors_open_regular(const char *path, int64_t *size, struct w2v_err *err)
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

int vectors_map_fd(int fd, size_t size, const char *path, void **base, struct w2v_err *err)
{
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd); /* the mapping keeps the file */
    if (p == MAP_FAILED) {
        errno = map_errno;
        return w2v_fail_errno(err, "cannot map '%s'", path);
    }
    *base = p;
    return 0;
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

/* Parse "V D" with optional trailing spaces / CR. Returns 0, -1 when the
 * line is not two whole numbers, or W2V_EOVERFLOW (err filled). */
static int parse_header(const char *path, const char *line, size_t len, int64_t *rows, int64_t *dim,
                        struct w2v_err *err)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    const char *sp = memchr(line, ' ', len);
    if (!sp)
        return -1;
    size_t n1 = (size_t)(sp - line);
    const char *p2 = sp + 1;
    size_t n2 = len - n1 - 1;
    int a = parse_count(line, n1, rows), b = parse_count(p2, n2, dim);
    if (a == -2 || b == -2)
        return w2v_fail(err, W2V_EOVERFLOW, "'%s': header sizes are too large", path);
    return a != 0 || b != 0 ? -1 : 0;
}

/* line[0..len): "word v1 ... vD" with D >= 1 numbers strtof takes whole?
 * Returns D, 0 when it is not such a line (no value, or a field that is not
 * a number), or W2V_ENOMEM. The word is not checked here: the text reader
 * names what is wrong with it. */
static int64_t data_line_values(const unsigned char *line, size_t len)
{
    const unsigned char *sp = memchr(line, ' ', len);
    const unsigned char *tab = memchr(line, '\t', len);
    if (!sp || (tab && tab < sp))
        sp = tab;
    if (!sp || sp == line)
        return 0;
    /* strtof needs a terminated copy. */
    char *copy = w2v_strndup((const char *)sp, len - (size_t)(sp - line));
    if (!copy)
        return W2V_ENOMEM;
    char *q = copy, *end;
    int64_t count = 0;
    for (;;) {
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (!*q)
            break;
        vectors_strtof(q, &end);
        if (end == q || (*end && *end != ' ' && *end != '\t' && *end != '\r')) {
            count = 0;
            break;
        }
        count++;
        q = end;
    }
    w2v_free(copy);
    return count;
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
     * floats). */
    int64_t count = data_line_values(p, len);
    if (count < 0)
        return (int)count;
    if (count == dim)
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


#define NOT_A_VECTOR_FILE                                                                   \
    "'%s' is not a vector file (the first line is neither \"WORDS DIMENSIONS\" nor \"word v1 " \
    "... vD\")"

/* The UTF-8 byte order mark some editors and Windows tools put first. */
static const unsigned char utf8_bom[3] = {0xef, 0xbb, 0xbf};

/* A first line of two whole numbers "A B" is word2vec's header, except in
 * the one case where that reading cannot fit what follows: B != 1 while the
 * next lines (the two after it, those present in the chunk) are each a word
 * and exactly one number. That is a headerless file of 1-dimensional
 * vectors whose first word is the number A. p: the bytes after the first
 * line. Returns 1 (headerless), 0 (header) or W2V_ENOMEM. */
static int two_numbers_are_data(const unsigned char *p, size_t avail, int64_t b)
{
    if (b == 1)
        return 0; /* both readings fit: the header wins (--no-header forces) */
    int lines = 0;
    while (lines < 2 && avail > 0) {
        const unsigned char *nl = memchr(p, '\n', avail);
        size_t len = nl ? (size_t)(nl - p) : avail;
        while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0)
            break; /* blank lines end a file */
        for (size_t i = 0; i < len; i++)
            if (p[i] < 0x20 && p[i] != '\t')
                return 0; /* binary bytes */
        int64_t d = data_line_values(p, len);
        if (d != 1)
            return d < 0 ? (int)d : 0;
        lines++;
        if (!nl)
            break;
        avail -= (size_t)(nl - p) + 1;
        p = nl + 1;
    }
    return lines > 0;
}

/* The first line as a data line of a headerless (GloVe) text file: D from
 * its values, rows bounded by the body's size (the reader counts them). */
static int headerless_prologue(const char *path, const unsigned char *line, size_t len,
                               size_t start, int64_t file_size, struct vectors_prologue *out,
                               struct w2v_err *err)
{
    int64_t dim = data_line_values(line, len);
    if (dim < 0)
        return w2v_fail(err, (int)dim, "out of memory reading '%s'", path);
    if (dim == 0)
        return w2v_fail(err, W2V_EFORMAT, NOT_A_VECTOR_FILE, path);
    if (dim > W2V_MAX_DIM)
        return w2v_fail(err, W2V_EOVERFLOW, "'%s': line 1 holds %lld values (at most %d)", path,
                        (long long)dim, W2V_MAX_DIM);
    out->rows = (file_size - (int64_t)start) / (1 + 2 * dim) + 1;
    out->dim = dim;
    out->body_start = start;
    out->format = VECTORS_TEXT;
    out->headerless = 1;
    return 0;
}

int vectors_parse_prologue(const char *path, const unsigned char *p, size_t avail,
                           int64_t file_size, struct vectors_prologue *out,
                           struct w2v_err *err)
{
    return vectors_parse_prologue_opts(path, p, avail, file_size, 0, out, err);
}

/* p[0..avail): the file's first bytes, at least min(file_size, READ_CHUNK)
 * of them. Checks the header against overflow, W2V_MAX_DIM and file_size
 * before anyone allocates by it. Returns 0 or a status with err filled. */
int vectors_parse_prologue_opts(const char *path, const unsigned char *p, size_t avail,
                                int64_t file_size, int no_header, struct vectors_prologue *out,
                                struct w2v_err *err)
{
    memset(out, 0, sizeof *out);
    /* A BOM is no part of the header or of the first word. */
    const size_t start = avail >= 3 && memcmp(p, utf8_bom, 3) == 0 ? 3 : 0;
    const unsigned char *h = p + start;
    const size_t havail = avail - start;
    const unsigned char *nl = memchr(h, '\n', havail);
    if (!nl && (int64_t)avail < file_size)
        return w2v_fail(err, W2V_EFORMAT, "'%s': first line longer than %zu bytes", path, havail);
    size_t hlen = nl ? (size_t)(nl - h) : havail;
    if (no_header)
        return headerless_prologue(path, h, hlen, start, file_size, out, err);
    int64_t rows = 0, dim = 0;
    int rc = hlen <= 128 ? parse_header(path, (const char *)h, hlen, &rows, &dim, err) : -1;
    if (rc == W2V_EOVERFLOW)
        return rc;
    if (rc == 0 && !nl)
        return w2v_fail(err, W2V_EEMPTY, "'%s' holds only a header line", path);
    if (rc == 0) {
        rc = two_numbers_are_data(nl + 1, havail - hlen - 1, dim);
        if (rc < 0)
            return w2v_fail(err, rc, "out of memory reading '%s'", path);
    }
    if (rc != 0) /* not "A B\n": a data line, or no vector file at all */
        return headerless_prologue(path, h, hlen, start, file_size, out, err);
    if (rows == 0)
        return w2v_fail(err, W2V_EEMPTY, "'%s' holds no vectors (header says 0 words)", path);
    if (dim == 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s': header says 0 dimensions", path);
    if (dim > W2V_MAX_DIM)
        return w2v_fail(err, W2V_EOVERFLOW, "'%s': header claims %lld dimensions (at most %d)",
                        path, (long long)dim, W2V_MAX_DIM);
    /* Each row needs at least a 1-byte word and D values of at least 2 bytes
     * (text: " 0"); binary at least a word, a space and 4D bytes. */
    const size_t body_start = start + hlen + 1;
    int64_t body = file_size - (int64_t)body_start;
    if (rows > body / (1 + 2 * dim))
        goto too_small;
    rc = looks_like_text(p + body_start, avail - body_start, dim);
    if (rc < 0)
        return w2v_fail(err, rc, "out of memory reading '%s'", path);
    out->format = rc ? VECTORS_TEXT : VECTORS_BINARY;
    if (out->format == VECTORS_BINARY && rows > body / (2 + 4 * dim))
        goto too_small;
    out->rows = rows;
    out->dim = dim;
    out->body_start = body_start;
    return 0;
too_small:
    return w2v_fail(err, W2V_EFORMAT,
                    "'%s': header claims %lld words of %lld dimensions but the file has only %lld bytes",
                    path, (long long)rows, (long long)dim, (long long)file_size);
}

int vectors_scan_record(const unsigned char *p, size_t avail, int at_end, int64_t row,
                        int32_t dim, struct vectors_record *rec)
{
    size_t w = row > 0 && avail > 0 && p[0] == '\n';
    if (avail == 0 && !at_end)
        return VECTORS_SCAN_MORE;
    /* The word: bytes up to a space, at most W2V_MAX_FILE_WORD_BYTES. */
    const size_t rest = avail - w;
    const size_t limit = rest < W2V_MAX_FILE_WORD_BYTES + 1 ? rest : W2V_MAX_FILE_WORD_BYTES + 1;
    const unsigned char *sp = memchr(p + w, ' ', limit);
    if (!sp) {
        if (limit > W2V_MAX_FILE_WORD_BYTES)
            return VECTORS_SCAN_LONG_WORD;
        return at_end ? VECTORS_SCAN_TRUNCATED : VECTORS_SCAN_MORE;
    }
    const size_t wlen = (size_t)(sp - (p + w));
    rec->word = w;
    rec->word_len = wlen;
    if (wlen == 0)
        return VECTORS_SCAN_EMPTY_WORD;
    uint64_t h = W2V_FNV1A_INIT; /* the index's hash, fused with the check */
    for (size_t i = 0; i < wlen; i++) {
        const unsigned char c = p[w + i];
        if (vectors_word_forbidden(c)) {
            rec->bad = c;
            return VECTORS_SCAN_CONTROL_BYTE;
        }
        h = w2v_fnv1a_step(h, c);
    }
    rec->hash = h;
    rec->floats = w + wlen + 1;
    const size_t vbytes = (size_t)dim * sizeof(float);
    if (avail - rec->floats < vbytes)
        return at_end ? VECTORS_SCAN_SHORT_VECTOR : VECTORS_SCAN_MORE;
    rec->end = rec->floats + vbytes;
    return VECTORS_SCAN_OK;
}

int vectors_record_fail(struct w2v_err *err, int result, const char *path,
                        const unsigned char *p, const struct vectors_record *rec, int64_t row,
                        int64_t rows)
{
    switch (result) {
    case VECTORS_SCAN_TRUNCATED:
        return w2v_fail(err, W2V_EFORMAT, "'%s' is truncated: %lld of %lld vectors present",
                        path, (long long)row, (long long)rows);
    case VECTORS_SCAN_LONG_WORD:
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s': word of row %lld is longer than %d bytes (not a vector file?)",
                        path, (long long)row + 1, W2V_MAX_FILE_WORD_BYTES);
    case VECTORS_SCAN_EMPTY_WORD:
        return w2v_fail(err, W2V_EFORMAT, "'%s': empty word at row %lld", path,
                        (long long)row + 1);
    case VECTORS_SCAN_CONTROL_BYTE:
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s': word of row %lld holds a control byte 0x%02x (bad or truncated file)",
                        path, (long long)row + 1, rec->bad);
    default: /* VECTORS_SCAN_SHORT_VECTOR */
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' is truncated in the vector of '%.*s' (row %lld of %lld)", path,
                        (int)(rec->word_len > 200 ? 200 : rec->word_len),
                        (const char *)p + rec->word, (long long)row + 1, (long long)rows);
    }
}

int vectors_check_tail(const unsigned char *p, size_t n, const char *path, int64_t rows,
                       struct w2v_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\n' && p[i] != '\r' && p[i] != ' ' && p[i] != '\t')
            return w2v_fail(err, W2V_EFORMAT,
                            "'%s' holds more data after the %lld vectors its header announces",
                            path, (long long)rows);
    return 0;
}
