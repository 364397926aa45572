"use client";

import { usePathname } from "next/navigation";

import { AuthLinks } from "./auth-links";
import { BrandLink } from "./brand-link";
import { MainNav } from "./main-nav";
import { useCurrentUser } from "./use-current-user";
import { UserMenu } from "./user-menu";

export function SiteHeader() {
  const { user, isPending } = useCurrentUser();
  // The sign-in and sign-up cards link to each other; the header stays quiet there.
  const onAuthPage = ["/sign-in", "/sign-up"].includes(usePathname());
  return (
    <header className="site-header">
      <div className="container site-header__inner">
        <BrandLink />
        {user && <MainNav role={user.role} />}
        {isPending ? (
          <span className="header-skeleton user-menu" aria-hidden="true" />
        ) : user ? (
          <UserMenu user={user} />
        ) : onAuthPage ? null : (
          <AuthLinks />
        )}
      </div>
    </header>
  );
}
