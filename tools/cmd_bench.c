/* attn bench: times inference or a training step (forward, backward,
 * AdamW) of a BERT encoder with random weights and token ids, and prints
 * one JSON line. FLOPs count the real (unpadded) tokens only:
 *   per block 2 N (4 H^2 + 2 H F) for the projections and the FFN, plus
 *   4 H sum_b len_b^2 for scores and context; pooler and classifier 2 B H (H + 2);
 *   a training step counts 3x the forward (backward = 2x forward). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "commands.h"
#include "progress.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int attn_cmd_bench(int argc, char **argv)
{
    const char *cmd = "bench";
    cli_opt opts[] = {
        {"--layers", "L", "encoder blocks", "12", 0},
        {"--hidden", "H", "hidden size", "768", 0},
        {"--heads", "A", "attention heads", "12", 0},
        {"--ffn", "F", "feed-forward size", "3072", 0},
        {"--batch", "B", "sequences per batch", "8", 0},
        {"--seq", "T", "padded sequence length", "128", 0},
        CLI_OPT_THREADS,
        CLI_OPT_MEMORY_LIMIT,
        {"--mode", "infer|train", "inference, or a training step with AdamW and a 2-label head", "infer", 0},
        {"--pad", "X", "fraction of each sequence that is padding", "0.25", 0},
        {"--reps", "R", "timed repetitions (after one warm-up)", "10", 0},
        {"--seed", "N", "seed of weights and ids", "1", 0},
    };
    int n = sizeof opts / sizeof opts[0];
    int rc = cli_parse(cmd, "--layers L --hidden H --heads A --ffn F --batch B --seq T --threads N --mode infer|train", argc,
                       argv, opts, n);
    if (rc) return rc == 1 ? 0 : 2;
    long L, H, A, F, B, T, reps, seed;
    double pad;
    int train;
    if (!cli_long_in(cmd, opts, n, "--layers", 1, 1 << 16, &L) || !cli_long_in(cmd, opts, n, "--hidden", 1, 1 << 20, &H) ||
        !cli_long_in(cmd, opts, n, "--heads", 1, 1 << 16, &A) || !cli_long_in(cmd, opts, n, "--ffn", 1, 1 << 24, &F) ||
        !cli_long_in(cmd, opts, n, "--batch", 1, 1 << 24, &B) || !cli_long_in(cmd, opts, n, "--seq", 1, 1 << 24, &T) ||
        !cli_double_in(cmd, opts, n, "--pad", 0.0, 0.999, &pad) || !cli_long_in(cmd, opts, n, "--reps", 1, 1000000, &reps) ||
        !cli_long(cmd, cli_get(opts, n, "--seed"), &seed) || !cli_choice(cmd, opts, n, "--mode", "infer|train", &train))
        return 2;
    attn_ctx *ctx;
    if (!cli_ctx_opts(cmd, opts, n, &ctx)) return 1;
    int64_t threads = 1;
    attn_ctx_get_int(ctx, ATTN_OPT_THREADS, &threads);
    attn_ctx_set_int(ctx, ATTN_OPT_SEED, seed);
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    cfg.num_layers = (int32_t)L;
    cfg.hidden_size = (int32_t)H;
    cfg.num_heads = (int32_t)A;
    cfg.intermediate_size = (int32_t)F;
    cfg.num_labels = 2;
    if (T > cfg.max_position_embeddings) cfg.max_position_embeddings = (int32_t)T;
    attn_model *model = NULL;
    attn_optim *opt = NULL;
    attn_tensor *ids = NULL, *mask = NULL, *labels = NULL;
    double *times = calloc((size_t)reps, sizeof *times);
    rc = 1;
    int64_t shape[2] = {B, T}, lshape[1] = {B};
    if (!times || attn_bert_create(ctx, &cfg, &model) != ATTN_OK ||
        attn_tensor_create(ctx, ATTN_I32, 2, shape, &ids) != ATTN_OK ||
        attn_tensor_create(ctx, ATTN_I32, 2, shape, &mask) != ATTN_OK ||
        attn_tensor_create(ctx, ATTN_I32, 1, lshape, &labels) != ATTN_OK) {
        cli_fail(cmd, ctx, "setup");
        goto done;
    }
    long real = T - (long)floor(pad * (double)T + 0.5);
    if (real < 1) real = 1;
    int32_t *pid = attn_tensor_data(ids), *pm = attn_tensor_data(mask), *pl = attn_tensor_data(labels);
    uint64_t s = (uint64_t)seed * 2654435761u + 1;
    for (long b = 0; b < B; b++) {
        pl[b] = (int32_t)(b % 2);
        for (long t = 0; t < T; t++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            pm[b * T + t] = t < real;
            pid[b * T + t] = t < real ? (int32_t)(1000 + (s >> 33) % 29000) : 0;
        }
    }
    if (!train && attn_model_set_int(model, ATTN_MODEL_OPT_INFERENCE_ONLY, 1) != ATTN_OK) {
        cli_fail(cmd, ctx, "inference mode");
        goto done;
    }
    if (train) {
        attn_optim_opts o;
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.kind = ATTN_OPTIM_ADAMW;
        o.lr = 1e-4;
        o.beta1 = 0.9;
        o.beta2 = 0.999;
        o.eps = 1e-8;
        o.weight_decay = 0.01;
        if (attn_optim_create(ctx, &o, &opt) != ATTN_OK || attn_model_add_to_optim(model, opt, 0, 0) != ATTN_OK ||
            attn_model_set_training(model, 1) != ATTN_OK) {
            cli_fail(cmd, ctx, "optimizer");
            goto done;
        }
    }
    for (long r = -1; r < reps; r++) {
        double t0 = now_seconds();
        attn_status st = attn_model_forward(model, ids, NULL, mask);
        if (st == ATTN_OK && train) {
            st = attn_model_zero_grad(model);
            if (st == ATTN_OK) st = attn_model_loss_backward(model, labels, NULL);
            if (st == ATTN_OK) st = attn_optim_step(opt);
        }
        if (st != ATTN_OK) {
            cli_fail(cmd, ctx, train ? "training step" : "forward");
            goto done;
        }
        if (r >= 0) times[r] = 1e3 * (now_seconds() - t0);
    }
    qsort(times, (size_t)reps, sizeof *times, cmp_double);
    double median = reps % 2 ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
    double N = (double)B * (double)real;
    double flops = (double)L * (2.0 * N * (4.0 * H * H + 2.0 * H * F) + 4.0 * H * (double)B * (double)real * (double)real) +
                   2.0 * (double)B * (double)H * (double)(H + 2);
    if (train) flops *= 3.0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    int64_t peak;
    attn_ctx_get_int(ctx, ATTN_INFO_PEAK_BYTES, &peak);
    printf("{\"mode\": \"%s\", \"layers\": %ld, \"hidden\": %ld, \"heads\": %ld, \"ffn\": %ld, \"batch\": %ld, \"seq\": %ld, "
           "\"real_tokens_per_seq\": %ld, \"threads\": %lld, \"reps\": %ld, \"median_ms\": %.3f, \"min_ms\": %.3f, "
           "\"gflops\": %.2f, \"peak_rss_mb\": %.1f, \"library_peak_mb\": %.1f, \"blis_arch\": \"%s\"}\n",
           train ? "train" : "infer", L, H, A, F, B, T, real, (long long)threads, reps, median, times[0],
           flops / (median * 1e-3) * 1e-9, (double)ru.ru_maxrss / 1024.0, (double)peak / 1048576.0,
           attn_ctx_info_string(ctx, ATTN_INFO_BLIS_ARCH));
    rc = 0;
done:
    free(times);
    attn_tensor_destroy(ids);
    attn_tensor_destroy(mask);
    attn_tensor_destroy(labels);
    attn_optim_destroy(opt);
    attn_model_destroy(model);
    attn_ctx_destroy(ctx);
    return rc;
}
