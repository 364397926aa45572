/** A fresh idempotency key (`client_<uuid>`), for a create call whose caller passed none. */
export function randomClientKey(): string {
  return `client_${globalThis.crypto.randomUUID()}`;
}
