"""BertModel through the binding against Hugging Face's outputs for the tiny
checkpoint (tiny_a.expected.safetensors: a padded batch of 4, the logits,
pooled output, hidden states and loss in eval mode, and every parameter after
one torch.optim.AdamW(lr=1e-3, eps=1e-6, weight_decay=0.01) step)."""
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import support
import libattn


class TinyBert(unittest.TestCase):
    def setUp(self):
        self.ctx = libattn.Context()
        self.model = libattn.BertModel.load(self.ctx, support.TINY_WEIGHTS, support.TINY_CONFIG)
        self.ref = libattn.SafetensorsFile(self.ctx, support.TINY_EXPECTED)
        self.batch = [self.ref.read(n).numpy() for n in ("input_ids", "token_type_ids", "attention_mask")]
        self.labels = self.ref.read("labels").numpy()

    def tearDown(self):
        self.ctx.close()

    def expected(self, name):
        return self.ref.read(name).numpy()

    def test_config_comes_from_config_json(self):
        cfg = self.model.config
        self.assertEqual((cfg["hidden_size"], cfg["num_layers"], cfg["num_heads"], cfg["num_labels"]), (64, 2, 4, 3))

    def test_forward_matches_hugging_face(self):
        out = self.model.forward(*self.batch)
        logits = self.expected("logits")
        self.assertEqual(out.logits.shape, (4, 3))
        self.assertLessEqual(np.abs(out.logits - logits).max(), 1e-4 * np.abs(logits).max())
        pooled = self.expected("pooler_output")
        self.assertLessEqual(np.abs(out.pooler_output - pooled).max(), 1e-4 * np.abs(pooled).max())
        # padded rows are skipped by default (zeros); real tokens match HF
        real = self.batch[2].astype(bool)
        hidden = self.expected("last_hidden_state")
        self.assertLessEqual(np.abs(out.last_hidden_state[real] - hidden[real]).max(), 1e-4 * np.abs(hidden).max())

    def test_forward_accepts_a_tokenizer_batch(self):
        tok = libattn.Tokenizer(self.ctx, support.VOCAB)
        batch = tok.encode_batch(["This is a sample sentence for text classification.", "hello"])
        from_batch = self.model.forward(batch).logits
        ids, types, mask = (t.numpy() for t in (batch.input_ids, batch.token_type_ids, batch.attention_mask))
        from_arrays = self.model.forward(ids, types, mask).logits
        self.assertEqual(from_batch.shape, (2, 3))
        np.testing.assert_array_equal(from_batch, from_arrays)

    def test_loss_matches_hugging_face(self):
        self.model.forward(*self.batch)
        self.assertAlmostEqual(self.model.loss(self.labels), float(self.expected("loss")[0]), delta=1e-5)

    def test_one_adamw_step_gives_hugging_faces_parameters(self):
        opt = libattn.Optimizer.adamw(self.ctx, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01)
        opt.add_model(self.model)
        self.assertEqual(opt.param_count, len(self.model.parameters()))
        before = {name: value.numpy() for name, value, _ in self.model.parameters()}
        loss = self.model.train_step(opt, self.labels, *self.batch)
        self.assertAlmostEqual(loss, float(self.expected("loss")[0]), delta=1e-5)
        self.assertEqual(opt.steps, 1)
        compared = 0
        for name, value, _ in self.model.parameters():
            after = value.numpy()
            self.assertFalse(np.array_equal(after, before[name]), f"{name} did not change")
            if "adamw1." + name in self.ref:
                np.testing.assert_allclose(after, self.expected("adamw1." + name), rtol=0, atol=5e-5, err_msg=name)
                compared += 1
        self.assertGreaterEqual(compared, 30)

    def test_a_frozen_encoder_trains_only_the_head_in_layerwise_groups(self):
        self.model.set("freeze", "encoder")
        opt = libattn.Optimizer.adamw(self.ctx, lr=1e-3, eps=1e-6, weight_decay=0.0)
        opt.add_model_layerwise(self.model, weight_decay=0.01, layer_lr_decay=0.5)
        self.assertEqual(opt.param_count, 2)  # classifier.weight and .bias
        before = {name: value.numpy() for name, value, _ in self.model.parameters()}
        self.model.train_step(opt, self.labels, *self.batch)
        for name, value, _ in self.model.parameters():
            same = np.array_equal(value.numpy(), before[name])
            self.assertEqual(same, not name.startswith("classifier."), name)

    def test_saved_weights_reload_to_the_same_logits(self):
        logits = self.model.forward(*self.batch).logits
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "saved.safetensors")
            self.model.save(path)
            again = libattn.BertModel.load(self.ctx, path, support.TINY_CONFIG)
            np.testing.assert_array_equal(again.forward(*self.batch).logits, logits)

    def test_errors_carry_the_library_message(self):
        with self.assertRaises(libattn.AttnIOError) as cm:
            libattn.BertModel.load(self.ctx, "/nonexistent/model.safetensors", support.TINY_CONFIG)
        self.assertIn("/nonexistent/model.safetensors", cm.exception.message)
        with self.assertRaises(libattn.AttnError) as cm:
            self.model.forward([[101, 102]], [[0, 0, 0]])  # token types of another length
        self.assertEqual(cm.exception.name, "ATTN_ERR_SHAPE")
        with self.assertRaises(libattn.NotFoundError):
            self.model.param("no.such.parameter")


