// onnx/vision_encoder.onnx: pixel_values float32 [batch_size, 3, 896, 896] -> image_features float32
// [batch_size, 256, hidden].
//
// The real encoder is SigLIP (896/14 = 64x64 patches) followed by a 4x4 average pool to 16x16 = 256
// soft tokens and a projection to the text width. The tiny one keeps that geometry with none of the
// weight: per 56x56 cell it takes the mean and the mean square of each colour channel (so both
// brightness and texture matter), adds a per-cell position code, and applies a tanh MLP. Different
// images therefore give clearly different features, and identical images identical ones.
import { GraphBuilder, DT } from './onnx-builder';
import { weight } from './procedural';
import { TINY } from './tiny-config';
import { MARKER_CHANNEL } from './embed-tokens';

const SEED = { proj1: 11, bias1: 12, position: 13, proj2: 14 } as const;

export function buildVisionEncoder(): Uint8Array {
  const H = TINY.hidden;
  const grid = Math.sqrt(TINY.tokensPerImage); // 16
  const cell = TINY.imageSize / grid; // 56
  const g = new GraphBuilder('vision_encoder');
  const pixels = g.input('pixel_values', DT.FLOAT, ['batch_size', 3, TINY.imageSize, TINY.imageSize]);

  const pool = (x: string) => g.op('AveragePool', [x], { kernel_shape: [cell, cell], strides: [cell, cell] });
  const stats = g.op('Concat', [pool(pixels), pool(g.op('Mul', [pixels, pixels]))], { axis: 1 }); // [B,6,16,16]
  const cells = g.op('Transpose', [g.op('Reshape', [stats, g.iv([0, 6, grid * grid])])], { perm: [0, 2, 1] }); // [B,256,6]

  const pre = g.op('Add', [
    g.op('Add', [g.op('MatMul', [cells, weight(g, [6, H], SEED.proj1, 1.2)]), weight(g, [H], SEED.bias1, 0.3)]),
    weight(g, [TINY.tokensPerImage, H], SEED.position, 0.3),
  ]);
  const features = g.op('MatMul', [g.op('Tanh', [pre]), weight(g, [H, H], SEED.proj2, 1.2 / Math.sqrt(H * 0.4))]);

  // Image features never carry the turn marker (see embed-tokens.ts).
  const keep = Array.from({ length: H }, (_, j) => (j === MARKER_CHANNEL ? 0 : 1));
  g.output(
    'image_features',
    DT.FLOAT,
    ['batch_size', TINY.tokensPerImage, H],
    g.op('Mul', [features, g.floats([H], keep)]),
  );
  return g.toModel('DentalGemma TINY stand-in: procedural image features (not the real model).');
}
