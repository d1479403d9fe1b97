/* Train and use a BERT-style text classifier with libattn: the whole job
 * in one file to read and copy. `attn train` is the same loop with
 * checkpoints, resume, early stopping, a progress bar and a report.
 *
 *   cc classify.c $(pkg-config --cflags --libs libattn) -o classify
 *   ./classify VOCAB.txt [DATA.tsv]     (default data: Debian's fortunes)
 *
 * Data path: texts -> WordPiece batches (dynamic padding) -> BERT encoder ->
 * pooler -> classifier -> cross-entropy -> backward -> AdamW. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attn.h>

#define CHECK(call)                                                              \
    do {                                                                         \
        if ((call) != ATTN_OK) {                                                 \
            fprintf(stderr, "%s failed: %s\n", #call, attn_ctx_last_error(ctx)); \
            exit(1);                                                             \
        }                                                                        \
    } while (0)

enum { BATCH = 32, MAX_LEN = 128, EPOCHS = 4 };

/* The examples of one split, as arrays of texts and labels. */
typedef struct {
    int64_t n;
    const char **texts;
    int32_t *labels;
} split_set;

static split_set select_split(const attn_dataset *ds, int32_t split)
{
    split_set s = {0, malloc(sizeof(char *) * (size_t)attn_dataset_size(ds)), malloc(sizeof(int32_t) * (size_t)attn_dataset_size(ds))};
    for (int64_t i = 0; i < attn_dataset_size(ds); i++)
        if (attn_dataset_split(ds, i) == split) {
            s.texts[s.n] = attn_dataset_text(ds, i);
            s.labels[s.n++] = attn_dataset_label(ds, i);
        }
    return s;
}

/* Accuracy of the model on a split (eval mode: no dropout). */
static double accuracy(attn_ctx *ctx, attn_model *model, attn_tokenizer *tok, attn_batch *batch, const split_set *s)
{
    int64_t right = 0;
    int32_t k = attn_model_config(model)->num_labels;
    CHECK(attn_model_set_training(model, 0));
    for (int64_t first = 0; first < s->n; first += BATCH) {
        int32_t count = (int32_t)(s->n - first < BATCH ? s->n - first : BATCH);
        CHECK(attn_tokenizer_encode_batch(tok, batch, s->texts + first, NULL, count, MAX_LEN, 0));
        CHECK(attn_model_forward(model, attn_batch_tensor(batch, ATTN_BATCH_INPUT_IDS), NULL,
                                 attn_batch_tensor(batch, ATTN_BATCH_ATTENTION_MASK)));
        const float *logits = attn_tensor_data_f32(attn_model_output(model, ATTN_OUT_LOGITS));
        for (int32_t b = 0; b < count; b++) {
            int32_t best = 0;
            for (int32_t c = 1; c < k; c++)
                if (logits[b * k + c] > logits[b * k + best]) best = c;
            right += best == s->labels[first + b];
        }
    }
    return (double)right / (double)s->n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s VOCAB.txt [DATA.tsv]\n", argv[0]);
        return 2;
    }
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    CHECK(attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    CHECK(attn_ctx_set_int(ctx, ATTN_OPT_SEED, 42));

    attn_dataset *ds;
    if (argc > 2) CHECK(attn_dataset_load_tsv(ctx, argv[2], NULL, &ds));
    else CHECK(attn_dataset_load_fortunes(ctx, NULL, NULL, 0, NULL, &ds));
    attn_tokenizer *tok;
    CHECK(attn_tokenizer_load(ctx, argv[1], ATTN_TOKENIZER_LOWERCASE, &tok));
    split_set train = select_split(ds, ATTN_SPLIT_TRAIN), test = select_split(ds, ATTN_SPLIT_TEST);
    printf("%lld training and %lld test texts, %d classes\n", (long long)train.n, (long long)test.n,
           attn_dataset_num_labels(ds));

    /* a small BERT: 2 blocks, hidden 128, 2 heads, FFN 512 */
    attn_bert_config cfg;
    attn_bert_config_init(&cfg);
    cfg.vocab_size = attn_tokenizer_vocab_size(tok);
    cfg.hidden_size = 128;
    cfg.num_layers = 2;
    cfg.num_heads = 2;
    cfg.intermediate_size = 512;
    cfg.num_labels = attn_dataset_num_labels(ds);
    attn_model *model;
    CHECK(attn_bert_create(ctx, &cfg, &model));

    /* AdamW; no weight decay on biases and LayerNorm weights */
    attn_optim_opts o = {.struct_size = sizeof o, .kind = ATTN_OPTIM_ADAMW, .lr = 1e-3, .beta1 = 0.9,
                         .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01};
    attn_optim *opt;
    int32_t no_decay;
    CHECK(attn_optim_create(ctx, &o, &opt));
    CHECK(attn_optim_add_group(opt, 1.0, 0.0, &no_decay));
    CHECK(attn_model_add_to_optim(model, opt, 0, no_decay));

    attn_batch *batch;
    CHECK(attn_batch_create(ctx, &batch));
    attn_tensor *labels;
    int64_t lshape[1] = {BATCH};
    CHECK(attn_tensor_create(ctx, ATTN_I32, 1, lshape, &labels));
    int64_t steps = (train.n + BATCH - 1) / BATCH, step = 0;
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        CHECK(attn_model_set_training(model, 1));
        double loss_sum = 0.0;
        for (int64_t first = 0; first < train.n; first += BATCH, step++) {
            int32_t count = (int32_t)(train.n - first < BATCH ? train.n - first : BATCH);
            int64_t shape[1] = {count};
            CHECK(attn_tokenizer_encode_batch(tok, batch, train.texts + first, NULL, count, MAX_LEN, 0));
            CHECK(attn_tensor_set_shape(labels, 1, shape));
            CHECK(attn_tensor_write(labels, ATTN_I32, train.labels + first, (size_t)count * sizeof(int32_t)));
            float loss;
            double lr, norm;
            CHECK(attn_model_zero_grad(model));
            CHECK(attn_model_forward(model, attn_batch_tensor(batch, ATTN_BATCH_INPUT_IDS), NULL,
                                     attn_batch_tensor(batch, ATTN_BATCH_ATTENTION_MASK)));
            CHECK(attn_model_loss_backward(model, labels, &loss));
            CHECK(attn_optim_clip_grad_norm(opt, 1.0, &norm));
            CHECK(attn_lr_schedule(ATTN_LR_LINEAR, o.lr, step, steps * EPOCHS / 10, steps * EPOCHS, &lr));
            CHECK(attn_optim_set_lr(opt, lr));
            CHECK(attn_optim_step(opt));
            loss_sum += loss;
        }
        printf("epoch %d: train loss %.4f, test accuracy %.1f%%\n", epoch + 1, loss_sum / (double)steps,
               100.0 * accuracy(ctx, model, tok, batch, &test));
    }
    CHECK(attn_model_save(model, "classify.safetensors"));
    printf("saved classify.safetensors\n");

    free(train.texts);
    free(train.labels);
    free(test.texts);
    free(test.labels);
    attn_tensor_destroy(labels);
    attn_batch_destroy(batch);
    attn_optim_destroy(opt);
    attn_model_destroy(model);
    attn_tokenizer_destroy(tok);
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
    return 0;
}
