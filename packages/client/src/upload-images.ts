import pRetry from "p-retry";

import type { RouterOutputs } from "./types.js";

/** A file to upload: a `File`, or a name with bytes (a `Blob`, `Uint8Array` or `ArrayBuffer`). */
export type UploadFileInput = File | { name: string; data: Blob | Uint8Array | ArrayBuffer; type?: string };

/** An image as `datasets.get` returns it. */
export type UploadedImage = RouterOutputs["datasets"]["get"]["images"][number];

/** What the upload route answers: the images added, and each refused file with its reason. */
export interface UploadImagesResult {
  added: UploadedImage[];
  rejected: { name: string; reason: string }[];
}

/** An upload refused as a whole (401, 404, 413, 415…): `status` is the HTTP status, `message` the server's reason. */
export class SpellcastUploadError extends Error {
  override readonly name = "SpellcastUploadError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function toBlobPart(file: Exclude<UploadFileInput, File>): Blob {
  if (file.data instanceof Blob) return file.data;
  const bytes = file.data instanceof Uint8Array ? file.data : new Uint8Array(file.data);
  // Copy into a plain ArrayBuffer-backed view, which every Blob implementation accepts.
  return new Blob([new Uint8Array(bytes)], { type: file.type ?? "application/octet-stream" });
}

export interface UploadImagesOptions {
  /**
   * The place of the first file, from `trpc.datasets.reserveImageIndexes` (the others follow it):
   * for several uploads sent at once that must keep the files' order. With places, an upload whose
   * answer was lost or transient (no answer, 408, 429, 502–504) is sent again, up to `attempts`
   * in all: the server reports files already in their places as added, storing nothing twice.
   */
  firstIndex?: number;
  /** Tries in all with `firstIndex` (default 4); without it, one. */
  attempts?: number;
}

/** Answers that say "not now": sending the same upload again may succeed. */
const TRANSIENT_STATUSES = new Set([408, 429, 502, 503, 504]);

/** An upload that got no answer (a `fetch` TypeError, or a connection reset) or a transient one. */
export function isRetryableUploadError(err: unknown): boolean {
  if (err instanceof SpellcastUploadError) return TRANSIENT_STATUSES.has(err.status);
  return err instanceof TypeError;
}

export async function uploadImages(
  deps: { baseUrl: string; authorization: string; fetch: typeof fetch },
  datasetId: string,
  files: UploadFileInput[],
  options: UploadImagesOptions = {},
): Promise<UploadImagesResult> {
  const send = () => sendUpload(deps, datasetId, files, options.firstIndex);
  if (options.firstIndex === undefined) return send();
  return pRetry(send, {
    retries: (options.attempts ?? 4) - 1,
    minTimeout: 500,
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => isRetryableUploadError(error),
  });
}

async function sendUpload(
  deps: { baseUrl: string; authorization: string; fetch: typeof fetch },
  datasetId: string,
  files: UploadFileInput[],
  firstIndex: number | undefined,
): Promise<UploadImagesResult> {
  // A form per try: a request's body is read once.
  const form = new FormData();
  if (firstIndex !== undefined) form.append("firstIndex", String(firstIndex));
  for (const file of files) {
    if (file instanceof File) form.append("file", file, file.name);
    else form.append("file", toBlobPart(file), file.name);
  }
  const res = await deps.fetch(`${deps.baseUrl}/api/datasets/${encodeURIComponent(datasetId)}/images`, {
    method: "POST",
    headers: { authorization: deps.authorization },
    body: form,
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message =
      body && typeof body === "object" && "error" in body && typeof body.error === "string"
        ? body.error
        : `Upload failed with HTTP ${res.status}`;
    throw new SpellcastUploadError(res.status, message);
  }
  if (!isWireResult(body)) throw new SpellcastUploadError(res.status, "Unexpected upload response");
  // Plain JSON carries dates as strings; give them back as Dates, as tRPC does.
  return { added: body.added.map((image) => ({ ...image, createdAt: new Date(image.createdAt) })), rejected: body.rejected };
}

interface WireResult {
  added: (Omit<UploadedImage, "createdAt"> & { createdAt: string })[];
  rejected: { name: string; reason: string }[];
}

function isWireResult(body: unknown): body is WireResult {
  return (
    typeof body === "object" &&
    body !== null &&
    "added" in body &&
    Array.isArray(body.added) &&
    "rejected" in body &&
    Array.isArray(body.rejected)
  );
}
