// Command tiny_bert uses libattn from Go, end to end on the tiny Hugging
// Face checkpoint: tokenize a sentence, run the model on the batch stored
// with the reference outputs, compare its logits with Hugging Face's, take
// one AdamW step and compare the loss. Exits with status 1 if a check fails.
//
//	go run ./examples/tiny_bert [DATA_DIR]   (default $ATTN_TEST_DATA or tests/data)
package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"libattn/attn"
)

func maxAbsDiff(a, b []float32) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

func run(data string) (bool, error) {
	ctx, err := attn.NewContext()
	if err != nil {
		return false, err
	}
	defer ctx.Close() // closes everything below, newest first
	_, version := attn.Version()
	fmt.Printf("libattn %s\n", version)

	tok, err := attn.LoadTokenizer(ctx, filepath.Join(data, "bert-base-uncased", "vocab.txt"), true)
	if err != nil {
		return false, err
	}
	ids, _, err := tok.Encode("This is a sample sentence for text classification.", 0)
	if err != nil {
		return false, err
	}
	tokens := make([]string, len(ids))
	for i, id := range ids {
		tokens[i], _ = tok.IDToToken(id)
	}
	fmt.Printf("tokens: %s\nids: %v\n", strings.Join(tokens, " "), ids)

	tiny := filepath.Join(data, "hf-bert-tiny")
	model, err := attn.LoadBert(ctx, filepath.Join(tiny, "tiny_a.safetensors"), filepath.Join(tiny, "tiny_a.config.json"))
	if err != nil {
		return false, err
	}
	ref, err := attn.OpenSafetensors(ctx, filepath.Join(tiny, "tiny_a.expected.safetensors"))
	if err != nil {
		return false, err
	}
	tensors := map[string]*attn.Tensor{}
	for _, name := range []string{"input_ids", "token_type_ids", "attention_mask", "labels", "logits", "loss"} {
		dtype := attn.Int64
		if name == "logits" || name == "loss" {
			dtype = attn.Float32
		}
		if tensors[name], err = ref.Load(name, dtype); err != nil {
			return false, err
		}
	}
	expectedLogits, _ := tensors["logits"].Float32s()
	lossValues, _ := tensors["loss"].Float32s()
	expectedLoss := lossValues[0]

	out, err := model.Forward(tensors["input_ids"], tensors["token_type_ids"], tensors["attention_mask"])
	if err != nil {
		return false, err
	}
	diff, scale := maxAbsDiff(out.Logits.Data, expectedLogits), 0.0
	for _, v := range expectedLogits {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	fmt.Printf("logits %v: max |diff| vs Hugging Face = %.3g (max |logit| %.3g)\n", out.Logits.Shape, diff, scale)
	ok := diff <= 1e-4*scale

	opt, err := attn.NewAdamW(ctx, attn.AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 0.01})
	if err != nil {
		return false, err
	}
	if err := opt.AddModel(model); err != nil {
		return false, err
	}
	names, err := model.ParamNames()
	if err != nil {
		return false, err
	}
	before := make([][]float32, len(names))
	for i, name := range names {
		value, _, _ := model.Param(name)
		before[i], _ = value.Float32s()
	}
	loss, err := model.TrainStep(opt, tensors["labels"], tensors["input_ids"], tensors["token_type_ids"],
		tensors["attention_mask"])
	if err != nil {
		return false, err
	}
	changed := 0
	for i, name := range names {
		value, _, _ := model.Param(name)
		after, _ := value.Float32s()
		if maxAbsDiff(after, before[i]) > 0 {
			changed++
		}
	}
	fmt.Printf("one AdamW step: loss %.6f (Hugging Face %.6f), %d of %d parameters changed\n",
		loss, expectedLoss, changed, len(names))
	ok = ok && math.Abs(float64(loss-expectedLoss)) <= 1e-4*math.Max(1, math.Abs(float64(expectedLoss))) &&
		changed == len(names)
	return ok, nil
}

func main() {
	data := os.Getenv("ATTN_TEST_DATA")
	if len(os.Args) > 1 {
		data = os.Args[1]
	}
	if data == "" {
		data = filepath.Join("tests", "data")
	}
	ok, err := run(data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if !ok {
		fmt.Println("FAILED")
		os.Exit(1)
	}
	fmt.Println("ok")
}
