"""Chunked (online-softmax) attention against PyTorch's fused kernel: time and peak memory, as ratios.

    python scripts/bench_attention.py                          # n = 16384, d = 64, 1 and 2 threads
    python scripts/bench_attention.py --n 4096 16384 --threads 1
    python scripts/bench_attention.py --blocks 512x1024 512x4096 256x512

The goal of chapter 8 ("Q1: parallelism, measured"): ``attnlab.attention.chunked_attention``
within 2× of ``torch.nn.functional.scaled_dot_product_attention``'s time at n = 16,384, d = 64,
at no more than 1/20 of the naive attention's peak memory. Inputs are 4-D (batch, heads, n, d):
only then does PyTorch take its fused (flash) path on a CPU. All three methods run in the same
process on the same inputs, so the *ratios* are what to read; the absolute times depend on the
machine and its load (the minimum of ``--repeats`` calls is kept, as ``timeit`` does).

Peak memory is the exact count of the bytes of the tensors each call creates
(``attnlab.complexity.tensor_peak_memory``); the naive attention's is measured too (it needs
2 · n² · 4 bytes, 2 GiB at n = 16,384: pass ``--skip-naive`` on a small machine, and its peak
is then computed as that product). Not a timed test: it takes tens of seconds.
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from attnlab.attention import chunked_attention, scaled_dot_product_attention
from attnlab.complexity import tensor_peak_memory, time_call


def parse_block(text: str) -> tuple[int, int]:
    keys, queries = text.lower().split("x")
    return int(keys), int(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[16384])
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--heads", type=int, default=1)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--blocks", type=parse_block, nargs="+", default=[(512, 4096), (512, 1024)],
                        help="chunk_size x query_chunk_size pairs to try (default: 512x4096 512x1024)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    print("| threads | n | method | time (s) | time / fused | peak (MiB) | peak / naive |")
    print("|---|---|---|---|---|---|---|")
    for n in args.n:
        q, k, v = (torch.randn(1, args.heads, n, args.d, generator=generator) for _ in range(3))
        fused = F.scaled_dot_product_attention(q, k, v)
        methods = {"fused (F.scaled_dot_product_attention)": lambda: F.scaled_dot_product_attention(q, k, v)}
        for chunk, query_chunk in args.blocks:
            out = chunked_attention(q, k, v, chunk_size=chunk, query_chunk_size=query_chunk)
            torch.testing.assert_close(out, fused, atol=1e-4, rtol=1e-4)
            methods[f"chunked {chunk} keys x {query_chunk} queries"] = (
                lambda c=chunk, qc=query_chunk: chunked_attention(q, k, v, chunk_size=c, query_chunk_size=qc))
        if args.skip_naive:
            naive_peak = 2 * n * n * 4 * args.heads + n * args.d * 4 * args.heads
        else:
            naive = lambda: scaled_dot_product_attention(q, k, v)[0]
            naive_peak = tensor_peak_memory(naive)
        peaks = {name: tensor_peak_memory(method) for name, method in methods.items()}
        for threads in args.threads:
            previous = torch.get_num_threads()
            torch.set_num_threads(threads)
            try:
                times = {name: time_call(method, repeats=args.repeats) for name, method in methods.items()}
                if not args.skip_naive:
                    times["naive (scores, softmax, weights @ values)"] = time_call(naive, repeats=args.repeats)
                    peaks["naive (scores, softmax, weights @ values)"] = naive_peak
            finally:
                torch.set_num_threads(previous)
            base = times["fused (F.scaled_dot_product_attention)"]
            for name, seconds in times.items():
                print(f"| {threads} | {n} | {name} | {seconds:.3f} | {seconds / base:.2f} | "
                      f"{peaks[name] / 2**20:.1f} | {peaks[name] / naive_peak:.4f} |", flush=True)


if __name__ == "__main__":
    main()
