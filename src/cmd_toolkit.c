/* cmd_toolkit.c — `w2v doesnt-match`: gensim's odd one out.
 *
 * With words on the command line it answers them; with none, one query per
 * line of stdin, each answered as soon as it is read (one line per answer,
 * or, under --verbose, a block followed by a blank line), so it composes in
 * pipes the way nearest does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w2v/cli.h"
#include "w2v/query.h"

#include "cmd_model.h"
#include "cmd_subword.h"
#include "common_internal.h"

struct odd_cli {
    int verbose;
    int json;
    int no_map;
    struct subword_lookup *sub; /* VEC is a subword model: unseen words' n-grams, or NULL */
    struct vectors_read_opts read; /* --no-header */
};

/* Answer one query: look its words up, score them, print. Returns 0, or an
 * exit status after printing one error line; a failed query still prints
 * an empty answer (an empty line, or null) when align is set, so stdin
 * answers stay in step with the input lines. */
static int answer_odd(const struct query_model *m, const char *path, struct odd_cli *o,
                      char **words, size_t n, int align)
{
    int status = W2V_EXIT_OK;
    int64_t *rows = w2v_calloc(n ? n : 1, sizeof *rows);
    float *scores = w2v_calloc(n ? n : 1, sizeof *scores);
    size_t *order = w2v_calloc(n ? n : 1, sizeof *order);
    if (!rows || !scores || !order) {
        status = cli_error("out of memory");
        goto fail;
    }
    if (n < 2) {
        status = cli_error("doesnt-match needs at least 2 words, got %zu", n);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        char why[480];
        if (o->sub) {
            if (subword_lookup_find(o->sub, m, words[i], &rows[i], why, sizeof why) != 0) {
                status = cli_error("%s", why);
                goto fail;
            }
        } else if ((rows[i] = query_model_find(m, words[i])) < 0) {
            status = cli_error("'%s' is not in the vocabulary of '%s'", words[i], path);
            goto fail;
        }
    }
    struct w2v_err err = {0};
    size_t odd = 0;
    int rc = o->sub ? subword_lookup_doesnt_match(o->sub, m, rows, n, scores, &odd, &err)
                    : query_doesnt_match(m, rows, n, scores, &odd, &err);
    if (rc < 0) {
        status = cli_report(&err, rc);
        goto fail;
    }
    if (o->json) {
        /* Scores in the order given; "odd" names the answer. */
        fputs("{\"odd\": ", stdout);
        w2v_json_write_string(stdout, words[odd], strlen(words[odd]));
        fputs(", \"scores\": [", stdout);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ", {\"word\": " : "{\"word\": ", stdout);
            w2v_json_write_string(stdout, words[i], strlen(words[i]));
            printf(", \"score\": %.6f}", (double)scores[i]);
        }
        fputs("]}\n", stdout);
    } else if (o->verbose) {
        /* Lowest score first, so line 1 is the answer in either mode; a
         * stable insertion sort keeps equal scores in input order, so the
         * first line is query_doesnt_match's choice (the earliest lowest). */
        for (size_t i = 0; i < n; i++) {
            size_t j = i;
            for (; j > 0 && scores[order[j - 1]] > scores[i]; j--)
                order[j] = order[j - 1];
            order[j] = i;
        }
        for (size_t i = 0; i < n; i++)
            printf("%s\t%.6f\n", words[order[i]], (double)scores[order[i]]);
        if (align)
            fputc('\n', stdout);
    } else {
        printf("%s\n", words[odd]);
    }
fail:
    if (status != W2V_EXIT_OK && align)
        fputs(o->json ? "null\n" : "\n", stdout);
    w2v_free(rows);
    w2v_free(scores);
    w2v_free(order);
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error("cannot write the answers: %s", strerror(errno));
    return status;
}

/* One query per stdin line, words split on spaces, tabs and CR. */
static int run_stdin(const struct query_model *m, const char *path, struct odd_cli *o)
{
    char *line = NULL, **words = NULL;
    size_t cap = 0, words_cap = 0;
    int status = W2V_EXIT_OK;
    ssize_t got;
    errno = 0;
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        /* A line of L bytes holds at most L / 2 + 1 words. */
        size_t need = (size_t)got / 2 + 1;
        if (need > words_cap) {
            char **nw = w2v_realloc(words, need * sizeof *words);
            if (!nw) {
                status = cli_error("out of memory");
                goto fail;
            }
            words = nw;
            words_cap = need;
        }
        size_t n = 0;
        char *save = NULL;
        for (char *w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save))
            words[n++] = w;
        if (n == 0)
            continue; /* blank lines ask nothing */
        int rc = answer_odd(m, path, o, words, n, 1);
        if (rc != W2V_EXIT_OK)
            status = W2V_EXIT_FAILURE; /* reported; go on with the next line */
    }
    if (ferror(stdin))
        status = cli_error("cannot read queries from stdin: %s", strerror(errno));
fail:
    free(line); /* getline's buffer comes from malloc */
    w2v_free(words);
    return status;
}

int cmd_doesnt_match(int argc, char **argv)
{
    struct odd_cli o = {0};
    const struct cli_option options[] = {
        {"verbose", NULL, 'v', CLI_FLAG, &o.verbose, NULL,
         "print every word with its score, the odd one first", 0, 1, NULL},
        {"json", NULL, 0, CLI_FLAG, &o.json, NULL,
         "print {\"odd\", \"scores\": [{\"word\",\"score\"}...]} (one per line on stdin)", 0, 1,
         NULL},
        {"no-map", NULL, 0, CLI_FLAG, &o.no_map, NULL,
         "read a binary file into memory instead of mapping it", 0, 1, NULL},
        CMD_NO_HEADER_OPTION(o.read.no_header),
        {0}};
    const struct cli_usage usage = {
        "doesnt-match", "VEC [WORD WORD...] [options]",
        "Print the word that does not match the others, by gensim's rule: the\n"
        "one least similar (by cosine) to the normalised mean of the words' unit\n"
        "vectors; equal scores go to the earlier word. --verbose prints every\n"
        "word with that cosine, lowest first. Without words, read one query per\n"
        "line from stdin (--verbose: each answer followed by a blank line); a\n"
        "failed query prints an error and an empty answer (null with --json),\n"
        "and the exit status is then 1. VEC may be a subword model (train\n"
        "--subword-model): a word it has not seen gets the mean of its n-gram\n"
        "rows (stderr says so once).",
        options};
    int npos;
    int ex = cli_parse_min(&usage, argc, argv, 1, "missing the vector file VEC", &npos);
    if (ex >= 0)
        return ex;
    if (npos == 2)
        return cli_usage_error(&usage, "doesnt-match needs at least 2 words, got 1");
    const char *path = argv[0];
    struct query_model m = {0};
    int status = subword_lookup_open_any(&o.sub, &m, path, !o.no_map, &o.read, 0);
    if (status != 0)
        return status;
    status = npos == 1 ? run_stdin(&m, path, &o)
                           : answer_odd(&m, path, &o, argv + 1, (size_t)npos - 1, 0);
    query_model_release(&m);
    subword_lookup_free(o.sub, status == W2V_EXIT_OK);
    return status;
}
