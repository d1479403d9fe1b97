/* attn forward: runs a checkpoint on a batch stored in safetensors and
 * writes the encoder's outputs (eval mode, every position computed so the
 * padded rows match Hugging Face too). */
#include <stdio.h>

#include "cli.h"
#include "commands.h"

/* The file's dtype in words ("float32", "int64", "bfloat16"). */
static const char *file_dtype_words(int32_t dt)
{
    static const char *const words[] = {"float32", "float16", "bfloat16", "float64", "int64", "int32", "int16", "int8",
                                        "uint8",   "uint16",  "uint32",   "uint64",  "bool",  "float8_e4m3", "float8_e5m2"};
    return dt >= 0 && dt < (int32_t)(sizeof words / sizeof words[0]) ? words[dt] : "an unknown dtype";
}

/* Loads name as int64 from st, or NULL when optional and absent. Index
 * tensors must hold integers: a float file is refused by name and dtype
 * here, before the library converts anything. */
static int load_input(const char *cmd, attn_safetensors *st, const char *path, const char *name, int optional,
                      attn_tensor **out)
{
    int32_t idx, dt;
    *out = NULL;
    if (attn_safetensors_find(st, name, &idx) != ATTN_OK) {
        if (optional) return 1;
        fprintf(stderr, "attn %s: %s has no %s tensor (write it with attn tokenize --out)\n", cmd, path, name);
        return -1;
    }
    attn_safetensors_info(st, idx, &dt, NULL, NULL);
    if (dt != ATTN_ST_I64 && dt != ATTN_ST_I32) {
        fprintf(stderr, "attn %s: %s: %s must be int32 or int64, got %s\n", cmd, path, name, file_dtype_words(dt));
        return -1;
    }
    return attn_safetensors_load(st, name, ATTN_I64, out) == ATTN_OK;
}

int attn_cmd_load_batch(const char *cmd, attn_ctx *ctx, const char *path, attn_tensor **ids, attn_tensor **types,
                        attn_tensor **mask, attn_tensor **labels)
{
    attn_safetensors *st;
    if (attn_safetensors_open(ctx, path, &st) != ATTN_OK) return cli_fail(cmd, ctx, "--inputs");
    int ok = load_input(cmd, st, path, "input_ids", 0, ids);
    if (ok == 1) ok = load_input(cmd, st, path, "token_type_ids", 1, types);
    if (ok == 1) ok = load_input(cmd, st, path, "attention_mask", 1, mask);
    if (ok < 0) {
        attn_safetensors_close(st);
        return 1;
    }
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
        CLI_OPT_THREADS,
        CLI_OPT_MEMORY_LIMIT,
        {"--skip-padding", NULL, "compute only real tokens (padded rows of last_hidden_state become 0)", NULL, 0},
    };
    int n = sizeof opts / sizeof opts[0];
    int rc = cli_parse(cmd, "--model M --config C --inputs IN --out OUT", argc, argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    const char *req[] = {"--model", "--config", "--inputs", "--out"};
    if (!cli_require(cmd, opts, n, req, 4)) return 2;
    attn_ctx *ctx;
    const char *weights = cli_value(opts, n, "--model"), *config = cli_value(opts, n, "--config");
    if (cli_check_weights(cmd, "--model", weights) || cli_check_config(cmd, "--config", config)) return 1;
    if (!cli_ctx_opts(cmd, opts, n, &ctx)) return 1;
    attn_model *model = NULL;
    attn_tensor *ids = NULL, *types = NULL, *mask = NULL;
    attn_safetensors_writer *w = NULL;
    rc = 1;
    if (attn_bert_load(ctx, weights, config, &model) != ATTN_OK) {
        cli_fail(cmd, ctx, "loading the model");
        goto done;
    }
    if (attn_cmd_load_batch(cmd, ctx, cli_value(opts, n, "--inputs"), &ids, &types, &mask, NULL)) goto done;
    if (attn_model_set_int(model, ATTN_MODEL_OPT_SKIP_PADDING, cli_present(opts, n, "--skip-padding")) != ATTN_OK ||
        attn_model_forward(model, ids, types, mask) != ATTN_OK) {
        cli_fail(cmd, ctx, "forward");
        goto done;
    }
    if (attn_safetensors_writer_create(ctx, &w) != ATTN_OK ||
        attn_safetensors_writer_add(w, "last_hidden_state", attn_model_output(model, ATTN_OUT_LAST_HIDDEN)) != ATTN_OK ||
        attn_safetensors_writer_add(w, "pooler_output", attn_model_output(model, ATTN_OUT_POOLED)) != ATTN_OK ||
        (attn_model_output(model, ATTN_OUT_LOGITS) &&
         attn_safetensors_writer_add(w, "logits", attn_model_output(model, ATTN_OUT_LOGITS)) != ATTN_OK) ||
        attn_safetensors_writer_save(w, cli_value(opts, n, "--out")) != ATTN_OK) {
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
