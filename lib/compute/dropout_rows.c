/* Dropout masks from the counter-based RNG: element i of a block keeps its
 * value when uniform(seed, counter + i) >= p (torch keeps with probability
 * 1 - p and scales by 1 / (1 - p)). The mask is a pure function of
 * (seed, counter, i), so backward regenerates it instead of storing it, and
 * any split of the rows over threads draws the same mask.
 *
 * The draw is lib/core/rng.c's attn__rng_uniform with its mixer inlined from
 * core/rng_mix.h so the loops vectorise (a call per element was a tenth of a
 * training step): uniform = (bits(key(seed), counter) >> 40) 2^-24, and
 * uniform >= p exactly when those 24 bits are >= ceil(p 2^24) (both sides
 * are exact in float). tests/layers/test_kernels.c pins the two together. */
#include <math.h>

#include "core/rng_mix.h"
#include "compute/simd.h"
#include "compute/vecmath.h"

/* dx += dy * scale must round twice, as torch's separate multiply and
 * accumulate do: no fused multiply-add in this file. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif


/* The smallest 24-bit draw that keeps an element. */
static uint64_t keep_from(float p)
{
    return (uint64_t)ceilf(p * 16777216.0f);
}

void ATTN__K(dropout_row)(float *y, const float *x, int64_t n, uint64_t seed, uint64_t counter, float p, float scale)
{
    const uint64_t key = attn__rng_key(seed), from = keep_from(p);
    for (int64_t i = 0; i < n; i++) {
        uint64_t bits = attn__rng_bits(key, counter + (uint64_t)i) >> 40;
        y[i] = bits >= from ? x[i] * scale : 0.0f;
    }
}

void ATTN__K(dropout_row_backward)(float *dx, const float *dy, int64_t n, uint64_t seed, uint64_t counter, float p,
                                float scale, int accumulate)
{
    const uint64_t key = attn__rng_key(seed), from = keep_from(p);
    if (accumulate) {
        for (int64_t i = 0; i < n; i++) {
            uint64_t bits = attn__rng_bits(key, counter + (uint64_t)i) >> 40;
            dx[i] += bits >= from ? dy[i] * scale : 0.0f;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            uint64_t bits = attn__rng_bits(key, counter + (uint64_t)i) >> 40;
            dx[i] = bits >= from ? dy[i] * scale : 0.0f;
        }
    }
}
