"use client";

import { useCallback, useRef, useState } from "react";

import type { UploadResult } from "@spellcast/core/datasets/schema";
import { formatBytes } from "@spellcast/core/datasets/schema";

import { postFile } from "./post-file";

export type UploadStatus = "waiting" | "uploading" | "added" | "rejected" | "failed";

export interface UploadItem {
  id: string;
  name: string;
  size: number;
  status: UploadStatus;
  /** 0..1 of the bytes sent. */
  progress: number;
  /** Why the file was not added (the server's words, or the network error). */
  reason?: string;
  /** The name it was stored under, when the server de-duplicated it. */
  storedAs?: string;
}

/** Files sent at once; each is its own request, so each has its own progress and result. */
const CONCURRENCY = 3;

function isUploadResult(body: unknown): body is UploadResult {
  return typeof body === "object" && body !== null && "added" in body && "rejected" in body;
}

function errorOf(body: unknown, status: number): string {
  if (typeof body === "object" && body !== null && "error" in body && typeof body.error === "string") return body.error;
  return `The server answered ${status}`;
}

/**
 * A queue of image uploads into one dataset. Files over the size limit are refused here, with the
 * same words as the server, without sending them; the server checks everything again.
 */
export function useImageUploads({
  datasetId,
  maxUploadBytes,
  onUploaded,
}: {
  datasetId: string;
  maxUploadBytes: number;
  onUploaded: () => void;
}) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const queue = useRef<{ id: string; file: File }[]>([]);
  const active = useRef(0);

  const update = useCallback((id: string, patch: Partial<UploadItem>) => {
    setItems((prev) => prev.map((item) => (item.id === id ? { ...item, ...patch } : item)));
  }, []);

  const send = useCallback(
    async ({ id, file }: { id: string; file: File }) => {
      update(id, { status: "uploading" });
      try {
        const url = `/api/datasets/${encodeURIComponent(datasetId)}/images`;
        const { status, body } = await postFile(url, file, (progress) => update(id, { progress }));
        if (status === 200 && isUploadResult(body)) {
          const [added] = body.added;
          const [rejected] = body.rejected;
          if (added) update(id, { status: "added", progress: 1, storedAs: added.fileName });
          else update(id, { status: "rejected", progress: 1, reason: rejected?.reason ?? "not added" });
          if (added) onUploaded();
        } else {
          update(id, { status: "failed", reason: errorOf(body, status) });
        }
      } catch (err) {
        update(id, { status: "failed", reason: err instanceof Error ? err.message : "The upload failed" });
      }
    },
    [datasetId, onUploaded, update],
  );

  const pump = useCallback(() => {
    while (active.current < CONCURRENCY) {
      const next = queue.current.shift();
      if (!next) return;
      active.current += 1;
      void send(next).finally(() => {
        active.current -= 1;
        pump();
      });
    }
  }, [send]);

  const addFiles = useCallback(
    (files: readonly File[]) => {
      const fresh: UploadItem[] = [];
      for (const file of files) {
        const item: UploadItem = { id: crypto.randomUUID(), name: file.name, size: file.size, status: "waiting", progress: 0 };
        if (file.size === 0) {
          fresh.push({ ...item, status: "rejected", reason: "empty file (0 bytes)" });
        } else if (file.size > maxUploadBytes) {
          const reason = `file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxUploadBytes)} per image`;
          fresh.push({ ...item, status: "rejected", reason });
        } else {
          fresh.push(item);
          queue.current.push({ id: item.id, file });
        }
      }
      setItems((prev) => [...prev, ...fresh]);
      pump();
    },
    [maxUploadBytes, pump],
  );

  const clearFinished = useCallback(() => {
    setItems((prev) => prev.filter((item) => item.status === "waiting" || item.status === "uploading"));
  }, []);

  return { items, addFiles, clearFinished };
}
