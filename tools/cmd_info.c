/* attn info: version, the ISA level of libattn's kernels, BLIS kernel set
 * and how it was chosen, and the threads and memory limit every command
 * uses unless told otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "text_model.h"

int attn_cmd_info(int argc, char **argv)
{
    const char *cmd = "info";
    cli_opt opts[] = {
        {"--json", NULL, "one JSON object", NULL, 0},
        {"--model", "DIR|CKPT", "also describe this model: its size, pooling, tokenizer and what loading it noted",
         NULL, 0},
        CLI_OPT_THREADS,
        CLI_OPT_MEMORY_LIMIT,
    };
    int n = sizeof opts / sizeof opts[0];
    int rc = cli_parse(cmd, "[--json] [--model DIR]", argc, argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    int json = cli_present(opts, n, "--json");
    /* the library's own defaults, from a context left as created */
    attn_ctx *lib, *ctx;
    if (attn_ctx_create(&lib) != ATTN_OK) {
        fprintf(stderr, "attn %s: cannot create a context\n", cmd);
        return 1;
    }
    int64_t lib_threads = 1;
    attn_ctx_get_int(lib, ATTN_OPT_THREADS, &lib_threads);
    attn_ctx_destroy(lib);
    if (!cli_ctx_opts(cmd, opts, n, &ctx)) return 1;
    int64_t threads = 0, memory = 0;
    attn_ctx_get_int(ctx, ATTN_OPT_THREADS, &threads);
    attn_ctx_get_int(ctx, ATTN_OPT_MEMORY_LIMIT, &memory);
    const char *arch = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_ARCH);
    const char *choice = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_CHOICE);
    const char *blis = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_LIBRARY);
    const char *isa = attn_ctx_info_string(ctx, ATTN_INFO_ISA_NAME);
    const char *isa_why = getenv("ATTN_MAX_CPU_ISA") ? "capped by ATTN_MAX_CPU_ISA" : "the best this CPU runs";
    if (json)
        printf("{\"version\": \"%s\", \"isa\": \"%s\", \"blis\": \"%s\", \"blis_arch\": \"%s\", \"blis_choice\": \"%s\", "
               "\"threads\": %lld, \"default_threads\": %lld, \"library_default_threads\": %lld, "
               "\"memory_limit_bytes\": %lld, \"default_memory_limit_bytes\": %lld}\n",
               attn_version_string(), isa, blis, arch, choice, (long long)threads, (long long)cli_default_threads(),
               (long long)lib_threads, (long long)memory, (long long)cli_default_memory_limit());
    else
        printf("libattn %s\nlibattn kernels: %s (%s)\n%s\nkernel set: %s\nchosen by: %s\n"
               "threads: %lld (commands default to the %lld cores this process may run on; --threads N sets it; "
               "the library's own default is %lld, ATTN_OPT_THREADS)\n"
               "memory limit: %.0f MB (%s; --memory-limit SIZE sets it, 0 = none)\n",
               attn_version_string(), isa, isa_why, blis, arch, choice, (long long)threads, (long long)cli_default_threads(),
               (long long)lib_threads, (double)memory / 1048576.0,
               memory == cli_default_memory_limit() ? "3/4 of the memory this process may use" : "as given");
    rc = 0;
    if (cli_value(opts, n, "--model")) {
        attn_model *model;
        if (text_model_load(cmd, ctx, cli_value(opts, n, "--model"), NULL, NULL, &model)) {
            text_model_describe(stdout, model);
            attn_model_destroy(model);
        } else {
            rc = 1;
        }
    }
    attn_ctx_destroy(ctx);
    return rc;
}
