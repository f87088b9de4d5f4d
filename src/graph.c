/* graph.c — edge-list parsing and the CSR build (see graph.h).
 *
 * The file is read once: names go into a struct vocab in order of first
 * appearance (no max_size, so vocab_add never prunes and the id of a new
 * name is the vocabulary's size before it was added), edges into a list of
 * (u, v[, w]). The list becomes CSR by a counting pass over the sources,
 * then every row is sorted and its repeats merged. */
#include "common_internal.h"
#include "w2v/graph.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "w2v/tokenizer.h"

#define GRAPH_READ_BUF (1u << 16)
#define GRAPH_MAX_FIELDS 3

void graph_init(struct graph *g)
{
    memset(g, 0, sizeof *g);
    vocab_init(&g->names);
}

void graph_release(struct graph *g)
{
    w2v_free(g->offsets);
    w2v_free(g->targets);
    w2v_free(g->cum);
    w2v_free(g->name_len);
    vocab_release(&g->names);
    graph_init(g);
}

int32_t graph_find(const struct graph *g, const char *name, size_t len)
{
    return vocab_find(&g->names, name, len);
}

int64_t graph_arc(const struct graph *g, int32_t u, int32_t v)
{
    int64_t lo = g->offsets[u], hi = g->offsets[u + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int32_t t = g->targets[mid];
        if (t == v)
            return mid;
        if (t < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- the edge list while reading --------------------------------------------- */

struct edge_list {
    int32_t *src, *dst; /* [n] */
    double *w;          /* [n] or NULL */
    size_t n, cap;
};

static void edge_list_release(struct edge_list *e)
{
    w2v_free(e->src);
    w2v_free(e->dst);
    w2v_free(e->w);
    memset(e, 0, sizeof *e);
}

static int edge_list_push(struct edge_list *e, int32_t u, int32_t v, double w, int weighted)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 4096, bytes;
        if (cap < e->cap || w2v_size_mul(cap, sizeof(double), &bytes) != 0)
            return W2V_EOVERFLOW;
        int32_t *s = w2v_realloc(e->src, cap * sizeof *s);
        if (!s)
            return W2V_ENOMEM;
        e->src = s;
        int32_t *d = w2v_realloc(e->dst, cap * sizeof *d);
        if (!d)
            return W2V_ENOMEM;
        e->dst = d;
        if (weighted) {
            double *ww = w2v_realloc(e->w, bytes);
            if (!ww)
                return W2V_ENOMEM;
            e->w = ww;
        }
        e->cap = cap;
    }
    e->src[e->n] = u;
    e->dst[e->n] = v;
    if (weighted)
        e->w[e->n] = w;
    e->n++;
    return 0;
}

/* ---- parsing --------------------------------------------------------------------- */

/* Id of a name, adding it when new. */
static int graph_intern(struct graph *g, const char *name, size_t len, int32_t *id)
{
    int32_t found = vocab_find(&g->names, name, len);
    if (found >= 0) {
        *id = found;
        return 0;
    }
    int32_t next = g->names.size;
    int rc = vocab_add(&g->names, name, len, 1);
    if (rc != 0)
        return rc;
    *id = next;
    return 0;
}

/* One line's fields: at most GRAPH_MAX_FIELDS names of at most
 * W2V_MAX_WORD_BYTES bytes (one byte more is kept to notice an over-long
 * field), plus a count of how many there were. */
struct line_fields {
    char text[GRAPH_MAX_FIELDS][W2V_MAX_WORD_BYTES + 2];
    size_t len[GRAPH_MAX_FIELDS];
    int n;
    int too_many, too_long, nul;
};

static int parse_weight(const char *s, double *out)
{
    char *end;
    errno = 0;
    double w = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(w) || !(w > 0))
        return -1;
    *out = w;
    return 0;
}

