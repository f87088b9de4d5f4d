/* cmd_train.c — `w2v train CORPUS -o OUT [options]`, as a recipe: parse the
 * options (bound straight to the trainer's options), then count the
 * vocabulary -> encode the corpus -> train -> write the vectors, each a
 * step below. The only code of the trainer that prints. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "common_internal.h"
#include "w2v/classes.h"
#include "w2v/cli.h"
#include "w2v/corpus.h"
#include "w2v/dist.h"
#include "w2v/files.h"
#include "w2v/graph.h"
#include "w2v/graph_corpus.h"
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

/* --context window|line: the target is train_options.context_line. */
static int parse_context(void *target, const char *value, char *why, size_t cap)
{
    if (strcmp(value, "window") == 0)
        *(int *)target = 0;
    else if (strcmp(value, "line") == 0)
        *(int *)target = 1;
    else {
        snprintf(why, cap, "expected window or line, not '%s'", value);
        return -1;
    }
    return 0;
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

/* Where an interval of the loss began: the mean of the interval is the
 * growth of the snapshots' sum over that of their count. */
struct loss_mark {
    double sum;
    int64_t examples;
    double last; /* the latest interval's mean; NaN before any */
};

/* The mean loss since the mark, and move the mark to p; an interval
 * without a measurement keeps the previous mean. */
static double loss_since(struct loss_mark *k, const struct train_progress *p)
{
    if (p->loss_examples > k->examples) {
        k->last = (p->loss_sum - k->sum) / (double)(p->loss_examples - k->examples);
        k->sum = p->loss_sum;
        k->examples = p->loss_examples;
    }
    return k->last;
}

/* The progress line's state, and the latest snapshot. */
struct monitor_state {
    int show;           /* draw the progress line */
    int lines;          /* stderr is no terminal: whole lines, every few seconds */
    double last_draw;   /* elapsed seconds at the last draw */
    int drawn;
    struct train_progress last; /* the latest snapshot: the final counts at the end */
    struct loss_mark draw_loss; /* since the last draw */
    struct loss_mark log_loss;  /* since the last log line: the summary's */
    double last_log;    /* elapsed seconds at the last log line */
    double log_prev_time; /* ... and at the one before: the last interval's start */
    double log_every;   /* seconds between log lines (and the summary's loss intervals) */
    const char *log_path; /* --log-json, or NULL */
    int log_fd;         /* open on log_path (append), or -1 */
    int log_errno;      /* why a log write failed, or 0 */
    /* Several ranks (make mpi): each report is also an averaging round. */
    struct dist *dist;
    struct trainer *const *tr;
    int dist_status;            /* 0, or dist_round's error (in *dist_err) */
    struct w2v_err *dist_err;
};

/* One JSON line for the interval ending at p, appended with a single
 * write(2) on an O_APPEND descriptor: lines never tear or interleave, even
 * with several writers, and a crash leaves whole lines plus at most one
 * partial last line. Returns 0 or -1 with m->log_errno set. */
static int log_json_line(struct monitor_state *m, const struct train_progress *p, double loss,
                         double rate)
{
    char line[320], lossbuf[32];
    if (isfinite(loss))
        snprintf(lossbuf, sizeof lossbuf, "%.6f", loss);
    else
        snprintf(lossbuf, sizeof lossbuf, "null");
    int len = snprintf(line, sizeof line,
                       "{\"time\": %.3f, \"epoch\": %d, \"words\": %lld, \"alpha\": %.8f, "
                       "\"loss\": %s, \"words_per_sec\": %.1f}\n",
                       p->elapsed, p->epoch, (long long)p->words_done, p->alpha, lossbuf, rate);
    if (len < 0 || (size_t)len >= sizeof line) {
        m->log_errno = EOVERFLOW;
        return -1;
    }
    ssize_t w;
    do
        w = write(m->log_fd, line, (size_t)len);
    while (w < 0 && errno == EINTR);
    if (w != (ssize_t)len) {
        m->log_errno = w < 0 ? errno : EIO;
        return -1;
    }
    return 0;
}

/* Called by train_run from the main thread: draws the progress line a few
 * times a second and turns a caught signal into a stop request. */
static int train_monitor(void *ctx, const struct train_progress *p)
{
    struct monitor_state *m = ctx;
    m->last = *p;
    double rate = p->elapsed > 0 ? (double)p->words_done / p->elapsed : 0.0;
    if (p->finished || p->elapsed - m->last_log >= m->log_every) {
        double loss = loss_since(&m->log_loss, p);
        m->log_prev_time = m->last_log;
        m->last_log = p->elapsed;
        if (m->log_fd >= 0 && log_json_line(m, p, loss, rate) != 0)
            return 1;
    }
    if (m->show && (p->finished || p->elapsed - m->last_draw >= (m->lines ? 5.0 : 0.25))) {
        double pct = p->words_total > 0 ? 100.0 * (double)p->words_done / (double)p->words_total : 0;
        char el[32], eta[32];
        format_duration(el, sizeof el, p->elapsed);
        format_duration(eta, sizeof eta,
                        rate > 0 ? (double)(p->words_total - p->words_done) / rate : -1.0);
        double loss = loss_since(&m->draw_loss, p);
        fprintf(stderr,
                "%s%5.1f%%  epoch %d/%d  alpha %.6f  loss %.4f  %.0fk words/s  elapsed %s  eta %s%s",
                m->lines ? "w2v: " : "\r", pct, p->epoch, p->epochs, p->alpha,
                isfinite(loss) ? loss : 0.0, rate / 1000.0, el, eta, m->lines ? "\n" : "  ");
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
    const char *corpus, *output, *save_vocab, *read_vocab, *log_json, *init,
        *senses_output;
    int dim_given;             /* --dim was given (else --init's, or 100) */
    const char *checkpoint, *resume;
    double checkpoint_every;   /* minutes; 0: only on SIGINT/SIGTERM */
    struct checkpoint ck;      /* --resume's, until restored */
    const char **words;        /* [V] the vocabulary's words and counts, for saves */
    int64_t *counts;
    int64_t saves;
    double save_seconds;       /* the last save's time */
    int64_t min_count, max_vocab, max_memory;
    int64_t classes;           /* > 0: write K word classes instead of the vectors */
    int text, progress, quiet, debug, force;
    int subwords, minn, maxn, bucket; /* --subwords and its n-gram settings */
    const char *subword_model;
    const char *graph;         /* --graph: train on its walks instead of a corpus */
    struct walks_options walk; /* --walks, --length, --p, --q */
    int directed, weighted;    /* how --graph is read */

    struct files_corpus fc;    /* the corpus as read: a stream is spooled once */
    struct vocab vocab;
    struct vectors start;      /* --init's vectors (rows 0 when not given) */
    int64_t init_kept;         /* words of the vocabulary that start from them */
    int64_t init_added;        /* of those, words the counted vocabulary lacked */
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
    o->dim = 0;     /* not given: see dim_given */
    o->alpha = 0;   /* not given: train_default_alpha of the model */
    o->threads = 0; /* not given: the online CPUs */
    c->min_count = 0;  /* not given: 5, or 1 with --graph */
    o->sample = -1;    /* not given: 1e-3, or 0 with --graph */
    o->batch_rows = -1; /* not given: the whole window, or 1 with --graph or --context line */
    walks_options_default(&c->walk);
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
        {"graph", NULL, 0, CLI_STRING, &c->graph, "GRAPH", "train on random walks over the edge list GRAPH instead of a corpus (as `w2v walks`; defaults --min-count 1 --sample 0)", 0, 0, NULL},
        {"walks", NULL, 0, CLI_INT64, &c->walk.walks, "N", "--graph: walks from every node (default 10)", 1, 1e9, NULL},
        {"length", NULL, 0, CLI_INT, &c->walk.length, "L", "--graph: nodes per walk (default 80)", 1, 1e6, NULL},
        {"p", NULL, 0, CLI_DOUBLE, &c->walk.p, "P", "--graph: node2vec return parameter (default 1)", 1e-6, 1e6, NULL},
        {"q", NULL, 0, CLI_DOUBLE, &c->walk.q, "Q", "--graph: node2vec in-out parameter (default 1)", 1e-6, 1e6, NULL},
        {"directed", NULL, 0, CLI_FLAG, &c->directed, NULL, "--graph: edges go from the first node to the second only", 0, 0, NULL},
        {"weighted", NULL, 0, CLI_FLAG, &c->weighted, NULL, "--graph: read 'u v weight' lines", 0, 0, NULL},
        {"model", NULL, 0, CLI_CUSTOM, &o->arch, "cbow|skipgram", "the model (default cbow)", 0, 0, parse_model},
        {"cbow", "cbow", 0, CLI_CUSTOM, &o->arch, "0|1", "1: --model cbow, 0: --model skipgram", 0, 0, parse_cbow01},
        {"negative", "negative", 0, CLI_INT, &o->negative, "K", "negative samples per word (default 5; 0: none, needs --hs)", 0, 1000, NULL},
        {"ns-exponent", NULL, 0, CLI_DOUBLE, &o->ns_exponent, "X", "negatives drawn from count^X (default 0.75)", -10, 10, NULL},
        {"hs", "hs", 0, CLI_FLAG, &o->hs, NULL, "use hierarchical softmax (default off)", 0, 0, NULL},
        {"cbow-sum", NULL, 0, CLI_FLAG, &o->cbow_sum, NULL, "CBOW sums the context vectors instead of averaging", 0, 0, NULL},
        {"dim", "size", 0, CLI_INT, &o->dim, "D", "vector dimensions (default 100)", 1, W2V_MAX_DIM, NULL},
        {"window", "window", 0, CLI_INT, &o->window, "N", "maximum context distance (default 5)", 1, 1000, NULL},
        {"context", NULL, 0, CLI_CUSTOM, &o->context_line, "window|line", "window (default): words within --window; line: every other word of the line (item2vec: a basket, a playlist, a table row)", 0, 0, parse_context},
        {"batch-rows", NULL, 0, CLI_INT, &o->batch_rows, "N", "skip-gram, batched kernel: context rows per block step (default: the whole window; 1 with --graph and --context line, where whole blocks over-step: see README)", 0, W2V_MAX_SET, NULL},
        {"max-set", NULL, 0, CLI_INT, &o->max_set, "N", "--context line: a longer line gives each word N-1 of the others, drawn anew each epoch (default 100)", 2, W2V_MAX_SET, NULL},
        {"sample", "sample", 0, CLI_DOUBLE, &o->sample, "T", "subsampling threshold (default 1e-3; 0: off)", 0, 1, NULL},
        {"alpha", "alpha", 0, CLI_DOUBLE, &o->alpha, "A", "starting learning rate (default 0.05 cbow, 0.025 skipgram; 0.05 with --subwords)", 1e-9, 10, NULL},
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
        {"init", NULL, 0, CLI_STRING, &c->init, "VEC", "continue from saved vectors: their words keep them, new words start at random (see README)", 0, 0, NULL},
        {"checkpoint", NULL, 0, CLI_STRING, &c->checkpoint, "FILE", "save the whole training state to FILE every --checkpoint-every minutes and on SIGINT/SIGTERM", 0, 0, NULL},
        {"checkpoint-every", NULL, 0, CLI_DOUBLE, &c->checkpoint_every, "MIN", "minutes between checkpoints (default 10; 0: only on a signal)", 0, 1e6, NULL},
        {"resume", NULL, 0, CLI_STRING, &c->resume, "FILE", "continue the run saved in FILE (same corpus; its options are used; checkpoints go on to FILE)", 0, 0, NULL},
        {"log-json", NULL, 0, CLI_STRING, &c->log_json, "FILE", "append one JSON line per interval to FILE: time, epoch, words, alpha, loss, words/s", 0, 0, NULL},
        {"log-every", NULL, 0, CLI_DOUBLE, &c->mon.log_every, "S", "seconds per loss interval: --log-json lines and the summary's loss (default 1)", 0.01, 86400, NULL},
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
    if (c->corpus && c->graph)
        return cli_usage_error(&usage, "give a corpus or --graph, not both");
    if (!c->corpus && !c->graph)
        return cli_usage_error(&usage, "no corpus given");
    if (c->graph && (c->read_vocab || c->init || c->checkpoint || c->resume))
        return cli_usage_error(&usage, "--graph cannot be combined with --%s (the walks are "
                                       "made afresh, never read back)",
                               c->read_vocab ? "read-vocab" : c->init ? "init"
                               : c->resume ? "resume" : "checkpoint");
    /* Graph defaults: every node counts, frequent nodes are not thinned. */
    if (c->min_count == 0)
        c->min_count = c->graph ? 1 : 5;
    if (o->sample < 0)
        o->sample = c->graph ? 0.0 : 1e-3;
    /* Walks and sets put many contexts on the same few output rows: one
     * context at a time there (kernel_batch.c, block_sg). */
    if (o->batch_rows < 0)
        o->batch_rows = c->graph || o->context_line ? 1 : 0;
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
    if (c->resume && c->init)
        return cli_usage_error(&usage, "--resume continues a run; --init starts a new one: "
                                       "give one of them");
    if (c->resume && (!c->checkpoint || strcmp(c->checkpoint, c->resume) == 0))
        c->checkpoint = c->resume; /* saves go on to the same file */
    /* Without --dim: --init's dimensions (step_init), else 100. */
    c->dim_given = o->dim != 0;
    if (!c->dim_given)
        o->dim = 100;
    if (o->senses > 0 && c->checkpoint)
        return cli_usage_error(&usage, "--senses cannot be combined with --%s yet (the sense "
                                       "vectors are not in a checkpoint)",
                               c->resume ? "resume" : "checkpoint");
    if (o->context_line && c->checkpoint)
        return cli_usage_error(&usage, "--context line cannot be combined with --%s yet (the "
                                       "context mode is not in a checkpoint)",
                               c->resume ? "resume" : "checkpoint");
    if (c->subwords && (c->checkpoint || c->init))
        return cli_usage_error(&usage, "--subwords cannot be combined with --%s yet (the n-gram "
                                       "rows are in neither file)",
                               c->init ? "init" : c->resume ? "resume" : "checkpoint");
    if (o->threads == 0) {
        o->threads = w2v_cpu_count(W2V_MAX_THREADS);
    }
    /* Subwords: fastText's rate, 0.05 for both models. At skip-gram's usual
     * 0.025 the n-gram rows learn too slowly: corpus10m, 2 epochs, WS353
     * .339 against .423 at 0.05 (docs/BENCHMARKS.md). */
    if (!(o->alpha > 0))
        o->alpha = c->subwords ? 0.05 : train_default_alpha(o->arch);
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
                                     {c->graph, FILES_INPUT, "the graph"},
                                     {c->init, FILES_INPUT, "--init"},
                                     {c->read_vocab, FILES_INPUT, "--read-vocab"},
                                     {c->output, FILES_OUTPUT, "the output"},
                                     {c->save_vocab, FILES_OUTPUT, "--save-vocab"},
                                     {c->log_json, FILES_OUTPUT, "--log-json"},
                                     {c->resume, FILES_INPUT, "--resume"},
                                     {c->checkpoint == c->resume ? NULL : c->checkpoint,
                                      FILES_OUTPUT, "--checkpoint"},
                                     {c->subword_model, FILES_OUTPUT, "--subword-model"}};
    int status = files_check(uses, sizeof uses / sizeof uses[0], c->force, &c->err);
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
    if (status == 0 && c->mon.show && !c->read_vocab && !c->resume)
        fprintf(stderr, "w2v: counting the words of '%s'...\n", c->fc.name);
    return status;
}

/* --graph: read the edge list and walk it into the id stream and the
 * vocabulary (graph_corpus.h) in place of the corpus; the graph itself is
 * freed before training. */
static int step_graph(struct train_cmd *c)
{
    struct graph g;
    struct graph_options go = {c->directed, c->weighted};
    c->mon.lines = !isatty(STDERR_FILENO);
    c->mon.show = !c->quiet && (c->progress || !c->mon.lines);
    graph_init(&g);
    int status = graph_read(&g, c->graph, &go, &c->err);
    if (status == 0 && !c->quiet)
        fprintf(stderr, "w2v: '%s': %ld nodes, %lld edges, %s%s\n", c->graph, (long)g.n_nodes,
                (long long)g.n_edges, c->directed ? "directed" : "undirected",
                c->weighted ? ", weighted" : "");
    c->walk.seed = c->opt.seed;
    c->walk.threads = c->opt.threads;
    if (status == 0)
        status = graph_corpus_build(&c->ids, &c->vocab, &g, &c->walk, c->min_count, &c->err);
    if (status == 0 && !c->quiet)
        fprintf(stderr, "w2v: %lld walks of up to %d nodes (p %g, q %g) (%.1f s)\n",
                (long long)c->walk.walks * g.n_nodes, c->walk.length, c->walk.p, c->walk.q,
                now_seconds() - c->t0);
    graph_release(&g);
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
    if (c->checkpoint && check_writable_dir(c->checkpoint) != 0)
        return STEP_PRINTED;
    if (c->log_json) {
        /* Appended to, never replaced: a resumed run continues its log. */
        c->mon.log_path = c->log_json;
        c->mon.log_fd = open(c->log_json, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        if (c->mon.log_fd < 0)
            return cli_error("cannot open '%s': %s", c->log_json, strerror(errno)), STEP_PRINTED;
    }
    return 0;
}

/* --resume: the options and the vocabulary (words, counts, order) are the
 * checkpoint's. */
static int step_resume_vocab(struct train_cmd *c)
{
    int status = checkpoint_open(&c->ck, c->resume, &c->err);
    if (status != 0)
        return status;
    c->opt = c->ck.opt;
    for (int32_t i = 0; i < c->ck.vocab_size && status == 0; i++)
        status = vocab_add(&c->vocab, c->ck.words[i], strlen(c->ck.words[i]), c->ck.counts[i]);
    if (status == 0)
        status = vocab_finalize(&c->vocab, 0);
    if (status != 0)
        return w2v_fail(&c->err, status == W2V_EEMPTY ? W2V_EFORMAT : status,
                        "'%s': cannot rebuild its vocabulary: %s", c->resume,
                        w2v_strerror(status));
    for (int32_t i = 0; i < c->ck.vocab_size; i++)
        if (c->vocab.size != c->ck.vocab_size || strcmp(c->vocab.entries[i].word, c->ck.words[i]))
            return w2v_fail(&c->err, W2V_EFORMAT,
                            "'%s' is not a usable checkpoint: its vocabulary is not in "
                            "frequency order, or repeats a word",
                            c->resume);
    if (!c->quiet)
        fprintf(stderr, "w2v: resuming '%s': %lld words done; its options are used\n",
                c->resume, (long long)c->ck.words_done);
    return 0;
}

/* The vocabulary: read from --read-vocab, or counted from the corpus in
 * one pass over the text by the training threads, which also encodes it
 * (corpus_build_file: the same ids and stream as counting, then encoding). */
static int step_count(struct train_cmd *c)
{
    if (c->resume)
        return step_resume_vocab(c);
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

/* --init: read the saved vectors, take their dimensions (or check them
 * against --dim), and add their words that the corpus lacks (or has fewer
 * than --min-count times) to the vocabulary with a count of 1, so every
 * saved word is in the output: words absent from the corpus are never an
 * input, and their vectors come out as they went in. */
static int step_init(struct train_cmd *c)
{
    if (!c->init)
        return 0;
    int status = vectors_read(&c->start, c->init, &c->err);
    if (status != 0)
        return status;
    if (c->dim_given && c->opt.dim != c->start.dim)
        return w2v_fail(&c->err, W2V_EFORMAT,
                        "'%s' has %d dimensions, but --dim is %d (leave --dim out to take its)",
                        c->init, (int)c->start.dim, (int)c->opt.dim);
    c->opt.dim = c->start.dim;
    c->vocab.max_size = 0; /* nothing may be pruned now */
    int64_t added = 0;
    for (int64_t r = 0; r < c->start.rows; r++) {
        const char *w = c->start.words[r];
        size_t len = strlen(w);
        if (vocab_find(&c->vocab, w, len) >= 0)
            continue;
        status = vocab_add(&c->vocab, w, len, 1);
        if (status != 0)
            return w2v_fail(&c->err, status, "cannot add the words of '%s': %s", c->init,
                            w2v_strerror(status));
        added++;
    }
    if (added > 0 && (status = vocab_finalize(&c->vocab, 1)) != 0)
        return w2v_fail(&c->err, status, "cannot add the words of '%s': %s", c->init,
                        w2v_strerror(status));
    c->init_kept = c->start.rows;
    c->init_added = added;
    if (!c->quiet)
        fprintf(stderr,
                "w2v: starting from '%s': %lld words keep their vectors (%lld of them not in "
                "the corpus), %lld new words\n",
                c->init, (long long)c->start.rows, (long long)added,
                (long long)(c->vocab.size - c->start.rows));
    return 0;
}

/* Until here a signal simply ends the process (nothing has been written);
 * from here on files are written and threads run, so a signal is turned
 * into an orderly stop. */
static void catch_signals(void)
{
    cli_catch_stop_signals(on_signal, NULL);
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
    /* Re-encoded when the vocabulary is not the one counting built the
     * stream with: --read-vocab, --resume's, or --init's additions. */
    int status = 0;
    if (c->read_vocab || c->resume || c->init_added > 0) {
        corpus_release(&c->ids);
        corpus_init(&c->ids);
        status = corpus_encode_file(&c->ids, &c->vocab, c->fc.path, 0, &c->err);
    }
    if (status != 0)
        return status;
    if (train_signal)
        return STEP_INTERRUPTED;
    if (!c->quiet)
        fprintf(stderr, "w2v: %ld words in the vocabulary, %lld words to train per epoch (%.1f s)\n",
                (long)c->vocab.size, (long long)c->ids.words, now_seconds() - c->t0);
    return 0;
}

/* train_run's checkpoint hook: the threads are stopped. */
static int save_checkpoint(void *ctx, const struct trainer *tr, struct w2v_err *err)
{
    struct train_cmd *c = ctx;
    double t = now_seconds();
    int status = checkpoint_save(c->checkpoint, tr, c->words, c->counts, err);
    c->save_seconds = now_seconds() - t;
    c->saves += status == 0;
    return status;
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
    c->counts = w2v_calloc((size_t)c->vocab.size, sizeof *c->counts);
    c->words = w2v_calloc((size_t)c->vocab.size, sizeof *c->words);
    if (!c->counts || !c->words) {
        cli_error("out of memory");
        return STEP_PRINTED;
    }
    for (int32_t i = 0; i < c->vocab.size; i++) {
        c->counts[i] = c->vocab.entries[i].count;
        c->words[i] = c->vocab.entries[i].word;
    }
    /* This rank's share of the stream: all of it for one rank; pieces
     * interleaved with the other ranks', gathered in place, or one slice
     * of a read-only spill file (dist.h). */
    int64_t lo = 0, hi = c->ids.n;
    if (c->ids.mapped)
        dist_slice(&c->dist, c->ids.ids, c->ids.n, &lo, &hi);
    else
        hi = dist_gather(&c->dist, c->ids.ids, c->ids.n);
    int status = train_init(&c->tr, &c->opt, c->counts, c->vocab.size, c->ids.ids + lo, hi - lo,
                            &c->err);
    if (status == 0 && c->subwords)
        status = step_subwords(c);
    if (status != 0)
        return status;
    if (c->resume) {
        status = checkpoint_restore(&c->ck, c->tr, &c->err);
        checkpoint_release(&c->ck);
        if (status != 0)
            return status;
    }
    if (c->checkpoint)
        train_set_checkpoint(c->tr, c->checkpoint_every * 60.0, save_checkpoint, c);
    for (int64_t r = 0; r < c->start.rows; r++) {
        const char *w = c->start.words[r];
        int32_t id = vocab_find(&c->vocab, w, strlen(w));
        if (id >= 0)
            train_set_input(c->tr, id, c->start.data + (size_t)r * (size_t)c->start.dim);
    }
    vectors_release(&c->start); /* no longer needed: its memory back before training */
    c->dist.hs_averaged = train_hs_averaged(c->tr);
    c->mon.dist = &c->dist;
    c->mon.tr = &c->tr;
    c->mon.dist_err = &c->err;
    status = train_run(c->tr, train_monitor, &c->mon, &c->err);
    if (c->mon.log_errno) {
        cli_error("cannot write '%s': %s", c->mon.log_path, strerror(c->mon.log_errno));
        return STEP_PRINTED;
    }
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
        if (c->saves > 0)
            fprintf(stderr, "w2v: %lld checkpoint%s saved to '%s' (the last in %.3f s)\n",
                    (long long)c->saves, c->saves == 1 ? "" : "s", c->checkpoint,
                    c->save_seconds);
        if (isfinite(c->mon.log_loss.last))
            fprintf(stderr, "w2v: loss %.4f (mean over the last %.1f s)\n", c->mon.log_loss.last,
                    p->elapsed - c->mon.log_prev_time);
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
        if (c->saves > 0)
            cli_error("interrupted by signal %d; '%s' was not written; the run is saved in '%s' "
                      "(continue with --resume %s)",
                      (int)train_signal, c->output, c->checkpoint, c->checkpoint);
        else
            cli_error("interrupted by signal %d; '%s' was not written", (int)train_signal,
                      c->output);
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
    c.mon.log_fd = -1;
    c.mon.log_every = 1.0;
    c.checkpoint_every = 10.0;
    c.mon.log_loss.last = NAN;
    c.mon.draw_loss.last = NAN;
    int code = train_cmd_parse(&c, argc, argv);
    if (code >= 0)
        return code;
    vocab_init(&c.vocab);
    vectors_init(&c.start);
    corpus_init(&c.ids);
    c.t0 = now_seconds();
    if (dist_init(&c.dist, &argc, &argv, &c.err) != 0)
        return cli_report(&c.err, W2V_EIO);
    if (c.dist.rank != 0) { /* rank 0 speaks and writes */
        c.quiet = 1;
        c.save_vocab = NULL;
    }

    /* A checkpoint holds one process's threads; ranks would overwrite each
     * other's. */
    int status = c.dist.size > 1 && c.checkpoint
                     ? w2v_fail(&c.err, W2V_EINVAL,
                                "--checkpoint and --resume work in one process, not over %d "
                                "ranks",
                                c.dist.size)
                     : 0;
    if (status == 0)
        status = step_check_outputs(&c);
    if (status == 0 && c.graph)
        status = step_graph(&c);
    if (status == 0 && !c.graph)
        status = step_open_corpus(&c);
    if (status == 0 && !c.graph)
        status = step_count(&c);
    if (status == 0)
        status = step_init(&c);
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

    if (c.mon.log_fd >= 0)
        close(c.mon.log_fd);
    train_release(&c.tr);
    files_corpus_release(&c.fc);
    subword_release(&c.sw);
    corpus_release(&c.ids);
    vocab_release(&c.vocab);
    vectors_release(&c.start);
    checkpoint_release(&c.ck);
    w2v_free(c.words);
    w2v_free(c.counts);
    dist_release(&c.dist);
    return code;
}
