"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { mergeSnapshot } from "./generation-cache";
import { GenerationCard } from "./generation-card";
import { GenerationDetailsDialog } from "./generation-details-dialog";
import { useGenerationLive } from "./generation-live-store";
import type { GenerationSettings } from "./generation-settings";
import { useGenerationsList } from "./use-generations-list";
import { LoadMoreButton } from "./load-more-button";

/**
 * The caller's generations as cards, newest first, 24 per page with "Load more". `openFirst`
 * (`/generate?session=`, as the credits page links a charge) opens that generation's details,
 * fetched on its own when it is not on the first page. `onReuse`: a dialog's "Use these settings".
 */
export function GenerationHistory({ openFirst = null, onReuse }: { openFirst?: string | null; onReuse?: (settings: GenerationSettings) => void }) {
  const trpc = useTRPC();
  const list = useGenerationsList();
  const live = useGenerationLive();
  const [openId, setOpenId] = useState<string | null>(openFirst);

  // Whatever a page fetch returned, the newest snapshot the stream announced wins.
  const seen = new Set<string>();
  const sessions = (list.data?.pages ?? []).flatMap((page) =>
    page.items.flatMap((item) => {
      if (seen.has(item.id)) return [];
      seen.add(item.id);
      return [mergeSnapshot(item, live.knownOf(item.id) ?? item)];
    }),
  );
  const listed = openId ? (sessions.find((s) => s.id === openId) ?? live.knownOf(openId) ?? null) : null;
  const linked = useQuery(trpc.generations.get.queryOptions({ id: openFirst ?? "" }, { enabled: openFirst !== null && openId === openFirst && !listed }));
  const open = listed ?? (openId !== null && openId === openFirst ? (linked.data ?? null) : null);
  const close = () => {
    setOpenId(null);
    // Closed, the link's dialog does not open again on a reload.
    if (openFirst !== null) window.history.replaceState(null, "", window.location.pathname);
  };

  return (
    <section aria-labelledby="history-title" className="generation-history">
      <h2 className="section-title" id="history-title">
        History
      </h2>
      {linked.isError && openId === openFirst && <FormAlert message={`Could not open that generation: ${toUserMessage(linked.error)}`} />}
      {list.isPending ? (
        <p className="muted">Loading your generations…</p>
      ) : list.isError && sessions.length === 0 ? (
        <FormAlert message={toUserMessage(list.error)} />
      ) : sessions.length === 0 ? (
        <div className="empty-state card" data-testid="generations-empty">
          <p className="empty-state__title">No generations yet</p>
          <p>Write a prompt above; your images appear here as they are made.</p>
        </div>
      ) : (
        <ul className="generation-grid" data-testid="generation-grid">
          {sessions.map((session) => (
            <GenerationCard key={session.id} session={session} progress={live.progressOf(session.id)} onOpen={setOpenId} />
          ))}
        </ul>
      )}
      <LoadMoreButton pages={list} />
      <GenerationDetailsDialog session={open} progress={openId ? live.progressOf(openId) : undefined} onClose={close} onReuse={onReuse} />
    </section>
  );
}
