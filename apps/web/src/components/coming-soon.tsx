import type { ReactNode } from "react";

/** Placeholder for a section that is routed and in the nav, but not built yet. */
export function ComingSoon({ children }: { children: ReactNode }) {
  return (
    <section className="coming-soon" aria-label="Coming soon">
      <span className="badge badge--neutral">Coming soon</span>
      <p>{children}</p>
    </section>
  );
}
