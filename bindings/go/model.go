package attn

/*
#include <stdlib.h>
#include <attn.h>
*/
import "C"

import "unsafe"

// BertConfig is a copy of a model's attn_bert_config.
type BertConfig struct {
	VocabSize, HiddenSize, NumLayers, NumHeads, IntermediateSize int32
	MaxPositionEmbeddings, TypeVocabSize, HiddenAct              int32
	LayerNormEps, HiddenDropout, AttentionDropout                float32
	ClassifierDropout, InitializerRange                          float32
	NumLabels, ProblemType, Pooling, NormPosition, PadTokenID    int32
}

// Array is a copied output: its shape and row-major values.
type Array struct {
	Shape []int64
	Data  []float32
}

// ModelOutput holds copies of one forward pass's outputs; Logits is nil
// for a model without a classification head.
type ModelOutput struct {
	LastHiddenState, PoolerOutput, Logits *Array
}

// BertModel is a BERT encoder with pooler and classification head.
type BertModel struct {
	ptr *C.attn_model
	ctx *Context
}

// LoadBert builds a model from a Hugging Face config.json and loads the
// safetensors weights.
func LoadBert(ctx *Context, weightsPath, configPath string) (*BertModel, error) {
	c, err := ctx.raw()
	if err != nil {
		return nil, err
	}
	w, cfg := C.CString(weightsPath), C.CString(configPath)
	defer C.free(unsafe.Pointer(w))
	defer C.free(unsafe.Pointer(cfg))
	var out *C.attn_model
	if err := check(C.attn_bert_load(c, w, cfg, &out), c); err != nil {
		return nil, err
	}
	m := &BertModel{ptr: out, ctx: ctx}
	ctx.adopt(m)
	return m, nil
}

func (m *BertModel) release() {
	if m.ptr != nil {
		C.attn_model_destroy(m.ptr)
		m.ptr = nil
	}
}

// Close frees the model (close optimizers using it first).
func (m *BertModel) Close() error {
	if m.ptr != nil {
		m.ctx.forget(m)
	}
	m.release()
	return nil
}

func (m *BertModel) raw() (*C.attn_model, *C.attn_ctx, error) {
	if m == nil || m.ptr == nil || m.ctx.ptr == nil {
		return nil, nil, invalid("the model is closed")
	}
	return m.ptr, m.ctx.ptr, nil
}

// Config returns a copy of the model's configuration.
func (m *BertModel) Config() BertConfig {
	p, _, err := m.raw()
	if err != nil {
		return BertConfig{}
	}
	c := C.attn_model_config(p)
	return BertConfig{
		VocabSize: int32(c.vocab_size), HiddenSize: int32(c.hidden_size), NumLayers: int32(c.num_layers),
		NumHeads: int32(c.num_heads), IntermediateSize: int32(c.intermediate_size),
		MaxPositionEmbeddings: int32(c.max_position_embeddings), TypeVocabSize: int32(c.type_vocab_size),
		HiddenAct: int32(c.hidden_act), LayerNormEps: float32(c.layer_norm_eps),
		HiddenDropout: float32(c.hidden_dropout), AttentionDropout: float32(c.attention_dropout),
		ClassifierDropout: float32(c.classifier_dropout), InitializerRange: float32(c.initializer_range),
		NumLabels: int32(c.num_labels), ProblemType: int32(c.problem_type), Pooling: int32(c.pooling),
		NormPosition: int32(c.norm_position), PadTokenID: int32(c.pad_token_id),
	}
}

// Forward runs the model on a padded batch: inputIDs [B, T] (int32 or
// int64); tokenTypeIDs and attentionMask may be nil.
func (m *BertModel) Forward(inputIDs, tokenTypeIDs, attentionMask *Tensor) (*ModelOutput, error) {
	p, c, err := m.raw()
	if err != nil {
		return nil, err
	}
	ids, err := inputIDs.rawOrNil()
	if err != nil {
		return nil, err
	}
	types, err := tokenTypeIDs.rawOrNil()
	if err != nil {
		return nil, err
	}
	mask, err := attentionMask.rawOrNil()
	if err != nil {
		return nil, err
	}
	if err := check(C.attn_model_forward(p, ids, types, mask), c); err != nil {
		return nil, err
	}
	out := &ModelOutput{}
	for kind, dst := range map[C.attn_model_output_kind]**Array{
		C.ATTN_OUT_LAST_HIDDEN: &out.LastHiddenState, C.ATTN_OUT_POOLED: &out.PoolerOutput,
		C.ATTN_OUT_LOGITS: &out.Logits} {
		t := C.attn_model_output(p, kind)
		if t == nil {
			continue
		}
		view := borrowed(m.ctx, t)
		data, err := view.Float32s()
		if err != nil {
			return nil, err
		}
		*dst = &Array{Shape: view.Shape(), Data: data}
	}
	return out, nil
}

