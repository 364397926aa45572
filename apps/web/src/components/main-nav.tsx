"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import type { Role } from "./use-current-user";
import { navItemsFor } from "./nav-items";

function isActive(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function MainNav({ role }: { role: Role }) {
  const pathname = usePathname();
  return (
    <nav className="main-nav" aria-label="Main">
      <ul className="main-nav__list">
        {navItemsFor(role).map((item) => (
          <li key={item.href}>
            <Link
              href={item.href}
              className="main-nav__link"
              aria-current={isActive(pathname, item.href) ? "page" : undefined}
            >
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
