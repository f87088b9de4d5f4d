/* test_ngram.c — fastText's n-grams: code points not bytes, boundaries,
 * minn above the word's length, the hash's sign extension, invalid UTF-8,
 * and the per-vocabulary table.
 *
 * The reference hashes were computed independently (a few lines of Python
 * following fastText's documented FNV-1a with int8_t bytes); the n-gram
 * lists and the bucket partition were checked against Debian's fasttext
 * 0.9.2 `print-ngrams` (same n-grams, same sharing of buckets). */
#include <stdint.h>

#include "test.h"
#include "w2v/ngram.h"

#define MAX_GRAMS 256

struct grams {
    char text[MAX_GRAMS][64];
    uint32_t hash[MAX_GRAMS];
    size_t n;
};

static void collect(void *ctx, const char *gram, size_t len, uint32_t hash)
{
    struct grams *g = ctx;
    if (g->n < MAX_GRAMS && len < sizeof g->text[0]) {
        memcpy(g->text[g->n], gram, len);
        g->text[g->n][len] = '\0';
        g->hash[g->n] = hash;
    }
    g->n++;
}

static size_t grams_of(const char *word, int minn, int maxn, struct grams *g)
{
    memset(g, 0, sizeof *g);
    CHECK(ngram_each(word, strlen(word), minn, maxn, collect, g) == 0);
    return g->n;
}

/* Does the list hold exactly want[0..n), in order? */
static int grams_are(const struct grams *g, const char *const *want, size_t n)
{
    if (g->n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(g->text[i], want[i]) != 0)
            return 0;
    return 1;
}

static void test_hash_reference(void)
{
    CHECK(ngram_hash("", 0) == 2166136261u);
    CHECK(ngram_hash("<wh", 3) == 1048167652u);
    CHECK(ngram_hash("where>", 6) == 4012121234u);
    /* Bytes >= 0x80 are sign-extended: plain FNV-1a would differ. */
    CHECK(ngram_hash("<\xc3\xa9", 3) == 672036627u);
    CHECK(ngram_hash("\xc3\xa9t\xc3\xa9>", 6) == 4054196363u);
}

static void test_ascii_order(void)
{
    struct grams g;
    static const char *const want[] = {"<wh", "<whe", "<wher", "<where", "whe", "wher",
                                       "where", "where>", "her", "here", "here>", "ere",
                                       "ere>", "re>"};
    grams_of("where", 3, 6, &g);
    CHECK(grams_are(&g, want, sizeof want / sizeof want[0]));
    /* Buckets follow the same order and agree with the hash. */
    uint32_t b[64];
    size_t n = ngram_buckets("where", 5, 3, 6, 2000000, b, 64);
    CHECK(n == g.n);
    CHECK(b[0] == 167652);
    CHECK(b[7] == 121234);
    for (size_t i = 0; i < n && i < 64; i++)
        CHECK(b[i] == g.hash[i] % 2000000);
}

