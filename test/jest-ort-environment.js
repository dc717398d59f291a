// Jest environment for specs that run onnxruntime-node.
//
// Why: Jest runs each spec in its own vm context, so `Float32Array` inside the spec is not the
// `Float32Array` the native binding creates outputs with, and onnxruntime-common's
// `data instanceof Float32Array` check fails ("A float32 tensor's data must be type of function
// Float32Array()"). jest-environment-node already shares ArrayBuffer and Uint8Array with the outer
// realm for the same reason; this shares the remaining typed arrays too.
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OrtTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OrtTestEnvironment;
