/* line-latency.c — the round trip of one cache line between two CPUs.
 *
 * Two threads, pinned to CPUs A and B (default 0 and 1), pass a counter
 * back and forth through one shared cache line; the mean time of a round
 * trip is what every write to a row the other thread wrote last costs.
 * bench-threads.sh runs it around each multi-thread run: on the 2-vCPU
 * benchmark machine it reads ~55 ns or 360-640 ns, depending on where the
 * host has put the two vCPUs at that moment (same or different core
 * complex), and the threads' speed-up follows it.
 *
 *   cc -O2 -pthread scripts/line-latency.c -o line-latency && ./line-latency [A B]
 * Prints the mean round trip in whole nanoseconds. Linux only (affinity). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { TRIPS = 200000 };

static _Alignas(64) _Atomic long ball;

/* Whether this process may run on cpu. */
static int allowed(int cpu)
{
    cpu_set_t set;
    return cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof set, &set) == 0 &&
           CPU_ISSET(cpu, &set);
}

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* The other side: waits for each odd value and answers with the next. */
static void *answer(void *arg)
{
    pin(*(int *)arg); /* checked by main (allowed) */
    for (long i = 0; i < TRIPS; i++) {
        while (atomic_load_explicit(&ball, memory_order_acquire) != 2 * i + 1)
            ;
        atomic_store_explicit(&ball, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int a = argc > 2 ? atoi(argv[1]) : 0, b = argc > 2 ? atoi(argv[2]) : 1;
    pthread_t t;
    if (a == b || !allowed(a) || !allowed(b) || pin(a) != 0 ||
        pthread_create(&t, NULL, answer, &b) != 0) {
        fprintf(stderr, "line-latency: cannot run on CPUs %d and %d\n", a, b);
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < TRIPS; i++) {
        atomic_store_explicit(&ball, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(&ball, memory_order_acquire) != 2 * i + 2)
            ;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(t, NULL);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / TRIPS;
    printf("%.0f\n", ns);
    return 0;
}
