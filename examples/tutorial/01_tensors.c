/* Tutorial chapter 1 (doc/tutorial/01-tensors.md): tensors and the
 * matrix/vector math of a neural network with libattn -- create and wrap
 * tensors, read their shapes, add, multiply elementwise and as matrices,
 * transpose without copying, broadcast a bias, reduce, dot products and
 * norms. Every value printed here is worked by hand in the chapter.
 *
 *   cc 01_tensors.c $(pkg-config --cflags --libs libattn) -o 01_tensors */
#include <stdio.h>

#include <attn.h>

#define CHECK(call)                                                          \
    do {                                                                     \
        if ((call) != ATTN_OK) {                                             \
            fprintf(stderr, "%s: %s\n", #call, attn_ctx_last_error(ctx));   \
            return 1;                                                        \
        }                                                                    \
    } while (0)

/* Prints a rank-2 tensor of at most 16 elements as "name = [..] [..]";
 * attn_tensor_read gathers any strides (a transposed view too) row-major. */
static void print_matrix(const char *name, const attn_tensor *t)
{
    int64_t rows = attn_tensor_dim(t, 0), cols = attn_tensor_dim(t, 1);
    float v[16];
    if (rows * cols > 16 || attn_tensor_read(t, ATTN_F32, v, (size_t)(rows * cols) * sizeof(float)) != ATTN_OK) {
        printf("%s: cannot print\n", name);
        return;
    }
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

    /* matrices: wrap borrows our arrays, create allocates zeros */
    float a_data[4] = {1, 2, 3, 4}, b_data[4] = {5, 6, 7, 8};
    int64_t shape[2] = {2, 2};
    attn_tensor *a, *b, *sum, *had, *prod, *at, *atb;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, shape, a_data, &a));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, shape, b_data, &b));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, shape, &sum));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, shape, &had));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, shape, &prod));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, shape, &atb));
    printf("A: rank %d, shape [%lld, %lld], %lld elements\n", (int)attn_tensor_rank(a),
           (long long)attn_tensor_dim(a, 0), (long long)attn_tensor_dim(a, 1), (long long)attn_tensor_numel(a));

    CHECK(attn_add(sum, a, b));
    print_matrix("A + B", sum);
    CHECK(attn_mul(had, a, b));
    print_matrix("A * B (elementwise)", had);
    CHECK(attn_matmul(prod, a, ATTN_NO_TRANS, b, ATTN_NO_TRANS, 1.0f, 0.0f));
    print_matrix("A @ B", prod);
    CHECK(attn_tensor_view_transpose(a, 0, 1, &at)); /* a view: same storage, swapped strides */
    print_matrix("A^T", at);
    printf("A^T is contiguous: %d\n", (int)attn_tensor_is_contiguous(at));
    CHECK(attn_matmul(atb, a, ATTN_TRANS, b, ATTN_NO_TRANS, 1.0f, 0.0f)); /* the flag, not a copy */
    print_matrix("A^T @ B", atb);

    /* a layer's bias: b [C] is broadcast over the rows of x [N, C] */
    float x_data[6] = {1, 2, 3, 4, 5, 6}, bias_data[3] = {10, 20, 30};
    int64_t xshape[2] = {2, 3}, bshape[1] = {3};
    attn_tensor *x, *bias, *xb;
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 2, xshape, x_data, &x));
    CHECK(attn_tensor_wrap(ctx, ATTN_F32, 1, bshape, bias_data, &bias));
    CHECK(attn_tensor_create(ctx, ATTN_F32, 2, xshape, &xb));
    CHECK(attn_add(xb, x, bias));
    print_matrix("X + bias", xb);
    double s, m, mx;
    CHECK(attn_sum(x, &s));
    CHECK(attn_mean(x, &m));
    CHECK(attn_max(x, &mx));
    printf("sum(X) = %g, mean(X) = %g, max(X) = %g\n", s, m, mx);

    /* views: a row of X, and X reshaped to [3, 2] -- no data copied */
    attn_tensor *row, *x32;
    CHECK(attn_tensor_view_slice(x, 0, 1, 1, &row));
    print_matrix("X[1:2]", row);
    int64_t rshape[2] = {3, 2};
    CHECK(attn_tensor_view_reshape(x, 2, rshape, &x32));
    print_matrix("X as [3, 2]", x32);

    /* vectors */
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
    CHECK(attn_scale(w, u, 2.0f));
    CHECK(attn_tensor_read(w, ATTN_F32, wv, sizeof wv));
    printf("2u = [%g, %g, %g]\n", wv[0], wv[1], wv[2]);
    double dot, l1, l2;
    CHECK(attn_dot(u, v, &dot));
    CHECK(attn_norm_l1(u, &l1));
    CHECK(attn_norm_l2(u, &l2));
    printf("u . v = %g\n", dot);
    printf("|u|_1 = %g\n", l1);
    printf("|u|_2 = %.6f\n", l2);

    /* a mistake, to see what the library says instead of crashing */
    attn_status st = attn_matmul(prod, a, ATTN_NO_TRANS, x32, ATTN_NO_TRANS, 1.0f, 0.0f);
    printf("A @ (X as [3, 2]): %s\n", attn_status_str(st));

    attn_tensor *all[] = {row, x32, at, a, b, sum, had, prod, atb, x, bias, xb, u, v, w};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) attn_tensor_destroy(all[i]);
    attn_ctx_destroy(ctx);
    return 0;
}
