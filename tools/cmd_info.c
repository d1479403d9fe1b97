/* attn info: version, BLIS kernel set and how it was chosen, threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn.h"
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
    if (attn_ctx_create(&ctx) != ATTN_OK) {
        fprintf(stderr, "attn info: cannot create a context\n");
        return 1;
    }
    int64_t threads;
    attn_ctx_get_int(ctx, ATTN_OPT_THREADS, &threads);
    const char *arch = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_ARCH);
    const char *choice = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_CHOICE);
    const char *blis = attn_ctx_info_string(ctx, ATTN_INFO_BLIS_LIBRARY);
    if (json)
        printf("{\"version\": \"%s\", \"blis\": \"%s\", \"blis_arch\": \"%s\", \"blis_choice\": \"%s\", "
               "\"default_threads\": %lld}\n",
               attn_version_string(), blis, arch, choice, (long long)threads);
    else
        printf("libattn %s\n%s\nkernel set: %s\nchosen by: %s\ndefault threads: %lld (set with --threads "
               "or ATTN_OPT_THREADS)\n",
               attn_version_string(), blis, arch, choice, (long long)threads);
    attn_ctx_destroy(ctx);
    return 0;
}
