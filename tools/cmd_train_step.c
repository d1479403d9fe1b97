/* attn train-step: one training step with dropout off, writing the loss,
 * the logits, every parameter's gradient and every parameter after one
 * optimizer step, for comparison with a reference implementation. Weight
 * decay applies to every parameter, as torch.optim.X(model.parameters()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

int attn_cmd_train_step(int argc, char **argv)
{
    const char *cmd = "train-step";
    cli_opt opts[] = {
        {"--model", "M.safetensors", "checkpoint (Hugging Face names)", NULL, 0},
        {"--config", "config.json", "Hugging Face config.json", NULL, 0},
        {"--inputs", "IN.safetensors", "int64 input_ids/token_type_ids/attention_mask [B,T] and labels [B]", NULL, 0},
        {"--out", "OUT.safetensors", "receives loss, logits, grad.<name>, <optim>1.<name>", NULL, 0},
        {"--optim", "sgd|adam|adamw", "optimizer", "adamw", 0},
        {"--lr", "X", "learning rate", "1e-3", 0},
        {"--beta1", "X", "Adam beta1", "0.9", 0},
        {"--beta2", "X", "Adam beta2", "0.999", 0},
        {"--eps", "X", "Adam epsilon", "1e-8", 0},
        {"--weight-decay", "X", "weight decay (AdamW: decoupled; SGD/Adam: L2)", "0", 0},
        {"--momentum", "X", "SGD momentum", "0", 0},
        CLI_OPT_THREADS,
        CLI_OPT_MEMORY_LIMIT,
    };
    int n = sizeof opts / sizeof opts[0];
    int rc = cli_parse(cmd, "--model M --config C --inputs IN --out OUT [--optim adamw --lr 1e-3 ...]", argc, argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    const char *req[] = {"--model", "--config", "--inputs", "--out"};
    if (!cli_require(cmd, opts, n, req, 4)) return 2;
    attn_optim_opts o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    const char *kind = cli_get(opts, n, "--optim")->value;
    if (strcmp(kind, "sgd") == 0) o.kind = ATTN_OPTIM_SGD;
    else if (strcmp(kind, "adam") == 0) o.kind = ATTN_OPTIM_ADAM;
    else if (strcmp(kind, "adamw") == 0) o.kind = ATTN_OPTIM_ADAMW;
    else {
        fprintf(stderr, "attn %s: --optim must be sgd, adam or adamw (got '%s')\n", cmd, kind);
        return 2;
    }
    if (!cli_double(cmd, cli_get(opts, n, "--lr"), &o.lr) || !cli_double(cmd, cli_get(opts, n, "--beta1"), &o.beta1) ||
        !cli_double(cmd, cli_get(opts, n, "--beta2"), &o.beta2) || !cli_double(cmd, cli_get(opts, n, "--eps"), &o.eps) ||
        !cli_double(cmd, cli_get(opts, n, "--weight-decay"), &o.weight_decay) ||
        !cli_double(cmd, cli_get(opts, n, "--momentum"), &o.momentum))
        return 2;

    attn_ctx *ctx;
    const char *weights = cli_value(opts, n, "--model"), *config = cli_value(opts, n, "--config");
    if (cli_check_weights(cmd, "--model", weights) || cli_check_config(cmd, "--config", config)) return 1;
    if (!cli_ctx_opts(cmd, opts, n, &ctx)) return 1;
    attn_model *model = NULL;
    attn_optim *opt = NULL;
    attn_tensor *ids = NULL, *types = NULL, *mask = NULL, *labels = NULL, *loss_t = NULL;
    attn_safetensors_writer *w = NULL;
    char (*names)[160] = NULL;
    rc = 1;
    if (attn_bert_load(ctx, weights, config, &model) != ATTN_OK) {
        cli_fail(cmd, ctx, "loading the model");
        goto done;
    }
    if (attn_cmd_load_batch(cmd, ctx, cli_value(opts, n, "--inputs"), &ids, &types, &mask, &labels)) goto done;
    /* said here in words, before the loss would name the dtype by number */
    int single = attn_model_config(model)->problem_type == ATTN_PROBLEM_SINGLE_LABEL;
    if (single != (attn_tensor_dtype(labels) != ATTN_F32)) {
        fprintf(stderr, "attn %s: labels must be %s for this %s model, got %s\n", cmd,
                single ? "int32 or int64 class indices" : "float32", single ? "single-label" : "regression/multi-label",
                cli_dtype_name(attn_tensor_dtype(labels)));
        goto done;
    }
    float loss;
    int64_t one = 1;
    if (attn_model_zero_grad(model) != ATTN_OK || attn_model_forward(model, ids, types, mask) != ATTN_OK ||
        attn_model_loss_backward(model, labels, &loss) != ATTN_OK) {
        cli_fail(cmd, ctx, "forward/backward");
        goto done;
    }
    int32_t np = attn_model_param_count(model);
    names = calloc((size_t)np * 2, sizeof *names);
    if (!names || attn_tensor_create(ctx, ATTN_F32, 1, &one, &loss_t) != ATTN_OK ||
        attn_safetensors_writer_create(ctx, &w) != ATTN_OK) {
        cli_fail(cmd, ctx, "out of memory");
        goto done;
    }
    attn_tensor_data_f32(loss_t)[0] = loss;
    if (attn_safetensors_writer_add(w, "loss", loss_t) != ATTN_OK ||
        attn_safetensors_writer_add(w, "logits", attn_model_output(model, ATTN_OUT_LOGITS)) != ATTN_OK) {
        cli_fail(cmd, ctx, "writing --out");
        goto done;
    }
    /* the writer borrows tensors until save: gradients are not touched by the
     * step, and the parameters are recorded after it */
    for (int32_t i = 0; i < np; i++) {
        const char *name;
        attn_tensor *value, *grad;
        attn_model_param(model, i, &name, &value, &grad);
        snprintf(names[2 * i], sizeof names[0], "grad.%s", name);
        if (attn_safetensors_writer_add(w, names[2 * i], grad) != ATTN_OK) {
            cli_fail(cmd, ctx, "writing --out");
            goto done;
        }
    }
    if (attn_optim_create(ctx, &o, &opt) != ATTN_OK || attn_model_add_to_optim(model, opt, 0, 0) != ATTN_OK ||
        attn_optim_step(opt) != ATTN_OK) {
        cli_fail(cmd, ctx, "optimizer step");
        goto done;
    }
    for (int32_t i = 0; i < np; i++) {
        const char *name;
        attn_tensor *value;
        attn_model_param(model, i, &name, &value, NULL);
        snprintf(names[2 * i + 1], sizeof names[0], "%s1.%s", kind, name);
        if (attn_safetensors_writer_add(w, names[2 * i + 1], value) != ATTN_OK) {
            cli_fail(cmd, ctx, "writing --out");
            goto done;
        }
    }
    if (attn_safetensors_writer_save(w, cli_value(opts, n, "--out")) != ATTN_OK) {
        cli_fail(cmd, ctx, "writing --out");
        goto done;
    }
    rc = 0;
done:
    attn_safetensors_writer_destroy(w);
    free(names);
    attn_optim_destroy(opt);
    attn_tensor_destroy(loss_t);
    attn_tensor_destroy(ids);
    attn_tensor_destroy(types);
    attn_tensor_destroy(mask);
    attn_tensor_destroy(labels);
    attn_model_destroy(model);
    attn_ctx_destroy(ctx);
    return rc;
}
