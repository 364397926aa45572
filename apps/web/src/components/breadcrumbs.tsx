import Link from "next/link";

export interface Crumb {
  href: string;
  label: string;
}

/** The pages above this one, as links separated by slashes; the page's own title follows in its h1. */
export function Breadcrumbs({ items }: { items: readonly Crumb[] }) {
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <ol className="breadcrumb__list">
        {items.map((crumb) => (
          <li key={crumb.href} className="breadcrumb__item">
            <Link href={crumb.href}>{crumb.label}</Link>
          </li>
        ))}
      </ol>
    </nav>
  );
}
