import type { ReactNode } from "react";

import { CastsLiveUpdates } from "~/components/casts-live-updates";
import { CreditsLiveUpdates } from "~/components/credits-live-updates";
import { EventStreamConnection } from "~/components/event-stream-provider";
import { GenerationLiveStoreProvider } from "~/components/generation-live-store";
import { GenerationsLiveUpdates } from "~/components/generations-live-updates";
import { RequireSession } from "~/components/require-session";

/**
 * Every page in this group needs a session; visitors are sent to /sign-in and back. Signed in,
 * the tab keeps one event stream open here, which keeps cached data live.
 */
export default function SignedInLayout({ children }: { children: ReactNode }) {
  return (
    <RequireSession>
      <EventStreamConnection />
      <CreditsLiveUpdates />
      <GenerationLiveStoreProvider>
        <GenerationsLiveUpdates />
        <CastsLiveUpdates />
        {children}
      </GenerationLiveStoreProvider>
    </RequireSession>
  );
}
