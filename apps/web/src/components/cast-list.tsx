"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { CastListItem } from "./cast-list-item";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { useCastsList } from "./use-casts-list";
import { LoadMoreButton } from "./load-more-button";

/** The caller's recent casts, newest first with "Load more"; `spellId` narrows it to one spell. */
export function CastList({ title, spellId }: { title: string; spellId?: string }) {
  const trpc = useTRPC();
  const list = useCastsList();
  const spells = useQuery(trpc.spells.list.queryOptions({ includeDeleted: true }));
  const names = new Map((spells.data ?? []).map((s) => [s.id, s.deletedAt ? `${s.name} (deleted)` : s.name]));
  const casts = (list.data?.pages ?? []).flatMap((page) => page.items).filter((c) => !spellId || c.spellId === spellId);

  return (
    <section className="card" aria-labelledby="casts-title" data-testid="cast-list">
      <h2 className="card__title" id="casts-title">
        {title}
      </h2>
      {list.isPending ? (
        <p className="muted">Loading your casts…</p>
      ) : list.isError && casts.length === 0 ? (
        <FormAlert message={toUserMessage(list.error)} />
      ) : casts.length === 0 ? (
        <p className="muted" data-testid="casts-empty">
          {spellId ? "No casts of this spell yet." : "No casts yet. Cast a spell from the Spells page; each run shows up here."}
        </p>
      ) : (
        <ul className="cast-list">
          {casts.map((cast) => (
            <CastListItem key={cast.id} cast={cast} spellName={names.get(cast.spellId) ?? "Spell"} />
          ))}
        </ul>
      )}
      <LoadMoreButton pages={list} />
    </section>
  );
}
