/* cmd_senses.c — `w2v senses SENSES WORD...` (each sense of a word with its
 * share of the word's occurrences and its nearest words) and `w2v
 * disambiguate SENSES [SENTENCE...]` (each word of a sentence with the
 * sense its context picks). Both read a senses file and its context file
 * (senses.h): the context file's global rows are the words neighbours are
 * drawn from and the vectors contexts are averaged over. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w2v/cli.h"
#include "w2v/query.h"
#include "w2v/senses.h"

#define MAX_K 100000

static int finish(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error("cannot write the output: %s", strerror(errno ? errno : EIO));
    return W2V_EXIT_OK;
}

/* Parse argv for one of the two commands: -1 to go on (the senses file is
 * argv[0]), or the exit code (help shown, usage error printed). */
static int parse_args(const struct cli_usage *u, int argc, char **argv, int *npos)
{
    int ex = cli_parse_min(u, argc, argv, 1, "no senses file given", npos);
    if (ex >= 0)
        return ex;
    return -1;
}

/* Read a senses file and its context file: 0, or the exit code with the
 * error printed (bad data, never a usage error). */
static int open_senses(struct senses_file *f, const char *path)
{
    struct w2v_err err = {0};
    int status = senses_file_read(f, path, &err);
    if (status == 0)
        return 0;
    cli_report(&err, status);
    return W2V_EXIT_FAILURE;
}

/* ---- senses --------------------------------------------------------------- */

int cmd_senses(int argc, char **argv)
{
    int k = 10, threads = 0;
    const struct cli_option options[] = {
        {"top", NULL, 'k', CLI_INT, &k, "N", "nearest words shown per sense (default 10; 0: none)", 0, MAX_K, NULL},
        {"threads", NULL, 0, CLI_INT, &threads, "N", "threads scanning the matrix (default: all CPUs)", 1, 64, NULL},
        {0},
    };
    const struct cli_usage usage = {
        "senses", "SENSES WORD... [options]",
        "For each WORD, print each of its senses in SENSES (written by train\n"
        "--senses-output) as a line 'WORD#N<TAB>share<TAB>occurrences', most frequent\n"
        "first, followed by its nearest words (indented, with cosines) among the\n"
        "single word vectors kept in SENSES.ctx, and a blank line.",
        options};
    int npos = 0, code = parse_args(&usage, argc, argv, &npos);
    if (code >= 0)
        return code;
    if (npos < 2)
        return cli_usage_error(&usage, "no word given");

    const char *path = argv[0];
    struct senses_file f;
    struct query_model m;
    struct w2v_err err = {0};
    memset(&m, 0, sizeof m);
    int exit_code = W2V_EXIT_FAILURE;
    float *unit = NULL;
    struct query_hit *hits = NULL;
    int64_t *counts = NULL;
    if ((code = open_senses(&f, path)) != 0)
        return code;
    int status;
    const int32_t D = f.vec.dim;
    const int64_t n_global = f.n_global;
    /* Counts come from the centres' lengths: take them before the rows are
     * normalised for the neighbour search. */
    counts = w2v_calloc((size_t)f.vec.rows, sizeof *counts);
    unit = w2v_calloc((size_t)D, sizeof *unit);
    hits = w2v_calloc(k > 0 ? (size_t)k : 1, sizeof *hits);
    if (!counts || !unit || !hits) {
        cli_error("out of memory");
        goto done;
    }
    for (int64_t row = 0; row < f.vec.rows; row++)
        counts[row] = senses_file_count(&f, row);
    query_model_from_vectors(&m, &f.ctx);

    for (int w = 1; w < npos; w++) {
        int64_t rows[W2V_SENSES_MAX];
        int n = senses_file_lookup(&f, argv[w], rows, W2V_SENSES_MAX);
        if (n == 0) {
            cli_error("'%s' has no senses in '%s'", argv[w], path);
            goto done;
        }
        int64_t total = 0;
        for (int i = 0; i < n; i++)
            total += counts[rows[i]];
        int64_t self = query_model_find(&m, argv[w]);
        for (int i = 0; i < n; i++) {
            printf("%s\t%.3f\t%lld\n", f.vec.words[rows[i]],
                   total > 0 ? (double)counts[rows[i]] / (double)total : 0.0,
                   (long long)counts[rows[i]]);
            if (k == 0)
                continue;
            const float *v = f.vec.data + (size_t)rows[i] * (size_t)D;
            double norm = 0.0;
            for (int32_t j = 0; j < D; j++)
                norm += (double)v[j] * (double)v[j];
            norm = sqrt(norm);
            for (int32_t j = 0; j < D; j++)
                unit[j] = norm > 0.0 ? (float)((double)v[j] / norm) : 0.0f;
            struct query_request req = {unit, &self, self >= 0 ? 1 : 0};
            struct query_options qo = {(size_t)k, n_global, threads};
            size_t n_hits = 0;
            status = query_topk(&m, &req, 1, &qo, hits, &n_hits, &err);
            if (status != 0) {
                exit_code = cli_report(&err, status);
                goto done;
            }
            for (size_t h = 0; h < n_hits; h++) {
                size_t len;
                const char *word = query_model_word(&m, hits[h].row, &len);
                printf("  %.*s\t%.6f\n", (int)len, word, (double)hits[h].score);
            }
            putchar('\n');
        }
    }
    exit_code = finish();
done:
    w2v_free(counts);
    w2v_free(unit);
    w2v_free(hits);
    query_model_release(&m);
    senses_file_release(&f);
    return exit_code;
}

