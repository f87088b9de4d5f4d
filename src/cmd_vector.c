/* cmd_vector.c — `w2v vector MODEL [WORD...]`: print words' vectors.
 *
 * MODEL is a subword model (--subword-model of `w2v train`), which has a
 * vector for any word whose n-grams it knows, or a plain vector file
 * (binary or text), which has one for its own words only. Each vector is
 * printed as a line of the word2vec text format, "word v1 ... vD", values
 * with %.9g (they read back to the same floats). Without words, words are
 * read from stdin, separated by whitespace, and answered line by line.
 *
 * Also the query commands' fallback for unseen words (cmd_subword.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_model.h"
#include "cmd_subword.h"
#include "w2v/cli.h"
#include "w2v/subword_model.h"
#include "w2v/vectors.h"
#include "cmd_model.h"

/* Words answered from their n-grams, said once, at the end of a run that
 * succeeded (a failed run prints its one error line and nothing else). */
struct unseen_note {
    char first[128];   /* the first such word (cut if longer) */
    size_t used, total; /* its n-grams found in the model, and all of them */
    int64_t count;     /* how many words, the first included */
    int64_t limit;     /* > 0: only the first limit words were read (--limit) */
};

/* "'word' is not in the vocabulary of 'path'", or, under --limit, "is not
 * among the first N words of": the one wording of the note and the error. */
static void not_in(char *buf, size_t cap, const char *word, const char *path, int64_t limit)
{
    if (limit > 0)
        snprintf(buf, cap, "'%.200s' is not among the first %lld words of '%.200s'", word,
                 (long long)limit, path);
    else
        snprintf(buf, cap, "'%.200s' is not in the vocabulary of '%.200s'", word, path);
}

static void unseen_add(struct unseen_note *u, const char *word, size_t used, size_t total)
{
    if (u->count++ == 0) {
        snprintf(u->first, sizeof u->first, "%s", word);
        u->used = used;
        u->total = total;
    }
}

static void unseen_print(const struct unseen_note *u, const char *path)
{
    if (u->count == 0)
        return;
    char what[480];
    not_in(what, sizeof what, u->first, path, u->limit);
    fprintf(stderr, "w2v: %s: its vector is the mean of %zu of its %zu n-grams", what, u->used,
            u->total);
    if (u->count > 1)
        fprintf(stderr, " (so are those of %lld other unseen word%s)", (long long)u->count - 1,
                u->count > 2 ? "s" : "");
    fputc('\n', stderr);
}

/* Where the vectors come from: one of the three is open. */
struct vector_source {
    const char *path;
    int is_subword;             /* sub is open */
    int is_mapped;              /* map is open (a binary vector file) */
    struct subword_model sub;
    struct vectors_map map;
    struct vectors mem;         /* a text vector file, read */
    struct unseen_note unseen;
};

static int source_open(struct vector_source *s, const char *path,
                       const struct vectors_read_opts *ro)
{
    struct w2v_err err = {0};
    memset(s, 0, sizeof *s);
    s->path = path;
    int rc = subword_model_open(&s->sub, path, &err);
    if (rc == 0) {
        s->is_subword = 1;
        cmd_guard_mapped(path);
        return 0;
    }
    if (rc < 0)
        return cli_report(&err, rc);
    rc = ro->no_header ? 1 : vectors_map_open(&s->map, path, &err); /* binary has a header */
    if (rc == 0) {
        s->is_mapped = 1;
        cmd_guard_mapped(path);
        return 0;
    }
    if (rc < 0)
        return cli_report(&err, rc);
    rc = vectors_read_with(&s->mem, path, ro, &err);
    return rc < 0 ? cli_report(&err, rc) : 0;
}

static void source_release(struct vector_source *s)
{
    subword_model_release(&s->sub);
    vectors_map_release(&s->map);
    vectors_release(&s->mem);
}

static int32_t source_dim(const struct vector_source *s)
{
    return s->is_subword ? s->sub.dim : s->is_mapped ? s->map.dim : s->mem.dim;
}

