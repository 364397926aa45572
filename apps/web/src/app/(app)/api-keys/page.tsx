import type { Metadata } from "next";

import { ApiKeysPanel } from "~/components/api-keys-panel";
import { PageHeader } from "~/components/page-header";

export const metadata: Metadata = { title: "API keys" };

export default function ApiKeysPage() {
  return (
    <>
      <PageHeader
        title="API keys"
        lead="Other apps use API keys to enqueue generations and spells on your behalf and spend your credits. Each key is shown once, when you create it."
      />
      <ApiKeysPanel />
    </>
  );
}
