/* BERT backward: loss by problem type, then the chain in reverse —
 * classifier, pooler, encoder blocks, embeddings. Every parameter gradient
 * accumulates; the [N, H] gradient buffers are reused across blocks. */
#include <math.h>
#include <string.h>

#include "model/bert_internal.h"

static const char inference_only_msg[] =
    "the model is set for inference only (ATTN_MODEL_OPT_INFERENCE_ONLY = 1): its forward keeps nothing for backward";

static attn_status ensure_grads(attn_model *m)
{
    attn_ctx *ctx = m->ctx;
    int64_t N = m->N, H = m->cfg.hidden_size, B = m->B;
    ATTN_CHECK(attn__model_buffer(ctx, &m->dA, ATTN_F32, N, H));
    ATTN_CHECK(attn__model_buffer(ctx, &m->dB, ATTN_F32, N, H));
    ATTN_CHECK(attn__model_buffer(ctx, &m->dS, ATTN_F32, N, H));
    attn_tensor **bh[] = {&m->d_pooled_drop, &m->d_pooled, &m->d_pool_pre, &m->d_cls};
    for (size_t i = 0; i < sizeof bh / sizeof bh[0]; i++) ATTN_CHECK(attn__model_buffer(ctx, bh[i], ATTN_F32, B, H));
    if (m->classifier) ATTN_CHECK(attn__model_buffer(ctx, &m->d_logits, ATTN_F32, B, m->cfg.num_labels));
    return ATTN_OK;
}

/* post-LN block; on entry dA = d(out), on return dA = d(in) */
static attn_status block_backward_post(attn_model *m, bert_block *b, const attn_tensor *in)
{
    ATTN_CHECK(attn_tensor_fill(m->dB, 0.0));
    ATTN_CHECK(attn_layernorm_backward(b->ln2, b->res2, m->dA, m->dB));      /* dB = d res2 = d norm2 (residual) */
    ATTN_CHECK(attn_tensor_fill(m->dS, 0.0));
    ATTN_CHECK(attn_dropout_backward(b->drop2, m->dB, m->dS));              /* dS = d ffn_out */
    ATTN_CHECK(attn_ffn_backward(b->ffn, b->norm2, m->dS, m->dB));          /* dB = d norm2 */
    ATTN_CHECK(attn_tensor_fill(m->dA, 0.0));
    ATTN_CHECK(attn_layernorm_backward(b->ln1, b->res1, m->dB, m->dA));      /* dA = d res1 = d in (residual) */
    ATTN_CHECK(attn_tensor_fill(m->dS, 0.0));
    ATTN_CHECK(attn_dropout_backward(b->drop1, m->dA, m->dS));              /* dS = d attn_out */
    return attn_attention_backward(b->attn, in, m->dS, m->dA);              /* dA = d in */
}

/* pre-LN block; on entry dA = d(out), on return dA = d(in) */
static attn_status block_backward_pre(attn_model *m, bert_block *b, const attn_tensor *in)
{
    ATTN_CHECK(attn_tensor_fill(m->dS, 0.0));
    ATTN_CHECK(attn_dropout_backward(b->drop2, m->dA, m->dS));              /* dS = d ffn_out */
    ATTN_CHECK(attn_tensor_fill(m->dB, 0.0));
    ATTN_CHECK(attn_ffn_backward(b->ffn, b->norm2, m->dS, m->dB));          /* dB = d norm2 */
    ATTN_CHECK(attn_layernorm_backward(b->ln2, b->res1, m->dB, m->dA));      /* dA = d res1 */
    ATTN_CHECK(attn_tensor_fill(m->dS, 0.0));
    ATTN_CHECK(attn_dropout_backward(b->drop1, m->dA, m->dS));              /* dS = d attn_out */
    ATTN_CHECK(attn_tensor_fill(m->dB, 0.0));
    ATTN_CHECK(attn_attention_backward(b->attn, b->norm1, m->dS, m->dB));   /* dB = d norm1 */
    return attn_layernorm_backward(b->ln1, in, m->dB, m->dA);               /* dA = d in */
}

