/* cmd_model.h — internal to the commands: opening a vector file for the
 * query and eval commands, with the one SIGBUS guard for mapped files. */
#ifndef W2V_CMD_MODEL_H
#define W2V_CMD_MODEL_H

#include <stdint.h>

#include "w2v/query.h"
#include "w2v/cli.h"

/* The --limit option of every command that reads a vector file for
 * queries: gensim's limit=, the first N vectors only. */
#define CMD_LIMIT_OPTION(target)                                                         \
    {"limit", NULL, 0, CLI_INT64, &(target), "N",                                        \
     "read only the first N vectors of the file (gensim's limit=; default all)", 1, 9e18, \
     NULL}

/* --no-header: GloVe's layout whose first line reads as a header. */
#define CMD_NO_HEADER_OPTION(target)                                                        \
    {"no-header", NULL, 0, CLI_FLAG, &(target), NULL,                                    \
     "the first line is a vector, not \"WORDS DIMENSIONS\" (GloVe; default: detected)", 0, \
     1, NULL}

/* Both options above, into a struct vectors_read_opts. */
#define CMD_READ_OPTIONS(ro) CMD_LIMIT_OPTION((ro).limit), CMD_NO_HEADER_OPTION((ro).no_header)

/* Open path as a query model (mapped when allow_map and the file is
 * binary; only the first limit rows when limit > 0) and, for the rest of
 * the process, turn a SIGBUS (the mapped file shrank under us) into the
 * usual one-line error and exit 1. Returns 0, or the exit code after
 * reporting the failure (cli_report). Not thread-safe: call once at start. */
int cmd_open_model(struct query_model *m, const char *path, int allow_map, int64_t limit);

/* For the rest of the process, a SIGBUS (a file mapped from path shrank
 * under us) becomes the one-line error naming path and exit 1. For every
 * command that maps a file: cmd_open_model calls it, the subword model
 * readers (cmd_subword.h) too. Not thread-safe: call once at start. */
void cmd_guard_mapped(const char *path);

/* cmd_open_model reading as o says (o may be NULL). Same returns. */
int cmd_open_model_with(struct query_model *m, const char *path, int allow_map,
                        const struct vectors_read_opts *o);

/* cmd_open_model (mapping allowed) for a command that wants plain word
 * vectors: a senses file (rows named word#N) is refused with the usual
 * error. Returns 0, or the exit code after reporting. Not thread-safe. */
int cmd_open_plain_model(struct query_model *m, const char *path,
                         const struct vectors_read_opts *o);

#endif
