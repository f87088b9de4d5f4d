/* test_corpus.c — the id stream rules of corpus.c: one sentence end (id 0)
 * after every non-empty line, never at the start and never twice in a row;
 * out-of-vocabulary tokens dropped and counted; the stream always ends
 * with an end; the size hint and growth give the same stream. */
#include <stdint.h>

#include "test.h"
#include "w2v/corpus.h"

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
static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

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
    CHECK(write_file(path, "\n\nthe cat dog\n\nbird fish\nsat  the\t cat\n\nthe") == 0);
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
    CHECK(write_file(path, "dog bird\nfish\n") == 0);
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

int main(void)
{
    TEST_RUN(test_push_rules);
    TEST_RUN(test_encode_file);
    return TEST_REPORT("test_corpus");
}
