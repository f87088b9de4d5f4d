/* graph.h — a graph read from an edge list, stored as compressed sparse
 * rows (CSR) for random walks.
 *
 * Edge list: one edge per line, "u v" or "u v weight", fields separated by
 * spaces or tabs (a CR before the newline is ignored). Node names are any
 * tokens of at most W2V_MAX_WORD_BYTES bytes (the trainer would cut a longer
 * one and merge distinct nodes), except "</s>" (the trainer's sentence end)
 * and names starting with '#': a token starting with '#' begins a comment
 * that runs to the end of the line. A line with one name adds a node with
 * no edges (an isolated node). Blank and comment lines are ignored.
 *
 * Defined answers for the awkward cases:
 *   - undirected (the default): each edge goes both ways; a self-loop u u is
 *     one entry in u's row;
 *   - a repeated edge is one edge; with weights, its weights add up;
 *   - weights are read only with `weighted`: then each edge needs one, a
 *     finite number > 0 (negative, zero, non-numeric: W2V_EFORMAT naming the
 *     line); without `weighted` a third field is ignored and every weight is 1;
 *   - a fourth field, a NUL byte (outside a comment), a field over
 *     W2V_MAX_WORD_BYTES or the name "</s>": W2V_EFORMAT naming the line.
 *
 * Memory is O(V + E): the names (a struct vocab), 8 bytes per node of row
 * offsets, 4 bytes per arc of targets, and 8 more per arc of running weight
 * sums when weighted. While reading, the edges are held once more as a list
 * (12-20 bytes per input edge), freed before graph_read returns. */
#ifndef W2V_GRAPH_H
#define W2V_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "w2v/common.h"
#include "w2v/vocab.h"

struct graph_options {
    int directed; /* edges go from u to v only */
    int weighted; /* read the third field as the edge weight */
};

struct graph {
    int32_t n_nodes;
    int64_t n_arcs;        /* entries in targets: 2 per undirected edge, 1 per loop */
    int64_t *offsets;      /* [n_nodes + 1]: node u's row is targets[offsets[u] .. offsets[u+1]) */
    int32_t *targets;      /* [n_arcs], each row sorted ascending, no repeats */
    double *cum;           /* [n_arcs] or NULL (unweighted): running sum of the weights within
                            * each row, so cum[offsets[u+1]-1] is u's total weight */
    unsigned char *name_len; /* [n_nodes] byte length of each name (<= W2V_MAX_WORD_BYTES) */
    struct vocab names;    /* node names; node id = order of first appearance in the file */
    int directed, weighted;
    int64_t n_edges;       /* distinct edges (a loop counts once) */
    int64_t duplicates;    /* edge lines merged into an earlier edge */
    int64_t self_loops;    /* distinct self-loops */
    int64_t lines;         /* lines read */
};

void graph_init(struct graph *g);
void graph_release(struct graph *g); /* safe on zeroed/released */

/* Read an edge list from path ("-" is stdin) into g (initialised here; any
 * previous content must have been released). Returns 0, or W2V_EIO (cannot
 * open or read), W2V_EFORMAT (err->line is the 1-based line and the message
 * names it), W2V_EEMPTY (no node at all), W2V_ENOMEM, W2V_EOVERFLOW (more
 * than INT32_MAX nodes); on error g is released. Not thread-safe on one g. */
int graph_read(struct graph *g, const char *path, const struct graph_options *opt,
               struct w2v_err *err);

/* The same from an open stream (not closed here); name is used in messages. */
int graph_read_stream(struct graph *g, FILE *fp, const char *name, const struct graph_options *opt,
                      struct w2v_err *err);

/* Node id of name[0..len), or -1. Thread-safe for readers. */
int32_t graph_find(const struct graph *g, const char *name, size_t len);

/* NUL-terminated name of node u (owned by g). */
static inline const char *graph_name(const struct graph *g, int32_t u)
{
    return g->names.entries[u].word;
}

/* Index in targets of the arc u -> v, or -1 when there is none. Binary
 * search in u's sorted row: O(log deg u). Thread-safe for readers. */
int64_t graph_arc(const struct graph *g, int32_t u, int32_t v);

/* Weight of the arc at index i of u's row (1 when unweighted): a
 * difference of running sums, so exact only up to rounding relative to the
 * row's total (a weight under about 1e-16 of it reads back as 0, which is
 * also its chance of being drawn). */
static inline double graph_arc_weight(const struct graph *g, int32_t u, int64_t i)
{
    if (!g->cum)
        return 1.0;
    return i == g->offsets[u] ? g->cum[i] : g->cum[i] - g->cum[i - 1];
}

#endif
