"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { useTRPC } from "~/trpc/react";

import { ConfirmDialog } from "./confirm-dialog";
import { toUserMessage } from "./error-message";

export function RevokeApiKeyButton({ id, name }: { id: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);

  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: async (revoked) => {
        queryClient.setQueryData(trpc.apiKeys.list.queryKey(), (keys) =>
          keys?.map((key) => (key.id === revoked.id ? revoked : key)),
        );
        setOpen(false);
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
    }),
  );

  return (
    <>
      <button
        type="button"
        className="button button--danger-outline button--small"
        onClick={() => {
          revoke.reset();
          setOpen(true);
        }}
      >
        Revoke
      </button>
      <ConfirmDialog
        open={open}
        title={`Revoke “${name}”?`}
        confirmLabel="Yes, revoke key"
        pending={revoke.isPending}
        error={revoke.error ? toUserMessage(revoke.error) : null}
        onConfirm={() => revoke.mutate({ id })}
        onCancel={() => setOpen(false)}
      >
        <p>Apps using this key are refused from their next request. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
