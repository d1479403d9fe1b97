/* Multi-head self-attention as in BERT (Hugging Face's BertSelfAttention
 * followed by BertSelfOutput.dense, without its dropout/residual/LayerNorm).
 *
 * Legend: N rows (tokens of all sequences packed), H hidden, A heads,
 * D = H / A per head, L the length of one sequence.
 *   qkv [N, 3H] = x Wqkv^T + bqkv      one GEMM (the items add bqkv); Wqkv [3H, H] packs query,
 *                                      key and value (the public parameters
 *                                      are views into it and its gradient)
 *   per sequence b and head h (Q, K, V are strided views of qkv):
 *     S [L, L] = Q K^T / sqrt(D)
 *     P = softmax over the keys the mask keeps; a sequence with no key
 *         kept attends uniformly (HF's finfo.min mask gives exactly that)
 *     ctx[:, h] [L, D] = dropout(P) V
 *   y [N, H] = ctx Wo^T + bo
 * Forward keeps qkv, ctx and every P (sum over b of A L^2 floats) for
 * backward; the dropout mask is regenerated from the RNG counters. The
 * (sequence, head) items run on the context's threads, each with
 * single-threaded GEMMs; the big projections thread inside BLIS.
 *
 * Backward for a sequence with no key kept follows autograd through HF's
 * additive mask: P is uniform, so dS = (dP - mean(dP)) / L flows into Q
 * and K even though the output does not depend on them. */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "layers/fused.h"
#include "layers/layer.h"
#include "compute/compute.h"

enum { SEQ_ALL_KEYS = 0, SEQ_SOME_KEYS = 1, SEQ_NO_KEYS = 2 };

typedef struct {
    struct attn_layer base;
    int64_t hidden, dh;
    int32_t heads;
    float p, scale;
    attn_tensor *w_qkv, *b_qkv, *g_w_qkv, *g_b_qkv;   /* [3H, H], [3H] */
    attn_tensor *w_o, *b_o, *g_w_o, *g_b_o;           /* [H, H], [H] */
    /* the last forward */
    int64_t n, nseq, max_len;
    attn__layer_buf offs;       /* int64: row offsets [nseq+1], then probability offsets [nseq+1] */
    attn__layer_buf seq_mode;   /* uint8 [nseq]: SEQ_* */
    attn__layer_buf keep;       /* uint8 [N]: key may be attended */
    attn__layer_buf qkv;        /* [N, 3H] */
    attn__layer_buf ctxv;       /* [N, H] */
    attn__layer_buf probs;      /* per sequence, per head: P [L, L] */
    int32_t dropped;      /* dropout was applied to P */
    uint64_t seed, counter;
    /* scratch */
    float *dctx;                /* [N, H], during backward: in the context's work area */
    float *dqkv;                /* [N, 3H], the same */
    attn__layer_buf work;       /* per worker: 2 [max_len, max_len] + [D, max_len] */
} attention_layer;

static const char *const param_names[6] = {"self.query.weight", "self.query.bias", "self.key.weight",
                                           "self.key.bias",     "self.value.weight", "self.value.bias"};

