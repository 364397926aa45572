"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { useState } from "react";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { SubmitButton } from "./submit-button";

const NAME_MAX = 80;

/** Creates a dataset and opens it, ready for uploads. */
export function CreateDatasetForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();

  const create = useMutation(
    trpc.datasets.create.mutationOptions({
      onSuccess: async (dataset) => {
        await queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() });
        router.push(`/datasets/${dataset.id}`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = name.trim();
    const error = !trimmed ? "Name the dataset" : trimmed.length > NAME_MAX ? `Use at most ${NAME_MAX} characters` : undefined;
    setFieldError(error);
    if (!error) create.mutate({ name: trimmed });
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-label="Create a dataset">
      <FormAlert message={create.error ? toUserMessage(create.error) : null} />
      <div className="inline-form">
        <FormField
          label="Dataset name"
          name="name"
          placeholder="e.g. product shots"
          autoComplete="off"
          maxLength={NAME_MAX + 16}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setFieldError(undefined);
          }}
          error={fieldError}
        />
        <div className="inline-form__actions">
          <SubmitButton pending={create.isPending}>Create dataset</SubmitButton>
        </div>
      </div>
    </form>
  );
}
