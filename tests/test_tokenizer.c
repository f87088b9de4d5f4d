/* test_tokenizer.c — splitting, </s>, CR, NUL, byte ranges, UTF-8 cuts. */
#include <stdint.h>

#include "test.h"
#include "w2v/tokenizer.h"

/* A flat list of words: NUL-separated bytes, plus a count. */
struct wordlist {
    char *bytes;
    size_t len, cap;
    int n;
    int64_t cut;
};

static void wl_push(struct wordlist *wl, const char *w, size_t len)
{
    if (wl->len + len + 1 > wl->cap) {
        wl->cap = (wl->len + len + 1) * 2;
        wl->bytes = realloc(wl->bytes, wl->cap);
        if (!wl->bytes)
            abort();
    }
    memcpy(wl->bytes + wl->len, w, len);
    wl->bytes[wl->len + len] = '\0';
    wl->len += len + 1;
    wl->n++;
}

static int wl_equal(const struct wordlist *a, const struct wordlist *b)
{
    return a->n == b->n && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0 &&
           a->cut == b->cut;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

/* Tokenize [start, end) of path into wl (appending). Returns the status of
 * the last call; every returned word is also checked for the contract:
 * NUL-terminated at len, len <= max, no separator inside. */
static int tokenize_range(const char *path, int64_t start, int64_t end, size_t buf,
                          struct wordlist *wl)
{
    struct tokenizer t;
    struct w2v_err err = {0};
    char word[W2V_MAX_WORD_BYTES + 1];
    size_t len;
    int rc = tokenizer_open_ex(&t, path, start, end, buf, &err);
    if (rc != 0)
        return rc;
    while ((rc = tokenizer_next(&t, word, &len, &err)) == 1) {
        CHECK(len > 0 && len <= W2V_MAX_WORD_BYTES && word[len] == '\0');
        CHECK(strlen(word) == len);
        CHECK(!memchr(word, ' ', len) && !memchr(word, '\n', len) && !memchr(word, '\r', len) &&
              !memchr(word, '\t', len));
        wl_push(wl, word, len);
    }
    wl->cut += t.words_cut;
    /* After the end, it stays at the end. */
    if (rc == 0)
        CHECK(tokenizer_next(&t, word, &len, &err) == 0 && len == 0);
    tokenizer_release(&t);
    return rc;
}

/* Expect the words of `text`, given as a space-separated list ("|" for an
 * empty expectation). */
static void expect_words(const char *text, size_t text_len, const char *const *want, int n_want)
{
    char path[256];
    test_tmp_path(path, sizeof path, "tok");
    write_file(path, text, text_len);
    size_t bufs[] = {0, 1, 2, 3, 7};
    for (size_t b = 0; b < sizeof bufs / sizeof *bufs; b++) {
        struct wordlist wl = {0};
        CHECK(tokenize_range(path, 0, -1, bufs[b], &wl) == 0);
        CHECK(wl.n == n_want);
        size_t off = 0;
        for (int i = 0; i < n_want && i < wl.n; i++) {
            if (strcmp(wl.bytes + off, want[i]) != 0) {
                CHECK(!"word mismatch");
                fprintf(stderr, "  buf %zu word %d: got '%s' want '%s'\n", bufs[b], i,
                        wl.bytes + off, want[i]);
            }
            off += strlen(wl.bytes + off) + 1;
        }
        free(wl.bytes);
    }
    unlink(path);
}

static void test_splitting(void)
{
    const char *w1[] = {"the", "quick", "brown", "</s>", "fox", "</s>"};
    const char s1[] = "the quick\tbrown\nfox\n";
    expect_words(s1, sizeof s1 - 1, w1, 6);

    /* Runs of separators, leading/trailing space, no final newline. */
    const char *w2[] = {"a", "b", "</s>", "</s>", "c"};
    const char s2[] = "   a  \t\v\f b \n\n  c";
    expect_words(s2, sizeof s2 - 1, w2, 5);

    /* CR is invisible: CRLF gives one </s>, a CR inside a word vanishes. */
    const char *w3[] = {"one", "</s>", "two", "</s>", "abcd", "</s>"};
    const char s3[] = "one\r\ntwo\r\n\rab\rcd\r\n";
    expect_words(s3, sizeof s3 - 1, w3, 6);

    /* NUL separates words like a space. */
    const char *w4[] = {"a", "b", "c", "</s>"};
    const char s4[] = "a\0b\0\0c\n";
    expect_words(s4, sizeof s4 - 1, w4, 4);

    /* Empty file and whitespace only. */
    expect_words("", 0, NULL, 0);
    expect_words(" \t\r \r", 5, NULL, 0);

    /* Invalid UTF-8 bytes are word bytes. */
    const char *w5[] = {"\xff\xfe", "\x80x"};
    const char s5[] = "\xff\xfe \x80x";
    expect_words(s5, sizeof s5 - 1, w5, 2);
}

static void test_long_words(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "long");
    /* 250 'a's then " b\n", and a 100-byte word exactly (not cut). */
    char text[512];
    size_t n = 0;
    memset(text, 'a', 250);
    n = 250;
    memcpy(text + n, " b\n", 3);
    n += 3;
    memset(text + n, 'c', 100);
    n += 100;
    text[n++] = '\n';
    write_file(path, text, n);
    size_t bufs[] = {0, 1, 5, 64};
    for (size_t b = 0; b < 4; b++) {
        struct wordlist wl = {0};
        CHECK(tokenize_range(path, 0, -1, bufs[b], &wl) == 0);
        CHECK(wl.n == 5);
        CHECK(wl.cut == 1);
        CHECK(strlen(wl.bytes) == 100 && wl.bytes[0] == 'a' && wl.bytes[99] == 'a');
        CHECK(strcmp(wl.bytes + 101, "b") == 0);
        CHECK(strcmp(wl.bytes + 103, "</s>") == 0);
        CHECK(strlen(wl.bytes + 108) == 100 && wl.bytes[108] == 'c');
        free(wl.bytes);
    }
    unlink(path);
}

