/* tokenizer.h — reading words from a corpus stream.
 *
 * Words are split on space, tab, newline (and vertical tab, form feed); a
 * CR is ignored; every newline is returned as the end-of-sentence token
 * "</s>". A word longer than W2V_MAX_WORD_BYTES is cut at a UTF-8 character
 * boundary (never inside a character) and counted in words_cut; the rest of
 * the over-long word is skipped.
 *
 * A NUL byte separates words like a space: every file format downstream
 * (vocabulary, vector files) stores words as C strings, so a word can never
 * hold one. Other bytes, including invalid UTF-8, are word bytes as they are.
 *
 * Byte ranges: a word (or the "</s>" of a newline) belongs to the range that
 * holds its first byte, so ranges [0,a) [a,b) [b,EOF) read by separate
 * tokenizers return exactly the words of the whole file, once each. */
#ifndef W2V_TOKENIZER_H
#define W2V_TOKENIZER_H

#include <stdint.h>
#include <stdio.h>

#include "w2v/common.h"

#define W2V_MAX_WORD_BYTES 100
#define W2V_EOS "</s>"

struct tokenizer {
    FILE *fp;           /* owned when opened by tokenizer_open */
    int owns_fp;
    int64_t pos;        /* byte offset of the next unread byte in the file */
    int64_t end;        /* stop before the first word starting at or after this; -1: EOF */
    int64_t words_cut;  /* words longer than W2V_MAX_WORD_BYTES seen so far */
    size_t buf_len, buf_off;
    unsigned char *buf; /* read buffer */
    int eof;
    /* Private to tokenizer.c (fields added after the contract was set). */
    size_t buf_cap;     /* size of buf */
    int64_t buf_base;   /* file offset of buf[0] */
    int skipping;       /* inside a word that is not returned (cut, or begun before start) */
    char *name;         /* owned copy of the path for messages, NULL for a stream */
    /* Read-only for callers: 1 when the last word returned stood for a line
     * end, 0 for a real word (a literal "</s>" in the text included). */
    int newline;
};

/* Open path and position at byte `start`; words belong to the range where
 * their first byte lies, so when start > 0 and lands inside a word that word
 * is skipped (it belongs to the previous range). `end` < 0 means to EOF.
 * Returns 0 or W2V_EIO / W2V_ENOMEM with err filled. */
int tokenizer_open(struct tokenizer *t, const char *path, int64_t start, int64_t end,
                   struct w2v_err *err);

/* tokenizer_open with a chosen read-buffer size in bytes (0: the default,
 * 1 MiB). Small sizes exist so tests can exercise buffer refills. */
int tokenizer_open_ex(struct tokenizer *t, const char *path, int64_t start, int64_t end,
                      size_t buf_size, struct w2v_err *err);

/* Read from an already-open stream (not owned, not seekable: start is 0).
 * Returns 0 or W2V_ENOMEM. */
int tokenizer_init_stream(struct tokenizer *t, FILE *fp, struct w2v_err *err);

/* Read the next word into word[0..W2V_MAX_WORD_BYTES] (NUL-terminated) and
 * its length into *len. Returns 1 for a word, 0 at the end of the range or
 * file, or W2V_EIO. Not thread-safe on one tokenizer; one per thread. */
int tokenizer_next(struct tokenizer *t, char word[W2V_MAX_WORD_BYTES + 1], size_t *len,
                   struct w2v_err *err);

/* Close (if owned) and free. Safe on a zeroed or released struct. */
void tokenizer_release(struct tokenizer *t);

/* Cut s[0..len) to at most max bytes without splitting a UTF-8 sequence;
 * returns the new length. A sequence that is not valid UTF-8 may be cut
 * anywhere; len > max is the only case that shortens. Exposed for tests.
 * Thread-safe. */
size_t tokenizer_utf8_cut(const char *s, size_t len, size_t max);

#endif