attn_status attn_attention_create(attn_ctx *ctx, int64_t hidden, int32_t heads, float dropout_p, attn_layer **out)
{
    static const char fn[] = "attn_attention_create";
    if (!ctx) return ATTN_ERR_INVALID_ARG;
    if (!out) return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    *out = NULL;
    if (hidden < 1 || heads < 1 || hidden % heads != 0)
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: hidden (%lld) must be a positive multiple of heads (%d)", fn,
                          (long long)hidden, (int)heads);
    if (!(dropout_p >= 0.0f && dropout_p < 1.0f))
        return attn__fail(ctx, ATTN_ERR_INVALID_ARG, "%s: dropout_p must be in [0, 1), not %g", fn, (double)dropout_p);
    attn_layer *l;
    ATTN_CHECK(attn__layer_new(ctx, ATTN__LAYER_ATTENTION, sizeof(attention_layer), &l));
    attention_layer *a = (attention_layer *)l;
    a->hidden = hidden;
    a->heads = heads;
    a->dh = hidden / heads;
    a->p = dropout_p;
    a->scale = (float)(1.0 / sqrt((double)a->dh));
    attn__layer_buf *bufs[] = {&a->offs, &a->seq_mode, &a->keep, &a->qkv, &a->ctxv, &a->probs, &a->work};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) attn__layer_track_buf(l, bufs[i]);
    attn__layer_use_scratch(l);
    int64_t wq[2] = {3 * hidden, hidden}, bq[1] = {3 * hidden}, wo[2] = {hidden, hidden}, bo[1] = {hidden};
    attn_status st = attn__layer_add_tensor(l, 2, wq, &a->w_qkv);
    if (st == ATTN_OK) st = attn__layer_add_grad_tensor(l, 2, wq, &a->g_w_qkv);
    if (st == ATTN_OK) st = attn__layer_add_tensor(l, 1, bq, &a->b_qkv);
    if (st == ATTN_OK) st = attn__layer_add_grad_tensor(l, 1, bq, &a->g_b_qkv);
    for (int i = 0; i < 3 && st == ATTN_OK; i++) {
        st = attn__layer_add_param_view(l, param_names[2 * i], a->w_qkv, a->g_w_qkv, i * hidden, hidden);
        if (st == ATTN_OK)
            st = attn__layer_add_param_view(l, param_names[2 * i + 1], a->b_qkv, a->g_b_qkv, i * hidden, hidden);
    }
    if (st == ATTN_OK) st = attn__layer_add_param(l, "output.dense.weight", 2, wo, &a->w_o, &a->g_w_o);
    if (st == ATTN_OK) st = attn__layer_add_param(l, "output.dense.bias", 1, bo, &a->b_o, &a->g_b_o);
    if (st != ATTN_OK) {
        attn_layer_destroy(l);
        return st;
    }
    *out = l;
    return attn__ok(ctx);
}

static int64_t int_at(const attn_tensor *t, int64_t i)
{
    const void *p = (const char *)t->storage->data + (size_t)t->offset * attn_dtype_size(t->dtype);
    return t->dtype == ATTN_I32 ? ((const int32_t *)p)[i] : ((const int64_t *)p)[i];
}

static attn_status check_index_tensor(attn_ctx *ctx, const char *fn, const attn_tensor *t, const char *what)
{
    if (t->dtype != ATTN_I32 && t->dtype != ATTN_I64)
        return attn__fail(ctx, ATTN_ERR_DTYPE, "%s: %s must be int32 or int64 (dtype %d)", fn, what, (int)t->dtype);
    if (!attn_tensor_is_contiguous(t))
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: %s must be contiguous (copy the view first)", fn, what);
    return ATTN_OK;
}

/* Validates the sequence layout and the mask, then records them (row and
 * probability offsets, per-sequence mask mode, kept keys). */