/* word's vector into out; on failure print the error and return 1. */
static int source_vector(struct vector_source *s, const char *word, float *out)
{
    if (s->is_subword) {
        struct w2v_err err = {0};
        size_t used = 0, total = 0;
        int rc = subword_model_vector(&s->sub, word, out, &used, &total, &err);
        if (rc == W2V_ENOTFOUND)
            return cli_error("'%s' is not in the vocabulary of '%s', and none of its %zu n-grams is",
                             word, s->path, total);
        if (rc < 0)
            return cli_report(&err, rc);
        if (used > 0)
            unseen_add(&s->unseen, word, used, total);
        return 0;
    }
    int64_t row = s->is_mapped ? vectors_map_find(&s->map, word) : vectors_find(&s->mem, word);
    if (row < 0)
        return cli_error("'%s' is not in the vocabulary of '%s'", word, s->path);
    if (s->is_mapped)
        vectors_map_row(&s->map, row, out);
    else
        memcpy(out, s->mem.data + (size_t)row * (size_t)s->mem.dim,
               (size_t)s->mem.dim * sizeof *out);
    return 0;
}

static void print_vector(const char *word, const float *v, int32_t dim)
{
    fputs(word, stdout);
    for (int32_t j = 0; j < dim; j++)
        printf(" %.9g", (double)v[j]);
    putchar('\n');
}

static int flush_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error("cannot write the vectors: %s", strerror(errno));
    return 0;
}

/* Words from stdin, whitespace-separated; each line answered before the
 * next is read, so a script can drive it. */
static int run_stdin(struct vector_source *s, float *vec)
{
    char *line = NULL;
    size_t cap = 0;
    int status = W2V_EXIT_OK;
    const int32_t dim = source_dim(s);
    for (;;) {
        errno = 0;
        ssize_t got = getline(&line, &cap, stdin);
        if (got < 0) {
            if (ferror(stdin))
                status = cli_error("cannot read words from stdin: %s", strerror(errno));
            break;
        }
        for (char *w = strtok(line, " \t\r\n\v\f"); w; w = strtok(NULL, " \t\r\n\v\f")) {
            if (source_vector(s, w, vec) != 0)
                status = W2V_EXIT_FAILURE;
            else
                print_vector(w, vec, dim);
        }
        if (flush_stdout() != 0) {
            status = W2V_EXIT_FAILURE;
            break;
        }
    }
    free(line); /* getline's buffer comes from malloc */
    return status;
}

int cmd_vector(int argc, char **argv)
{
    struct vectors_read_opts ro = {0};
    const struct cli_option options[] = {CMD_NO_HEADER_OPTION(ro.no_header), {0}};
    const struct cli_usage usage = {
        "vector", "MODEL [WORD...]",
        "Print the vector of each WORD as a line of the word2vec text format\n"
        "('word v1 ... vD'). MODEL is a subword model (train --subword-model),\n"
        "which gives a vector to any word, seen in training or not, from its\n"
        "character n-grams; or a vector file, which knows its own words only.\n"
        "Without words, read words from stdin (whitespace-separated) and answer\n"
        "each line. An unknown word prints an error; the exit status is then 1.",
        options};
    int npos;
    int ex = cli_parse_min(&usage, argc, argv, 1, "missing the model MODEL", &npos);
    if (ex >= 0)
        return ex;
    struct vector_source s;
    int status = source_open(&s, argv[0], &ro);
    if (status != 0)
        return status;
    const size_t dim = (size_t)source_dim(&s);
    const size_t nw = (size_t)npos - 1;
    float *vecs = w2v_calloc(nw ? nw : 1, dim * sizeof *vecs);
    if (!vecs) {
        status = cli_error("out of memory");
    } else if (nw == 0) {
        status = run_stdin(&s, vecs);
    } else {
        /* All words first: an unknown word prints no partial answer. */
        for (size_t i = 0; i < nw && status == 0; i++)
            status = source_vector(&s, argv[1 + i], vecs + i * dim);
        for (size_t i = 0; i < nw && status == 0; i++)
            print_vector(argv[1 + i], vecs + i * dim, (int32_t)dim);
        if (status == 0)
            status = flush_stdout();
    }
    w2v_free(vecs);
    if (status == W2V_EXIT_OK)
        unseen_print(&s.unseen, s.path);
    source_release(&s);
    return status;
}

