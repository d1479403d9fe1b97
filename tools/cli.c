/* Option parsing and error reporting for the attn subcommands. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void usage(const char *cmd, const char *synopsis, const cli_opt *opts, int n)
{
    printf("usage: attn %s %s\n\noptions:\n", cmd, synopsis);
    for (int i = 0; i < n; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", opts[i].name, opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        /* a long option column gets the help on a line of its own */
        if (strlen(left) > 24) printf("  %s\n  %-24s %s", left, "", opts[i].help);
        else printf("  %-24s %s", left, opts[i].help);
        if (opts[i].arg && opts[i].value) printf(" (default %s)", opts[i].value);
        printf("\n");
    }
}

int cli_parse_args(const char *cmd, const char *synopsis, int argc, char **argv, cli_opt *opts, int n,
                   const char **positional, int max_positional)
{
    int npos = 0;
    if (positional) positional[0] = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(cmd, synopsis, opts, n);
            return 1;
        }
        /* "-" alone is a file name (stdin), as for cat */
        if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
            if (!positional) {
                fprintf(stderr, "attn %s: unexpected argument '%s' (try 'attn %s --help')\n", cmd, argv[i], cmd);
                return 2;
            }
            if (npos == max_positional) {
                fprintf(stderr, "attn %s: more than %d file arguments\n", cmd, max_positional);
                return 2;
            }
            positional[npos++] = argv[i];
            positional[npos] = NULL;
            continue;
        }
        const char *eq = strchr(argv[i], '=');
        size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        cli_opt *o = NULL;
        for (int k = 0; k < n && !o; k++)
            if (strlen(opts[k].name) == len && strncmp(opts[k].name, argv[i], len) == 0) o = &opts[k];
        if (!o) {
            fprintf(stderr, "attn %s: unknown option '%s' (try 'attn %s --help')\n", cmd, argv[i], cmd);
            return 2;
        }
        o->present = 1;
        if (!o->arg) {
            if (eq) {
                fprintf(stderr, "attn %s: %s takes no value\n", cmd, o->name);
                return 2;
            }
            continue;
        }
        if (eq) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            fprintf(stderr, "attn %s: %s needs a value (%s)\n", cmd, o->name, o->arg);
            return 2;
        }
    }
    return 0;
}

int cli_parse(const char *cmd, const char *synopsis, int argc, char **argv, cli_opt *opts, int n)
{
    return cli_parse_args(cmd, synopsis, argc, argv, opts, n, NULL, 0);
}

cli_opt *cli_get(cli_opt *opts, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(opts[i].name, name) == 0) return &opts[i];
    return NULL;
}

const char *cli_value(cli_opt *opts, int n, const char *name)
{
    cli_opt *o = cli_get(opts, n, name);
    return o ? o->value : NULL;
}

int cli_present(cli_opt *opts, int n, const char *name)
{
    cli_opt *o = cli_get(opts, n, name);
    return o && o->present;
}

int cli_require(const char *cmd, cli_opt *opts, int n, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        cli_opt *o = cli_get(opts, n, names[i]);
        if (!o || !o->value) {
            fprintf(stderr, "attn %s: %s is required (try 'attn %s --help')\n", cmd, names[i], cmd);
            return 0;
        }
    }
    return 1;
}

int cli_fail(const char *cmd, attn_ctx *ctx, const char *what)
{
    const char *msg = ctx ? attn_ctx_last_error(ctx) : "";
    fprintf(stderr, "attn %s: %s%s%s\n", cmd, what, msg[0] ? ": " : "", msg);
    return 1;
}

int cli_double(const char *cmd, const cli_opt *o, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(o->value, &end);
    if (errno || end == o->value || *end) {
        fprintf(stderr, "attn %s: %s expects a number, got '%s'\n", cmd, o->name, o->value);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_long(const char *cmd, const cli_opt *o, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(o->value, &end, 10);
    if (errno || end == o->value || *end) {
        fprintf(stderr, "attn %s: %s expects an integer, got '%s'\n", cmd, o->name, o->value);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_long_in(const char *cmd, cli_opt *opts, int n, const char *name, long min, long max, long *out)
{
    cli_opt *o = cli_get(opts, n, name);
    if (!cli_long(cmd, o, out)) return 0;
    if (*out < min || *out > max) {
        fprintf(stderr, "attn %s: %s %ld: must be between %ld and %ld\n", cmd, name, *out, min, max);
        return 0;
    }
    return 1;
}

int cli_double_in(const char *cmd, cli_opt *opts, int n, const char *name, double min, double max, double *out)
{
    cli_opt *o = cli_get(opts, n, name);
    if (!cli_double(cmd, o, out)) return 0;
    if (!(*out >= min && *out <= max)) {
        fprintf(stderr, "attn %s: %s %s: must be between %g and %g\n", cmd, name, o->value, min, max);
        return 0;
    }
    return 1;
}

int cli_choice(const char *cmd, cli_opt *opts, int n, const char *name, const char *choices, int *index)
{
    const char *v = cli_value(opts, n, name);
    size_t len = v ? strlen(v) : 0;
    int i = 0;
    for (const char *p = choices; v && *p; i++) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == len && strncmp(p, v, len) == 0) {
            *index = i;
            return 1;
        }
        p += l + (bar != NULL);
    }
    fprintf(stderr, "attn %s: %s %s: must be one of %s\n", cmd, name, v ? v : "(none)", choices);
    return 0;
}

void cli_config_path(const char *given, const char *checkpoint, char *buf, size_t size)
{
    if (given) {
        snprintf(buf, size, "%s", given);
        return;
    }
    snprintf(buf, size, "%s", checkpoint);
    char *slash = strrchr(buf, '/');
    size_t at = slash ? (size_t)(slash + 1 - buf) : 0;
    snprintf(buf + at, size - at, "config.json");
}

int64_t cli_default_threads(void)
{
    int64_t n = 0, lo = 1, hi = 1024;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    if (n < 1) n = sysconf(_SC_NPROCESSORS_ONLN);
    attn_ctx_option_bounds(ATTN_OPT_THREADS, &lo, &hi);
    return n < lo ? lo : n > hi ? hi : n;
}

/* memory.max of this process's cgroup (v2), or 0 when there is none or it is "max". */
static int64_t cgroup_memory_max(void)
{
    char line[4096], path[4200];
    FILE *f = fopen("/proc/self/cgroup", "r");
    int64_t limit = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", strcmp(line + 3, "/") ? line + 3 : "");
            FILE *m = fopen(path, "r");
            long long v;
            if (m && fscanf(m, "%lld", &v) == 1 && v > 0) limit = v;
            if (m) fclose(m);
        }
    fclose(f);
    return limit;
}

int64_t cli_default_memory_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    int64_t avail = pages > 0 && page > 0 ? (int64_t)pages * page : 0;
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (avail == 0 || (int64_t)rl.rlim_cur < avail))
        avail = (int64_t)rl.rlim_cur;
    int64_t cg = cgroup_memory_max();
    if (cg > 0 && (avail == 0 || cg < avail)) avail = cg;
    return avail / 4 * 3;
}

