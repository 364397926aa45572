import { describe, expect, it } from "vitest";

import { isTransientUploadStatus, retryDelayAfter, UPLOAD_ATTEMPTS, uploadRetryDelayMs } from "./upload-retry";

describe("sending an upload again", () => {
  it("goes again after no answer or a 'not now' (408, 429, 502–504), never after a refusal or a server error", () => {
    expect([0, 408, 429, 502, 503, 504].every(isTransientUploadStatus)).toBe(true);
    expect([200, 400, 401, 404, 413, 500].some(isTransientUploadStatus)).toBe(false);
  });

  it("waits 1 s, 2 s, 4 s, each within ±20 %", () => {
    expect([1, 2, 3].map((attempt) => uploadRetryDelayMs(attempt, () => 0.5))).toEqual([1_000, 2_000, 4_000]);
    expect(uploadRetryDelayMs(1, () => 0)).toBe(800);
    expect(uploadRetryDelayMs(3, () => 1)).toBe(4_800);
  });

  it("decides from the answer and the try: again after a 'not now' while tries are left, never after a refusal or a server error", () => {
    const half = () => 0.5;
    expect([0, 408, 429, 502, 503, 504].map((status) => retryDelayAfter(status, 1, half))).toEqual([1_000, 1_000, 1_000, 1_000, 1_000, 1_000]);
    expect([400, 401, 403, 404, 413, 500].map((status) => retryDelayAfter(status, 1, half))).toEqual([null, null, null, null, null, null]);
    expect(retryDelayAfter(503, UPLOAD_ATTEMPTS - 1, half)).toBe(4_000);
    expect(retryDelayAfter(503, UPLOAD_ATTEMPTS, half)).toBeNull();
  });
});
