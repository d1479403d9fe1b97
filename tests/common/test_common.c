#include "test_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int attn_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

/* a ring of buffers so several paths can be used in one call */
static char *next_buffer(void)
{
    static char bufs[8][4096];
    static int next;
    return bufs[next++ % 8];
}

const char *attn_test_data(const char *rel)
{
    char *buf = next_buffer();
    const char *root = getenv("ATTN_TEST_DATA");
    snprintf(buf, 4096, "%s/%s", root ? root : "tests/data", rel);
    return buf;
}

const char *attn_test_python(void)
{
    const char *python = getenv("ATTN_REF_PYTHON");
    return python ? python : "python3";
}

const char *attn_test_src(const char *rel)
{
    char *buf = next_buffer();
    const char *root = getenv("ATTN_SOURCE_ROOT");
    snprintf(buf, 4096, "%s/%s", root ? root : ".", rel);
    return buf;
}

const char *attn_test_tmpdir(void)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/attn-test-XXXXXX");
    if (!mkdtemp(buf)) return "/tmp";
    return buf;
}

double attn_test_rel_err(const float *a, const float *b, int64_t n, double floor)
{
    double mx = floor, err = 0.0;
    for (int64_t i = 0; i < n; i++) mx = fmax(mx, fabs((double)b[i]));
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (isnan(d)) return INFINITY;
        err = fmax(err, d);
    }
    return err / mx;
}

void attn_test_fill_random(float *p, int64_t n, uint64_t seed)
{
    uint64_t s = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    for (int64_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (float)((double)(s >> 40) / (double)(1ULL << 24) * 2.0 - 1.0);
    }
}

attn_ctx *attn_test_ctx(void)
{
    attn_ctx *ctx = NULL;
    ck_assert_int_eq(attn_ctx_create(&ctx), ATTN_OK);
    /* the suite can run at any ISA level the CPU has (tests/meson.build) */
    const char *isa = getenv("ATTN_MAX_CPU_ISA");
    if (isa) {
        int64_t level;
        ck_assert_msg(attn_isa_parse(isa, &level) == ATTN_OK, "ATTN_MAX_CPU_ISA=%s: want avx512, avx2 or sse2", isa);
        ck_assert_int_eq(attn_ctx_set_int(ctx, ATTN_OPT_MAX_ISA, level), ATTN_OK);
    }
    return ctx;
}

attn_optim_opts attn_test_adamw(double lr, double eps, double weight_decay)
{
    attn_optim_opts o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.kind = ATTN_OPTIM_ADAMW;
    o.lr = lr;
    o.beta1 = 0.9;
    o.beta2 = 0.999;
    o.eps = eps;
    o.weight_decay = weight_decay;
    return o;
}
