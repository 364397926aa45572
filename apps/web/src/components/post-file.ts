/** What the upload route answered: its status and parsed JSON body (null when it sent none). */
export interface PostFileResult {
  status: number;
  body: unknown;
}

/** The request never got an answer (the connection failed or dropped): it may or may not have landed. */
export class UploadUnreachableError extends Error {
  override readonly name = "UploadUnreachableError";
  constructor() {
    super("The upload did not reach the server (network error)");
  }
}

/**
 * Sends files as one `multipart/form-data` request (a `file` field each, after `firstIndex` when
 * given) with XMLHttpRequest, whose upload events (unlike fetch's) report progress. Rejects only
 * when the request never got an answer.
 */
export function postFiles(
  url: string,
  upload: { files: readonly File[]; firstIndex?: number },
  onProgress: (fraction: number) => void,
): Promise<PostFileResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.response as unknown });
    xhr.onerror = () => reject(new UploadUnreachableError());
    xhr.onabort = () => reject(new Error("The upload was cancelled"));
    const form = new FormData();
    // The reserved place of the first file; the server puts the others after it, in order.
    if (upload.firstIndex !== undefined) form.append("firstIndex", String(upload.firstIndex));
    for (const file of upload.files) form.append("file", file, file.name);
    xhr.send(form);
  });
}
