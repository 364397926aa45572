"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import type { Role } from "./use-current-user";
import { navItemsFor } from "./nav-items";

function isActive(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}

type Overflow = "" | "start" | "end" | "both";

/** Which ends of the strip hide links (each gets a fade, so the strip reads as scrollable). */
function overflowOf(list: HTMLElement): Overflow {
  const hiddenStart = list.scrollLeft > 1;
  const hiddenEnd = list.scrollLeft + list.clientWidth < list.scrollWidth - 1;
  return hiddenStart && hiddenEnd ? "both" : hiddenStart ? "start" : hiddenEnd ? "end" : "";
}

/**
 * The sections, one row. Where they do not all fit (phones, or a narrow window beside the user
 * menu) the row scrolls sideways: the current section is brought to the middle on every page, and
 * a fade marks each end that hides more links.
 */
export function MainNav({ role }: { role: Role }) {
  const pathname = usePathname();
  const listRef = useRef<HTMLUListElement>(null);
  const [overflow, setOverflow] = useState<Overflow>("");

  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const update = () => setOverflow(overflowOf(list));
    update();
    list.addEventListener("scroll", update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(list);
    return () => {
      list.removeEventListener("scroll", update);
      observer.disconnect();
    };
  }, []);

  useEffect(() => {
    const list = listRef.current;
    const active = list?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!list || !active || list.scrollWidth <= list.clientWidth) return;
    // Only the strip scrolls (scrollIntoView could move the page too).
    const listBox = list.getBoundingClientRect();
    const linkBox = active.getBoundingClientRect();
    const left = list.scrollLeft + (linkBox.left - listBox.left) - (listBox.width - linkBox.width) / 2;
    list.scrollTo({ left: Math.max(0, left) });
  }, [pathname]);

  return (
    <nav className="main-nav" aria-label="Main" data-overflow={overflow || undefined}>
      <ul className="main-nav__list" ref={listRef}>
        {navItemsFor(role).map((item) => (
          <li key={item.href}>
            <Link href={item.href} className="main-nav__link" aria-current={isActive(pathname, item.href) ? "page" : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
