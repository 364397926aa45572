"use client";

import { useCallback, useRef, useState } from "react";

import type { UploadResult } from "@spellcast/core/datasets/schema";
import { formatBytes, MAX_PLACES_PER_RESERVATION } from "@spellcast/core/datasets/schema";

import { useTRPCClient } from "~/trpc/react";

import { atMostEvery } from "./frame-batch";
import { postFiles, UploadUnreachableError } from "./post-file";
import { fileProgress, groupSize, matchOutcomes, takeGroup } from "./upload-groups";
import { isTransientUploadStatus, UPLOAD_ATTEMPTS, uploadRetryDelayMs } from "./upload-retry";
import { useFrameBatch } from "./use-frame-batch";

/** `retrying`: its request got no answer, or a "not now" one, and goes again after a pause. */
export type UploadStatus = "waiting" | "uploading" | "retrying" | "added" | "rejected" | "failed";

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

interface Queued {
  id: string;
  file: File;
  /** Its reserved place in the dataset, when the reservation succeeded. */
  place?: number;
}

/** Requests at once, each of up to 50 files (upload-groups.ts); each file gets its own progress and result. */
const CONCURRENCY = 3;
/** The dataset's images are read again at most this often while files keep landing. */
const REFRESH_MS = 1_000;

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
  const client = useTRPCClient();
  const queue = useRef<Queued[]>([]);
  const active = useRef(0);
  // Thousands of files send thousands of progress events: the list changes once a frame.
  const changes = useFrameBatch<{ id: string; patch: Partial<UploadItem> }>((batch) => {
    const patches = new Map<string, Partial<UploadItem>>();
    for (const { id, patch } of batch) patches.set(id, { ...patches.get(id), ...patch });
    setItems((prev) =>
      prev.map((item) => {
        const patch = patches.get(item.id);
        return patch ? { ...item, ...patch } : item;
      }),
    );
  });
  // And the dataset is read again once a second at most, not once a file.
  const landed = useFrameBatch<true>(() => onUploaded(), atMostEvery(REFRESH_MS));

  const update = useCallback((id: string, patch: Partial<UploadItem>) => changes.push({ id, patch }), [changes]);

  /** Each file's outcome from the server's answer to its request. */
  const settle = useCallback(
    (group: readonly Queued[], body: UploadResult) => {
      const outcomes = matchOutcomes(
        group.map((g) => g.file.name),
        body,
      );
      group.forEach(({ id }, i) => {
        const outcome = outcomes[i];
        if (outcome?.status === "added") update(id, { status: "added", progress: 1, storedAs: outcome.storedAs, reason: undefined });
        else update(id, { status: "rejected", progress: 1, reason: outcome?.reason ?? "not added" });
      });
      if (body.added.length > 0) landed.push(true);
    },
    [landed, update],
  );

  const send = useCallback(
    async (group: readonly Queued[]) => {
      const setAll = (patch: Partial<UploadItem>) => {
        for (const { id } of group) update(id, patch);
      };
      const failAll = (reason: string) => setAll({ status: "failed", reason });
      const url = `/api/datasets/${encodeURIComponent(datasetId)}/images`;
      const sizes = group.map((g) => g.file.size);
      for (let attempt = 1; ; attempt++) {
        setAll({ status: "uploading", progress: 0 });
        let answer: { status: number; body: unknown };
        try {
          answer = await postFiles(url, { files: group.map((g) => g.file), firstIndex: group[0]?.place }, (fraction) => {
            const progress = fileProgress(sizes, fraction);
            group.forEach(({ id }, i) => update(id, { progress: progress[i] ?? 0 }));
          });
        } catch (err) {
          if (!(err instanceof UploadUnreachableError)) return failAll(err instanceof Error ? err.message : "The upload failed");
          answer = { status: 0, body: { error: err.message } };
        }
        const { status, body } = answer;
        if (status === 200 && isUploadResult(body)) return settle(group, body);
        // Sent again only with reserved places, which make a second landing of a file a no-op.
        const again = group[0]?.place !== undefined && isTransientUploadStatus(status) && attempt < UPLOAD_ATTEMPTS;
        if (!again) return failAll(errorOf(body, status));
        const waitMs = uploadRetryDelayMs(attempt);
        setAll({ status: "retrying", progress: 0, reason: `${errorOf(body, status)}; trying again` });
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    },
    [datasetId, update, settle],
  );

  const pump = useCallback(() => {
    while (active.current < CONCURRENCY) {
      const next = takeGroup(queue.current, groupSize(queue.current.length, CONCURRENCY - active.current));
      if (next.length === 0) return;
      active.current += 1;
      void send(next).finally(() => {
        active.current -= 1;
        pump();
      });
    }
  }, [send]);

  /**
   * Places for the files in the order they were chosen, so the three requests in flight land in
   * that order whichever commits first. Without them (the reservation failed), the server places
   * each request's files as it commits them.
   */
  const reservePlaces = useCallback(
    async (count: number): Promise<number | undefined> => {
      try {
        return (await client.datasets.reserveImageIndexes.mutate({ datasetId, count })).firstIndex;
      } catch (err) {
        console.warn("Could not reserve the images' places; they will be placed as they land", err);
        return undefined;
      }
    },
    [client, datasetId],
  );

  const addFiles = useCallback(
    (files: readonly File[]) => {
      const fresh: UploadItem[] = [];
      const sending: Queued[] = [];
      for (const file of files) {
        const item: UploadItem = { id: crypto.randomUUID(), name: file.name, size: file.size, status: "waiting", progress: 0 };
        if (file.size === 0) {
          fresh.push({ ...item, status: "rejected", reason: "empty file (0 bytes)" });
        } else if (file.size > maxUploadBytes) {
          const reason = `file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxUploadBytes)} per image`;
          fresh.push({ ...item, status: "rejected", reason });
        } else {
          fresh.push(item);
          sending.push({ id: item.id, file });
        }
      }
      setItems((prev) => [...prev, ...fresh]);
      if (sending.length === 0) return;
      void reservePlaces(Math.min(sending.length, MAX_PLACES_PER_RESERVATION)).then((firstIndex) => {
        sending.forEach((queued, i) => {
          // Beyond one reservation's size (a huge drop), the rest is placed as it lands.
          if (firstIndex !== undefined && i < MAX_PLACES_PER_RESERVATION) queued.place = firstIndex + i;
          queue.current.push(queued);
        });
        pump();
      });
    },
    [maxUploadBytes, pump, reservePlaces],
  );

  const clearFinished = useCallback(() => {
    setItems((prev) => prev.filter((item) => item.status === "waiting" || item.status === "uploading"));
  }, []);

  return { items, addFiles, clearFinished };
}
