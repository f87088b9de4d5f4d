/* tokenizer.c — streaming word reader over a large fread buffer.
 *
 * The scan is a small state machine over byte classes; it never calls stdio
 * per character. State that must survive between calls (the rest of a cut
 * word, or a word begun before the range start, being skipped) lives in
 * t->skipping. */
#define _FILE_OFFSET_BITS 64 /* 64-bit off_t for fseeko on 32-bit hosts */

#include "w2v/tokenizer.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define TOKENIZER_DEFAULT_BUF ((size_t)1 << 20)

/* Byte classes. Bit flags so "separator or CR" is a single test. */
enum { C_WORD = 0, C_SPACE = 1, C_CR = 2, C_NEWLINE = 4 };

static const unsigned char byte_class[256] = {
    ['\0'] = C_SPACE, [' '] = C_SPACE, ['\t'] = C_SPACE, ['\v'] = C_SPACE,
    ['\f'] = C_SPACE, ['\r'] = C_CR,   ['\n'] = C_NEWLINE,
};

static const char *tok_name(const struct tokenizer *t)
{
    return t->name ? t->name : "<stream>";
}

static int tok_alloc_buffer(struct tokenizer *t, size_t buf_size, struct w2v_err *err)
{
    t->buf_cap = buf_size ? buf_size : TOKENIZER_DEFAULT_BUF;
    t->buf = w2v_malloc(t->buf_cap);
    if (!t->buf)
        return w2v_fail(err, W2V_ENOMEM, "out of memory for a %zu-byte read buffer", t->buf_cap);
    return 0;
}

/* Decide whether position `start` is inside a word that began earlier: look
 * back past CRs (which are invisible) to the previous real byte. Reads
 * backwards in small chunks so a run of CRs of any length is handled. */
static int tok_scan_back(struct tokenizer *t, int64_t start, struct w2v_err *err)
{
    unsigned char chunk[256];
    int64_t p = start;
    t->skipping = 0;
    while (p > 0) {
        size_t k = p < (int64_t)sizeof chunk ? (size_t)p : sizeof chunk;
        if (fseeko(t->fp, (off_t)(p - (int64_t)k), SEEK_SET) != 0)
            return w2v_fail_errno(err, "cannot seek in '%s'", tok_name(t));
        size_t got = fread(chunk, 1, k, t->fp);
        if (got != k) {
            if (ferror(t->fp))
                return w2v_fail_errno(err, "cannot read '%s'", tok_name(t));
            /* start lies past the end of the file: there is nothing to
             * read anyway, so the state does not matter. */
            return 0;
        }
        for (size_t i = k; i-- > 0;) {
            unsigned cls = byte_class[chunk[i]];
            if (cls == C_CR)
                continue;
            t->skipping = (cls == C_WORD);
            return 0;
        }
        p -= (int64_t)k;
    }
    return 0;
}

int tokenizer_open_ex(struct tokenizer *t, const char *path, int64_t start, int64_t end,
                      size_t buf_size, struct w2v_err *err)
{
    struct stat st;
    int rc;
    memset(t, 0, sizeof *t);
    t->end = end < 0 ? -1 : end;
    if (start < 0) {
        rc = w2v_fail(err, W2V_EINVAL, "negative start offset %lld for '%s'", (long long)start,
                      path);
        goto fail;
    }
    t->name = w2v_strndup(path, strlen(path));
    if (!t->name) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    t->fp = fopen(path, "rb");
    if (!t->fp) {
        rc = w2v_fail_errno(err, "cannot open '%s'", path);
        goto fail;
    }
    t->owns_fp = 1;
    /* fopen succeeds on a directory; say so instead of a read error later. */
    if (fstat(fileno(t->fp), &st) != 0) {
        rc = w2v_fail_errno(err, "cannot read '%s'", path);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = w2v_fail(err, W2V_EIO, "cannot read '%s': Is a directory", path);
        goto fail;
    }
    /* No bigger buffer than the range can fill (plus one byte, so a read
     * ends at EOF in one go): small files and many threads on a small
     * corpus then cost little memory. A file that grows is still read
     * whole, in more refills. */
    if (buf_size == 0 && S_ISREG(st.st_mode)) {
        int64_t left = (int64_t)st.st_size - start;
        if (t->end >= 0 && t->end - start < left)
            left = t->end - start + W2V_MAX_WORD_BYTES * 4; /* the last word may run past end */
        if (left < (int64_t)TOKENIZER_DEFAULT_BUF)
            buf_size = (size_t)(left < 4096 ? 4096 : left + 1);
    }
    if ((rc = tok_alloc_buffer(t, buf_size, err)) != 0)
        goto fail;
    if (start > 0) {
        if ((rc = tok_scan_back(t, start, err)) != 0)
            goto fail;
        if (fseeko(t->fp, (off_t)start, SEEK_SET) != 0) {
            rc = w2v_fail_errno(err, "cannot seek in '%s'", path);
            goto fail;
        }
    }
    t->buf_base = start;
    t->pos = start;
    return 0;
fail:
    tokenizer_release(t);
    return rc;
}

int tokenizer_open(struct tokenizer *t, const char *path, int64_t start, int64_t end,
                   struct w2v_err *err)
{
    return tokenizer_open_ex(t, path, start, end, 0, err);
}

