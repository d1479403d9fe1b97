/* BLIS's kernel set: what BLIS runs, and what the CPU could run.
 *
 * libattn leaves the choice to BLIS and touches no process-wide state to
 * change it. Debian's BLIS 0.9 reads its choice once, at initialisation,
 * from its own cpuid detection or from the environment variable
 * BLIS_ARCH_TYPE (a number). It has no call that picks a kernel set: the
 * per-configuration contexts (bli_gks_lookup_nat_cntx) and bli_arch_set_id
 * are internal symbols of libblis.so.4 (nm -D lists only
 * bli_gks_query_cntx, bli_gks_query_nat_cntx and bli_gks_query_ind_cntx,
 * which return the context of the kernel set already chosen), and a
 * cntx_t cannot be filled from outside since the kernels are not exported
 * either. So the only way to another kernel set is the environment, and
 * the environment belongs to the host program: libattn does not set it.
 *
 * Where BLIS names a configuration that uses the CPU's widest vectors (zen3 or
 * haswell on AVX2, skx on AVX-512), its choice is kept: on AMD EPYC Zen 3
 * (AVX2) bench/gemm_bench measured zen3 against haswell (the set cpuid
 * would suggest) within the noise at BERT shapes (bench/README.md). Where
 * BLIS picks a narrower set than the CPU runs (haswell on an AVX-512 Xeon:
 * sgemm 1.8x slower than skx; the "generic" misdetection: 5-6x),
 * ATTN_INFO_BLIS_CHOICE says so and names the BLIS_ARCH_TYPE value a
 * program may set in its own environment before it starts.
 *
 * The numbers are this BLIS build's arch_t values (checked against blis.h's
 * enum at compile time below). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <blis.h>

#include "internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HAVE_CPUID 1
#endif

_Static_assert(BLIS_ARCH_SKX == 0 && BLIS_ARCH_HASWELL == 3 && BLIS_ARCH_SANDYBRIDGE == 4 && BLIS_ARCH_ZEN3 == 6,
               "BLIS arch_t numbering differs from the one this file was written for");

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char choice[320] = "not initialised";
static const char *arch_name = "unknown";
static char version[64] = "unknown";

typedef struct {
    int avx, avx2, fma, avx512f, avx512dq, avx512bw, avx512vl;
    int os_ymm, os_zmm;
} cpu_features;

static cpu_features detect(void)
{
    cpu_features f;
    memset(&f, 0, sizeof f);
#ifdef HAVE_CPUID
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    int osxsave = (c >> 27) & 1;
    f.avx = (c >> 28) & 1;
    f.fma = (c >> 12) & 1;
    if (osxsave) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        (void)hi;
        f.os_ymm = (lo & 0x6) == 0x6;          /* XMM and YMM state */
        f.os_zmm = (lo & 0xe6) == 0xe6;        /* plus opmask and ZMM state */
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f.avx2 = (b >> 5) & 1;
        f.avx512f = (b >> 16) & 1;
        f.avx512dq = (b >> 17) & 1;
        f.avx512bw = (b >> 30) & 1;
        f.avx512vl = (b >> 31) & 1;
    }
#endif
    return f;
}

/* The best kernel set of this build that the CPU and OS can run, or -1. */
static int best_arch(const cpu_features *f, const char **why)
{
    if (f->os_zmm && f->avx512f && f->avx512dq && f->avx512bw && f->avx512vl && f->fma) {
        *why = "AVX-512 F/DQ/BW/VL";
        return BLIS_ARCH_SKX;
    }
    if (f->os_ymm && f->avx2 && f->fma) {
        *why = "AVX2+FMA";
        return BLIS_ARCH_HASWELL;
    }
    if (f->os_ymm && f->avx) {
        *why = "AVX";
        return BLIS_ARCH_SANDYBRIDGE;
    }
    *why = "no AVX";
    return -1;
}

/* How much of the CPU a kernel set uses (0 generic or unknown, 1 AVX, 2
 * AVX2+FMA, 3 AVX-512), so that BLIS's choice can be compared with what
 * the CPU runs. */
static int arch_rank(int a)
{
    switch (a) {
    case BLIS_ARCH_SKX:
    case BLIS_ARCH_KNL:
        return 3;
    case BLIS_ARCH_HASWELL:
    case BLIS_ARCH_ZEN:
    case BLIS_ARCH_ZEN2:
    case BLIS_ARCH_ZEN3:
        return 2;
    case BLIS_ARCH_SANDYBRIDGE:
        return 1;
    default:
        return 0;
    }
}

static int suggested = -1;

static void setup(void)
{
    const char *env = getenv("BLIS_ARCH_TYPE"); /* read only to report it: BLIS itself acts on it */
    cpu_features f = detect();
    const char *why = "";
    suggested = best_arch(&f, &why);
    bli_init();
    arch_t got = bli_arch_query_id();
    arch_name = bli_arch_string(got);
    if (env && env[0])
        snprintf(choice, sizeof choice, "BLIS_ARCH_TYPE=%s from the environment", env);
    else if (suggested < 0 || arch_rank((int)got) >= arch_rank(suggested))
        snprintf(choice, sizeof choice, "BLIS's own detection, kept (cpuid: %s)", why);
    else
        snprintf(choice, sizeof choice,
                 "BLIS's own detection (cpuid: %s, which %s runs faster): start the program with "
                 "BLIS_ARCH_TYPE=%d to use it; libattn does not change the environment",
                 why, bli_arch_string((arch_t)suggested), suggested);
    snprintf(version, sizeof version, "BLIS %s", bli_info_get_version_str());
}

void attn__blis_setup(void) { pthread_once(&once, setup); }
const char *attn__blis_arch_name(void) { attn__blis_setup(); return arch_name; }
const char *attn__blis_choice(void) { attn__blis_setup(); return choice; }
const char *attn__blis_version(void) { attn__blis_setup(); return version; }
int attn__blis_suggested_arch(void) { attn__blis_setup(); return suggested; }
