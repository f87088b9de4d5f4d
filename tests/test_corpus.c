/* test_corpus.c — the id stream rules of corpus.c: one sentence end (id 0)
 * after every non-empty line, never at the start and never twice in a row;
 * out-of-vocabulary tokens dropped and counted; the stream always ends
 * with an end; the size hint and growth give the same stream. And the
 * one-pass parallel count + encode (corpus_build_file) against the two
 * passes it replaces (vocab_build_from_file, then corpus_encode_file): the
 * same vocabulary and the same id stream, in memory or spilled. */
#include <stdint.h>

#include "test.h"
#include "w2v/corpus.h"
#include "w2v/tokenizer.h"
#include "w2v/vocab.h"

static void write_bytes(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

static void test_push_rules(void)
{
    struct corpus c;
    corpus_init(&c);
    CHECK(corpus_push(&c, 0) == 0 && c.n == 0);         /* no end at the start */
    CHECK(corpus_push(&c, 5) == 0 && corpus_push(&c, 0) == 0);
    CHECK(corpus_push(&c, 0) == 0);                      /* a second end is dropped */
    CHECK(corpus_push(&c, 7) == 0 && corpus_push(&c, 7) == 0);
    CHECK(c.n == 4 && c.words == 3);
    CHECK(c.ids[0] == 5 && c.ids[1] == 0 && c.ids[2] == 7 && c.ids[3] == 7);
    /* Growth past the first block keeps every id. */
    int pushed = 1;
    for (int i = 0; i < 5000; i++)
        pushed &= corpus_push(&c, 1 + i % 3) == 0;
    CHECK(pushed);
    CHECK(c.n == 5004 && c.words == 5003 && c.capacity >= c.n);
    int ok = 1;
    for (int i = 0; i < 5000; i++)
        ok &= c.ids[4 + i] == 1 + i % 3;
    CHECK(ok);
    CHECK(corpus_reserve(&c, -1) == 0);                   /* never shrinks */
    CHECK(corpus_reserve(&c, INT64_MAX) == W2V_EOVERFLOW || sizeof(size_t) > 8);
    corpus_release(&c);
    corpus_release(&c); /* twice is safe */
}

/* Write text to path; 0 or -1. */

static void test_encode_file(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "corpus.txt");
    struct vocab v;
    vocab_init(&v);
    CHECK(vocab_add(&v, "the", 3, 3) == 0 && vocab_add(&v, "cat", 3, 2) == 0 &&
          vocab_add(&v, "sat", 3, 1) == 0);
    CHECK(vocab_finalize(&v, 1) == 0);
    const int32_t the = vocab_find(&v, "the", 3), cat = vocab_find(&v, "cat", 3),
                  sat = vocab_find(&v, "sat", 3);
    CHECK(the > 0 && cat > 0 && sat > 0);
    /* Blank lines, a line of unknown words and a last line without '\n'. */
    write_text(path, "\n\nthe cat dog\n\nbird fish\nsat  the\t cat\n\nthe");
    for (int hint = 0; hint < 2; hint++) {
        struct corpus c;
        struct w2v_err err = {0};
        corpus_init(&c);
        CHECK(corpus_encode_file(&c, &v, path, hint ? 7 : 0, &err) == 0);
        const int32_t want[] = {the, cat, 0, sat, the, cat, 0, the, 0};
        CHECK(c.n == 9 && c.words == 6 && c.dropped == 3);
        if (c.n == 9)
            CHECK(memcmp(c.ids, want, sizeof want) == 0);
        corpus_release(&c);
    }
    /* Appending a second file continues the same stream. */
    struct corpus c;
    struct w2v_err err = {0};
    corpus_init(&c);
    CHECK(corpus_encode_file(&c, &v, path, 0, &err) == 0);
    CHECK(corpus_encode_file(&c, &v, path, 0, &err) == 0);
    CHECK(c.n == 18 && c.words == 12 && c.ids[8] == 0 && c.ids[9] == the);
    corpus_release(&c);
    /* Nothing known, or nothing readable. */
    write_text(path, "dog bird\nfish\n");
    corpus_init(&c);
    CHECK(corpus_encode_file(&c, &v, path, 0, &err) == W2V_EEMPTY);
    CHECK(strstr(err.message, "no word of") != NULL);
    corpus_release(&c);
    corpus_init(&c);
    CHECK(corpus_encode_file(&c, &v, "/nonexistent/corpus.txt", 0, &err) == W2V_EIO);
    corpus_release(&c);
    unlink(path);
    vocab_release(&v);
}

/* xorshift64*: reproducible random corpora. */
static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* The memory bound of corpus_build_file in same_as_two_pass (0: none). */
static int64_t test_max_memory;
/* info.spilled_bytes of same_as_two_pass's last build. */
static size_t last_spilled;

/* Compare build(parts) with the two passes; returns 1 when equal. Also
 * reports whether the one-pass path was taken. */
