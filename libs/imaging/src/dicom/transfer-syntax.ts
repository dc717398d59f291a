/**
 * The transfer syntaxes imaging devices write that this platform decodes: through dcmjs-codecs'
 * WebAssembly build of the reference codecs, and process 14 JPEG lossless with any predictor (.57,
 * which dcmjs-codecs does not take) through jpeg-lossless-decoder-js. Anything else is refused
 * with 415 naming the syntax.
 */
export const SUPPORTED_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'implicit VR little endian',
  '1.2.840.10008.1.2.1': 'explicit VR little endian',
  '1.2.840.10008.1.2.5': 'RLE lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG baseline (process 1)',
  '1.2.840.10008.1.2.4.57': 'JPEG lossless (process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG lossless (process 14, SV1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS near-lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
};

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export function isSupportedTransferSyntax(uid: string): boolean {
  return Object.prototype.hasOwnProperty.call(SUPPORTED_TRANSFER_SYNTAXES, uid);
}
