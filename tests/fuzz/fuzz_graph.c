/* fuzz_graph.c — the input is an edge list (graph.h); directed and
 * weighted come from the input's hash. Checks, for any bytes:
 *  - graph_read_stream agrees with a plain reference parser written here
 *    from the contract in graph.h: the status, the line of a W2V_EFORMAT,
 *    the nodes (in order of first appearance), the distinct edges and
 *    their summed weights; a one-line message and a released struct on
 *    failure;
 *  - the CSR is well formed: offsets ascending, rows strictly sorted,
 *    targets in range, an undirected graph symmetric, running weight sums
 *    increasing;
 *  - walks from every node (p and q from the hash) step along arcs only and
 *    stop only at a node without arcs out. */
#include <errno.h>
#include <math.h>

#include "fuzz.h"
#include "w2v/graph.h"
#include "w2v/tokenizer.h"
#include "w2v/walks.h"

#define REF_MAX 2048 /* inputs are at most 1024 bytes: fewer names and edges */

FUZZ_NO_COVERAGE static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

struct ref {
    int status;
    int64_t err_line;
    const char *name[REF_MAX];
    size_t name_len[REF_MAX];
    int n_names;
    int eu[REF_MAX], ev[REF_MAX]; /* distinct edges, (min, max) when undirected */
    double ew[REF_MAX];
    int n_edges;
};

FUZZ_NO_COVERAGE static int ref_intern(struct ref *r, const char *s, size_t len)
{
    for (int i = 0; i < r->n_names; i++)
        if (r->name_len[i] == len && memcmp(r->name[i], s, len) == 0)
            return i;
    FUZZ_ASSERT(r->n_names < REF_MAX);
    r->name[r->n_names] = s;
    r->name_len[r->n_names] = len;
    return r->n_names++;
}

FUZZ_NO_COVERAGE static int ref_weight(const char *s, size_t len, double *out)
{
    char buf[W2V_MAX_WORD_BYTES + 1];
    if (len > W2V_MAX_WORD_BYTES)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double w = strtod(buf, &end);
    if (end == buf || *end != '\0' || errno == ERANGE || !isfinite(w) || !(w > 0))
        return -1;
    *out = w;
    return 0;
}

FUZZ_NO_COVERAGE static void ref_parse(const char *t, size_t len, int directed, int weighted,
                                       struct ref *r)
{
    memset(r, 0, sizeof *r);
    size_t p = 0;
    int64_t line = 0;
    while (p < len) {
        size_t e = p;
        while (e < len && t[e] != '\n')
            e++;
        line++;
        /* Fields up to a '#' that starts one; a NUL before that is an error. */
        const char *f[4];
        size_t fl[4];
        int n = 0, bad = 0;
        size_t i = p;
        for (;;) {
            while (i < e && blank(t[i]))
                i++;
            if (i == e || t[i] == '#')
                break;
            if (t[i] == '\0') {
                bad = 1;
                break;
            }
            if (n == 3) {
                bad = 1; /* a fourth field */
                break;
            }
            f[n] = t + i;
            while (i < e && !blank(t[i]) && t[i] != '\0')
                i++;
            fl[n] = (size_t)(t + i - f[n]);
            n++;
            if (i < e && t[i] == '\0') {
                bad = 1;
                break;
            }
        }
        for (int k = 0; k < n && !bad; k++)
            bad = fl[k] > W2V_MAX_WORD_BYTES;
        for (int k = 0; k < n && k < 2 && !bad; k++)
            bad = fl[k] == 4 && memcmp(f[k], "</s>", 4) == 0;
        double w = 1.0;
        if (!bad && weighted && n == 2)
            bad = 1;
        if (!bad && weighted && n == 3)
            bad = ref_weight(f[2], fl[2], &w) != 0;
        if (bad) {
            r->status = W2V_EFORMAT;
            r->err_line = line;
            return;
        }
        if (n >= 1) {
            int u = ref_intern(r, f[0], fl[0]);
            if (n >= 2) {
                int v = ref_intern(r, f[1], fl[1]);
                if (!directed && v < u) {
                    int s = u;
                    u = v;
                    v = s;
                }
                int k = 0;
                while (k < r->n_edges && !(r->eu[k] == u && r->ev[k] == v))
                    k++;
                if (k == r->n_edges) {
                    FUZZ_ASSERT(r->n_edges < REF_MAX);
                    r->eu[k] = u;
                    r->ev[k] = v;
                    r->ew[k] = 0;
                    r->n_edges++;
                }
                r->ew[k] += w;
            }
        }
        p = e + 1;
    }
    if (r->n_names == 0)
        r->status = W2V_EEMPTY;
}