static attn_status set_sequences(attention_layer *a, const char *fn, const attn_tensor *x, int64_t n,
                                 const attn_tensor *seq_offsets, const attn_tensor *key_mask)
{
    attn_ctx *ctx = a->base.ctx;
    int64_t nseq, uniform_len = 0;
    if (seq_offsets) {
        ATTN_CHECK(check_index_tensor(ctx, fn, seq_offsets, "seq_offsets"));
        int64_t m = attn_tensor_numel(seq_offsets);
        if (m < 1) return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: seq_offsets needs B+1 >= 1 entries", fn);
        nseq = m - 1;
        if (int_at(seq_offsets, 0) != 0)
            return attn__fail(ctx, ATTN_ERR_RANGE, "%s: seq_offsets[0] is %lld, must be 0", fn,
                              (long long)int_at(seq_offsets, 0));
        for (int64_t b = 0; b < nseq; b++)
            if (int_at(seq_offsets, b + 1) < int_at(seq_offsets, b))
                return attn__fail(ctx, ATTN_ERR_RANGE, "%s: seq_offsets decrease at position %lld (%lld after %lld)", fn,
                                  (long long)(b + 1), (long long)int_at(seq_offsets, b + 1),
                                  (long long)int_at(seq_offsets, b));
        if (int_at(seq_offsets, nseq) != n)
            return attn__fail(ctx, ATTN_ERR_RANGE, "%s: seq_offsets end at %lld but x has %lld rows", fn,
                              (long long)int_at(seq_offsets, nseq), (long long)n);
    } else if (x->rank == 3) {
        nseq = x->shape[0];              /* [B, T, H]: B sequences of T */
        uniform_len = x->shape[1];
    } else {
        nseq = n > 0 ? 1 : 0;
        uniform_len = n;
    }
    if (key_mask) {
        ATTN_CHECK(check_index_tensor(ctx, fn, key_mask, "key_mask"));
        if (attn_tensor_numel(key_mask) != n) {
            char sm[96], sx[96];
            return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: key_mask %s must hold one entry per row of x %s (%lld)", fn,
                              attn__shape_str(key_mask, sm, sizeof sm), attn__shape_str(x, sx, sizeof sx), (long long)n);
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t v = int_at(key_mask, i);
            if (v != 0 && v != 1)
                return attn__fail(ctx, ATTN_ERR_RANGE, "%s: key_mask[%lld] is %lld, must be 0 or 1", fn, (long long)i,
                                  (long long)v);
        }
    }
    /* sized by the rows too, so a new split of the same rows finds room */
    size_t seq_cap = (size_t)(nseq > n ? nseq : n) + 1;
    ATTN_CHECK(attn__layer_buf_reserve(ctx, &a->offs, seq_cap * 2, sizeof(int64_t), fn));
    ATTN_CHECK(attn__layer_buf_reserve(ctx, &a->seq_mode, seq_cap, 1, fn));
    ATTN_CHECK(attn__layer_buf_reserve(ctx, &a->keep, (size_t)n, 1, fn));
    int64_t *rows = a->offs.p, *poff = rows + nseq + 1;
    uint8_t *mode = a->seq_mode.p, *keep = a->keep.p;
    int64_t max_len = 0;
    rows[0] = 0;
    poff[0] = 0;
    for (int64_t b = 0; b < nseq; b++) {
        rows[b + 1] = seq_offsets ? int_at(seq_offsets, b + 1) : (b + 1) * uniform_len;
        int64_t len = rows[b + 1] - rows[b];
        if (len > max_len) max_len = len;
        /* sizes stay below 2^62 floats or the allocation below fails first */
        double total = (double)poff[b] + (double)a->heads * (double)len * (double)len;
        if (total > 4.0e18)
            return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: attention probabilities for %lld rows overflow", fn,
                              (long long)n);
        poff[b + 1] = poff[b] + (int64_t)a->heads * len * len;
    }
    for (int64_t b = 0; b < nseq; b++) {
        int64_t kept = rows[b + 1] - rows[b];
        if (key_mask) {
            kept = 0;
            for (int64_t i = rows[b]; i < rows[b + 1]; i++) {
                keep[i] = (uint8_t)int_at(key_mask, i);
                kept += keep[i];
            }
        }
        mode[b] = kept == rows[b + 1] - rows[b] ? SEQ_ALL_KEYS : kept == 0 ? SEQ_NO_KEYS : SEQ_SOME_KEYS;
    }
    a->nseq = nseq;
    a->max_len = max_len;
    return ATTN_OK;
}

typedef struct {
    attention_layer *a;
    int split;                  /* 1: items run one at a time, their GEMMs split over the threads */
    atomic_llong next;
    int64_t items;
} item_job;

/* One per-head product C = alpha op(A) op(B) (row-major operands): over the
 * context's threads when the items run one at a time, else on this worker. */
static void head_gemm(const attention_layer *a, int split, int ta, int tb, int64_t m, int64_t n, int64_t k,
                      float alpha, const float *pa, int64_t lda, const float *pb, int64_t ldb, float *c, int64_t ldc)
{
    const attn_ctx *ctx = a->base.ctx;
    if (split) attn__gemm(ctx, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, 0.0f, c, ldc);
    else attn__sgemm_rm(attn__kern(ctx), 1, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, 0.0f, c, ldc);
}

