/* cmd_model.c — opening vector files for the commands (see cmd_model.h). */
#include "cmd_model.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "w2v/cli.h"
#include "w2v/senses.h"

/* A mapped file that another process truncates turns our next read of the
 * lost pages into SIGBUS. Rather than die by a signal, say what happened in
 * the usual one line and exit 1. The message is composed before the handler
 * is installed (only async-signal-safe calls in the handler); this buffer is
 * the one piece of process-wide state, written once per process. */
static char bus_message[700];
static size_t bus_message_len;

static void on_sigbus(int sig)
{
    (void)sig;
    ssize_t ignored = write(STDERR_FILENO, bus_message, bus_message_len);
    (void)ignored;
    _exit(W2V_EXIT_FAILURE);
}

int cmd_open_model(struct query_model *m, const char *path, int allow_map, int64_t limit)
{
    const struct vectors_read_opts o = {.limit = limit};
    return cmd_open_model_with(m, path, allow_map, &o);
}

int cmd_open_model_with(struct query_model *m, const char *path, int allow_map,
                        const struct vectors_read_opts *o)
{
    struct w2v_err err = {0};
    int rc = query_model_open_with(m, path, allow_map, o, &err);
    if (rc < 0)
        return cli_report(&err, rc);
    if (err.message[0]) /* success with a note: a side index ignored as corrupt */
        fprintf(stderr, "w2v: note: %s\n", err.message);
    cmd_guard_mapped(path);
    return 0;
}

void cmd_guard_mapped(const char *path)
{
    int n = snprintf(bus_message, sizeof bus_message,
                     "w2v: error: '%.600s' changed size while it was being read\n", path);
    bus_message_len = n > 0 && (size_t)n < sizeof bus_message ? (size_t)n : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
}

int cmd_open_plain_model(struct query_model *m, const char *path,
                         const struct vectors_read_opts *o)
{
    int rc = cmd_open_model_with(m, path, 1, o);
    if (rc != 0)
        return rc;
    struct w2v_err err = {0};
    int st = senses_check_plain(m, path, &err);
    return st != 0 ? cli_report(&err, st) : 0;
}
