/* cmd_vector.c — `w2v vector MODEL [WORD...]`: print words' vectors.
 *
 * MODEL is a subword model (--subword-model of `w2v train`), which has a
 * vector for any word whose n-grams it knows, or a plain vector file
 * (binary or text), which has one for its own words only. Each vector is
 * printed as a line of the word2vec text format, "word v1 ... vD", values
 * with %.9g (they read back to the same floats). Without words, words are
 * read from stdin, separated by whitespace, and answered line by line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w2v/cli.h"
#include "w2v/subword_model.h"
#include "w2v/vectors.h"

/* Where the vectors come from: one of the three is open. */
struct vector_source {
    const char *path;
    int is_subword;             /* sub is open */
    int is_mapped;              /* map is open (a binary vector file) */
    struct subword_model sub;
    struct vectors_map map;
    struct vectors mem;         /* a text vector file, read */
    int oov_noted;              /* the note about unseen words was printed */
};

static int source_open(struct vector_source *s, const char *path)
{
    struct w2v_err err = {0};
    memset(s, 0, sizeof *s);
    s->path = path;
    int rc = subword_model_open(&s->sub, path, &err);
    if (rc == 0) {
        s->is_subword = 1;
        return 0;
    }
    if (rc < 0)
        return cli_report(&err, rc);
    rc = vectors_map_open(&s->map, path, &err);
    if (rc == 0) {
        s->is_mapped = 1;
        return 0;
    }
    if (rc < 0)
        return cli_report(&err, rc);
    rc = vectors_read(&s->mem, path, &err);
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
        if (used > 0 && !s->oov_noted) {
            s->oov_noted = 1;
            fprintf(stderr,
                    "w2v: '%s' is not in the vocabulary of '%s': its vector is the mean of "
                    "%zu of its %zu n-grams (so are those of other unseen words)\n",
                    word, s->path, used, total);
        }
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
    const struct cli_option options[] = {{0}};
    static const struct cli_usage usage_tmpl = {
        "vector", "MODEL [WORD...]",
        "Print the vector of each WORD as a line of the word2vec text format\n"
        "('word v1 ... vD'). MODEL is a subword model (train --subword-model),\n"
        "which gives a vector to any word, seen in training or not, from its\n"
        "character n-grams; or a vector file, which knows its own words only.\n"
        "Without words, read words from stdin (whitespace-separated) and answer\n"
        "each line. An unknown word prints an error; the exit status is then 1.",
        NULL};
    struct cli_usage usage = usage_tmpl;
    usage.options = options;
    int npos;
    enum cli_parse_result pr = cli_parse(&usage, argc, argv, &npos);
    if (pr != CLI_PARSED)
        return pr == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    if (npos < 1)
        return cli_usage_error(&usage, "missing the model MODEL");
    struct vector_source s;
    int status = source_open(&s, argv[0]);
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
    source_release(&s);
    return status;
}
