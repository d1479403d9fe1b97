// A small C++ layer over libattn's C API, for programs that use it from C++:
// std::unique_ptr handles whose deleters call the attn_*_destroy functions,
// and attn::error, an exception carrying the status and the library's
// message. Header-only; copy it into your project.
//
// Declare the context first: C++ destroys locals in reverse order, so every
// object goes before the context it belongs to, as the C API requires.
#ifndef ATTN_HPP
#define ATTN_HPP

#include <attn.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace attn {

template <typename T, void (*Destroy)(T *)>
struct deleter {
    void operator()(T *p) const noexcept { Destroy(p); }
};

using context = std::unique_ptr<attn_ctx, deleter<attn_ctx, attn_ctx_destroy>>;
using tensor = std::unique_ptr<attn_tensor, deleter<attn_tensor, attn_tensor_destroy>>;
using tokenizer = std::unique_ptr<attn_tokenizer, deleter<attn_tokenizer, attn_tokenizer_destroy>>;
using batch = std::unique_ptr<attn_batch, deleter<attn_batch, attn_batch_destroy>>;
using model = std::unique_ptr<attn_model, deleter<attn_model, attn_model_destroy>>;
using optimizer = std::unique_ptr<attn_optim, deleter<attn_optim, attn_optim_destroy>>;
using safetensors = std::unique_ptr<attn_safetensors, deleter<attn_safetensors, attn_safetensors_close>>;

// A failed call: status() is the attn_status, what() the library's message.
class error : public std::runtime_error {
public:
    error(attn_status status, const std::string &message)
        : std::runtime_error(message + " [" + name_of(status) + "]"), status_(status) {}
    attn_status status() const noexcept { return status_; }

private:
    static std::string name_of(attn_status status) {
        const char *s = attn_status_str(status);
        return std::string(s, std::strcspn(s, ":"));
    }
    attn_status status_;
};

// Throws attn::error for a non-OK status, with ctx's detailed message.
inline void check(const attn_ctx *ctx, attn_status status) {
    if (status != ATTN_OK) throw error(status, attn_ctx_last_error(ctx));
}

// A context, after checking that the loaded library is the major version
// this program was compiled against and at least as new.
inline context make_context() {
    uint32_t loaded = attn_version_number();
    if (loaded / 10000 != ATTN_VERSION_MAJOR || loaded < ATTN_VERSION_NUMBER)
        throw error(ATTN_ERR_UNSUPPORTED, std::string("compiled against libattn ") + ATTN_VERSION_STRING +
                                              ", loaded " + attn_version_string());
    attn_ctx *ctx = nullptr;
    check(nullptr, attn_ctx_create(&ctx));
    return context(ctx);
}

inline tokenizer load_tokenizer(attn_ctx *ctx, const std::string &vocab, uint32_t flags) {
    attn_tokenizer *t = nullptr;
    check(ctx, attn_tokenizer_load(ctx, vocab.c_str(), flags, &t));
    return tokenizer(t);
}

inline model load_bert(attn_ctx *ctx, const std::string &weights, const std::string &config) {
    attn_model *m = nullptr;
    check(ctx, attn_bert_load(ctx, weights.c_str(), config.c_str(), &m));
    return model(m);
}

inline safetensors open_safetensors(attn_ctx *ctx, const std::string &path) {
    attn_safetensors *f = nullptr;
    check(ctx, attn_safetensors_open(ctx, path.c_str(), &f));
    return safetensors(f);
}

inline tensor load_tensor(attn_ctx *ctx, attn_safetensors *file, const std::string &name, attn_dtype dtype) {
    attn_tensor *t = nullptr;
    check(ctx, attn_safetensors_load(file, name.c_str(), dtype, &t));
    return tensor(t);
}

inline optimizer make_optimizer(attn_ctx *ctx, const attn_optim_opts &opts) {
    attn_optim *o = nullptr;
    check(ctx, attn_optim_create(ctx, &opts, &o));
    return optimizer(o);
}

// A copy of a float32 tensor's values (converted by the library otherwise).
inline std::vector<float> to_vector(const attn_tensor *t) {
    std::vector<float> v(static_cast<size_t>(attn_tensor_numel(t)));
    check(attn_tensor_ctx(t), attn_tensor_read(t, ATTN_F32, v.data(), v.size() * sizeof(float)));
    return v;
}

}  // namespace attn

#endif  // ATTN_HPP