/* "4096" (MB), "512K", "300M", "2G", "1T"; 0 = no limit. */
static int parse_size(const char *cmd, const char *value, int64_t *bytes)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    double unit = 1024.0 * 1024.0;
    if (*end) {
        int c = toupper((unsigned char)*end);
        unit = c == 'K' ? 1024.0 : c == 'M' ? 1048576.0 : c == 'G' ? 1073741824.0 : c == 'T' ? 1099511627776.0 : -1.0;
        if (unit > 0 && end[1] && !(toupper((unsigned char)end[1]) == 'B' && !end[2])) unit = -1.0;
    }
    if (errno || end == value || unit < 0 || !(v >= 0.0) || v * unit > 9.0e18) {
        fprintf(stderr, "attn %s: --memory-limit %s: expects a size such as 4096 (MB), 512M or 2G, or 0 for no limit\n",
                cmd, value);
        return 0;
    }
    *bytes = (int64_t)(v * unit);
    return 1;
}

static int ctx_create(const char *cmd, const cli_opt *threads, const cli_opt *memory, attn_ctx **ctx)
{
    int64_t t = cli_default_threads(), bytes = cli_default_memory_limit(), lo = 1, hi = 1024;
    *ctx = NULL;
    if (threads && threads->value) {
        long v;
        attn_ctx_option_bounds(ATTN_OPT_THREADS, &lo, &hi);
        if (!cli_long(cmd, threads, &v)) return 0;
        if (v < lo || v > hi) {
            fprintf(stderr, "attn %s: --threads %ld: must be between %lld and %lld\n", cmd, v, (long long)lo,
                    (long long)hi);
            return 0;
        }
        t = v;
    }
    if (memory && memory->value && !parse_size(cmd, memory->value, &bytes)) return 0;
    if (attn_ctx_create(ctx) != ATTN_OK) {
        fprintf(stderr, "attn %s: cannot create a context\n", cmd);
        return 0;
    }
    if (attn_ctx_set_int(*ctx, ATTN_OPT_THREADS, t) != ATTN_OK ||
        attn_ctx_set_int(*ctx, ATTN_OPT_MEMORY_LIMIT, bytes) != ATTN_OK) {
        cli_fail(cmd, *ctx, "settings");
        attn_ctx_destroy(*ctx);
        *ctx = NULL;
        return 0;
    }
    /* ATTN_MAX_CPU_ISA caps the level of libattn's own kernels, as oneDNN's
     * ONEDNN_MAX_CPU_ISA does its: the program reads it, the library does not */
    const char *isa = getenv("ATTN_MAX_CPU_ISA");
    int64_t level;
    if (isa && (attn_isa_parse(isa, &level) != ATTN_OK || attn_ctx_set_int(*ctx, ATTN_OPT_MAX_ISA, level) != ATTN_OK)) {
        fprintf(stderr, "attn %s: ATTN_MAX_CPU_ISA='%s' is not a level (avx512, avx2 or sse2)\n", cmd, isa);
        attn_ctx_destroy(*ctx);
        *ctx = NULL;
        return 0;
    }
    return 1;
}

int cli_ctx(const char *cmd, const cli_opt *threads, attn_ctx **ctx) { return ctx_create(cmd, threads, NULL, ctx); }

int cli_ctx_opts(const char *cmd, cli_opt *opts, int n, attn_ctx **ctx)
{
    return ctx_create(cmd, cli_get(opts, n, "--threads"), cli_get(opts, n, "--memory-limit"), ctx);
}

const char *cli_dtype_name(int32_t dtype)
{
    switch (dtype) {
    case ATTN_F32: return "float32";
    case ATTN_I32: return "int32";
    case ATTN_I64: return "int64";
    default: return "an unknown dtype";
    }
}

void cli_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', out);
            fputc(*p, out);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\u%04x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}