/* One (sequence, head) of the forward: scores, softmax, dropout, P V. */
static void forward_item(attention_layer *a, int split, int64_t item, float *work)
{
    const attn__kernels *kern = attn__kern(a->base.ctx);
    int64_t b = item / a->heads, h = item % a->heads;
    const int64_t *rows = a->offs.p, *poff = rows + a->nseq + 1;
    int64_t s = rows[b], len = rows[b + 1] - s, H = a->hidden, D = a->dh, ld = 3 * H;
    if (len == 0) return;
    float *qw = (float *)a->qkv.p + s * ld + h * D;
    const float *q = qw, *k = q + H, *v = q + 2 * H;
    float *p = (float *)a->probs.p + poff[b] + h * len * len;
    uint64_t counter = a->counter + (uint64_t)(poff[b] + h * len * len);
    /* the Q/K/V bias of this head's columns, added here where the rows are
     * about to be read (the projection GEMM left it out): each item owns
     * its block of qkv, and backward reads the biased values */
    const float *bias = attn__f32(a->b_qkv) + h * D;
    for (int part = 0; part < 3; part++) kern->bias_add_rows(qw + part * H, ld, len, bias + part * H, D);
    /* S = Q K^T / sqrt(D) as Q (K^T): with K transposed once, every score
     * row is a sum of rows of K^T (the axpy kernel, about twice as fast as
     * dot products over D at these sizes) */
    float *kt = work + 2 * a->max_len * a->max_len;
    kern->transpose(len, D, k, ld, kt, len);
    kern->sgemm_small_axpy(len, len, D, a->scale, q, ld, 1, kt, len, 0.0f, p, len);
    uint8_t mode = ((const uint8_t *)a->seq_mode.p)[b];
    const uint8_t *keep = mode == SEQ_SOME_KEYS ? (const uint8_t *)a->keep.p + s : NULL;
    for (int64_t i = 0; i < len; i++) {
        float *row = p + i * len;
        if (mode == SEQ_NO_KEYS)
            for (int64_t j = 0; j < len; j++) row[j] = 1.0f / (float)len;
        else
            kern->softmax_keep_row(row, keep, len);
    }
    const float *pv = p;
    if (a->dropped) {
        float scale = 1.0f / (1.0f - a->p);
        for (int64_t i = 0; i < len; i++)
            kern->dropout_row(work + i * len, p + i * len, len, a->seed, counter + (uint64_t)(i * len), a->p, scale);
        pv = work;
    }
    float *c = (float *)a->ctxv.p + s * H + h * D;
    head_gemm(a, split, 0, 0, len, D, len, 1.0f, pv, len, v, ld, c, H);
}

