/* cmd_map.c — `w2v map VEC WORD [EXTRA...] -k N -o FILE.svg`: the word, its
 * k nearest neighbours and any extra words, drawn as an SVG picture (the
 * layout and the SVG come from map.c; this file gathers the words and
 * writes the file). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "w2v/cli.h"
#include "w2v/files.h"
#include "w2v/map.h"
#include "w2v/query.h"

#include "cmd_model.h"
#include "cmd_subword.h"
#include "common_internal.h"

#define MAP_MAX_K 200      /* more labels than that do not fit one picture */
#define MAP_MAX_EXTRA 200

/* Row i's unit vector into x: a word of m, or (a subword model's unseen
 * word, row < 0) its n-gram vector normalised. */
static int unit_of(const struct query_model *m, struct subword_lookup *sub, int64_t row, float *x,
                   struct w2v_err *err)
{
    return row >= 0 ? query_model_unit(m, row, x, err)
                    : subword_lookup_vector(sub, m, 0, &row, 1, 0, x, err);
}

/* The label of row: its word in m, or the word as asked for. */
static const char *label_of(const struct query_model *m, int64_t row, const char *asked,
                            size_t *len)
{
    if (row >= 0)
        return query_model_word(m, row, len);
    *len = strlen(asked);
    return asked;
}

/* Gather the points: the query word, its hits, then the extra words not
 * already there; their unit vectors into vecs ([n, dim]). sub: VEC is a
 * subword model, whose unseen words are drawn from their n-grams. */
static int gather(const struct query_model *m, const char *path, char **words, size_t n_words,
                  int k, int64_t restrict_rows, struct subword_lookup *sub,
                  struct map_point *pts, int64_t *rows, float *vecs, size_t *n_pts)
{
    const size_t dim = (size_t)m->dim;
    struct w2v_err err = {0};
    struct query_hit hits[MAP_MAX_K];
    size_t n_hits = 0, n = 0;
    int rc;
    for (size_t i = 0; i < n_words; i++) {
        char why[480];
        size_t same = 0; /* a word asked for twice is looked up once */
        while (same < i && strcmp(words[same], words[i]) != 0)
            same++;
        if (same < i) {
            rows[i] = rows[same];
        } else if (sub) {
            if (subword_lookup_find(sub, m, words[i], &rows[i], why, sizeof why) != 0)
                return cli_error("%s", why);
        } else if ((rows[i] = query_model_find(m, words[i])) < 0) {
            return cli_error("'%s' is not in the vocabulary of '%s'", words[i], path);
        }
    }
    /* vecs row 0 is the query vector: the query word's unit vector. */
    if ((rc = rows[0] >= 0 ? query_vector_nearest(m, rows, 1, vecs, &err)
                           : unit_of(m, sub, rows[0], vecs, &err)) < 0)
        return cli_report(&err, rc);
    struct query_request req = {vecs, rows, 1};
    struct query_options qo = {(size_t)k, restrict_rows, 0};
    if ((rc = query_topk(m, &req, 1, &qo, hits, &n_hits, &err)) < 0)
        return cli_report(&err, rc);
    pts[n].word = label_of(m, rows[0], words[0], &pts[n].len);
    pts[n].cosine = 1.0;
    pts[n++].extra = 0;
    for (size_t i = 0; i < n_hits; i++) {
        pts[n].word = query_model_word(m, hits[i].row, &pts[n].len);
        pts[n].cosine = hits[i].score;
        pts[n].extra = 0;
        rows[n_words + n] = hits[i].row;
        if ((rc = query_model_unit(m, hits[i].row, vecs + n * dim, &err)) < 0)
            return cli_report(&err, rc);
        n++;
    }
    rows[n_words] = rows[0];
    for (size_t i = 1; i < n_words; i++) {
        int seen = 0; /* an extra word that is already drawn is drawn once */
        size_t len;
        const char *w = label_of(m, rows[i], words[i], &len);
        for (size_t j = 0; j < n && !seen; j++)
            seen = rows[n_words + j] == rows[i];
        if (seen)
            continue;
        float *x = vecs + n * dim;
        if ((rc = unit_of(m, sub, rows[i], x, &err)) < 0)
            return cli_report(&err, rc);
        pts[n].word = w;
        pts[n].len = len;
        pts[n].cosine = query_dot(vecs, x, dim);
        pts[n].extra = 1;
        rows[n_words + n] = rows[i];
        n++;
    }
    *n_pts = n;
    return 0;
}

