/* Branch-free float exp, erf and sigmoid that the compiler can vectorise:
 * loops over arrays that call them become SIMD code (libm's expf/erff are
 * scalar calls and dominated GELU and softmax time). Accuracy, measured in
 * float against double over dense grids: exp within 2 ulp on
 * [-87.3, 88] (0 below, the denormal range is flushed); erf within 1.6e-7
 * absolute. PyTorch's own vectorised erf differs from the exact value by
 * 5e-8, so both sit far inside the parity tolerances.
 *
 * The coefficients are least-squares polynomial fits on Chebyshev nodes,
 * computed in double and rounded to float: exp(r) on [-ln2/2, ln2/2],
 * erf(t)/t as a polynomial in t^2 on [0, 1], and erfc(t) exp(t^2) on [1, 4]
 * (erf(t) rounds to 1 beyond 4). attn__verfcx is a rational fit (below). */
#ifndef ATTN_LAYERS_VECMATH_H
#define ATTN_LAYERS_VECMATH_H

#include <stdint.h>
#include <string.h>

#include "internal.h"

/* The row kernels are built with FMA contraction (the library is ISO C,
 * where GCC otherwise keeps every a * b + c as two roundings and two
 * instructions) and without trapping math (else GCC masks every operation
 * of a branch-free select instead of computing both sides). Neither
 * changes a result beyond the rounding of a fused multiply-add. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast", "no-trapping-math")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif



/* 16 floats as one value (GCC/clang vector extensions): one zmm, two ymm or
 * four xmm depending on the ISA level. Row reductions keep 16 lanes and sum
 * them in a fixed tree at the end, so every vector width gives the same
 * bits; written this way the loops compile to plain vector code (the
 * auto-vectoriser turned 16-lane arrays into permute-heavy loops). */
typedef float attn__v16 __attribute__((vector_size(64)));
typedef int32_t attn__v16i __attribute__((vector_size(64)));

/* vectors pass between always-inline helpers only: no call ABI is involved */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

