"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { imageSizeSchema } from "@spellcast/core/sessions/schema";
import type { SpellSnapshot, SpellStep } from "@spellcast/core/spells/schema";
import { tools } from "@spellcast/core/spells/tools";

import { useTRPC } from "~/trpc/react";

import { ConfirmDialog } from "./confirm-dialog";
import { toUserMessage } from "./error-message";
import { formatCredits } from "./format-credits";
import { FormAlert } from "./form-alert";
import { imageSizeLabel } from "./image-size-label";
import { SpellEditor } from "./spell-editor";

/** Built-in and own spells; own ones can be edited and deleted (after a confirmation). */
export function SpellsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const spells = useQuery(trpc.spells.list.queryOptions());
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [deleting, setDeleting] = useState<SpellSnapshot | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.spells.list.queryKey() });
  const done = () => {
    setEditing(null);
    return refresh();
  };
  const create = useMutation(trpc.spells.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.spells.update.mutationOptions({ onSuccess: done }));
  const remove = useMutation(
    trpc.spells.delete.mutationOptions({
      onSuccess: () => {
        setDeleting(null);
        return refresh();
      },
    }),
  );
  const edit = (id: string | "new" | null) => {
    create.reset();
    update.reset();
    setEditing(id);
  };
  return (
    <div className="stack">
      {spells.error && <FormAlert message={toUserMessage(spells.error)} />}
      <section className="card">
        {editing === "new" ? (
          <SpellEditor
            pending={create.isPending}
            error={create.error ? toUserMessage(create.error) : null}
            onSave={(spell) => create.mutate(spell)}
            onCancel={() => edit(null)}
          />
        ) : (
          <button type="button" className="button button--primary" onClick={() => edit("new")}>
            New spell
          </button>
        )}
      </section>
      {(spells.data ?? []).map((spell) => (
        <section key={spell.id} className="card" data-testid="spell-card">
          {editing === spell.id ? (
            <SpellEditor
              initial={spell}
              pending={update.isPending}
              error={update.error ? toUserMessage(update.error) : null}
              onSave={(s) => update.mutate({ id: spell.id, spell: s })}
              onCancel={() => edit(null)}
            />
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
                      <button type="button" className="button button--small" onClick={() => edit(spell.id)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button button--small button--danger-outline"
                        onClick={() => {
                          remove.reset();
                          setDeleting(spell);
                        }}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </div>
              </div>
              <p className="muted">
                {spell.steps.map(stepLabel).join(" → ")} · {spell.input} → {spell.output} · {formatCredits(spell.cost)} per cast
              </p>
            </>
          )}
        </section>
      ))}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete “${deleting?.name ?? ""}”?`}
        confirmLabel="Delete spell"
        dismissLabel="Keep it"
        pending={remove.isPending}
        error={remove.error ? toUserMessage(remove.error) : null}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
        onCancel={() => setDeleting(null)}
      >
        <p>It leaves your spells and can no longer be cast. Casts and caption runs already made with it keep their steps and captions, and a run still going finishes.</p>
      </ConfirmDialog>
    </div>
  );
}

/** "ChatGPT", or "Seedream 1024 × 1024": a step as a spell's card lists it. */
function stepLabel(step: SpellStep): string {
  const size = imageSizeSchema.safeParse(step.params.size);
  return step.tool === "seedream" && size.success ? `${tools.seedream.label} ${imageSizeLabel(size.data)}` : tools[step.tool].label;
}
