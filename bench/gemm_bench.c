/* gemm_bench: single-precision GEMM rate through libattn, at each ISA level
 * of its own kernels, under the BLIS kernel set cpuid suggests versus the
 * one BLIS detects itself.
 *
 * BLIS reads its kernel choice once per process (and libattn never sets
 * it), so the driver runs each measurement in a child process of this same
 * program: one started with BLIS_ARCH_TYPE = the set cpuid suggests, one
 * without (BLIS's own detection). The ISA level is a context setting
 * (ATTN_OPT_MAX_ISA), so one child measures every level. It prints one
 * table with both rates, their ratio and the kernel set names, then one
 * JSON line (the last line of output) for scripts.
 *
 * The default layout is C[M,N] = A[M,K] * B[N,K]^T, the call a linear layer
 * makes (weights stored [out, in]); rates are 2*M*N*K / median time.
 * --path blis hands BLIS the thread count (attn__sgemm; small products run
 * libattn's own kernels there); --path layers times attn__gemm, the
 * row/column split over the context's thread pool that the layers and
 * attn_matmul run their products on; --path direct calls BLIS's bli_sgemm
 * itself (the peer rate, no small-product kernels).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <blis.h>

#include "compute/compute.h"
#include "internal.h"

#define MAX_SHAPES 32
#define MAX_THREADS 16
#define MAX_REPS 1000
#define MAX_ISA 3

typedef struct {
    int64_t m, n, k;
} shape;

typedef struct {
    shape shapes[MAX_SHAPES];
    int n_shapes;
    int threads[MAX_THREADS];
    int n_threads;
    int reps;
    int trans_a, trans_b;
    const char *layout;
    const char *select;  /* "both", "libattn" or "blis" */
    const char *path;    /* "blis", "layers" or "direct" */
    int isa[MAX_ISA];    /* attn_isa levels to measure */
    int n_isa;
    int child;
} options;

/* One measurement as a child reports it. */
typedef struct {
    shape s;
    int threads, isa;
    double median_gflops, best_gflops;
} result;

/* What one child process measured, under one kernel selection. */
typedef struct {
    char arch[64];
    char choice[320];
    char blis[64];
    result results[MAX_SHAPES * MAX_THREADS * MAX_ISA];
    int n_results;
} run;

static const shape bert_shapes[] = {
    {1024, 768, 768},   /* attention q/k/v/output projections */
    {1024, 3072, 768},  /* FFN up-projection */
    {1024, 768, 3072},  /* FFN down-projection */
    {1024, 2304, 768},  /* packed q/k/v projection */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gemm_bench [--shape MxNxK]... [--threads 1,2] [--reps R] [--layout NT|NN|TN]\n"
            "                  [--select both|libattn|blis] [--path blis|layers|direct] [--isa avx512,avx2,sse2]\n"
            "Times sgemm through libattn's BLIS call (median of R reps after warm-up).\n"
            "  --shape    C is M x N, inner dimension K (repeatable; default: BERT-base shapes\n"
            "             1024x768x768, 1024x3072x768, 1024x768x3072, 1024x2304x768)\n"
            "  --threads  comma-separated thread counts (default 1,2)\n"
            "  --reps     repetitions per measurement (default 15)\n"
            "  --layout   NT: A[M,K] B[N,K]^T as a linear layer's forward (default);\n"
            "             NN: A[M,K] B[K,N];  TN: A[K,M]^T B[K,N] as a weight gradient\n"
            "  --select   both: the BLIS kernel set cpuid suggests and BLIS's own, side by side (default);\n"
            "             libattn (cpuid's) or blis: one of them\n"
            "  --path     blis: BLIS runs the threads (attn__sgemm, small products on libattn's kernels; default);\n"
            "             layers: the layers' split of C over the context's threads (attn__gemm);\n"
            "             direct: bli_sgemm itself, the peer rate\n"
            "  --isa      ISA levels of libattn's kernels (default: every level the CPU runs, capped by\n"
            "             ATTN_MAX_CPU_ISA when set)\n"
            "The last line of output is one JSON object.\n");
}

