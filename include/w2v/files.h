/* files.h — what w2v promises about the files a command is given, checked
 * before any work starts:
 *   - an output is never the same file as an input or as another output
 *     (same name, a symbolic or hard link, /dev/stdout redirected to it);
 *   - an existing output that this user may not write is refused, as the
 *     shell refuses `> file`, unless the command was given --force (the
 *     atomic output code in common.c keeps an existing file's mode);
 *   - a corpus is text: a compressed, binary or UTF-16/32 file is refused
 *     with the way to feed it instead;
 *   - a corpus that is a stream (stdin as "-", a pipe, /dev/stdin) is read
 *     once, into an unlinked temporary file that no exit path can leave
 *     behind, so the passes that read the corpus twice can do so. */
#ifndef W2V_FILES_H
#define W2V_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "w2v/common.h"

/* How much of a corpus is looked at before it is accepted as text. */
#define FILES_SNIFF_BYTES 65536

enum files_role { FILES_INPUT, FILES_OUTPUT };

/* One file a command was given. path NULL: not given, skipped. */
struct files_use {
    const char *path;
    enum files_role role;
    const char *what; /* for messages: "the corpus", "--save-vocab" */
};

/* Refuse an output that is the same file as any other use (input or
 * output), then an existing regular output this process may not write
 * (unless force). Two paths name the same file when both exist and have
 * the same device and inode after following links, or when neither exists
 * and both name the same entry of the same directory. Outputs that exist
 * and are not regular files (devices, FIFOs) are written in place and not
 * compared. "-" (stdin) is no file. Returns 0, W2V_EUSAGE (same file: a
 * usage error) or W2V_EIO (read-only output) with err filled. Reads the
 * file system only; thread-safe. */
int files_check(const struct files_use *uses, size_t n, int force, struct w2v_err *err);

/* Whether the first bytes of a corpus, block[0..n), look like text. name
 * and out (the output, may be NULL) are only used in messages. Returns 0,
 * or W2V_EFORMAT with err saying what the file is (gzip, bzip2, xz, zstd,
 * UTF-16/32, a word2vec vector file, binary with NUL bytes) and how to
 * feed it instead. Thread-safe. */
int files_sniff_corpus(const unsigned char *block, size_t n, const char *name, const char *out,
                       struct w2v_err *err);

/* A corpus ready to be read any number of times. */
struct files_corpus {
    const char *path;  /* open this: the given path, or fd_path for a stream */
    int fd;            /* the spooled copy of a stream, unlinked */
    int owns_fd;       /* fd is open and ours to close */
    int64_t spooled;   /* bytes copied from the stream */
    char fd_path[32];  /* "/dev/fd/N" naming fd */
    const char *name;  /* for messages: the given path, "stdin" for "-" */
};

/* Whether path is read as a stream: "-" (stdin), a FIFO, a socket or a
 * character device (a terminal, /dev/stdin on a pipe). Thread-safe. */
int files_is_stream(const char *path);

/* Check a corpus's first block (files_sniff_corpus) and, when it is a
 * stream, copy it once into a temporary file created in the directory of
 * beside (the output; else $TMPDIR or /tmp) and unlinked at once. A
 * corpus that cannot be opened is passed through unchanged, for the reader
 * to report. c->path stays valid until files_corpus_release. Returns 0,
 * W2V_EFORMAT, W2V_EIO or W2V_ENOMEM with err filled (c is then released).
 * Not thread-safe (reads stdin). */
int files_corpus_open(struct files_corpus *c, const char *path, const char *beside,
                      struct w2v_err *err);

/* Messages from the readers name the path they opened: put the corpus's
 * own name back in place of a spool's "/dev/fd/N" in err's message. */
void files_corpus_message(const struct files_corpus *c, struct w2v_err *err);

/* Close the spooled copy (its space is freed then). Safe on a zeroed or
 * already-released struct. */
void files_corpus_release(struct files_corpus *c);

/* An anonymous read-write file (O_TMPFILE, or created and unlinked at
 * once, so that no exit path, a signal's included, can leave it behind)
 * in the directory of beside (a path; NULL: "."), else in $TMPDIR or /tmp
 * when that directory refuses. shown[0..cap) receives the directory used,
 * for messages. Returns the descriptor (close-on-exec where O_TMPFILE
 * works), or -1 with errno set. Thread-safe. */
int files_temp_beside(const char *beside, char *shown, size_t cap);

/* Read up to cap bytes from fd, fewer only at end of input (EINTR
 * retried). Returns the bytes read, or -1 with errno set. */
ssize_t files_read_full(int fd, void *buf, size_t cap);

/* Write all n bytes to fd (EINTR retried). Returns 0, or -1 with errno
 * set (ENOSPC on a full disk: a write of 0 bytes reads as ENOSPC too). */
int files_write_full(int fd, const void *buf, size_t n);

#endif
