import { createHash } from "node:crypto";

import { PNG } from "pngjs";

/** Drawing cost stays flat whatever size is asked for: the sim is about protocols, not pixels. */
export const MAX_DRAWN_SIDE = 256;

export interface DrawInput {
  prompt: string;
  seed?: number;
  width: number;
  height: number;
}

/** Same input, same bytes: a coloured block grid over a gradient, all picked from a hash. */
export function drawPng(input: DrawInput): Buffer {
  const hash = createHash("sha256")
    .update(`${input.prompt}\u0000${input.seed ?? "none"}\u0000${input.width}x${input.height}`)
    .digest();
  const { width, height } = drawnSize(input.width, input.height);
  const palette = [0, 3, 6, 9].map((i) => [byteAt(hash, i), byteAt(hash, i + 1), byteAt(hash, i + 2)] as const);
  const grid = 2 + (byteAt(hash, 12) % 7);
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = Math.floor((x * grid) / width) + Math.floor((y * grid) / height) * grid;
      const colour = palette[byteAt(hash, 13 + (cell % 19)) % palette.length] ?? [0, 0, 0];
      const shade = 0.6 + (0.4 * y) / Math.max(1, height - 1);
      const offset = (y * width + x) * 4;
      png.data[offset] = Math.round(colour[0] * shade);
      png.data[offset + 1] = Math.round(colour[1] * shade);
      png.data[offset + 2] = Math.round(colour[2] * shade);
      png.data[offset + 3] = 255;
    }
  }
  // One fixed filter and fast deflate: pngjs otherwise tries all five filters on every row, which
  // made the sim the largest CPU cost in end-to-end benchmarks that run it in-process.
  return PNG.sync.write(png, { filterType: 1, deflateLevel: 1 });
}

export function drawnSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_DRAWN_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function byteAt(buf: Buffer, index: number): number {
  return buf[index % buf.length] ?? 0;
}
