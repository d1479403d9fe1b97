/* Helpers shared by the Check test programs. */
#ifndef ATTN_TEST_COMMON_H
#define ATTN_TEST_COMMON_H

#include <check.h>
#include <stdint.h>

#include "attn.h"

/* Runs the suite with TAP output; returns the process exit code. */
int attn_test_run(Suite *s);

/* Path under tests/data (or $ATTN_TEST_DATA), in one of 8 rotating
 * static buffers (so a few may be used in one call). */
const char *attn_test_data(const char *rel);
/* Path under the source root, same buffers. */
const char *attn_test_src(const char *rel);
/* The python of the reference stack ($ATTN_REF_PYTHON, set by tests/meson.build; else python3). */
const char *attn_test_python(void);
/* A fresh temporary directory (removed by nobody; under /tmp). */
const char *attn_test_tmpdir(void);

/* Max |a-b| / max(max|b|, floor); used for "relative to the tensor's max". */
double attn_test_rel_err(const float *a, const float *b, int64_t n, double floor);

/* Fills with deterministic pseudo-random values in [-1, 1). */
void attn_test_fill_random(float *p, int64_t n, uint64_t seed);

/* A context with 1 thread, capped at ATTN_MAX_CPU_ISA when set; asserts success. */
attn_ctx *attn_test_ctx(void);

/* AdamW options: betas 0.9 / 0.999 and the given lr, eps and weight decay. */
attn_optim_opts attn_test_adamw(double lr, double eps, double weight_decay);

/* Asserts st == ATTN_OK, printing the context's message otherwise. */
#define ATTN_ASSERT_OK(ctx, expr)                                                               \
    do {                                                                                        \
        attn_status st_ = (expr);                                                               \
        ck_assert_msg(st_ == ATTN_OK, "%s failed: %s (%s)", #expr, attn_status_str(st_),       \
                      attn_ctx_last_error(ctx));                                                \
    } while (0)

/* Asserts the call fails with the given status and leaves a non-empty message. */
#define ATTN_ASSERT_FAILS(ctx, expected, expr)                                                  \
    do {                                                                                        \
        attn_status st_ = (expr);                                                               \
        ck_assert_msg(st_ == (expected), "%s gave %s, expected %s", #expr, attn_status_str(st_), \
                      attn_status_str(expected));                                               \
    } while (0)

#endif