/* A valid UTF-8 check over s[0..len): every sequence complete. */
static int utf8_complete(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t k = s[i] < 0x80 ? 1 : s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
        if (i + k > len)
            return 0;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

static void test_utf8_cut(void)
{
    static const char *chars[] = {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    char path[256];
    test_tmp_path(path, sizeof path, "utf8");
    /* For every character width and every offset of the character against
     * the 100-byte limit: a word of k ASCII bytes then that character
     * repeated, well past the limit. */
    for (int c = 1; c < 4; c++) {
        size_t w = strlen(chars[c]);
        for (size_t prefix = 0; prefix < 4; prefix++) {
            char word[400];
            size_t n = 0;
            memset(word, 'x', prefix);
            n = prefix;
            while (n + w <= 300) {
                memcpy(word + n, chars[c], w);
                n += w;
            }
            /* The pure cut function. */
            size_t cut = tokenizer_utf8_cut(word, n, W2V_MAX_WORD_BYTES);
            CHECK(cut <= W2V_MAX_WORD_BYTES && cut > W2V_MAX_WORD_BYTES - w);
            CHECK(utf8_complete((const unsigned char *)word, cut));
            CHECK((cut - prefix) % w == 0);
            /* Through the tokenizer, with small buffers too. */
            word[n++] = '\n';
            write_file(path, word, n);
            for (size_t buf = 0; buf < 4; buf++) {
                struct wordlist wl = {0};
                CHECK(tokenize_range(path, 0, -1, buf * 3, &wl) == 0);
                CHECK(wl.n == 2 && wl.cut == 1);
                CHECK(strlen(wl.bytes) == cut && memcmp(wl.bytes, word, cut) == 0);
                free(wl.bytes);
            }
        }
    }
    /* Short input is never cut; invalid input is cut at the limit. */
    CHECK(tokenizer_utf8_cut("abc", 3, 100) == 3);
    CHECK(tokenizer_utf8_cut("\xe2\x82\xac", 3, 2) == 0);
    CHECK(tokenizer_utf8_cut("a\xe2\x82\xac", 4, 3) == 1);
    CHECK(tokenizer_utf8_cut("a\xe2\x82\xac", 4, 4) == 4);
    CHECK(tokenizer_utf8_cut("ab\x80\x80\x80\x80", 6, 4) == 4); /* no lead */
    CHECK(tokenizer_utf8_cut("a\xc3\xa9\x80\x80", 5, 3) == 3);  /* extra continuation */
    CHECK(tokenizer_utf8_cut("\xff\x80\x80", 3, 2) == 2);       /* 0xff is no lead */
    unlink(path);
}

static uint64_t rng_state = 0x12345678abcdefULL;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

/* A random corpus over a small alphabet that hits every byte class: words,
 * runs of separators, CR, CRLF, NUL, multibyte characters, long words. */
static size_t random_corpus(char *out, size_t n)
{
    static const char *pieces[] = {"a",  "b",  "z",  " ",  "  ", "\t", "\n", "\r\n", "\r",
                                   "\0", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                   "\xff", "\x80"};
    size_t len = 0;
    while (len < n) {
        uint32_t r = rnd();
        if (r % 50 == 0) { /* an over-long word */
            size_t k = 90 + rnd() % 60;
            for (size_t i = 0; i < k && len + 4 < n; i++) {
                const char *p = pieces[(rnd() % 2) ? 0 : 10 + rnd() % 3];
                size_t pl = strlen(p);
                memcpy(out + len, p, pl);
                len += pl;
            }
            continue;
        }
        size_t i = r % (sizeof pieces / sizeof *pieces);
        size_t pl = i == 9 ? 1 : strlen(pieces[i]);
        if (len + pl > n)
            break;
        memcpy(out + len, pieces[i], pl);
        len += pl;
    }
    return len;
}

/* Property: ranges split at any points cover the file's words exactly once,
 * in order, with the same cut count. */
static void test_byte_ranges(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "ranges");
    static char text[20000];
    for (int round = 0; round < 6; round++) {
        size_t n = random_corpus(text, round < 3 ? 600 : sizeof text);
        write_file(path, text, n);
        struct wordlist whole = {0};
        CHECK(tokenize_range(path, 0, -1, 0, &whole) == 0);
        CHECK(whole.n > 0);
        for (int split = 0; split < 60; split++) {
            int64_t points[9];
            int k = 1 + (int)(rnd() % 8);
            for (int i = 0; i < k; i++)
                points[i] = (int64_t)(rnd() % (n + 3)); /* may pass the end */
            for (int i = 1; i < k; i++) /* insertion sort */
                for (int j = i; j > 0 && points[j] < points[j - 1]; j--) {
                    int64_t tmp = points[j];
                    points[j] = points[j - 1];
                    points[j - 1] = tmp;
                }
            struct wordlist parts = {0};
            int64_t start = 0;
            size_t buf = (split % 3 == 0) ? 1 + rnd() % 17 : 0;
            for (int i = 0; i <= k; i++) {
                int64_t end = i < k ? points[i] : (split % 2 ? -1 : (int64_t)n);
                CHECK(tokenize_range(path, start, end, buf, &parts) == 0);
                start = end;
            }
            if (!wl_equal(&whole, &parts)) {
                CHECK(!"ranges differ from the whole file");
                fprintf(stderr, "  round %d split %d: %d words vs %d, cut %lld vs %lld\n", round,
                        split, parts.n, whole.n, (long long)parts.cut, (long long)whole.cut);
            }
            free(parts.bytes);
        }
        free(whole.bytes);
    }
    unlink(path);
}

/* Position bookkeeping: a word at the very boundary belongs to the range
 * that holds its first byte. */
static void test_range_boundaries(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "bound");
    const char text[] = "ab cd\nef"; /* ab@0 cd@3 </s>@5 ef@6 */
    write_file(path, text, sizeof text - 1);
    struct wordlist a = {0}, b = {0}, c = {0};
    CHECK(tokenize_range(path, 0, 3, 0, &a) == 0);
    CHECK(a.n == 1 && strcmp(a.bytes, "ab") == 0);
    CHECK(tokenize_range(path, 3, 4, 0, &b) == 0);
    CHECK(b.n == 1 && strcmp(b.bytes, "cd") == 0);
    CHECK(tokenize_range(path, 4, 6, 0, &c) == 0);
    CHECK(c.n == 1 && strcmp(c.bytes, "</s>") == 0);
    free(a.bytes);
    free(b.bytes);
    free(c.bytes);
    struct wordlist d = {0};
    CHECK(tokenize_range(path, 100, -1, 0, &d) == 0 && d.n == 0);
    free(d.bytes);
    unlink(path);
}

