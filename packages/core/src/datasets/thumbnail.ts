import sharp from "sharp";

import type { ImageFormat } from "./image-probe";
import { damagedReason, MAX_INPUT_PIXELS } from "./image-probe";

/** Longest side of a thumbnail, in pixels. */
export const THUMB_SIZE = 256;
export const THUMB_CONTENT_TYPE = "image/webp";

export type ThumbnailResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/**
 * A WebP no larger than 256 × 256 (aspect kept, never enlarged, EXIF rotation applied). This
 * decodes the whole image, so a truncated or corrupt body is refused here, before anything is stored.
 */
export async function makeThumbnail(bytes: Uint8Array, format: ImageFormat): Promise<ThumbnailResult> {
  try {
    const out = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "warning" })
      .autoOrient()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return { ok: true, bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
  } catch (err) {
    return { ok: false, reason: damagedReason(format, err) };
  }
}
