/* test_graph_corpus.c — a graph's walks as the trainer's corpus
 * (graph_corpus.h): the stream is exactly the text `w2v walks` writes,
 * encoded against the vocabulary; the vocabulary counts the visits; nodes
 * under min-count drop out the way words do. */
#include <stdint.h>

#include "test.h"
#include "w2v/graph.h"
#include "w2v/graph_corpus.h"
#include "w2v/walks.h"

static void load(struct graph *g, const char *text, int directed)
{
    FILE *f = fmemopen((void *)text, strlen(text), "rb");
    struct graph_options o = {directed, 0};
    struct w2v_err err;
    if (!f || graph_read_stream(g, f, "test", &o, &err) != 0) {
        fprintf(stderr, "cannot load a test graph\n");
        exit(2);
    }
    fclose(f);
}

/* Walk options: the defaults with these rounds and walk length. */
static struct walks_options walk_opts(int64_t walks, int length)
{
    struct walks_options o;
    walks_options_default(&o);
    o.walks = walks;
    o.length = length;
    return o;
}

/* The stream's form (corpus.h): no leading or repeated end, an end last. */
static int well_formed(const struct corpus *c)
{
    if (c->n < 2 || c->ids[0] == 0 || c->ids[c->n - 1] != 0)
        return 0;
    int64_t words = 0;
    for (int64_t i = 0; i < c->n; i++) {
        if (i > 0 && c->ids[i] == 0 && c->ids[i - 1] == 0)
            return 0;
        words += c->ids[i] != 0;
    }
    return words == c->words;
}

static void test_same_as_walks_text(void)
{
    struct graph g;
    graph_init(&g);
    load(&g, "a b\nb c\nc d\nd a\na c\ne f\nsolo\n", 0);
    struct walks_options o = walk_opts(4, 7);
    o.p = 0.5;
    o.q = 2.0;
    o.seed = 9;
    struct corpus c;
    struct vocab v;
    struct w2v_err err;
    CHECK(graph_corpus_build(&c, &v, &g, &o, 1, &err) == 0);
    CHECK(well_formed(&c));
    CHECK(v.size == g.n_nodes + 1);
    CHECK(strcmp(v.entries[0].word, "</s>") == 0);
    CHECK(v.entries[0].count == o.walks * g.n_nodes);
    /* Counts: each word's count is its occurrences, in non-increasing order. */
    int64_t seen[16] = {0};
    for (int64_t i = 0; i < c.n; i++)
        seen[c.ids[i]]++;
    for (int32_t w = 1; w < v.size; w++) {
        CHECK(seen[w] == v.entries[w].count);
        if (w > 1)
            CHECK(v.entries[w].count <= v.entries[w - 1].count);
    }
    /* The stream, read as names, is walks_write's text token for token. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    o.threads = 2;
    CHECK(walks_write(&g, &o, f, NULL, NULL, &err) == 0);
    fclose(f);
    int64_t i = 0;
    int same = 1;
    for (char *tok = text; *tok && same;) {
        size_t n = strcspn(tok, " \n");
        int32_t want = c.ids[i++];
        if (want == 0 || strlen(v.entries[want].word) != n ||
            memcmp(v.entries[want].word, tok, n) != 0)
            same = 0;
        if (tok[n] == '\n' && (i >= c.n || c.ids[i++] != 0))
            same = 0;
        tok += n + (tok[n] != '\0');
    }
    CHECK(same);
    CHECK(i == c.n);
    free(text);
    /* Any number of threads: the same stream. */
    struct corpus c3;
    struct vocab v3;
    o.threads = 3;
    CHECK(graph_corpus_build(&c3, &v3, &g, &o, 1, &err) == 0);
    CHECK(c3.n == c.n && memcmp(c3.ids, c.ids, (size_t)c.n * sizeof *c.ids) == 0);
    CHECK(c3.words == c.words);
    corpus_release(&c3);
    vocab_release(&v3);
    corpus_release(&c);
    vocab_release(&v);
    graph_release(&g);
}

static void test_min_count(void)
{
    /* Directed a -> b, one walk each of length 2: "a b" and "b". */
    struct graph g;
    graph_init(&g);
    load(&g, "a b\n", 1);
    struct walks_options o = walk_opts(1, 2);
    struct corpus c;
    struct vocab v;
    struct w2v_err err;
    CHECK(graph_corpus_build(&c, &v, &g, &o, 2, &err) == 0);
    CHECK(v.size == 2 && strcmp(v.entries[1].word, "b") == 0 && v.entries[1].count == 2);
    CHECK(c.n == 4 && c.ids[0] == 1 && c.ids[1] == 0 && c.ids[2] == 1 && c.ids[3] == 0);
    CHECK(c.dropped == 1 && c.words == 2);
    corpus_release(&c);
    vocab_release(&v);
    /* Above every node's visits: nothing left, both released. */
    CHECK(graph_corpus_build(&c, &v, &g, &o, 3, &err) == W2V_EEMPTY);
    CHECK(c.ids == NULL && v.entries == NULL);
    CHECK(strstr(err.message, "min-count 3") != NULL);
    o.length = 0;
    CHECK(graph_corpus_build(&c, &v, &g, &o, 1, &err) == W2V_EINVAL);
    o.length = 2;
    o.q = 0;
    CHECK(graph_corpus_build(&c, &v, &g, &o, 1, &err) == W2V_EINVAL);
    o.q = 1;
    o.walks = INT64_MAX / 2;
    CHECK(graph_corpus_build(&c, &v, &g, &o, 1, &err) == W2V_EOVERFLOW);
    CHECK(c.ids == NULL);
    graph_release(&g);
}

int main(void)
{
    TEST_RUN(test_same_as_walks_text);
    TEST_RUN(test_min_count);
    return TEST_REPORT("test_graph_corpus");
}
