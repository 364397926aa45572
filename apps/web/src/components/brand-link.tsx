import Link from "next/link";

import { SparkleIcon } from "./icons";

export function BrandLink() {
  return (
    <Link href="/" className="brand">
      <span className="brand__mark">
        <SparkleIcon width={16} height={16} />
      </span>
      <span className="brand__name">Spellcast</span>
    </Link>
  );
}
