/* Tutorial chapter 8 (doc/tutorial/08-classify.md): the text-classification
 * project end to end -- data cleaning, tokenization, fine-tuning a
 * pretrained encoder (all-MiniLM-L6-v2) with a new classification head,
 * evaluation (accuracy, per-class precision / recall / F1, macro-F1, the
 * confusion matrix) and prediction on new sentences.
 *
 *   cc 08_classify.c $(pkg-config --cflags --libs libattn) -lm -o 08_classify
 *   ./08_classify MODEL_DIR [--tsv FILE] [--train N] [--eval N] [--epochs N] [--predictions FILE]
 *
 * Data: Debian's fortunes (computers / politics / science / songs-poems) or
 * any label<TAB>text file; --train N fine-tunes on N of the training texts
 * only, and --eval N evaluates on N of the validation and N of the test
 * texts (a quick run). --predictions writes "gold<TAB>predicted" per
 * test text. */
#include <math.h>
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

enum { BATCH = 16, MAX_LEN = 64, MAX_LABELS = 16 };

typedef struct {
    int64_t n;
    const char **texts;
    int32_t *labels;
} split_set;

/* The texts of one split; with limit > 0, about limit of them taken evenly
 * across the split (the examples are ordered by label: the first N would
 * all be of one label). */
static split_set select_split(const attn_dataset *ds, int32_t split, int64_t limit)
{
    int64_t size = attn_dataset_size(ds), total = 0, seen = 0;
    split_set s = {0, malloc(sizeof(char *) * (size_t)size), malloc(sizeof(int32_t) * (size_t)size)};
    if (!s.texts || !s.labels) exit(1);
    for (int64_t i = 0; i < size; i++) total += attn_dataset_split(ds, i) == split;
    for (int64_t i = 0; i < size; i++)
        if (attn_dataset_split(ds, i) == split) {
            /* keep the example when it crosses the next multiple of total/limit */
            if (limit <= 0 || limit >= total || (seen + 1) * limit / total > seen * limit / total) {
                s.texts[s.n] = attn_dataset_text(ds, i);
                s.labels[s.n++] = attn_dataset_label(ds, i);
            }
            seen++;
        }
    return s;
}

/* Predicted label of each text of a set (eval mode: no dropout). With
 * probs non-NULL, also the softmax of each text's logits. */
static void predict(attn_ctx *ctx, attn_model *model, attn_tokenizer *tok, attn_batch *batch, const char **texts,
                    int64_t n, int32_t *pred, float *probs)
{
    int32_t k = attn_model_config(model)->num_labels;
    CHECK(attn_model_set_training(model, 0));
    for (int64_t first = 0; first < n; first += BATCH) {
        int32_t count = (int32_t)(n - first < BATCH ? n - first : BATCH);
        CHECK(attn_tokenizer_encode_batch(tok, batch, texts + first, NULL, count, MAX_LEN, 0));
        CHECK(attn_model_forward(model, attn_batch_tensor(batch, ATTN_BATCH_INPUT_IDS), NULL,
                                 attn_batch_tensor(batch, ATTN_BATCH_ATTENTION_MASK)));
        const float *z = attn_tensor_data_f32(attn_model_output(model, ATTN_OUT_LOGITS));
        for (int32_t b = 0; b < count; b++) {
            int32_t best = 0;
            for (int32_t c = 1; c < k; c++)
                if (z[b * k + c] > z[b * k + best]) best = c;
            pred[first + b] = best;
            if (probs) {
                double sum = 0;
                for (int32_t c = 0; c < k; c++) sum += exp(z[b * k + c] - z[b * k + best]);
                for (int32_t c = 0; c < k; c++) probs[(first + b) * k + c] = (float)(exp(z[b * k + c] - z[b * k + best]) / sum);
            }
        }
    }
}

static double accuracy(const int32_t *gold, const int32_t *pred, int64_t n)
{
    int64_t right = 0;
    for (int64_t i = 0; i < n; i++) right += gold[i] == pred[i];
    return n ? (double)right / n : 0;
}

