#!/usr/bin/env python3
"""Export DentalGemma 1.5 4B IT (a Gemma 3 4B VLM) to the ONNX folder layout the platform serves.

NOT run in CI or at platform run time: run it once, on a machine with internet, Python and enough
memory (fp32 export of a 4.3 B-parameter model: ~64 GB RAM and ~80 GB disk; no GPU needed), then upload the output
folder (with its manifest.json) to the model store. The layout is the Hugging Face / transformers.js
convention, the same one `tools/model` generates for the tiny stand-in:

    config.json, generation_config.json, preprocessor_config.json, processor_config.json,
    special_tokens_map.json, tokenizer.json, tokenizer_config.json, chat_template.jinja,
    onnx/vision_encoder{S}.onnx        pixel_values [B,3,896,896]        -> image_features [B,256,2560]
    onnx/embed_tokens{S}.onnx          input_ids int64 [B,S]             -> inputs_embeds [B,S,2560]
                                       (Gemma3TextScaledWordEmbedding: already multiplied by sqrt(2560))
    onnx/decoder_model_merged{S}.onnx  inputs_embeds, attention_mask [B,T], position_ids [B,S],
                                       past_key_values.{i}.key/.value [B,4,P,256]
                                       -> logits [B,S,262208], present.{i}.key/.value [B,4,T,256]
    manifest.json                      SHA-256 and size of every file, source model id and revision

{S} is the precision suffix: "" (fp32), "_fp16", "_q4" (4-bit block-quantized MatMul weights, fp32
activations), "_q4f16". Graphs over 2 GB keep their weights in one `<name>.onnx_data` file beside them.

Conventions the engine relies on (identical in the tiny model):
- dim names batch_size, sequence_length, total_sequence_length, past_sequence_length (transformers.js
  sizes the first, empty cache from them);
- present.{i} = concat(past.{i}, new) on the sequence axis for EVERY layer, sliding ones included
  (the 1024-token window is applied by the mask, never by cropping the cache);
- position_ids are 1-based (cumsum(attention_mask), as transformers.js does for gemma3); RoPE makes
  the offset irrelevant up to rounding.

Known approximation: in PyTorch, Gemma 3 lets the 256 soft tokens of one image attend to each other
bidirectionally at prefill (token_type_ids). This layout has no token_type_ids input, so the exported
decoder is causal everywhere. The parity step at the end measures the effect (greedy tokens, PyTorch
vs ONNX); record its output with the export.

Usage:
    python -m venv .venv && . .venv/bin/activate
    pip install "torch>=2.4" "transformers>=4.53,<5" huggingface_hub onnx "onnxruntime>=1.20" \
        onnxconverter-common pillow numpy
    huggingface-cli login        # if the model repository is gated
    python tools/model/export_dentalgemma.py --out models/dentalgemma-1.5-4b-it-onnx \
        --variants fp32,fp16,q4
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

MODEL_ID = os.environ.get("DENTALGEMMA_HF_ID", "naazimsnh02/dentalgemma-1.5-4b-it")
OPSET = 17
COPIED_FILES = [
    "config.json",
    "generation_config.json",
    "preprocessor_config.json",
    "processor_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "chat_template.jinja",
]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-id", default=MODEL_ID, help="Hugging Face repo id (env DENTALGEMMA_HF_ID)")
    p.add_argument("--revision", default="main", help="branch, tag or commit to export (pin a commit)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--variants", default="fp32,fp16,q4", help="comma list of fp32,fp16,q4,q4f16")
    p.add_argument("--skip-parity", action="store_true", help="skip the PyTorch vs ONNX greedy check")
    p.add_argument("--parity-tokens", type=int, default=32)
    return p.parse_args()


# ----------------------------------------------------------------------------------------------
# Wrappers: one nn.Module per graph, with exactly the layout's input and output names.
# ----------------------------------------------------------------------------------------------
def build_wrappers(model):
    import torch
    from transformers import DynamicCache

    text_cfg = model.config.text_config
    n_layers = text_cfg.num_hidden_layers
    language_model = model.model.language_model  # Gemma3TextModel (transformers >= 4.52 layout)

    class VisionEncoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.m = model

        def forward(self, pixel_values):
            out = self.m.get_image_features(pixel_values=pixel_values)
            return out if torch.is_tensor(out) else out[0]  # [B, 256, hidden] after the projector

    class EmbedTokens(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = model.get_input_embeddings()  # scaled by sqrt(hidden) inside

        def forward(self, input_ids):
            return self.embed(input_ids)

    class Decoder(torch.nn.Module):
        """Text decoder + LM head with an explicit, full-length cache and explicit masks.

        Masks are built here (additive, finfo.min) and handed to the model as a dict, which Gemma 3
        accepts since transformers 4.53; that keeps the traced graph free of HF's mask helpers and
        makes the sliding-window rule explicit: key index > query index - sliding_window.
        """

        def __init__(self):
            super().__init__()
            self.lm = language_model
            self.head = model.lm_head

        def forward(self, inputs_embeds, attention_mask, position_ids, *past):
            cache = DynamicCache()  # no config: every layer keeps its full history
            for i in range(n_layers):
                cache.update(past[2 * i], past[2 * i + 1], i)
            seq = inputs_embeds.shape[1]
            total = attention_mask.shape[1]
            q_idx = torch.arange(seq, device=inputs_embeds.device) + (total - seq)
            k_idx = torch.arange(total, device=inputs_embeds.device)
            allowed = (k_idx[None, :] <= q_idx[:, None])[None, None] & attention_mask.bool()[:, None, None, :]
            window = (q_idx[:, None] - k_idx[None, :]) < text_cfg.sliding_window
            # -1e4, not finfo.min: finite after fp16 conversion and never -inf when added to a score,
            # so fully padded query rows stay finite (a NaN there would reach real rows via K/V).
            neg = torch.tensor(-1.0e4, dtype=inputs_embeds.dtype)
            zero = torch.zeros((), dtype=inputs_embeds.dtype)
            masks = {
                "full_attention": torch.where(allowed, zero, neg),
                "sliding_attention": torch.where(allowed & window[None, None], zero, neg),
            }
            out = self.lm(
                inputs_embeds=inputs_embeds,
                attention_mask=masks,
                position_ids=position_ids,
                past_key_values=cache,
                use_cache=True,
                return_dict=True,
            )
            logits = self.head(out.last_hidden_state)
            cap = getattr(text_cfg, "final_logit_softcapping", None)
            if cap:  # None for Gemma 3; kept so a config change cannot silently break parity
                logits = torch.tanh(logits / cap) * cap
            presents = []
            for i in range(n_layers):
                layer = cache.layers[i] if hasattr(cache, "layers") else None
                presents += [layer.keys, layer.values] if layer is not None else [cache.key_cache[i], cache.value_cache[i]]
            return (logits, *presents)

    return VisionEncoder(), EmbedTokens(), Decoder(), n_layers


def export_graph(module, args, path: Path, inputs, outputs, dynamic_axes) -> None:
    """torch.onnx.export (TorchScript exporter), then re-save with one external-data file if large."""
    import onnx
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / path.name
        kwargs = dict(
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=True,
        )
        try:
            torch.onnx.export(module, args, str(raw), dynamo=False, **kwargs)
        except TypeError:  # torch < 2.5 has no `dynamo` argument
            torch.onnx.export(module, args, str(raw), **kwargs)
        save_onnx(onnx.load(str(raw)), path)


def save_onnx(model, path: Path) -> None:
    import onnx

    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "_data")):
        stale.unlink(missing_ok=True)
    # Protobuf caps one message at 2 GB: anything near that keeps its weights in <name>.onnx_data.
    large = sum(len(t.raw_data) for t in model.graph.initializer) > 1_500_000_000
    onnx.save_model(
        model,
        str(path),
        save_as_external_data=large,
        all_tensors_to_one_file=True,
        location=path.name + "_data",
        size_threshold=1024,
    )


def export_fp32(model, out: Path) -> None:
    import torch

    vision, embed, decoder, n_layers = build_wrappers(model)
    cfg = model.config.text_config
    kv, hd = cfg.num_key_value_heads, cfg.head_dim
    onnx_dir = out / "onnx"
    with torch.no_grad():
        size = model.config.vision_config.image_size
        export_graph(
            vision, (torch.randn(2, 3, size, size),), onnx_dir / "vision_encoder.onnx",
            ["pixel_values"], ["image_features"],
            {"pixel_values": {0: "batch_size"}, "image_features": {0: "batch_size"}},
        )
        export_graph(
            embed, (torch.randint(0, 1000, (2, 3)),), onnx_dir / "embed_tokens.onnx",
            ["input_ids"], ["inputs_embeds"],
            {"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}},
        )
        # B=2, S=3, P=4: sizes other than 1 so the tracer cannot specialise a dimension away.
        b, s, p = 2, 3, 4
        past = [torch.randn(b, kv, p, hd) * 0.1 for _ in range(2 * n_layers)]
        names_in = ["inputs_embeds", "attention_mask", "position_ids"]
        names_out = ["logits"]
        axes = {
            "inputs_embeds": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"},
        }
        for i in range(n_layers):
            for kind in ("key", "value"):
                names_in.append(f"past_key_values.{i}.{kind}")
                names_out.append(f"present.{i}.{kind}")
                axes[f"past_key_values.{i}.{kind}"] = {0: "batch_size", 2: "past_sequence_length"}
                axes[f"present.{i}.{kind}"] = {0: "batch_size", 2: "total_sequence_length"}
        args = (
            torch.randn(b, s, cfg.hidden_size),
            torch.ones(b, p + s, dtype=torch.int64),
            torch.arange(p + 1, p + s + 1).repeat(b, 1),
            *past,
        )
        export_graph(decoder, args, onnx_dir / "decoder_model_merged.onnx", names_in, names_out, axes)


def derive_variants(out: Path, variants: list[str]) -> None:
    """fp16 / q4 / q4f16 graphs from the fp32 ones (same names plus a suffix)."""
    import onnx

    onnx_dir = out / "onnx"
    for base in ("vision_encoder", "embed_tokens", "decoder_model_merged"):
        fp32 = onnx.load(str(onnx_dir / f"{base}.onnx"))
        fp16 = None
        if "fp16" in variants or "q4f16" in variants:
            from onnxconverter_common.float16 import convert_float_to_float16

            # keep_io_types=False: fp16 inputs/outputs, as transformers.js expects for *_fp16.
            # Gemma activations can exceed fp16 range; the parity step is the judge.
            fp16 = convert_float_to_float16(fp32, keep_io_types=False, disable_shape_infer=True)
            if "fp16" in variants:
                save_onnx(fp16, onnx_dir / f"{base}_fp16.onnx")
        if "q4" in variants:
            save_onnx(quantize_q4(fp32), onnx_dir / f"{base}_q4.onnx")
        if "q4f16" in variants and fp16 is not None:
            save_onnx(quantize_q4(fp16), onnx_dir / f"{base}_q4f16.onnx")


def quantize_q4(model):
    """4-bit symmetric block quantization (block 32) of MatMul weights (and Gather where supported)."""
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer as Q
    except ImportError:  # older onnxruntime
        from onnxruntime.quantization.matmul_4bits_quantizer import MatMul4BitsQuantizer as Q
    try:
        q = Q(model, block_size=32, is_symmetric=True, op_types_to_quantize=("MatMul", "Gather"))
    except TypeError:
        q = Q(model, block_size=32, is_symmetric=True)
    q.process()
    return q.model.model


# ----------------------------------------------------------------------------------------------
# Files around the graphs, parity, manifest
# ----------------------------------------------------------------------------------------------
def copy_side_files(src: Path, out: Path, processor) -> None:
    for name in COPIED_FILES:
        if (src / name).exists():
            shutil.copyfile(src / name, out / name)
    if not (out / "chat_template.jinja").exists():
        (out / "chat_template.jinja").write_text(processor.chat_template)
    if not (out / "processor_config.json").exists():
        seq = getattr(processor, "image_seq_length", 256)
        (out / "processor_config.json").write_text(
            json.dumps({"image_seq_length": seq, "processor_class": "Gemma3Processor"}, indent=2) + "\n"
        )
    missing = [n for n in COPIED_FILES if n != "special_tokens_map.json" and not (out / n).exists()]
    if missing:
        raise SystemExit(f"missing files in the source repository: {missing}")


def parity(model, processor, out: Path, tokens: int) -> dict:
    """Greedy tokens from PyTorch vs from the fp32 ONNX graphs, for one image prompt."""
    import numpy as np
    import onnxruntime as ort
    import torch
    from PIL import Image

    image = Image.fromarray((np.indices((896, 896)).sum(0) % 255).astype(np.uint8)).convert("RGB")
    messages = [
        {"role": "system", "content": [{"type": "text", "text": "You are an expert dental clinician and radiologist AI assistant."}]},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Describe this radiograph."}]},
    ]
    prompt = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    inputs = processor(text=prompt, images=image, return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        ref = model.generate(**inputs, max_new_tokens=tokens, do_sample=False)[0, inputs["input_ids"].shape[1]:].tolist()

    sess = {n: ort.InferenceSession(str(out / "onnx" / f"{n}.onnx"), providers=["CPUExecutionProvider"])
            for n in ("vision_encoder", "embed_tokens", "decoder_model_merged")}
    ids = inputs["input_ids"].numpy()
    emb = sess["embed_tokens"].run(None, {"input_ids": ids})[0]
    feats = sess["vision_encoder"].run(None, {"pixel_values": inputs["pixel_values"].numpy().astype(np.float32)})[0]
    emb[ids == model.config.image_token_index] = feats.reshape(-1, feats.shape[-1])
    cfg = model.config.text_config
    past = {f"past_key_values.{i}.{k}": np.zeros((1, cfg.num_key_value_heads, 0, cfg.head_dim), np.float32)
            for i in range(cfg.num_hidden_layers) for k in ("key", "value")}
    got, total = [], ids.shape[1]
    feed_emb, positions = emb, np.arange(1, total + 1)[None]
    for _ in range(tokens):
        res = sess["decoder_model_merged"].run(None, {
            "inputs_embeds": feed_emb, "attention_mask": np.ones((1, total), np.int64),
            "position_ids": positions.astype(np.int64), **past})
        nxt = int(res[0][0, -1].argmax())
        got.append(nxt)
        if nxt in (1, 106):
            break
        past = {name: res[j + 1] for j, name in enumerate(past)}
        feed_emb = sess["embed_tokens"].run(None, {"input_ids": np.array([[nxt]], np.int64)})[0]
        total += 1
        positions = np.array([[total]])
    same = next((i for i, (a, b) in enumerate(zip(ref, got)) if a != b), min(len(ref), len(got)))
    return {"torch": ref, "onnx": got, "identical_prefix_tokens": same}


def write_manifest(out: Path, model_id: str, revision: str, parity_result: dict | None) -> None:
    files = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"):
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 24), b""):
                digest.update(chunk)
        files.append({"path": path.relative_to(out).as_posix(), "bytes": path.stat().st_size, "sha256": digest.hexdigest()})
    manifest = {"model_id": model_id, "revision": revision, "tiny": False, "opset": OPSET, "files": files}
    if parity_result is not None:
        manifest["parity"] = parity_result
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> None:
    args = parse_args()
    import torch
    import transformers
    from huggingface_hub import HfApi, snapshot_download
    from transformers import AutoModelForImageTextToText, AutoProcessor

    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    if (major, minor) < (4, 53):
        raise SystemExit("transformers >= 4.53 is required (Gemma 3 must accept a dict of attention masks)")

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    revision = HfApi().model_info(args.model_id, revision=args.revision).sha  # pin what we export
    src = Path(snapshot_download(args.model_id, revision=revision))
    args.out.mkdir(parents=True, exist_ok=True)

    processor = AutoProcessor.from_pretrained(src)
    # fp32 + eager attention: the traced graph uses plain MatMul/Softmax, no SDPA/flash kernels.
    model = AutoModelForImageTextToText.from_pretrained(src, torch_dtype=torch.float32, attn_implementation="eager").eval()

    copy_side_files(src, args.out, processor)
    export_fp32(model, args.out)
    parity_result = None if args.skip_parity else parity(model, processor, args.out, args.parity_tokens)
    if parity_result is not None:
        print(json.dumps(parity_result))
    derive_variants(args.out, variants)
    if "fp32" not in variants:
        for base in ("vision_encoder", "embed_tokens", "decoder_model_merged"):
            for f in (args.out / "onnx").glob(f"{base}.onnx*"):
                f.unlink()
    write_manifest(args.out, args.model_id, revision, parity_result)
    print(f"exported {args.model_id}@{revision} to {args.out}")


if __name__ == "__main__":
    main()
