/* cmd_eval.c — `w2v eval-analogy` and `w2v eval-similarity`: read a vector
 * file and a test set, run eval.c, print a table or one JSON object. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "w2v/cli.h"
#include "w2v/eval.h"
#include "w2v/query.h"

#include "cmd_model.h"
#include "cmd_subword.h"
#include "common_internal.h"

#define MAX_RESTRICT 9e18

/* ---- output helpers -------------------------------------------------------- */

/* A number for JSON: NaN (an undefined correlation) becomes null. */
static void json_number(FILE *out, double x)
{
    if (isfinite(x))
        fprintf(out, "%.6f", x);
    else
        fputs("null", out);
}

static double fraction(int64_t num, int64_t den)
{
    return den > 0 ? (double)num / (double)den : 0.0;
}

static void warn_malformed(const char *path, int64_t count, int64_t first, const char *what)
{
    if (count > 0)
        fprintf(stderr,
                "w2v: warning: '%s': skipped %lld malformed line%s (first: line %lld; %s)\n", path,
                (long long)count, count == 1 ? "" : "s", (long long)first, what);
}

/* ---- the model, and --oov ------------------------------------------------------ */

#define OOV_OPTION(target)                                                                  \
    {"oov", NULL, 0, CLI_FLAG, &(target), NULL,                                             \
     "words outside the first N get vectors: a word further down VEC its own, an unseen "   \
     "word of a subword model the mean of its n-gram rows (the report gives both coverages)", \
     0, 1, NULL}

/* struct eval_oov's hook: a subword model's n-gram vector; a plain file
 * has none. */
static int oov_vector(void *ctx, const char *word, float *out, struct w2v_err *err)
{
    struct subword_lookup *sub = ctx;
    if (!sub)
        return 1;
    int rc = subword_lookup_unseen(sub, word, out, err);
    return rc == W2V_ENOTFOUND ? 1 : rc;
}

/* ---- eval-analogy ------------------------------------------------------------ */

int cli_parse_eval_method(void *target, const char *value, char *why, size_t why_cap)
{
    if (strcmp(value, "3cosadd") == 0)
        *(enum eval_method *)target = EVAL_3COSADD;
    else if (strcmp(value, "3cosmul") == 0)
        *(enum eval_method *)target = EVAL_3COSMUL;
    else {
        snprintf(why, why_cap, "expected 3cosadd or 3cosmul, not '%.100s'", value);
        return -1;
    }
    return 0;
}

static void print_section_row(const char *name, int64_t correct, int64_t total, int64_t skipped)
{
    char acc[32];
    if (total > 0)
        snprintf(acc, sizeof acc, "%.2f%%", 100.0 * fraction(correct, total));
    else
        snprintf(acc, sizeof acc, "-");
    printf("%-32s %9lld %9lld %9s", name, (long long)correct, (long long)total, acc);
    if (skipped >= 0)
        printf(" %9lld", (long long)skipped);
    fputc('\n', stdout);
}

static void print_analogy_table(const struct eval_analogy_result *r,
                                const struct query_model *m, const char *method, int oov)
{
    printf("%s, the first %lld of %lld words\n\n", method, (long long)r->rows_used,
           (long long)m->rows);
    printf("%-32s %9s %9s %9s %9s\n", "section", "correct", "total", "accuracy", "skipped");
    for (int32_t i = 0; i < r->n_sections; i++) {
        const struct eval_section_result *s = &r->sections[i];
        char name[33];
        /* Long section names are cut so the columns stay aligned. */
        snprintf(name, sizeof name, "%s", s->name);
        print_section_row(name, s->correct, s->total, s->skipped);
    }
    fputc('\n', stdout);
    print_section_row("semantic", r->semantic_correct, r->semantic_total, -1);
    print_section_row("syntactic", r->syntactic_correct, r->syntactic_total, -1);
    print_section_row("total", r->correct, r->total, r->skipped);
    int64_t asked = r->total + r->skipped;
    if (!oov) {
        printf("\ncoverage: %lld of %lld questions (%.2f%%); %lld skipped for a word outside the "
               "first %lld\n",
               (long long)r->total, (long long)asked, 100.0 * fraction(r->total, asked),
               (long long)r->skipped, (long long)r->rows_used);
        return;
    }
    printf("\ncoverage with --oov: %lld of %lld questions (%.2f%%), %lld skipped; %lld question "
           "words outside the first %lld got vectors (%lld further down, %lld from n-grams)\n",
           (long long)r->total, (long long)asked, 100.0 * fraction(r->total, asked),
           (long long)r->skipped, (long long)(r->oov_rows + r->oov_hook), (long long)r->rows_used,
           (long long)r->oov_rows, (long long)r->oov_hook);
    printf("coverage without:  %lld of %lld questions (%.2f%%), of which %lld correct (%.2f%%)\n",
           (long long)r->vocab_total, (long long)asked, 100.0 * fraction(r->vocab_total, asked),
           (long long)r->vocab_correct, 100.0 * fraction(r->vocab_correct, r->vocab_total));
}

