"use client";

import { useEffect, useState } from "react";

import { CheckIcon, CopyIcon } from "./icons";

type CopyState = "idle" | "copied" | "failed";

/** Copies `text`; says so in a live region so screen readers hear the result. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  }

  return (
    <>
      <button type="button" className="button" onClick={copy}>
        {state === "copied" ? <CheckIcon /> : <CopyIcon />}
        {label}
      </button>
      <span role="status" className={state === "failed" ? "field__error" : "visually-hidden"}>
        {state === "copied" ? "Copied to clipboard" : state === "failed" ? "Copy failed: select the key and copy it by hand" : ""}
      </span>
    </>
  );
}
