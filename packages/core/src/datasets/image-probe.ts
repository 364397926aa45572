import sharp from "sharp";

export const IMAGE_TYPES = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
} as const;
export type ImageFormat = keyof typeof IMAGE_TYPES;

export const NOT_AN_IMAGE = "not a PNG, JPEG or WebP image";

/** Largest image decoded, in pixels (about 16k × 16k): a bigger one is refused before decoding. */
export const MAX_INPUT_PIXELS = 268_402_689;

export interface ImageInfo {
  format: ImageFormat;
  contentType: (typeof IMAGE_TYPES)[ImageFormat];
  width: number;
  height: number;
}

export type ImageProbe = ({ ok: true } & ImageInfo) | { ok: false; reason: string };

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

/** The format the file's first bytes declare, whatever its name says. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  // "RIFF" <size> "WEBP"
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return "webp";
  return null;
}

/**
 * Checks an upload by its content: the magic bytes must say PNG, JPEG or WebP, and the image
 * library must read the header as that same format with real dimensions. (Decoding every pixel
 * happens when the thumbnail is made; a damaged body fails there.)
 */
export async function probeImage(bytes: Uint8Array): Promise<ImageProbe> {
  const sniffed = sniffImageFormat(bytes);
  if (!sniffed) return { ok: false, reason: NOT_AN_IMAGE };
  try {
    const meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    if (meta.format !== sniffed) return { ok: false, reason: NOT_AN_IMAGE };
    // As people see it: EXIF rotation applied (a portrait phone photo is taller than wide).
    const { width, height } = meta.autoOrient;
    if (!width || !height) return { ok: false, reason: "image has no dimensions" };
    if (width * height > MAX_INPUT_PIXELS) {
      return { ok: false, reason: `image is ${width} × ${height}: more pixels than the ${MAX_INPUT_PIXELS} allowed` };
    }
    return { ok: true, format: sniffed, contentType: IMAGE_TYPES[sniffed], width, height };
  } catch (err) {
    return { ok: false, reason: damagedReason(sniffed, err) };
  }
}

export function damagedReason(format: ImageFormat, err: unknown): string {
  const detail = err instanceof Error ? err.message.split("\n")[0]?.trim().slice(0, 160) : undefined;
  return `damaged or unreadable ${format.toUpperCase()} image${detail ? ` (${detail})` : ""}`;
}
