/* Helpers shared by the layer tests (header-only: each test is one
 * executable built from one source file): tensors with random values,
 * finite-difference gradients, case-file parity checks and allocation
 * counting. */
#ifndef ATTN_TEST_LAYER_TESTING_H
#define ATTN_TEST_LAYER_TESTING_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case_file.h"
#include "test_common.h"

/* A float tensor of the given shape, filled from seed (0: zeros). */
static inline attn_tensor *lt_tensor(attn_ctx *ctx, int32_t rank, const int64_t *shape, uint64_t seed)
{
    attn_tensor *t = NULL;
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, ATTN_F32, rank, shape, &t));
    if (seed) attn_test_fill_random(attn_tensor_data_f32(t), attn_tensor_numel(t), seed);
    return t;
}

/* A zero float tensor with t's shape. */
static inline attn_tensor *lt_like(attn_ctx *ctx, const attn_tensor *t)
{
    int64_t s[ATTN_MAX_RANK];
    for (int32_t a = 0; a < attn_tensor_rank(t); a++) s[a] = attn_tensor_dim(t, a);
    return lt_tensor(ctx, attn_tensor_rank(t), s, 0);
}

static inline attn_tensor *lt_tensor2(attn_ctx *ctx, int64_t rows, int64_t cols, uint64_t seed)
{
    int64_t s[2] = {rows, cols};
    return lt_tensor(ctx, 2, s, seed);
}

static inline attn_tensor *lt_ints(attn_ctx *ctx, attn_dtype dt, int64_t n, const int64_t *values)
{
    attn_tensor *t = NULL;
    int64_t s[1] = {n};
    ATTN_ASSERT_OK(ctx, attn_tensor_create(ctx, dt, 1, s, &t));
    if (values) ATTN_ASSERT_OK(ctx, attn_tensor_write(t, ATTN_I64, values, (size_t)n * sizeof(int64_t)));
    return t;
}

/* Parameter by name (fails the test when absent). */
static inline attn_tensor *lt_param(attn_layer *l, const char *name, attn_tensor **grad)
{
    for (int32_t i = 0; i < attn_layer_param_count(l); i++) {
        const char *n;
        attn_tensor *v, *g;
        ck_assert_int_eq(attn_layer_param(l, i, &n, &v, &g), ATTN_OK);
        if (strcmp(n, name) == 0) {
            if (grad) *grad = g;
            return v;
        }
    }
    ck_abort_msg("layer has no parameter %s", name);
    return NULL;
}

/* Fills every parameter with random values (scale * [-1, 1)). */
static inline void lt_randomize_params(attn_layer *l, uint64_t seed, float scale)
{
    for (int32_t i = 0; i < attn_layer_param_count(l); i++) {
        attn_tensor *v;
        ck_assert_int_eq(attn_layer_param(l, i, NULL, &v, NULL), ATTN_OK);
        int64_t n = attn_tensor_numel(v);
        float *tmp = malloc((size_t)n * sizeof(float));
        attn_test_fill_random(tmp, n, seed + (uint64_t)i * 101);
        for (int64_t k = 0; k < n; k++) tmp[k] *= scale;
        ck_assert_int_eq(attn_tensor_write(v, ATTN_F32, tmp, (size_t)n * sizeof(float)), ATTN_OK);
        free(tmp);
    }
}

/* Copies "p.<name>" of a case into every parameter of the layer. */
static inline void lt_load_params(attn_ctx *ctx, attn_layer *l, attn_case *c)
{
    for (int32_t i = 0; i < attn_layer_param_count(l); i++) {
        const char *n;
        attn_tensor *v;
        ck_assert_int_eq(attn_layer_param(l, i, &n, &v, NULL), ATTN_OK);
        char key[128];
        snprintf(key, sizeof key, "p.%s", n);
        ATTN_ASSERT_OK(ctx, attn_tensor_copy(v, attn_case_need(c, key)));
    }
}

/* Float contents of any tensor (row-major), malloc'd. */
static inline float *lt_floats(const attn_tensor *t)
{
    int64_t n = attn_tensor_numel(t);
    float *p = malloc((size_t)(n ? n : 1) * sizeof(float));
    ck_assert_int_eq(attn_tensor_read(t, ATTN_F32, p, (size_t)n * sizeof(float)), ATTN_OK);
    return p;
}

/* Max |got - want| relative to max(max |want|, 0.1): with tol 1e-5 that is
 * "1e-5 relative to the tensor's max magnitude, 1e-6 absolute". */
static inline double lt_rel_err(const attn_tensor *got, const attn_tensor *want)
{
    ck_assert_int_eq(attn_tensor_numel(got), attn_tensor_numel(want));
    float *a = lt_floats(got), *b = lt_floats(want);
    double e = attn_test_rel_err(a, b, attn_tensor_numel(got), 0.1);
    free(a);
    free(b);
    return e;
}

#define LT_EXPECT_CLOSE(what, got, want, tol)                                                       \
    do {                                                                                            \
        double e_ = lt_rel_err((got), (want));                                                      \
        ck_assert_msg(e_ <= (tol), "%s differs: relative error %.3g > %.3g", (what), e_, (double)(tol)); \
    } while (0)

/* Every parameter gradient against "<prefix><name>" of the case. */
static inline void lt_expect_param_grads(attn_layer *l, attn_case *c, const char *prefix, double tol)
{
    for (int32_t i = 0; i < attn_layer_param_count(l); i++) {
        const char *n;
        attn_tensor *g;
        ck_assert_int_eq(attn_layer_param(l, i, &n, NULL, &g), ATTN_OK);
        char key[128];
        snprintf(key, sizeof key, "%s%s", prefix, n);
        LT_EXPECT_CLOSE(key, g, attn_case_need(c, key), tol);
    }
}

