"use client";

import { useEffect, useRef, useState } from "react";

import type { FrameBatch, Schedule } from "./frame-batch";
import { createFrameBatch, nextFrame } from "./frame-batch";

/**
 * A frame batch for the component's life: made once, it always flushes with the latest `flush`
 * (so that may close over props and state), and drops what it holds on unmount.
 */
export function useFrameBatch<T>(flush: (items: T[]) => void, schedule: Schedule = nextFrame): FrameBatch<T> {
  const latest = useRef(flush);
  useEffect(() => {
    latest.current = flush;
  });
  const [batch] = useState(() => createFrameBatch<T>((items) => latest.current(items), schedule));
  useEffect(() => () => batch.dispose(), [batch]);
  return batch;
}
