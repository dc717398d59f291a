import type { LetterboxTransform, Modality } from '@dg/contracts';

export interface NormalizeOptions {
  /** 0-based frame of a multi-frame DICOM object. */
  frame?: number;
  /** Read DICOM PatientID (only when the client asked to match the patient by it). */
  readPatientId?: boolean;
  /** The client's modality, which wins over anything detected. */
  modality?: Modality;
}

export interface NormalizedImage {
  format: string;
  /** Dimensions of the original after auto-orientation. */
  width: number;
  height: number;
  grayscale: boolean;
  /** What the file and its pixels suggest, before any client override. */
  modalityGuess: Modality;
  /** The client's override when given, else the guess. */
  modality: Modality;
  /** 896x896 RGB PNG, letterboxed, with no metadata at all (EXIF, GPS, XMP, ICC dropped). */
  derivative: Buffer;
  /** At most 256 px on the long side, JPEG, no metadata. */
  thumbnail: Buffer;
  transform: LetterboxTransform;
  dicom?: { transferSyntaxUid: string; frames: number; modality?: string; frame: number };
  /** DICOM PatientID, only with readPatientId. Never log it. */
  patientId?: string;
}

/** Decoded 8-bit pixels: grey (one channel, R = G = B) or interleaved RGB. */
export interface PixelImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Buffer;
}

/** Input the platform refuses, with a stable machine-readable code for the HTTP answer. */
export class ImageRejectedError extends Error {
  override readonly name: string = 'ImageRejectedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnsupportedImageError extends ImageRejectedError {
  override readonly name = 'UnsupportedImageError';
  constructor(
    readonly detected: string,
    message: string,
    code = 'unsupported_image_type',
  ) {
    super(code, message);
  }
}

export class CorruptImageError extends ImageRejectedError {
  override readonly name = 'CorruptImageError';
  constructor(message: string) {
    super('corrupt_image', message);
  }
}

export class ImageTooLargeError extends ImageRejectedError {
  override readonly name = 'ImageTooLargeError';
}

/** The image-processing port: decoding and resampling are side effects (libvips, codecs), kept behind it. */
export interface ImageCodec {
  /** `original` is the bytes or the path of a file holding them (uploads are spooled to disk). */
  normalize(original: Buffer | string, opts?: NormalizeOptions): Promise<NormalizedImage>;
  /** A model derivative's pixels; a grey derivative stays one channel (a third of the work). */
  decodePixels(image: Buffer): Promise<PixelImage>;
}
