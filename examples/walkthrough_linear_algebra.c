/* The article's linear-algebra walk-through with libattn tensors:
 * matrix add, multiply and transpose; vector add, dot product, L1 and L2 norms.
 * Build: cc walkthrough_linear_algebra.c $(pkg-config --cflags --libs libattn) */
#include <stdio.h>

#include <attn.h>

#define CHECK(call)                                                                   \
    do {                                                                              \
        attn_status st_ = (call);                                                     \
        if (st_ != ATTN_OK) {                                                         \
            fprintf(stderr, "%s: %s\n", #call, attn_ctx_last_error(ctx));            \
            return 1;                                                                 \
        }                                                                             \
    } while (0)

static void print_matrix(const char *name, attn_tensor *t)
{
    int64_t rows = attn_tensor_dim(t, 0), cols = attn_tensor_dim(t, 1);
    float v[16];
    attn_tensor_read(t, ATTN_F32, v, (size_t)(rows * cols) * sizeof(float));
    printf("%s =", name);
    for (int64_t i = 0; i < rows; i++) {
        printf(" [");
        for (int64_t j = 0; j < cols; j++) printf(j ? ", %g" : "%g", v[i * cols + j]);
        printf("]");
    }
    printf("\n");
}

int main(void)
{
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;

    float a_data[4] = {1, 2, 3, 4}, b_data[4] = {5, 6, 7, 8};
    int64_t shape[2] = {2, 2};
    attn_tensor *a, *b, *sum, *prod, *at;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, shape, a_data, &a));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, shape, b_data, &b));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, shape, &sum));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, shape, &prod));

    CHECK(attn_add(sum, a, b));
    print_matrix("A + B", sum);
    CHECK(attn_matmul(prod, a, ATTN_NO_TRANS, b, ATTN_NO_TRANS, 1.0f, 0.0f));
    print_matrix("A @ B", prod);
    CHECK(attn_tensor_view_transpose(a, 0, 1, &at)); /* a view: no copy */
    print_matrix("A^T", at);

    float u_data[3] = {1, 2, 3}, v_data[3] = {4, 5, 6};
    int64_t vshape[1] = {3};
    attn_tensor *u, *v, *w;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, vshape, u_data, &u));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, vshape, v_data, &v));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 1, vshape, &w));
    CHECK(attn_add(w, u, v));
    float wv[3];
    CHECK(attn_tensor_read(w, ATTN_F32, wv, sizeof wv));
    printf("u + v = [%g, %g, %g]\n", wv[0], wv[1], wv[2]);
    double dot, l1, l2;
    CHECK(attn_dot(u, v, &dot));
    CHECK(attn_norm_l1(u, &l1));
    CHECK(attn_norm_l2(u, &l2));
    printf("u . v = %g\n", dot);
    printf("|u|_1 = %g\n", l1);
    printf("|u|_2 = %.6f\n", l2);

    attn_tensor_destroy(at);
    attn_tensor_destroy(a);
    attn_tensor_destroy(b);
    attn_tensor_destroy(sum);
    attn_tensor_destroy(prod);
    attn_tensor_destroy(u);
    attn_tensor_destroy(v);
    attn_tensor_destroy(w);
    attn_ctx_destroy(ctx);
    return 0;
}
