import type { Modality } from '@dg/contracts';

export interface ImageTraits {
  width: number;
  height: number;
  /** True when the image has no meaningful colour (radiographs). */
  grayscale: boolean;
}

/**
 * A first guess at the modality from the image itself, used when the client does not say. Panoramic
 * radiographs are grey and about twice as wide as tall; intraoral photographs are in colour;
 * periapical and bitewing films are small, grey and near square or portrait. A client's explicit
 * modality always wins.
 */
export function guessModality(t: ImageTraits): Modality {
  const aspect = t.width / t.height;
  if (!t.grayscale) return 'intraoral-photo';
  if (aspect >= 1.6) return 'panoramic';
  if (Math.max(t.width, t.height) <= 2000 && aspect >= 0.6 && aspect <= 1.5) return 'periapical';
  return 'other';
}
