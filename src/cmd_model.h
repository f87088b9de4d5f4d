/* cmd_model.h — internal to the commands: opening a vector file for the
 * query and eval commands, with the one SIGBUS guard for mapped files. */
#ifndef W2V_CMD_MODEL_H
#define W2V_CMD_MODEL_H

#include <stdint.h>

#include "w2v/query.h"

/* Open path as a query model (mapped when allow_map and the file is
 * binary; only the first limit rows when limit > 0) and, for the rest of
 * the process, turn a SIGBUS (the mapped file shrank under us) into the
 * usual one-line error and exit 1. Returns 0, or the exit code after
 * reporting the failure (cli_report). Not thread-safe: call once at start. */
int cmd_open_model(struct query_model *m, const char *path, int allow_map, int64_t limit);

#endif
