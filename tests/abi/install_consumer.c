/* A program built against an installed libattn with nothing but
 * `pkg-config --cflags --libs libattn`: it must find the umbrella header, link,
 * load the library and agree with it on the version. check_install.py
 * compares what it prints with hand-written expected lines. */
#include <attn.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) {
        puts("attn_ctx_create failed");
        return 1;
    }
    printf("header version %s, library version %s, %s\n", ATTN_VERSION_STRING, attn_version_string(),
           attn_version_number() == ATTN_VERSION_NUMBER ? "same" : "different");

    static const int64_t shape[2] = {2, 2};
    float a_data[4] = {1, 2, 3, 4}, b_data[4] = {5, 6, 7, 8}, c_data[4];
    attn_tensor *a = NULL, *b = NULL, *c = NULL;
    attn_status st = attn_tensor_wrap(ctx, ATTN_F32, 2, shape, a_data, &a);
    if (st == ATTN_OK) st = attn_tensor_wrap(ctx, ATTN_F32, 2, shape, b_data, &b);
    if (st == ATTN_OK) st = attn_tensor_wrap(ctx, ATTN_F32, 2, shape, c_data, &c);
    if (st == ATTN_OK) st = attn_matmul(c, a, ATTN_NO_TRANS, b, ATTN_NO_TRANS, 1.0f, 0.0f);
    if (st != ATTN_OK) {
        printf("matmul failed: %s\n", attn_ctx_last_error(ctx));
        return 1;
    }
    printf("A @ B = [%g, %g] [%g, %g]\n", c_data[0], c_data[1], c_data[2], c_data[3]);

    /* an error is a status and a message, never a crash */
    st = attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 0);
    printf("0 threads: %s, message %s\n", st == ATTN_ERR_INVALID_ARG ? "ATTN_ERR_INVALID_ARG" : attn_status_str(st),
           strlen(attn_ctx_last_error(ctx)) > 0 ? "set" : "empty");

    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    attn_tensor_destroy(c);
    attn_ctx_destroy(ctx);
    return 0;
}
