#!/usr/bin/env python3
"""Prints the GPU benchmark's figures: the engine per provider against the transformers reference
measured in the same run, and the fraction of the decode bandwidth bound (MODEL.md). Pure Python."""
import json
import sys
from pathlib import Path

# MODEL.md: 7.76 GB of weights read per generated token at batch 1.
BYTES_PER_TOKEN = 7.76e9
BANDWIDTH = {"H200": 4.8e12, "A100": 2.0e12}


def main(engine_path: str, reference_path: str, gpu: str) -> None:
    engine = json.loads(Path(engine_path).read_text())
    ref = json.loads(Path(reference_path).read_text()) if Path(reference_path).exists() else None
    # "none": a dry run on the tiny model, where a bound for the real model means nothing.
    bound = BANDWIDTH[gpu] / BYTES_PER_TOKEN if gpu in BANDWIDTH else None
    ref_rate = {d["batch"]: d["tokensPerSecond"] for d in ref["decode"]} if ref else {}
    best = None
    for r in engine["results"]:
        if "error" in r:
            print(f"{r['provider']}: unavailable ({r['error']})")
            continue
        line = f"{r['provider']}: load {r['loadSeconds']:.1f} s, image TTFT {r['imageTtftMs']:.1f} ms"
        if ref:
            line += f" (transformers {ref['imageTtftMs']:.1f} ms)"
        print(line)
        for d in r["decode"]:
            vs = f", x{d['tokensPerSecond'] / ref_rate[d['batch']]:.2f} of transformers" if d["batch"] in ref_rate else ""
            frac = f", {d['perRowTokensPerSecond'] / bound:.0%} of the batch-1 bound" if d["batch"] == 1 and bound else ""
            print(f"  batch {d['batch']}: {d['tokensPerSecond']:.1f} tokens/s{vs}{frac}")
            if d["batch"] == 1 and d["batch"] in ref_rate:
                ratio = d["tokensPerSecond"] / ref_rate[1]
                best = ratio if best is None else max(best, ratio)
    if bound:
        print(f"bandwidth bound at batch 1 on {gpu}: {bound:.0f} tokens/s")
    print(f"gpu-engine: {'n/a' if best is None else f'{best:.2f}'} (target >= 1.0)")


if __name__ == "__main__":
    main(*sys.argv[1:4])
