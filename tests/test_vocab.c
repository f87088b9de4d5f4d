/* test_vocab.c — counting, min-count, order, pruning, save/load. */
#include <stdint.h>

#include "test.h"
#include "w2v/tokenizer.h"
#include "w2v/vocab.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    size_t n = strlen(text);
    if (!f || fwrite(text, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

static int64_t count_of(const struct vocab *v, const char *w)
{
    int32_t id = vocab_find(v, w, strlen(w));
    return id < 0 ? -1 : v->entries[id].count;
}

static void test_add_find(void)
{
    struct vocab v;
    vocab_init(&v);
    CHECK(vocab_find(&v, "x", 1) == -1); /* empty table */
    /* Enough distinct words to force several regrowths. */
    char w[32];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 5000; i++) {
            int n = snprintf(w, sizeof w, "w%d", i);
            CHECK(vocab_add(&v, w, (size_t)n, 1 + (i % 7)) == 0);
        }
    CHECK(v.size == 5000);
    int ok = 1;
    for (int i = 0; i < 5000; i++) {
        snprintf(w, sizeof w, "w%d", i);
        ok &= count_of(&v, w) == 3 * (1 + (i % 7));
    }
    CHECK(ok);
    /* Lookups use the length, not a NUL: "w1" is not "w12" or "w1\0x". */
    CHECK(vocab_find(&v, "w12", 2) == vocab_find(&v, "w1", 2));
    CHECK(vocab_find(&v, "w1\0x", 4) == -1);
    CHECK(vocab_find(&v, "nope", 4) == -1);
    /* Bad words and counts. */
    CHECK(vocab_add(&v, "", 0, 1) == W2V_EINVAL);
    CHECK(vocab_add(&v, "a\0b", 3, 1) == W2V_EINVAL);
    CHECK(vocab_add(&v, "w1", 2, -1) == W2V_EINVAL);
    CHECK(vocab_add(&v, "big", 3, INT64_MAX) == 0);
    CHECK(vocab_add(&v, "big", 3, 1) == W2V_EOVERFLOW);
    CHECK(count_of(&v, "big") == INT64_MAX);
    vocab_release(&v);
    vocab_release(&v); /* released twice: safe */
    struct vocab z = {0};
    vocab_release(&z);
}

static void test_finalize_order(void)
{
    struct vocab v;
    vocab_init(&v);
    /* Ties on count must come out in byte order, whatever the insertion
     * order; </s> first even when rarer; min-count drops the rare. */
    const char *words[] = {"pear", "apple", "fig", "kiwi", "\xc3\xa9t\xc3\xa9", "zz", "rare"};
    int64_t counts[] = {5, 5, 9, 5, 5, 12, 2};
    for (int pass = 0; pass < 2; pass++) {
        vocab_init(&v);
        for (int i = 0; i < 7; i++) {
            int j = pass ? 6 - i : i;
            CHECK(vocab_add(&v, words[j], strlen(words[j]), counts[j]) == 0);
        }
        CHECK(vocab_add(&v, "</s>", 4, 3) == 0);
        CHECK(vocab_finalize(&v, 5) == 0);
        const char *want[] = {"</s>", "zz", "fig", "apple", "kiwi", "pear", "\xc3\xa9t\xc3\xa9"};
        CHECK(v.size == 7);
        for (int i = 0; i < 7 && i < v.size; i++) {
            CHECK(strcmp(v.entries[i].word, want[i]) == 0);
            CHECK(vocab_find(&v, want[i], strlen(want[i])) == i);
        }
        CHECK(v.total_words == 3 + 12 + 9 + 5 * 4);
        CHECK(vocab_find(&v, "rare", 4) == -1);
        vocab_release(&v);
    }
    /* No newline in the corpus: </s> is still id 0, with count 0. */
    vocab_init(&v);
    CHECK(vocab_add(&v, "a", 1, 7) == 0);
    CHECK(vocab_finalize(&v, 1) == 0);
    CHECK(v.size == 2 && strcmp(v.entries[0].word, "</s>") == 0 && v.entries[0].count == 0);
    vocab_release(&v);
    /* Nothing reaches min-count. */
    vocab_init(&v);
    CHECK(vocab_add(&v, "a", 1, 2) == 0);
    CHECK(vocab_finalize(&v, 5) == W2V_EEMPTY);
    CHECK(v.size == 1 && vocab_find(&v, "</s>", 4) == 0);
    vocab_release(&v);
}

static uint64_t rng_state = 42;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

/* Property: with max_size set, size never passes it after any add, the
 * pruned count is the number of distinct words that vanished, and a word
 * that is always frequent survives with its exact count. */
static void test_pruning(void)
{
    struct vocab v;
    vocab_init(&v);
    v.max_size = 50;
    char w[32];
    int ok = 1;
    int64_t distinct_seen = 0;
    /* A zipf-ish stream: word k with probability ~ 1/k. */
    for (int i = 0; i < 20000; i++) {
        uint32_t k = 1 + rnd() % 1000;
        k = 1 + (rnd() % k);
        int n = snprintf(w, sizeof w, "%u", (unsigned)k);
        if (i % 10 == 0)
            CHECK(vocab_add(&v, "the", 3, 1) == 0);
        if (i % 100 == 0)
            CHECK(vocab_add(&v, "</s>", 4, 1) == 0);
        int before = v.size;
        int found = vocab_find(&v, w, (size_t)n) >= 0;
        int64_t pruned_before = v.words_pruned;
        CHECK(vocab_add(&v, w, (size_t)n, 1) == 0);
        if (!found)
            distinct_seen++;
        ok &= v.size <= 50;
        ok &= (int64_t)v.size == before + !found - (v.words_pruned - pruned_before);
    }
    CHECK(ok);
    CHECK(v.words_pruned > 0);
    CHECK(v.prune_floor > 1);
    /* distinct_seen counts re-insertions after a prune too, so the books
     * balance: every insertion is either still there or was pruned. */
    CHECK(distinct_seen + 2 == (int64_t)v.size + v.words_pruned);
    CHECK(count_of(&v, "the") == 2000);
    CHECK(count_of(&v, "</s>") == 200);
    vocab_release(&v);

    /* Counts far above the floor: pruning must still finish quickly. */
    vocab_init(&v);
    v.max_size = 3;
    for (int i = 0; i < 10; i++) {
        int n = snprintf(w, sizeof w, "x%d", i);
        CHECK(vocab_add(&v, w, (size_t)n, INT64_C(1000000000000) + i) == 0);
        CHECK(v.size <= 3);
    }
    CHECK(count_of(&v, "x9") == INT64_C(1000000000009));
    vocab_release(&v);

    /* A table full of frequent words, then a flood of new singletons: each
     * prune must free a batch. (One full pass per new word would make this
     * take ~4e9 steps.) */
    vocab_init(&v);
    v.max_size = 20000;
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(w, sizeof w, "f%d", i);
        CHECK(vocab_add(&v, w, (size_t)n, 1000000 + i) == 0);
    }
    ok = 1;
    int32_t low = v.size;
    for (int i = 0; i < 200000; i++) {
        int n = snprintf(w, sizeof w, "s%d", i);
        ok &= vocab_add(&v, w, (size_t)n, 1) == 0 && v.size <= 20000;
        if (v.size < low)
            low = v.size;
    }
    CHECK(ok);
    CHECK(low <= 20000 - 20000 / 16); /* prunes free at least 1/16 */
    CHECK(count_of(&v, "f19999") == 1019999);
    CHECK(v.words_pruned == 220000 - v.size);
    vocab_release(&v);
}

