/* common_internal.h — helpers the modules share that are no part of the
 * public API: atomic output files, the buffered reader (the one line reader
 * of the tree), FNV-1a, the endianness check, the CPU count, the JSON
 * string writer and the thread runner, each written once in common.c. */
#ifndef W2V_COMMON_INTERNAL_H
#define W2V_COMMON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "w2v/common.h"

/* An output file that appears whole or not at all. For a regular (or new)
 * path, writes go to a temporary file beside it (same directory, so rename
 * is atomic) that replaces the path only on commit; an existing file is
 * untouched until then. A path that exists and is not a regular file (a
 * device such as /dev/full or /dev/stdout, a FIFO) is written directly:
 * renaming over it would destroy the device node. */
struct w2v_outfile {
    FILE *fp;        /* write here between open and commit */
    char *path;      /* owned copy of the destination */
    char *tmp_path;  /* owned; NULL when writing directly */
};

/* Open for writing. Returns 0, or W2V_EIO / W2V_ENOMEM with err filled and
 * nothing left behind. Not thread-safe on one struct. */
int w2v_outfile_open(struct w2v_outfile *o, const char *path, struct w2v_err *err);

/* Flush, sync, close and move into place. Returns 0 or W2V_EIO (e.g. disk
 * full), in which case the temporary is removed. Either way o is released. */
int w2v_outfile_commit(struct w2v_outfile *o, struct w2v_err *err);

/* Close and remove the temporary; the destination is untouched. Safe on a
 * zeroed, committed or already-aborted struct. */
void w2v_outfile_abort(struct w2v_outfile *o);

/* FNV-1a, 64-bit: the hash of every word index over file words (vectors,
 * mappings, the case-folded eval index). w2v_fnv1a_step lets a loop that
 * checks or folds bytes hash them in the same pass. Thread-safe. */
#define W2V_FNV1A_INIT 14695981039346656037ULL /* the standard offset basis */
static inline uint64_t w2v_fnv1a_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * 1099511628211ULL;
}
uint64_t w2v_fnv1a(const void *s, size_t len);

/* 1 on a little-endian host (vector files store little-endian floats).
 * Thread-safe. */
int w2v_host_is_little_endian(void);

/* Online processors, clamped to [1, max]: the default thread count of
 * every command. Thread-safe. */
int w2v_cpu_count(int max);

/* Run fn(arg, i) for every i in [0, n): i = 0 on the calling thread, the
 * others on threads of their own, and return when all are done. A thread
 * that cannot be started (or n beyond what can be tracked) costs speed,
 * not results: its fn runs on the calling thread afterwards. The one
 * thread pool of the tree (query scans, eval's analogy search). fn must
 * be safe to run concurrently for distinct i. */
void w2v_parallel(int n, void (*fn)(void *arg, int i), void *arg);

/* Length (1-4) of the valid UTF-8 sequence starting at s[0] (n >= 1 bytes
 * available), with its code point in *code_point (when not NULL), or 0 when
 * the bytes there are not one: overlong forms, surrogates and code points
 * past U+10FFFF count as invalid. Pure. */
size_t w2v_utf8_sequence(const unsigned char *s, size_t n, uint32_t *code_point);

/* Write s[0..n) to out as a quoted JSON string: '"' and '\\' escaped,
 * control characters as \u00XX, bytes that are not UTF-8 as \ufffd, so the
 * output is valid JSON whatever the input. Errors show in ferror(out).
 * Thread-safe for distinct out. */
void w2v_json_write_string(FILE *out, const char *s, size_t n);

/* A forward-only buffered reader over a file descriptor, for files read in
 * one pass by bytes (vector files) or by lines (vector text, vocabularies).
 * buf[off..len) is unread; pos is the file offset of buf[off]; one spare
 * byte past cap lets a last line be NUL-terminated in place. */
struct w2v_reader {
    int fd;           /* owned after w2v_reader_open; -1 when closed */
    const char *path; /* borrowed, for messages */
    unsigned char *buf;
    size_t cap, len, off;
    int64_t pos;
    int eof;
};

/* Open path for reading with a buffer of cap bytes (grown on demand). A
 * directory is refused ("cannot read 'x': Is a directory"). Returns 0, or
 * W2V_EIO / W2V_ENOMEM with err filled and nothing left open. path must
 * outlive r. Not thread-safe on one reader. */
int w2v_reader_open(struct w2v_reader *r, const char *path, size_t cap, struct w2v_err *err);

/* Wrap an open descriptor (it becomes the reader's); same as above. */
int w2v_reader_from_fd(struct w2v_reader *r, int fd, const char *path, size_t cap,
                       struct w2v_err *err);

/* Close the descriptor and free the buffer. Safe on a zeroed or closed
 * reader (fd 0 of a zeroed reader is not closed: set fd to -1 or open it). */
void w2v_reader_close(struct w2v_reader *r);

/* Make at least n unread bytes available (fewer only at end of file).
 * Returns how many are available, or W2V_EIO / W2V_ENOMEM (err filled). */
int64_t w2v_reader_ensure(struct w2v_reader *r, size_t n, struct w2v_err *err);

/* The next line: *line points at it, NUL-terminated in place with its '\n'
 * dropped, *len its length; valid until the next call. A last line without
 * '\n' counts. Returns 1, 0 at end of file, or a negative status: W2V_EFORMAT
 * "'path': line longer than max_line bytes", W2V_EIO, W2V_ENOMEM. */
int w2v_reader_line(struct w2v_reader *r, size_t max_line, char **line, size_t *len,
                    struct w2v_err *err);

#ifdef W2V_FAULT_INJECTION
/* A test hook: make the n-th allocation from now fail (1 = the next one); 0 disables.
 * Test-only, not thread-safe. Returns how many allocations were made since
 * the last call. */
int64_t w2v_fault_alloc_after(int64_t n);
#endif

#endif
