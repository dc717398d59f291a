export type EntryRefusalCode =
  | 'path-traversal'
  | 'absolute-path'
  | 'symlink'
  | 'special-file'
  | 'nested-archive'
  | 'entry-too-large'
  | 'compression-ratio'
  | 'duplicate-name'
  | 'too-many-entries'
  | 'total-too-large'
  | 'encrypted'
  | 'unsupported-compression'
  | 'invalid-name';

/** One entry is not imported; the archive goes on. Carried by an entry's `refused` or its stream's error. */
export class EntryRefusedError extends Error {
  override readonly name = 'EntryRefusedError';
  constructor(
    readonly code: EntryRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** The archive's structure is broken (no central directory, bad gzip, bad tar header): nothing after it can be trusted. */
export class ArchiveCorruptError extends Error {
  override readonly name = 'ArchiveCorruptError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