static void print_analogy_json(const struct eval_analogy_result *r, int oov)
{
    printf("{\"accuracy\": %.6f, \"correct\": %lld, \"total\": %lld, \"skipped\": %lld, "
           "\"semantic\": {\"correct\": %lld, \"total\": %lld}, "
           "\"syntactic\": {\"correct\": %lld, \"total\": %lld}, \"sections\": [",
           fraction(r->correct, r->total), (long long)r->correct, (long long)r->total,
           (long long)r->skipped, (long long)r->semantic_correct, (long long)r->semantic_total,
           (long long)r->syntactic_correct, (long long)r->syntactic_total);
    for (int32_t i = 0; i < r->n_sections; i++) {
        const struct eval_section_result *s = &r->sections[i];
        fputs(i ? ", {\"name\": " : "{\"name\": ", stdout);
        w2v_json_write_string(stdout, s->name, strlen(s->name));
        printf(", \"correct\": %lld, \"total\": %lld}", (long long)s->correct,
               (long long)s->total);
    }
    fputc(']', stdout);
    if (oov)
        printf(", \"oov\": {\"words_from_rows\": %lld, \"words_from_ngrams\": %lld}, "
               "\"vocab_only\": {\"correct\": %lld, \"total\": %lld}",
               (long long)r->oov_rows, (long long)r->oov_hook, (long long)r->vocab_correct,
               (long long)r->vocab_total);
    fputs("}\n", stdout);
}

int cmd_eval_analogy(int argc, char **argv)
{
    int64_t restrict_rows = EVAL_DEFAULT_RESTRICT;
    enum eval_method method = EVAL_3COSADD;
    int json = 0, threads = 0, oov = 0;
    struct vectors_read_opts ro = {0};
    const struct cli_option options[] = {
        {"restrict", NULL, 0, CLI_INT64, &restrict_rows, "N",
         "use only the first N (most frequent) words (default 30000)", 1, MAX_RESTRICT, NULL},
        OOV_OPTION(oov),
        {"method", NULL, 0, CLI_CUSTOM, &method, "M",
         "3cosadd (b - a + c, default) or 3cosmul (Levy & Goldberg, epsilon 0.001)", 0, 0,
         cli_parse_eval_method},
        {"json", NULL, 0, CLI_FLAG, &json, NULL, "print one JSON object, scores as fractions",
         0, 1, NULL},
        CLI_OPTION_THREADS(&threads, "threads (default: all CPUs)"),
        CMD_READ_OPTIONS(ro),
        {0},
    };
    const struct cli_usage usage = {
        "eval-analogy", "VEC QUESTIONS [options]",
        "Analogy accuracy of the vectors in VEC (word2vec binary or text) on QUESTIONS, in the\n"
        "questions-words format: ': section' lines, then lines 'a b c d' meaning a is to b as\n"
        "c is to d. The answer is the word closest to b - a + c among the first N words, other\n"
        "than a, b and c; words are compared case-insensitively (ASCII), the first (most\n"
        "frequent) spelling standing for the others, as in gensim. Questions with a word\n"
        "outside the first N are skipped and counted. Sections whose name starts with 'gram'\n"
        "are syntactic, the others semantic. Blank lines are ignored; other lines that are not\n"
        "four words are skipped with a warning naming the first; a question before any\n"
        "section line is an error. VEC may be a subword model (train --subword-model): its\n"
        "words' vectors are evaluated. --oov lifts the restriction for a, b and c: a word\n"
        "further down VEC gets its own vector, an unseen word of a subword model the mean of\n"
        "its n-gram rows (stderr says so once); the answer is still sought among the first N\n"
        "words, so a question whose d is not among them stays skipped. The report then gives\n"
        "the coverage both ways.",
        options};
    int ex = cli_parse_exact(&usage, argc, argv, 2,
                             "expected a vector file and a questions file");
    if (ex >= 0)
        return ex;

    struct query_model m = {0};
    struct subword_lookup *sub = NULL;
    struct eval_questions qs;
    struct eval_analogy_result res;
    struct w2v_err err = {0};
    int rc = W2V_EXIT_OK;
    eval_questions_init(&qs);
    memset(&res, 0, sizeof res);
    int st = eval_questions_read(&qs, argv[1], &err);
    if (st != 0) {
        rc = cli_report(&err, st);
        goto done;
    }
    if ((rc = subword_lookup_open_any(&sub, &m, argv[0], 1, &ro, 1)) != 0)
        goto done;
    warn_malformed(argv[1], qs.malformed, qs.first_malformed_line,
                   "expected ': section' or four words");
    struct eval_analogy_options opt = {restrict_rows, method, threads, 0};
    const struct eval_oov hook = {oov_vector, sub};
    st = eval_analogy_oov(&m, &qs, &opt, oov ? &hook : NULL, &res, &err);
    if (st != 0) {
        rc = cli_report(&err, st);
        goto done;
    }
    if (json)
        print_analogy_json(&res, oov);
    else
        print_analogy_table(&res, &m, method == EVAL_3COSMUL ? "3CosMul" : "3CosAdd", oov);
    rc = cli_finish_stdout();
done:
    eval_analogy_result_release(&res);
    eval_questions_release(&qs);
    query_model_release(&m);
    subword_lookup_free(sub, rc == W2V_EXIT_OK);
    return rc;
}