static int same_as_two_pass(const char *path, const struct vocab_options *opt, int parts,
                            int *one_pass)
{
    struct vocab v1, v2;
    struct corpus c1, c2;
    struct corpus_build_info info;
    struct w2v_err err;
    int64_t cut = 0;
    int same = 1;
    vocab_init(&v1);
    vocab_init(&v2);
    corpus_init(&c1);
    corpus_init(&c2);
    int s1 = vocab_build_from_file(&v1, path, opt, &cut, &err);
    if (s1 == 0)
        s1 = corpus_encode_file(&c1, &v1, path, v1.total_words, &err);
    struct corpus_build_options bo = {parts, test_max_memory, 0, NULL};
    int s2 = corpus_build_file(&c2, &v2, path, opt, &bo, &info, &err);
    if (one_pass)
        *one_pass = info.one_pass;
    last_spilled = s2 == 0 ? info.spilled_bytes : 0;
    if (s2 == 0 && (c2.mapped != 0) != (info.spilled_bytes != 0))
        same = 0;
    if (s1 != s2)
        same = 0;
    else if (s1 == 0) {
        same &= v1.size == v2.size && v1.total_words == v2.total_words;
        for (int32_t i = 0; same && i < v1.size; i++)
            same &= strcmp(v1.entries[i].word, v2.entries[i].word) == 0 &&
                    v1.entries[i].count == v2.entries[i].count;
        same &= c1.n == c2.n && c1.words == c2.words && c1.dropped == c2.dropped;
        same &= same && memcmp(c1.ids, c2.ids, (size_t)c1.n * sizeof *c1.ids) == 0;
        same &= info.words_cut == cut;
    }
    corpus_release(&c1);
    corpus_release(&c2);
    vocab_release(&v1);
    vocab_release(&v2);
    return same;
}

/* Random text over a small alphabet with spaces, tabs, CRs, newlines, blank
 * lines, two- and three-byte UTF-8 characters and the odd over-long word,
 * so range boundaries fall inside words, characters and separator runs. */
static size_t random_text(char *buf, size_t cap)
{
    static const char *pieces[] = {"a", "b", "c", "ab", "é", "日本", " ", " ", " ", "\t",
                                   "\n", "\n\n", "\r\n", "  "};
    size_t n = 0, target = 1 + rnd() % (cap - 200);
    while (n < target) {
        if (rnd() % 97 == 0) { /* an over-long word */
            size_t len = 101 + rnd() % 40; /* "xé" repeated: a cut may fall in the é */
            for (size_t i = 0; i < len && n + 3 < cap; i++) {
                buf[n++] = 'x';
                buf[n++] = (char)0xC3;
                buf[n++] = (char)0xA9;
            }
            continue;
        }
        const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
        size_t len = strlen(p);
        if (n + len >= cap)
            break;
        memcpy(buf + n, p, len);
        n += len;
    }
    return n;
}

static void test_random_corpora(void)
{
    char path[256], buf[4096];
    test_tmp_path(path, sizeof path, "corpus-random.txt");
    int ok = 1, trials = 300;
    for (int t = 0; t < trials; t++) {
        size_t n = random_text(buf, t % 10 == 0 ? 300 : sizeof buf);
        write_bytes(path, buf, n);
        struct vocab_options opt = {1 + (int64_t)(rnd() % 3), 0};
        int parts = 1 + (int)(rnd() % 8);
        if (!same_as_two_pass(path, &opt, parts, NULL)) {
            fprintf(stderr, "  trial %d: %zu bytes, %d parts, min-count %lld\n", t, n, parts,
                    (long long)opt.min_count);
            ok = 0;
        }
    }
    CHECK(ok);
    remove(path);
}

/* Every byte a boundary: as many parts as bytes (and more: empty ranges). */
static void test_every_boundary(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "corpus-bound.txt");
    /* a boundary inside "日本" (3-byte characters), inside "word", in the
     * middle of "\r\n" and of a run of blanks */
    const char *text = "word 日本 x\r\n\n  word\tx 日本日本\nword";
    write_bytes(path, text, strlen(text));
    struct vocab_options opt = {1, 0};
    int one_pass = 0;
    for (int parts = 1; parts <= (int)strlen(text) + 5; parts++)
        CHECK(same_as_two_pass(path, &opt, parts, &one_pass) && one_pass);
    remove(path);
}

static const struct corpus_build_options two = {2, 0, 0, NULL}, three = {3, 0, 0, NULL},
                                         four = {4, 0, 0, NULL};

static void test_empty_and_small(void)
{
    char path[256];
    struct vocab v;
    struct corpus c;
    struct w2v_err err;
    test_tmp_path(path, sizeof path, "corpus-empty.txt");
    vocab_init(&v);
    corpus_init(&c);
    write_bytes(path, "", 0);
    CHECK(corpus_build_file(&c, &v, path, NULL, &four, NULL, &err) == W2V_EEMPTY);
    CHECK(c.ids == NULL && v.size == 0); /* released on error */
    write_bytes(path, "\n\n\n", 3);
    CHECK(corpus_build_file(&c, &v, path, NULL, &two, NULL, &err) == W2V_EEMPTY);
    struct vocab_options opt = {1, 0};
    write_bytes(path, "a", 1);
    CHECK(corpus_build_file(&c, &v, path, &opt, &three, NULL, &err) == 0);
    CHECK(c.n == 2 && c.ids[0] == 1 && c.ids[1] == 0 && c.words == 1);
    corpus_release(&c);
    vocab_release(&v);
    CHECK(corpus_build_file(&c, &v, "/nonexistent/corpus", &opt, &two, NULL, &err) == W2V_EIO);
    remove(path);
}