/* ---- the query commands' fallback (cmd_subword.h) ------------------------ */

struct subword_lookup {
    struct subword_model sm;
    const char *path;
    struct unseen_note unseen;
    float *oov;        /* [cap, dim] composed vectors of unseen words */
    size_t n_oov, cap;
};

void subword_lookup_free(struct subword_lookup *l, int succeeded)
{
    if (!l)
        return;
    if (succeeded)
        unseen_print(&l->unseen, l->path);
    subword_model_release(&l->sm);
    w2v_free(l->oov);
    w2v_free(l);
}

/* subword_lookup_open_any's subword half: *out NULL when path is not a
 * subword model. */
static int subword_lookup_open(struct subword_lookup **out, struct query_model *m,
                               const char *path, int64_t limit)
{
    struct w2v_err err = {0};
    struct vectors v;
    *out = NULL;
    struct subword_lookup *l = w2v_calloc(1, sizeof *l);
    if (!l)
        return cli_error("out of memory");
    l->path = path;
    int rc = subword_model_open(&l->sm, path, &err);
    if (rc == 1) { /* a vector file */
        w2v_free(l);
        return 0;
    }
    if (rc == 0)
        rc = subword_model_to_vectors(&l->sm, limit, &v, &err);
    if (rc < 0) {
        subword_lookup_free(l, 0);
        return cli_report(&err, rc);
    }
    if (limit > 0 && limit < l->sm.n_words)
        l->unseen.limit = limit;
    query_model_from_vectors(m, &v); /* rows are finite: cannot fail */
    cmd_guard_mapped(path); /* the n-gram rows stay mapped */
    *out = l;
    return 0;
}

int subword_lookup_open_any(struct subword_lookup **sub, struct query_model *m, const char *path,
                            int allow_map, const struct vectors_read_opts *ro, int plain)
{
    int rc = subword_lookup_open(sub, m, path, ro ? ro->limit : 0);
    if (rc != 0 || *sub)
        return rc;
    return plain ? cmd_open_plain_model(m, path, ro) : cmd_open_model_with(m, path, allow_map, ro);
}

int subword_lookup_unseen(struct subword_lookup *l, const char *word, float *out,
                          struct w2v_err *err)
{
    size_t used = 0, total = 0;
    /* The n-grams alone, also for a model word past --limit: its row is
     * not among those read. */
    int rc = subword_model_gram_vector(&l->sm, word, out, &used, &total, err);
    if (rc == W2V_ENOTFOUND) {
        char what[480];
        not_in(what, sizeof what, word, l->path, l->unseen.limit);
        return w2v_fail(err, rc, "%s, and none of its %zu n-grams is", what, total);
    }
    if (rc < 0)
        return rc;
    unseen_add(&l->unseen, word, used, total);
    return 0;
}

int subword_lookup_find(struct subword_lookup *l, const struct query_model *m, const char *word,
                        int64_t *row, char *why, size_t cap)
{
    struct w2v_err err = {0};
    *row = query_model_find(m, word);
    if (*row >= 0)
        return 0;
    const size_t dim = (size_t)m->dim;
    if (l->n_oov == l->cap) {
        size_t more = l->cap ? 2 * l->cap : 16, bytes;
        float *grown;
        if (w2v_size_mul(more, dim * sizeof *grown, &bytes) != 0 ||
            !(grown = w2v_realloc(l->oov, bytes)))
            return snprintf(why, cap, "out of memory"), -1;
        l->oov = grown;
        l->cap = more;
    }
    if (subword_lookup_unseen(l, word, l->oov + l->n_oov * dim, &err) < 0)
        return snprintf(why, cap, "%.400s", err.message), -1;
    *row = -2 - (int64_t)l->n_oov++;
    return 0;
}

/* The query words' vectors as a small model of their own (rows 0..n-1),
 * so the query module's own arithmetic answers: its unit vectors for rows
 * of m, the composed vectors for pseudo-rows (normalised by
 * query_model_from_vectors). Words are "0", "1", ...: unique. */