attn_status attn__model_backward_encoder(attn_model *m)
{
    if (m->final_ln) {
        /* dA holds d(final_out); move it through the final LayerNorm */
        ATTN_CHECK(attn_tensor_copy(m->dS, m->dA));
        ATTN_CHECK(attn_tensor_fill(m->dA, 0.0));
        attn_tensor *last = m->cfg.num_layers > 0 ? m->blocks[m->cfg.num_layers - 1].out : m->x0;
        ATTN_CHECK(attn_layernorm_backward(m->final_ln, last, m->dS, m->dA));
    }
    for (int32_t l = m->cfg.num_layers - 1; l >= 0; l--) {
        const attn_tensor *in = l > 0 ? m->blocks[l - 1].out : m->x0;
        if (m->cfg.norm_position == ATTN_NORM_POST) ATTN_CHECK(block_backward_post(m, &m->blocks[l], in));
        else ATTN_CHECK(block_backward_pre(m, &m->blocks[l], in));
    }
    if (m->freeze == ATTN_FREEZE_EMBEDDINGS) return ATTN_OK; /* nothing below trains */
    /* embeddings: dropout, LayerNorm, then the three tables share one gradient */
    ATTN_CHECK(attn_tensor_fill(m->dS, 0.0));
    ATTN_CHECK(attn_dropout_backward(m->emb_drop, m->dA, m->dS));
    ATTN_CHECK(attn_tensor_fill(m->dB, 0.0));
    ATTN_CHECK(attn_layernorm_backward(m->emb_ln, m->emb_sum, m->dS, m->dB));
    ATTN_CHECK(attn_embedding_backward(m->word_emb, m->row_ids, m->dB));
    ATTN_CHECK(attn_embedding_backward(m->pos_emb, m->row_pos, m->dB));
    return attn_embedding_backward(m->type_emb, m->row_types, m->dB);
}

/* d_pooled [B, H] -> dA [N, H] through the pooler, if any, and the pooling */
static attn_status pool_backward(attn_model *m)
{
    const attn_tensor *d_cls = m->d_pooled;
    if (m->cfg.pooling == ATTN_POOL_CLS_DENSE) {
        ATTN_CHECK(attn_tensor_fill(m->d_pool_pre, 0.0));
        ATTN_CHECK(attn_activation_backward(ATTN_ACT_TANH, m->d_pool_pre, m->pool_pre, m->d_pooled));
        ATTN_CHECK(attn_tensor_fill(m->d_cls, 0.0));
        ATTN_CHECK(attn_linear_backward(m->pooler, m->cls, m->d_pool_pre, m->d_cls));
        d_cls = m->d_cls;
    }
    return attn__model_pool_backward(m, d_cls, m->dA);
}

static attn_status backward_from_pooled(attn_model *m)
{
    /* a frozen encoder (pooler included) ends the chain at the head */
    if (m->freeze != ATTN_FREEZE_ENCODER) {
        ATTN_CHECK(pool_backward(m));
        ATTN_CHECK(attn__model_backward_encoder(m));
    }
    m->have_forward = 0; /* layers' saved state is consumed */
    return attn__ok(m->ctx);
}

static attn_status backward_from_logits(attn_model *m)
{
    ATTN_CHECK(attn_tensor_fill(m->d_pooled_drop, 0.0));
    ATTN_CHECK(attn_linear_backward(m->classifier, m->pooled_drop, m->d_logits, m->d_pooled_drop));
    ATTN_CHECK(attn_tensor_fill(m->d_pooled, 0.0));
    ATTN_CHECK(attn_dropout_backward(m->cls_drop, m->d_pooled_drop, m->d_pooled));
    return backward_from_pooled(m);
}

