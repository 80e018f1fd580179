"""What a layer costs: parameters, floating-point operations, wall time and peak memory.

Introduced in chapter 3 ("What attention costs"), to test the notes' claims A1, A2 and A5 by
measurement. Layers are compared at equal width ``d`` (``d_model``) on sequences of length ``n``.
FLOPs count the matrix products (a multiply–add is 2 FLOPs), as
``torch.utils.flop_counter.FlopCounterMode`` does; softmax, tanh and the like are left out.
"""

from __future__ import annotations

import ctypes
import time
from typing import Callable

import weakref

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves
from torch.utils.flop_counter import FlopCounterMode

__all__ = ["GATES", "attention_parameters", "rnn_parameters", "cnn_parameters", "attention_flops",
           "rnn_flops", "cnn_flops", "count_flops", "time_call", "peak_memory", "tensor_peak_memory",
           "sequential_steps"]

GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # weight blocks per recurrent cell (PyTorch's nn.RNN/GRU/LSTM)


def _positive(**numbers: int) -> None:
    for name, value in numbers.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


def _gates(kind: str) -> int:
    if kind not in GATES:
        raise ValueError(f"kind must be one of {sorted(GATES)}, got {kind!r}")
    return GATES[kind]


def attention_parameters(d: int, bias: bool = True) -> int:
    """Parameters of a self-attention layer (any number of heads): 4 projections d × d, ``4d² + 4d``."""
    _positive(d=d)
    return 4 * d * d + (4 * d if bias else 0)


def rnn_parameters(d: int, kind: str = "rnn") -> int:
    """Parameters of one recurrent layer of width d: ``gates × (2d² + 2d)`` (input and hidden weights and biases)."""
    _positive(d=d)
    return _gates(kind) * (2 * d * d + 2 * d)


def cnn_parameters(d: int, kernel_size: int) -> int:
    """Parameters of a 1-D convolution d → d channels: ``kernel_size · d² + d``."""
    _positive(d=d, kernel_size=kernel_size)
    return kernel_size * d * d + d


def attention_flops(n: int, d: int) -> int:
    """FLOPs of self-attention on n tokens: projections ``4 · 2nd²`` plus scores and average ``2 · 2n²d``."""
    _positive(n=n, d=d)
    return 8 * n * d * d + 4 * n * n * d


def rnn_flops(n: int, d: int, kind: str = "rnn") -> int:
    """FLOPs of a recurrent layer over n steps: ``gates · n · 2 · 2d²`` (input and hidden products)."""
    _positive(n=n, d=d)
    return _gates(kind) * 4 * n * d * d


def cnn_flops(n: int, d: int, kernel_size: int) -> int:
    """FLOPs of a 1-D convolution d → d over n positions (same padding): ``2 · n · kernel_size · d²``."""
    _positive(n=n, d=d, kernel_size=kernel_size)
    return 2 * n * kernel_size * d * d


def count_flops(function: Callable[[], object]) -> int:
    """The matrix-product FLOPs PyTorch performs while calling ``function()``."""
    with FlopCounterMode(display=False) as counter:
        function()
    return counter.get_total_flops()


def time_call(function: Callable[[], object], repeats: int = 5, warmup: int = 1, grad: bool = False) -> float:
    """The best (smallest) wall time of ``function()`` over ``repeats`` calls, in seconds.

    After ``warmup`` untimed calls. Like ``timeit``, it reports the minimum: other processes can
    only make a call slower, so the minimum is the least disturbed estimate. The calls run under
    ``torch.no_grad()`` unless ``grad=True`` (to time a forward and backward pass).
    """
    _positive(repeats=repeats)
    with torch.set_grad_enabled(grad):
        for _ in range(warmup):
            function()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function()
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
    return min(times)


def _proc_status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def _release_free_heap() -> None:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the measurement may under-count blocks reused from the heap


