import type { ImageSize } from "@spellcast/core/sessions/schema";

/** "1024 × 1536 (portrait)": an image size as every size list words it. */
export function imageSizeLabel(size: ImageSize): string {
  const [width = 0, height = 0] = size.split("x").map(Number);
  const shape = width > height ? " (landscape)" : width < height ? " (portrait)" : "";
  return `${width} × ${height}${shape}`;
}
