/* test_graph.c — edge-list parsing, the CSR rows and every defined answer
 * for awkward input (graph.h). */
#include <stdint.h>

#include "test.h"
#include "w2v/graph.h"
#include "w2v/tokenizer.h"

/* Read text[0..len) as a graph; returns graph_read_stream's status. */
static int read_text(struct graph *g, const char *text, size_t len, int directed, int weighted,
                     struct w2v_err *err)
{
    FILE *f = fmemopen((void *)text, len, "rb");
    if (!f) {
        fprintf(stderr, "fmemopen failed\n");
        exit(2);
    }
    struct graph_options o = {directed, weighted};
    memset(err, 0, sizeof *err);
    int rc = graph_read_stream(g, f, "test", &o, err);
    fclose(f);
    return rc;
}

static int read_str(struct graph *g, const char *text, int directed, int weighted,
                    struct w2v_err *err)
{
    return read_text(g, text, strlen(text), directed, weighted, err);
}

static int32_t id(const struct graph *g, const char *name)
{
    return graph_find(g, name, strlen(name));
}

static int has(const struct graph *g, const char *a, const char *b)
{
    int32_t u = id(g, a), v = id(g, b);
    return u >= 0 && v >= 0 && graph_arc(g, u, v) >= 0;
}

static int64_t deg(const struct graph *g, const char *a)
{
    int32_t u = id(g, a);
    return g->offsets[u + 1] - g->offsets[u];
}

/* Every row sorted strictly ascending, every target a node. */
static int rows_ok(const struct graph *g)
{
    for (int32_t u = 0; u < g->n_nodes; u++)
        for (int64_t k = g->offsets[u]; k < g->offsets[u + 1]; k++) {
            if (g->targets[k] < 0 || g->targets[k] >= g->n_nodes)
                return 0;
            if (k > g->offsets[u] && g->targets[k] <= g->targets[k - 1])
                return 0;
        }
    return g->offsets[g->n_nodes] == g->n_arcs;
}

static void test_undirected(void)
{
    struct graph g;
    struct w2v_err err;
    const char *text = "# a comment line\n"
                       "a b\n"
                       "\n"
                       "b\tc   # a trailing comment\r\n"
                       "a b\n"        /* a repeat */
                       "b a\n"        /* the same edge the other way */
                       "c c\n"        /* a self-loop */
                       "lonely\n"     /* an isolated node */
                       "d a 7.5\n"    /* a weight column, ignored unweighted */
                       "x# y";        /* '#' inside a name is part of it; no final newline */
    CHECK(read_str(&g, text, 0, 0, &err) == 0);
    CHECK(g.n_nodes == 7); /* a b c lonely d x# y */
    CHECK(g.lines == 10);
    /* Ids in order of first appearance. */
    CHECK(id(&g, "a") == 0 && id(&g, "b") == 1 && id(&g, "c") == 2 && id(&g, "lonely") == 3);
    CHECK(id(&g, "x#") == 5 && id(&g, "y") == 6 && id(&g, "#") == -1);
    CHECK(has(&g, "a", "b") && has(&g, "b", "a") && has(&g, "b", "c") && has(&g, "c", "b"));
    CHECK(has(&g, "c", "c") && has(&g, "a", "d") && has(&g, "d", "a"));
    CHECK(!has(&g, "a", "c"));
    CHECK(deg(&g, "a") == 2 && deg(&g, "b") == 2 && deg(&g, "c") == 2 && deg(&g, "lonely") == 0);
    CHECK(deg(&g, "x#") == 1 && has(&g, "y", "x#"));
    CHECK(g.n_edges == 5 && g.self_loops == 1 && g.duplicates == 2);
    CHECK(g.n_arcs == 9); /* a-b, b-c, a-d, x#-y both ways, the loop once */
    CHECK(g.cum == NULL && graph_arc_weight(&g, 0, g.offsets[0]) == 1.0);
    CHECK(rows_ok(&g));
    CHECK(strcmp(graph_name(&g, id(&g, "lonely")), "lonely") == 0);
    CHECK(g.name_len[id(&g, "lonely")] == 6);
    graph_release(&g);
    graph_release(&g); /* twice is safe */
}

static void test_directed_weighted(void)
{
    struct graph g;
    struct w2v_err err;
    const char *text = "a b 1\n"
                       "a c 2.5\n"
                       "a b 0.5\n"   /* merges: a->b weighs 1.5 */
                       "c a 4\n"
                       "b b 1e-3\n";
    CHECK(read_str(&g, text, 1, 1, &err) == 0);
    CHECK(g.n_nodes == 3 && g.n_edges == 4 && g.duplicates == 1 && g.self_loops == 1);
    CHECK(has(&g, "a", "b") && !has(&g, "b", "a") && has(&g, "c", "a") && !has(&g, "a", "a"));
    int32_t a = id(&g, "a"), c = id(&g, "c");
    CHECK_NEAR(graph_arc_weight(&g, a, graph_arc(&g, a, id(&g, "b"))), 1.5, 1e-12);
    CHECK_NEAR(graph_arc_weight(&g, a, graph_arc(&g, a, c)), 2.5, 1e-12);
    CHECK_NEAR(g.cum[g.offsets[a + 1] - 1], 4.0, 1e-12); /* a's total weight */
    CHECK(rows_ok(&g));
    graph_release(&g);

    /* A weight far below its row's total is absorbed by the running sum:
     * it reads back as 0, its chance of being drawn (fuzz_graph found it). */
    CHECK(read_str(&g, "a b 8\na c 1e-300\n", 1, 1, &err) == 0);
    a = id(&g, "a");
    CHECK(graph_arc_weight(&g, a, graph_arc(&g, a, id(&g, "c"))) == 0.0);
    CHECK(graph_arc_weight(&g, a, graph_arc(&g, a, id(&g, "b"))) == 8.0);
    graph_release(&g);

    /* Undirected with weights: "u v w" and "v u w" are one edge, weights added. */
    CHECK(read_str(&g, "u v 2\nv u 3\n", 0, 1, &err) == 0);
    int32_t u = id(&g, "u"), v = id(&g, "v");
    CHECK(g.n_edges == 1 && g.duplicates == 1);
    CHECK_NEAR(graph_arc_weight(&g, u, graph_arc(&g, u, v)), 5.0, 1e-12);
    CHECK_NEAR(graph_arc_weight(&g, v, graph_arc(&g, v, u)), 5.0, 1e-12);
    graph_release(&g);
}