int tokenizer_init_stream(struct tokenizer *t, FILE *fp, struct w2v_err *err)
{
    memset(t, 0, sizeof *t);
    t->fp = fp;
    t->end = -1;
    int rc = tok_alloc_buffer(t, 0, err);
    if (rc != 0)
        tokenizer_release(t);
    return rc;
}

void tokenizer_release(struct tokenizer *t)
{
    if (t->owns_fp && t->fp)
        fclose(t->fp); /* read-only: a close error loses nothing */
    w2v_free(t->buf);
    w2v_free(t->name);
    memset(t, 0, sizeof *t);
}

/* Refill an exhausted buffer. Returns 1 with data, 0 at end of file, or
 * W2V_EIO. fread only returns short at end of file or on error. */
static int tok_refill(struct tokenizer *t, struct w2v_err *err)
{
    if (t->eof)
        return 0;
    t->buf_base += (int64_t)t->buf_len;
    t->buf_off = t->buf_len = 0;
    size_t n = fread(t->buf, 1, t->buf_cap, t->fp);
    if (n == 0) {
        if (ferror(t->fp))
            return w2v_fail_errno(err, "cannot read '%s'", tok_name(t));
        t->eof = 1;
        return 0;
    }
    t->buf_len = n;
    return 1;
}

/* Stop for good: later calls return 0 without reading. */
static void tok_finish(struct tokenizer *t)
{
    t->pos = t->buf_base + (int64_t)t->buf_off;
    t->buf_base += (int64_t)t->buf_len;
    t->buf_off = t->buf_len = 0;
    t->eof = 1;
}

int tokenizer_next(struct tokenizer *t, char word[W2V_MAX_WORD_BYTES + 1], size_t *len,
                   struct w2v_err *err)
{
    size_t n = 0; /* bytes of the current word collected so far */
    for (;;) {
        if (t->buf_off == t->buf_len) {
            int rc = tok_refill(t, err);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                if (n > 0)
                    goto emit; /* the last word of a file without a final newline */
                t->pos = t->buf_base;
                word[0] = '\0';
                *len = 0;
                return 0;
            }
        }
        const unsigned char *b = t->buf;
        size_t off = t->buf_off, blen = t->buf_len;

        if (t->skipping) {
            while (off < blen && (byte_class[b[off]] & ~C_CR) == 0)
                off++;
            t->buf_off = off;
            if (off < blen)
                t->skipping = 0; /* the delimiter is handled below, next round */
            continue;
        }
        if (n == 0) {
            /* Between words: skip separators and CRs to the next token. */
            unsigned cls = 0;
            while (off < blen && ((cls = byte_class[b[off]]) & (C_SPACE | C_CR)))
                off++;
            t->buf_off = off;
            if (off == blen)
                continue;
            if (t->end >= 0 && t->buf_base + (int64_t)off >= t->end) {
                tok_finish(t);
                word[0] = '\0';
                *len = 0;
                return 0;
            }
            if (cls == C_NEWLINE) {
                t->buf_off = off + 1;
                memcpy(word, W2V_EOS, sizeof W2V_EOS);
                *len = sizeof W2V_EOS - 1;
                t->newline = 1;
                t->pos = t->buf_base + (int64_t)t->buf_off;
                return 1;
            }
        }
        /* Inside a word (its first byte lies in our range). */
        while (off < blen) {
            unsigned char c = b[off];
            unsigned cls = byte_class[c];
            if (cls == C_WORD) {
                if (n == W2V_MAX_WORD_BYTES) {
                    /* One byte too many: that byte tells utf8_cut whether the
                     * limit falls inside a character. */
                    word[n] = (char)c;
                    n = tokenizer_utf8_cut(word, n + 1, W2V_MAX_WORD_BYTES);
                    t->words_cut++;
                    t->skipping = 1;
                    t->buf_off = off + 1;
                    goto emit;
                }
                word[n++] = (char)c;
                off++;
            } else if (cls == C_CR) {
                off++;
            } else {
                t->buf_off = off; /* leave the delimiter for the next call */
                goto emit;
            }
        }
        t->buf_off = off;
    }
emit:
    t->newline = 0;
    word[n] = '\0';
    *len = n;
    t->pos = t->buf_base + (int64_t)t->buf_off;
    return 1;
}

size_t tokenizer_utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len <= max)
        return len;
    if ((u[max] & 0xC0) != 0x80)
        return max; /* the byte after the cut starts a character */
    /* u[max] continues a sequence: find the lead byte (at most 3 back). */
    size_t i = max;
    while (i > 0 && max - i < 3 && (u[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return max; /* continuation bytes without a lead: invalid, cut anywhere */
    unsigned lead = u[i - 1];
    size_t seq;
    if (lead >= 0xC0 && lead <= 0xDF)
        seq = 2;
    else if (lead >= 0xE0 && lead <= 0xEF)
        seq = 3;
    else if (lead >= 0xF0 && lead <= 0xF7)
        seq = 4;
    else
        return max; /* not a lead byte: invalid */
    if (i - 1 + seq > max)
        return i - 1; /* the character straddles the cut: drop all of it */
    return max;       /* more continuation bytes than the lead announced: invalid */
}
