/* cmd_train.c — `w2v train CORPUS -o OUT [options]`, as a recipe: parse the
 * options (bound straight to the trainer's options), then count the
 * vocabulary -> encode the corpus -> train -> write the vectors, each a
 * step below. The only code of the trainer that prints. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common_internal.h"
#include "w2v/classes.h"
#include "w2v/cli.h"
#include "w2v/corpus.h"
#include "w2v/dist.h"
#include "w2v/files.h"
#include "w2v/ngram.h"
#include "w2v/subword.h"
#include "w2v/senses.h"
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

/* The targets of these parsers are fields of struct train_options. */
static int parse_model(void *target, const char *value, char *why, size_t cap)
{
    if (strcmp(value, "cbow") == 0)
        *(enum train_arch *)target = TRAIN_CBOW;
    else if (strcmp(value, "skipgram") == 0 || strcmp(value, "skip-gram") == 0 ||
             strcmp(value, "sg") == 0)
        *(enum train_arch *)target = TRAIN_SKIPGRAM;
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
    *(enum train_arch *)target = v ? TRAIN_CBOW : TRAIN_SKIPGRAM;
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

/* --kernel NAME: one of the trainer's table; the error lists them all. */
static int parse_kernel(void *target, const char *value, char *why, size_t cap)
{
    for (int i = 0; train_kernel_name(i); i++)
        if (strcmp(train_kernel_name(i), value) == 0) {
            *(const char **)target = train_kernel_name(i);
            return 0;
        }
    size_t used = (size_t)snprintf(why, cap, "unknown kernel '%s' (known:", value);
    for (int i = 0; train_kernel_name(i) && used < cap; i++)
        used += (size_t)snprintf(why + used, cap - used, "%s %s", i ? "," : "",
                                 train_kernel_name(i));
    if (used < cap)
        snprintf(why + used, cap - used, ")");
    return -1;
}

/* --max-memory BYTES, with an optional K, M, G or T (powers of 1024). */
static int parse_bytes(void *target, const char *value, char *why, size_t cap)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    double unit = 1;
    switch (*end) {
    case 'k': case 'K': unit = 1024.0; end++; break;
    case 'm': case 'M': unit = 1024.0 * 1024; end++; break;
    case 'g': case 'G': unit = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': unit = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (end == value || *end != '\0' || errno != 0 || !(v > 0) || v * unit > 9e18) {
        snprintf(why, cap, "expected a positive size in bytes (K, M, G, T allowed), not '%s'",
                 value);
        return -1;
    }
    *(int64_t *)target = (int64_t)(v * unit);
    return 0;
}

/* Half the memory the kernel says is available (MemAvailable in
 * /proc/meminfo): room for the model and the page cache beside the ids.
 * 0 (no bound) when it cannot be read. */
