/* cmd_phrases.c — `w2v phrases IN -o OUT`: options, the atomic output
 * file and a summary line per pass. The work is in phrases.c. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common_internal.h"
#include "w2v/cli.h"
#include "w2v/phrases.h"

/* Set by the SIGINT/SIGTERM handler to the signal number; the passes poll
 * it and end with W2V_EINTR, so the temporary files are removed. */
static volatile sig_atomic_t phrases_signal;

static void on_signal(int signo) { phrases_signal = signo; }

/* --threshold T[,T...]: one value per pass. */
struct threshold_list {
    double v[PHRASES_MAX_PASSES];
    int n;
};

static int parse_thresholds(void *target, const char *value, char *why, size_t cap)
{
    struct threshold_list *l = target;
    char buf[64];
    l->n = 0;
    for (const char *p = value;; p++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (l->n == PHRASES_MAX_PASSES) {
            snprintf(why, cap, "at most %d thresholds (one per pass)", PHRASES_MAX_PASSES);
            return -1;
        }
        if (len >= sizeof buf || (snprintf(buf, sizeof buf, "%.*s", (int)len, p),
                                  cli_parse_double(buf, -1e300, 1e300, &l->v[l->n]) != 0)) {
            snprintf(why, cap, "expected a number or a comma-separated list of numbers, not '%.100s'",
                     value);
            return -1;
        }
        l->n++;
        if (!comma)
            return 0;
        p = comma;
    }
}

static int parse_scoring(void *target, const char *value, char *why, size_t cap)
{
    if (strcmp(value, "default") == 0 || strcmp(value, "word2phrase") == 0)
        *(int *)target = PHRASES_SCORE_DEFAULT;
    else if (strcmp(value, "npmi") == 0)
        *(int *)target = PHRASES_SCORE_NPMI;
    else {
        snprintf(why, cap, "expected default or npmi, not '%.100s'", value);
        return -1;
    }
    return 0;
}

