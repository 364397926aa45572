"use client";

import { useCallback, useRef, useState } from "react";

import type { UploadResult } from "@spellcast/core/datasets/schema";
import { formatBytes, MAX_PLACES_PER_RESERVATION } from "@spellcast/core/datasets/schema";

import { useTRPCClient } from "~/trpc/react";

import { atMostEvery } from "./frame-batch";
import { postFiles, UploadUnreachableError } from "./post-file";
import { reservePlaces } from "./reserve-places";
import { fileProgress, groupSize, matchOutcomes, takeGroup } from "./upload-groups";
import { retryDelayAfter } from "./upload-retry";
import { useFrameBatch } from "./use-frame-batch";

/** `retrying`: its request, or the reservation of its place, got no answer or a "not now" one, and goes again after a pause. */
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
  // Reservations go one after another, so a later drop's places follow an earlier one's even while
  // the earlier one is being retried.
  const reservations = useRef<Promise<void>>(Promise.resolve());
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
        const waitMs = group[0]?.place !== undefined ? retryDelayAfter(status, attempt) : null;
        if (waitMs === null) return failAll(errorOf(body, status));
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
   * that order whichever commits first; then queues them. A reservation that gets no answer or a
   * "not now" goes again like an upload (its files shown as retrying); one the server refuses, or
   * that runs out of tries, fails its files with the server's words: without places they could land
   * out of order, and their requests could not be sent again safely.
   */
  const reserveAndQueue = useCallback(
    async (files: readonly Queued[]) => {
      let retried = false;
      const reservation = await reservePlaces(
        () => client.datasets.reserveImageIndexes.mutate({ datasetId, count: files.length }).then((r) => r.firstIndex),
        {
          onRetry: (reason) => {
            retried = true;
            for (const { id } of files) update(id, { status: "retrying", reason });
          },
        },
      );
      if (!reservation.ok) {
        for (const { id } of files) update(id, { status: "failed", reason: reservation.reason });
        return;
      }
      files.forEach((queued, i) => {
        queued.place = reservation.firstIndex + i;
        if (retried) update(queued.id, { status: "waiting", reason: undefined });
        queue.current.push(queued);
      });
    },
    [client, datasetId, update],
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
      // Beyond one reservation's size (a huge drop, past any dataset's limit), the rest is placed as it lands.
      const placed = sending.slice(0, MAX_PLACES_PER_RESERVATION);
      const unplaced = sending.slice(MAX_PLACES_PER_RESERVATION);
      reservations.current = reservations.current
        .then(async () => {
          await reserveAndQueue(placed);
          for (const queued of unplaced) queue.current.push(queued);
          pump();
        })
        // Not a failed request (those are the files' results) but a fault here: shown on the files, and the next drop still goes.
        .catch((err: unknown) => {
          for (const { id } of sending) update(id, { status: "failed", reason: err instanceof Error ? err.message : "The upload failed" });
        });
    },
    [maxUploadBytes, pump, reserveAndQueue, update],
  );

  const clearFinished = useCallback(() => {
    setItems((prev) => prev.filter((item) => item.status === "waiting" || item.status === "uploading" || item.status === "retrying"));
  }, []);

  return { items, addFiles, clearFinished };
}