/* The loss's target: labels as given, or regression labels reshaped to [B, 1]. */
static attn_status loss_target(attn_model *m, const attn_tensor *labels, const attn_tensor **target)
{
    if (!m->classifier)
        return attn__fail(m->ctx, ATTN_ERR_STATE, "the model has no classifier head (num_labels = 0)");
    if (!m->have_output) return attn__fail(m->ctx, ATTN_ERR_STATE, "loss before a forward pass");
    if (!labels) return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG, "labels is NULL");
    *target = labels;
    if (m->cfg.problem_type == ATTN_PROBLEM_REGRESSION) {
        if (labels->dtype != ATTN_F32 || attn_tensor_numel(labels) != m->B)
            return attn__fail(m->ctx, ATTN_ERR_SHAPE, "regression labels must be float32 with %lld values", (long long)m->B);
        ATTN_CHECK(attn__model_buffer(m->ctx, &m->label_buf, ATTN_F32, m->B, 1));
        ATTN_CHECK(attn_tensor_read(labels, ATTN_F32, attn_tensor_data(m->label_buf), (size_t)m->B * sizeof(float)));
        *target = m->label_buf;
    }
    return ATTN_OK;
}

/* A non-finite loss input usually comes from a non-finite parameter: name it. */
static attn_status explain_numeric(attn_model *m, attn_status st)
{
    if (st != ATTN_ERR_NUMERIC) return st;
    for (int32_t i = 0; i < m->nparams; i++) {
        const float *v = attn_tensor_data_f32(m->params[i].value);
        int64_t n = attn_tensor_numel(m->params[i].value);
        for (int64_t k = 0; k < n; k++)
            if (!isfinite(v[k]))
                return attn__fail(m->ctx, ATTN_ERR_NUMERIC, "parameter %s holds %s at element %lld (the loss became non-finite)",
                                  m->params[i].name, isnan(v[k]) ? "NaN" : "Inf", (long long)k);
    }
    return st;
}

attn_status attn_model_loss(attn_model *m, const attn_tensor *labels, float *loss)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    const attn_tensor *target = NULL;
    ATTN_CHECK(loss_target(m, labels, &target));
    double v;
    ATTN_CHECK(explain_numeric(m, attn_loss_forward(m->loss, m->logits, target, &v, NULL)));
    if (loss) *loss = (float)v;
    return attn__ok(m->ctx);
}

attn_status attn_model_loss_backward(attn_model *m, const attn_tensor *labels, float *loss)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    const attn_tensor *target = NULL;
    ATTN_CHECK(loss_target(m, labels, &target));
    if (m->inference_only) return attn__fail(m->ctx, ATTN_ERR_STATE, "%s", inference_only_msg);
    if (!m->have_forward)
        return attn__fail(m->ctx, ATTN_ERR_STATE, "backward needs a new forward pass (the last one was already used)");
    double v;
    ATTN_CHECK(explain_numeric(m, attn_loss_forward(m->loss, m->logits, target, &v, NULL)));
    ATTN_CHECK(ensure_grads(m));
    ATTN_CHECK(attn_tensor_fill(m->d_logits, 0.0));
    ATTN_CHECK(attn_loss_backward(m->loss, m->logits, target, 1.0f, NULL, m->d_logits));
    ATTN_CHECK(backward_from_logits(m));
    if (loss) *loss = (float)v;
    return ATTN_OK;
}

attn_status attn_model_backward(attn_model *m, const attn_tensor *grad_output)
{
    if (!m || !grad_output) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_model_backward: NULL argument");
    if (m->inference_only) return attn__fail(m->ctx, ATTN_ERR_STATE, "%s", inference_only_msg);
    if (!m->have_forward) return attn__fail(m->ctx, ATTN_ERR_STATE, "attn_model_backward before a forward pass");
    ATTN_CHECK(ensure_grads(m));
    if (m->classifier) {
        ATTN_CHECK(attn__check_same_shape(grad_output, m->logits, "attn_model_backward: grad_output", "logits"));
        ATTN_CHECK(attn_tensor_copy(m->d_logits, grad_output));
        return backward_from_logits(m);
    }
    ATTN_CHECK(attn__check_same_shape(grad_output, m->pooled, "attn_model_backward: grad_output", "pooled output"));
    ATTN_CHECK(attn_tensor_copy(m->d_pooled, grad_output));
    return backward_from_pooled(m);
}
