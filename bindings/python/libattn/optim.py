"""Optimizer: SGD, Adam and AdamW with torch.optim's update rules
(include/attn/optim.h). Parameters come from a model (add_model) and are
updated in place by step()."""
import ctypes

from ._lib import lib, OptimOptsStruct
from .context import Handle

SGD, ADAM, ADAMW = 0, 1, 2


class Optimizer(Handle):
    """Use the constructors: Optimizer.adamw(ctx, lr=2e-5), .adam(...), .sgd(...)."""
    _destroy = "attn_optim_destroy"

    def __init__(self, ctx, kind, lr, momentum=0.0, dampening=0.0, nesterov=False, amsgrad=False,
                 betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        opts = OptimOptsStruct(struct_size=ctypes.sizeof(OptimOptsStruct), kind=kind, lr=lr, momentum=momentum,
                               dampening=dampening, nesterov=int(nesterov), amsgrad=int(amsgrad),
                               beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay)
        out = ctypes.c_void_p()
        status = lib().attn_optim_create(ctx.handle, ctypes.byref(opts), ctypes.byref(out))
        super().__init__(ctx, out.value)
        self._models = []  # the optimizer borrows their tensors
        self._check(status, "attn_optim_create")

    @classmethod
    def sgd(cls, ctx, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        return cls(ctx, SGD, lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                   weight_decay=weight_decay)

    @classmethod
    def adam(cls, ctx, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        return cls(ctx, ADAM, lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    @classmethod
    def adamw(cls, ctx, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False):
        return cls(ctx, ADAMW, lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def add_model(self, model, decay_group=0, no_decay_group=0):
        """Adds every parameter of model (group 0 decays all, as
        torch.optim.AdamW(model.parameters()) does)."""
        self._check(lib().attn_model_add_to_optim(model.handle, self.handle, int(decay_group),
                                                  int(no_decay_group)), "attn_model_add_to_optim")
        self._models.append(model)

    def add_model_layerwise(self, model, weight_decay=0.01, layer_lr_decay=1.0):
        """Adds the model's trainable parameters in per-depth groups (attn_model_add_to_optim_layerwise):
        learning rate scaled by layer_lr_decay per block below the head, no decay on biases and LayerNorm."""
        self._check(lib().attn_model_add_to_optim_layerwise(model.handle, self.handle, float(weight_decay),
                                                            float(layer_lr_decay)),
                    "attn_model_add_to_optim_layerwise")
        self._models.append(model)

    @property
    def param_count(self):
        return lib().attn_optim_param_count(self.handle)

    @property
    def lr(self):
        v = ctypes.c_double()
        self._check(lib().attn_optim_get_lr(self.handle, ctypes.byref(v)), "attn_optim_get_lr")
        return v.value

    @lr.setter
    def lr(self, value):
        self._check(lib().attn_optim_set_lr(self.handle, float(value)), "attn_optim_set_lr")

    @property
    def steps(self):
        v = ctypes.c_int64()
        self._check(lib().attn_optim_get_step(self.handle, ctypes.byref(v)), "attn_optim_get_step")
        return v.value

    def step(self):
        self._check(lib().attn_optim_step(self.handle), "attn_optim_step")

    def zero_grad(self):
        self._check(lib().attn_optim_zero_grad(self.handle), "attn_optim_zero_grad")
