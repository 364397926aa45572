import type { UploadFile } from "@spellcast/core";
import { formatBytes } from "@spellcast/core";

import { HttpError } from "./http-error";

/** Most files one upload request may carry; bigger batches go in several requests. */
export const MAX_FILES_PER_REQUEST = 100;

/** A request carries at most four maximum-size images (plus multipart overhead), so memory stays bounded. */
export function maxRequestBytes(maxUploadBytes: number): number {
  return maxUploadBytes * 4 + 1024 * 1024;
}

/** Passes bytes through until `limit`, then fails the stream (a lying or missing Content-Length can't get past it). */
function byteLimit(limit: number, onExceeded: () => void): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) {
        onExceeded();
        controller.error(new Error("upload body too large"));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

/**
 * Reads a `multipart/form-data` upload: every file field counts, whatever its name. Refuses, before
 * buffering, a body whose Content-Length is over the request limit, and stops reading one that
 * grows past it. Per-file checks (size, type, name) are core's, so each file gets its own answer.
 */
export interface UploadForm {
  files: UploadFile[];
  /** The reserved place of the first file (a `firstIndex` field), when the uploader reserved places. */
  firstIndex?: number;
}

export async function readUploadForm(req: Request, maxUploadBytes: number): Promise<UploadForm> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new HttpError(415, "Send the images as multipart/form-data (one file field per image)");
  }
  const cap = maxRequestBytes(maxUploadBytes);
  const tooLarge = () =>
    new HttpError(
      413,
      `The upload is larger than ${formatBytes(cap)}, the most one request may carry; send fewer files per request (each image may be up to ${formatBytes(maxUploadBytes)})`,
    );
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > cap) throw tooLarge();
  if (!req.body) throw new HttpError(400, "The upload has no body");

  let exceeded = false;
  const body = req.body.pipeThrough(
    byteLimit(cap, () => {
      exceeded = true;
    }),
  );
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch {
    if (exceeded) throw tooLarge();
    throw new HttpError(400, "The upload is not a readable multipart/form-data body");
  }

  const files: File[] = [];
  form.forEach((value) => {
    if (typeof value !== "string") files.push(value);
  });
  if (files.length === 0) throw new HttpError(400, "The upload has no files");
  if (files.length > MAX_FILES_PER_REQUEST) {
    throw new HttpError(413, `One request may carry at most ${MAX_FILES_PER_REQUEST} files; send the rest in another`);
  }
  const firstIndex = readFirstIndex(form.get("firstIndex"));
  const read = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
  return firstIndex === undefined ? { files: read } : { files: read, firstIndex };
}

function readFirstIndex(value: ReturnType<FormData["get"]>): number | undefined {
  if (value === null) return undefined;
  if (typeof value !== "string" || !/^\d{1,9}$/.test(value.trim())) {
    throw new HttpError(400, "firstIndex: a whole number, 0 or more (the place reserved for the first file)");
  }
  return Number(value.trim());
}