def peak_memory(function: Callable[[], object], device: torch.device | str = "cpu") -> int:
    """Bytes of memory ``function()`` needs at its peak, beyond what was in use before.

    On a GPU: ``torch.cuda.max_memory_allocated`` (exact, counts tensors). On a CPU (Linux only):
    the kernel's high-water mark of the resident set, reset through ``/proc/self/clear_refs``
    before the call; large tensors are allocated with mmap and returned to the system when freed,
    so the high-water mark minus the resident set before the call is the call's peak, to within
    a page-cache margin of about a megabyte. glibc may serve a block from heap memory freed
    earlier, which is still resident and which the high-water mark would not see; releasing all
    free heap pages first (``malloc_trim(0)``) makes every block the call uses count, so a method
    that allocates many small blocks is not flattered.
    """
    device = torch.device(device)
    with torch.no_grad():
        if device.type == "cuda":
            torch.cuda.synchronize()
            before = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()
            function()
            torch.cuda.synchronize()
            return torch.cuda.max_memory_allocated() - before
        _release_free_heap()
        try:
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")  # reset the peak resident set size (VmHWM) to the current one
        except OSError as error:
            raise RuntimeError("peak_memory on a CPU needs Linux's /proc/self/clear_refs") from error
        before = _proc_status("VmRSS")
        function()
        return max(0, _proc_status("VmHWM") - before)


class _TensorMemoryTracker(TorchDispatchMode):
    """Adds up the bytes of every new tensor storage an operation creates, minus those freed."""

    def __init__(self):
        super().__init__()
        self.live = self.peak = 0
        self.storages: set[int] = set()  # data pointers of the live storages counted so far

    def _free(self, pointer: int, nbytes: int) -> None:
        self.storages.discard(pointer)
        self.live -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        returns = func._schema.returns
        for i, tensor in enumerate(tree_leaves(out)):
            aliases_input = i < len(returns) and returns[i].alias_info is not None  # views, in-place ops
            if isinstance(tensor, torch.Tensor) and not aliases_input:
                storage = tensor.untyped_storage()
                pointer = storage.data_ptr()
                if pointer in self.storages or storage.nbytes() == 0:  # e.g. _unsafe_view of a new result
                    continue
                self.storages.add(pointer)
                self.live += storage.nbytes()
                self.peak = max(self.peak, self.live)
                weakref.finalize(storage, self._free, pointer, storage.nbytes())
        return out


def tensor_peak_memory(function: Callable[[], object]) -> int:
    """The largest number of bytes of tensors created by ``function()`` that are alive at once.

    Exact accounting of every tensor PyTorch allocates during the call (through a
    ``TorchDispatchMode``), independent of the allocator, the device and other processes; the
    inputs, which exist before the call, are not counted, the output is.
    """
    tracker = _TensorMemoryTracker()
    with torch.no_grad(), tracker:
        function()
    return tracker.peak


_MATRIX_PRODUCTS = {"mm", "bmm", "addmm", "baddbmm", "addbmm", "addmv", "mv", "dot", "vdot", "convolution",
                    "mkldnn_rnn_layer", "_cudnn_rnn",  # a fused recurrent layer: one step for its whole loop
                    "_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_flash_attention",
                    "_scaled_dot_product_efficient_attention", "_scaled_dot_product_cudnn_attention"}


class _DepthTracker(TorchDispatchMode):
    """Gives every tensor created a depth: the longest chain of matrix products it depends on."""

    def __init__(self):
        super().__init__()
        self.depth: dict[int, int] = {}
        self.keep: list[torch.Tensor] = []  # keep the tensors alive so that their ids are not reused
        self.products = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        inputs = [t for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
        depth = max((self.depth.get(id(t), 0) for t in inputs), default=0)
        if func.overloadpacket.__name__ in _MATRIX_PRODUCTS:
            depth += 1
            self.products += 1
        for t in tree_leaves(out):
            if isinstance(t, torch.Tensor):
                self.depth[id(t)] = depth  # an in-place result is one of the inputs: depth includes its own
                self.keep.append(t)
        return out


def sequential_steps(function: Callable[[], object]) -> int:
    """The number of sequential steps of ``function()``: the longest chain of matrix products in
    which each one needs the result of the one before.

    Introduced in chapter 8 ("Q1: parallelism, measured"). Every tensor created during the call
    is given a depth, the largest depth of its inputs, plus one if the operation is a matrix
    product (``mm``, ``bmm``, ``addmm``, a convolution, a fused attention kernel, ...); the
    result is the largest depth reached. Products on the same level can run at the same time,
    however many there are: an RNN over n tokens has n steps, a self-attention layer a constant
    number. A fused kernel that loops inside (``nn.LSTM``'s on a CPU) counts as one step, so
    count unfused code (``nn.GRU`` on a CPU runs its cells one by one, and is counted so).
    """
    tracker = _DepthTracker()
    with torch.no_grad(), tracker:
        function()
    return max(tracker.depth.values(), default=0)