/* A bad line: W2V_EFORMAT naming line `line`, and g left released. */
static void expect_bad(const char *text, size_t len, int weighted, int64_t line,
                       const char *fragment)
{
    struct graph g;
    struct w2v_err err;
    int rc = read_text(&g, text, len, 0, weighted, &err);
    CHECK(rc == W2V_EFORMAT);
    CHECK(err.line == line);
    if (!strstr(err.message, fragment)) {
        fprintf(stderr, "  message '%s' lacks '%s'\n", err.message, fragment);
        CHECK(0);
    }
    CHECK(g.offsets == NULL && g.n_nodes == 0 && g.names.size == 0);
}

static void test_errors(void)
{
    const char *t;
    t = "a b 1\nb c -2\n";
    expect_bad(t, strlen(t), 1, 2, "line 2");
    t = "a b 1\nb c 0\n";
    expect_bad(t, strlen(t), 1, 2, "positive");
    t = "a b 1\n\n# c\nb c heavy\n";
    expect_bad(t, strlen(t), 1, 4, "heavy");
    t = "a b nan\n";
    expect_bad(t, strlen(t), 1, 1, "nan");
    t = "a b inf\n";
    expect_bad(t, strlen(t), 1, 1, "inf");
    t = "a b 1e999\n";
    expect_bad(t, strlen(t), 1, 1, "1e999");
    t = "a b 2x\n";
    expect_bad(t, strlen(t), 1, 1, "2x");
    t = "a b\n";
    expect_bad(t, strlen(t), 1, 1, "no weight");
    t = "a b 1 2\n";
    expect_bad(t, strlen(t), 0, 1, "more than three");
    t = "a </s>\n";
    expect_bad(t, strlen(t), 0, 1, "</s>");
    t = "a b\nc\0d e\n";
    expect_bad(t, 10, 0, 2, "NUL");

    /* A name of exactly the limit is fine; one byte more is an error. */
    char line[2 * W2V_MAX_WORD_BYTES + 16];
    memset(line, 'n', W2V_MAX_WORD_BYTES);
    snprintf(line + W2V_MAX_WORD_BYTES, sizeof line - W2V_MAX_WORD_BYTES, " b\n");
    struct graph g;
    struct w2v_err err;
    CHECK(read_str(&g, line, 0, 0, &err) == 0);
    CHECK(g.n_nodes == 2 && g.name_len[0] == W2V_MAX_WORD_BYTES);
    graph_release(&g);
    memset(line, 'n', W2V_MAX_WORD_BYTES + 1);
    snprintf(line + W2V_MAX_WORD_BYTES + 1, sizeof line - W2V_MAX_WORD_BYTES - 1, " b\n");
    char two[sizeof line + 8];
    snprintf(two, sizeof two, "a b\n%s", line);
    expect_bad(two, strlen(two), 0, 2, "longer than 100 bytes");

    /* Nothing but comments: no node. */
    CHECK(read_str(&g, "# only\n\n   \n", 0, 0, &err) == W2V_EEMPTY);
    CHECK(read_str(&g, "", 0, 0, &err) == W2V_EEMPTY);
    /* A file that does not exist. */
    struct graph_options o = {0, 0};
    CHECK(graph_read(&g, "/nonexistent/graph.txt", &o, &err) == W2V_EIO);
    CHECK(strstr(err.message, "/nonexistent/graph.txt") != NULL);
}

/* A larger random graph: arcs match a naive count, rows sorted, and every
 * undirected arc has its reverse. */
static void test_random_consistency(void)
{
    enum { N = 300, M = 5000 };
    char *text = malloc((size_t)M * 32);
    static unsigned char adj[N][N];
    memset(adj, 0, sizeof adj);
    size_t len = 0;
    uint64_t s = 12345;
    for (int e = 0; e < M; e++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        int u = (int)((s >> 33) % N);
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        int v = (int)((s >> 33) % N);
        len += (size_t)sprintf(text + len, "n%d n%d\n", u, v);
        adj[u][v] = adj[v][u] = 1;
    }
    struct graph g;
    struct w2v_err err;
    CHECK(read_text(&g, text, len, 0, 0, &err) == 0);
    int64_t arcs = 0;
    int ok = 1;
    for (int u = 0; u < N; u++)
        for (int v = 0; v < N; v++) {
            arcs += adj[u][v];
            char a[16], b[16];
            snprintf(a, sizeof a, "n%d", u);
            snprintf(b, sizeof b, "n%d", v);
            if (id(&g, a) >= 0 && id(&g, b) >= 0 && has(&g, a, b) != adj[u][v])
                ok = 0;
        }
    CHECK(ok);
    CHECK(g.n_arcs == arcs);
    CHECK(rows_ok(&g));
    graph_release(&g);
    free(text);
}

int main(void)
{
    TEST_RUN(test_undirected);
    TEST_RUN(test_directed_weighted);
    TEST_RUN(test_errors);
    TEST_RUN(test_random_consistency);
    return TEST_REPORT("test_graph");
}
