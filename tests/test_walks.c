/* test_walks.c — walk steps follow arcs, node2vec's transition
 * probabilities are exact, dead ends end walks, and the written walks do
 * not depend on the number of threads (walks.h). */
#include <stdint.h>

#include "test.h"
#include "w2v/graph.h"
#include "w2v/walks.h"

static void load(struct graph *g, const char *text, int directed, int weighted)
{
    FILE *f = fmemopen((void *)text, strlen(text), "rb");
    struct graph_options o = {directed, weighted};
    struct w2v_err err;
    if (!f || graph_read_stream(g, f, "test", &o, &err) != 0) {
        fprintf(stderr, "cannot load a test graph\n");
        exit(2);
    }
    fclose(f);
}

static int32_t id(const struct graph *g, const char *name)
{
    return graph_find(g, name, strlen(name));
}

/* From t to v, draw many steps and compare the frequencies of t, a and b
 * with want[] (a is a neighbour of t, b is not). */
static void check_step_distribution(const struct graph *g, double p, double q,
                                    const double want[3])
{
    enum { DRAWS = 200000 };
    int32_t t = id(g, "t"), v = id(g, "v"), a = id(g, "a"), b = id(g, "b");
    int64_t seen[3] = {0, 0, 0}, other = 0;
    struct rng r;
    rng_seed(&r, 7, 0);
    for (int i = 0; i < DRAWS; i++) {
        int32_t x = walks_step(g, t, v, p, q, &r);
        if (x == t)
            seen[0]++;
        else if (x == a)
            seen[1]++;
        else if (x == b)
            seen[2]++;
        else
            other++;
    }
    CHECK(other == 0);
    /* 5 standard deviations of a frequency near 0.5 is about 0.0056. */
    for (int k = 0; k < 3; k++)
        CHECK_NEAR((double)seen[k] / DRAWS, want[k], 0.006);
}

static void test_node2vec_exact(void)
{
    /* v's neighbours: t (where the walk came from), a (also t's neighbour)
     * and b (two steps from t). */
    struct graph g;
    graph_init(&g);
    load(&g, "t v\nv a\nv b\nt a\n", 0, 0);
    /* alpha: 1/p for t, 1 for a, 1/q for b. */
    double w1[3] = {2 / 3.5, 1 / 3.5, 0.5 / 3.5};   /* p 0.5, q 2 */
    check_step_distribution(&g, 0.5, 2.0, w1);
    double w2[3] = {0.25 / 3.25, 1 / 3.25, 2 / 3.25}; /* p 4, q 0.5 */
    check_step_distribution(&g, 4.0, 0.5, w2);
    double w3[3] = {1 / 3.0, 1 / 3.0, 1 / 3.0};      /* DeepWalk */
    check_step_distribution(&g, 1.0, 1.0, w3);
    graph_release(&g);

    /* Weighted: w(v,t) 2, w(v,a) 1, w(v,b) 3; p 0.5, q 2: 4, 1, 1.5. */
    load(&g, "t v 2\nv a 1\nv b 3\nt a 1\n", 0, 1);
    double w4[3] = {4 / 6.5, 1 / 6.5, 1.5 / 6.5};
    check_step_distribution(&g, 0.5, 2.0, w4);
    double w5[3] = {2 / 6.0, 1 / 6.0, 3 / 6.0};       /* first order by weight */
    check_step_distribution(&g, 1.0, 1.0, w5);
    graph_release(&g);
}

static void test_dead_ends(void)
{
    struct graph g;
    graph_init(&g);
    /* Directed: a -> b -> c, c has no arc out; "solo" is isolated. */
    load(&g, "a b\nb c\nsolo\n", 1, 0);
    int32_t path[10];
    struct rng r;
    rng_seed(&r, 1, 0);
    CHECK(walks_one(&g, id(&g, "a"), 10, 1, 1, &r, path) == 3);
    CHECK(path[0] == id(&g, "a") && path[1] == id(&g, "b") && path[2] == id(&g, "c"));
    CHECK(walks_one(&g, id(&g, "solo"), 10, 0.25, 4, &r, path) == 1);
    CHECK(path[0] == id(&g, "solo"));
    CHECK(walks_one(&g, id(&g, "a"), 1, 1, 1, &r, path) == 1);
    CHECK(walks_step(&g, -1, id(&g, "c"), 1, 1, &r) == -1);
    graph_release(&g);

    /* A self-loop is a step like any other: the only way on from x is x. */
    load(&g, "x x\n", 0, 0);
    CHECK(walks_one(&g, 0, 5, 0.5, 2, &r, path) == 5);
    CHECK(path[0] == 0 && path[1] == 0 && path[4] == 0);
    graph_release(&g);
}

/* A random graph as text: n nodes, m edges, fixed seed. */
static char *random_graph_text(int n, int m, uint64_t seed)
{
    char *text = malloc((size_t)m * 32 + 1);
    size_t len = 0;
    struct rng r;
    rng_seed(&r, seed, 0);
    for (int e = 0; e < m; e++) {
        int u = (int)rng_below(&r, (uint64_t)n), v = (int)rng_below(&r, (uint64_t)n);
        len += (size_t)sprintf(text + len, "n%d n%d\n", u, v);
    }
    text[len] = '\0';
    return text;
}

/* Over many walks: every step follows an arc, and the share of steps that
 * go straight back (x = t) and that stay near (x is t's neighbour). */