static int64_t default_max_memory(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long long kb = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
            break;
    fclose(f);
    return kb > 0 ? (int64_t)kb * 1024 / 2 : 0;
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

/* The progress line's state, and the latest snapshot. */
struct monitor_state {
    int show;           /* draw the progress line */
    int lines;          /* stderr is no terminal: whole lines, every few seconds */
    double last_draw;   /* elapsed seconds at the last draw */
    int drawn;
    struct train_progress last; /* the latest snapshot: the final counts at the end */
    /* Several ranks (make mpi): each report is also an averaging round. */
    struct dist *dist;
    struct trainer *const *tr;
    int dist_status;            /* 0, or dist_round's error (in *dist_err) */
    struct w2v_err *dist_err;
};

/* Called by train_run from the main thread: draws the progress line a few
 * times a second and turns a caught signal into a stop request. */
static int train_monitor(void *ctx, const struct train_progress *p)
{
    struct monitor_state *m = ctx;
    m->last = *p;
    if (m->show && (p->finished || p->elapsed - m->last_draw >= (m->lines ? 5.0 : 0.25))) {
        double rate = p->elapsed > 0 ? (double)p->words_done / p->elapsed : 0.0;
        double pct = p->words_total > 0 ? 100.0 * (double)p->words_done / (double)p->words_total : 0;
        char el[32], eta[32];
        format_duration(el, sizeof el, p->elapsed);
        format_duration(eta, sizeof eta,
                        rate > 0 ? (double)(p->words_total - p->words_done) / rate : -1.0);
        fprintf(stderr, "%s%5.1f%%  epoch %d/%d  alpha %.6f  %.0fk words/s  elapsed %s  eta %s%s",
                m->lines ? "w2v: " : "\r", pct, p->epoch, p->epochs, p->alpha, rate / 1000.0, el,
                eta, m->lines ? "\n" : "  ");
        if (p->finished && !m->lines)
            fputc('\n', stderr);
        fflush(stderr);
        m->last_draw = p->elapsed;
        m->drawn = 1;
    }
    if (m->dist && m->dist->size > 1 && !p->finished && m->dist_status == 0) {
        int all_done;
        m->dist_status = dist_round(m->dist, (struct model *)train_model(*m->tr), 0, 0,
                                    &all_done, m->dist_err);
    }
    return train_signal != 0 || m->dist_status != 0;
}

/* One `w2v train` run: the settings, then what the steps build. */
struct train_cmd {
    struct train_options opt;  /* the options table writes straight into these */
    const char *corpus, *output, *save_vocab, *read_vocab, *senses_output;
    int64_t min_count, max_vocab, max_memory;
    int64_t classes;           /* > 0: write K word classes instead of the vectors */
    int text, progress, quiet, debug, force;
    int subwords, minn, maxn, bucket; /* --subwords and its n-gram settings */
    const char *subword_model;

    struct files_corpus fc;    /* the corpus as read: a stream is spooled once */
    struct vocab vocab;
    struct corpus ids;
    struct trainer *tr;
    struct subword_state sw;   /* --subwords: the n-gram rows */
    struct monitor_state mon;
    struct dist dist;          /* the ranks of an MPI run (one without make mpi) */
    struct w2v_err err;
    double t0;                 /* start, for the timing messages */
};

/* A step returns 0, a negative W2V_E* code with c->err filled (reported by
 * train_cmd_exit), or one of these. */
enum { STEP_PRINTED = 1 /* the step printed its error */, STEP_INTERRUPTED = 2 };

/* Parse argv into c. Returns -1 to go on, or the exit code (help shown,
 * usage error printed). */
static int train_cmd_parse(struct train_cmd *c, int argc, char **argv)
{
    struct train_options *o = &c->opt;
    train_options_default(o);
    o->alpha = 0;   /* not given: train_default_alpha of the model */
    o->threads = 0; /* not given: the online CPUs */
    c->min_count = 5;
    /* The original prunes at 0.7 of its 30M-slot table: generous for any real
     * corpus (~2 GB of table at most), yet a stream of random tokens cannot
     * exhaust memory. */
    c->max_vocab = 21000000;
    c->debug = -1;
    c->minn = SUBWORD_DEFAULT_MINN;
    c->maxn = SUBWORD_DEFAULT_MAXN;
    c->bucket = SUBWORD_DEFAULT_BUCKET;
    const char *train_opt = NULL;

    const struct cli_option options[] = {
        {"output", "output", 'o', CLI_STRING, &c->output, "OUT", "write the vectors to OUT (required)", 0, 0, NULL},
        {"train", "train", 0, CLI_STRING, &train_opt, "FILE", "the corpus, instead of the CORPUS argument", 0, 0, NULL},
        {"model", NULL, 0, CLI_CUSTOM, &o->arch, "cbow|skipgram", "the model (default cbow)", 0, 0, parse_model},
        {"cbow", "cbow", 0, CLI_CUSTOM, &o->arch, "0|1", "1: --model cbow, 0: --model skipgram", 0, 0, parse_cbow01},
        {"negative", "negative", 0, CLI_INT, &o->negative, "K", "negative samples per word (default 5; 0: none, needs --hs)", 0, 1000, NULL},
        {"ns-exponent", NULL, 0, CLI_DOUBLE, &o->ns_exponent, "X", "negatives drawn from count^X (default 0.75)", -10, 10, NULL},
        {"hs", "hs", 0, CLI_FLAG, &o->hs, NULL, "use hierarchical softmax (default off)", 0, 0, NULL},
        {"cbow-sum", NULL, 0, CLI_FLAG, &o->cbow_sum, NULL, "CBOW sums the context vectors instead of averaging", 0, 0, NULL},
        {"dim", "size", 0, CLI_INT, &o->dim, "D", "vector dimensions (default 100)", 1, W2V_MAX_DIM, NULL},
        {"window", "window", 0, CLI_INT, &o->window, "N", "maximum context distance (default 5)", 1, 1000, NULL},
        {"sample", "sample", 0, CLI_DOUBLE, &o->sample, "T", "subsampling threshold (default 1e-3; 0: off)", 0, 1, NULL},
        {"alpha", "alpha", 0, CLI_DOUBLE, &o->alpha, "A", "starting learning rate (default 0.05 cbow, 0.025 skipgram)", 1e-9, 10, NULL},
        {"epochs", "iter", 0, CLI_INT, &o->epochs, "N", "passes over the corpus (default 5)", 1, 1000000, NULL},
        {"min-count", "min-count", 0, CLI_INT64, &c->min_count, "N", "drop words seen fewer than N times (default 5)", 1, 9e18, NULL},
        {"max-vocab", NULL, 0, CLI_INT64, &c->max_vocab, "N", "prune rare words while counting beyond N distinct words (default 21000000; 0: no limit)", 0, 2e9, NULL},
        {"max-memory", NULL, 0, CLI_CUSTOM, &c->max_memory, "BYTES", "memory for the model and the corpus's word ids (4 bytes a word; K, M, G suffixes): ids beyond it go to a temporary file beside OUT (default: half the available memory)", 0, 0, parse_bytes},
        CLI_OPTION_THREADS(&o->threads, "training threads (default: online CPUs)"),
        /* uint64_t through int64_t: the same object representation */
        {"seed", NULL, 0, CLI_INT64, &o->seed, "N", "random seed; with --threads 1 the output is reproducible (default 1)", 0, 9e18, NULL},
        {"text", NULL, 0, CLI_FLAG, &c->text, NULL, "write the text format instead of binary", 0, 0, NULL},
        {"binary", "binary", 0, CLI_CUSTOM, &c->text, "0|1", "1: binary output (default), 0: --text", 0, 0, parse_binary01},
        {"save-vocab", "save-vocab", 0, CLI_STRING, &c->save_vocab, "FILE", "write the vocabulary (word count per line) to FILE", 0, 0, NULL},
        {"read-vocab", "read-vocab", 0, CLI_STRING, &c->read_vocab, "FILE", "take the vocabulary from FILE instead of counting the corpus", 0, 0, NULL},
        {"classes", "classes", 0, CLI_INT64, &c->classes, "K", "write K word classes (spherical k-means of the vectors, 'word class' lines) instead of the vectors (default 0: vectors)", 0, 1e9, NULL},
        {"subwords", NULL, 0, CLI_FLAG, &c->subwords, NULL, "learn character n-gram vectors too (fastText's scheme): a word's vector is the mean of its own and its n-grams' (the subword kernel)", 0, 0, NULL},
        {"minn", NULL, 0, CLI_INT, &c->minn, "N", "--subwords: shortest n-gram, in characters (default 3)", 1, NGRAM_MAX_N, NULL},
        {"maxn", NULL, 0, CLI_INT, &c->maxn, "N", "--subwords: longest n-gram, in characters (default 6)", 1, NGRAM_MAX_N, NULL},
        {"bucket", NULL, 0, CLI_INT, &c->bucket, "N", "--subwords: n-grams are hashed into N buckets (default 2000000)", 1, NGRAM_MAX_BUCKET, NULL},
        {"subword-model", NULL, 0, CLI_STRING, &c->subword_model, "FILE", "--subwords: also write the model with its n-gram vectors to FILE, for vectors of unseen words (w2v vector, nearest, ...)", 0, 0, NULL},
        {"kernel", NULL, 0, CLI_CUSTOM, &o->kernel, "NAME", "training kernel: batched (default) or reference (subword: --subwords)", 0, 0, parse_kernel},
        {"force", NULL, 0, CLI_FLAG, &c->force, NULL, "replace a read-only OUT (its mode is kept)", 0, 0, NULL},
        {"progress", NULL, 0, CLI_FLAG, &c->progress, NULL, "show progress even when stderr is not a terminal (a whole line every 5 s)", 0, 0, NULL},
        {"kernel", NULL, 0, CLI_CUSTOM, &o->kernel, "NAME", "training kernel: batched (default) or reference (--senses picks senses)", 0, 0, parse_kernel},
        {"senses", NULL, 0, CLI_INT, &o->senses, "K", "also learn up to K sense vectors per frequent word (skip-gram with NS; needs --senses-output)", 1, W2V_SENSES_MAX, NULL},
        {"senses-output", NULL, 0, CLI_STRING, &c->senses_output, "FILE", "write the sense vectors (rows WORD#1..WORD#n) to FILE and their context centres to FILE.ctx", 0, 0, NULL},
        {"senses-vocab", NULL, 0, CLI_INT, &o->senses_vocab, "N", "the N most frequent words get senses (default 30000)", 1, 2e9, NULL},
        {"senses-threshold", NULL, 0, CLI_DOUBLE, &o->senses_threshold, "L", "open a new sense when a context's best cosine to the sense centres is below L (default -0.1)", -1, 1, NULL},
        {"progress", NULL, 0, CLI_FLAG, &c->progress, NULL, "show the progress line even when stderr is not a terminal", 0, 0, NULL},
        {"quiet", NULL, 'q', CLI_FLAG, &c->quiet, NULL, "print nothing but errors", 0, 0, NULL},
        {"debug", "debug", 0, CLI_INT, &c->debug, "N", "the original's verbosity: 0 is --quiet", 0, 10, NULL},
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
    c->corpus = npos == 1 ? argv[0] : train_opt;
    if (!c->corpus)
        return cli_usage_error(&usage, "no corpus given");
    if (!c->output)
        return cli_usage_error(&usage, "no output file given (-o OUT)");
    if (c->debug == 0)
        c->quiet = 1;
    /* --subwords is the subword kernel, and --kernel subword means it. */
    if (strcmp(o->kernel, "subword") == 0)
        c->subwords = 1;
    if (c->subwords)
        o->kernel = "subword";
    if (c->subword_model && !c->subwords)
        return cli_usage_error(&usage, "--subword-model needs --subwords");
    if (c->subword_model && c->classes > 0)
        return cli_usage_error(&usage, "--subword-model and --classes exclude each other");
    if (c->subwords && c->minn > c->maxn)
        return cli_usage_error(&usage, "--minn %d is more than --maxn %d", c->minn, c->maxn);
    if (o->threads == 0) {
        o->threads = w2v_cpu_count(W2V_MAX_THREADS);
    }
    if (!(o->alpha > 0))
        o->alpha = train_default_alpha(o->arch);
    if (o->senses > 0 && !c->senses_output)
        return cli_usage_error(&usage, "--senses needs --senses-output FILE for the sense vectors");
    if (c->senses_output && o->senses == 0)
        return cli_usage_error(&usage, "--senses-output needs --senses K");
    if (c->senses_output && strcmp(c->senses_output, c->output) == 0)
        return cli_usage_error(&usage, "--senses-output must differ from the output file");
    if (o->senses > 0 && c->classes > 0)
        return cli_usage_error(&usage, "--senses and --classes cannot be combined (--classes "
                               "writes classes instead of the vectors)");
    /* --senses runs the senses kernel: the batched one plus the sense pass. */
    if (o->senses > 0 && strcmp(o->kernel, "batched") == 0)
        o->kernel = "senses";
    if (train_options_check(o, &c->err) != 0)
        return cli_usage_error(&usage, "%s", c->err.message);
    /* No output may be an input or another output (exit 2), nor read-only
     * without --force (see files.h). */
    const struct files_use uses[] = {{c->corpus, FILES_INPUT, "the corpus"},
                                     {c->read_vocab, FILES_INPUT, "--read-vocab"},
                                     {c->output, FILES_OUTPUT, "the output"},
                                     {c->save_vocab, FILES_OUTPUT, "--save-vocab"},
                                     {c->subword_model, FILES_OUTPUT, "--subword-model"}};
    int status = files_check(uses, 5, c->force, &c->err);
    if (status != 0)
        return cli_report(&c->err, status);
    return -1;
}

/* The corpus must be text; a stream is copied once, so that threads can
 * read ranges of it (and --read-vocab or a pruning count can read it
 * again). */
static int step_open_corpus(struct train_cmd *c)
{
    c->mon.lines = !isatty(STDERR_FILENO);
    c->mon.show = !c->quiet && (c->progress || !c->mon.lines);
    int status = files_corpus_open(&c->fc, c->corpus, c->output, &c->err);
    if (status == 0 && c->mon.show && !c->read_vocab)
        fprintf(stderr, "w2v: counting the words of '%s'...\n", c->fc.name);
    return status;
}

/* Before hours of training: can the outputs be written at all? */
static int step_check_outputs(struct train_cmd *c)
{
    if (check_writable_dir(c->output) != 0)
        return STEP_PRINTED;
    if (c->save_vocab && check_writable_dir(c->save_vocab) != 0)
        return STEP_PRINTED;
    if (c->subword_model && check_writable_dir(c->subword_model) != 0)
        return STEP_PRINTED;
    if (c->senses_output && check_writable_dir(c->senses_output) != 0)
        return STEP_PRINTED;
    return 0;
}

/* The vocabulary: read from --read-vocab, or counted from the corpus in
 * one pass over the text by the training threads, which also encodes it
 * (corpus_build_file: the same ids and stream as counting, then encoding). */
static int step_count(struct train_cmd *c)
{
    if (c->read_vocab)
        return vocab_load(&c->vocab, c->read_vocab, c->min_count, &c->err);
    struct vocab_options vo = {c->min_count, c->max_vocab};
    struct corpus_build_options bo = {c->opt.threads, c->max_memory, 0, c->output};
    struct corpus_build_info info;
    size_t none, mega;
    if (bo.max_memory == 0)
        bo.max_memory = default_max_memory();
    /* The model's share of --max-memory, per vocabulary word. */
    if (train_memory_bytes(&c->opt, 0, &none) == 0 &&
        train_memory_bytes(&c->opt, 1 << 20, &mega) == 0 && mega > none)
        bo.model_bytes_per_word = (int64_t)((mega - none) >> 20);
    int status = corpus_build_file(&c->ids, &c->vocab, c->fc.path, &vo, &bo, &info, &c->err);
    if (status != 0)
        return status;
    if (info.spilled_bytes > 0 && !c->quiet) {
        char size[32];
        format_bytes(size, sizeof size, (double)info.spilled_bytes);
        fprintf(stderr, "w2v: the word ids (%s) exceed --max-memory: read from a temporary "
                        "file beside '%s'\n", size, c->output);
    }
    int64_t cut = info.words_cut;
    if (cut > 0 && !c->quiet)
        fprintf(stderr, "w2v: %lld over-long words were cut to %d bytes\n", (long long)cut,
                W2V_MAX_WORD_BYTES);
    /* --max-vocab trades rare words for bounded memory: say how many. */
    if (c->vocab.words_pruned > 0 && !c->quiet)
        fprintf(stderr, "w2v: pruned %lld rare words while counting (--max-vocab %lld)\n",
                (long long)c->vocab.words_pruned, (long long)c->max_vocab);
    return 0;
}

/* Until here a signal simply ends the process (nothing has been written);
 * from here on files are written and threads run, so a signal is turned
 * into an orderly stop. */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Refuse a model that cannot fit before allocating any of it. */
static int step_check_memory(const struct train_cmd *c)
{
    const struct train_options *o = &c->opt;
    size_t need;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (train_memory_bytes(o, c->vocab.size, &need) == 0 &&
        !(pages > 0 && page > 0 && (double)need > (double)pages * (double)page))
        return 0;
    char want[32], have[32];
    format_bytes(want, sizeof want,
                 4.0 * (1.0 + o->hs + (o->negative > 0)) * (double)c->vocab.size * (double)o->dim);
    format_bytes(have, sizeof have, (double)pages * (double)page);
    cli_error("a model of %ld words x %d dimensions needs at least %s, more than this "
              "machine's %s of memory",
              (long)c->vocab.size, o->dim, want, have);
    return STEP_PRINTED;
}

/* The corpus as a stream of word ids (step_count made it already unless
 * the vocabulary came from --read-vocab). */
static int step_encode(struct train_cmd *c)
{
    int status = c->read_vocab ? corpus_encode_file(&c->ids, &c->vocab, c->fc.path, 0, &c->err)
                               : 0;
    if (status != 0)
        return status;
    if (train_signal)
        return STEP_INTERRUPTED;
    if (!c->quiet)
        fprintf(stderr, "w2v: %ld words in the vocabulary, %lld words to train per epoch (%.1f s)\n",
                (long)c->vocab.size, (long long)c->ids.words, now_seconds() - c->t0);
    return 0;
}

/* The vocabulary's words in id order (the vocab owns them); NULL when out
 * of memory. Free the array with w2v_free. */
static const char **vocab_words(const struct vocab *v)
{
    const char **words = w2v_calloc((size_t)v->size, sizeof *words);
    for (int32_t i = 0; words && i < v->size; i++)
        words[i] = v->entries[i].word;
    return words;
}

/* --subwords: the n-gram rows of the vocabulary, handed to the trainer. */
static int step_subwords(struct train_cmd *c)
{
    /* dist_round averages the model's matrices across ranks, not these rows. */
    if (c->dist.size > 1) {
        cli_error("--subwords cannot train across MPI ranks yet (its n-gram rows are not "
                  "synchronised)");
        return STEP_PRINTED;
    }
    const char **words = vocab_words(&c->vocab);
    if (!words) {
        cli_error("out of memory");
        return STEP_PRINTED;
    }
    int status = subword_init(&c->sw, words, c->vocab.size, c->minn, c->maxn,
                              (uint32_t)c->bucket, c->opt.dim, train_model(c->tr)->stride,
                              c->opt.seed, &c->err);
    w2v_free(words);
    if (status == 0)
        status = subword_attach(c->tr, &c->sw, &c->err);
    if (status == 0 && !c->quiet)
        fprintf(stderr, "w2v: --subwords: %ld n-gram rows (of %d buckets) for %lld n-grams\n",
                (long)c->sw.n_grams, c->bucket, (long long)c->sw.start[c->vocab.size]);
    return status;
}

/* Train, with the progress line; the final counts come from the monitor's
 * last snapshot. */
static int step_train(struct train_cmd *c)
{
    int64_t *counts = w2v_calloc((size_t)c->vocab.size, sizeof *counts);
    if (!counts) {
        cli_error("out of memory");
        return STEP_PRINTED;
    }
    for (int32_t i = 0; i < c->vocab.size; i++)
        counts[i] = c->vocab.entries[i].count;
    int64_t lo, hi; /* this rank's slice of the stream: all of it for one rank */
    dist_slice(&c->dist, c->ids.ids, c->ids.n, &lo, &hi);
    int status = train_init(&c->tr, &c->opt, counts, c->vocab.size, c->ids.ids + lo, hi - lo,
                            &c->err);
    w2v_free(counts);
    if (status == 0 && c->subwords)
        status = step_subwords(c);
    if (status != 0)
        return status;
    c->mon.dist = &c->dist;
    c->mon.tr = &c->tr;
    c->mon.dist_err = &c->err;
    status = train_run(c->tr, train_monitor, &c->mon, &c->err);
    if (c->mon.dist_status != 0)
        return c->mon.dist_status;
    /* Ranks that finish early keep averaging (collectives pair up in order)
     * until all are done; the last round averages every row. */
    for (int all_done = 0; status == 0 && c->dist.size > 1 && !all_done;)
        status = dist_round(&c->dist, (struct model *)train_model(c->tr), 1, 1, &all_done,
                            &c->err);
    /* A signal after the last monitor call still counts: write nothing. */
    if ((status == W2V_EINTR || status == 0) && train_signal)
        return STEP_INTERRUPTED;
    if (status != 0)
        return status;
    if (!c->quiet) {
        const struct train_progress *p = &c->mon.last;
        fprintf(stderr, "w2v: trained %lld words (%lld after subsampling) in %.1f s, %.0f words/s\n",
                (long long)p->words_done, (long long)p->words_kept, p->elapsed,
                p->elapsed > 0 ? (double)p->words_done / p->elapsed : 0.0);
    }
    return 0;
}

/* --classes K needs K words at least: known once they are counted, before
 * any training. */
static int step_check_classes(struct train_cmd *c)
{
    if (c->classes > c->vocab.size)
        return w2v_fail(&c->err, W2V_EUSAGE,
                        "--classes %lld is more than the %ld words of the vocabulary",
                        (long long)c->classes, (long)c->vocab.size);
    return 0;
}

/* --classes K: the original's -classes, as spherical k-means of the
 * trained vectors (classes.h), seeded from --seed, on the training threads;
 * the output is the class file. */
static int write_classes(struct train_cmd *c, const char *const *words)
{
    const struct model *m = train_model(c->tr);
    int32_t *cls = w2v_calloc((size_t)c->vocab.size, sizeof *cls);
    if (!cls)
        return w2v_fail(&c->err, W2V_ENOMEM, "out of memory for the word classes");
    struct classes_options co;
    classes_options_default(&co);
    co.k = (int32_t)c->classes;
    co.seed = c->opt.seed;
    co.threads = c->opt.threads;
    struct classes_stats st;
    int status = classes_kmeans(m->syn0, c->vocab.size, c->opt.dim, m->stride, &co, cls, &st,
                                &c->err);
    if (status == 0)
        status = classes_write(c->output, words, c->vocab.size, cls, &c->err);
    if (status == 0 && !c->quiet)
        fprintf(stderr, "w2v: wrote %s (%ld words in %d classes, %d rounds, mean cosine %.4f)\n",
                c->output, (long)c->vocab.size, co.k, st.iterations, st.mean_cosine);
    w2v_free(cls);
    return status;
}

/* The vectors. A signal from here on lets the write finish: the file
 * appears whole (temporary + rename) and the run ends normally. */
static int step_write(struct train_cmd *c)
{
    if (c->dist.rank != 0) /* the models are equal after the last round: one writer */
        return 0;
    const char **words = vocab_words(&c->vocab);
    if (!words) {
        cli_error("out of memory");
        return STEP_PRINTED;
    }
    const struct model *m = train_model(c->tr);
    int status = 0;
    if (c->subwords) /* each word's row becomes its composed vector */
        subword_compose(&c->sw, m->syn0);
    if (c->classes > 0) {
        status = write_classes(c, words);
        w2v_free(words);
        return status;
    }
    /* The subword model first: when the vectors file then fails, the model
     * is removed again, so a failed run leaves neither. */
    if (c->subword_model)
        status = subword_save(&c->sw, c->subword_model, words, m->syn0, &c->err);
    if (status == 0) {
        status = vectors_write(c->output, c->text ? VECTORS_TEXT : VECTORS_BINARY,
                               c->vocab.size, c->opt.dim, words, m->syn0, m->stride, &c->err);
        if (status != 0 && c->subword_model)
            unlink(c->subword_model);
    }
    const struct senses *s = train_senses(c->tr);
    if (status == 0 && s) /* beside the vectors, each file whole or not at all */
        status = senses_write(s, c->senses_output, c->text ? VECTORS_TEXT : VECTORS_BINARY,
                              words, c->vocab.size, m->syn0, m->stride, &c->err);
    w2v_free(words);
    if (status == 0 && !c->quiet)
        fprintf(stderr, "w2v: wrote %s (%ld x %d, %s)\n", c->output, (long)c->vocab.size,
                c->opt.dim, c->text ? "text" : "binary");
    if (status == 0 && !c->quiet && c->subword_model)
        fprintf(stderr, "w2v: wrote %s (%ld words, %ld n-gram rows)\n", c->subword_model,
                (long)c->vocab.size, (long)c->sw.n_grams);
    if (status == 0 && !c->quiet && s)
        fprintf(stderr, "w2v: wrote %s and %s%s (senses of the %ld most frequent words)\n",
                c->senses_output, c->senses_output, W2V_SENSES_CTX_SUFFIX, (long)s->n_words);
    return status;
}

/* The exit code for a run that ended with status, its error printed. */
static int train_cmd_exit(struct train_cmd *c, int status)
{
    if (status == 0)
        return W2V_EXIT_OK;
    if (status == STEP_PRINTED)
        return W2V_EXIT_FAILURE;
    if (status == STEP_INTERRUPTED) {
        cli_error("interrupted by signal %d; '%s' was not written", (int)train_signal, c->output);
        return 128 + (int)train_signal;
    }
    /* A bad vocabulary file or an empty corpus is a failure, not a usage
     * error, whatever its code. */
    files_corpus_message(&c->fc, &c->err);
    int code = cli_report(&c->err, status);
    return code == W2V_EXIT_USAGE ? W2V_EXIT_FAILURE : code;
}

int cmd_train(int argc, char **argv)
{
    struct train_cmd c;
    memset(&c, 0, sizeof c);
    int code = train_cmd_parse(&c, argc, argv);
    if (code >= 0)
        return code;
    vocab_init(&c.vocab);
    corpus_init(&c.ids);
    c.t0 = now_seconds();
    if (dist_init(&c.dist, &argc, &argv, &c.err) != 0)
        return cli_report(&c.err, W2V_EIO);
    if (c.dist.rank != 0) { /* rank 0 speaks and writes */
        c.quiet = 1;
        c.save_vocab = NULL;
    }

    int status = step_check_outputs(&c);
    if (status == 0)
        status = step_open_corpus(&c);
    if (status == 0)
        status = step_count(&c);
    if (status == 0) {
        catch_signals();
        if (c.save_vocab)
            status = vocab_save(&c.vocab, c.save_vocab, &c.err);
    }
    if (status == 0)
        status = step_check_classes(&c);
    if (status == 0)
        status = step_check_memory(&c);
    if (status == 0)
        status = step_encode(&c);
    if (status == 0)
        status = step_train(&c);
    if (status == 0)
        status = step_write(&c);
    code = train_cmd_exit(&c, status);
    dist_exit(&c.dist, code); /* a failed rank ends them all: nobody waits forever */

    train_release(&c.tr);
    files_corpus_release(&c.fc);
    subword_release(&c.sw);
    corpus_release(&c.ids);
    vocab_release(&c.vocab);
    dist_release(&c.dist);
    return code;
}
