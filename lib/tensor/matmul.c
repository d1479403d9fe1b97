/* Matrix products on tensors: shape checks, then per batch entry the GEMM
 * the layers run (attn__gemm: the context's kernels and threads) whenever
 * each operand is a row-major matrix or a transposed one, else one strided
 * call (transposed views pass their strides, no copies). */
#include "compute/compute.h"
#include "internal.h"

/* A stored matrix with strides (rs, cs) used as op(M) = trans ? M^T : M, as
 * a row-major matrix with row stride *ld and transpose flag *t; 0 if it has
 * no unit stride. */
static int as_row_major(int64_t rs, int64_t cs, int32_t trans, int *t, int64_t *ld)
{
    if (cs == 1) {
        *t = trans;
        *ld = rs;
        return 1;
    }
    if (rs == 1) { /* column-major M is row-major M^T */
        *t = !trans;
        *ld = cs;
        return 1;
    }
    return 0;
}

static attn_status op_dims(const attn_tensor *t, int32_t trans, int32_t r0, int64_t *rows, int64_t *cols,
                           int64_t *rs, int64_t *cs)
{
    /* stored dims of the matrix part, then swapped when transposed */
    *rs = t->stride[r0];
    *cs = t->stride[r0 + 1];
    *rows = trans ? t->shape[r0 + 1] : t->shape[r0];
    *cols = trans ? t->shape[r0] : t->shape[r0 + 1];
    return ATTN_OK;
}

attn_status attn_matmul(attn_tensor *out, const attn_tensor *a, int32_t trans_a, const attn_tensor *b,
                        int32_t trans_b, float alpha, float beta)
{
    if (!out || !a || !b) return ATTN_ERR_INVALID_ARG;
    ATTN_CHECK(attn__check_f32(out, "attn_matmul: out"));
    ATTN_CHECK(attn__check_f32(a, "attn_matmul: a"));
    ATTN_CHECK(attn__check_f32(b, "attn_matmul: b"));
    if ((trans_a != 0 && trans_a != 1) || (trans_b != 0 && trans_b != 1))
        return attn__fail(out->ctx, ATTN_ERR_INVALID_ARG, "attn_matmul: transpose flags must be 0 or 1");
    int32_t rank = out->rank;
    if ((rank != 2 && rank != 3) || a->rank != rank || b->rank != rank)
        return attn__fail(out->ctx, ATTN_ERR_SHAPE, "attn_matmul: ranks must all be 2 or all be 3 (out %d, a %d, b %d)",
                          (int)out->rank, (int)a->rank, (int)b->rank);
    int32_t r0 = rank - 2;
    int64_t batch = rank == 3 ? out->shape[0] : 1;
    if (rank == 3 && (a->shape[0] != batch || b->shape[0] != batch))
        return attn__fail(out->ctx, ATTN_ERR_SHAPE, "attn_matmul: batch sizes differ (out %lld, a %lld, b %lld)",
                          (long long)batch, (long long)a->shape[0], (long long)b->shape[0]);
    int64_t m, k, k2, n, rsa, csa, rsb, csb;
    op_dims(a, trans_a, r0, &m, &k, &rsa, &csa);
    op_dims(b, trans_b, r0, &k2, &n, &rsb, &csb);
    if (k != k2 || out->shape[r0] != m || out->shape[r0 + 1] != n) {
        char so[96], sa[96], sb[96];
        return attn__fail(out->ctx, ATTN_ERR_SHAPE, "attn_matmul: op(a) is %lldx%lld, op(b) %lldx%lld, out %s (a %s%s, b %s%s)",
                          (long long)m, (long long)k, (long long)k2, (long long)n, attn__shape_str(out, so, sizeof so),
                          attn__shape_str(a, sa, sizeof sa), trans_a ? "^T" : "", attn__shape_str(b, sb, sizeof sb),
                          trans_b ? "^T" : "");
    }
    /* BLIS needs a non-degenerate stride on axes of size 1 */
    if (rsa == 0) rsa = 1;
    if (csa == 0) csa = 1;
    if (rsb == 0) rsb = 1;
    if (csb == 0) csb = 1;
    int64_t rsc = out->stride[r0] ? out->stride[r0] : 1, csc = out->stride[r0 + 1] ? out->stride[r0 + 1] : 1;
    int ta, tb;
    int64_t lda, ldb;
    int fast = csc == 1 && as_row_major(rsa, csa, trans_a, &ta, &lda) && as_row_major(rsb, csb, trans_b, &tb, &ldb);
    for (int64_t i = 0; i < batch; i++) {
        const float *pa = attn__f32(a) + (rank == 3 ? i * a->stride[0] : 0);
        const float *pb = attn__f32(b) + (rank == 3 ? i * b->stride[0] : 0);
        float *pc = attn__f32(out) + (rank == 3 ? i * out->stride[0] : 0);
        if (fast)
            attn__gemm(out->ctx, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, rsc);
        else
            attn__sgemm(attn__kern(out->ctx), 1, trans_a, trans_b, m, n, k, alpha, pa, rsa, csa, pb, rsb, csb, beta, pc,
                        rsc, csc);
    }
    return attn__ok(out->ctx);
}