FUZZ_NO_COVERAGE static void check_csr(const struct graph *g)
{
    FUZZ_ASSERT(g->offsets[0] == 0 && g->offsets[g->n_nodes] == g->n_arcs);
    for (int32_t u = 0; u < g->n_nodes; u++) {
        FUZZ_ASSERT(g->offsets[u] <= g->offsets[u + 1]);
        for (int64_t k = g->offsets[u]; k < g->offsets[u + 1]; k++) {
            int32_t v = g->targets[k];
            FUZZ_ASSERT(v >= 0 && v < g->n_nodes);
            FUZZ_ASSERT(k == g->offsets[u] || v > g->targets[k - 1]);
            FUZZ_ASSERT(graph_arc(g, u, v) == k);
            if (!g->directed)
                FUZZ_ASSERT(graph_arc(g, v, u) >= 0);
            if (g->cum) /* > 0 as read, but a sum absorbs what is below its rounding */
                FUZZ_ASSERT(graph_arc_weight(g, u, k) >= 0 && g->cum[k] > 0);
        }
    }
}

FUZZ_NO_COVERAGE static void check_against_ref(const struct graph *g, const struct ref *r)
{
    FUZZ_ASSERT(g->n_nodes == r->n_names);
    for (int i = 0; i < r->n_names; i++) {
        FUZZ_ASSERT(g->name_len[i] == r->name_len[i]);
        FUZZ_ASSERT(memcmp(graph_name(g, i), r->name[i], r->name_len[i]) == 0);
        FUZZ_ASSERT(graph_find(g, r->name[i], r->name_len[i]) == i);
    }
    FUZZ_ASSERT(g->n_edges == r->n_edges);
    int64_t arcs = 0;
    for (int k = 0; k < r->n_edges; k++) {
        int u = r->eu[k], v = r->ev[k];
        arcs += (!g->directed && u != v) ? 2 : 1;
        int64_t at = graph_arc(g, u, v);
        FUZZ_ASSERT(at >= 0);
        if (g->cum) {
            double w = graph_arc_weight(g, u, at);
            FUZZ_ASSERT(fabs(w - r->ew[k]) <= 1e-9 * (fabs(r->ew[k]) + fabs(g->cum[g->offsets[u + 1] - 1])));
        }
    }
    FUZZ_ASSERT(g->n_arcs == arcs);
}

FUZZ_NO_COVERAGE static void check_walks(const struct graph *g, uint64_t h)
{
    static const double pq[] = {0.25, 0.5, 1.0, 2.0, 4.0};
    double p = pq[(h >> 8) % 5], q = pq[(h >> 16) % 5];
    int32_t path[16];
    for (int32_t s = 0; s < g->n_nodes && s < 64; s++) {
        struct rng r;
        walks_seed(&r, h, 0, s, g->n_nodes);
        int n = walks_one(g, s, 16, p, q, &r, path);
        FUZZ_ASSERT(n >= 1 && n <= 16 && path[0] == s);
        for (int k = 1; k < n; k++)
            FUZZ_ASSERT(graph_arc(g, path[k - 1], path[k]) >= 0);
        if (n < 16)
            FUZZ_ASSERT(g->offsets[path[n - 1] + 1] == g->offsets[path[n - 1]]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);
    int directed = (int)(h & 1), weighted = (int)((h >> 1) & 1);
    struct ref *r = malloc(sizeof *r);
    FUZZ_ASSERT(r != NULL);
    ref_parse((const char *)data, size, directed, weighted, r);

    /* fmemopen of 0 bytes fails on some libcs: read a file then. */
    const char *path = fuzz_tmp_path(0, "graph");
    fuzz_write_file(path, data, size);
    struct graph g;
    struct graph_options o = {directed, weighted};
    struct w2v_err err = {0};
    int rc = graph_read(&g, path, &o, &err);
    FUZZ_ASSERT(rc == r->status);
    if (rc != 0) {
        FUZZ_ASSERT(err.status == rc && fuzz_one_line(err.message));
        if (rc == W2V_EFORMAT)
            FUZZ_ASSERT(err.line == r->err_line);
        FUZZ_ASSERT(g.offsets == NULL && g.targets == NULL && g.n_nodes == 0);
    } else {
        FUZZ_ASSERT((g.cum != NULL) == weighted);
        check_csr(&g);
        check_against_ref(&g, r);
        check_walks(&g, h);
    }
    graph_release(&g);
    free(r);
    return 0;
}