static void test_build_from_file(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "corpus");
    write_file(path, "a b a c\r\nb a d a\n\n" "a b c\n");
    struct vocab v;
    struct w2v_err err = {0};
    struct vocab_options opt = {.min_count = 2, .max_size = 0};
    int64_t cut = -1;
    CHECK(vocab_build_from_file(&v, path, &opt, &cut, &err) == 0);
    CHECK(cut == 0);
    /* a:5 </s>:4 b:3 c:2 (d dropped) */
    CHECK(v.size == 4);
    CHECK(strcmp(v.entries[0].word, "</s>") == 0 && v.entries[0].count == 4);
    CHECK(strcmp(v.entries[1].word, "a") == 0 && v.entries[1].count == 5);
    CHECK(strcmp(v.entries[2].word, "b") == 0 && v.entries[2].count == 3);
    CHECK(strcmp(v.entries[3].word, "c") == 0 && v.entries[3].count == 2);
    CHECK(v.total_words == 14);
    vocab_release(&v);

    opt.min_count = 100;
    CHECK(vocab_build_from_file(&v, path, &opt, NULL, &err) == W2V_EEMPTY);
    CHECK(strstr(err.message, "100") != NULL);
    CHECK(vocab_build_from_file(&v, "/nonexistent/x", &opt, NULL, &err) == W2V_EIO);
    unlink(path);
}

