import Link from "next/link";

import type { NavItem } from "./nav-items";

export function QuickLinkTiles({ items }: { items: readonly NavItem[] }) {
  return (
    <ul className="tile-grid">
      {items.map(({ href, label, description, icon: Icon }) => (
        <li key={href}>
          <div className="tile">
            <span className="tile__icon">
              <Icon />
            </span>
            <h3 className="tile__title">
              <Link href={href} className="tile__link">
                {label}
              </Link>
            </h3>
            <p className="tile__text">{description}</p>
          </div>
        </li>
      ))}
    </ul>
  );
}
