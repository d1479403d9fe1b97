/* Choosing BLIS's kernel set.
 *
 * Debian's BLIS 0.9 can misdetect AVX-512 CPUs as "generic" and then runs
 * sgemm 5-6x slower. BLIS has no call to pick a kernel set; it reads the
 * environment variable BLIS_ARCH_TYPE (a number) once, when it initialises.
 * So, once per process and before BLIS initialises, we check the CPU with
 * cpuid (and the OS's saved register state with xgetbv) and set that
 * variable to a kernel set the CPU can run. A user's own BLIS_ARCH_TYPE
 * always wins, and ATTN_BLIS_SELECT=0 leaves the choice to BLIS (the GEMM
 * benchmark compares both). If the host initialised BLIS first, the choice is already made:
 * we report what BLIS runs instead of pretending.
 *
 * The numbers are this BLIS build's arch_t values (checked against blis.h's
 * enum at compile time below).
 */
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

_Static_assert(BLIS_ARCH_SKX == 0 && BLIS_ARCH_HASWELL == 3 && BLIS_ARCH_SANDYBRIDGE == 4,
               "BLIS arch_t numbering differs from the one this file was written for");

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char choice[160] = "not initialised";
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

static void setup(void)
{
    const char *env = getenv("BLIS_ARCH_TYPE");
    cpu_features f = detect();
    const char *why = "";
    int want = best_arch(&f, &why);

    const char *select = getenv("ATTN_BLIS_SELECT");
    if (env && env[0]) {
        snprintf(choice, sizeof choice, "BLIS_ARCH_TYPE=%s from the environment", env);
    } else if (select && strcmp(select, "0") == 0) {
        snprintf(choice, sizeof choice, "BLIS's own detection (ATTN_BLIS_SELECT=0)");
        want = -1;
    } else if (want >= 0) {
        char num[16];
        snprintf(num, sizeof num, "%d", want);
        /* setenv before BLIS's first initialisation, which happens in bli_init below */
        setenv("BLIS_ARCH_TYPE", num, 0);
        snprintf(choice, sizeof choice, "libattn (cpuid: %s -> %s)", why, bli_arch_string((arch_t)want));
    } else {
        snprintf(choice, sizeof choice, "BLIS's own detection (cpuid: %s)", why);
    }
    bli_init();
    arch_t got = bli_arch_query_id();
    arch_name = bli_arch_string(got);
    if (!(env && env[0]) && want >= 0 && (int)got != want)
        snprintf(choice, sizeof choice,
                 "BLIS was initialised before libattn; it runs %s (cpuid suggests %s: %s)",
                 arch_name, bli_arch_string((arch_t)want), why);
    snprintf(version, sizeof version, "BLIS %s", bli_info_get_version_str());
}

void attn__blis_setup(void) { pthread_once(&once, setup); }
const char *attn__blis_arch_name(void) { attn__blis_setup(); return arch_name; }
const char *attn__blis_choice(void) { attn__blis_setup(); return choice; }
const char *attn__blis_version(void) { attn__blis_setup(); return version; }
