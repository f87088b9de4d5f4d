/* test_checkpoint.c — a saved state reads back bit for bit into a fresh
 * trainer; failed writes leave nothing; damaged headers are refused. */
#include <stdint.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "test.h"
#include "train_state.h"

/* A small stream: 60 sentences of 8 words over 20 words (id 0 is </s>). */
static void make_stream(int32_t *ids, int64_t *n, int64_t *counts, int32_t vocab)
{
    struct rng r;
    rng_seed(&r, 4, 0);
    *n = 0;
    for (int s = 0; s < 60; s++) {
        for (int k = 0; k < 8; k++)
            ids[(*n)++] = 1 + (int32_t)rng_below(&r, (uint64_t)(vocab - 1));
        ids[(*n)++] = 0;
    }
    /* Counts in non-increasing order, as the vocabulary gives them. */
    counts[0] = 0;
    for (int32_t w = 1; w < vocab; w++)
        counts[w] = 100 - w;
}

static void test_round_trip(void)
{
    enum { V = 21 };
    int32_t ids[600];
    int64_t n, counts[V];
    char names[V][8];
    const char *words[V];
    make_stream(ids, &n, counts, V);
    for (int i = 0; i < V; i++) {
        snprintf(names[i], sizeof names[i], i ? "w%d" : "</s>", i);
        words[i] = names[i];
    }
    struct train_options o;
    struct trainer *tr = NULL, *back = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.dim = 20; /* not a multiple of 16: rows are saved without padding */
    o.hs = 1;
    o.epochs = 2;
    CHECK(train_init(&tr, &o, counts, V, ids, n, &err) == 0);
    CHECK(train_run(tr, NULL, NULL, &err) == 0);
    char path[] = "/tmp/w2v-ckpt-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(checkpoint_save(path, tr, words, counts, &err) == 0);

    struct checkpoint ck;
    CHECK(checkpoint_open(&ck, path, &err) == 0);
    CHECK(ck.vocab_size == V && ck.opt.dim == 20 && ck.opt.hs == 1 && ck.opt.epochs == 2);
    CHECK(strcmp(ck.words[3], "w3") == 0 && ck.counts[3] == 97);
    CHECK(train_init(&back, &ck.opt, ck.counts, V, ids, n, &err) == 0);
    CHECK(checkpoint_restore(&ck, back, &err) == 0);
    size_t bytes = (size_t)V * tr->model.stride * sizeof(float);
    CHECK(memcmp(tr->model.syn0, back->model.syn0, bytes) == 0);
    CHECK(memcmp(tr->model.syn1, back->model.syn1, bytes) == 0);
    CHECK(memcmp(tr->model.syn1neg, back->model.syn1neg, bytes) == 0);
    CHECK(atomic_load(&back->words_done) == atomic_load(&tr->words_done));
    CHECK(atomic_load(&back->loss_examples) == atomic_load(&tr->loss_examples));
    CHECK(back->resume[0].rng.state == tr->resume[0].rng.state);
    checkpoint_release(&ck);
    checkpoint_release(&ck); /* safe twice */

    /* Another corpus (one id changed) is refused by its hash. */
    ids[5] = ids[5] == 1 ? 2 : 1;
    train_release(&back);
    CHECK(checkpoint_open(&ck, path, &err) == 0);
    CHECK(train_init(&back, &ck.opt, ck.counts, V, ids, n, &err) == 0);
    CHECK(checkpoint_restore(&ck, back, &err) == W2V_EFORMAT);
    CHECK(strstr(err.message, "corpus") != NULL);
    checkpoint_release(&ck);

    /* A header that claims more words than the file holds. */
    FILE *f = fopen(path, "r+b");
    int64_t lie = 1000000000;
    CHECK(f && fseek(f, 104, SEEK_SET) == 0 && fwrite(&lie, 8, 1, f) == 1 && fclose(f) == 0);
    CHECK(checkpoint_open(&ck, path, &err) == W2V_EFORMAT);
    CHECK(strstr(err.message, "size") != NULL);

    /* Failed writes: a full device, a missing directory; nothing left. */
    struct stat st;
    if (stat("/dev/full", &st) == 0)
        CHECK(checkpoint_save("/dev/full", tr, words, counts, &err) == W2V_EIO);
    CHECK(checkpoint_save("/tmp/w2v-no-such-dir/x.ck", tr, words, counts, &err) == W2V_EIO);
    CHECK(stat("/tmp/w2v-no-such-dir/x.ck", &st) != 0);
    remove(path);
    train_release(&tr);
    train_release(&back);
}

/* A run that has handed out every chunk hands out no more: each
 * checkpoint pause starts every thread again, the ones out of work too, and
 * a thread that took a chunk number each time counted the run past its
 * end, so that --resume refused the checkpoint (seen under the sanitizers,
 * where one thread ran long after the other). Here the restarts are
 * explicit: train_run again on a finished run. */
static void test_finished_restart(void)
{
    enum { V = 21 };
    int32_t ids[600];
    int64_t n, counts[V];
    make_stream(ids, &n, counts, V);
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.dim = 16;
    o.epochs = 2;
    o.threads = 2;
    CHECK(train_init(&tr, &o, counts, V, ids, n, &err) == 0);
    CHECK(train_run(tr, NULL, NULL, &err) == 0);
    const int64_t last = train_chunks(2, n) * 2;
    const int64_t handed = atomic_load(&tr->next_chunk), done = atomic_load(&tr->words_done);
    CHECK(handed >= last && handed <= last + 2);
    CHECK(done == 2 * 480);
    for (int again = 0; again < 3; again++)
        CHECK(train_run(tr, NULL, NULL, &err) == 0);
    CHECK(atomic_load(&tr->next_chunk) == handed);
    CHECK(atomic_load(&tr->words_done) == done);
    train_release(&tr);
}

int main(void)
{
    TEST_RUN(test_round_trip);
    TEST_RUN(test_finished_restart);
    return TEST_REPORT("test_checkpoint");
}
