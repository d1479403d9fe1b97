/* attn info: version, the ISA level of libattn's kernels, BLIS kernel set
 * and how it was chosen, threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
#include "cli.h"
#include "commands.h"

int attn_cmd_info(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: attn info [--json]\n");
            return 0;
        } else {
            fprintf(stderr, "attn info: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    attn_ctx *ctx;
    if (!cli_ctx("info", NULL, &ctx)) return 1;
    int64_t threads;
    attn_ctx_get_int(ctx, ATTN_OPT_THREADS, &threads);
    const char *arch = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_ARCH);
    const char *choice = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_CHOICE);
    const char *blis = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_LIBRARY);
    const char *isa = attn_ctx_info_string(ctx, ATTN_INFO_ISA_NAME);
    const char *cap = getenv("ATTN_MAX_CPU_ISA");
    if (json)
        printf("{\"version\": \"%s\", \"isa\": \"%s\", \"blis\": \"%s\", \"blis_arch\": \"%s\", "
               "\"blis_choice\": \"%s\", \"default_threads\": %lld}\n",
               attn_version_string(), isa, blis, arch, choice, (long long)threads);
    else
        printf("libattn %s\nlibattn kernels: %s (%s)\n%s\nkernel set: %s\nchosen by: %s\ndefault threads: %lld "
               "(set with --threads or ATTN_OPT_THREADS)\n",
               attn_version_string(), isa, cap ? "capped by ATTN_MAX_CPU_ISA" : "the best this CPU runs", blis, arch,
               choice, (long long)threads);
    attn_ctx_destroy(ctx);
    return 0;
}
