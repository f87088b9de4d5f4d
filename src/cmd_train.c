/* cmd_train.c — `w2v train CORPUS -o OUT [options]`: options, the
 * vocabulary and corpus passes, training with a progress line, and the
 * output file. The only code of the trainer that prints. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "w2v/cli.h"
#include "w2v/corpus.h"
#include "w2v/tokenizer.h"
#include "w2v/train.h"
#include "w2v/vectors.h"
#include "w2v/vocab.h"

/* The one piece of process-global state: set by the SIGINT/SIGTERM
 * handler (to the signal number), read by the monitor, which runs in the
 * main thread every ~100 ms and asks the trainer threads to stop. Worker
 * threads block all signals (train_run), so the handler always runs in the
 * main thread and this flag is only touched there. */
static volatile sig_atomic_t train_signal;

static void on_signal(int signo) { train_signal = signo; }

struct train_args {
    const char *corpus;
    const char *output;
    const char *save_vocab;
    const char *read_vocab;
    const char *senses_output;
    int senses, senses_vocab;
    double senses_threshold;
    int model;        /* enum train_arch */
    int kernel;       /* enum train_kernel */
    int negative, hs, cbow_sum, dim, window, epochs, threads;
    double ns_exponent, sample, alpha;
    int64_t min_count, max_vocab, seed;
    int text, progress, quiet, debug;
};

static int parse_model(void *target, const char *value, char *why, size_t cap)
{
    if (strcmp(value, "cbow") == 0)
        *(int *)target = TRAIN_CBOW;
    else if (strcmp(value, "skipgram") == 0 || strcmp(value, "skip-gram") == 0 ||
             strcmp(value, "sg") == 0)
        *(int *)target = TRAIN_SKIPGRAM;
    else {
        snprintf(why, cap, "expected cbow or skipgram, not '%s'", value);
        return -1;
    }
    return 0;
}

/* The original's -cbow 0|1. */
static int parse_cbow01(void *target, const char *value, char *why, size_t cap)
{
    int64_t v;
    if (cli_parse_int64(value, 0, 1, &v) != 0) {
        snprintf(why, cap, "takes 0 (skip-gram) or 1 (CBOW), not '%s'", value);
        return -1;
    }
    *(int *)target = v ? TRAIN_CBOW : TRAIN_SKIPGRAM;
    return 0;
}

/* The original's -binary 0|1; the target is the --text flag. */
static int parse_binary01(void *target, const char *value, char *why, size_t cap)
{
    int64_t v;
    if (cli_parse_int64(value, 0, 1, &v) != 0) {
        snprintf(why, cap, "takes 0 (text) or 1 (binary), not '%s'", value);
        return -1;
    }
    *(int *)target = v ? 0 : 1;
    return 0;
}

static int parse_kernel(void *target, const char *value, char *why, size_t cap)
{
    enum train_kernel k;
    if (train_kernel_parse(value, &k) != 0) {
        snprintf(why, cap, "unknown kernel '%s' (known: reference, batched)", value);
        return -1;
    }
    *(int *)target = (int)k;
    return 0;
}

