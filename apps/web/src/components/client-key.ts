/**
 * A fresh idempotency key for one submit (generations, casts): the same request sent again after
 * a lost response reuses it, so the server returns what the first made and charges once.
 * randomUUID needs a secure context, so plain-http hosts get a fallback.
 */
export function newClientKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
