// A minimal ONNX graph builder over the `onnx-proto` protobuf classes.
//
// Why hand-rolled: the tiny model must be byte-for-byte reproducible and tiny, so graphs are written
// node by node with deterministic names (a counter, never random ids or timestamps) and weights are
// produced by ONNX ops inside the graph (see procedural.ts) rather than stored as big initializers.
import { onnx } from 'onnx-proto';

export const DT = {
  FLOAT: onnx.TensorProto.DataType.FLOAT,
  INT64: onnx.TensorProto.DataType.INT64,
  BOOL: onnx.TensorProto.DataType.BOOL,
} as const;

/** A symbolic (named) or fixed dimension of a graph input/output. */
export type Dim = number | string;

/** Attribute values; plain numbers are INT, wrap floats with `af()` so the type is never guessed. */
export type Attr = number | number[] | { f: number } | { t: onnx.ITensorProto };
export const af = (f: number): { f: number } => ({ f });

// Opset 17 is supported by every onnxruntime release in use and keeps ReduceMean's axes an attribute.
export const OPSET = 17;
export const IR_VERSION = 8;

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  constructor(private readonly name: string) {}

  /** A fresh, deterministic tensor name. */
  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares a graph output `name` fed by tensor `source` (an Identity node renames it). */
  output(name: string, elemType: number, dims: Dim[], source: string): void {
    if (source !== name) this.nodes.push({ opType: 'Identity', input: [source], output: [name], name: `out_${name}` });
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Adds one node with a single output and returns the output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, prefix?: string): string {
    return this.opN(opType, inputs, 1, attrs, prefix)[0];
  }

  opN(opType: string, inputs: string[], nOut: number, attrs: Record<string, Attr> = {}, prefix?: string): string[] {
    const outs = Array.from({ length: nOut }, () => this.fresh(prefix ?? opType.toLowerCase()));
    this.nodes.push({
      opType,
      input: inputs,
      output: outs,
      name: `n_${outs[0]}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** A float32 initializer (small data only: biases, one-hot masks, frequency tables). */
  floats(dims: number[], data: ArrayLike<number>, prefix = 'cf'): string {
    const arr = Float32Array.from(data);
    if (arr.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`floats: ${dims} vs ${arr.length}`);
    return this.cached(`f|${dims}|${Buffer.from(arr.buffer).toString('base64')}`, prefix, (name) =>
      this.initializers.push({ name, dims, dataType: DT.FLOAT, rawData: new Uint8Array(arr.buffer) }),
    );
  }

  /** An int64 initializer, stored little-endian in raw_data (no Long/varint surprises). */
  ints(dims: number[], data: ArrayLike<number>, prefix = 'ci'): string {
    const arr = BigInt64Array.from(Array.from(data, (x) => BigInt(x)));
    if (arr.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`ints: ${dims} vs ${arr.length}`);
    return this.cached(`i|${dims}|${Array.from(data).join(',')}`, prefix, (name) =>
      this.initializers.push({ name, dims, dataType: DT.INT64, rawData: new Uint8Array(arr.buffer) }),
    );
  }

  /** Scalar float constant. */
  f(x: number): string {
    return this.floats([], [x]);
  }

  /** Scalar int64 constant. */
  i(x: number): string {
    return this.ints([], [x]);
  }

  /** 1-D int64 constant, e.g. shapes, axes, slice bounds. */
  iv(xs: number[]): string {
    return this.ints([xs.length], xs);
  }

  toModel(docString: string): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'dentalgemma-tools-model',
      producerVersion: '1',
      docString,
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }

  private cached(key: string, prefix: string, make: (name: string) => void): string {
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh(prefix);
    make(name);
    this.constCache.set(key, name);
    return name;
  }
}

function valueInfo(name: string, elemType: number, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: Attr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use af() for float ${v}`);
    return { name, type: T.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  return { name, type: T.TENSOR, t: v.t };
}

/** A one-element tensor value for ConstantOfShape's `value` attribute. */
export function scalarTensorAttr(value: number, dataType: number = DT.FLOAT): { t: onnx.ITensorProto } {
  const raw =
    dataType === DT.FLOAT
      ? new Uint8Array(Float32Array.of(value).buffer)
      : new Uint8Array(BigInt64Array.of(BigInt(value)).buffer);
  return { t: { dims: [1], dataType, rawData: raw } };
}
