/* test_phrases.c — word2phrase on planted corpora with known answers. */
#include <stdint.h>

#include "test.h"
#include "w2v/phrases.h"
#include "w2v/sampling.h"

static char corpus_path[512];

/* Run all passes of o over text; return the output (malloc'd) or NULL. */
static char *run_text(const char *text, const struct phrases_options *o)
{
    FILE *f = fopen(corpus_path, "wb");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    FILE *out = tmpfile();
    if (!out)
        return NULL;
    struct w2v_err err = {0};
    int rc = phrases_run(corpus_path, NULL, out, o, NULL, &err);
    if (rc != 0) {
        fprintf(stderr, "phrases_run: %s\n", err.message);
        fclose(out);
        return NULL;
    }
    long n = ftell(out);
    rewind(out);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, out) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(out);
    return s;
}

/* How often token occurs in s as a whole space/newline-separated word. */
static int count_token(const char *s, const char *token)
{
    int n = 0;
    size_t len = strlen(token);
    for (const char *p = s; (p = strstr(p, token)) != NULL; p += len) {
        int left = p == s || p[-1] == ' ' || p[-1] == '\n';
        int right = p[len] == '\0' || p[len] == ' ' || p[len] == '\n';
        n += left && right;
    }
    return n;
}

/* Whether some token of s starts with prefix or ends with suffix. */
static int any_token_edge(const char *s, const char *prefix, const char *suffix)
{
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\n')
            e++;
        size_t len = (size_t)(e - p), pl = strlen(prefix), sl = strlen(suffix);
        if ((len > pl && memcmp(p, prefix, pl) == 0) ||
            (len > sl && memcmp(e - sl, suffix, sl) == 0))
            return 1;
        p = e;
    }
    return 0;
}