class WithoutNumPy(unittest.TestCase):
    def test_outputs_are_lists_when_numpy_is_missing(self):
        code = (
            "import sys; sys.modules['numpy'] = None\n"
            f"sys.path.insert(0, {support.PACKAGE_ROOT!r})\n"
            "import libattn\n"
            "with libattn.Context() as ctx:\n"
            f"    m = libattn.BertModel.load(ctx, {support.TINY_WEIGHTS!r}, {support.TINY_CONFIG!r})\n"
            "    out = m.forward([[101, 7592, 102]])\n"
            "    assert isinstance(out.logits, list) and len(out.logits) == 1 and len(out.logits[0]) == 3\n"
            "    print('lists', m.loss([1]) > 0)\n")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), "lists True")


class Example(unittest.TestCase):
    def test_the_example_checks_pass(self):
        script = os.path.join(support.PACKAGE_ROOT, "examples", "tiny_bert.py")
        proc = subprocess.run([sys.executable, script, support.DATA], capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("tokens: [CLS] this is a sample sentence for text classification . [SEP]", proc.stdout)
        self.assertTrue(proc.stdout.rstrip().endswith("ok"))


if __name__ == "__main__":
    unittest.main()


class ModelFolder(unittest.TestCase):
    """BertModel.load_dir on a folder written by the library itself (config,
    weights, vocabulary): the options, embed and score_pairs through the binding."""

    def setUp(self):
        self.ctx = libattn.Context()
        self.dir = tempfile.mkdtemp()
        base = libattn.BertModel.load(self.ctx, support.TINY_WEIGHTS, support.TINY_CONFIG)
        base.save(os.path.join(self.dir, "model.safetensors"))
        with open(support.TINY_CONFIG) as f, open(os.path.join(self.dir, "config.json"), "w") as g:
            g.write(f.read())
        with open(support.VOCAB, "rb") as f, open(os.path.join(self.dir, "vocab.txt"), "wb") as g:
            g.write(f.read())

    def tearDown(self):
        self.ctx.close()

    def test_embed_and_options(self):
        m = libattn.BertModel.load_dir(self.ctx, self.dir, pooling="mean")
        self.assertEqual(m.get("pooling"), libattn.model.POOLINGS["mean"])
        self.assertIn("ignored", m.load_notes)  # the file's pooler, unused with mean pooling
        e = m.set("normalize", 1).embed(["hello world", "a second text"])
        self.assertEqual(e.shape, (2, m.embedding_dim))
        self.assertTrue(np.allclose((e ** 2).sum(1), 1.0, atol=1e-5))
        self.assertTrue(np.array_equal(m.embed(["a second text"])[0], e[1]))

    def test_score_pairs_needs_a_head_and_gives_one_row_per_pair(self):
        m = libattn.BertModel.load_dir(self.ctx, self.dir)
        s = m.score_pairs(["q one", "q two"], ["passage", "another passage"])
        self.assertEqual(s.shape, (2, 3))
        head_less = libattn.BertModel.load_dir(self.ctx, self.dir, num_labels=0)
        with self.assertRaises(libattn.StateError):
            head_less.score_pairs(["q"], ["p"])
