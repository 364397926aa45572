import type { InfiniteData } from "@tanstack/react-query";

/** What a keyset list orders by: newest first on createdAt, then id (as the server pages). */
export interface NewestFirstItem {
  id: string;
  createdAt: string;
}

export interface NewestFirstPage<T extends NewestFirstItem> {
  items: T[];
  nextCursor: unknown;
}

/** The lists' order: newest first by createdAt, then id (as the server's keyset). */
export function compareNewestFirst(a: NewestFirstItem, b: NewestFirstItem): number {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id > b.id ? -1 : 1;
}

/**
 * Applies one item to cached keyset pages: merged in place when present; otherwise inserted where
 * it belongs among the loaded items. An item older than everything loaded while more pages exist
 * is left for "Load more" (the server returns it there, current).
 */
export function upsertNewestFirst<T extends NewestFirstItem, P extends NewestFirstPage<T>, C>(
  data: InfiniteData<P, C> | undefined,
  item: T,
  merge: (current: T, incoming: T) => T,
): InfiniteData<P, C> | undefined {
  if (!data) return data;
  let found = false;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((x) => x.id === item.id);
    if (index < 0) return page;
    found = true;
    const current = page.items[index];
    const merged = current ? merge(current, item) : item;
    if (merged === current) return page;
    return { ...page, items: page.items.map((x, i) => (i === index ? merged : x)) };
  });
  if (found) return { ...data, pages };

  for (const [p, page] of pages.entries()) {
    const position = page.items.findIndex((x) => compareNewestFirst(item, x) < 0);
    const isLast = p === pages.length - 1;
    if (position < 0 && !(isLast && page.nextCursor === null)) continue;
    const at = position < 0 ? page.items.length : position;
    const items = [...page.items.slice(0, at), item, ...page.items.slice(at)];
    return { ...data, pages: pages.map((pg, i) => (i === p ? { ...pg, items } : pg)) };
  }
  return data;
}
