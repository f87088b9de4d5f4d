/* checkpoint.h — the whole training state in one file (internal header):
 * `w2v train --checkpoint FILE` saves it, `--resume FILE` continues.
 *
 * Layout (version 1; every number little-endian, as the host writes it:
 * x86-64 and arm64; a file from a big-endian host fails the magic check):
 *
 *   offset  size        field
 *   0       8           magic "W2VCKPT\0"
 *   8       4   u32     version (1)
 *   12      4   u32     header bytes (160)
 *   16      16          kernel name, NUL-padded
 *   32      4 x 8 i32   arch, dim, window, negative, hs, cbow_sum, epochs, threads
 *   64      4 x 8 f64   ns_exponent, sample, alpha (the starting rate), (reserved 0)
 *   96      8   u64     seed
 *   104     8   i64     V: vocabulary size (</s> is id 0)
 *   112     8   i64     word bytes: the words section's size
 *   120     8   i64     n_ids: the encoded corpus's length (ids and </s>)
 *   128     8   u64     FNV-1a of the encoded corpus (ids as i32): the same corpus?
 *   136     8   i64     words done (all threads, all epochs), at a sentence boundary
 *   144     8   i64     words kept by subsampling
 *   152     8   i64     next chunk to hand out
 *   160     8 x V i64   counts, by id
 *           word bytes  the words by id, each NUL-terminated
 *           4 x V x dim syn0 (f32, dim per row, no padding)
 *           4 x V x dim syn1     (only with hs)
 *           4 x V x dim syn1neg  (only with negative > 0)
 *           80 x threads        per thread: rng u64, alpha f32, started i32,
 *                               loss_tick i32, (pad 4), pending words, kept,
 *                               examples i64, pending loss f64, chunk, pos, end i64
 *           16                  loss units i64, loss examples i64
 *           8   u64             FNV-1a of every byte before it
 *
 * The reader checks the magic, the version, the header size, every field's
 * range, the total size (computed with overflow checks) against the file's
 * real size before allocating, every float for finiteness, and the
 * checksum; a resumed corpus must hash to the saved one. */
#ifndef W2V_CHECKPOINT_H
#define W2V_CHECKPOINT_H

#include <stdint.h>
#include <stdio.h>

#include "w2v/common.h"
#include "w2v/train.h"

#define CHECKPOINT_VERSION 1

/* A checkpoint opened by checkpoint_open: its header and vocabulary, the
 * file positioned at the matrices for checkpoint_restore. */
struct checkpoint {
    struct train_options opt;  /* opt.kernel points to a static name */
    int32_t vocab_size;
    char *word_pool;           /* [word bytes] the words, NUL-terminated */
    char **words;              /* [V] into word_pool */
    int64_t *counts;           /* [V] */
    int64_t n_ids;
    uint64_t ids_hash;
    int64_t words_done, words_kept, next_chunk;
    FILE *fp;
    char *path;
    uint64_t hash;             /* of the bytes read so far */
};

/* Save tr's whole state (threads stopped: see train_set_checkpoint) with
 * the vocabulary words[0..V) and counts[0..V) (the trainer keeps only what
 * it derived from them) to path: a temporary beside it, fsync'd and
 * renamed over it, so a crash during a save leaves the previous file.
 * Returns 0 or W2V_EIO / W2V_ENOMEM with err filled. Not thread-safe. */
int checkpoint_save(const char *path, const struct trainer *tr, const char *const *words,
                    const int64_t *counts, struct w2v_err *err);

/* Open path and read its header and vocabulary, checked as above (all but
 * the matrices, the threads and the checksum: checkpoint_restore). Returns 0
 * or W2V_EIO, W2V_EFORMAT (err says what is wrong), W2V_ENOMEM; on failure
 * ck is released. */
int checkpoint_open(struct checkpoint *ck, const char *path, struct w2v_err *err);

/* Read the rest into tr, which train_init built from ck's options and
 * counts over the re-encoded corpus: the matrices, counters and threads'
 * places; checks the corpus hash and the checksum. Returns 0 or W2V_EIO /
 * W2V_EFORMAT with err filled (tr is then partly overwritten: release it).
 * Not thread-safe. */
int checkpoint_restore(struct checkpoint *ck, struct trainer *tr, struct w2v_err *err);

/* Close and free. Safe on a zeroed or released struct. */
void checkpoint_release(struct checkpoint *ck);

#endif
