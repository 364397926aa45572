import type { ReactNode } from "react";

import { RequireSession } from "~/components/require-session";

/** Every page in this group needs a session; visitors are sent to /sign-in and back. */
export default function SignedInLayout({ children }: { children: ReactNode }) {
  return <RequireSession>{children}</RequireSession>;
}