/* ---- disambiguate ---------------------------------------------------------- */

/* Annotate one sentence (modified in place: split on blanks) on stdout. */
static int disambiguate_line(const struct senses_file *f, char *line, int window, float *ctx)
{
    size_t cap = 64, n = 0;
    char **tok = w2v_malloc(cap * sizeof *tok);
    int64_t *row = NULL, ctxrow[2 * 1000];
    if (!tok)
        return -1;
    for (char *p = line;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p)
            break;
        if (n == cap) {
            char **nt = w2v_realloc(tok, 2 * cap * sizeof *tok);
            if (!nt) {
                w2v_free(tok);
                return -1;
            }
            tok = nt;
            cap *= 2;
        }
        tok[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            p++;
        if (*p)
            *p++ = '\0';
    }
    row = w2v_calloc(n ? n : 1, sizeof *row);
    if (!row) {
        w2v_free(tok);
        return -1;
    }
    /* Context words are looked up among the global rows only. */
    for (size_t i = 0; i < n; i++) {
        row[i] = vectors_find(&f->ctx, tok[i]);
        if (row[i] >= f->n_global)
            row[i] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t senses[W2V_SENSES_MAX];
        int ns = senses_file_lookup(f, tok[i], senses, W2V_SENSES_MAX);
        fputs(i ? " " : "", stdout);
        if (ns == 0) {
            fputs(tok[i], stdout);
            continue;
        }
        /* The centred context average of the global vectors, as in training. */
        int used = 0;
        size_t lo = i > (size_t)window ? i - (size_t)window : 0;
        for (size_t j = lo; j < n && j <= i + (size_t)window; j++)
            if (j != i && row[j] >= 0)
                ctxrow[used++] = row[j];
        senses_file_context(f, ctxrow, used, ctx);
        int pick = senses_file_pick(f, senses, ns, ctx);
        fputs(f->vec.words[senses[pick]], stdout);
    }
    putchar('\n');
    w2v_free(row);
    w2v_free(tok);
    return 0;
}

int cmd_disambiguate(int argc, char **argv)
{
    int window = 5;
    const struct cli_option options[] = {
        {"window", NULL, 0, CLI_INT, &window, "N", "context words on each side (default 5, as training)", 1, 1000, NULL},
        {0},
    };
    const struct cli_usage usage = {
        "disambiguate", "SENSES [SENTENCE...] [options]",
        "Print each SENTENCE (or each line of stdin) with every word that has senses\n"
        "in SENSES replaced by WORD#N, the sense whose context centre is nearest to\n"
        "the average of the surrounding words' vectors (the rule training used).",
        options};
    int npos = 0, code = parse_args(&usage, argc, argv, &npos);
    if (code >= 0)
        return code;
    struct senses_file f;
    if ((code = open_senses(&f, argv[0])) != 0)
        return code;
    int exit_code = W2V_EXIT_FAILURE;
    char *line = NULL;
    size_t line_cap = 0;
    float *ctx = w2v_calloc((size_t)f.vec.dim, sizeof *ctx);
    if (!ctx) {
        cli_error("out of memory");
        goto done;
    }
    if (npos > 1) {
        for (int i = 1; i < npos; i++)
            if (disambiguate_line(&f, argv[i], window, ctx) != 0) {
                cli_error("out of memory");
                goto done;
            }
    } else {
        errno = 0;
        while (getline(&line, &line_cap, stdin) >= 0) {
            if (disambiguate_line(&f, line, window, ctx) != 0) {
                cli_error("out of memory");
                goto done;
            }
            if (fflush(stdout) != 0) { /* a closed pipe, a full disk */
                exit_code = finish();
                goto done;
            }
        }
        /* getline also ends on a failed allocation: only the end of the
         * input is a normal end. */
        if (ferror(stdin) || !feof(stdin)) {
            cli_error("cannot read stdin: %s", strerror(errno ? errno : EIO));
            goto done;
        }
    }
    exit_code = finish();
done:
    free(line); /* getline's buffer comes from malloc */
    w2v_free(ctx);
    senses_file_release(&f);
    return exit_code;
}