ATTN__INLINE attn__v16 attn__load16(const float *p)
{
    attn__v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* 16 keep flags as lane masks (all ones where kept). */
ATTN__INLINE attn__v16i attn__keep16(const uint8_t *keep)
{
    typedef uint8_t u8x16 __attribute__((vector_size(16)));
    u8x16 k;
    memcpy(&k, keep, sizeof k);
    return __builtin_convertvector(k, attn__v16i) != 0;
}

ATTN__INLINE attn__v16 attn__select16(attn__v16i mask, attn__v16 a, attn__v16 b)
{
    return (attn__v16)(((attn__v16i)a & mask) | ((attn__v16i)b & ~mask));
}

/* a > b ? a : b, lane by lane */
ATTN__INLINE attn__v16 attn__max16(attn__v16 a, attn__v16 b) { return attn__select16(a > b, a, b); }

/* The sum of the 16 lanes as a fixed pairwise tree (lane j + lane j + 8,
 * then + 4, + 2, + 1): four dependent adds instead of fifteen. */
ATTN__INLINE float attn__sum16(attn__v16 v)
{
    float a[8], b[4];
    for (int j = 0; j < 8; j++) a[j] = v[j] + v[j + 8];
    for (int j = 0; j < 4; j++) b[j] = a[j] + a[j + 4];
    return (b[0] + b[2]) + (b[1] + b[3]);
}

ATTN__INLINE float attn__max_lanes16(attn__v16 v)
{
    float a[8], b[4];
    for (int j = 0; j < 8; j++) a[j] = v[j] > v[j + 8] ? v[j] : v[j + 8];
    for (int j = 0; j < 4; j++) b[j] = a[j] > a[j + 4] ? a[j] : a[j + 4];
    float c0 = b[0] > b[2] ? b[0] : b[2], c1 = b[1] > b[3] ? b[1] : b[3];
    return c0 > c1 ? c0 : c1;
}

ATTN__INLINE float attn__bits_to_float(int32_t i)
{
    float f;
    memcpy(&f, &i, sizeof f);
    return f;
}

/* exp(x) for x <= 88: x = k ln2 + r with |r| <= ln2/2, exp(x) = 2^k exp(r).
 * NaN stays NaN. */
ATTN__INLINE float attn__vexp(float x)
{
    float xc = x > -87.5f ? x : -87.5f;          /* also maps NaN to a safe value */
    xc = xc < 88.0f ? xc : 88.0f;
    /* round to nearest by adding 1.5 * 2^23: no rintf call, vectorises everywhere */
    float k = (xc * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = xc - k * 0.693145752f;             /* ln2 split in two: the high part is exact in k * hi */
    r = r - k * 1.42860677e-6f;
    float p = 1.394858118e-03f;
    p = p * r + 8.375128731e-03f;
    p = p * r + 4.166621715e-02f;
    p = p * r + 1.666641533e-01f;
    p = p * r + 5.000000000e-01f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    float y = p * attn__bits_to_float(((int32_t)k + 127) << 23);
    y = x < -87.33f ? 0.0f : y;
    return x == x ? y : x;
}

/* erf(x), odd; both branches are computed and blended so the loop has no
 * branch. */
ATTN__INLINE float attn__verf(float x)
{
    float t = x < 0.0f ? -x : x;
    float u = t * t;
    float s = 7.933493907e-05f;
    s = s * u - 8.034846396e-04f;
    s = s * u + 5.191218574e-03f;
    s = s * u - 2.685539983e-02f;
    s = s * u + 1.128362566e-01f;
    s = s * u - 3.761262894e-01f;
    s = s * u + 1.128379226e+00f;
    s = s * t;
    float tc = t > 1.0f ? t : 1.0f;
    tc = tc < 4.0f ? tc : 4.0f;
    float q = 1.671801783e-06f;
    q = q * tc - 4.818112939e-05f;
    q = q * tc + 6.282348186e-04f;
    q = q * tc - 4.912156612e-03f;
    q = q * tc + 2.575835213e-02f;
    q = q * tc - 9.609968215e-02f;
    q = q * tc + 2.645139098e-01f;
    q = q * tc - 5.505697727e-01f;
    q = q * tc + 8.807906508e-01f;
    q = q * tc - 1.085411310e+00f;
    q = q * tc + 9.929319024e-01f;
    float l = 1.0f - attn__vexp(-(tc * tc)) * q;
    float r = t < 1.0f ? s : (t < 4.0f ? l : 1.0f);
    r = x < 0.0f ? -r : r;
    return x == x ? r : x;
}

/* erfc(t) exp(t^2) for 0 <= t <= 4 (arguments are clamped there): a
 * rational fit P3(t) / Q4(t), relative error 3e-7 evaluated in float. It
 * gives erfc(t) = exp(-t^2) erfcx(t) without cancellation, and with it
 * GELU and its gradient from one exp (see act_rows.c). Coefficients: a
 * weighted least-squares rational fit (Lawson iterations towards minimax)
 * against mpmath, rounded to float one coefficient at a time with the rest
 * refitted. */
ATTN__INLINE float attn__verfcx(float t)
{
    t = t < 4.0f ? t : 4.0f;
    float p = 7.690595835e-02f;
    p = p * t + 4.172348976e-01f;
    p = p * t + 9.454618096e-01f;
    p = p * t + 9.999999404e-01f;
    float q = 1.363957524e-01f;
    q = q * t + 7.379506230e-01f;
    q = q * t + 1.757375121e+00f;
    q = q * t + 2.073836088e+00f;
    q = q * t + 1.0f;
    return p / q;
}

/* 1 / (1 + exp(-x)), saturating cleanly at both ends. */
ATTN__INLINE float attn__vsigmoid(float x)
{
    float xc = x > -80.0f ? x : -80.0f;
    xc = xc < 80.0f ? xc : 80.0f;
    float s = 1.0f / (1.0f + attn__vexp(-xc));
    return x == x ? s : x;
}

#endif /* ATTN_LAYERS_VECMATH_H */