/* ---- eval-similarity ----------------------------------------------------------- */

/* --delimiter C: one byte; "tab" or "\t" spell a tab. */
static int parse_delimiter(void *target, const char *value, char *why, size_t why_cap)
{
    char c = value[0];
    if (strcmp(value, "tab") == 0 || strcmp(value, "\\t") == 0)
        c = '\t';
    else if (value[0] == '\0' || value[1] != '\0' || value[0] == '\n') {
        snprintf(why, why_cap, "expected one character (or 'tab'), not '%.100s'", value);
        return -1;
    }
    *(char *)target = c;
    return 0;
}

/* --columns W1,W2,SCORE: three distinct 1-based column numbers. */
static int parse_columns(void *target, const char *value, char *why, size_t why_cap)
{
    /* target is the format's w1; w1, w2 and score are set together. */
    struct eval_pairs_format *f =
        (struct eval_pairs_format *)((char *)target - offsetof(struct eval_pairs_format, w1));
    struct eval_pairs_format t = *f;
    int64_t c[3];
    char buf[64];
    if (strlen(value) >= sizeof buf)
        goto bad;
    snprintf(buf, sizeof buf, "%s", value);
    char *p = buf;
    for (int i = 0; i < 3; i++) {
        char *comma = strchr(p, ',');
        if ((i < 2) != (comma != NULL))
            goto bad;
        if (comma)
            *comma = '\0';
        if (cli_parse_int64(p, 1, EVAL_MAX_COLUMN, &c[i]) != 0)
            goto bad;
        p = comma ? comma + 1 : p;
    }
    t.w1 = (int)c[0];
    t.w2 = (int)c[1];
    t.score = (int)c[2];
    if (eval_pairs_format_check(&t) != 0)
        goto bad;
    *f = t;
    return 0;
bad:
    snprintf(why, why_cap,
             "expected three different column numbers from 1 to %d as W1,W2,SCORE, not "
             "'%.100s'",
             EVAL_MAX_COLUMN, value);
    return -1;
}