static void walk_stats(const struct graph *g, double p, double q, int *follows,
                       double *back, double *near)
{
    int32_t path[40];
    int64_t steps = 0, returns = 0, close = 0;
    *follows = 1;
    for (int32_t s = 0; s < g->n_nodes; s++)
        for (int round = 0; round < 5; round++) {
            struct rng r;
            walks_seed(&r, 3, round, s, g->n_nodes);
            int n = walks_one(g, s, 40, p, q, &r, path);
            for (int k = 1; k < n; k++)
                if (graph_arc(g, path[k - 1], path[k]) < 0)
                    *follows = 0;
            for (int k = 2; k < n; k++) {
                steps++;
                returns += path[k] == path[k - 2];
                close += path[k] != path[k - 2] && graph_arc(g, path[k - 2], path[k]) >= 0;
            }
        }
    *back = (double)returns / (double)steps;
    *near = (double)close / (double)steps;
}

static void test_bias_direction(void)
{
    struct graph g;
    graph_init(&g);
    char *text = random_graph_text(200, 1500, 5);
    load(&g, text, 0, 0);
    free(text);
    int f1, f2, f3, f4, f5;
    double back_dw, near_dw, back_lowp, near_lowp, back_highp, near_highp, back_bfs, near_bfs,
        back_dfs, near_dfs;
    walk_stats(&g, 1, 1, &f1, &back_dw, &near_dw);
    walk_stats(&g, 0.25, 1, &f2, &back_lowp, &near_lowp);
    walk_stats(&g, 4, 1, &f3, &back_highp, &near_highp);
    walk_stats(&g, 1, 0.25, &f4, &back_dfs, &near_dfs);
    walk_stats(&g, 1, 4, &f5, &back_bfs, &near_bfs);
    CHECK(f1 && f2 && f3 && f4 && f5);
    /* A small p returns more often, a large p less (node2vec's 1/p). */
    CHECK(back_lowp > 2 * back_dw);
    CHECK(back_highp < 0.5 * back_dw);
    /* A large q keeps the walk near t (BFS-like), a small q leaves (DFS-like). */
    CHECK(near_bfs > 1.5 * near_dw);
    CHECK(near_dfs < 0.75 * near_dw);
    graph_release(&g);
}

/* walks_write into memory. */
static char *write_walks(const struct graph *g, const struct walks_options *o, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    struct w2v_err err;
    int rc = walks_write(g, o, f, NULL, NULL, &err);
    fclose(f);
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void test_write_deterministic(void)
{
    struct graph g;
    graph_init(&g);
    char *text = random_graph_text(1500, 6000, 9); /* more than a block per thread */
    load(&g, text, 0, 0);
    free(text);
    struct walks_options o;
    walks_options_default(&o);
    o.walks = 3;
    o.length = 12;
    o.p = 0.5;
    o.q = 2;
    size_t l1, l3, l3b, ls;
    char *one = write_walks(&g, &o, &l1);
    o.threads = 3;
    char *three = write_walks(&g, &o, &l3);
    char *again = write_walks(&g, &o, &l3b);
    o.seed = 2;
    char *other = write_walks(&g, &o, &ls);
    CHECK(one && three && again && other);
    if (one && three && again && other) {
        CHECK(l1 == l3 && memcmp(one, three, l1) == 0);
        CHECK(l3 == l3b && memcmp(three, again, l3) == 0);
        CHECK(ls != l1 || memcmp(one, other, l1) != 0);
        /* One line per walk; every node starts exactly o.walks of them. */
        int64_t lines = 0;
        int32_t *starts = calloc((size_t)g.n_nodes, sizeof *starts);
        const char *s = one;
        while (s < one + l1) {
            const char *end = memchr(s, '\n', (size_t)(one + l1 - s));
            size_t w = strcspn(s, " \n");
            int32_t u = graph_find(&g, s, w);
            if (u >= 0)
                starts[u]++;
            lines++;
            s = end + 1;
        }
        CHECK(lines == 3 * (int64_t)g.n_nodes);
        int all3 = 1;
        for (int32_t u = 0; u < g.n_nodes; u++)
            all3 &= starts[u] == 3;
        CHECK(all3);
        free(starts);
        /* Rounds are shuffled: the first round does not start at node 0, 1, 2. */
        CHECK(strncmp(one, "n", 1) == 0);
        size_t w = strcspn(one, " \n");
        int32_t first = graph_find(&g, one, w);
        CHECK(first != 0 || graph_find(&g, one + l1 / 2, 1) != 1);
    }
    free(one);
    free(three);
    free(again);
    free(other);

    /* Bad options are refused. */
    struct w2v_err err;
    o.length = 0;
    CHECK(walks_write(&g, &o, stdout, NULL, NULL, &err) == W2V_EINVAL);
    graph_release(&g);
}

static int stop_after_first(void *ctx, int64_t done, int64_t total)
{
    (void)done;
    (void)total;
    return ++*(int *)ctx >= 1;
}

static void test_interrupt(void)
{
    struct graph g;
    graph_init(&g);
    load(&g, "a b\nb c\n", 0, 0);
    struct walks_options o;
    walks_options_default(&o);
    int calls = 0;
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    struct w2v_err err;
    CHECK(walks_write(&g, &o, f, stop_after_first, &calls, &err) == W2V_EINTR);
    CHECK(calls == 1);
    fclose(f);
    free(buf);
    graph_release(&g);
}

int main(void)
{
    TEST_RUN(test_node2vec_exact);
    TEST_RUN(test_dead_ends);
    TEST_RUN(test_bias_direction);
    TEST_RUN(test_write_deterministic);
    TEST_RUN(test_interrupt);
    return TEST_REPORT("test_walks");
}
