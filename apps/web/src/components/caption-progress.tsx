"use client";

import { useEffect, useState } from "react";

import type { CaptionSetSnapshot } from "@spellcast/core/captions/schema";

import type { Pace } from "./caption-pace";
import { estimateTimeLeftMs, followPace, paceKey } from "./caption-pace";

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** done/failed/total, an estimate of the time left from the pace watched here, credits spent. */
export function CaptionProgress({ set }: { set: CaptionSetSnapshot }) {
  const [now, setNow] = useState(() => Date.now());
  const running = set.status === "in_progress";
  const finished = set.done + set.failed;
  // Readings as the count moves (state adjusted during render, as React advises for state that
  // follows props); a pause, or another set, starts the pace over.
  const view = { setId: set.id, running, finished, now };
  const [pace, setPace] = useState<Pace>(() => followPace(null, view));
  if (pace.key !== paceKey(view)) setPace(followPace(pace, view));
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);
  const percent = set.total === 0 ? 100 : Math.round((finished / set.total) * 100);
  const leftMs = running ? estimateTimeLeftMs(pace.readings, now, set.total - finished) : null;
  const eta = leftMs === null ? null : formatDuration(leftMs);
  return (
    <div className="progress" data-testid="caption-progress">
      <div className="progress__track" role="progressbar" aria-valuemin={0} aria-valuemax={set.total} aria-valuenow={finished} aria-label="Captions finished">
        <div className="progress__bar" style={{ width: `${percent}%` }} />
      </div>
      <p className="progress__text">
        <span data-testid="caption-progress-count">
          {set.done}/{set.total}
        </span>{" "}
        captioned{set.failed > 0 && <>, {set.failed} failed</>} · {set.spent} credits spent
        {set.budget !== null && <> of {set.budget} budget</>}
        {running && (eta ? <> · about {eta} left</> : <> · estimating time left…</>)}
      </p>
    </div>
  );
}
