import type { UploadResult } from "@spellcast/core/datasets/schema";

/**
 * Files per request at most, and bytes (a larger file goes alone). Each request costs the server
 * its sign-in check, ownership read and transaction: 2,000 small images went in 15 s from the page
 * in requests of 10, 10.5 s in requests of 25 and 9.3 s in requests of 50 (bench/README.md).
 */
export const GROUP_FILES = 50;
export const GROUP_BYTES = 8 * 1024 * 1024;

/**
 * Files for the next request when `freeLanes` of the requests sent at once are free: the files
 * waiting spread over them (45 files go as three requests of 15 side by side, not one of 45), at
 * most `maxFiles` each.
 */
export function groupSize(waiting: number, freeLanes: number, maxFiles = GROUP_FILES): number {
  return Math.max(1, Math.min(maxFiles, Math.ceil(waiting / Math.max(1, freeLanes))));
}

/**
 * Removes and returns the next request's files from the front of `queue` (at least one). A request
 * names only its first file's reserved place, so its files' places must follow one another.
 */
export function takeGroup<T extends { file: { size: number }; place?: number }>(queue: T[], maxFiles = GROUP_FILES, maxBytes = GROUP_BYTES): T[] {
  const group: T[] = [];
  let bytes = 0;
  for (const next of queue) {
    const last = group.at(-1);
    if (last && (group.length >= maxFiles || bytes + next.file.size > maxBytes || !follows(last.place, next.place))) break;
    group.push(next);
    bytes += next.file.size;
  }
  queue.splice(0, group.length);
  return group;
}

const follows = (last: number | undefined, next: number | undefined) => (last === undefined ? next === undefined : next === last + 1);

/** Each file's share of a request's progress (`fraction` of all its bytes sent), in order. */
export function fileProgress(sizes: readonly number[], fraction: number): number[] {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  let before = 0;
  return sizes.map((size) => {
    const sent = fraction * total - before;
    before += size;
    return size === 0 ? 1 : Math.min(1, Math.max(0, sent / size));
  });
}

export type FileOutcome = { status: "added"; storedAs: string } | { status: "rejected"; reason: string };

/**
 * What became of each file of a request, in order: the server lists the refused by name and the
 * added in upload order, so a file whose name is refused (first come, first matched) was refused
 * and the others were added, one after another.
 */
export function matchOutcomes(names: readonly string[], result: UploadResult): FileOutcome[] {
  const refused = [...result.rejected];
  let next = 0;
  return names.map((name) => {
    const at = refused.findIndex((r) => r.name === name);
    if (at >= 0) {
      const [rejection] = refused.splice(at, 1);
      return { status: "rejected", reason: rejection?.reason ?? "not added" };
    }
    const added = result.added[next++];
    return added ? { status: "added", storedAs: added.fileName } : { status: "rejected", reason: "not added" };
  });
}
