// libattn from C++, end to end on the tiny Hugging Face checkpoint: tokenize
// a sentence, run the model on the batch stored with the reference outputs,
// compare its logits with Hugging Face's, take one AdamW step and compare the
// loss. Exits with status 1 if a check fails (or a call throws).
//
// Usage: tiny_bert [DATA_DIR]   (default $ATTN_TEST_DATA or tests/data)
#include "attn.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

static double max_abs_diff(const std::vector<float> &a, const std::vector<float> &b) {
    double m = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); i++) m = std::max(m, std::fabs(double(a[i]) - b[i]));
    return a.size() == b.size() ? m : INFINITY;
}

static bool run(const std::string &data) {
    attn::context ctx = attn::make_context();  // first declared: destroyed last
    attn_ctx *c = ctx.get();
    std::printf("libattn %s\n", attn_version_string());

    attn::tokenizer tok = attn::load_tokenizer(c, data + "/bert-base-uncased/vocab.txt", ATTN_TOKENIZER_LOWERCASE);
    const char *sentence = "This is a sample sentence for text classification.";
    int32_t n = 0;
    attn::check(c, attn_tokenizer_encode(tok.get(), sentence, nullptr, 0, nullptr, nullptr, 0, &n));
    std::vector<int32_t> ids(static_cast<size_t>(n));
    attn::check(c, attn_tokenizer_encode(tok.get(), sentence, nullptr, 0, ids.data(), nullptr, n, &n));
    std::string tokens, id_list;
    for (int32_t id : ids) {
        tokens += (tokens.empty() ? "" : " ") + std::string(attn_tokenizer_id_to_token(tok.get(), id));
        id_list += (id_list.empty() ? "" : ", ") + std::to_string(id);
    }
    std::printf("tokens: %s\nids: [%s]\n", tokens.c_str(), id_list.c_str());

    const std::string tiny = data + "/hf-bert-tiny/";
    attn::model bert = attn::load_bert(c, tiny + "tiny_a.safetensors", tiny + "tiny_a.config.json");
    attn::safetensors ref = attn::open_safetensors(c, tiny + "tiny_a.expected.safetensors");
    attn::tensor input_ids = attn::load_tensor(c, ref.get(), "input_ids", ATTN_I64);
    attn::tensor token_types = attn::load_tensor(c, ref.get(), "token_type_ids", ATTN_I64);
    attn::tensor mask = attn::load_tensor(c, ref.get(), "attention_mask", ATTN_I64);
    attn::tensor labels = attn::load_tensor(c, ref.get(), "labels", ATTN_I64);
    std::vector<float> expected_logits = attn::to_vector(attn::load_tensor(c, ref.get(), "logits", ATTN_F32).get());
    float expected_loss = attn::to_vector(attn::load_tensor(c, ref.get(), "loss", ATTN_F32).get()).at(0);

    attn::check(c, attn_model_forward(bert.get(), input_ids.get(), token_types.get(), mask.get()));
    std::vector<float> logits = attn::to_vector(attn_model_output(bert.get(), ATTN_OUT_LOGITS));
    double diff = max_abs_diff(logits, expected_logits), scale = 0;
    for (float v : expected_logits) scale = std::max(scale, std::fabs(double(v)));
    std::printf("logits [%lld, %lld]: max |diff| vs Hugging Face = %.3g (max |logit| %.3g)\n",
                (long long)attn_tensor_dim(attn_model_output(bert.get(), ATTN_OUT_LOGITS), 0),
                (long long)attn_tensor_dim(attn_model_output(bert.get(), ATTN_OUT_LOGITS), 1), diff, scale);
    bool ok = diff <= 1e-4 * scale;

    attn_optim_opts opts = {};
    opts.struct_size = sizeof opts;
    opts.kind = ATTN_OPTIM_ADAMW;
    opts.lr = 1e-3;
    opts.beta1 = 0.9;
    opts.beta2 = 0.999;
    opts.eps = 1e-6;
    opts.weight_decay = 0.01;
    attn::optimizer opt = attn::make_optimizer(c, opts);  // declared after the model: destroyed before it
    attn::check(c, attn_model_add_to_optim(bert.get(), opt.get(), 0, 0));

    int32_t count = attn_model_param_count(bert.get());
    std::vector<std::vector<float>> before;
    for (int32_t i = 0; i < count; i++) {
        attn_tensor *value = nullptr;
        attn::check(c, attn_model_param(bert.get(), i, nullptr, &value, nullptr));
        before.push_back(attn::to_vector(value));
    }
    float loss = 0;
    attn::check(c, attn_model_zero_grad(bert.get()));
    attn::check(c, attn_model_forward(bert.get(), input_ids.get(), token_types.get(), mask.get()));
    attn::check(c, attn_model_loss_backward(bert.get(), labels.get(), &loss));
    attn::check(c, attn_optim_step(opt.get()));
    int changed = 0;
    for (int32_t i = 0; i < count; i++) {
        attn_tensor *value = nullptr;
        attn::check(c, attn_model_param(bert.get(), i, nullptr, &value, nullptr));
        changed += attn::to_vector(value) != before[static_cast<size_t>(i)];
    }
    std::printf("one AdamW step: loss %.6f (Hugging Face %.6f), %d of %d parameters changed\n", loss, expected_loss,
                changed, count);
    ok = ok && std::fabs(loss - expected_loss) <= 1e-4 * std::max(1.0f, std::fabs(expected_loss)) && changed == count;

    // errors are exceptions carrying the library's message
    try {
        attn::load_bert(c, "/nonexistent/model.safetensors", tiny + "tiny_a.config.json");
        ok = false;
    } catch (const attn::error &e) {
        std::printf("expected error: status %d, %s\n", int(e.status()), e.what());
        ok = ok && e.status() == ATTN_ERR_IO;
    }
    return ok;
}

int main(int argc, char **argv) {
    const char *env = std::getenv("ATTN_TEST_DATA");
    std::string data = argc > 1 ? argv[1] : env ? env : "tests/data";
    try {
        bool ok = run(data);
        std::puts(ok ? "ok" : "FAILED");
        return ok ? 0 : 1;
    } catch (const attn::error &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
