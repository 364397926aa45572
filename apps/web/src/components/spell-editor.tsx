"use client";

import { useState } from "react";

import type { ImageSize } from "@spellcast/core/sessions/schema";
import type { SpellSnapshot, SpellStep, ToolName } from "@spellcast/core/spells/schema";
import { IMAGE_SIZES, paramsForTool, stepCost, tools } from "@spellcast/core/spells/tools";

import { formatCredits } from "./format-credits";
import { FormAlert } from "./form-alert";
import { imageSizeLabel } from "./image-size-label";
import { checkSpellDraft, editableSteps } from "./spell-draft";

const TOOL_NAMES: ToolName[] = ["joycaption", "rewrite", "chatgpt", "seedream"];
const MAX_STEPS = 10;

/**
 * Name + ordered steps (tool, and its prompt template with `{{input}}` or its image size). Each step shows
 * what it takes, gives and costs; a step that cannot follow the one before it says so as it is
 * picked (the same schema the server checks), and Save sends only a spell that passes.
 */
export function SpellEditor({
  initial,
  pending,
  error,
  onSave,
  onCancel,
}: {
  initial?: SpellSnapshot;
  pending: boolean;
  /** The server's refusal, shown in the editor. */
  error: string | null;
  onSave: (spell: { name: string; steps: SpellStep[] }) => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [steps, setSteps] = useState<SpellStep[]>(() => editableSteps(initial?.steps ?? [{ tool: "joycaption", params: {} }]));
  // The name is judged once the user has tried to save; the chain as it is edited.
  const [tried, setTried] = useState(false);
  const check = checkSpellDraft({ name, steps });
  const setStep = (i: number, step: SpellStep) => setSteps(steps.map((s, j) => (j === i ? step : s)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...steps];
    const [moved] = next.splice(i, 1);
    if (moved) next.splice(i + by, 0, moved);
    setSteps(next);
  };
  const nameError = tried ? check.nameError : null;
  return (
    <form
      className="form"
      data-testid="spell-editor"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (!check.nameError && !check.otherError && check.stepErrors.size === 0) onSave({ name: name.trim(), steps });
      }}
    >
      <div className="field">
        <label className="field__label" htmlFor="spell-name">
          Name
        </label>
        <input
          id="spell-name"
          className="input"
          value={name}
          maxLength={80}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? "spell-name-error" : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        {nameError && (
          <p className="field__error" id="spell-name-error">
            {nameError}
          </p>
        )}
      </div>
      <ol className="spell-steps">
        {steps.map((step, i) => {
          const tool = tools[step.tool];
          const stepError = check.stepErrors.get(i);
          const cost = stepCost(step);
          return (
            <li key={i} className="spell-step" data-testid="spell-step">
              <span className="spell-step__number" aria-hidden="true">
                {i + 1}
              </span>
              <div className="spell-step__body">
                <div className="spell-step__fields">
                  <select
                    aria-label={`Step ${i + 1} tool`}
                    className="input spell-step__tool"
                    value={step.tool}
                    aria-invalid={stepError ? true : undefined}
                    onChange={(e) => {
                      const next = e.target.value as ToolName;
                      setStep(i, { tool: next, params: paramsForTool(next, step.params) });
                    }}
                  >
                    {TOOL_NAMES.map((t) => (
                      <option key={t} value={t}>
                        {tools[t].label}
                      </option>
                    ))}
                  </select>
                  {(step.tool === "chatgpt" || step.tool === "joycaption") && (
                    <textarea
                      aria-label={`Step ${i + 1} prompt`}
                      className="input spell-step__prompt"
                      rows={1}
                      placeholder={step.tool === "chatgpt" ? "Prompt; {{input}} is the previous output" : "Instruction (optional)"}
                      value={typeof step.params.prompt === "string" ? step.params.prompt : ""}
                      maxLength={4000}
                      onChange={(e) => setStep(i, { ...step, params: { ...step.params, prompt: e.target.value } })}
                    />
                  )}
                  {step.tool === "seedream" && (
                    <select
                      aria-label={`Step ${i + 1} image size`}
                      className="input spell-step__prompt"
                      value={typeof step.params.size === "string" ? step.params.size : ""}
                      onChange={(e) => setStep(i, { ...step, params: { ...step.params, size: e.target.value as ImageSize } })}
                    >
                      {IMAGE_SIZES.map((size) => (
                        <option key={size} value={size}>
                          {imageSizeLabel(size)} · {formatCredits(stepCost({ tool: "seedream", params: { size } }))}
                        </option>
                      ))}
                    </select>
                  )}
                  <span className="spell-step__controls">
                    <button type="button" className="button button--ghost button--small" aria-label={`Move step ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                      ↑
                    </button>
                    <button
                      type="button"
                      className="button button--ghost button--small"
                      aria-label={`Move step ${i + 1} down`}
                      disabled={i === steps.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className="button button--ghost button--small"
                      aria-label={`Remove step ${i + 1}`}
                      onClick={() => setSteps(steps.filter((_, j) => j !== i))}
                      disabled={steps.length === 1}
                    >
                      Remove
                    </button>
                  </span>
                </div>
                <p className="field__hint" data-testid="spell-step-hint">
                  {tool.description} · {tool.input} → {tool.output} · {cost === 0 ? "free" : formatCredits(cost)}
                </p>
                {stepError && (
                  <p className="field__error" role="alert">
                    {stepError}
                  </p>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {check.otherError && <p className="field__error">{check.otherError}</p>}
      <p className="muted" data-testid="spell-summary">
        {check.input && check.output ? `${check.input} → ${check.output} · ${formatCredits(check.cost)} per cast` : null}
      </p>
      <FormAlert message={error} />
      <div className="caption-actions">
        <button
          type="button"
          className="button button--small"
          disabled={steps.length >= MAX_STEPS}
          onClick={() => setSteps([...steps, { tool: "chatgpt", params: {} }])}
        >
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
