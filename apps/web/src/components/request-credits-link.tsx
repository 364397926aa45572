import Link from "next/link";
import type { ReactNode } from "react";

/** Where to go when credits are short: the Credits page's request form (there is no shop). */
export function RequestCreditsLink({ children = "Request credits" }: { children?: ReactNode }) {
  return <Link href="/credits#request-credits">{children}</Link>;
}
