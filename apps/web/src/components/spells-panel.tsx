"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { SpellEditor } from "./spell-editor";

/** Built-in and own spells; own ones can be edited and deleted. */
export function SpellsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const spells = useQuery(trpc.spells.list.queryOptions());
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const done = () => {
    setEditing(null);
    return queryClient.invalidateQueries({ queryKey: trpc.spells.list.queryKey() });
  };
  const create = useMutation(trpc.spells.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.spells.update.mutationOptions({ onSuccess: done }));
  const remove = useMutation(trpc.spells.delete.mutationOptions({ onSuccess: done }));
  const error = create.error ?? update.error ?? remove.error;
  return (
    <div className="stack">
      {error && <FormAlert message={toUserMessage(error)} />}
      <section className="card">
        {editing === "new" ? (
          <SpellEditor pending={create.isPending} onSave={(spell) => create.mutate(spell)} onCancel={() => setEditing(null)} />
        ) : (
          <button type="button" className="button button--primary" onClick={() => setEditing("new")}>
            New spell
          </button>
        )}
      </section>
      {(spells.data ?? []).map((spell) => (
        <section key={spell.id} className="card" data-testid="spell-card">
          {editing === spell.id ? (
            <SpellEditor initial={spell} pending={update.isPending} onSave={(s) => update.mutate({ id: spell.id, spell: s })} onCancel={() => setEditing(null)} />
          ) : (
            <>
              <div className="card__header">
                <h2 className="card__title">
                  {spell.name} {spell.builtIn && <span className="badge badge--neutral">Built-in</span>}
                </h2>
                <div className="caption-actions">
                  <Link href={`/spells/${spell.id}/cast`} className="button button--small button--primary" aria-label={`Cast ${spell.name}`}>
                    Cast
                  </Link>
                  {!spell.builtIn && (
                    <>
                      <button type="button" className="button button--small" onClick={() => setEditing(spell.id)}>
                        Edit
                      </button>
                      <button type="button" className="button button--small button--danger-outline" onClick={() => remove.mutate({ id: spell.id })}>
                        Delete
                      </button>
                    </>
                  )}
                </div>
              </div>
              <p className="muted">
                {spell.steps.map((s) => s.tool).join(" → ")} · {spell.input} → {spell.output} · {spell.cost} credits per cast
              </p>
            </>
          )}
        </section>
      ))}
    </div>
  );
}
