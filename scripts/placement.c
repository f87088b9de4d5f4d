/* placement.c — what sharing a matrix's memory costs two threads here.
 *
 * The training loop's memory traffic without the training: each step
 * reads one input row, then for six output rows (one drawn like a
 * context word, five like negatives) takes a dot product with it and
 * adds to both, as skip-gram NS does. Rows are drawn from a Zipf law over
 * --rows words (the input and positive rows with counts ~ 1/rank, the
 * negatives with counts^0.75), and the rows of the most frequent words
 * (input < 1024, output < 2048, as w2v's hot sets) are always each
 * thread's private copies. The layout decides what the two threads share
 * of the remaining output rows:
 *
 *   shared        one matrix, every row drawn by both threads (Hogwild)
 *   split-rows    one matrix, thread t moves each draw to a row of its own
 *                 parity: no row is written by two threads, but every
 *                 page holds rows of both
 *   split-blocks  one matrix, thread t keeps to its own blocks of BLOCK rows
 *                 (default 256, 112 KiB): no row and almost no page written
 *                 by both; smaller blocks put more rows of both on a page
 *   read-shared   one matrix, every row drawn by both threads, but a thread
 *                 writes only the rows of its own blocks and only reads the
 *                 others': does reading a page the other thread writes cost?
 *   private       each thread its own matrix, allocated by itself
 *
 * The split layouts change which rows are trained (not training, a
 * measurement); what they tell apart is whether a slow-down comes from
 * rows both threads write or from memory both threads use.
 *
 * AHEAD > 0 fetches each step's rows for writing (PREFETCHW on x86)
 * AHEAD steps before the step, as w2v's kernel does: a cost that is the
 * latency of a far line would then hide.
 *
 *   cc -O2 -pthread scripts/placement.c -o placement -lm
 *   ./placement LAYOUT THREADS [SECONDS [BLOCK [AHEAD]]]   (prints million steps/s)
 * bench-placement.sh runs the layouts side by side with line-latency. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { ROWS = 45000, DIM = 100, STRIDE = 112, HOT_IN = 1024, HOT_OUT = 2048 };
enum layout { SHARED, SPLIT_ROWS, SPLIT_BLOCKS, READ_SHARED, PRIVATE };
enum { MAX_THREADS = 64, RING = 64 };

/* Walker's alias table over ROWS outcomes. */
struct alias {
    float keep[ROWS];
    int32_t other[ROWS];
};

struct worker {
    int index, threads;
    double seconds;
    double steps_per_s;
};

