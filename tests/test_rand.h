/* test_rand.h — the pseudo-random numbers and reference formulas the unit
 * tests share. Each test file keeps its own state, so its data does not
 * depend on what another file draws. */
#ifndef W2V_TEST_RAND_H
#define W2V_TEST_RAND_H

#include <math.h>
#include <stdint.h>

/* splitmix64: the next 64 random bits of *s. */
static inline uint64_t test_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1), 53 bits. */
static inline double test_uniform(uint64_t *s)
{
    return (double)(test_splitmix(s) >> 11) / 9007199254740992.0;
}

/* Standard normal (Box-Muller). */
static inline double test_normal(uint64_t *s)
{
    double u = test_uniform(s), v = test_uniform(s);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* xorshift64: uniform in [-1, 1), for filling rows. */
static inline float test_signed(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (float)((double)(*s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

/* The logistic function in double precision: the oracle for the kernels. */
static inline double test_logistic(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

#endif
