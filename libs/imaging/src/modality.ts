import type { Modality } from '@dg/contracts';

export interface ImageTraits {
  width: number;
  height: number;
  /** True when the image has no meaningful colour (radiographs). */
  grayscale: boolean;
  /** The DICOM Modality attribute (0008,0060) when the file is DICOM. */
  dicomModality?: string;
}

/**
 * DICOM modality codes (PS3.3 C.7.3.1.1.1) that settle the question: PX is a panoramic X-ray, XC/ES
 * are visible-light photographs. IO (intraoral radiography) covers both periapical and bitewing
 * films, and DX/CR/RG say nothing dental, so those fall through to the pixels.
 */
const BY_DICOM_MODALITY: Record<string, Modality> = { PX: 'panoramic', XC: 'intraoral-photo', ES: 'intraoral-photo' };

/**
 * A first guess at the modality from the file and the image itself, used when the client does not
 * say. Panoramic radiographs are grey and about twice as wide as tall; intraoral photographs are in
 * colour; periapical and bitewing films are small, grey and near square or portrait. Bitewings and
 * periapicals cannot be told apart by shape, so both guess 'periapical'; a client's modality wins.
 */
export function guessModality(t: ImageTraits): Modality {
  const byTag = t.dicomModality ? BY_DICOM_MODALITY[t.dicomModality.toUpperCase()] : undefined;
  if (byTag) return byTag;
  // IO is an intraoral film whatever its shape: a wide bitewing or occlusal is never a panoramic.
  if (t.grayscale && t.dicomModality?.toUpperCase() === 'IO') return 'periapical';
  const aspect = t.width / t.height;
  if (!t.grayscale) return 'intraoral-photo';
  if (aspect >= 1.6) return 'panoramic';
  if (Math.max(t.width, t.height) <= 2000 && aspect >= 0.6 && aspect <= 1.5) return 'periapical';
  return 'other';
}