/* Apply one complete line. */
static int graph_take_line(struct graph *g, struct edge_list *e, struct line_fields *f,
                           const char *name, const struct graph_options *opt,
                           struct w2v_err *err)
{
    int64_t line = g->lines;
    int rc;
    if (f->n == 0 && !f->nul)
        return 0;
    if (f->nul)
        rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: a NUL byte", name, (long long)line);
    else if (f->too_many)
        rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: more than three fields (expected "
                      "'u v' or 'u v weight')", name, (long long)line);
    else if (f->too_long || f->len[0] > W2V_MAX_WORD_BYTES || f->len[1] > W2V_MAX_WORD_BYTES ||
             f->len[2] > W2V_MAX_WORD_BYTES)
        rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: a field longer than %d bytes "
                      "(node names are at most %d bytes)", name, (long long)line,
                      W2V_MAX_WORD_BYTES, W2V_MAX_WORD_BYTES);
    else
        rc = 0;
    if (rc != 0)
        goto fail;
    int names = f->n < 2 ? f->n : 2;
    for (int i = 0; i < names; i++)
        if (f->len[i] == sizeof W2V_EOS - 1 && memcmp(f->text[i], W2V_EOS, f->len[i]) == 0) {
            rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: '%s' cannot be a node name (it "
                          "marks the end of a sentence for the trainer)", name, (long long)line,
                          W2V_EOS);
            goto fail;
        }
    double w = 1.0;
    if (opt->weighted && f->n == 2) {
        rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: no weight (--weighted expects "
                      "'u v weight')", name, (long long)line);
        goto fail;
    }
    if (opt->weighted && f->n == 3 && parse_weight(f->text[2], &w) != 0) {
        rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: the weight '%s' is not a positive "
                      "finite number", name, (long long)line, f->text[2]);
        goto fail;
    }
    int32_t u, v;
    rc = graph_intern(g, f->text[0], f->len[0], &u);
    if (rc == 0 && f->n >= 2)
        rc = graph_intern(g, f->text[1], f->len[1], &v);
    if (rc != 0) {
        rc = w2v_fail(err, rc, "'%s' line %lld: %s", name, (long long)line,
                      rc == W2V_EOVERFLOW ? "more than 2147483647 nodes" : w2v_strerror(rc));
        goto fail;
    }
    if (f->n >= 2) {
        rc = edge_list_push(e, u, v, w, opt->weighted);
        if (rc != 0) {
            rc = w2v_fail(err, rc, "'%s' line %lld: %s", name, (long long)line,
                          w2v_strerror(rc));
            goto fail;
        }
    }
    return 0;
fail:
    if (err)
        err->line = line;
    return rc;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Read the whole stream into g's names and e, line by line. */
static int graph_parse(struct graph *g, struct edge_list *e, FILE *fp, const char *name,
                       const struct graph_options *opt, struct w2v_err *err)
{
    int rc = 0;
    unsigned char *buf = w2v_malloc(GRAPH_READ_BUF);
    struct line_fields *f = w2v_calloc(1, sizeof *f);
    if (!buf || !f) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", name);
        goto fail;
    }
    int in_field = 0, in_comment = 0, pending = 0; /* pending: the line has bytes */
    for (;;) {
        size_t got = fread(buf, 1, GRAPH_READ_BUF, fp);
        if (got == 0) {
            if (ferror(fp)) {
                rc = w2v_fail_errno(err, "cannot read '%s'", name);
                goto fail;
            }
            break;
        }
        for (size_t i = 0; i < got; i++) {
            unsigned char c = buf[i];
            if (c == '\n') {
                g->lines++;
                rc = graph_take_line(g, e, f, name, opt, err);
                if (rc != 0)
                    goto fail;
                memset(f, 0, sizeof *f);
                in_field = in_comment = pending = 0;
                continue;
            }
            pending = 1;
            if (in_comment)
                continue;
            if (c == '\0') {
                f->nul = 1;
                in_comment = 1; /* the line is an error: skip the rest */
                continue;
            }
            if (is_space(c)) {
                in_field = 0;
                continue;
            }
            if (!in_field) {
                if (c == '#') {
                    in_comment = 1;
                    continue;
                }
                in_field = 1;
                if (++f->n > GRAPH_MAX_FIELDS) {
                    f->too_many = 1;
                    in_comment = 1;
                    continue;
                }
            }
            size_t *len = &f->len[f->n - 1];
            if (*len > W2V_MAX_WORD_BYTES) {
                f->too_long = 1; /* keep MAX + 1 bytes: enough to report it */
                continue;
            }
            f->text[f->n - 1][(*len)++] = (char)c;
            f->text[f->n - 1][*len] = '\0';
        }
    }
    if (pending) { /* a last line without a newline */
        g->lines++;
        rc = graph_take_line(g, e, f, name, opt, err);
        if (rc != 0)
            goto fail;
    }
    w2v_free(buf);
    w2v_free(f);
    return 0;
fail:
    w2v_free(buf);
    w2v_free(f);
    return rc;
}

/* ---- CSR -------------------------------------------------------------------------- */

struct arc {
    int32_t t;
    double w;
};

static int arc_cmp(const void *a, const void *b)
{
    int32_t x = ((const struct arc *)a)->t, y = ((const struct arc *)b)->t;
    return (x > y) - (x < y);
}

static int int32_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Turn the edge list into g's rows: counting pass, fill, sort and merge
 * each row (weights of merged arcs add up), then running sums. */
