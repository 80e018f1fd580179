"""Peak memory and time of naive vs chunked (memory-efficient) attention against sequence length.

    python scripts/benchmark_memory.py                      # CPU, n = 1024 ... 16384, d = 64, float32
    python scripts/benchmark_memory.py --device cuda        # on a GPU
    python scripts/benchmark_memory.py --max-n 4096 --threads 2

Not a timed test: it needs several GiB of memory at n = 16384 (the naive score matrix alone is
n² · 4 bytes = 1 GiB) and tens of seconds. Peak memory is measured two ways, which agree:

- ``tensors``: ``attnlab.complexity.tensor_peak_memory``, an exact count of the bytes of the
  tensors the call creates and frees (a TorchDispatchMode), independent of the allocator;
- ``process``: ``attnlab.complexity.peak_memory``, what the system saw: on a GPU
  ``torch.cuda.max_memory_allocated``; on a CPU the resident-set high-water mark (VmHWM), reset
  through ``/proc/self/clear_refs`` before the call, after returning free heap pages with
  ``malloc_trim``. It includes the allocator's overhead and fragmentation, and some noise from
  whatever else the process does.
"""

from __future__ import annotations

import argparse

import torch

from attnlab.attention import chunked_attention, scaled_dot_product_attention
from attnlab.complexity import peak_memory, tensor_peak_memory, time_call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--max-n", type=int, default=16384)
    parser.add_argument("--chunk-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    methods = {"naive": lambda q, k, v: scaled_dot_product_attention(q, k, v)[0],
               "chunked": lambda q, k, v: chunked_attention(q, k, v, chunk_size=args.chunk_size)}
    generator = torch.Generator().manual_seed(0)
    warm = [torch.randn(1, 256, args.d, generator=generator).to(device) for _ in range(3)]
    for method in methods.values():  # first calls allocate thread pools and caches; keep them out
        method(*warm)
    print(f"device {device}, d = {args.d}, float32, batch 1, chunk_size {args.chunk_size}, "
          f"{torch.get_num_threads()} threads")
    print("| n | naive peak, tensors (MiB) | chunked peak, tensors (MiB) | ratio | naive peak, process (MiB) "
          "| chunked peak, process (MiB) | ratio | naive time (s) | chunked time (s) | time ratio |")
    print("| ---: " * 10 + "|")
    n = 1024
    while n <= args.max_n:
        q, k, v = (torch.randn(1, n, args.d, generator=generator).to(device) for _ in range(3))
        with torch.no_grad():
            torch.testing.assert_close(methods["chunked"](q, k, v), methods["naive"](q, k, v), atol=1e-4, rtol=1e-4)
        tensors = {name: tensor_peak_memory(lambda: method(q, k, v)) for name, method in methods.items()}
        peak = {name: peak_memory(lambda: method(q, k, v), device) for name, method in methods.items()}
        seconds = {name: time_call(lambda: method(q, k, v), repeats=args.repeats) for name, method in methods.items()}
        print(f"| {n} | {tensors['naive'] / 2**20:.1f} | {tensors['chunked'] / 2**20:.1f} | "
              f"{tensors['naive'] / tensors['chunked']:.1f} | {peak['naive'] / 2**20:.1f} | {peak['chunked'] / 2**20:.1f} | "
              f"{peak['naive'] / max(peak['chunked'], 1):.1f} | {seconds['naive']:.3f} | {seconds['chunked']:.3f} | "
              f"{seconds['chunked'] / seconds['naive']:.2f} |", flush=True)
        n *= 2


if __name__ == "__main__":
    main()