/* "1.5 GB" style, for messages. */
static void format_bytes(char *buf, size_t cap, double bytes)
{
    const char *units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 6) {
        bytes /= 1024.0;
        u++;
    }
    snprintf(buf, cap, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

/* The directory of path must exist and be writable, checked before hours
 * of training rather than after. An existing device or pipe (-o /dev/null)
 * is written in place, so only it needs to be writable. */
static int check_writable_dir(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cli_error("cannot write '%s': it is a directory", path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (access(path, W_OK) != 0)
            return cli_error("cannot write '%s': %s", path, strerror(errno));
        return 0;
    }
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (access(dir, W_OK | X_OK) != 0)
        return cli_error("cannot write '%s': directory '%s': %s", path, dir, strerror(errno));
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void format_duration(char *buf, size_t cap, double s)
{
    if (!(s >= 0.0) || s > 1e8) {
        snprintf(buf, cap, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

struct monitor_state {
    int show;           /* draw the progress line */
    double last_draw;   /* elapsed seconds at the last draw */
    int drawn;
};

/* Called by train_run from the main thread: draws the progress line a few
 * times a second and turns a caught signal into a stop request. */
static int train_monitor(void *ctx, const struct train_progress *p)
{
    struct monitor_state *m = ctx;
    if (m->show && (p->finished || p->elapsed - m->last_draw >= 0.25)) {
        double rate = p->elapsed > 0 ? (double)p->words_done / p->elapsed : 0.0;
        double pct = p->words_total > 0 ? 100.0 * (double)p->words_done / (double)p->words_total : 0;
        char el[32], eta[32];
        format_duration(el, sizeof el, p->elapsed);
        format_duration(eta, sizeof eta,
                        rate > 0 ? (double)(p->words_total - p->words_done) / rate : -1.0);
        fprintf(stderr, "\r%5.1f%%  epoch %d/%d  alpha %.6f  %.0fk words/s  elapsed %s  eta %s  ",
                pct, p->epoch, p->epochs, p->alpha, rate / 1000.0, el, eta);
        if (p->finished)
            fputc('\n', stderr);
        fflush(stderr);
        m->last_draw = p->elapsed;
        m->drawn = 1;
    }
    return train_signal != 0;
}

int cmd_train(int argc, char **argv)
{
    struct train_args a;
    memset(&a, 0, sizeof a);
    struct train_options defaults;
    train_options_default(&defaults);
    a.model = defaults.arch;
    a.kernel = defaults.kernel;
    a.negative = defaults.negative;
    a.ns_exponent = defaults.ns_exponent;
    a.dim = defaults.dim;
    a.window = defaults.window;
    a.sample = defaults.sample;
    a.alpha = -1.0; /* not given: depends on the model */
    a.epochs = defaults.epochs;
    a.threads = 0;  /* not given: online CPUs */
    a.seed = (int64_t)defaults.seed;
    a.min_count = 5;
    /* The original prunes at 0.7 of its 30M-slot table: generous for any real
     * corpus (~2 GB of table at most), yet a stream of random tokens cannot
     * exhaust memory. */
    a.max_vocab = 21000000;
    a.debug = -1;
    a.senses_vocab = defaults.senses_vocab;
    a.senses_threshold = defaults.senses_threshold;
    const char *train_opt = NULL;

    const struct cli_option options[] = {
        {"output", "output", 'o', CLI_STRING, &a.output, "OUT", "write the vectors to OUT (required)", 0, 0, NULL},
        {"train", "train", 0, CLI_STRING, &train_opt, "FILE", "the corpus, instead of the CORPUS argument", 0, 0, NULL},
        {"model", NULL, 0, CLI_CUSTOM, &a.model, "cbow|skipgram", "the model (default cbow)", 0, 0, parse_model},
        {"cbow", "cbow", 0, CLI_CUSTOM, &a.model, "0|1", "1: --model cbow, 0: --model skipgram", 0, 0, parse_cbow01},
        {"negative", "negative", 0, CLI_INT, &a.negative, "K", "negative samples per word (default 5; 0: none, needs --hs)", 0, 1000, NULL},
        {"ns-exponent", NULL, 0, CLI_DOUBLE, &a.ns_exponent, "X", "negatives drawn from count^X (default 0.75)", -10, 10, NULL},
        {"hs", "hs", 0, CLI_FLAG, &a.hs, NULL, "use hierarchical softmax (default off)", 0, 0, NULL},
        {"cbow-sum", NULL, 0, CLI_FLAG, &a.cbow_sum, NULL, "CBOW sums the context vectors instead of averaging", 0, 0, NULL},
        {"dim", "size", 0, CLI_INT, &a.dim, "D", "vector dimensions (default 100)", 1, 1e9, NULL},
        {"window", "window", 0, CLI_INT, &a.window, "N", "maximum context distance (default 5)", 1, 1000, NULL},
        {"sample", "sample", 0, CLI_DOUBLE, &a.sample, "T", "subsampling threshold (default 1e-3; 0: off)", 0, 1, NULL},
        {"alpha", "alpha", 0, CLI_DOUBLE, &a.alpha, "A", "starting learning rate (default 0.05 cbow, 0.025 skipgram)", 1e-9, 10, NULL},
        {"epochs", "iter", 0, CLI_INT, &a.epochs, "N", "passes over the corpus (default 5)", 1, 1000000, NULL},
        {"min-count", "min-count", 0, CLI_INT64, &a.min_count, "N", "drop words seen fewer than N times (default 5)", 1, 9e18, NULL},
        {"max-vocab", NULL, 0, CLI_INT64, &a.max_vocab, "N", "prune rare words while counting beyond N distinct words (default 21000000; 0: no limit)", 0, 2e9, NULL},
        {"threads", "threads", 0, CLI_INT, &a.threads, "N", "training threads (default: online CPUs)", 1, 1024, NULL},
        {"seed", NULL, 0, CLI_INT64, &a.seed, "N", "random seed; with --threads 1 the output is reproducible (default 1)", 0, 9e18, NULL},
        {"text", NULL, 0, CLI_FLAG, &a.text, NULL, "write the text format instead of binary", 0, 0, NULL},
        {"binary", "binary", 0, CLI_CUSTOM, &a.text, "0|1", "1: binary output (default), 0: --text", 0, 0, parse_binary01},
        {"save-vocab", "save-vocab", 0, CLI_STRING, &a.save_vocab, "FILE", "write the vocabulary (word count per line) to FILE", 0, 0, NULL},
        {"read-vocab", "read-vocab", 0, CLI_STRING, &a.read_vocab, "FILE", "take the vocabulary from FILE instead of counting the corpus", 0, 0, NULL},
        {"kernel", NULL, 0, CLI_CUSTOM, &a.kernel, "NAME", "training kernel: batched (default) or reference", 0, 0, parse_kernel},
        {"senses", NULL, 0, CLI_INT, &a.senses, "K", "also learn up to K sense vectors per frequent word (skip-gram, NS; needs --senses-output)", 1, W2V_SENSES_MAX, NULL},
        {"senses-output", NULL, 0, CLI_STRING, &a.senses_output, "FILE", "write the sense vectors (WORD#1..WORD#n) to FILE and their context centres to FILE.ctx", 0, 0, NULL},
        {"senses-vocab", NULL, 0, CLI_INT, &a.senses_vocab, "N", "the N most frequent words get senses (default 30000)", 1, 2e9, NULL},
        {"senses-threshold", NULL, 0, CLI_DOUBLE, &a.senses_threshold, "L", "open a new sense when a context's best cosine to the centres is below L (default 0.25)", -1, 1, NULL},
        {"progress", NULL, 0, CLI_FLAG, &a.progress, NULL, "show the progress line even when stderr is not a terminal", 0, 0, NULL},
        {"quiet", NULL, 'q', CLI_FLAG, &a.quiet, NULL, "print nothing but errors", 0, 0, NULL},
        {"debug", "debug", 0, CLI_INT, &a.debug, "N", "the original's verbosity: 0 is --quiet", 0, 10, NULL},
        {0},
    };
    const struct cli_usage usage = {
        "train", "CORPUS -o OUT [options]",
        "Learn word vectors from CORPUS (plain text, one sentence or paragraph per line,\n"
        "words separated by spaces) and write them to OUT in the word2vec binary format.\n"
        "The original word2vec's options (-train, -output, -size, -cbow, -hs, -iter, ...)\n"
        "are accepted too.",
        options};

    int npos = 0;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &npos);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    if (npos > 1)
        return cli_usage_error(&usage, "unexpected argument '%s'", argv[1]);
    if (npos == 1 && train_opt)
        return cli_usage_error(&usage, "the corpus is given twice ('%s' and -train '%s')", argv[0],
                               train_opt);
    a.corpus = npos == 1 ? argv[0] : train_opt;
    if (!a.corpus)
        return cli_usage_error(&usage, "no corpus given");
    if (!a.output)
        return cli_usage_error(&usage, "no output file given (-o OUT)");
    if (a.debug == 0)
        a.quiet = 1;
    if (a.senses > 0 && !a.senses_output)
        return cli_usage_error(&usage, "--senses needs --senses-output FILE for the sense vectors");
    if (a.senses_output && a.senses == 0)
        return cli_usage_error(&usage, "--senses-output needs --senses K");
    if (a.senses_output && strcmp(a.senses_output, a.output) == 0)
        return cli_usage_error(&usage, "--senses-output must differ from the output file");
    if (a.dim > W2V_MAX_DIM) {
        char per[32];
        format_bytes(per, sizeof per, 2.0 * 4.0 * (double)a.dim * 1000.0);
        return cli_usage_error(&usage,
                               "--dim %d is too large: at most %d (the model would need %s "
                               "per 1000 words of vocabulary)",
                               a.dim, W2V_MAX_DIM, per);
    }
    if (a.threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        a.threads = cpus < 1 ? 1 : cpus > 1024 ? 1024 : (int)cpus;
    }

    struct train_options o = defaults;
    o.arch = (enum train_arch)a.model;
    o.kernel = (enum train_kernel)a.kernel;
    o.dim = a.dim;
    o.window = a.window;
    o.negative = a.negative;
    o.ns_exponent = a.ns_exponent;
    o.hs = a.hs;
    o.cbow_sum = a.cbow_sum;
    o.sample = a.sample;
    o.alpha = a.alpha > 0 ? a.alpha : train_default_alpha(o.arch);
    o.epochs = a.epochs;
    o.threads = a.threads;
    o.seed = (uint64_t)a.seed;
    o.senses = a.senses;
    o.senses_vocab = a.senses_vocab;
    o.senses_threshold = a.senses_threshold;
    struct w2v_err err;
    memset(&err, 0, sizeof err);
    if (train_options_check(&o, &err) != 0)
        return cli_usage_error(&usage, "%s", err.message);

    if (check_writable_dir(a.output) != 0)
        return W2V_EXIT_FAILURE;
    if (a.save_vocab && check_writable_dir(a.save_vocab) != 0)
        return W2V_EXIT_FAILURE;
    if (a.senses_output && check_writable_dir(a.senses_output) != 0)
        return W2V_EXIT_FAILURE;

    struct vocab vocab;
    struct corpus corpus;
    struct trainer tr;
    int64_t *counts = NULL;
    const char **words = NULL;
    int status = 0, exit_code = W2V_EXIT_FAILURE;
    vocab_init(&vocab);
    corpus_init(&corpus);
    memset(&tr, 0, sizeof tr);
    double t0 = now_seconds();

    if (a.read_vocab) {
        status = vocab_load(&vocab, a.read_vocab, a.min_count, &err);
    } else {
        struct vocab_options vo = {a.min_count, a.max_vocab};
        int64_t cut = 0;
        status = vocab_build_from_file(&vocab, a.corpus, &vo, &cut, &err);
        if (status == 0 && cut > 0 && !a.quiet)
            fprintf(stderr, "w2v: %lld over-long words were cut to %d bytes\n", (long long)cut,
                    W2V_MAX_WORD_BYTES);
        /* --max-vocab trades rare words for bounded memory: say how many. */
        if (status == 0 && vocab.words_pruned > 0 && !a.quiet)
            fprintf(stderr,
                    "w2v: pruned %lld rare words while counting (--max-vocab %lld)\n",
                    (long long)vocab.words_pruned, (long long)a.max_vocab);
    }
    if (status != 0)
        goto report;

    /* Until here a signal simply ends the process (nothing has been
     * written); from here on files are written and threads run, so a
     * signal is turned into an orderly stop. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (a.save_vocab) {
        status = vocab_save(&vocab, a.save_vocab, &err);
        if (status != 0)
            goto report;
    }

    /* Refuse a model that cannot fit before allocating any of it. */
    size_t need;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (train_memory_bytes(&o, vocab.size, &need) != 0 ||
        (pages > 0 && page > 0 && (double)need > (double)pages * (double)page)) {
        char want[32], have[32];
        format_bytes(want, sizeof want,
                     4.0 * (1.0 + o.hs + (o.negative > 0)) * (double)vocab.size * (double)o.dim);
        format_bytes(have, sizeof have, (double)pages * (double)page);
        cli_error("a model of %ld words x %d dimensions needs at least %s, more than this "
                  "machine's %s of memory",
                  (long)vocab.size, o.dim, want, have);
        goto done;
    }

    status = corpus_encode_file(&corpus, &vocab, a.corpus, a.read_vocab ? 0 : vocab.total_words,
                                &err);
    if (status != 0)
        goto report;
    if (train_signal)
        goto interrupted;
    if (!a.quiet)
        fprintf(stderr, "w2v: %ld words in the vocabulary, %lld words to train per epoch (%.1f s)\n",
                (long)vocab.size, (long long)corpus.words, now_seconds() - t0);

    counts = w2v_calloc((size_t)vocab.size, sizeof *counts);
    words = w2v_calloc((size_t)vocab.size, sizeof *words);
    if (!counts || !words) {
        cli_error("out of memory");
        goto done;
    }
    for (int32_t i = 0; i < vocab.size; i++) {
        counts[i] = vocab.entries[i].count;
        words[i] = vocab.entries[i].word;
    }
    status = train_init(&tr, &o, counts, vocab.size, corpus.ids, corpus.n, &err);
    if (status != 0)
        goto report;
    struct monitor_state mon = {0, 0.0, 0};
    mon.show = !a.quiet && (a.progress || isatty(STDERR_FILENO));
    double t_train = now_seconds();
    status = train_run(&tr, train_monitor, &mon, &err);
    double seconds = now_seconds() - t_train;
    if (status == W2V_EINTR && train_signal)
        goto interrupted;
    if (status != 0)
        goto report;
    /* A signal after the last monitor call still counts: write nothing. */
    if (train_signal)
        goto interrupted;
    if (!a.quiet) {
        int64_t done_words = atomic_load(&tr.words_done);
        int64_t kept = atomic_load(&tr.words_kept);
        fprintf(stderr,
                "w2v: trained %lld words (%lld after subsampling) in %.1f s, %.0f words/s\n",
                (long long)done_words, (long long)kept, seconds,
                seconds > 0 ? (double)done_words / seconds : 0.0);
    }

    /* A signal from here on lets the write finish: the file appears whole
     * (temporary + rename) and the run ends normally. */
    status = vectors_write(a.output, a.text ? VECTORS_TEXT : VECTORS_BINARY, vocab.size, o.dim,
                           words, tr.model.syn0, tr.model.stride, &err);
    if (status != 0)
        goto report;
    if (!a.quiet)
        fprintf(stderr, "w2v: wrote %s (%ld x %d, %s)\n", a.output, (long)vocab.size, o.dim,
                a.text ? "text" : "binary");
    if (o.senses > 0) {
        status = senses_write(&tr.senses, a.senses_output, a.text ? VECTORS_TEXT : VECTORS_BINARY,
                              words, vocab.size, tr.model.syn0, tr.model.stride, &err);
        if (status != 0)
            goto report;
        if (!a.quiet)
            fprintf(stderr, "w2v: wrote %s and %s%s (senses of %ld words)\n", a.senses_output,
                    a.senses_output, W2V_SENSES_CTX_SUFFIX, (long)tr.senses.n_words);
    }
    exit_code = W2V_EXIT_OK;
    goto done;

interrupted:
    cli_error("interrupted by signal %d; '%s' was not written", (int)train_signal, a.output);
    exit_code = 128 + (int)train_signal;
    goto done;
report:
    exit_code = cli_report(&err, status);
    /* A bad vocabulary file or an empty corpus is a failure, not a usage
     * error, whatever its code. */
    if (exit_code == W2V_EXIT_USAGE)
        exit_code = W2V_EXIT_FAILURE;
done:
    train_release(&tr);
    w2v_free(counts);
    w2v_free(words);
    corpus_release(&corpus);
    vocab_release(&vocab);
    return exit_code;
}
