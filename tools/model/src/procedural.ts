// Procedural weights and small neural-net building blocks, expressed as ONNX ops.
//
// Why in-graph: a stored 64x4096 output head alone would be 1 MB of float32. Instead every weight is
// an integer hash of its flat index, computed by Range/Mul/Add/Mod on int64 and then Cast to float.
// Integer arithmetic is exact, Cast/Mul/Sub are correctly rounded IEEE ops, so the weights are the
// same on every machine and runtime; onnxruntime folds these constant subgraphs once at session load.
import { GraphBuilder, DT } from './onnx-builder';

// 2^31 - 1 is prime, so squaring modulo it is a decent cheap mixer; all products stay below 2^62.
const MOD = 2147483647;

/** Per-seed constants for the hash, kept well inside int64 range. */
function seedConstants(seed: number): { a: number; b: number; c1: number; c2: number } {
  const s = seed + 1;
  return {
    a: 48271 + ((s * 7919) % 65536),
    b: (s * 2654435761) % MOD,
    c1: (s * 40503 + 12345) % MOD,
    c2: (s * 69069 + 1013904223) % MOD,
  };
}

/**
 * Maps an int64 tensor of indices (each < 2^25) to floats uniform in [-amplitude, amplitude).
 * x1 = a*k + b, then two rounds of x <- x^2 + c (mod 2^31-1): the squarings break the linear
 * (lattice) structure a single multiplicative step would leave between neighbouring indices.
 */
export function hashUniform(g: GraphBuilder, indices: string, seed: number, amplitude: number): string {
  const { a, b, c1, c2 } = seedConstants(seed);
  const m = g.i(MOD);
  let x = g.op('Mod', [g.op('Add', [g.op('Mul', [indices, g.i(a)]), g.i(b)]), m]);
  x = g.op('Mod', [g.op('Add', [g.op('Mul', [x, x]), g.i(c1)]), m]);
  x = g.op('Mod', [g.op('Add', [g.op('Mul', [x, x]), g.i(c2)]), m]);
  const unit = g.op('Mul', [g.op('Cast', [x], { to: DT.FLOAT }), g.f(2 / MOD)]); // [0, 2)
  return g.op('Mul', [g.op('Sub', [unit, g.f(1)]), g.f(amplitude)]);
}

/** A constant [rows, cols] weight matrix with entries of standard deviation `std`. */
export function weight(g: GraphBuilder, dims: number[], seed: number, std: number): string {
  const n = dims.reduce((p, q) => p * q, 1);
  const idx = g.op('Range', [g.i(0), g.i(n), g.i(1)]);
  // Uniform on [-A, A) has standard deviation A / sqrt(3).
  const flat = hashUniform(g, idx, seed, std * Math.sqrt(3));
  return g.op('Reshape', [flat, g.iv(dims)], {}, 'w');
}

/** Zeroes selected entries of a weight by multiplying with a 0/1 mask initializer. */
export function masked(g: GraphBuilder, w: string, dims: number[], zero: (index: number[]) => boolean): string {
  const n = dims.reduce((p, q) => p * q, 1);
  const mask = new Float32Array(n);
  for (let flat = 0; flat < n; flat += 1) {
    const index: number[] = [];
    let rest = flat;
    for (let d = dims.length - 1; d >= 0; d -= 1) {
      index.unshift(rest % dims[d]);
      rest = Math.floor(rest / dims[d]);
    }
    mask[flat] = zero(index) ? 0 : 1;
  }
  return g.op('Mul', [w, g.floats(dims, mask, 'mask')]);
}

/** Gemma-style RMSNorm: x / sqrt(mean(x^2) + eps) * (1 + w), w a small procedural vector. */
export function rmsNorm(g: GraphBuilder, x: string, size: number, seed: number, eps: number): string {
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.f(eps)])])]);
  const scale = g.op('Add', [weight(g, [size], seed, 0.05), g.f(1)]);
  return g.op('Mul', [g.op('Mul', [x, inv]), scale], {}, 'rms');
}

/** gelu_pytorch_tanh, Gemma's MLP activation (the Gelu op only exists from opset 20). */
export function geluTanh(g: GraphBuilder, x: string): string {
  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, g.f(0.044715)])]), g.f(Math.sqrt(2 / Math.PI))]);
  const t = g.op('Add', [g.op('Tanh', [inner]), g.f(1)]);
  return g.op('Mul', [g.op('Mul', [x, t]), g.f(0.5)]);
}

/** Slice along one axis with static bounds. */
export function slice(g: GraphBuilder, x: string, axis: number, start: number, end: number): string {
  return g.op('Slice', [x, g.iv([start]), g.iv([end]), g.iv([axis])]);
}

/** Element `index` of a 1-D int64 tensor, as a 1-element 1-D tensor (for building shapes). */
export function dimOf(g: GraphBuilder, x: string, axis: number): string {
  return slice(g, g.op('Shape', [x]), 0, axis, axis + 1);
}