/* Runs the parity script for one layer into a fresh temp dir; returns the dir. */
static inline const char *lt_run_reference(const char *layer, int seed)
{
    static char dir[256];
    snprintf(dir, sizeof dir, "%s", attn_test_tmpdir());
    char args[512];
    snprintf(args, sizeof args, "%s '%s' %d", layer, dir, seed);
    attn_case_run_python("tests/parity/layers_ref.py", args);
    return dir;
}

/* Loads <dir>/<layer>_<k>.case, or NULL past the last one. The file is
 * removed once loaded. */
static inline attn_case *lt_load_case(attn_ctx *ctx, const char *dir, const char *layer, int k)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s_%d.case", dir, layer, k);
    if (access(path, R_OK) != 0) return NULL;
    attn_case *c = attn_case_load(ctx, path);
    ck_assert_msg(c != NULL, "cannot load %s", path);
    unlink(path);
    return c;
}

/* ---- finite differences ---- */

/* The scalar whose gradient is checked: sum(y * r) in double. */
static inline double lt_dot(const attn_tensor *y, const attn_tensor *r)
{
    float *a = lt_floats(y), *b = lt_floats(r);
    double s = 0.0;
    for (int64_t i = 0; i < attn_tensor_numel(y); i++) s += (double)a[i] * b[i];
    free(a);
    free(b);
    return s;
}

typedef double (*lt_loss_fn)(void *arg);

/* Central differences of loss() with respect to each of the n floats at p
 * (perturbed in place and restored), against the analytic gradient g.
 * Returns max |fd - g| / max(max |g|, floor). */
static inline double lt_fd_error(lt_loss_fn loss, void *arg, float *p, const float *g, int64_t n, float eps, double floor)
{
    double gmax = floor, err = 0.0;
    for (int64_t i = 0; i < n; i++) gmax = fmax(gmax, fabs((double)g[i]));
    for (int64_t i = 0; i < n; i++) {
        float keep = p[i];
        p[i] = keep + eps;
        double up = loss(arg);
        p[i] = keep - eps;
        double down = loss(arg);
        p[i] = keep;
        /* the step actually taken in float */
        double h = (double)(keep + eps) - (double)(keep - eps);
        double fd = (up - down) / h;
        double e = fabs(fd - (double)g[i]);
        if (isnan(e)) return INFINITY;
        err = fmax(err, e);
    }
    return err / gmax;
}

/* FD check of every parameter of a layer; grads must hold the analytic
 * gradient of loss() already. */
static inline void lt_fd_check_params(attn_layer *l, lt_loss_fn loss, void *arg, float eps, double tol)
{
    for (int32_t i = 0; i < attn_layer_param_count(l); i++) {
        const char *n;
        attn_tensor *v, *g;
        ck_assert_int_eq(attn_layer_param(l, i, &n, &v, &g), ATTN_OK);
        ck_assert(attn_tensor_is_contiguous(v));
        float *gv = lt_floats(g);
        double e = lt_fd_error(loss, arg, attn_tensor_data_f32(v), gv, attn_tensor_numel(v), eps, 1e-2);
        free(gv);
        ck_assert_msg(e <= tol, "gradient of %s: finite differences differ by %.3g (> %.3g)", n, e, tol);
    }
}

/* ---- allocation counting ---- */

static inline int64_t lt_allocs(attn_ctx *ctx)
{
    int64_t v = -1;
    ATTN_ASSERT_OK(ctx, attn_ctx_get_int(ctx, ATTN_INFO_ALLOC_COUNT, &v));
    return v;
}

/* Row layers (linear, LayerNorm, feed-forward) share the forward and
 * backward signatures; these run them generically. */
typedef attn_status (*lt_forward_fn)(attn_layer *l, const attn_tensor *x, attn_tensor *y);
typedef attn_status (*lt_backward_fn)(attn_layer *l, const attn_tensor *x, const attn_tensor *dy, attn_tensor *dx);

/* The loss sum(forward(x) * r) of a finite-difference check (y is scratch). */
typedef struct {
    attn_layer *l;
    lt_forward_fn forward;
    attn_tensor *x, *y, *r;
} lt_row_loss_arg;

static inline double lt_row_loss(void *p)
{
    lt_row_loss_arg *a = p;
    ck_assert_int_eq(a->forward(a->l, a->x, a->y), ATTN_OK);
    return lt_dot(a->y, a->r);
}

/* One parity case: forward against "y", backward of "dy" against "dx" and
 * the parameter gradients against "g.<name>". */
static inline void lt_expect_row_case(attn_ctx *ctx, attn_layer *l, attn_case *c, lt_forward_fn forward,
                                      lt_backward_fn backward)
{
    attn_tensor *x = attn_case_need(c, "x"), *want_y = attn_case_need(c, "y");
    attn_tensor *y = lt_like(ctx, want_y), *dx = lt_like(ctx, x);
    ATTN_ASSERT_OK(ctx, forward(l, x, y));
    LT_EXPECT_CLOSE("y", y, want_y, 1e-5);
    ATTN_ASSERT_OK(ctx, backward(l, x, attn_case_need(c, "dy"), dx));
    LT_EXPECT_CLOSE("dx", dx, attn_case_need(c, "dx"), 1e-4);
    lt_expect_param_grads(l, c, "g.", 1e-4);
    attn_tensor_destroy(y);
    attn_tensor_destroy(dx);
}

#endif /* ATTN_TEST_LAYER_TESTING_H */