static int parse_shape(const char *s, shape *out)
{
    long long m, n, k;
    char tail;
    if (sscanf(s, "%lldx%lldx%lld%c", &m, &n, &k, &tail) != 3) return 0;
    if (m <= 0 || n <= 0 || k <= 0 || m > 65536 || n > 65536 || k > 65536) return 0;
    out->m = m;
    out->n = n;
    out->k = k;
    return 1;
}

static int parse_threads(const char *s, options *o)
{
    o->n_threads = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long t = strtol(p, &end, 10);
        if (end == p || errno || t < 1 || t > 1024 || o->n_threads == MAX_THREADS) return 0;
        o->threads[o->n_threads++] = (int)t;
        if (*end == ',') end++;
        else if (*end) return 0;
        p = end;
    }
    return o->n_threads > 0;
}

static int parse_isa(const char *s, options *o)
{
    o->n_isa = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int64_t isa;
        if (o->n_isa == MAX_ISA || attn_isa_parse(tok, &isa) != ATTN_OK) return 0;
        o->isa[o->n_isa++] = (int)isa;
    }
    return o->n_isa > 0;
}

static const char *isa_name(int isa)
{
    return isa == ATTN_ISA_AVX512 ? "avx512" : isa == ATTN_ISA_AVX2 ? "avx2" : "sse2";
}

/* BLIS_ARCH_TYPE of the kernel set cpuid suggests (attn__blis_suggested_arch), or -1. */
static int suggested_arch = -1;