static int small_model(const struct subword_lookup *l, const struct query_model *m,
                       const int64_t *rows, size_t n, struct query_model *small,
                       struct w2v_err *err)
{
    const size_t dim = (size_t)m->dim;
    struct vectors v;
    int rc;
    vectors_init(&v);
    v.rows = (int64_t)n;
    v.dim = m->dim;
    v.data = w2v_aligned_alloc(n * dim * sizeof *v.data);
    v.words = w2v_calloc(n, sizeof *v.words);
    v.word_pool = w2v_malloc(n * 24);
    if (!v.data || !v.words || !v.word_pool) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        v.words[i] = v.word_pool + 24 * i;
        snprintf(v.words[i], 24, "%zu", i);
        float *x = v.data + i * dim;
        if (rows[i] >= 0) {
            rc = query_model_unit(m, rows[i], x, err);
            if (rc < 0)
                goto fail;
        } else {
            memcpy(x, l->oov + (size_t)(-2 - rows[i]) * dim, dim * sizeof *x);
        }
    }
    rc = vectors_index(&v, err);
    if (rc < 0)
        goto fail;
    query_model_from_vectors(small, &v);
    return 0;
fail:
    vectors_release(&v);
    return rc;
}

static int any_unseen(const int64_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i] < 0)
            return 1;
    return 0;
}

/* small_model of rows[0..n) and the rows 0..n-1 that name them in it
 * (*idx: the caller's to w2v_free, with query_model_release(small)). */
static int small_rows(const struct subword_lookup *l, const struct query_model *m,
                      const int64_t *rows, size_t n, struct query_model *small, int64_t **idx,
                      struct w2v_err *err)
{
    *idx = w2v_malloc(n * sizeof **idx);
    if (!*idx)
        return w2v_fail(err, W2V_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        (*idx)[i] = (int64_t)i;
    int rc = small_model(l, m, rows, n, small, err);
    if (rc < 0) {
        w2v_free(*idx);
        *idx = NULL;
    }
    return rc;
}

int subword_lookup_vector(const struct subword_lookup *l, const struct query_model *m,
                          int analogy, const int64_t *rows, size_t n_pos, size_t n_neg,
                          float *out, struct w2v_err *err)
{
    const size_t n = n_pos + n_neg;
    if (!any_unseen(rows, n))
        return analogy ? query_vector_analogy(m, rows[0], rows[1], rows[2], out, err)
                       : query_vector_mix(m, rows, n_pos, rows + n_pos, n_neg, out, err);
    struct query_model small;
    int64_t *idx;
    int rc = small_rows(l, m, rows, n, &small, &idx, err);
    if (rc < 0)
        return rc;
    rc = analogy ? query_vector_analogy(&small, 0, 1, 2, out, err)
                 : query_vector_mix(&small, idx, n_pos, idx + n_pos, n_neg, out, err);
    w2v_free(idx);
    query_model_release(&small);
    return rc;
}

int subword_lookup_doesnt_match(const struct subword_lookup *l, const struct query_model *m,
                                const int64_t *rows, size_t n, float *scores, size_t *odd,
                                struct w2v_err *err)
{
    if (!any_unseen(rows, n))
        return query_doesnt_match(m, rows, n, scores, odd, err);
    struct query_model small;
    int64_t *idx;
    int rc = small_rows(l, m, rows, n, &small, &idx, err);
    if (rc < 0)
        return rc;
    rc = query_doesnt_match(&small, idx, n, scores, odd, err);
    w2v_free(idx);
    query_model_release(&small);
    return rc;
}

int subword_lookup_similarity(const struct subword_lookup *l, const struct query_model *m,
                              int64_t r1, int64_t r2, float *out, struct w2v_err *err)
{
    if (r1 >= 0 && r2 >= 0)
        return query_similarity(m, r1, r2, out, err);
    const int64_t rows[2] = {r1, r2};
    struct query_model small;
    int rc = small_model(l, m, rows, 2, &small, err);
    if (rc < 0)
        return rc;
    rc = query_similarity(&small, 0, 1, out, err);
    query_model_release(&small);
    return rc;
}