static int graph_build(struct graph *g, const struct edge_list *e, const struct graph_options *opt,
                       struct w2v_err *err)
{
    int rc = 0;
    size_t n = (size_t)g->n_nodes;
    int64_t *fill = NULL;
    struct arc *row = NULL;
    g->offsets = w2v_calloc(n + 1, sizeof *g->offsets);
    fill = w2v_calloc(n + 1, sizeof *fill);
    g->name_len = w2v_malloc(n ? n : 1);
    if (!g->offsets || !fill || !g->name_len)
        goto fail;
    for (size_t u = 0; u < n; u++)
        g->name_len[u] = (unsigned char)strlen(g->names.entries[u].word);
    for (size_t i = 0; i < e->n; i++) {
        g->offsets[e->src[i] + 1]++;
        if (!opt->directed && e->src[i] != e->dst[i])
            g->offsets[e->dst[i] + 1]++;
    }
    for (size_t u = 0; u < n; u++)
        g->offsets[u + 1] += g->offsets[u];
    int64_t arcs = g->offsets[n];
    size_t bytes;
    if (w2v_size_mul((size_t)arcs, sizeof(double), &bytes) != 0) {
        rc = w2v_fail(err, W2V_EOVERFLOW, "the graph is too large");
        goto fail;
    }
    g->targets = w2v_malloc(arcs ? (size_t)arcs * sizeof *g->targets : 1);
    if (opt->weighted)
        g->cum = w2v_malloc(arcs ? bytes : 1);
    if (!g->targets || (opt->weighted && !g->cum))
        goto fail;
    memcpy(fill, g->offsets, (n + 1) * sizeof *fill);
    for (size_t i = 0; i < e->n; i++) {
        int32_t u = e->src[i], v = e->dst[i];
        int64_t at = fill[u]++;
        g->targets[at] = v;
        if (g->cum)
            g->cum[at] = e->w[i];
        if (!opt->directed && u != v) {
            at = fill[v]++;
            g->targets[at] = u;
            if (g->cum)
                g->cum[at] = e->w[i];
        }
    }
    /* Sort and merge each row in place; rows only shrink, so the write
     * position never passes the read position. */
    int64_t max_deg = 0;
    for (size_t u = 0; u < n; u++)
        if (g->offsets[u + 1] - g->offsets[u] > max_deg)
            max_deg = g->offsets[u + 1] - g->offsets[u];
    if (g->cum) {
        row = w2v_malloc(max_deg ? (size_t)max_deg * sizeof *row : 1);
        if (!row)
            goto fail;
    }
    int64_t out = 0, loops = 0;
    for (size_t u = 0; u < n; u++) {
        int64_t a = g->offsets[u], b = g->offsets[u + 1], deg = b - a;
        g->offsets[u] = out;
        if (g->cum) {
            for (int64_t k = 0; k < deg; k++)
                row[k] = (struct arc){g->targets[a + k], g->cum[a + k]};
            qsort(row, (size_t)deg, sizeof *row, arc_cmp);
            double sum = 0;
            for (int64_t k = 0; k < deg; k++) {
                sum += row[k].w;
                if (k > 0 && row[k].t == row[k - 1].t) {
                    g->cum[out - 1] = sum;
                    continue;
                }
                g->targets[out] = row[k].t;
                g->cum[out++] = sum;
            }
        } else {
            qsort(g->targets + a, (size_t)deg, sizeof *g->targets, int32_cmp);
            for (int64_t k = a; k < b; k++)
                if (k == a || g->targets[k] != g->targets[k - 1])
                    g->targets[out++] = g->targets[k];
        }
        for (int64_t k = g->offsets[u]; k < out; k++)
            if (g->targets[k] == (int32_t)u)
                loops++;
    }
    g->offsets[n] = out;
    g->n_arcs = out;
    g->self_loops = loops;
    g->n_edges = opt->directed ? out : (out + loops) / 2;
    g->duplicates = (int64_t)e->n - g->n_edges;
    /* Give back what the merge freed; a failed shrink keeps the old block. */
    if (out > 0 && out < arcs) {
        int32_t *t = w2v_realloc(g->targets, (size_t)out * sizeof *t);
        if (t)
            g->targets = t;
        if (g->cum) {
            double *c = w2v_realloc(g->cum, (size_t)out * sizeof *c);
            if (c)
                g->cum = c;
        }
    }
    w2v_free(fill);
    w2v_free(row);
    return 0;
fail:
    if (rc == 0) /* every other failure set rc: this one is an allocation */
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory building the graph (%d nodes, %zu edges)",
                      g->n_nodes, e->n);
    w2v_free(fill);
    w2v_free(row);
    return rc;
}

int graph_read_stream(struct graph *g, FILE *fp, const char *name, const struct graph_options *opt,
                      struct w2v_err *err)
{
    struct edge_list e;
    memset(&e, 0, sizeof e);
    graph_init(g);
    g->directed = opt->directed;
    g->weighted = opt->weighted;
    int rc = graph_parse(g, &e, fp, name, opt, err);
    if (rc != 0)
        goto fail;
    if (g->names.size == 0) {
        rc = w2v_fail(err, W2V_EEMPTY, "'%s' holds no node", name);
        goto fail;
    }
    g->n_nodes = g->names.size;
    rc = graph_build(g, &e, opt, err);
    if (rc != 0)
        goto fail;
    edge_list_release(&e);
    return 0;
fail:
    edge_list_release(&e);
    graph_release(g);
    return rc;
}

int graph_read(struct graph *g, const char *path, const struct graph_options *opt,
               struct w2v_err *err)
{
    if (strcmp(path, "-") == 0)
        return graph_read_stream(g, stdin, "stdin", opt, err);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        graph_init(g);
        return w2v_fail_errno(err, "cannot open '%s'", path);
    }
    int rc = graph_read_stream(g, fp, path, opt, err);
    fclose(fp);
    return rc;
}