/* Returns 0 on success, 2 on a usage error (message printed), 1 for --help. */
static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->reps = 15;
    o->layout = "NT";
    o->trans_b = 1;
    o->select = "both";
    o->path = "blis";
    o->threads[0] = 1;
    o->threads[1] = 2;
    o->n_threads = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(a, "--child") == 0) {
            o->child = 1;
        } else if (strcmp(a, "--shape") == 0 && v) {
            if (o->n_shapes == MAX_SHAPES || !parse_shape(v, &o->shapes[o->n_shapes])) {
                fprintf(stderr, "gemm_bench: bad --shape '%s' (want MxNxK, each 1..65536)\n", v);
                return 2;
            }
            o->n_shapes++;
            i++;
        } else if (strcmp(a, "--threads") == 0 && v) {
            if (!parse_threads(v, o)) {
                fprintf(stderr, "gemm_bench: bad --threads '%s' (want e.g. 1,2)\n", v);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--reps") == 0 && v) {
            char *end;
            long r = strtol(v, &end, 10);
            if (*end || r < 1 || r > MAX_REPS) {
                fprintf(stderr, "gemm_bench: bad --reps '%s' (1..%d)\n", v, MAX_REPS);
                return 2;
            }
            o->reps = (int)r;
            i++;
        } else if (strcmp(a, "--layout") == 0 && v) {
            if (strcmp(v, "NT") == 0) {
                o->trans_a = 0, o->trans_b = 1;
            } else if (strcmp(v, "NN") == 0) {
                o->trans_a = 0, o->trans_b = 0;
            } else if (strcmp(v, "TN") == 0) {
                o->trans_a = 1, o->trans_b = 0;
            } else {
                fprintf(stderr, "gemm_bench: bad --layout '%s' (NT, NN or TN)\n", v);
                return 2;
            }
            o->layout = v;
            i++;
        } else if (strcmp(a, "--path") == 0 && v) {
            if (strcmp(v, "blis") && strcmp(v, "layers") && strcmp(v, "direct")) {
                fprintf(stderr, "gemm_bench: bad --path '%s' (blis, layers or direct)\n", v);
                return 2;
            }
            o->path = v;
            i++;
        } else if (strcmp(a, "--isa") == 0 && v) {
            if (!parse_isa(v, o)) {
                fprintf(stderr, "gemm_bench: bad --isa '%s' (comma-separated avx512, avx2, sse2)\n", v);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--select") == 0 && v) {
            if (strcmp(v, "both") && strcmp(v, "libattn") && strcmp(v, "blis")) {
                fprintf(stderr, "gemm_bench: bad --select '%s' (both, libattn or blis)\n", v);
                return 2;
            }
            o->select = v;
            i++;
        } else {
            fprintf(stderr, "gemm_bench: unknown or incomplete option '%s' (try --help)\n", a);
            return 2;
        }
    }
    if (o->n_isa == 0) {
        /* every level the CPU runs, from the best down (capped like the CLI's) */
        int64_t cap = ATTN_ISA_AVX512;
        const char *env = getenv("ATTN_MAX_CPU_ISA");
        if (env && attn_isa_parse(env, &cap) != ATTN_OK) {
            fprintf(stderr, "gemm_bench: bad ATTN_MAX_CPU_ISA '%s' (avx512, avx2 or sse2)\n", env);
            return 2;
        }
        int best = attn__isa_best();
        for (int l = (int)(cap < best ? cap : best); l >= ATTN_ISA_BASELINE; l--) o->isa[o->n_isa++] = l;
    }
    if (o->n_shapes == 0) {
        o->n_shapes = (int)(sizeof bert_shapes / sizeof bert_shapes[0]);
        memcpy(o->shapes, bert_shapes, sizeof bert_shapes);
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One timed product through the chosen path. */
static void gemm(const options *o, const attn_ctx *ctx, int threads, shape sh, const float *a, int64_t lda,
                 const float *b, int64_t ldb, float *c)
{
    if (strcmp(o->path, "layers") == 0) {
        attn__gemm(ctx, o->trans_a, o->trans_b, sh.m, sh.n, sh.k, 1.0f, a, lda, b, ldb, 0.0f, c, sh.n);
    } else if (strcmp(o->path, "direct") == 0) {
        rntm_t rntm = BLIS_RNTM_INITIALIZER;
        bli_rntm_set_num_threads(threads, &rntm);
        float one = 1.0f, zero = 0.0f;
        bli_sgemm_ex(o->trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, o->trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                     (dim_t)sh.m, (dim_t)sh.n, (dim_t)sh.k, &one, (float *)a, (inc_t)lda, 1, (float *)b, (inc_t)ldb, 1,
                     &zero, c, (inc_t)sh.n, 1, NULL, &rntm);
    } else {
        attn__sgemm_rm(attn__kern(ctx), threads, o->trans_a, o->trans_b, sh.m, sh.n, sh.k, 1.0f, a, lda, b, ldb, 0.0f,
                       c, sh.n);
    }
}

static float *random_matrix(int64_t count, uint32_t seed)
{
    float *p = aligned_alloc(64, (size_t)((count * 4 + 63) / 64 * 64));
    if (!p) return NULL;
    for (int64_t i = 0; i < count; i++) p[i] = 2.0f * attn__rng_uniform(seed, (uint64_t)i) - 1.0f;
    return p;
}

/* Child: measures every (shape, threads) pair under whatever kernel set this
 * process got, printing "arch", "choice", "blis" and "result" lines. */
static int measure(const options *o)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) {
        fprintf(stderr, "gemm_bench: cannot create a context\n");
        return 1;
    }
    printf("arch %s\n", attn_ctx_info_string(ctx, ATTN_INFO_BLIS_ARCH));
    printf("choice %s\n", attn_ctx_info_string(ctx, ATTN_INFO_BLIS_CHOICE));
    printf("blis %s\n", attn_ctx_info_string(ctx, ATTN_INFO_BLIS_LIBRARY));
    double times[MAX_REPS];
    for (int s = 0; s < o->n_shapes; s++) {
        shape sh = o->shapes[s];
        float *a = random_matrix(sh.m * sh.k, 1);
        float *b = random_matrix(sh.k * sh.n, 2);
        float *c = random_matrix(sh.m * sh.n, 3);
        if (!a || !b || !c) {
            fprintf(stderr, "gemm_bench: out of memory for %lldx%lldx%lld\n", (long long)sh.m,
                    (long long)sh.n, (long long)sh.k);
            free(a), free(b), free(c);
            attn_ctx_destroy(ctx);
            return 1;
        }
        /* row strides of the stored matrices for each layout */
        int64_t lda = o->trans_a ? sh.m : sh.k;
        int64_t ldb = o->trans_b ? sh.k : sh.n;
        for (int t = 0; t < o->n_threads; t++)
        for (int l = 0; l < o->n_isa; l++) {
            if (attn_ctx_set_int(ctx, ATTN_OPT_THREADS, o->threads[t]) != ATTN_OK ||
                attn_ctx_set_int(ctx, ATTN_OPT_MAX_ISA, o->isa[l]) != ATTN_OK) {
                fprintf(stderr, "gemm_bench: %s\n", attn_ctx_last_error(ctx));
                free(a), free(b), free(c);
                attn_ctx_destroy(ctx);
                return 1;
            }
            /* warm-up: BLIS's packing buffers and the thread pool come up on first use */
            for (int w = 0; w < 2; w++) gemm(o, ctx, o->threads[t], sh, a, lda, b, ldb, c);
            for (int r = 0; r < o->reps; r++) {
                double t0 = now_seconds();
                gemm(o, ctx, o->threads[t], sh, a, lda, b, ldb, c);
                times[r] = now_seconds() - t0;
            }
            qsort(times, (size_t)o->reps, sizeof times[0], cmp_double);
            double median = o->reps % 2 ? times[o->reps / 2]
                                        : 0.5 * (times[o->reps / 2 - 1] + times[o->reps / 2]);
            double flop = 2.0 * (double)sh.m * (double)sh.n * (double)sh.k;
            int64_t in_use = 0;
            attn_ctx_get_int(ctx, ATTN_INFO_ISA, &in_use);
            printf("result %lld %lld %lld %d %d %.6g %.6g\n", (long long)sh.m, (long long)sh.n,
                   (long long)sh.k, o->threads[t], (int)in_use, flop / median * 1e-9, flop / times[0] * 1e-9);
            fflush(stdout);
        }
        free(a), free(b), free(c);
    }
    attn_ctx_destroy(ctx);
    return 0;
}