// ForwardBatch runs the model on a tokenizer batch.
func (m *BertModel) ForwardBatch(b *Batch) (*ModelOutput, error) {
	return m.Forward(b.InputIDs(), b.TokenTypeIDs(), b.AttentionMask())
}

func (m *BertModel) loss(labels *Tensor, backward bool) (float32, error) {
	p, c, err := m.raw()
	if err != nil {
		return 0, err
	}
	l, _, err := labels.raw()
	if err != nil {
		return 0, err
	}
	var loss C.float
	status := C.attn_model_loss(p, l, &loss)
	if backward {
		status = C.attn_model_loss_backward(p, l, &loss)
	}
	return float32(loss), check(status, c)
}

// Loss is the loss of the last forward pass against labels (no backward).
func (m *BertModel) Loss(labels *Tensor) (float32, error) { return m.loss(labels, false) }

// LossBackward is the loss of the last forward pass; its gradients
// accumulate into every parameter.
func (m *BertModel) LossBackward(labels *Tensor) (float32, error) { return m.loss(labels, true) }

// ZeroGrad sets every parameter gradient to zero.
func (m *BertModel) ZeroGrad() error {
	p, c, err := m.raw()
	if err != nil {
		return err
	}
	return check(C.attn_model_zero_grad(p), c)
}

// SetTraining switches dropout on (true) or off (false, the default).
func (m *BertModel) SetTraining(training bool) error {
	p, c, err := m.raw()
	if err != nil {
		return err
	}
	v := C.int32_t(0)
	if training {
		v = 1
	}
	return check(C.attn_model_set_training(p, v), c)
}

// TrainStep zeroes the gradients, runs forward, loss and backward, and
// steps opt. It returns the loss before the step.
func (m *BertModel) TrainStep(opt *Optimizer, labels, inputIDs, tokenTypeIDs, attentionMask *Tensor) (float32, error) {
	if err := m.ZeroGrad(); err != nil {
		return 0, err
	}
	if _, err := m.Forward(inputIDs, tokenTypeIDs, attentionMask); err != nil {
		return 0, err
	}
	loss, err := m.LossBackward(labels)
	if err != nil {
		return 0, err
	}
	return loss, opt.Step()
}

// Save writes the parameters as a Hugging Face safetensors file, atomically.
func (m *BertModel) Save(path string) error {
	p, c, err := m.raw()
	if err != nil {
		return err
	}
	s := C.CString(path)
	defer C.free(unsafe.Pointer(s))
	return check(C.attn_model_save(p, s), c)
}

// ParamNames lists the parameters' Hugging Face names in the model's order.
func (m *BertModel) ParamNames() ([]string, error) {
	p, c, err := m.raw()
	if err != nil {
		return nil, err
	}
	n := int(C.attn_model_param_count(p))
	names := make([]string, n)
	for i := range names {
		var name *C.char
		if err := check(C.attn_model_param(p, C.int32_t(i), &name, nil, nil), c); err != nil {
			return nil, err
		}
		names[i] = C.GoString(name)
	}
	return names, nil
}

// Param returns a parameter's value and gradient by name (with or without
// "bert."), borrowed from the model.
func (m *BertModel) Param(name string) (value, grad *Tensor, err error) {
	p, c, err := m.raw()
	if err != nil {
		return nil, nil, err
	}
	s := C.CString(name)
	defer C.free(unsafe.Pointer(s))
	var v, g *C.attn_tensor
	if err := check(C.attn_model_find_param(p, s, &v, &g), c); err != nil {
		return nil, nil, err
	}
	return borrowed(m.ctx, v), borrowed(m.ctx, g), nil
}
