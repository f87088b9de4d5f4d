/* cmd_index.c — `w2v index MODEL`: save a binary model's word index beside
 * it as MODEL.w2vi, so that queries start without walking every record.
 *
 * Queries use the side index only while the model's size, mtime and
 * content hash are those it was built from (vectors_index.c); otherwise
 * they build the index as always. Nothing else ever writes one. */
#include <stdio.h>

#include "vectors_index.h"
#include "w2v/cli.h"

int cmd_index(int argc, char **argv)
{
    const struct cli_option options[] = {{0}};
    const struct cli_usage usage = {
        "index", "MODEL",
        "Build the word index of the binary vector file MODEL and save it beside\n"
        "it as MODEL.w2vi. The query commands (nearest, analogy, ...) then load\n"
        "it instead of walking every record of MODEL, which is most of a cold\n"
        "start on a big model. They use it only while MODEL's size, mtime and a\n"
        "hash of its content are those it was built from, and build the index\n"
        "as usual otherwise (rerun 'w2v index' after changing MODEL); a corrupt\n"
        "index is ignored with a note. Text vector files are not indexed.",
        options};
    int ex = cli_parse_exact(&usage, argc, argv, 1, "missing the model MODEL");
    if (ex >= 0)
        return ex;
    const char *path = argv[0];
    struct vectors_map m;
    struct vectors_map_how how = {.threads = 0, .side_index = 0};
    struct vectors_map_report rep;
    struct w2v_err err = {0};
    char *index_path = NULL;
    int status = W2V_EXIT_OK;
    int rc = vectors_map_open_with(&m, path, 0, &how, &rep, &err);
    if (rc < 0)
        return cli_report(&err, rc);
    if (rc == 1)
        return cli_error("'%s' is a text vector file: only binary files are indexed "
                         "(w2v convert writes one)",
                         path);
    index_path = vectors_index_path(path);
    if (!index_path)
        status = cli_error("out of memory");
    else if ((rc = vectors_index_write(&m, &rep.fp, index_path, &err)) < 0)
        status = cli_report(&err, rc);
    w2v_free(index_path);
    vectors_map_release(&m);
    return status;
}
