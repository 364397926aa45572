"use client";

import { useEffect, useRef } from "react";

import { CopyButton } from "./copy-button";

interface NewApiKeyNoticeProps {
  name: string;
  plainKey: string;
  onDismiss: () => void;
}

/** The one and only time the plain key is shown; it is stored hashed from here on. */
export function NewApiKeyNotice({ name, plainKey, onDismiss }: NewApiKeyNoticeProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, [plainKey]);

  return (
    <section className="new-key" aria-labelledby="new-key-title" data-testid="new-api-key">
      <h2 className="card__title new-key__title" id="new-key-title" ref={headingRef} tabIndex={-1}>
        Your new key “{name}”
      </h2>
      <p className="new-key__note">
        Copy it now and store it somewhere safe. <strong>It won&apos;t be shown again</strong>: Spellcast
        keeps only a hash.
      </p>
      <div className="new-key__row">
        <code className="new-key__value" aria-label="New API key" data-testid="new-api-key-value">
          {plainKey}
        </code>
        <CopyButton text={plainKey} label="Copy key" />
      </div>
      <button type="button" className="button button--ghost button--small" onClick={onDismiss}>
        I&apos;ve saved it, hide the key
      </button>
    </section>
  );
}
