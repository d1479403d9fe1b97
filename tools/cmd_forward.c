/* attn forward: runs a checkpoint on a batch stored in safetensors and
 * writes the encoder's outputs (eval mode, every position computed so the
 * padded rows match Hugging Face too). */
#include <stdio.h>

#include "cli.h"
#include "commands.h"

/* Loads name as int64 from st, or NULL when optional and absent. */
static int load_input(attn_ctx *ctx, attn_safetensors *st, const char *name, int optional, attn_tensor **out)
{
    int32_t idx;
    *out = NULL;
    if (optional && attn_safetensors_find(st, name, &idx) != ATTN_OK) return 1;
    return attn_safetensors_load(st, name, ATTN_I64, out) == ATTN_OK;
}

int attn_cmd_load_batch(const char *cmd, attn_ctx *ctx, const char *path, attn_tensor **ids, attn_tensor **types,
                        attn_tensor **mask, attn_tensor **labels)
{
    attn_safetensors *st;
    if (attn_safetensors_open(ctx, path, &st) != ATTN_OK) return cli_fail(cmd, ctx, "--inputs");
    int ok = load_input(ctx, st, "input_ids", 0, ids) && load_input(ctx, st, "token_type_ids", 1, types) &&
             load_input(ctx, st, "attention_mask", 1, mask);
    if (ok && labels) {
        int32_t idx;
        if (attn_safetensors_find(st, "labels", &idx) != ATTN_OK) ok = 0;
        else {
            int32_t dt;
            attn_safetensors_info(st, idx, &dt, NULL, NULL);
            ok = attn_safetensors_load(st, "labels", dt == ATTN_ST_F32 ? ATTN_F32 : ATTN_I64, labels) == ATTN_OK;
        }
    }
    attn_safetensors_close(st);
    return ok ? 0 : cli_fail(cmd, ctx, path);
}

int attn_cmd_forward(int argc, char **argv)
{
    const char *cmd = "forward";
    cli_opt opts[] = {
        {"--model", "M.safetensors", "checkpoint (Hugging Face names)", NULL, 0},
        {"--config", "config.json", "Hugging Face config.json", NULL, 0},
        {"--inputs", "IN.safetensors", "int64 input_ids [B,T], optional token_type_ids and attention_mask", NULL, 0},
        {"--out", "OUT.safetensors", "receives last_hidden_state, pooler_output and logits", NULL, 0},
        {"--threads", "N", "compute threads", "1", 0},
        {"--skip-padding", NULL, "compute only real tokens (padded rows of last_hidden_state become 0)", NULL, 0},
    };
    int n = sizeof opts / sizeof opts[0];
    int rc = cli_parse(cmd, "--model M --config C --inputs IN --out OUT", argc, argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    const char *req[] = {"--model", "--config", "--inputs", "--out"};
    if (!cli_require(cmd, opts, n, req, 4)) return 2;
    attn_ctx *ctx;
    if (!cli_ctx(cmd, cli_get(opts, n, "--threads"), &ctx)) return 1;
    attn_model *model = NULL;
    attn_tensor *ids = NULL, *types = NULL, *mask = NULL;
    attn_safetensors_writer *w = NULL;
    rc = 1;
    if (attn_bert_load(ctx, opts[0].value, opts[1].value, &model) != ATTN_OK) {
        cli_fail(cmd, ctx, "loading the model");
        goto done;
    }
    if (attn_cmd_load_batch(cmd, ctx, opts[2].value, &ids, &types, &mask, NULL)) goto done;
    if (attn_model_set_int(model, ATTN_MODEL_OPT_SKIP_PADDING, opts[5].present) != ATTN_OK ||
        attn_model_forward(model, ids, types, mask) != ATTN_OK) {
        cli_fail(cmd, ctx, "forward");
        goto done;
    }
    if (attn_safetensors_writer_create(ctx, &w) != ATTN_OK ||
        attn_safetensors_writer_add(w, "last_hidden_state", attn_model_output(model, ATTN_OUT_LAST_HIDDEN)) != ATTN_OK ||
        attn_safetensors_writer_add(w, "pooler_output", attn_model_output(model, ATTN_OUT_POOLED)) != ATTN_OK ||
        (attn_model_output(model, ATTN_OUT_LOGITS) &&
         attn_safetensors_writer_add(w, "logits", attn_model_output(model, ATTN_OUT_LOGITS)) != ATTN_OK) ||
        attn_safetensors_writer_save(w, opts[3].value) != ATTN_OK) {
        cli_fail(cmd, ctx, "writing --out");
        goto done;
    }
    rc = 0;
done:
    attn_safetensors_writer_destroy(w);
    attn_tensor_destroy(ids);
    attn_tensor_destroy(types);
    attn_tensor_destroy(mask);
    attn_model_destroy(model);
    attn_ctx_destroy(ctx);
    return rc;
}
