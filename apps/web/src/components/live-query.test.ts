import type { DataTag, QueryKey } from "@tanstack/react-query";
import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";

import { patchQueries, patchQuery, readAgain } from "./live-query";

/** A run's page as the server answers it: captions that landed, by id, with when each did. */
interface Page {
  landed: Record<string, number>;
}

/** The newer snapshot wins, as every live patch does. */
const land = (id: string, at: number) => (old: Page | undefined) =>
  old && (old.landed[id] ?? -1) < at ? { landed: { ...old.landed, [id]: at } } : old;

const key = ["captions.get", { setId: "s1" }] as unknown as DataTag<QueryKey, Page, Error>;

/** A query whose reads answer only when the test says, with what the test says; an observer keeps it active. */
function slowQuery() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  const answers: Array<(page: Page) => void> = [];
  const observer = new QueryObserver<Page, Error, Page, Page, QueryKey>(queryClient, {
    queryKey: key,
    queryFn: () => new Promise<Page>((resolve) => answers.push(resolve)),
  });
  const unsubscribe = observer.subscribe(() => {});
  const settled = () => new Promise((r) => setTimeout(r, 0));
  return { queryClient, answers, unsubscribe, settled, reads: () => answers.length };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe("live patches and reads in flight", () => {
  it("a caption that lands while the page's first read is in flight is shown after that read answers without it", async () => {
    const q = slowQuery();
    cleanup = q.unsubscribe;
    expect(q.reads()).toBe(1);
    patchQuery(q.queryClient, key, land("a", 2));
    q.answers[0]?.({ landed: { b: 1 } });
    await q.settled();
    expect(q.queryClient.getQueryData(key)).toEqual({ landed: { a: 2, b: 1 } });
  });

  it("a patch during a second read survives that read's older answer; one after it applies once", async () => {
    const q = slowQuery();
    cleanup = q.unsubscribe;
    q.answers[0]?.({ landed: {} });
    await q.settled();
    void q.queryClient.refetchQueries({ queryKey: key });
    await q.settled();
    expect(q.reads()).toBe(2);
    patchQueries<Page>(q.queryClient, { queryKey: key }, land("a", 3));
    q.answers[1]?.({ landed: { a: 1 } });
    await q.settled();
    expect(q.queryClient.getQueryData(key)).toEqual({ landed: { a: 3 } });
    patchQuery(q.queryClient, key, land("c", 4));
    expect(q.queryClient.getQueryData(key)).toEqual({ landed: { a: 3, c: 4 } });
    expect(q.reads()).toBe(2);
  });

  it("read-again asked many times during a read makes one more read after it, whose answer is kept", async () => {
    const q = slowQuery();
    cleanup = q.unsubscribe;
    for (let i = 0; i < 20; i++) readAgain(q.queryClient, { queryKey: key });
    expect(q.reads()).toBe(1);
    q.answers[0]?.({ landed: {} });
    await q.settled();
    expect(q.reads()).toBe(2);
    q.answers[1]?.({ landed: { a: 5 } });
    await q.settled();
    expect(q.queryClient.getQueryData(key)).toEqual({ landed: { a: 5 } });
    expect(q.reads()).toBe(2);
  });

  it("read-again with no read in flight reads at once", async () => {
    const q = slowQuery();
    cleanup = q.unsubscribe;
    q.answers[0]?.({ landed: {} });
    await q.settled();
    readAgain(q.queryClient, { queryKey: key });
    await q.settled();
    expect(q.reads()).toBe(2);
  });
});
