"use client";

import { useCallback, useRef, useState } from "react";

import type { DatasetImage } from "@spellcast/core/datasets/schema";

/**
 * Which of the shown images are chosen. A toggle with `extend` (shift held) sets every image from
 * the last one toggled to this one the same way, as file managers do; `chosen` keeps only images
 * still shown (one removed elsewhere drops out).
 */
export function useImageSelection(images: readonly DatasetImage[]) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const anchor = useRef<string | null>(null);

  const toggle = (image: DatasetImage, extend: boolean) => {
    const from = extend && anchor.current !== null ? images.findIndex((i) => i.id === anchor.current) : -1;
    const to = images.findIndex((i) => i.id === image.id);
    const range = from >= 0 && to >= 0 ? images.slice(Math.min(from, to), Math.max(from, to) + 1) : [image];
    anchor.current = image.id;
    setSelected((current) => {
      const on = !current.has(image.id);
      const next = new Set(current);
      for (const i of range) {
        if (on) next.add(i.id);
        else next.delete(i.id);
      }
      return next;
    });
  };
  const clear = useCallback(() => {
    anchor.current = null;
    setSelected(new Set());
  }, []);

  return { selected, chosen: images.filter((image) => selected.has(image.id)), toggle, clear };
}