int cmd_map(int argc, char **argv)
{
    int k = 30, no_map = 0, force = 0;
    struct vectors_read_opts ro = {0};
    int64_t restrict_rows = 0;
    const char *out_path = NULL;
    const struct cli_option options[] = {
        {"top", NULL, 'k', CLI_INT, &k, "N", "number of nearest words drawn (default 30)", 1,
         MAP_MAX_K, NULL},
        {"output", NULL, 'o', CLI_STRING, &out_path, "FILE",
         "write the SVG to FILE (default: standard output)", 0, 0, NULL},
        {"restrict", NULL, 0, CLI_INT64, &restrict_rows, "N",
         "only the N first (most frequent) words are neighbours (default all)", 1, 9e18, NULL},
        {"no-map", NULL, 0, CLI_FLAG, &no_map, NULL,
         "read a binary file into memory instead of mapping it", 0, 1, NULL},
        {"force", NULL, 0, CLI_FLAG, &force, NULL, "replace a read-only FILE (its mode is kept)",
         0, 1, NULL},
        CMD_NO_HEADER_OPTION(ro.no_header),
        {0}};
    const struct cli_usage usage = {
        "map", "VEC WORD [EXTRA...] [-k N] [-o FILE.svg]",
        "Draw WORD's neighbourhood as an SVG picture: WORD in the centre, its N\n"
        "nearest words and any EXTRA words around it. A word's distance from\n"
        "the centre falls as its cosine with WORD rises (nearest innermost);\n"
        "its direction comes from the first two principal components of the\n"
        "words' unit vectors. Colours mark cosine bands, extra words are\n"
        "hollow; hovering a line or a word shows its cosine. Circles and\n"
        "labels never overlap, and the same input gives the same file. The\n"
        "file is written whole or not at all. VEC may be a subword model\n"
        "(train --subword-model): a word it has not seen is drawn from its\n"
        "n-grams (stderr says so once), never as a neighbour.",
        options};
    int npos;
    int ex = cli_parse_command(&usage, argc, argv, &npos);
    if (ex >= 0)
        return ex;
    if (npos < 2)
        return cli_usage_error(&usage, "map takes VEC WORD [EXTRA...] (%d arguments given)", npos);
    if (npos - 2 > MAP_MAX_EXTRA)
        return cli_usage_error(&usage, "at most %d extra words", MAP_MAX_EXTRA);
    const char *path = argv[0];
    const size_t n_words = (size_t)npos - 1, max_pts = 1 + (size_t)k + n_words;

    struct query_model m = {0};
    struct w2v_err err = {0};
    struct map_point *pts = NULL;
    int64_t *rows = NULL;
    float *vecs = NULL;
    char *svg = NULL;
    size_t n = 0, svg_len = 0;
    int status = W2V_EXIT_OK;
    /* The picture never replaces the model (see files.h). */
    const struct files_use uses[] = {{path, FILES_INPUT, "VEC"},
                                     {out_path, FILES_OUTPUT, "the output"}};
    int rc = files_check(uses, 2, force, &err);
    if (rc < 0)
        return cli_report(&err, rc);
    struct subword_lookup *sub = NULL;
    if ((status = subword_lookup_open_any(&sub, &m, path, !no_map, &ro, 0)) != 0)
        return status;
    pts = w2v_calloc(max_pts, sizeof *pts);
    rows = w2v_calloc(n_words + max_pts, sizeof *rows);
    vecs = w2v_calloc(max_pts, (size_t)m.dim * sizeof *vecs);
    if (!pts || !rows || !vecs) {
        status = cli_error("out of memory");
        goto fail;
    }
    status = gather(&m, path, argv + 1, n_words, k, restrict_rows, sub, pts, rows, vecs, &n);
    if (status != W2V_EXIT_OK)
        goto fail;
    if ((rc = map_layout(pts, n, vecs, (size_t)m.dim, &err)) < 0 ||
        (rc = map_svg(pts, n, &svg, &svg_len, &err)) < 0) {
        status = cli_report(&err, rc);
        goto fail;
    }
    if (!out_path || strcmp(out_path, "-") == 0) {
        if (fwrite(svg, 1, svg_len, stdout) != svg_len || fflush(stdout) != 0)
            status = cli_error("cannot write the picture: %s", strerror(errno));
        goto fail;
    }
    struct w2v_outfile of = {0};
    if ((rc = w2v_outfile_open(&of, out_path, &err)) < 0) {
        status = cli_report(&err, rc);
        goto fail;
    }
    if (fwrite(svg, 1, svg_len, of.fp) != svg_len) {
        w2v_outfile_abort(&of);
        status = cli_error("cannot write '%s': %s", out_path, strerror(errno));
        goto fail;
    }
    if ((rc = w2v_outfile_commit(&of, &err)) < 0)
        status = cli_report(&err, rc);
fail:
    w2v_free(svg);
    w2v_free(vecs);
    w2v_free(rows);
    w2v_free(pts);
    query_model_release(&m);
    subword_lookup_free(sub, status == W2V_EXIT_OK);
    return status;
}
