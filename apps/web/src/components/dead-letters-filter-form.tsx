"use client";

import type { FormEvent } from "react";

import { toolNameSchema } from "@spellcast/core/spells/schema";

import type { FilterErrors, FilterFieldName, FilterFields } from "./dead-letters-filter";
import { FILTER_FIELDS, FILTER_LABELS } from "./dead-letters-filter";
import { toolLabel } from "./tool-label";

interface DeadLettersFilterFormProps {
  fields: FilterFields;
  errors: FilterErrors;
  onChange: (fields: FilterFields) => void;
  onSearch: () => void;
  onClear: () => void;
  /** Why "Replay all matching…" is off, shown under it ("": off, nothing to say; null: on). */
  replayAllBlocked: string | null;
  onReplayAll: () => void;
}

const HINTS: Partial<Record<FilterFieldName, string>> = { providerStatus: "An HTTP status such as 400 or 502, or none" };

/** The dead-letter search: each bad field is marked and explained; Search refuses to run with one. */
export function DeadLettersFilterForm({ fields, errors, onChange, onSearch, onClear, replayAllBlocked, onReplayAll }: DeadLettersFilterFormProps) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch();
  };
  return (
    <form className="card inline-form" onSubmit={submit} aria-label="Filter dead letters" noValidate>
      {FILTER_FIELDS.map((name) => {
        const id = `dl-${name}`;
        const error = errors[name];
        const describedBy = [HINTS[name] && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
        const common = {
          id,
          className: "input",
          value: fields[name],
          "aria-invalid": error ? true : undefined,
          "aria-describedby": describedBy,
        };
        return (
          <div className="field" key={name}>
            <label className="field__label" htmlFor={id}>
              {FILTER_LABELS[name]}
            </label>
            {name === "tool" ? (
              <select {...common} onChange={(e) => onChange({ ...fields, tool: e.target.value })}>
                <option value="">Any provider</option>
                {toolNameSchema.options.map((tool) => (
                  <option key={tool} value={tool}>
                    {toolLabel(tool)}
                  </option>
                ))}
              </select>
            ) : (
              <input
                {...common}
                type={name === "from" || name === "to" ? "datetime-local" : "text"}
                placeholder={name === "providerStatus" ? "400, 502 or none" : undefined}
                onChange={(e) => onChange({ ...fields, [name]: e.target.value })}
              />
            )}
            {HINTS[name] && (
              <p className="field__hint" id={`${id}-hint`}>
                {HINTS[name]}
              </p>
            )}
            {error && (
              <p className="field__error" id={`${id}-error`} data-testid="filter-error">
                {error}
              </p>
            )}
          </div>
        );
      })}
      <div className="inline-form__actions">
        <button type="submit" className="button button--primary">
          Search
        </button>{" "}
        <button type="button" className="button" onClick={onClear}>
          Clear
        </button>{" "}
        <button
          type="button"
          className="button button--danger-outline"
          disabled={replayAllBlocked !== null}
          aria-describedby={replayAllBlocked ? "dl-replay-all-blocked" : undefined}
          onClick={onReplayAll}
        >
          Replay all matching…
        </button>
        {replayAllBlocked && (
          <p className="field__hint" id="dl-replay-all-blocked">
            {replayAllBlocked}
          </p>
        )}
      </div>
    </form>
  );
}
