/* vectors_index.h — internal: how a mapped model gets its word index.
 *
 * vectors_map.c builds the index by walking the records, in parallel byte
 * ranges where it can (the chains each range walks are verified to meet,
 * or the walk is redone serially), or loads it from a side index
 * (MODEL.w2vi, written by `w2v index`) that still matches the model.
 * vectors_index.c reads and writes that side file. Not part of the public
 * API. */
#ifndef W2V_VECTORS_INDEX_H
#define W2V_VECTORS_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/vectors.h"

/* What identifies the model a side index was built from: its size and
 * mtime (what any rewrite changes), and a hash of sampled content (what a
 * copy that kept the mtime, cp -p or rsync -t, does not fake). */
struct vectors_fingerprint {
    uint64_t size, mtime_sec, mtime_nsec, content;
};

/* How vectors_map_open_with builds the index, and what it did. */
struct vectors_map_how {
    int threads;    /* ranges walked in parallel; <= 0: by the CPU count and size */
    int side_index; /* 1: use MODEL.w2vi when it matches */
};
struct vectors_map_report {
    int ranges;       /* byte ranges walked in parallel (1: the serial walk) */
    int fell_back;    /* 1: the parallel walk did not verify; redone serially */
    int side_index;   /* 1: loaded from MODEL.w2vi; 0: none or stale; -1: ignored (corrupt) */
    struct vectors_fingerprint fp; /* of the mapped file (content filled only by vectors_index_write) */
};

/* vectors_map_open_limit with a choice of how (NULL: the defaults,
 * threads by CPU count, side index used) and a report of what happened
 * (rep may be NULL). Same returns. On success err->message may hold a note
 * with err->status 0: a side index that was ignored as corrupt. Whatever
 * the way, the index answers exactly as the serial walk's. Not
 * thread-safe on one struct. */
int vectors_map_open_with(struct vectors_map *m, const char *path, int64_t limit,
                          const struct vectors_map_how *how, struct vectors_map_report *rep,
                          struct w2v_err *err);

/* MODEL.w2vi for path: a new string (the caller's, to w2v_free), or NULL
 * when out of memory. */
char *vectors_index_path(const char *path);

/* The content part of the fingerprint of m's file (size and mtime are
 * the caller's, from fstat). Pure; thread-safe. */
uint64_t vectors_index_content_hash(const struct vectors_map *m);

/* Write m's index (rows, offsets, slots) with fp to index_path through an
 * atomic output file. Returns 0 or W2V_EIO / W2V_ENOMEM (err filled; no
 * file left behind). Thread-safe for distinct paths. */
int vectors_index_write(const struct vectors_map *m, const struct vectors_fingerprint *fp,
                        const char *index_path, struct w2v_err *err);

/* Fill m->row_off, m->slots and m->n_slots (m already mapped, with rows,
 * dim and body_start from the model's header) from index_path when its
 * header matches fp and m and everything in it checks out. Returns 1
 * (loaded), 0 (no such file, or built from another model: stale), or -1
 * when the file is corrupt or truncated, with a note in note->message
 * (note->status stays 0). On 0 and -1 m's index is untouched (NULL), and
 * W2V_ENOMEM is reported as 0 too: building the index is always the way
 * back. Never reads outside m's mapping. Not thread-safe on one m. */
int vectors_index_load(struct vectors_map *m, const struct vectors_fingerprint *fp,
                       const char *index_path, struct w2v_err *note);

#endif
