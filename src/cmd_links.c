/* cmd_links.c — `w2v eval-links VEC HELD-OUT`: link-prediction ROC AUC. */
#include <stdio.h>
#include <string.h>

#include "common_internal.h"
#include "w2v/cli.h"
#include "w2v/graph.h"
#include "w2v/links.h"
#include "w2v/query.h"
#include "cmd_model.h"

int cmd_eval_links(int argc, char **argv)
{
    int64_t seed = 1;
    struct vectors_read_opts ro = {0};
    int json = 0;
    const char *exclude_path = NULL;
    const struct cli_option options[] = {
        {"seed", NULL, 0, CLI_INT64, &seed, "N", "seed of the non-edge sample (default 1)", 0,
         9e18, NULL},
        {"exclude", NULL, 0, CLI_STRING, &exclude_path, "GRAPH",
         "edges of GRAPH (the training graph) are not drawn as non-edges either", 0, 0, NULL},
        {"json", NULL, 0, CLI_FLAG, &json, NULL, "print one JSON object", 0, 1, NULL},
        CMD_NO_HEADER_OPTION(ro.no_header),
        {0},
    };
    const struct cli_usage usage = {
        "eval-links", "VEC HELD-OUT [options]",
        "Link prediction: the ROC AUC of the cosine of node vectors (VEC, word2vec binary or\n"
        "text) on the edges of HELD-OUT (an edge list as `w2v walks` reads, taken as\n"
        "undirected, weights ignored) against as many pairs of nodes drawn uniformly from VEC\n"
        "that are not edges of HELD-OUT (nor of --exclude GRAPH). AUC is the chance that an\n"
        "edge scores above a non-edge, ties counting half: 0.5 is chance, 1 perfect. Edges\n"
        "with a node missing from VEC are skipped and counted.",
        options};
    int ex = cli_parse_exact(&usage, argc, argv, 2,
                             "expected a vector file and a held-out edge file");
    if (ex >= 0)
        return ex;
    struct query_model m;
    struct graph held, excl;
    struct links_result res;
    struct w2v_err err = {0};
    struct graph_options gopt = {0, 0};
    int rc = W2V_EXIT_FAILURE;
    memset(&m, 0, sizeof m);
    graph_init(&held);
    graph_init(&excl);
    int st = graph_read(&held, argv[1], &gopt, &err);
    if (st == 0 && exclude_path)
        st = graph_read(&excl, exclude_path, &gopt, &err);
    if (st == 0)
        st = query_model_open_with(&m, argv[0], 1, &ro, &err);
    if (st == 0)
        st = links_eval(&m, &held, exclude_path ? &excl : NULL, (uint64_t)seed, &res, &err);
    if (st != 0) {
        rc = cli_report(&err, st);
        if (rc == W2V_EXIT_USAGE)
            rc = W2V_EXIT_FAILURE;
        goto done;
    }
    if (json)
        printf("{\"auc\": %.6f, \"edges\": %lld, \"non_edges\": %lld, \"skipped\": %lld, "
               "\"edge_mean_cosine\": %.6f, \"non_edge_mean_cosine\": %.6f}\n",
               res.auc, (long long)res.positives, (long long)res.negatives,
               (long long)res.skipped, res.pos_mean, res.neg_mean);
    else
        printf("AUC %.4f: %lld held-out edges (mean cosine %.4f) against %lld non-edges (mean "
               "cosine %.4f); %lld edges skipped (a node not in '%s')\n",
               res.auc, (long long)res.positives, res.pos_mean, (long long)res.negatives,
               res.neg_mean, (long long)res.skipped, argv[0]);
    rc = cli_finish_stdout();
done:
    query_model_release(&m);
    graph_release(&held);
    graph_release(&excl);
    return rc;
}
