"use client";

import { useState } from "react";

import type { SpellSnapshot, SpellStep, ToolName } from "@spellcast/core/spells/schema";

const TOOL_NAMES: ToolName[] = ["joycaption", "rewrite", "chatgpt", "seedream"];

/** Name + ordered steps (tool and an optional prompt template with `{{input}}`); the server validates the chain. */
export function SpellEditor({
  initial,
  pending,
  onSave,
  onCancel,
}: {
  initial?: SpellSnapshot;
  pending: boolean;
  onSave: (spell: { name: string; steps: SpellStep[] }) => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [steps, setSteps] = useState<SpellStep[]>(initial?.steps ?? [{ tool: "joycaption", params: {} }]);
  const setStep = (i: number, step: SpellStep) => setSteps(steps.map((s, j) => (j === i ? step : s)));
  return (
    <form
      className="form"
      data-testid="spell-editor"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ name, steps });
      }}
    >
      <div className="field">
        <label className="field__label" htmlFor="spell-name">
          Name
        </label>
        <input id="spell-name" className="input" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <ol className="stack">
        {steps.map((step, i) => (
          <li key={i} className="caption-actions">
            <select aria-label={`Step ${i + 1} tool`} className="input" value={step.tool} onChange={(e) => setStep(i, { ...step, tool: e.target.value as ToolName })} style={{ width: "10rem" }}>
              {TOOL_NAMES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            {(step.tool === "chatgpt" || step.tool === "joycaption") && (
              <input
                aria-label={`Step ${i + 1} prompt`}
                className="input"
                placeholder={step.tool === "chatgpt" ? "Prompt; {{input}} is the previous output" : "Instruction (optional)"}
                value={typeof step.params.prompt === "string" ? step.params.prompt : ""}
                onChange={(e) => setStep(i, { ...step, params: { ...step.params, prompt: e.target.value } })}
                style={{ flex: 1 }}
              />
            )}
            <button type="button" className="button button--ghost button--small" onClick={() => setSteps(steps.filter((_, j) => j !== i))} disabled={steps.length === 1}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <div className="caption-actions">
        <button type="button" className="button button--small" onClick={() => setSteps([...steps, { tool: "chatgpt", params: {} }])}>
          Add step
        </button>
        <button type="submit" className="button button--primary" disabled={pending}>
          Save spell
        </button>
        {onCancel && (
          <button type="button" className="button button--ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