int cmd_eval_similarity(int argc, char **argv)
{
    int64_t restrict_rows = 0;
    struct vectors_read_opts ro = {0};
    int json = 0, oov = 0;
    struct eval_pairs_format fmt = {0};
    const struct cli_option options[] = {
        {"restrict", NULL, 0, CLI_INT64, &restrict_rows, "N",
         "use only the first N (most frequent) words (default all)", 1, MAX_RESTRICT, NULL},
        OOV_OPTION(oov),
        {"json", NULL, 0, CLI_FLAG, &json, NULL, "print one JSON object", 0, 1, NULL},
        CMD_READ_OPTIONS(ro),
        {"delimiter", NULL, 0, CLI_CUSTOM, &fmt.delimiter, "C",
         "fields are separated by each C ('tab' for a tab; default: runs of spaces/tabs)", 0, 0,
         parse_delimiter},
        {"columns", NULL, 0, CLI_CUSTOM, &fmt.w1, "W1,W2,S",
         "1-based columns of the two words and the score, other fields ignored (default 1,2,3, "
         "exactly three fields)",
         0, 0, parse_columns},
        {0},
    };
    const struct cli_usage usage = {
        "eval-similarity", "VEC PAIRS [options]",
        "Spearman and Pearson correlation between the cosine of word pairs in VEC (word2vec\n"
        "binary or text) and human scores in PAIRS: lines 'word1 word2 score', tab or space\n"
        "separated (wordsim353, SimLex-999 word columns, MEN...). Words are compared\n"
        "case-insensitively (ASCII), the first (most frequent) spelling standing for the\n"
        "others, as in gensim; pairs with an unknown word are skipped and counted. Spearman\n"
        "gives tied values their average rank. Lines starting with '#' and blank lines are\n"
        "ignored, and so is a first line that is not a pair (a header); other lines that are\n"
        "not 'word word number' are skipped with a warning naming the first. --delimiter and\n"
        "--columns read other layouts: SimLex-999 is --delimiter tab --columns 1,2,4.\n"
        "VEC may be a subword model (train --subword-model); with --oov a word outside the\n"
        "first N gets a vector as eval-analogy --oov says, and the report gives the pairs\n"
        "both ways.",
        options};
    int ex = cli_parse_exact(&usage, argc, argv, 2,
                             "expected a vector file and a pairs file");
    if (ex >= 0)
        return ex;

    struct query_model m = {0};
    struct subword_lookup *sub = NULL;
    struct eval_pairs ps;
    struct eval_similarity_result res;
    struct w2v_err err = {0};
    int rc = W2V_EXIT_OK;
    eval_pairs_init(&ps);
    int st = eval_pairs_read_format(&ps, argv[1], &fmt, &err);
    if (st != 0) {
        rc = cli_report(&err, st);
        goto done;
    }
    if ((rc = subword_lookup_open_any(&sub, &m, argv[0], 1, &ro, 1)) != 0)
        goto done;
    warn_malformed(argv[1], ps.malformed, ps.first_malformed_line,
                   "expected 'word1 word2 score'");
    const struct eval_oov hook = {oov_vector, sub};
    st = eval_similarity_oov(&m, &ps, restrict_rows, oov ? &hook : NULL, &res, &err);
    if (st != 0) {
        rc = cli_report(&err, st);
        goto done;
    }
    if (json) {
        fputs("{\"spearman\": ", stdout);
        json_number(stdout, res.spearman);
        fputs(", \"pearson\": ", stdout);
        json_number(stdout, res.pearson);
        printf(", \"pairs\": %lld, \"skipped\": %lld", (long long)res.pairs,
               (long long)res.skipped);
        if (oov)
            printf(", \"oov\": {\"words_from_rows\": %lld, \"words_from_ngrams\": %lld}, "
                   "\"vocab_only_pairs\": %lld",
                   (long long)res.oov_rows, (long long)res.oov_hook, (long long)res.vocab_pairs);
        fputs("}\n", stdout);
    } else {
        printf("%-10s %lld\n%-10s %lld (a word not in the vocabulary)\n", "pairs",
               (long long)res.pairs, "skipped", (long long)res.skipped);
        if (oov)
            printf("%-10s %lld pairs without --oov; %lld words got vectors with it (%lld further "
                   "down, %lld from n-grams)\n",
                   "coverage", (long long)res.vocab_pairs, (long long)(res.oov_rows + res.oov_hook),
                   (long long)res.oov_rows, (long long)res.oov_hook);
        if (isfinite(res.spearman))
            printf("%-10s %.4f\n", "spearman", res.spearman);
        else
            printf("%-10s undefined (fewer than 2 pairs, or constant scores)\n", "spearman");
        if (isfinite(res.pearson))
            printf("%-10s %.4f\n", "pearson", res.pearson);
        else
            printf("%-10s undefined (fewer than 2 pairs, or constant scores)\n", "pearson");
    }
    rc = cli_finish_stdout();
done:
    eval_pairs_release(&ps);
    query_model_release(&m);
    subword_lookup_free(sub, rc == W2V_EXIT_OK);
    return rc;
}