static enum layout layout;
static int block_rows = 256, ahead; /* set once by main */
static struct alias context_words, negatives;
static float *shared_in, *shared_out;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void alias_fill(struct alias *a, double exponent)
{
    static double scaled[ROWS];
    static int32_t small[ROWS], large[ROWS];
    double total = 0;
    for (int r = 0; r < ROWS; r++)
        total += pow(1.0 / (r + 1), exponent);
    int ns = 0, nl = 0;
    for (int r = 0; r < ROWS; r++) {
        scaled[r] = pow(1.0 / (r + 1), exponent) / total * ROWS;
        if (scaled[r] < 1)
            small[ns++] = r;
        else
            large[nl++] = r;
    }
    while (ns && nl) {
        int32_t s = small[--ns], l = large[nl - 1];
        a->keep[s] = (float)scaled[s];
        a->other[s] = l;
        scaled[l] -= 1 - scaled[s];
        if (scaled[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl) {
        int32_t l = large[--nl];
        a->keep[l] = 1;
        a->other[l] = l;
    }
    while (ns) {
        int32_t s = small[--ns];
        a->keep[s] = 1;
        a->other[s] = s;
    }
}

static int32_t draw(const struct alias *a, uint64_t *s)
{
    uint64_t x = next(s);
    int32_t r = (int32_t)(((x >> 32) * ROWS) >> 32);
    return (float)(x & 0xFFFFFF) / 16777216.0f < a->keep[r] ? r : a->other[r];
}

/* A matrix of `rows` rows, on 2 MiB boundaries with huge pages asked for,
 * as w2v's model.c allocates them. */
static float *matrix(size_t rows)
{
    size_t bytes = rows * STRIDE * sizeof(float);
    void *p = NULL;
    if (posix_memalign(&p, (size_t)2 << 20, bytes) != 0) {
        fprintf(stderr, "placement: out of memory\n");
        exit(1);
    }
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    float *m = p;
    for (size_t i = 0; i < rows * STRIDE; i++)
        m[i] = ((float)(i % 997) / 997 - 0.5f) / DIM;
    return m;
}

/* Where thread w's draw of output row r lands under the layout. */
static int32_t place(int32_t r, const struct worker *w)
{
    if (r < HOT_OUT || w->threads == 1)
        return r;
    int32_t tail = r - HOT_OUT, unit = 0;
    if (layout == SPLIT_ROWS) {
        unit = w->threads;
        tail -= tail % w->threads - w->index;
    } else if (layout == SPLIT_BLOCKS) {
        unit = w->threads * block_rows;
        tail -= (tail / block_rows % w->threads - w->index) * block_rows;
    }
    /* Moving up past the last row: a whole round of owners back is the
     * same owner's. */
    while (tail + HOT_OUT >= ROWS)
        tail -= unit;
    return tail + HOT_OUT;
}

/* Whether thread w writes output row r (read-shared: its own blocks only). */
static int writes(int32_t r, const struct worker *w)
{
    return layout != READ_SHARED || r < HOT_OUT || w->threads == 1 ||
           (r - HOT_OUT) / block_rows % w->threads == w->index;
}

/* One step's rows: the input row, then the six output rows. */
struct step {
    float *in;
    float *out[6];
    int write[6];
};

struct rows {
    float *hot_in, *hot_out, *in, *out;
};

static void draw_input(struct step *s, const struct rows *m, uint64_t *seed)
{
    int32_t c = draw(&context_words, seed);
    s->in = c < HOT_IN ? m->hot_in + (size_t)c * STRIDE : m->in + (size_t)c * STRIDE;
}

static void draw_output(struct step *s, int j, const struct rows *m, const struct worker *w,
                        uint64_t *seed)
{
    int32_t r = place(j == 0 ? draw(&context_words, seed) : draw(&negatives, seed), w);
    s->out[j] = r < HOT_OUT ? m->hot_out + (size_t)r * STRIDE : m->out + (size_t)r * STRIDE;
    s->write[j] = writes(r, w);
}

static void draw_step(struct step *s, const struct rows *m, const struct worker *w, uint64_t *seed)
{
    draw_input(s, m, seed);
    for (int j = 0; j < 6; j++)
        draw_output(s, j, m, w, seed);
}

/* PREFETCHW, as w2v's kernels_prefetch_write: __builtin_prefetch(p, 1, 3)
 * without -mprfchw is a read prefetch. */
static inline void prefetch_write(const float *p)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
#else
    __builtin_prefetch(p, 1, 3);
#endif
}

static void prefetch_step(const struct step *s)
{
    for (int i = 0; i < STRIDE; i += 16) {
        prefetch_write(s->in + i);
        for (int j = 0; j < 6; j++)
            prefetch_write(s->out[j] + i);
    }
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct rows m = {matrix(HOT_IN), matrix(HOT_OUT), shared_in, shared_out};
    if (layout == PRIVATE)
        m.out = matrix(ROWS);
    uint64_t seed = 0x9E3779B97F4A7C15u * (uint64_t)(w->index + 1);
    struct step ring[RING];
    float grad[DIM];
    long steps = 0;
    for (int k = 0; k < ahead; k++)
        draw_step(&ring[k], &m, w, &seed);
    double start = now(), t;
    do {
        for (int k = 0; k < 1024; k++, steps++) {
            struct step *s = &ring[steps % RING];
            if (ahead > 0) {
                struct step *next = &ring[(steps + ahead) % RING];
                draw_step(next, &m, w, &seed);
                prefetch_step(next);
            } else {
                draw_input(s, &m, &seed);
            }
            memset(grad, 0, sizeof grad);
            for (int j = 0; j < 6; j++) {
                if (ahead == 0) /* each row drawn just before its use */
                    draw_output(s, j, &m, w, &seed);
                float *row = s->out[j];
                float dot = 0;
                for (int i = 0; i < DIM; i++)
                    dot += row[i] * s->in[i];
                /* label - sigmoid(dot), the sigmoid's cheap stand-in:
                 * bounded updates keep every value finite and normal. */
                float g = 0.025f * ((j == 0) - 0.5f * (1 + dot / (1 + fabsf(dot))));
                if (s->write[j])
                    for (int i = 0; i < DIM; i++) {
                        grad[i] += g * row[i];
                        row[i] += g * s->in[i];
                    }
                else
                    for (int i = 0; i < DIM; i++)
                        grad[i] += g * row[i];
            }
            for (int i = 0; i < DIM; i++)
                s->in[i] += grad[i];
        }
        t = now();
    } while (t - start < w->seconds);
    w->steps_per_s = (double)steps / (t - start);
    free(m.hot_in);
    free(m.hot_out);
    if (m.out != shared_out)
        free(m.out);
    return NULL;
}

int main(int argc, char **argv)
{
    static const char *names[] = {"shared", "split-rows", "split-blocks", "read-shared", "private"};
    int threads = argc >= 3 ? atoi(argv[2]) : 0;
    double seconds = argc >= 4 ? atof(argv[3]) : 1.0;
    block_rows = argc >= 5 ? atoi(argv[4]) : 256;
    ahead = argc >= 6 ? atoi(argv[5]) : 0;
    int found = -1;
    for (int i = 0; argc >= 3 && i < 5; i++)
        if (strcmp(argv[1], names[i]) == 0)
            found = i;
    if (found < 0 || threads < 1 || threads > MAX_THREADS || !(seconds > 0 && seconds < 3600) ||
        block_rows < 1 || block_rows > ROWS || ahead < 0 || ahead >= RING) {
        fprintf(stderr, "usage: placement shared|split-rows|split-blocks|read-shared|private "
                        "THREADS [SECONDS [BLOCK [AHEAD]]]  (BLOCK 1-%d rows, AHEAD 0-%d steps)\n",
                ROWS, RING - 1);
        return 2;
    }
    layout = (enum layout)found;
    alias_fill(&context_words, 1.0);
    alias_fill(&negatives, 0.75);
    shared_in = matrix(ROWS);
    shared_out = layout == PRIVATE ? NULL : matrix(ROWS);
    pthread_t id[MAX_THREADS];
    struct worker w[MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){.index = i, .threads = threads, .seconds = seconds};
        if (pthread_create(&id[i], NULL, work, &w[i]) != 0) {
            fprintf(stderr, "placement: cannot start thread %d\n", i);
            return 1;
        }
    }
    double total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(id[i], NULL);
        total += w[i].steps_per_s;
    }
    printf("%.3f\n", total / 1e6);
    return 0;
}