/* Copies src into dst[n], cut to fit. */
static void copy_text(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n) len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Runs this program as a child with --child, under BLIS's own detection if
 * blis_own (else with BLIS_ARCH_TYPE = cpuid's suggestion), and parses what
 * it printed into *out. */
static int run_child(int argc, char **argv, int blis_own, run *out)
{
    memset(out, 0, sizeof *out);
    int fd[2];
    if (pipe(fd) != 0) {
        perror("gemm_bench: pipe");
        return 0;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("gemm_bench: fork");
        return 0;
    }
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], STDOUT_FILENO);
        close(fd[1]);
        /* this program's own process: the environment is its to set */
        if (blis_own) {
            unsetenv("BLIS_ARCH_TYPE");
        } else if (suggested_arch >= 0) {
            char num[16];
            snprintf(num, sizeof num, "%d", suggested_arch);
            setenv("BLIS_ARCH_TYPE", num, 1);
        }
        char **args = calloc((size_t)argc + 2, sizeof *args);
        if (!args) _exit(127);
        args[0] = argv[0];
        args[1] = "--child";
        for (int i = 1; i < argc; i++) args[i + 1] = argv[i];
        execv("/proc/self/exe", args);
        perror("gemm_bench: exec");
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "arch ", 5) == 0) {
            copy_text(out->arch, sizeof out->arch, line + 5);
        } else if (strncmp(line, "choice ", 7) == 0) {
            copy_text(out->choice, sizeof out->choice, line + 7);
        } else if (strncmp(line, "blis ", 5) == 0) {
            copy_text(out->blis, sizeof out->blis, line + 5);
        } else if (strncmp(line, "result ", 7) == 0 &&
                   out->n_results < (int)(sizeof out->results / sizeof out->results[0])) {
            result *r = &out->results[out->n_results];
            long long m, n, k;
            if (sscanf(line + 7, "%lld %lld %lld %d %d %lf %lf", &m, &n, &k, &r->threads, &r->isa,
                       &r->median_gflops, &r->best_gflops) == 7) {
                r->s.m = m, r->s.n = n, r->s.k = k;
                out->n_results++;
            }
        }
    }
    if (f) fclose(f);
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "gemm_bench: the %s measurement failed\n", blis_own ? "BLIS-own" : "cpuid-suggested");
        return 0;
    }
    return 1;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putchar('\\');
        if ((unsigned char)*s >= 0x20) putchar(*s);
    }
    putchar('"');
}

