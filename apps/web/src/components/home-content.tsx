"use client";

import Link from "next/link";

import { NAV_ITEMS, navItemsFor } from "./nav-items";
import { QuickLinkTiles } from "./quick-link-tiles";
import { useCurrentUser } from "./use-current-user";

const FEATURES = NAV_ITEMS.filter((item) => ["/generate", "/spells", "/datasets", "/api-keys"].includes(item.href));

export function HomeContent() {
  const { user, isPending } = useCurrentUser();

  if (user) {
    return (
      <>
        <section className="hero hero--compact" aria-labelledby="home-title">
          <h1 className="hero__title" id="home-title">
            Welcome, {user.name}
          </h1>
          <p className="hero__lead">Generate an image, caption a dataset, or cast a spell.</p>
        </section>
        <h2 className="visually-hidden">Quick links</h2>
        <QuickLinkTiles items={navItemsFor(user.role)} />
      </>
    );
  }

  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <span className="hero__eyebrow">AI generation, with receipts</span>
        <h1 className="hero__title" id="home-title">
          Cast spells over your images.
        </h1>
        <p className="hero__lead">
          Spellcast runs AI generation work on credits: single images from a prompt, or multi-step
          spells such as caption → rewrite → refine, cast over whole datasets. Every run is a job you can
          watch live, and a failed run always gives your credits back with the provider&apos;s reason.
        </p>
        {!isPending && (
          <div className="hero__actions">
            <Link href="/sign-up" className="button button--primary">
              Get started
            </Link>
            <Link href="/sign-in" className="button">
              I have an account
            </Link>
          </div>
        )}
      </section>
      <h2 className="section-title">What you can do</h2>
      <QuickLinkTiles items={FEATURES} />
    </>
  );
}