/* --max-vocab: past the bound the tables would have to prune, and the
 * result is still exactly the two passes' (which prune in reading order). */
static void test_max_vocab(void)
{
    char path[256];
    static char buf[200000];
    test_tmp_path(path, sizeof path, "corpus-prune.txt");
    size_t n = 0;
    for (int i = 0; i < 20000; i++) {
        /* frequent words throughout, a long tail of rare ones */
        int w = i % 3 == 0 ? (int)(rnd() % 10) : (int)(rnd() % 5000);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "w%d%s", w, i % 11 == 10 ? "\n" : " ");
    }
    write_bytes(path, buf, n);
    int one_pass = -1;
    struct vocab_options small = {2, 300};
    CHECK(same_as_two_pass(path, &small, 1, &one_pass) && one_pass == 0);
    CHECK(same_as_two_pass(path, &small, 4, &one_pass) && one_pass == 0);
    struct vocab_options roomy = {2, 100000};
    CHECK(same_as_two_pass(path, &roomy, 4, &one_pass) && one_pass == 1);
    /* Pruning keeps the bound: the two passes' vocabulary holds at most
     * max_size words (plus nothing from a second reading). */
    struct vocab v;
    struct corpus c;
    struct w2v_err err;
    vocab_init(&v);
    corpus_init(&c);
    CHECK(corpus_build_file(&c, &v, path, &small, &four, NULL, &err) == 0);
    CHECK(v.size <= 300 && v.words_pruned > 0);
    corpus_release(&c);
    vocab_release(&v);
    remove(path);
}

/* Larger than memory: a bound of a few KB spills the ids of every part to
 * files, and the mapped stream is still the two passes'. */
static void test_spill(void)
{
    char path[256];
    static char buf[200000];
    test_tmp_path(path, sizeof path, "corpus-spill.txt");
    size_t n = 0;
    for (int i = 0; i < 30000; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "s%d%s", (int)(rnd() % 700),
                              i % 13 == 12 ? "\n" : " ");
    write_bytes(path, buf, n);
    struct vocab_options opt = {3, 0};
    test_max_memory = 4096;
    int one_pass = 0, parts[] = {1, 2, 5};
    for (int i = 0; i < 3; i++) {
        CHECK(same_as_two_pass(path, &opt, parts[i], &one_pass) && one_pass);
        CHECK(last_spilled > 0);
    }
    /* A bound above the stream keeps it in memory. */
    test_max_memory = 1 << 20;
    CHECK(same_as_two_pass(path, &opt, 2, &one_pass) && last_spilled == 0);
    /* ... unless the model would take the room: 30000 ids (120 KB) and a
     * model of 700 x 1 KB do not fit 512 KB together. */
    struct vocab v;
    struct corpus c;
    struct corpus_build_info info;
    struct w2v_err err;
    struct corpus_build_options big_model = {2, 512 << 10, 1024, NULL};
    vocab_init(&v);
    corpus_init(&c);
    CHECK(corpus_build_file(&c, &v, path, &opt, &big_model, &info, &err) == 0);
    CHECK(info.spilled_bytes > 0 && c.mapped == info.spilled_bytes && c.ids[c.n - 1] == 0);
    CHECK(corpus_push(&c, 1) == W2V_EINVAL); /* a mapped stream is read-only */
    corpus_release(&c);
    vocab_release(&v);
    big_model.model_bytes_per_word = 16; /* 11 KB of model: it fits */
    CHECK(corpus_build_file(&c, &v, path, &opt, &big_model, &info, &err) == 0);
    CHECK(info.spilled_bytes == 0 && c.mapped == 0);
    corpus_release(&c);
    vocab_release(&v);
    /* Random corpora around the spill threshold (1024 ids a part). */
    test_max_memory = 1;
    int ok = 1, spilled = 0;
    for (int t = 0; t < 100; t++) {
        size_t len = random_text(buf, 8192);
        write_bytes(path, buf, len);
        ok &= same_as_two_pass(path, &opt, 1 + (int)(rnd() % 4), NULL);
        spilled += last_spilled > 0;
    }
    CHECK(ok);
    CHECK(spilled > 10);
    test_max_memory = 0;
    remove(path);
}

int main(void)
{
    TEST_RUN(test_push_rules);
    TEST_RUN(test_encode_file);
    TEST_RUN(test_random_corpora);
    TEST_RUN(test_every_boundary);
    TEST_RUN(test_empty_and_small);
    TEST_RUN(test_max_vocab);
    TEST_RUN(test_spill);
    return TEST_REPORT("test_corpus");
}
