import { createHash, randomBytes } from "node:crypto";

const KEY_PREFIX = "sc_";
/** 32 random bytes as base64url: 43 characters. */
const KEY_PATTERN = /^sc_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Keys carry 256 bits of entropy, so a fast hash is enough (no password stretching needed). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** What lists show: enough to tell keys apart, too little to use. */
export function displayPrefix(key: string): string {
  return key.slice(0, 10);
}
