/* Option parsing and error reporting for the attn subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void usage(const char *cmd, const char *synopsis, const cli_opt *opts, int n)
{
    printf("usage: attn %s %s\n\noptions:\n", cmd, synopsis);
    for (int i = 0; i < n; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", opts[i].name, opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        printf("  %-24s %s", left, opts[i].help);
        if (opts[i].arg && opts[i].value) printf(" (default %s)", opts[i].value);
        printf("\n");
    }
}

int cli_parse(const char *cmd, const char *synopsis, int argc, char **argv, cli_opt *opts, int n)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(cmd, synopsis, opts, n);
            return 1;
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

cli_opt *cli_get(cli_opt *opts, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(opts[i].name, name) == 0) return &opts[i];
    return NULL;
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

int cli_ctx(const char *cmd, const cli_opt *threads, attn_ctx **ctx)
{
    if (attn_ctx_create(ctx) != ATTN_OK) {
        fprintf(stderr, "attn %s: cannot create a context\n", cmd);
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
    if (threads && threads->value) {
        long t;
        int ok = cli_long(cmd, threads, &t);
        if (ok && attn_ctx_set_int(*ctx, ATTN_OPT_THREADS, t) != ATTN_OK) ok = !cli_fail(cmd, *ctx, "--threads");
        if (!ok) {
            attn_ctx_destroy(*ctx);
            *ctx = NULL;
            return 0;
        }
    }
    return 1;
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