/* A growing string. */
struct buf {
    char *s;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

/* Lines of filler words f0..f199 with planted pieces: "new york" 40 times
 * (its words never apart), "red" and "car" 400 times each but together
 * only 40 (a near miss), "rare pair" 4 times (below min-count), "x y z" 40
 * times, "bank of america" 40 times, and lines ending in "new" followed by
 * lines starting with "york" (never to be joined). */
static char *planted_corpus(uint64_t seed)
{
    struct buf b = {0};
    struct rng r;
    char w[32];
    rng_seed(&r, seed, 0);
    for (int line = 0; line < 800; line++) {
        for (int i = 0; i < 12; i++) {
            snprintf(w, sizeof w, "f%u ", rng_below(&r, 200));
            buf_add(&b, w);
        }
        if (line % 20 == 0)
            buf_add(&b, "new york ");
        if (line % 2 == 0)
            buf_add(&b, line % 20 == 10 ? "red car " : "red f1 ");
        if (line % 2 == 1)
            buf_add(&b, "f2 car ");
        if (line % 200 == 7)
            buf_add(&b, "rare pair ");
        if (line % 20 == 5)
            buf_add(&b, "x y z ");
        if (line % 20 == 15)
            buf_add(&b, "bank of america ");
        if (line % 10 == 3)
            buf_add(&b, "the of ");
        snprintf(w, sizeof w, "f%u", rng_below(&r, 200));
        buf_add(&b, w);
        buf_add(&b, "\n");
    }
    /* "new" ends a line, "york" starts the next: counted, never joined. */
    buf_add(&b, "f3 new\nyork f4\n");
    return b.s;
}

static void test_score(void)
{
    /* (count(ab) - min_count) / (count(a) count(b)) * total */
    CHECK_NEAR(phrases_score(PHRASES_SCORE_DEFAULT, 40, 40, 40, 5, 10000), 35.0 / 1600 * 10000,
               1e-9);
    CHECK(phrases_score(PHRASES_SCORE_DEFAULT, 4, 40, 40, 5, 10000) == -INFINITY);
    CHECK(phrases_score(PHRASES_SCORE_DEFAULT, 40, 40, 4, 5, 10000) == -INFINITY);
    CHECK(phrases_score(PHRASES_SCORE_NPMI, 40, 40, 4, 5, 10000) == -INFINITY);
    /* npmi: 1 for words that only occur together, 0 for independent ones,
     * and within [-1, 1] for any counts. */
    CHECK_NEAR(phrases_score(PHRASES_SCORE_NPMI, 40, 40, 40, 5, 10000), 1.0, 1e-12);
    CHECK_NEAR(phrases_score(PHRASES_SCORE_NPMI, 1000, 1000, 100, 5, 10000), 0.0, 1e-12);
    struct rng r;
    rng_seed(&r, 7, 0);
    int in_bounds = 1;
    for (int i = 0; i < 10000; i++) {
        int64_t n = 1 + rng_below(&r, 1000000);
        int64_t a = 1 + rng_below(&r, (uint64_t)n), b = 1 + rng_below(&r, (uint64_t)n);
        int64_t ab = 1 + rng_below(&r, (uint64_t)(a < b ? a : b));
        if (ab >= n)
            continue;
        double s = phrases_score(PHRASES_SCORE_NPMI, a, b, ab, 1, n);
        if (!(s >= -1.0 && s <= 1.0))
            in_bounds = 0;
    }
    CHECK(in_bounds);
}

static void test_planted(void)
{
    struct phrases_options o;
    phrases_options_default(&o);
    char *text = planted_corpus(1);
    char *out = run_text(text, &o);
    CHECK(out != NULL);
    if (!out) {
        free(text);
        return;
    }
    CHECK(count_token(out, "new_york") == 40);
    CHECK(count_token(out, "new") == 1);  /* the one at a line end */
    CHECK(count_token(out, "york") == 1); /* and the one after it */
    CHECK(strstr(out, "f3 new\nyork f4\n") != NULL);
    CHECK(count_token(out, "red_car") == 0);  /* the near miss */
    CHECK(count_token(out, "red") == 400);
    CHECK(count_token(out, "rare_pair") == 0); /* below min-count */
    /* A joined token is spent: "x y z" gives x_y z, never x_y_z or y_z. */
    CHECK(count_token(out, "x_y") == 40);
    CHECK(count_token(out, "z") == 40);
    CHECK(strstr(out, "y_z") == NULL);
    CHECK(count_token(out, "bank_of_america") == 0); /* no connectors: of is a word */
    /* Lines stay lines. */
    int lines_in = 0, lines_out = 0;
    for (const char *p = text; *p; p++)
        lines_in += *p == '\n';
    for (const char *p = out; *p; p++)
        lines_out += *p == '\n';
    CHECK(lines_in == lines_out);
    free(out);

    /* Two passes: the second joins x_y with z. */
    o.passes = 2;
    o.threshold[0] = 100;
    o.threshold[1] = 100;
    out = run_text(text, &o);
    CHECK(out && count_token(out, "x_y_z") == 40);
    CHECK(out && count_token(out, "new_york") == 40);
    free(out);

    /* A threshold above every score joins nothing: the text comes back. */
    phrases_options_default(&o);
    o.threshold[0] = 1e12;
    out = run_text(text, &o);
    CHECK(out && strcmp(out, text) == 0);
    free(out);

    /* npmi: new york (always together) passes 0.9; red car does not pass 0.5. */
    phrases_options_default(&o);
    o.scoring = PHRASES_SCORE_NPMI;
    o.threshold[0] = 0.9;
    out = run_text(text, &o);
    CHECK(out && count_token(out, "new_york") == 40);
    CHECK(out && count_token(out, "red_car") == 0);
    free(out);
    free(text);
}

static void test_connectors(void)
{
    struct vocab set;
    char path[512];
    FILE *f = fopen(test_tmp_path(path, sizeof path, "connectors"), "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("of\nthe\n", f);
    fclose(f);
    struct w2v_err err = {0};
    CHECK(phrases_connectors_load(&set, path, &err) == 0);
    struct phrases_options o;
    phrases_options_default(&o);
    o.connectors = &set;
    char *text = planted_corpus(2);
    char *out = run_text(text, &o);
    CHECK(out && count_token(out, "bank_of_america") == 40);
    /* Connectors sit inside phrases only: none starts or ends a token. */
    CHECK(out && !any_token_edge(out, "of_", "_of"));
    CHECK(out && !any_token_edge(out, "the_", "_the"));
    CHECK(out && count_token(out, "new_york") == 40);
    free(out);
    free(text);
    vocab_release(&set);
    unlink(path);

    /* A file with no words is refused. */
    f = fopen(path, "wb");
    if (f) {
        fputs(" \n\n", f);
        fclose(f);
    }
    CHECK(phrases_connectors_load(&set, path, &err) == W2V_EEMPTY);
    unlink(path);
}

/* Counts of the file at corpus_path on one range and on `threads` ranges
 * of at least min_range bytes agree exactly. */
static int counts_agree(const struct vocab *conn, int threads, int64_t min_range)
{
    struct phrases_options o;
    struct phrases_counts one, many;
    struct w2v_err err = {0};
    phrases_options_default(&o);
    o.connectors = conn;
    if (phrases_count(&one, corpus_path, &o, &err) != 0)
        return 0;
    o.threads = threads;
    o.min_range = min_range;
    if (phrases_count(&many, corpus_path, &o, &err) != 0) {
        phrases_counts_release(&one);
        return 0;
    }
    int same = one.total_words == many.total_words && one.table.size == many.table.size;
    for (int32_t i = 0; i < one.table.size; i++) {
        const struct vocab_entry *e = &one.table.entries[i];
        int32_t j = vocab_find(&many.table, e->word, strlen(e->word));
        if (j < 0 || many.table.entries[j].count != e->count)
            same = 0;
    }
    phrases_counts_release(&one);
    phrases_counts_release(&many);
    return same;
}

/* Ranges of a few bytes: many hold only connectors, or nothing, and the
 * candidates run through them. */
static void test_tiny_ranges(void)
{
    struct vocab set;
    vocab_init(&set);
    vocab_add(&set, "of", 2, 1);
    vocab_add(&set, "the", 3, 1);
    FILE *f = fopen(corpus_path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 0; i < 4; i++)
        fputs("bank of the america of x the of of the y\nz of  w\n\nof the\nq of the r\n", f);
    fclose(f);
    CHECK(counts_agree(&set, 64, 1));
    CHECK(counts_agree(&set, 17, 3));
    CHECK(counts_agree(NULL, 64, 1));
    vocab_release(&set);
}

/* Counting over several byte ranges gives exactly the counts of one range,
 * candidates across range starts (and across connectors there) included. */
static void test_threads_agree(void)
{
    struct buf b = {0};
    struct rng r;
    char w[32];
    rng_seed(&r, 3, 0);
    /* ~300 KB in ranges of 20 KB or more: many range starts to stitch. */
    while (b.len < 300000) {
        unsigned k = rng_below(&r, 40);
        if (k < 4)
            buf_add(&b, k < 2 ? "of " : "the ");
        else if (k == 4)
            buf_add(&b, "\n");
        else {
            snprintf(w, sizeof w, "w%u ", rng_below(&r, 300));
            buf_add(&b, w);
        }
    }
    FILE *f = fopen(corpus_path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(b.s, f);
    fclose(f);
    free(b.s);
    struct vocab set;
    vocab_init(&set);
    vocab_add(&set, "of", 2, 1);
    vocab_add(&set, "the", 3, 1);
    for (int with_conn = 0; with_conn < 2; with_conn++) {
        struct phrases_options o;
        phrases_options_default(&o);
        o.connectors = with_conn ? &set : NULL;
        struct phrases_counts one, many;
        struct w2v_err err = {0};
        CHECK(phrases_count(&one, corpus_path, &o, &err) == 0);
        o.threads = 13;
        o.min_range = 20000;
        CHECK(phrases_count(&many, corpus_path, &o, &err) == 0);
        CHECK(one.total_words == many.total_words);
        CHECK(one.table.size == many.table.size);
        int same = 1;
        for (int32_t i = 0; i < one.table.size; i++) {
            const struct vocab_entry *e = &one.table.entries[i];
            int32_t j = vocab_find(&many.table, e->word, strlen(e->word));
            if (j < 0 || many.table.entries[j].count != e->count)
                same = 0;
        }
        CHECK(same);
        /* --max-vocab bounds the table. */
        o.max_vocab = 3000;
        phrases_counts_release(&many);
        CHECK(phrases_count(&many, corpus_path, &o, &err) == 0);
        CHECK(many.table.size <= 3000);
        CHECK(many.pruned > 0);
        phrases_counts_release(&one);
        phrases_counts_release(&many);
    }
    vocab_release(&set);
}

static void test_edges(void)
{
    struct phrases_options o;
    phrases_options_default(&o);
    o.min_count = 1;
    o.threshold[0] = 0;
    /* A literal "</s>" is a word, not a line end; no final newline stays so. */
    char *out = run_text("a </s> b", &o);
    CHECK(out && strcmp(out, "a </s> b") == 0);
    free(out);
    /* Empty input, empty output. */
    out = run_text("", &o);
    CHECK(out && strcmp(out, "") == 0);
    free(out);
    /* Blank lines and extra spaces: lines kept, words single-spaced. */
    out = run_text("\n\n p  q \n", &o);
    CHECK(out && strcmp(out, "\n\np q\n") == 0);
    free(out);
    /* A phrase that would not fit in a word (100 bytes) is not formed. */
    char text[400], a[80];
    memset(a, 'a', 60);
    a[60] = '\0';
    snprintf(text, sizeof text, "%s %s\n%s %s\n", a, a, a, a);
    out = run_text(text, &o);
    CHECK(out && strcmp(out, text) == 0);
    free(out);
    /* Bad options. */
    struct w2v_err err = {0};
    o.scoring = PHRASES_SCORE_NPMI;
    o.threshold[0] = 2;
    CHECK(phrases_options_check(&o, &err) == W2V_EINVAL);
    o.threshold[0] = NAN;
    o.scoring = PHRASES_SCORE_DEFAULT;
    CHECK(phrases_options_check(&o, &err) == W2V_EINVAL);
    phrases_options_default(&o);
    CHECK(phrases_run("/nonexistent/corpus", NULL, stdout, &o, NULL, &err) == W2V_EIO);
}

/* stdin-like input: a stream is spooled and read like a file. */
static void test_stream(void)
{
    struct phrases_options o;
    phrases_options_default(&o);
    char *text = planted_corpus(4);
    FILE *in = tmpfile(), *out = tmpfile();
    CHECK(in && out);
    if (!in || !out)
        return;
    fputs(text, in);
    rewind(in);
    struct w2v_err err = {0};
    struct phrases_pass_stats st;
    CHECK(phrases_run(NULL, in, out, &o, &st, &err) == 0);
    CHECK(st.phrases == 40 + 40); /* new_york and x_y */
    CHECK(st.words_in - st.words_out == st.phrases);
    /* A raised stop flag ends the run with W2V_EINTR. */
    static volatile sig_atomic_t stop = 1;
    o.stop = &stop;
    rewind(in);
    CHECK(phrases_run(NULL, in, out, &o, NULL, &err) == W2V_EINTR);
    fclose(in);
    fclose(out);
    free(text);
}

int main(void)
{
    test_tmp_path(corpus_path, sizeof corpus_path, "phrases-corpus.txt");
    TEST_RUN(test_score);
    TEST_RUN(test_planted);
    TEST_RUN(test_connectors);
    TEST_RUN(test_threads_agree);
    TEST_RUN(test_tiny_ranges);
    TEST_RUN(test_edges);
    TEST_RUN(test_stream);
    unlink(corpus_path);
    return TEST_REPORT("test_phrases");
}
