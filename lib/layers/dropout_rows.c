/* Dropout masks from the counter-based RNG: element i of a block keeps its
 * value when uniform(seed, counter + i) >= p (torch keeps with probability
 * 1 - p and scales by 1 / (1 - p)). The mask is a pure function of
 * (seed, counter, i), so backward regenerates it instead of storing it, and
 * any split of the rows over threads draws the same mask. */
#include "layers/layer_kernels.h"

void attn__dropout_row(float *y, const float *x, int64_t n, uint64_t seed, uint64_t counter, float p, float scale)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = attn__rng_uniform(seed, counter + (uint64_t)i) >= p ? x[i] * scale : 0.0f;
}

void attn__dropout_row_backward(float *dx, const float *dy, int64_t n, uint64_t seed, uint64_t counter, float p,
                                float scale, int accumulate)
{
    if (accumulate) {
        for (int64_t i = 0; i < n; i++)
            if (attn__rng_uniform(seed, counter + (uint64_t)i) >= p) dx[i] += dy[i] * scale;
    } else {
        for (int64_t i = 0; i < n; i++)
            dx[i] = attn__rng_uniform(seed, counter + (uint64_t)i) >= p ? dy[i] * scale : 0.0f;
    }
}
