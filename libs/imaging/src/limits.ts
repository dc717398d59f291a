import { ImageTooLargeError } from './image-codec';

/**
 * Size limits checked from the header alone, before any pixel is decoded: a 50 KB PNG can claim
 * 100k x 100k pixels and would need 30 GB once decoded (a decompression bomb).
 */
export class ImageLimits {
  constructor(
    readonly maxPixels: number,
    readonly maxDimension: number,
  ) {}

  check(width: number, height: number): void {
    if (width > this.maxDimension || height > this.maxDimension) {
      throw new ImageTooLargeError(
        'image_dimensions_exceeded',
        `image of ${width}x${height} exceeds the maximum side of ${this.maxDimension} pixels`,
      );
    }
    if (width * height > this.maxPixels) {
      throw new ImageTooLargeError(
        'image_too_many_pixels',
        `image of ${width}x${height} exceeds ${this.maxPixels} pixels`,
      );
    }
  }
}
