/**
 * The `?next=` path a guard sent the visitor from, if it is a same-origin path; otherwise "/".
 * Read only in event handlers and effects (never during render), so pages stay static.
 */
export function readNextPath(): string {
  if (typeof window === "undefined") return "/";
  const next = new URLSearchParams(window.location.search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