int cmd_phrases(int argc, char **argv)
{
    const char *output = NULL, *train_opt = NULL, *connectors_path = NULL;
    struct threshold_list thr = {{0}, 0};
    int scoring = PHRASES_SCORE_DEFAULT, passes = 0, threads = 0, quiet = 0;
    int64_t min_count = 5, max_vocab = 20000000;
    const struct cli_option options[] = {
        {"output", "output", 'o', CLI_STRING, &output, "OUT", "write the phrased text to OUT, '-' for stdout (required)", 0, 0, NULL},
        {"train", "train", 0, CLI_STRING, &train_opt, "FILE", "the input, instead of the IN argument", 0, 0, NULL},
        {"min-count", "min-count", 0, CLI_INT64, &min_count, "N", "words and phrases seen fewer than N times never join (default 5)", 1, 9e18, NULL},
        {"threshold", "threshold", 0, CLI_CUSTOM, &thr, "T[,T...]", "join when the score exceeds T; one T per pass, e.g. 200,100 (default 100; npmi: 0.5)", 0, 0, parse_thresholds},
        {"passes", NULL, 0, CLI_INT, &passes, "N", "passes, each joining up to pairs of the previous one's tokens (default: one per threshold)", 1, PHRASES_MAX_PASSES, NULL},
        {"scoring", NULL, 0, CLI_CUSTOM, &scoring, "default|npmi", "word2phrase's score (default) or gensim's normalised PMI in [-1, 1]", 0, 0, parse_scoring},
        {"connector-words", NULL, 0, CLI_STRING, &connectors_path, "FILE", "words (one per line) that may sit inside a phrase but never start or end one", 0, 0, NULL},
        {"max-vocab", NULL, 0, CLI_INT64, &max_vocab, "N", "prune the rarest words and pairs while counting beyond N entries (default 20000000; 0: no limit)", 0, 2e9, NULL},
        {"threads", "threads", 0, CLI_INT, &threads, "N", "counting threads (default: online CPUs)", 1, 1024, NULL},
        {"quiet", NULL, 'q', CLI_FLAG, &quiet, NULL, "print nothing but errors", 0, 0, NULL},
        {0},
    };
    const struct cli_usage usage = {
        "phrases", "IN -o OUT [options]",
        "Join frequent word pairs of IN with '_' (new york -> new_york), as the original\n"
        "word2phrase does, and write the text to OUT. IN and OUT may be '-' (stdin,\n"
        "stdout). Several passes (--threshold 200,100) build longer phrases. OUT is\n"
        "written through a temporary file renamed into place when complete.",
        options};
    int npos = 0;
    int ex = cli_parse_command(&usage, argc, argv, &npos);
    if (ex >= 0)
        return ex;
    if (npos > 1)
        return cli_usage_error(&usage, "unexpected argument '%s'", argv[1]);
    if (npos == 1 && train_opt)
        return cli_usage_error(&usage, "the input is given twice ('%s' and -train '%s')",
                               argv[0], train_opt);
    const char *input = npos == 1 ? argv[0] : train_opt;
    if (!input)
        return cli_usage_error(&usage, "no input given (a file, or '-' for stdin)");
    if (!output)
        return cli_usage_error(&usage, "no output file given (-o OUT, or -o - for stdout)");

    struct phrases_options o;
    phrases_options_default(&o);
    o.min_count = min_count;
    o.scoring = (enum phrases_scoring)scoring;
    o.max_vocab = max_vocab;
    if (thr.n == 0) {
        thr.v[0] = scoring == PHRASES_SCORE_NPMI ? 0.5 : 100.0;
        thr.n = 1;
    }
    o.passes = passes > 0 ? passes : thr.n;
    if (thr.n != 1 && thr.n != o.passes)
        return cli_usage_error(&usage, "%d thresholds for %d passes: give one, or one per pass",
                               thr.n, o.passes);
    for (int i = 0; i < o.passes; i++)
        o.threshold[i] = thr.v[thr.n == 1 ? 0 : i];
    if (threads == 0)
        threads = w2v_cpu_count(1024);
    o.threads = threads;
    struct w2v_err err = {0};
    if (phrases_options_check(&o, &err) != 0)
        return cli_usage_error(&usage, "%s", err.message);

    struct vocab connectors;
    struct w2v_outfile out = {0};
    struct phrases_pass_stats stats[PHRASES_MAX_PASSES];
    int rc;
    vocab_init(&connectors);
    if (connectors_path) {
        if ((rc = phrases_connectors_load(&connectors, connectors_path, &err)) != 0)
            goto fail;
        o.connectors = &connectors;
    }
    int to_stdout = strcmp(output, "-") == 0;
    FILE *fp = stdout;
    if (!to_stdout) {
        if ((rc = w2v_outfile_open(&out, output, &err)) != 0)
            goto fail;
        fp = out.fp;
    }
    static char outbuf[1 << 20];
    setvbuf(fp, outbuf, _IOFBF, sizeof outbuf);
    cli_catch_stop_signals(on_signal, NULL);
    o.stop = &phrases_signal;
    int from_stdin = strcmp(input, "-") == 0;
    if ((rc = phrases_run(from_stdin ? NULL : input, stdin, fp, &o, stats, &err)) != 0)
        goto fail;
    if (!to_stdout && (rc = w2v_outfile_commit(&out, &err)) != 0)
        goto fail;
    if (!quiet)
        for (int i = 0; i < o.passes; i++)
            fprintf(stderr,
                    "w2v: pass %d: %lld words in, %lld phrases joined (threshold %g), %lld "
                    "counting entries%s\n",
                    i + 1, (long long)stats[i].words_in, (long long)stats[i].phrases,
                    o.threshold[i], (long long)stats[i].table_size,
                    stats[i].pruned > 0 ? " (some pruned: --max-vocab)" : "");
    vocab_release(&connectors);
    return W2V_EXIT_OK;
fail:
    w2v_outfile_abort(&out);
    vocab_release(&connectors);
    if (phrases_signal) {
        cli_error("interrupted by signal %d; '%s' was not written", (int)phrases_signal, output);
        return 128 + (int)phrases_signal;
    }
    /* Input problems are data problems, never usage ones. */
    return cli_report(&err, rc == W2V_EINVAL ? W2V_EFORMAT : rc);
}
