#!/usr/bin/env python3
"""The GPU benchmark's reference half, run on the GPU machine (PyTorch + transformers, no internet).

1. Builds Gemma3ForConditionalGeneration with the real Gemma 3 4B / DentalGemma dimensions and random
   weights (no download: the real weights are never available to this project's machines).
2. Measures the seed's own path on it: transformers `generate`, greedy, bf16, the same prompts and
   shapes as the engine (TTFT with an image; decode tokens/s at each batch size).
3. Exports the same weights to the ONNX layout the engine loads (fp16), reusing
   tools/model/export_dentalgemma.py's wrappers, so both halves run the very same model.

    python3 reference_model.py --prompts prompts.json --out /tmp/dg-model --batches 1,4,16 --tokens 128
"""
import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "model"))

# MODEL.md: hidden 2560, 34 layers, 8 query heads, 4 KV heads, head_dim 256, window 1024; SigLIP
# 27 layers, hidden 1152, 896 px, patch 14, 256 image tokens; vocabulary 262,208.
TEXT = dict(
    hidden_size=2560, intermediate_size=10240, num_hidden_layers=34, num_attention_heads=8,
    num_key_value_heads=4, head_dim=256, vocab_size=262208, sliding_window=1024,
    max_position_embeddings=131072, rope_theta=1_000_000.0, rope_local_base_freq=10_000.0,
    query_pre_attn_scalar=256, rope_scaling={"rope_type": "linear", "factor": 8.0},
)
VISION = dict(
    hidden_size=1152, intermediate_size=4304, num_hidden_layers=27, num_attention_heads=16,
    image_size=896, patch_size=14, vision_use_head=False,
)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--prompts", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--batches", default="1,4,16")
    p.add_argument("--tokens", type=int, default=128)
    p.add_argument("--layers", type=int, default=34, help="fewer layers for a quicker, smaller run")
    p.add_argument("--skip-export", action="store_true")
    return p.parse_args()


def build(layers: int):
    import torch
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    cfg = Gemma3Config(
        text_config={**TEXT, "num_hidden_layers": layers},
        vision_config=VISION,
        mm_tokens_per_image=256, image_token_index=262144, boi_token_index=255999, eoi_token_index=256000,
    )
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = Gemma3ForConditionalGeneration(cfg).to(torch.bfloat16).eval()
    # Random init draws huge logits from an untrained head; scale it so greedy decoding is sane.
    with torch.no_grad():
        model.lm_head.weight.mul_(0.02)
    return model, cfg


def timed(fn):
    import torch

    torch.cuda.synchronize()
    t = time.perf_counter()
    out = fn()
    torch.cuda.synchronize()
    return out, time.perf_counter() - t


def reference(model, prompts, batches, tokens):
    import torch

    dev = "cuda"
    image_ids = torch.tensor([prompts["image"]], device=dev)
    pixels = torch.randn(1, 3, 896, 896, device=dev, dtype=torch.bfloat16)
    gen = dict(do_sample=False, eos_token_id=None, pad_token_id=0)
    with torch.no_grad():
        model.generate(input_ids=image_ids, pixel_values=pixels, max_new_tokens=2, min_new_tokens=2, **gen)  # warm-up
        ttft = sorted(
            timed(lambda: model.generate(input_ids=image_ids, pixel_values=pixels, max_new_tokens=1, min_new_tokens=1, **gen))[1]
            for _ in range(3)
        )[1]
        decode = []
        for b in batches:
            ids = torch.tensor([prompts["text"]] * b, device=dev)
            _, first = timed(lambda: model.generate(input_ids=ids, max_new_tokens=1, min_new_tokens=1, **gen))
            _, full = timed(lambda: model.generate(input_ids=ids, max_new_tokens=tokens, min_new_tokens=tokens, **gen))
            per_row = (tokens - 1) / max(full - first, 1e-9)
            decode.append({"batch": b, "tokensPerSecond": per_row * b, "perRowTokensPerSecond": per_row})
            print(f"  transformers batch {b}: {per_row * b:.1f} tokens/s ({per_row:.1f} per sequence)", flush=True)
    return {"imageTtftMs": ttft * 1000, "decode": decode}


def export(model, out: Path):
    """fp16 ONNX of the same weights, in the layout the engine loads (files without a suffix)."""
    import torch
    import export_dentalgemma as ex

    model = model.to(torch.float32).to("cpu")  # the exporter's wrappers trace in fp32 on the host
    ex.export_fp32(model, out)
    ex.derive_variants(out, ["fp16"])
    (out / "config.json").write_text(model.config.to_json_string())
    (out / "generation_config.json").write_text(json.dumps({"bos_token_id": 2, "pad_token_id": 0, "eos_token_id": [1, 106]}))


def main():
    args = parse_args()
    prompts = json.loads(args.prompts.read_text())
    batches = [int(b) for b in args.batches.split(",")]
    model, _ = build(args.layers)
    print("reference (PyTorch + transformers, bf16, greedy):", flush=True)
    result = reference(model, prompts, batches, args.tokens)
    result["layers"] = args.layers
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "reference.json").write_text(json.dumps(result, indent=2))
    if not args.skip_export:
        export(model, args.out)


if __name__ == "__main__":
    main()
