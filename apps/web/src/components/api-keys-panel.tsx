"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { useTRPC } from "~/trpc/react";

import { ApiKeyTable } from "./api-key-table";
import type { CreatedKey } from "./create-api-key-form";
import { CreateApiKeyForm } from "./create-api-key-form";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { NewApiKeyNotice } from "./new-api-key-notice";

function TableSkeleton() {
  return (
    <div aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading keys…
      </p>
      <div className="skeleton-line" />
      <div className="skeleton-line" />
      <div className="skeleton-line" style={{ width: "70%" }} />
    </div>
  );
}

export function ApiKeysPanel() {
  const trpc = useTRPC();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const [created, setCreated] = useState<CreatedKey | null>(null);

  return (
    <div className="stack">
      <section className="card" aria-labelledby="create-key-title">
        <h2 className="card__title" id="create-key-title">
          Create a key
        </h2>
        <p className="card__lead">
          Send it as <code>Authorization: Bearer &lt;key&gt;</code> from the typed client. Revoke it here when
          an app no longer needs it.
        </p>
        <CreateApiKeyForm onCreated={setCreated} />
      </section>

      {created && <NewApiKeyNotice name={created.name} plainKey={created.plainKey} onDismiss={() => setCreated(null)} />}

      <section className="card" aria-labelledby="keys-title">
        <h2 className="card__title" id="keys-title">
          Your keys
        </h2>
        {keys.isPending ? (
          <TableSkeleton />
        ) : keys.isError ? (
          <FormAlert message={`Could not load your keys: ${toUserMessage(keys.error)}`} />
        ) : (
          <ApiKeyTable keys={keys.data} />
        )}
      </section>
    </div>
  );
}
