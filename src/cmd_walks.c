/* cmd_walks.c — `w2v walks GRAPH -o WALKS`: read an edge list, write random
 * walks (DeepWalk, node2vec) as sentences for `w2v train`. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common_internal.h"
#include "w2v/cli.h"
#include "w2v/graph.h"
#include "w2v/walks.h"

/* Set by the SIGINT/SIGTERM handler, read by the progress callback on the
 * main thread (walk threads block signals): the run stops and the output
 * file is not written. */
static volatile sig_atomic_t walks_signal;

static void on_signal(int signo) { walks_signal = signo; }

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct walks_monitor {
    int show;
    double start, last_draw;
};

static int walks_monitor(void *ctx, int64_t done, int64_t total)
{
    struct walks_monitor *m = ctx;
    double now = now_seconds();
    if (m->show && (done == total || now - m->last_draw >= 0.25)) {
        double el = now - m->start;
        fprintf(stderr, "\r%5.1f%%  %lld of %lld walks  %.0f walks/s  ",
                total > 0 ? 100.0 * (double)done / (double)total : 100.0, (long long)done,
                (long long)total, el > 0 ? (double)done / el : 0.0);
        if (done == total)
            fputc('\n', stderr);
        fflush(stderr);
        m->last_draw = now;
    }
    return walks_signal != 0;
}

int cmd_walks(int argc, char **argv)
{
    struct walks_options o;
    walks_options_default(&o);
    const char *output = NULL;
    int directed = 0, weighted = 0, threads = 0, quiet = 0, show_progress = 0;
    int64_t seed = 1;
    const struct cli_option options[] = {
        {"output", NULL, 'o', CLI_STRING, &output, "OUT",
         "write the walks to OUT, '-' for stdout (required)", 0, 0, NULL},
        {"walks", NULL, 0, CLI_INT64, &o.walks, "N", "walks from every node (default 10)", 1,
         1e9, NULL},
        {"length", NULL, 0, CLI_INT, &o.length, "L", "nodes per walk (default 80)", 1, 1e6,
         NULL},
        {"p", NULL, 0, CLI_DOUBLE, &o.p, "P",
         "node2vec return parameter: going back weighs 1/P (default 1)", 1e-6, 1e6, NULL},
        {"q", NULL, 0, CLI_DOUBLE, &o.q, "Q",
         "node2vec in-out parameter: moving away weighs 1/Q (default 1)", 1e-6, 1e6, NULL},
        {"directed", NULL, 0, CLI_FLAG, &directed, NULL,
         "edges go from the first node to the second only", 0, 0, NULL},
        {"weighted", NULL, 0, CLI_FLAG, &weighted, NULL,
         "read 'u v weight' lines; steps are drawn in proportion to the weights", 0, 0, NULL},
        {"threads", NULL, 0, CLI_INT, &threads, "N", "threads (default: all CPUs)", 1, 1024,
         NULL},
        {"seed", NULL, 0, CLI_INT64, &seed, "N",
         "random seed (default 1); the output depends on it alone", 0, 9e18, NULL},
        {"progress", NULL, 0, CLI_FLAG, &show_progress, NULL,
         "show the progress line even when stderr is not a terminal", 0, 0, NULL},
        {"quiet", NULL, 0, CLI_FLAG, &quiet, NULL, "print nothing but errors", 0, 0, NULL},
        {0},
    };
    const struct cli_usage usage = {
        "walks", "GRAPH -o OUT [options]",
        "Random walks over the graph in GRAPH ('-' for stdin), one walk a line, node names\n"
        "separated by spaces: a corpus for `w2v train --model skipgram --min-count 1\n"
        "--sample 0` (DeepWalk; node2vec with --p and --q). GRAPH is an edge list: 'u v' or\n"
        "'u v weight' per line, names are any tokens of at most 100 bytes, a field starting\n"
        "with '#' starts a comment, a line with one name adds an isolated node. Edges go both\n"
        "ways unless --directed; a repeated edge counts once (with --weighted, its weights\n"
        "add up); weights must be positive. Every round starts one walk at every node, in a\n"
        "shuffled order; a walk ends early at a node with no edge out (an isolated node's\n"
        "walk is the node alone). The output is the same for any --threads.",
        options};
    int ex = cli_parse_exact(&usage, argc, argv, 1, "expected a graph file");
    if (ex >= 0)
        return ex;
    if (!output)
        return cli_usage_error(&usage, "no output file given (-o OUT, '-' for stdout)");
    if (threads == 0) {
        threads = w2v_cpu_count(1024);
    }
    o.threads = threads;
    o.seed = (uint64_t)seed;

    struct graph g;
    struct w2v_outfile of;
    struct w2v_err err = {0};
    int rc = W2V_EXIT_FAILURE, st;
    int to_stdout = strcmp(output, "-") == 0;
    graph_init(&g);
    memset(&of, 0, sizeof of);
    struct sigaction old[2];
    cli_catch_stop_signals(on_signal, old);

    /* The output is opened first: a bad path fails before a long read. */
    FILE *out = stdout;
    if (!to_stdout) {
        st = w2v_outfile_open(&of, output, &err);
        if (st != 0)
            goto report;
        out = of.fp;
    }
    double t0 = now_seconds();
    struct graph_options gopt = {directed, weighted};
    st = graph_read(&g, argv[0], &gopt, &err);
    if (st != 0)
        goto report;
    if (!quiet)
        fprintf(stderr,
                "w2v: %ld nodes, %lld edges (%lld self-loops, %lld repeated lines merged), %s%s "
                "(%.1f s)\n",
                (long)g.n_nodes, (long long)g.n_edges, (long long)g.self_loops,
                (long long)g.duplicates, directed ? "directed" : "undirected",
                weighted ? ", weighted" : "", now_seconds() - t0);
    if (walks_signal)
        goto interrupted;
    struct walks_monitor mon = {!quiet && (show_progress || isatty(STDERR_FILENO)),
                                now_seconds(), 0.0};
    st = walks_write(&g, &o, out, walks_monitor, &mon, &err);
    if (st == W2V_EINTR && walks_signal)
        goto interrupted;
    if (st != 0)
        goto report;
    if (walks_signal)
        goto interrupted;
    if (to_stdout) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            st = w2v_fail_errno(&err, "cannot write the walks to stdout");
            goto report;
        }
    } else {
        st = w2v_outfile_commit(&of, &err);
        if (st != 0)
            goto report;
    }
    if (!quiet) {
        double s = now_seconds() - mon.start;
        fprintf(stderr, "w2v: wrote %lld walks of up to %d nodes to %s in %.1f s\n",
                (long long)(o.walks * g.n_nodes), o.length, to_stdout ? "stdout" : output, s);
    }
    rc = W2V_EXIT_OK;
    goto done;

interrupted:
    cli_error("interrupted by signal %d; '%s' was not written", (int)walks_signal, output);
    rc = 128 + (int)walks_signal;
    goto done;
report:
    rc = cli_report(&err, st);
    if (rc == W2V_EXIT_USAGE)
        rc = W2V_EXIT_FAILURE; /* a bad graph file is bad data, not bad usage */
done:
    w2v_outfile_abort(&of);
    graph_release(&g);
    sigaction(SIGINT, &old[0], NULL);
    sigaction(SIGTERM, &old[1], NULL);
    return rc;
}
