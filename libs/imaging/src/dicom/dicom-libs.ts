import { createRequire } from 'node:module';
import type * as Dcmjs from 'dcmjs';
import type * as DcmjsCodecs from 'dcmjs-codecs';

export interface DicomLibs {
  dcmjs: typeof Dcmjs;
  codecs: typeof DcmjsCodecs;
}

let libs: DicomLibs | undefined;

/**
 * dcmjs and dcmjs-codecs, loaded on the first DICOM file rather than at start: together they hold
 * ~26 MB of a process most of whose uploads are photos and PNGs. Their logs are silenced on load.
 */
export function dicomLibs(): DicomLibs {
  if (!libs) {
    const load = createRequire(__filename);
    libs = { dcmjs: load('dcmjs') as typeof Dcmjs, codecs: load('dcmjs-codecs') as typeof DcmjsCodecs };
    silence(libs);
  }
  return libs;
}

/**
 * dcmjs prints parse warnings (with bytes of the file) straight to the console, bypassing the
 * service's logger; a warning about a patient attribute could carry part of it. Every logger of
 * both libraries is silenced, including the dcmjs copy that dcmjs-codecs bundles.
 */
function silence({ dcmjs, codecs }: DicomLibs): void {
  codecs.log.setLevel('silent');
  const copies: (typeof Dcmjs)[] = [dcmjs];
  try {
    const fromCodecs = createRequire(require.resolve('dcmjs-codecs'));
    copies.push(fromCodecs('dcmjs') as typeof Dcmjs);
  } catch {
    // dcmjs-codecs uses the top-level copy: already covered.
  }
  for (const copy of copies) {
    copy.log.setLevel('silent');
    copy.log.getLogger('validation.dcmjs').setLevel('silent');
  }
}
