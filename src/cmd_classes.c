/* cmd_classes.c — `w2v classes VEC -k K -o OUT`: word classes by spherical
 * k-means (classes.c), written as the original's `word class` lines; and
 * `--evaluate FILE` to score any class file of the same vectors. */
#include <stdio.h>
#include <string.h>

#include "common_internal.h"
#include "w2v/classes.h"
#include "w2v/cli.h"
#include "w2v/vectors.h"
#include "cmd_model.h"

int cmd_classes(int argc, char **argv)
{
    const char *output = NULL, *evaluate = NULL;
    int k = 0, iter = 100, threads = 0, quiet = 0;
    int64_t seed = 1;
    struct vectors_read_opts ro = {0};
    const struct cli_option options[] = {
        {"classes", "classes", 'k', CLI_INT, &k, "K", "number of classes (required)", 1, 2147483647.0, NULL},
        {"output", "output", 'o', CLI_STRING, &output, "OUT", "write 'word class' lines to OUT, '-' for stdout (required)", 0, 0, NULL},
        {"iter", "iter", 0, CLI_INT, &iter, "N", "stop after N rounds if assignments still change (default 100)", 1, 1000000, NULL},
        {"seed", NULL, 0, CLI_INT64, &seed, "N", "seed of the k-means++ seeding (default 1)", 0, 9e18, NULL},
        {"threads", "threads", 0, CLI_INT, &threads, "N", "threads (default: online CPUs); the result does not depend on it", 1, 1024, NULL},
        {"evaluate", NULL, 0, CLI_STRING, &evaluate, "FILE", "instead of clustering, print the mean within-class cosine of the class file FILE", 0, 0, NULL},
        {"quiet", NULL, 'q', CLI_FLAG, &quiet, NULL, "print nothing but errors", 0, 0, NULL},
        CMD_NO_HEADER_OPTION(ro.no_header),
        {0},
    };
    const struct cli_usage usage = {
        "classes", "VEC -k K -o OUT [options]",
        "Cluster the word vectors of VEC into K classes by cosine (spherical k-means\n"
        "with k-means++ seeding) and write one 'word class' line per word, in the\n"
        "order of VEC, as the original word2vec's -classes does. The summary on\n"
        "stderr gives the mean cosine of the words to their class centre.",
        options};
    int npos = 0;
    int ex = cli_parse_command(&usage, argc, argv, &npos);
    if (ex >= 0)
        return ex;
    if (npos != 1)
        return cli_usage_error(&usage, npos == 0 ? "no vector file given" : "unexpected argument '%s'",
                               npos == 0 ? "" : argv[1]);
    if (!evaluate && k == 0)
        return cli_usage_error(&usage, "no number of classes given (-k K)");
    if (!evaluate && !output)
        return cli_usage_error(&usage, "no output file given (-o OUT, or -o - for stdout)");
    if (threads == 0)
        threads = w2v_cpu_count(1024);

    struct vectors v;
    struct w2v_err err = {0};
    int32_t *cls = NULL;
    int rc = vectors_read_with(&v, argv[0], &ro, &err);
    if (rc < 0)
        return cli_report(&err, rc);
    cls = w2v_calloc((size_t)v.rows, sizeof *cls);
    if (!cls) {
        rc = w2v_fail(&err, W2V_ENOMEM, "out of memory for the classes of %lld words",
                      (long long)v.rows);
        goto fail;
    }
    if (evaluate) {
        int32_t kk;
        double mean;
        if ((rc = classes_read(evaluate, &v, cls, &kk, &err)) != 0)
            goto fail;
        if ((rc = classes_mean_cosine(v.data, v.rows, v.dim, (size_t)v.dim, cls, kk, &mean,
                                      &err)) != 0)
            goto fail;
        printf("%.6f\n", mean);
        w2v_free(cls);
        vectors_release(&v);
        return W2V_EXIT_OK;
    }
    if (k > v.rows) {
        w2v_free(cls);
        vectors_release(&v);
        return cli_usage_error(&usage, "-k %d is more than the %lld words of '%s'", k,
                               (long long)v.rows, argv[0]);
    }
    struct classes_options o;
    struct classes_stats st;
    classes_options_default(&o);
    o.k = k;
    o.max_iter = iter;
    o.seed = (uint64_t)seed;
    o.threads = threads;
    if ((rc = classes_kmeans(v.data, v.rows, v.dim, (size_t)v.dim, &o, cls, &st, &err)) != 0)
        goto fail;
    if (strcmp(output, "-") == 0) {
        for (int64_t i = 0; i < v.rows; i++)
            printf("%s %d\n", v.words[i], cls[i]);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            rc = w2v_fail_errno(&err, "cannot write to stdout");
            goto fail;
        }
    } else if ((rc = classes_write(output, (const char *const *)v.words, v.rows, cls, &err)) != 0) {
        goto fail;
    }
    if (!quiet)
        fprintf(stderr,
                "w2v: %d classes of %lld words: %d rounds (%s), mean cosine to the class "
                "centre %.4f\n",
                k, (long long)v.rows, st.iterations, st.converged ? "converged" : "--iter reached",
                st.mean_cosine);
    w2v_free(cls);
    vectors_release(&v);
    return W2V_EXIT_OK;
fail:
    w2v_free(cls);
    vectors_release(&v);
    return cli_report(&err, rc);
}
