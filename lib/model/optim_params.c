/* Hands the model's parameters to an optimizer with the usual weight-decay
 * split (no decay on biases and LayerNorm weights). */
#include <string.h>

#include "model/bert_internal.h"

static int no_decay(const char *name)
{
    size_t n = strlen(name);
    return (n >= 4 && strcmp(name + n - 4, "bias") == 0) || strstr(name, "LayerNorm.") != NULL ||
           strstr(name, "layer_norm.") != NULL;
}

attn_status attn_model_add_to_optim(attn_model *m, attn_optim *opt, int32_t decay_group, int32_t no_decay_group)
{
    if (!m || !opt) return attn__fail(m ? m->ctx : NULL, ATTN_ERR_INVALID_ARG, "attn_model_add_to_optim: NULL argument");
    for (int32_t i = 0; i < m->nparams; i++) {
        bert_param *p = &m->params[i];
        ATTN_CHECK(attn__model_grad_memory(m, i)); /* the optimizer reads it from the first step */
        ATTN_CHECK(attn_optim_add_param(opt, no_decay(p->name) ? no_decay_group : decay_group, p->name, p->value, p->grad));
    }
    return attn__ok(m->ctx);
}
