// dcmjs ships no type declarations; only the surface this lib uses is declared.
declare module 'dcmjs' {
  interface Log {
    setLevel(level: string): void;
    getLogger(name: string): Log;
  }
  export const log: Log;
  export namespace data {
    class DicomMessage {
      static readFile(
        buffer: ArrayBuffer,
        options?: {
          ignoreErrors?: boolean;
          untilTag?: string | null;
          includeUntilTagValue?: boolean;
          noCopy?: boolean;
        },
      ): DicomDict;
    }
    class DicomDict {
      constructor(meta: Record<string, unknown>);
      meta: Record<string, unknown>;
      dict: Record<string, unknown>;
      write(options?: Record<string, unknown>): ArrayBuffer;
    }
    class DicomMetaDictionary {
      static naturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
      static denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
    }
  }
}

// jpeg-lossless-decoder-js ships no type declarations; only the decoder this lib uses is declared.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    /** Decoded samples, interleaved: bytes per sample `numBytes` (1: Uint8Array, else Uint16Array). */
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