static void test_errors_and_stream(void)
{
    struct tokenizer t;
    struct w2v_err err = {0};
    CHECK(tokenizer_open(&t, "/nonexistent/w2v/corpus", 0, -1, &err) == W2V_EIO);
    CHECK(strstr(err.message, "/nonexistent/w2v/corpus") != NULL);
    tokenizer_release(&t); /* safe after a failed open */
    CHECK(tokenizer_open(&t, "/", 0, -1, &err) == W2V_EIO);
    CHECK(strstr(err.message, "directory") != NULL);
    struct tokenizer z = {0};
    tokenizer_release(&z);
    tokenizer_release(&z);

    FILE *f = tmpfile();
    CHECK(f != NULL);
    fputs("x y\nz", f);
    rewind(f);
    CHECK(tokenizer_init_stream(&t, f, &err) == 0);
    char word[W2V_MAX_WORD_BYTES + 1];
    size_t len;
    const char *want[] = {"x", "y", "</s>", "z"};
    for (int i = 0; i < 4; i++)
        CHECK(tokenizer_next(&t, word, &len, &err) == 1 && strcmp(word, want[i]) == 0);
    CHECK(tokenizer_next(&t, word, &len, &err) == 0);
    CHECK(t.pos == 5);
    tokenizer_release(&t);
    fclose(f);
}

int main(void)
{
    TEST_RUN(test_splitting);
    TEST_RUN(test_long_words);
    TEST_RUN(test_utf8_cut);
    TEST_RUN(test_byte_ranges);
    TEST_RUN(test_range_boundaries);
    TEST_RUN(test_errors_and_stream);
    return TEST_REPORT("test_tokenizer");
}