static void report(const options *o, const run *lib, const run *own)
{
    const run *any = lib ? lib : own;
    printf("sgemm through %s, layout %s, %s, median of %d reps after 2 warm-up calls\n",
           strcmp(o->path, "layers") == 0   ? "attn__gemm (the layers' thread split)"
           : strcmp(o->path, "direct") == 0 ? "bli_sgemm (BLIS alone)"
                                            : "attn__sgemm (BLIS's threads)",
           o->layout, any->blis, o->reps);
    if (lib) printf("  cpuid's choice:   %-10s (%s)\n", lib->arch, lib->choice);
    if (own) printf("  BLIS's own:       %-10s (%s)\n", own->arch, own->choice);
    printf("\n%6s %6s %6s %7s %7s", "M", "N", "K", "threads", "isa");
    if (lib) printf(" %16s", "cpuid's GFLOP/s");
    if (own) printf(" %16s", "BLIS-own GFLOP/s");
    if (lib && own) printf(" %7s", "ratio");
    printf("\n");
    int n = any->n_results;
    for (int i = 0; i < n; i++) {
        const result *r = &any->results[i];
        printf("%6lld %6lld %6lld %7d %7s", (long long)r->s.m, (long long)r->s.n, (long long)r->s.k, r->threads,
               isa_name(r->isa));
        if (lib) printf(" %16.1f", lib->results[i].median_gflops);
        if (own) printf(" %16.1f", own->results[i].median_gflops);
        if (lib && own) printf(" %6.2fx", lib->results[i].median_gflops / own->results[i].median_gflops);
        printf("\n");
    }
    printf("\n{\"bench\": \"gemm\", \"path\": \"%s\", \"layout\": \"%s\", \"reps\": %d, \"blis\": ",
           o->path, o->layout, o->reps);
    json_string(any->blis);
    if (lib) {
        printf(", \"libattn_arch\": ");
        json_string(lib->arch);
        printf(", \"libattn_choice\": ");
        json_string(lib->choice);
    }
    if (own) {
        printf(", \"blis_arch\": ");
        json_string(own->arch);
        printf(", \"blis_choice\": ");
        json_string(own->choice);
    }
    printf(", \"results\": [");
    for (int i = 0; i < n; i++) {
        const result *r = &any->results[i];
        printf("%s{\"m\": %lld, \"n\": %lld, \"k\": %lld, \"threads\": %d, \"isa\": \"%s\"", i ? ", " : "",
               (long long)r->s.m, (long long)r->s.n, (long long)r->s.k, r->threads, isa_name(r->isa));
        if (lib)
            printf(", \"libattn_gflops\": %.5g, \"libattn_best_gflops\": %.5g", lib->results[i].median_gflops,
                   lib->results[i].best_gflops);
        if (own)
            printf(", \"blis_gflops\": %.5g, \"blis_best_gflops\": %.5g", own->results[i].median_gflops,
                   own->results[i].best_gflops);
        if (lib && own) printf(", \"ratio\": %.3f", lib->results[i].median_gflops / own->results[i].median_gflops);
        printf("}");
    }
    printf("]}\n");
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    if (o.child) return measure(&o);

    suggested_arch = attn__blis_suggested_arch();
    static run lib_run, own_run;
    int want_lib = strcmp(o.select, "blis") != 0;
    int want_own = strcmp(o.select, "libattn") != 0;
    if (want_lib && !run_child(argc, argv, 0, &lib_run)) return 1;
    if (want_own && !run_child(argc, argv, 1, &own_run)) return 1;
    int expected = o.n_shapes * o.n_threads * o.n_isa;
    if ((want_lib && lib_run.n_results != expected) || (want_own && own_run.n_results != expected)) {
        fprintf(stderr, "gemm_bench: a measurement process reported too few results\n");
        return 1;
    }
    report(&o, want_lib ? &lib_run : NULL, want_own ? &own_run : NULL);
    return 0;
}
