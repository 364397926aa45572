const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** How long ago `then` was, in its largest whole unit: "just now", "5 minutes ago", "yesterday", "3 days ago". */
export function formatAge(then: Date, now: Date = new Date()): string {
  const ms = Math.max(0, now.getTime() - then.getTime());
  for (const [unit, size] of UNITS) {
    if (ms >= size) return RELATIVE.format(-Math.floor(ms / size), unit);
  }
  return "just now";
}