/* One (sequence, head) of the backward: dV, dP, softmax gradient, dQ, dK. */
static void backward_item(attention_layer *a, int split, int64_t item, float *work)
{
    const attn__kernels *kern = attn__kern(a->base.ctx);
    int64_t b = item / a->heads, h = item % a->heads;
    const int64_t *rows = a->offs.p, *poff = rows + a->nseq + 1;
    int64_t s = rows[b], len = rows[b + 1] - s, H = a->hidden, D = a->dh, ld = 3 * H;
    if (len == 0) return;
    const float *q = (const float *)a->qkv.p + s * ld + h * D, *k = q + H, *v = q + 2 * H;
    const float *p = (const float *)a->probs.p + poff[b] + h * len * len;
    const float *dc = a->dctx + s * H + h * D;
    float *dq = a->dqkv + s * ld + h * D, *dk = dq + H, *dv = dq + 2 * H;
    float *dp = work, *pd = work + a->max_len * a->max_len;
    uint64_t counter = a->counter + (uint64_t)(poff[b] + h * len * len);
    float scale = a->dropped ? 1.0f / (1.0f - a->p) : 1.0f;
    const float *pv = p;
    if (a->dropped) {
        for (int64_t i = 0; i < len; i++)
            kern->dropout_row(pd + i * len, p + i * len, len, a->seed, counter + (uint64_t)(i * len), a->p, scale);
        pv = pd;
    }
    /* dV = dropout(P)^T dC */
    head_gemm(a, split, 1, 0, len, D, len, 1.0f, pv, len, dc, H, dv, ld);
    /* dP = dC V^T (as dC (V^T), see forward_item), back through the dropout
     * mask, then the softmax */
    float *vt = work + 2 * a->max_len * a->max_len;
    kern->transpose(len, D, v, ld, vt, len);
    kern->sgemm_small_axpy(len, len, D, 1.0f, dc, H, 1, vt, len, 0.0f, dp, len);
    for (int64_t i = 0; i < len; i++) {
        if (a->dropped)
            kern->dropout_row_backward(dp + i * len, dp + i * len, len, a->seed, counter + (uint64_t)(i * len), a->p,
                                       scale, 0);
        kern->softmax_grad_row(dp + i * len, p + i * len, len);
    }
    /* dQ = dS K / sqrt(D), dK = dS^T Q / sqrt(D) */
    head_gemm(a, split, 0, 0, len, D, len, a->scale, dp, len, k, ld, dq, ld);
    head_gemm(a, split, 1, 0, len, D, len, a->scale, dp, len, q, ld, dk, ld);
}

typedef struct {
    item_job job;
    int backward;
} run_job;

/* Floats of scratch per worker: two [L, L] (dropout copy, dP) and one
 * [D, L] (K or V transposed). */
static int64_t work_per_worker(const attention_layer *a)
{
    return 2 * a->max_len * a->max_len + a->dh * a->max_len;
}

static void run_items(void *arg, int32_t worker, int32_t workers)
{
    run_job *r = arg;
    attention_layer *a = r->job.a;
    float *work = (float *)a->work.p + (int64_t)worker * work_per_worker(a);
    /* items are taken one at a time: sequences of different lengths balance out */
    for (;;) {
        int64_t item = atomic_fetch_add(&r->job.next, 1);
        if (item >= r->job.items) break;
        if (r->backward) backward_item(a, r->job.split, item, work);
        else forward_item(a, r->job.split, item, work);
    }
}

/* Runs every (sequence, head) item; reserves the per-worker scratch. */
static attn_status run_all_items(attention_layer *a, const char *fn, int backward)
{
    attn_ctx *ctx = a->base.ctx;
    int64_t items = a->nseq * a->heads;
    if (items == 0) return ATTN_OK;
    int64_t total = ((const int64_t *)a->offs.p)[2 * (a->nseq + 1) - 1];
    /* an item is about 4 len^2 D flops: in the units of attn__parallel_for
     * (a float touched, some 0.3 ns) that is len^2 D / 8 */
    int32_t workers = attn__parallel_workers(ctx, items, total / items * a->dh / 8);
    size_t per = (size_t)work_per_worker(a);
    ATTN_CHECK(attn__layer_buf_reserve(ctx, &a->work, per * (size_t)workers, sizeof(float), fn));
    run_job r;
    r.job.a = a;
    r.job.split = workers == 1;
    atomic_init(&r.job.next, 0);
    r.job.items = items;
    r.backward = backward;
    attn__parallel_run(ctx, workers, run_items, &r);
    return ATTN_OK;
}

attn_status attn_attention_forward(attn_layer *layer, const attn_tensor *x, const attn_tensor *seq_offsets,
                                   const attn_tensor *key_mask, attn_tensor *y)
{
    return attn__attention_forward_ex(layer, x, seq_offsets, key_mask, y, 1);
}

const float *attn__attention_output_bias(const attn_layer *layer)
{
    return attn__f32(((const attention_layer *)layer)->b_o);
}

static attn_status forward_rows(attention_layer *a, const char *fn, const attn_tensor *x, int64_t ldx, attn_tensor *y,
                                int64_t ldy, int64_t n, int64_t total, int output_bias);

