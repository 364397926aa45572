"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useState } from "react";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { SubmitButton } from "./submit-button";

const NAME_MAX = 64;

export interface CreatedKey {
  name: string;
  plainKey: string;
}

function validateName(name: string): string | undefined {
  if (!name) return "Name the key, for example after the app that will use it";
  if (name.length > NAME_MAX) return `Use at most ${NAME_MAX} characters`;
  return undefined;
}

export function CreateApiKeyForm({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();

  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async ({ key, apiKey }) => {
        onCreated({ name: apiKey.name, plainKey: key });
        setName("");
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = name.trim();
    const error = validateName(trimmed);
    setFieldError(error);
    if (error) return;
    create.mutate({ name: trimmed });
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Create an API key">
      <FormAlert message={create.error ? toUserMessage(create.error) : null} />
      <div className="inline-form">
        <FormField
          label="Key name"
          name="name"
          placeholder="e.g. caption-pipeline"
          autoComplete="off"
          maxLength={NAME_MAX + 16}
          hint="Only you see it; it helps you tell keys apart."
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setFieldError(undefined);
          }}
          error={fieldError}
        />
        <div className="inline-form__actions">
          <SubmitButton pending={create.isPending}>Create key</SubmitButton>
        </div>
      </div>
    </form>
  );
}
