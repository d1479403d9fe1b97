/* Shared helpers of the attn subcommands: option parsing, error lines,
 * the context every command runs in (threads and memory limit), and the
 * checks that tell a user which file they passed. */
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

/* The two options every command that computes takes; cli_ctx_opts reads them. */
#define CLI_OPT_THREADS {"--threads", "N", "compute threads (default: the cores this process may run on)", NULL, 0}
#define CLI_OPT_MEMORY_LIMIT                                                                                     \
    {"--memory-limit", "SIZE",                                                                                   \
     "fail cleanly beyond this much library memory: MB, or with K/M/G; 0 = no limit "                            \
     "(default: 3/4 of the memory this process may use)",                                                        \
     NULL, 0}

/* Parses argv[1..] against opts; "--help" prints usage to stdout and returns
 * 1 (caller exits 0); an unknown option or a missing value prints one line to
 * stderr and returns 2; returns 0 on success. Arguments that do not start
 * with "-" are an error unless positional is not NULL: then they are stored
 * there in order (at most max_positional; positional[count] = NULL). */
int cli_parse(const char *cmd, const char *synopsis, int argc, char **argv, cli_opt *opts, int n);
int cli_parse_args(const char *cmd, const char *synopsis, int argc, char **argv, cli_opt *opts, int n,
                   const char **positional, int max_positional);
/* The option named name, or NULL if opts has none. */
cli_opt *cli_get(cli_opt *opts, int n, const char *name);
/* The value of the named option (NULL if absent or unset). */
const char *cli_value(cli_opt *opts, int n, const char *name);
/* 1 if the named flag or option was given. */
int cli_present(cli_opt *opts, int n, const char *name);
/* Requires the named options to be present; prints "attn CMD: --x is required". */
int cli_require(const char *cmd, cli_opt *opts, int n, const char *const *names, int count);
/* Prints "attn CMD: <what>: <library message>" and returns 1. */
int cli_fail(const char *cmd, attn_ctx *ctx, const char *what);
/* Parses a number option; prints an error and returns 0 if malformed. */
int cli_double(const char *cmd, const cli_opt *o, double *out);
int cli_long(const char *cmd, const cli_opt *o, long *out);
/* Parses the named option as an integer in [min, max]; prints
 * "attn CMD: --x V: must be between MIN and MAX" and returns 0 otherwise. */
int cli_long_in(const char *cmd, cli_opt *opts, int n, const char *name, long min, long max, long *out);
/* The same for a real number in [min, max]. */
int cli_double_in(const char *cmd, cli_opt *opts, int n, const char *name, double min, double max, double *out);
/* The named option's value, which must be one of the '|'-separated choices
 * ("cls|mean"); *index receives its position. Prints the choices otherwise. */
int cli_choice(const char *cmd, cli_opt *opts, int n, const char *name, const char *choices, int *index);
/* The config path for a checkpoint: given if not NULL, else config.json in
 * the checkpoint's directory (where `attn train` writes it). */
void cli_config_path(const char *given, const char *checkpoint, char *buf, size_t size);

/* The thread count a command uses when --threads is not given: the CPUs
 * this process may run on (sched_getaffinity, so taskset and cgroup cpusets
 * count), within the library's bounds. The library's own default is 1. */
int64_t cli_default_threads(void);
/* The memory limit a command uses when --memory-limit is not given: 3/4 of
 * the smallest of physical memory, RLIMIT_AS and the cgroup's memory.max,
 * so a request too large fails with a message instead of the OOM killer. */
int64_t cli_default_memory_limit(void);
/* Creates a context with the thread count of --threads (or the default)
 * and the default memory limit. */
int cli_ctx(const char *cmd, const cli_opt *threads, attn_ctx **ctx);
/* Creates a context from the --threads and --memory-limit options of opts
 * (either may be absent from the table: the default applies). */
int cli_ctx_opts(const char *cmd, cli_opt *opts, int n, attn_ctx **ctx);

/* What a file looks like, for the messages that say a file was passed in
 * the wrong place: 0 and nothing printed if path is a safetensors file
 * (cli_check_weights) or a JSON object (cli_check_config), else one line
 * "attn CMD: OPTION PATH is not ...: it looks like ..." and 1. A file that
 * cannot be read returns 0: the library's own message names the error. */
int cli_check_weights(const char *cmd, const char *option, const char *path);
int cli_check_config(const char *cmd, const char *option, const char *path);

/* s as a JSON string: quotes, backslashes and control characters escaped,
 * everything else (UTF-8 included) passed through. */
void cli_json_string(FILE *out, const char *s);

/* The library's dtype in words ("float32", "int64", ...). */
const char *cli_dtype_name(int32_t dtype);

#endif