attn_status attn__attention_forward_ex(attn_layer *layer, const attn_tensor *x, const attn_tensor *seq_offsets,
                                       const attn_tensor *key_mask, attn_tensor *y, int output_bias)
{
    static const char fn[] = "attn_attention_forward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_ATTENTION, fn));
    attention_layer *a = (attention_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    layer->ready = 0;
    int64_t n, ldx, ny, ldy, H = a->hidden;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", H, &n, &ldx));
    ATTN_CHECK(attn__layer_rows(ctx, y, fn, "y", H, &ny, &ldy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, y, "y", ny));
    ATTN_CHECK(attn__layer_no_overlap(ctx, fn, y, "y", n, ldy, H, x, "x", n, ldx, H));
    ATTN_CHECK(set_sequences(a, fn, x, n, seq_offsets, key_mask));
    int64_t total = ((const int64_t *)a->offs.p)[2 * (a->nseq + 1) - 1];
    /* total <= A * N * max_len: reserving that bound keeps any split of the
     * same rows with no longer sequence from allocating again */
    size_t cap;
    if (!attn__mul_size((size_t)a->heads * (size_t)a->max_len, (size_t)n, &cap) || n > INT64_MAX / 4 / H)
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: attention buffers for %lld rows overflow", fn, (long long)n);
    size_t nqkv = (size_t)n * 3 * (size_t)H, nctx = (size_t)n * (size_t)H;
    if (!layer->drop_activations) {
        ATTN_CHECK(attn__layer_buf_reserve(ctx, &a->qkv, nqkv, sizeof(float), fn));
        ATTN_CHECK(attn__layer_buf_reserve(ctx, &a->ctxv, nctx, sizeof(float), fn));
        ATTN_CHECK(attn__layer_buf_reserve(ctx, &a->probs, cap, sizeof(float), fn));
        return forward_rows(a, fn, x, ldx, y, ldy, n, total, output_bias);
    }
    /* nothing kept: Q/K/V, context and probabilities live in the context's
     * shared area for the length of the call, so a model's layers share them */
    size_t floats = nqkv + nctx; /* 4 n H: no wrap, by the check above */
    if (floats > SIZE_MAX / sizeof(float) || cap > SIZE_MAX / sizeof(float) - floats)
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: attention buffers for %lld rows overflow", fn, (long long)n);
    floats += cap;
    float *area = attn__scratch(ctx, floats * sizeof(float));
    if (!area) return ATTN_ERR_NOMEM;
    attn__layer_buf kept[3] = {a->qkv, a->ctxv, a->probs};
    a->qkv = (attn__layer_buf){area, nqkv * sizeof(float)};
    a->ctxv = (attn__layer_buf){area + nqkv, nctx * sizeof(float)};
    a->probs = (attn__layer_buf){area + nqkv + nctx, cap * sizeof(float)};
    attn_status st = forward_rows(a, fn, x, ldx, y, ldy, n, total, output_bias);
    a->qkv = kept[0], a->ctxv = kept[1], a->probs = kept[2];
    layer->ready = 0; /* backward has nothing to work from */
    return st;
}

/* The projections and attention proper, into the buffers a->qkv, a->ctxv and a->probs. */
static attn_status forward_rows(attention_layer *a, const char *fn, const attn_tensor *x, int64_t ldx, attn_tensor *y,
                                int64_t ldy, int64_t n, int64_t total, int output_bias)
{
    attn_layer *layer = &a->base;
    attn_ctx *ctx = layer->ctx;
    int64_t H = a->hidden;
    a->n = n;
    a->dropped = layer->training && a->p > 0.0f;
    if (a->dropped) {
        a->seed = ctx->seed;
        a->counter = attn__rng_reserve(ctx, (uint64_t)total);
    }
    /* the items add the Q/K/V bias to their own block (see forward_item) */
    attn__gemm(ctx, 0, 1, n, 3 * H, H, 1.0f, attn__f32(x), ldx, attn__f32(a->w_qkv), H, 0.0f, a->qkv.p, 3 * H);
    ATTN_CHECK(run_all_items(a, fn, 0));
    float *py = attn__f32(y);
    if (output_bias) attn__bias_fill_rows(py, ldy, n, attn__f32(a->b_o), H);
    attn__gemm(ctx, 0, 1, n, H, H, 1.0f, a->ctxv.p, H, attn__f32(a->w_o), H, output_bias ? 1.0f : 0.0f, py, ldy);
    layer->ready = 1;
    return attn__ok(ctx);
}

attn_status attn_attention_backward(attn_layer *layer, const attn_tensor *x, const attn_tensor *dy, attn_tensor *dx)
{
    static const char fn[] = "attn_attention_backward";
    ATTN_CHECK(attn__layer_check(layer, ATTN__LAYER_ATTENTION, fn));
    attention_layer *a = (attention_layer *)layer;
    attn_ctx *ctx = layer->ctx;
    if (!layer->ready)
        return attn__fail(ctx, ATTN_ERR_STATE, layer->drop_activations ? "%s: the layer is set for inference only"
                                                                          : "%s: call attn_attention_forward first", fn);
    ATTN_CHECK(attn__layer_grads(layer));
    int64_t n, ldx, ndy, lddy, ndx, lddx = 0, H = a->hidden;
    ATTN_CHECK(attn__layer_rows(ctx, x, fn, "x", H, &n, &ldx));
    if (n != a->n) {
        char s[96];
        return attn__fail(ctx, ATTN_ERR_SHAPE, "%s: x %s has %lld rows but the forward saw %lld", fn,
                          attn__shape_str(x, s, sizeof s), (long long)n, (long long)a->n);
    }
    ATTN_CHECK(attn__layer_rows(ctx, dy, fn, "dy", H, &ndy, &lddy));
    ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, dy, "dy", ndy));
    if (dx) {
        ATTN_CHECK(attn__layer_rows(ctx, dx, fn, "dx", H, &ndx, &lddx));
        ATTN_CHECK(attn__layer_same_rows(ctx, fn, x, "x", n, dx, "dx", ndx));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", n, lddx, H, dy, "dy", n, lddy, H));
        ATTN_CHECK(attn__layer_no_overlap(ctx, fn, dx, "dx", n, lddx, H, x, "x", n, ldx, H));
    }
    size_t work;
    if (!attn__mul_size((size_t)n * 4, (size_t)H * sizeof(float), &work))
        return attn__fail(ctx, ATTN_ERR_OVERFLOW, "%s: gradients of %lld rows overflow", fn, (long long)n);
    float *dctx = attn__scratch(ctx, work), *dqkv = dctx + n * H;
    if (!dctx) return ATTN_ERR_NOMEM;
    a->dctx = dctx;
    a->dqkv = dqkv;
    const float *pdy = attn__f32(dy);
    /* output projection */
    attn__gemm(ctx, 1, 0, H, H, n, 1.0f, pdy, lddy, a->ctxv.p, H, 1.0f, attn__f32(a->g_w_o), H);
    attn__colsum_add_parallel(ctx, attn__f32(a->g_b_o), pdy, n, lddy, H);
    attn__gemm(ctx, 0, 0, n, H, H, 1.0f, pdy, lddy, attn__f32(a->w_o), H, 0.0f, dctx, H);
    /* every row belongs to one non-empty sequence, so the items write all of dqkv */
    ATTN_CHECK(run_all_items(a, fn, 1));
    /* packed Q/K/V projection */
    attn__gemm(ctx, 1, 0, 3 * H, H, n, 1.0f, dqkv, 3 * H, attn__f32(x), ldx, 1.0f, attn__f32(a->g_w_qkv), H);
    attn__colsum_add_parallel(ctx, attn__f32(a->g_b_qkv), dqkv, n, 3 * H, 3 * H);
    if (dx) attn__gemm(ctx, 0, 0, n, H, 3 * H, 1.0f, dqkv, 3 * H, attn__f32(a->w_qkv), H, 1.0f, attn__f32(dx), lddx);
    return attn__ok(ctx);
}
