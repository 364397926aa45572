import { randomBytes } from "node:crypto";

/**
 * Images served for `response_format: "url"`. Bounded by count and bytes so a long benchmark
 * cannot grow the sim without limit; the oldest unread files go first, like expiring URLs.
 */
export class FileStore {
  private files = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 256,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  put(data: Buffer): string {
    const id = randomBytes(12).toString("hex");
    this.files.set(id, data);
    this.bytes += data.length;
    this.evict();
    return id;
  }

  get(id: string): Buffer | undefined {
    const data = this.files.get(id);
    if (data) {
      // Re-insert to mark as recently used: Map keeps insertion order.
      this.files.delete(id);
      this.files.set(id, data);
    }
    return data;
  }

  clear(): void {
    this.files.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.files.size;
  }

  private evict(): void {
    for (const [id, data] of this.files) {
      if (this.files.size <= this.maxEntries && this.bytes <= this.maxBytes) return;
      this.files.delete(id);
      this.bytes -= data.length;
    }
  }
}