static void test_save_load(void)
{
    char path[256], path2[256];
    test_tmp_path(path, sizeof path, "vocab");
    test_tmp_path(path2, sizeof path2, "vocab2");
    struct vocab v, r;
    struct w2v_err err = {0};
    vocab_init(&v);
    char w[32];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(w, sizeof w, "w\xc3\xa9%d", i);
        CHECK(vocab_add(&v, w, (size_t)n, 1 + (rnd() % 20)) == 0);
    }
    CHECK(vocab_add(&v, "</s>", 4, 1) == 0);
    CHECK(vocab_finalize(&v, 1) == 0);
    CHECK(vocab_save(&v, path, &err) == 0);
    CHECK(vocab_load(&r, path, 1, &err) == 0);
    CHECK(r.size == v.size && r.total_words == v.total_words);
    int same = r.size == v.size;
    for (int32_t i = 0; same && i < v.size; i++)
        same = strcmp(r.entries[i].word, v.entries[i].word) == 0 &&
               r.entries[i].count == v.entries[i].count;
    CHECK(same);
    /* Save of the loaded vocab is byte-identical. */
    CHECK(vocab_save(&r, path2, &err) == 0);
    FILE *a = fopen(path, "rb"), *b = fopen(path2, "rb");
    int eq = a && b;
    while (eq) {
        int ca = getc(a), cb = getc(b);
        eq = ca == cb;
        if (ca == EOF)
            break;
    }
    CHECK(eq);
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    vocab_release(&r);
    /* min_count on load. */
    CHECK(vocab_load(&r, path, 10, &err) == 0);
    int ok = 1;
    for (int32_t i = 1; i < r.size; i++)
        ok &= r.entries[i].count >= 10;
    CHECK(ok && r.size < v.size && r.size > 1);
    vocab_release(&r);
    /* Saving into a missing directory fails and leaves nothing. */
    CHECK(vocab_save(&v, "/nonexistent/dir/vocab", &err) == W2V_EIO);
    CHECK(strstr(err.message, "/nonexistent/dir/vocab") != NULL);
    /* A failed save leaves an existing file untouched: a word the format
     * cannot hold is refused. */
    struct vocab bad;
    vocab_init(&bad);
    CHECK(vocab_add(&bad, "has space", 9, 3) == 0);
    CHECK(vocab_finalize(&bad, 1) == 0);
    CHECK(vocab_save(&bad, path, &err) == W2V_EFORMAT);
    CHECK(vocab_load(&r, path, 1, &err) == 0 && r.size == v.size);
    vocab_release(&r);
    vocab_release(&bad);
    vocab_release(&v);
    unlink(path);
    unlink(path2);
}

/* Each bad file: the expected status and, for format errors, the line. */
static void expect_load_error(const char *text, int status, int64_t line)
{
    char path[256];
    test_tmp_path(path, sizeof path, "bad");
    write_file(path, text);
    struct vocab v;
    struct w2v_err err = {0};
    int rc = vocab_load(&v, path, 1, &err);
    CHECK(rc == status);
    if (rc != status)
        fprintf(stderr, "  for %s: got %d (%s)\n", text, rc, err.message);
    if (status == W2V_EFORMAT) {
        CHECK(err.line == line);
    }
    if (status == W2V_EFORMAT && line > 0) {
        char where[64];
        snprintf(where, sizeof where, "line %lld", (long long)line);
        CHECK(strstr(err.message, where) != NULL);
    }
    CHECK(v.size == 0 && v.entries == NULL); /* released on error */
    unlink(path);
}

static void test_load_errors(void)
{
    expect_load_error("", W2V_EEMPTY, 0);
    expect_load_error("a 1\nb x\n", W2V_EFORMAT, 2);
    expect_load_error("a 1\nb 12x\n", W2V_EFORMAT, 2);
    expect_load_error("a 1\nb -3\n", W2V_EFORMAT, 2);
    expect_load_error("a 1\nb 0\n", W2V_EFORMAT, 2);
    expect_load_error("a 1\nb\n", W2V_EFORMAT, 2);
    expect_load_error("a 1\nb 2\na 3\n", W2V_EFORMAT, 3);
    expect_load_error("a 1\n\nb 2\n", W2V_EFORMAT, 2);
    expect_load_error("a 1\n 2\n", W2V_EFORMAT, 2);
    expect_load_error("a 99999999999999999999\n", W2V_EFORMAT, 1);
    expect_load_error("a 9223372036854775807\nb 9223372036854775807\n", W2V_EFORMAT, 0);
    expect_load_error("a 1 2\n", W2V_EFORMAT, 1);
    /* Found by fuzz_vocab_load: a word the tokenizer can never produce
     * (and vocab_save refuses) must not load either. */
    expect_load_error("a 1\n\v] 1\n", W2V_EFORMAT, 2);
    expect_load_error("a\fb 1\n", W2V_EFORMAT, 1);
    expect_load_error("a\rb 1\n", W2V_EFORMAT, 1);
    expect_load_error("</s> 5\n", W2V_EEMPTY, 0);
    char longline[VOCAB_MAX_LINE + 100];
    memset(longline, 'x', sizeof longline - 4);
    memcpy(longline + sizeof longline - 4, " 1\n", 4);
    expect_load_error(longline, W2V_EFORMAT, 1);

    /* Accepted variants: CRLF, tabs, no final newline, </s> with count 0. */
    char path[256];
    test_tmp_path(path, sizeof path, "ok");
    write_file(path, "</s> 0\r\nb\t\t7\r\nc 3");
    struct vocab v;
    struct w2v_err err = {0};
    CHECK(vocab_load(&v, path, 1, &err) == 0);
    CHECK(v.size == 3 && count_of(&v, "b") == 7 && count_of(&v, "c") == 3 &&
          vocab_find(&v, "</s>", 4) == 0);
    vocab_release(&v);
    CHECK(vocab_load(&v, "/nonexistent/vocab", 1, &err) == W2V_EIO);
    CHECK(vocab_load(&v, "/", 1, &err) == W2V_EIO);
    unlink(path);
}

int main(void)
{
    TEST_RUN(test_add_find);
    TEST_RUN(test_finalize_order);
    TEST_RUN(test_pruning);
    TEST_RUN(test_build_from_file);
    TEST_RUN(test_save_load);
    TEST_RUN(test_load_errors);
    return TEST_REPORT("test_vocab");
}
