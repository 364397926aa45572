/** Where generated images and dataset files live. Local disk by default; S3-like later. */
export interface Storage {
  put(key: string, data: Uint8Array, contentType: string): Promise<{ key: string; bytes: number }>;
  /** The bytes, or null when nothing is stored under the key. */
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

/** Keys are relative paths of safe segments: no `..`, no absolute paths, no hidden files. */
export function assertStorageKey(key: string): void {
  const segments = key.split("/");
  if (!KEY_PATTERN.test(key) || segments.some((s) => s === "." || s === ".." || s.startsWith("."))) {
    throw new Error(`invalid storage key "${key}"`);
  }
}