int main(int argc, char **argv)
{
    const char *model_dir = NULL, *tsv = NULL, *pred_path = NULL;
    long train_limit = 0, eval_limit = 0, epochs = 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tsv") == 0 && i + 1 < argc) tsv = argv[++i];
        else if (strcmp(argv[i], "--train") == 0 && i + 1 < argc) train_limit = atol(argv[++i]);
        else if (strcmp(argv[i], "--eval") == 0 && i + 1 < argc) eval_limit = atol(argv[++i]);
        else if (strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) epochs = atol(argv[++i]);
        else if (strcmp(argv[i], "--predictions") == 0 && i + 1 < argc) pred_path = argv[++i];
        else if (!model_dir && argv[i][0] != '-') model_dir = argv[i];
        else model_dir = NULL, i = argc;
    }
    if (!model_dir || epochs < 1) {
        fprintf(stderr, "usage: %s MODEL_DIR [--tsv FILE] [--train N] [--eval N] [--epochs N] [--predictions FILE]\n", argv[0]);
        return 2;
    }
    attn_ctx *ctx;
    if (attn_ctx_create(&ctx) != ATTN_OK) return 1;
    CHECK(attn_ctx_set_int(ctx, ATTN_OPT_THREADS, 2));
    CHECK(attn_ctx_set_int(ctx, ATTN_OPT_SEED, 42));

    /* ---- 1. data: what the loaders clean ---- */
    const char sample[] = "demo\tcaf\xc3\x83\xc2\xa9 \x07" "at _\bn_\bo_\bo_\bn\r\n";
    attn_dataset *shown;
    CHECK(attn_dataset_load_tsv_buffer(ctx, sample, sizeof sample - 1, NULL, &shown));
    printf("cleaned: \"%s\"\n", attn_dataset_text(shown, 0));
    attn_dataset_destroy(shown);

    attn_dataset *ds;
    if (tsv) CHECK(attn_dataset_load_tsv(ctx, tsv, NULL, &ds));
    else CHECK(attn_dataset_load_fortunes(ctx, NULL, NULL, 0, NULL, &ds));
    const int32_t k = attn_dataset_num_labels(ds);
    if (k < 2 || k > MAX_LABELS) return 1;
    split_set train = select_split(ds, ATTN_SPLIT_TRAIN, train_limit);
    split_set val = select_split(ds, ATTN_SPLIT_VALIDATION, eval_limit), test = select_split(ds, ATTN_SPLIT_TEST, eval_limit);
    printf("data: %d labels; %lld training, %lld validation, %lld test texts\n", k, (long long)train.n,
           (long long)val.n, (long long)test.n);

    /* ---- 2. the model: the pretrained encoder, a new head ----
     * The folder's encoder and pooling (mean, from its sentence-transformers
     * Pooling module), and a classifier of k labels initialised anew. */
    attn_model_load_opts lo;
    attn_model_load_opts_init(&lo);
    lo.num_labels = k;
    attn_model *model;
    CHECK(attn_model_load_dir(ctx, model_dir, &lo, &model));
    printf("load notes:\n%s", attn_model_load_notes(model));

    /* ---- 3. tokenization: how many texts the length limit cuts ----
     * (the model's own tokenizer, which the folder describes; the model owns it) */
    attn_tokenizer *tok = attn_model_tokenizer(model);
    int64_t cut = 0;
    for (int64_t i = 0; i < train.n; i++) {
        int32_t n;
        CHECK(attn_tokenizer_tokenize(tok, train.texts[i], NULL, 0, &n));
        cut += n + 2 > MAX_LEN;
    }
    printf("tokens: %lld of %lld training texts are longer than %d tokens and get truncated\n", (long long)cut,
           (long long)train.n, MAX_LEN);

    /* AdamW, with the usual BERT split of weight decay */

    attn_optim_opts oo = {.struct_size = sizeof oo, .kind = ATTN_OPTIM_ADAMW, .lr = 1e-4, .beta1 = 0.9,
                          .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01};
    attn_optim *opt;
    int32_t no_decay;
    CHECK(attn_optim_create(ctx, &oo, &opt));
    CHECK(attn_optim_add_group(opt, 1.0, 0.0, &no_decay)); /* biases and LayerNorm: no weight decay */
    CHECK(attn_model_add_to_optim(model, opt, 0, no_decay));

    /* ---- 4. fine-tuning ---- */
    attn_batch *batch;
    CHECK(attn_batch_create(ctx, &batch));
    int32_t *order = malloc(sizeof(int32_t) * (size_t)train.n), *pred = malloc(sizeof(int32_t) * (size_t)(val.n + test.n + 1));
    const char **texts = malloc(sizeof(char *) * BATCH);
    int32_t labels[BATCH];
    if (!order || !pred || !texts) return 1;
    for (int64_t i = 0; i < train.n; i++) order[i] = (int32_t)i;
    const int64_t steps_per_epoch = (train.n + BATCH - 1) / BATCH, total = steps_per_epoch * epochs;
    uint64_t rng = 42;
    int64_t step = 0;
    for (long e = 1; e <= epochs; e++) {
        for (int64_t i = train.n - 1; i > 0; i--) { /* shuffle (Fisher-Yates, a fixed LCG) */
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            int64_t j = (int64_t)((rng >> 33) % (uint64_t)(i + 1));
            int32_t t = order[i];
            order[i] = order[j], order[j] = t;
        }
        double loss_sum = 0;
        CHECK(attn_model_set_training(model, 1)); /* dropout on */
        for (int64_t first = 0; first < train.n; first += BATCH, step++) {
            int32_t count = (int32_t)(train.n - first < BATCH ? train.n - first : BATCH);
            for (int32_t b = 0; b < count; b++) {
                texts[b] = train.texts[order[first + b]];
                labels[b] = train.labels[order[first + b]];
            }
            int64_t ls[1] = {count};
            attn_tensor *tl;
            float loss;
            double lr, norm;
            CHECK(attn_tensor_wrap(ctx, ATTN_I32, 1, ls, labels, &tl));
            CHECK(attn_tokenizer_encode_batch(tok, batch, texts, NULL, count, MAX_LEN, 0));
            CHECK(attn_lr_schedule(ATTN_LR_LINEAR, oo.lr, step, total / 10, total, &lr));
            CHECK(attn_optim_set_lr(opt, lr));
            CHECK(attn_model_zero_grad(model));
            CHECK(attn_model_forward(model, attn_batch_tensor(batch, ATTN_BATCH_INPUT_IDS), NULL,
                                     attn_batch_tensor(batch, ATTN_BATCH_ATTENTION_MASK)));
            CHECK(attn_model_loss_backward(model, tl, &loss)); /* cross-entropy, gradients accumulate */
            CHECK(attn_optim_clip_grad_norm(opt, 1.0, &norm));
            CHECK(attn_optim_step(opt));
            attn_tensor_destroy(tl);
            loss_sum += loss * count;
        }
        predict(ctx, model, tok, batch, val.texts, val.n, pred, NULL);
        printf("epoch %ld: training loss %.4f, validation accuracy %.1f%%\n", e, loss_sum / train.n,
               100 * accuracy(val.labels, pred, val.n));
    }

    /* ---- 5. evaluation on the test texts ---- */
    predict(ctx, model, tok, batch, test.texts, test.n, pred, NULL);
    int64_t confusion[MAX_LABELS][MAX_LABELS] = {{0}};
    for (int64_t i = 0; i < test.n; i++) confusion[test.labels[i]][pred[i]]++;
    printf("test accuracy: %.4f\n", accuracy(test.labels, pred, test.n));
    double macro_f1 = 0;
    for (int32_t c = 0; c < k; c++) {
        int64_t tp = confusion[c][c], predicted = 0, actual = 0;
        for (int32_t o = 0; o < k; o++) predicted += confusion[o][c], actual += confusion[c][o];
        double p = predicted ? (double)tp / predicted : 0, r = actual ? (double)tp / actual : 0;
        double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
        macro_f1 += f1 / k;
        printf("class %s: precision %.4f, recall %.4f, F1 %.4f\n", attn_dataset_label_name(ds, c), p, r, f1);
    }
    printf("test macro-F1: %.4f\n", macro_f1);
    printf("confusion matrix (rows: true label, columns: predicted):\n");
    for (int32_t c = 0; c < k; c++) {
        printf("  %-12s", attn_dataset_label_name(ds, c));
        for (int32_t o = 0; o < k; o++) printf(" %5lld", (long long)confusion[c][o]);
        printf("\n");
    }
    if (pred_path) {
        FILE *f = fopen(pred_path, "w");
        if (!f) return 1;
        for (int64_t i = 0; i < test.n; i++) fprintf(f, "%d\t%d\n", test.labels[i], pred[i]);
        if (fclose(f) != 0) return 1;
    }

    /* ---- 6. prediction on new sentences ---- */
    const char *fresh[3] = {"The compiler segfaults whenever I add another pointer.",
                            "The senator promised lower taxes before the election.",
                            "The telescope measured the spectrum of a distant galaxy."};
    float probs[3 * MAX_LABELS];
    predict(ctx, model, tok, batch, fresh, 3, pred, probs);
    for (int i = 0; i < 3; i++) {
        printf("predict: %s (p = %.2f)  \"%s\"\n", attn_dataset_label_name(ds, pred[i]), probs[i * k + pred[i]], fresh[i]);
    }

    free(order), free(pred), free(texts);
    free(train.texts), free(train.labels), free(val.texts), free(val.labels), free(test.texts), free(test.labels);
    attn_batch_destroy(batch);
    attn_optim_destroy(opt);
    attn_model_destroy(model);
    attn_dataset_destroy(ds);
    attn_ctx_destroy(ctx);
    return 0;
}
