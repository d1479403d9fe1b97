/* Hands the model's parameters to an optimizer: which of them train
 * (ATTN_MODEL_OPT_FREEZE), the usual weight-decay split (no decay on biases
 * and LayerNorm weights), and the per-depth groups of layer-wise
 * learning-rate decay. The backward pass asks the same questions here, so
 * "what is frozen" has one answer. */
#include <math.h>
#include <string.h>

#include "model/bert_internal.h"

static int no_decay(const char *name)
{
    size_t n = strlen(name);
    return (n >= 4 && strcmp(name + n - 4, "bias") == 0) || strstr(name, "LayerNorm.") != NULL ||
           strstr(name, "layer_norm.") != NULL;
}

/* 0 embeddings, l + 1 encoder block l, L + 1 everything above the blocks;
 * read from the names the builder gives (bert_build.c). */
static int32_t depth_of(const attn_model *m, const char *name)
{
    static const char block[] = "bert.encoder.layer.";
    if (strncmp(name, "bert.embeddings.", 16) == 0) return 0;
    if (strncmp(name, block, sizeof block - 1) == 0) {
        int32_t l = 0;
        for (const char *c = name + sizeof block - 1; *c >= '0' && *c <= '9'; c++) l = l * 10 + (*c - '0');
        return l + 1;
    }
    return m->cfg.num_layers + 1;
}

int attn__model_param_frozen(const attn_model *m, int32_t i)
{
    const char *name = m->params[i].name;
    if (m->freeze == ATTN_FREEZE_ENCODER) return strncmp(name, "classifier.", 11) != 0;
    if (m->freeze == ATTN_FREEZE_EMBEDDINGS) return depth_of(m, name) == 0;
    return 0;
}

attn_status attn_model_param_depth(const attn_model *m, int32_t i, int32_t *depth, int32_t *frozen)
{
    if (!m) return ATTN_ERR_INVALID_ARG;
    if (i < 0 || i >= m->nparams)
        return attn__fail(m->ctx, ATTN_ERR_RANGE, "attn_model_param_depth: index %d outside [0, %d)", (int)i,
                          (int)m->nparams);
    if (depth) *depth = depth_of(m, m->params[i].name);
    if (frozen) *frozen = attn__model_param_frozen(m, i);
    return attn__ok(m->ctx);
}

static attn_status add_param(attn_model *m, attn_optim *opt, int32_t i, int32_t group)
{
    bert_param *p = &m->params[i];
    ATTN_CHECK(attn__model_grad_memory(m, i)); /* the optimizer reads it from the first step */
    return attn_optim_add_param(opt, group, p->name, p->value, p->grad);
}

attn_status attn_model_add_to_optim(attn_model *m, attn_optim *opt, int32_t decay_group, int32_t no_decay_group)
{
    if (!m || !opt) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_model_add_to_optim: NULL argument");
    for (int32_t i = 0; i < m->nparams; i++)
        if (!attn__model_param_frozen(m, i))
            ATTN_CHECK(add_param(m, opt, i, no_decay(m->params[i].name) ? no_decay_group : decay_group));
    return attn__ok(m->ctx);
}

attn_status attn_model_add_to_optim_layerwise(attn_model *m, attn_optim *opt, double weight_decay, double layer_lr_decay)
{
    if (!m || !opt)
        return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_model_add_to_optim_layerwise: NULL argument");
    if (!(weight_decay >= 0.0) || !isfinite(weight_decay))
        return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG, "attn_model_add_to_optim_layerwise: weight_decay %g must be >= 0",
                          weight_decay);
    if (!(layer_lr_decay > 0.0 && layer_lr_decay <= 1.0))
        return attn__fail(m->ctx, ATTN_ERR_INVALID_ARG,
                          "attn_model_add_to_optim_layerwise: layer_lr_decay %g must be in (0, 1]", layer_lr_decay);
    int32_t top = m->cfg.num_layers + 1;
    /* one depth at a time, so each group is created when its first parameter needs it */
    for (int32_t d = 0; d <= top; d++) {
        int32_t groups[2] = {-1, -1}; /* decay, no decay */
        double scale = pow(layer_lr_decay, (double)(top - d));
        for (int32_t i = 0; i < m->nparams; i++) {
            if (attn__model_param_frozen(m, i) || depth_of(m, m->params[i].name) != d) continue;
            int32_t k = no_decay(m->params[i].name);
            if (groups[k] < 0) ATTN_CHECK(attn_optim_add_group(opt, scale, k ? 0.0 : weight_decay, &groups[k]));
            ATTN_CHECK(add_param(m, opt, i, groups[k]));
        }
    }
    return attn__ok(m->ctx);
}
