/* Shared helpers of the attn subcommands: option parsing, error lines,
 * reading safetensors inputs. */
#ifndef ATTN_TOOLS_CLI_H
#define ATTN_TOOLS_CLI_H

#include <stdio.h>

#include "attn.h"

typedef struct cli_opt {
    const char *name;      /* "--model" */
    const char *arg;       /* "PATH" for an option with a value, NULL for a flag */
    const char *help;
    const char *value;     /* filled by cli_parse (the default if not given) */
    int present;
} cli_opt;

/* Parses argv[1..] against opts; "--help" prints usage to stdout and returns
 * 1 (caller exits 0); an unknown option or a missing value prints one line to
 * stderr and returns 2; returns 0 on success. */
int cli_parse(const char *cmd, const char *synopsis, int argc, char **argv, cli_opt *opts, int n);
/* The option named name (which must exist in opts). */
cli_opt *cli_get(cli_opt *opts, int n, const char *name);
/* Requires the named options to be present; prints "attn CMD: --x is required". */
int cli_require(const char *cmd, cli_opt *opts, int n, const char *const *names, int count);
/* Prints "attn CMD: <what>: <library message>" and returns 1. */
int cli_fail(const char *cmd, attn_ctx *ctx, const char *what);
/* Parses a number option; prints an error and returns 0 if malformed. */
int cli_double(const char *cmd, const cli_opt *o, double *out);
int cli_long(const char *cmd, const cli_opt *o, long *out);
/* The config path for a checkpoint: given if not NULL, else config.json in
 * the checkpoint's directory (where `attn train` writes it). */
void cli_config_path(const char *given, const char *checkpoint, char *buf, size_t size);
/* Creates a context with the thread count of --threads (if given). */
int cli_ctx(const char *cmd, const cli_opt *threads, attn_ctx **ctx);

#endif
