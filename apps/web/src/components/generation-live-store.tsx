"use client";

import type { ReactNode } from "react";
import { createContext, useContext, useState, useSyncExternalStore } from "react";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";

import { mergeSnapshot } from "./generation-cache";

export interface GenerationProgress {
  percent: number;
  stage?: string;
}

/**
 * What the tab learned from the stream, outside React Query: live progress per running session
 * (never stored server-side) and the newest snapshot seen per session. Cards merge the latter
 * over whatever a page fetch returned, so a response that left the server before an event was
 * committed can never show a stale status.
 */
export interface GenerationLiveStore {
  subscribe(listener: () => void): () => void;
  version(): number;
  progressOf(sessionId: string): GenerationProgress | undefined;
  knownOf(sessionId: string): SessionSnapshot | undefined;
  setProgress(sessionId: string, progress: GenerationProgress): void;
  noteSnapshot(snapshot: SessionSnapshot): SessionSnapshot;
}

export function createGenerationLiveStore(): GenerationLiveStore {
  const progress = new Map<string, GenerationProgress>();
  const known = new Map<string, SessionSnapshot>();
  const listeners = new Set<() => void>();
  let version = 0;
  const changed = () => {
    version += 1;
    for (const listener of listeners) listener();
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    version: () => version,
    progressOf: (id) => progress.get(id),
    knownOf: (id) => known.get(id),
    setProgress(id, value) {
      const session = known.get(id);
      if (session && session.status !== "running" && session.status !== "queued") return;
      progress.set(id, value);
      changed();
    },
    noteSnapshot(snapshot) {
      const merged = mergeSnapshot(known.get(snapshot.id), snapshot);
      known.set(snapshot.id, merged);
      if (merged.status !== "running") progress.delete(snapshot.id);
      changed();
      return merged;
    },
  };
}

const StoreContext = createContext<GenerationLiveStore | null>(null);

export function GenerationLiveStoreProvider({ children }: { children: ReactNode }) {
  const [store] = useState(createGenerationLiveStore);
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useGenerationLiveStore(): GenerationLiveStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useGenerationLiveStore needs GenerationLiveStoreProvider");
  return store;
}

/** Re-renders on every change of the store; returns it for reads during render. */
export function useGenerationLive(): GenerationLiveStore {
  const store = useGenerationLiveStore();
  useSyncExternalStore(store.subscribe, store.version, store.version);
  return store;
}