static void test_code_points(void)
{
    struct grams g;
    /* "été" is 3 characters, 5 bytes: n counts characters. */
    static const char *const want[] = {"<\xc3\xa9t", "\xc3\xa9t\xc3\xa9",
                                       "t\xc3\xa9>"};
    grams_of("\xc3\xa9t\xc3\xa9", 3, 3, &g);
    CHECK(grams_are(&g, want, 3));
    /* 4-byte characters: "<😀>" wrapped is 3 characters, one 3-gram. */
    static const char *const emoji[] = {"<\xf0\x9f\x98\x80>"};
    grams_of("\xf0\x9f\x98\x80", 3, 6, &g);
    CHECK(grams_are(&g, emoji, 1));
    /* Never cut inside a character: every gram is valid UTF-8 here. */
    grams_of("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 1, 2, &g);
    CHECK(g.n == 7); /* 3 unigrams (no lone < or >) + 4 bigrams */
    for (size_t i = 0; i < g.n; i++) {
        size_t len = strlen(g.text[i]);
        CHECK(((unsigned char)g.text[i][0] & 0xc0) != 0x80);
        CHECK(len == 1 || len == 2 || len == 3 || len == 4 || len == 6);
    }
}

static void test_boundaries(void)
{
    struct grams g;
    /* minn 1: the word's characters, never the lone brackets. */
    static const char *const want[] = {"<a", "a", "a>"};
    grams_of("a", 1, 2, &g);
    CHECK(grams_are(&g, want, 3));
    /* The whole wrapped word counts when it fits in maxn. */
    static const char *const whole[] = {"<ab>"};
    grams_of("ab", 4, 6, &g);
    CHECK(grams_are(&g, whole, 1));
    /* minn above the wrapped length: nothing. */
    CHECK(grams_of("ab", 5, 6, &g) == 0);
    CHECK(ngram_buckets("ab", 2, 5, 6, 100, NULL, 0) == 0);
    /* The empty word: "<>" has two characters, one 2-gram. */
    static const char *const empty[] = {"<>"};
    grams_of("", 2, 3, &g);
    CHECK(grams_are(&g, empty, 1));
    /* Brackets inside the word are ordinary characters. */
    static const char *const inner[] = {"<<>", "<>>"};
    grams_of("<>", 3, 3, &g);
    CHECK(grams_are(&g, inner, 2));
}

static void test_invalid_utf8(void)
{
    struct grams g;
    /* A stray continuation byte joins the character before it (after '<'
     * it joins '<'); starts are never continuation bytes. fastText does the
     * same. */
    grams_of("\x80z", 2, 2, &g);
    static const char *const want[] = {"<\x80z", "z>"};
    CHECK(grams_are(&g, want, 2));
    /* Lone lead bytes and 0xff are characters of one byte. */
    grams_of("\xff\xc3", 3, 3, &g);
    static const char *const lead[] = {"<\xff\xc3", "\xff\xc3>"};
    CHECK(grams_are(&g, lead, 2));
    /* A long run of continuation bytes: one character, no crash, and the
     * bound holds. */
    char junk[300];
    memset(junk, 0x80, sizeof junk - 1);
    junk[0] = 'a';
    junk[sizeof junk - 1] = '\0';
    size_t n = grams_of(junk, 1, 6, &g);
    CHECK(n == 4); /* "<a\x80..", "<a\x80..>", "a\x80..", "a\x80..>" */
    CHECK(n <= ngram_max_count(strlen(junk), 1, 6));
    /* Every byte value, everywhere: counts stay within the bound and the
     * buckets within range. */
    uint32_t b[512];
    for (int c = 0; c < 256; c++) {
        char w[4] = {(char)c, 'x', (char)(255 - c), '\0'};
        size_t len = c == 0 ? 0 : 3; /* a NUL would end the word */
        size_t m = ngram_buckets(w, len, 1, 4, 97, b, 512);
        CHECK(m <= ngram_max_count(len, 1, 4));
        for (size_t i = 0; i < m; i++)
            if (b[i] >= 97)
                CHECK(b[i] < 97);
    }
}

static void test_params_and_cap(void)
{
    CHECK(ngram_check_params(3, 6, 2000000) == 0);
    CHECK(ngram_check_params(0, 6, 10) == W2V_EINVAL);
    CHECK(ngram_check_params(4, 3, 10) == W2V_EINVAL);
    CHECK(ngram_check_params(3, NGRAM_MAX_N + 1, 10) == W2V_EINVAL);
    CHECK(ngram_check_params(3, 6, 0) == W2V_EINVAL);
    CHECK(ngram_buckets("where", 5, 0, 6, 10, NULL, 0) == 0);
    CHECK(ngram_max_count(SIZE_MAX - 1, 1, 6) == SIZE_MAX);
    /* A short buffer: the count is still the full count, and only cap
     * entries are written. */
    uint32_t b[4] = {7, 7, 7, 7};
    size_t n = ngram_buckets("where", 5, 3, 6, 2000000, b, 2);
    CHECK(n == 14);
    CHECK(b[0] == 167652 && b[2] == 7 && b[3] == 7);
}

static void test_table(void)
{
    const char *words[] = {"</s>", "where", "ab", "x"};
    struct ngram_table t;
    struct w2v_err err = {0};
    CHECK(ngram_table_build(&t, words, 4, "</s>", 3, 6, 1000, &err) == 0);
    CHECK(t.start[0] == 0 && t.start[1] == 0); /* </s>: no n-grams */
    CHECK(t.start[2] - t.start[1] == 14);
    CHECK(t.start[3] - t.start[2] == 3); /* <ab, ab>, <ab> */
    CHECK(t.start[4] - t.start[3] == 1); /* <x> */
    uint32_t b[16];
    ngram_buckets("where", 5, 3, 6, 1000, b, 16);
    CHECK(memcmp(b, t.ids + t.start[1], 14 * sizeof *b) == 0);
    ngram_table_release(&t);
    ngram_table_release(&t);
    CHECK(ngram_table_build(&t, words, 4, NULL, 7, 6, 1000, &err) == W2V_EINVAL);
    CHECK(err.status == W2V_EINVAL && t.start == NULL);
}

int main(void)
{
    TEST_RUN(test_hash_reference);
    TEST_RUN(test_ascii_order);
    TEST_RUN(test_code_points);
    TEST_RUN(test_boundaries);
    TEST_RUN(test_invalid_utf8);
    TEST_RUN(test_params_and_cap);
    TEST_RUN(test_table);
    return TEST_REPORT("test_ngram");
}
