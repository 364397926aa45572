"use client";

import Link from "next/link";
import type { FormEvent } from "react";
import { useState } from "react";

import { authClient } from "@spellcast/auth/client";

import { AuthCard } from "./auth-card";
import { EMAIL_PATTERN, PASSWORD_MAX, PASSWORD_MIN } from "./auth-field-rules";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { SubmitButton } from "./submit-button";
import { useAuthSubmit } from "./use-auth-submit";

interface Values {
  name: string;
  email: string;
  password: string;
}
type Errors = Partial<Record<keyof Values, string>>;

function validate({ name, email, password }: Values): Errors {
  const errors: Errors = {};
  if (!name) errors.name = "Enter your name";
  else if (name.length > 100) errors.name = "Use at most 100 characters";
  if (!email) errors.email = "Enter your email address";
  else if (!EMAIL_PATTERN.test(email)) errors.email = "Enter a valid email address, like name@example.com";
  if (!password) errors.password = "Choose a password";
  else if (password.length < PASSWORD_MIN) errors.password = `Use at least ${PASSWORD_MIN} characters`;
  else if (password.length > PASSWORD_MAX) errors.password = `Use at most ${PASSWORD_MAX} characters`;
  return errors;
}

export function SignUpForm() {
  const { pending, serverError, clearServerError, submit } = useAuthSubmit();
  const [values, setValues] = useState<Values>({ name: "", email: "", password: "" });
  const [errors, setErrors] = useState<Errors>({});

  function update(field: keyof Values, value: string) {
    setValues((prev) => ({ ...prev, [field]: value }));
    setErrors((prev) => ({ ...prev, [field]: undefined }));
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = { name: values.name.trim(), email: values.email.trim(), password: values.password };
    const found = validate(trimmed);
    setErrors(found);
    clearServerError();
    if (Object.keys(found).length > 0) return;
    await submit(() => authClient.signUp.email(trimmed));
  }

  return (
    <AuthCard
      title="Create your account"
      lead="New accounts start with free credits to try generations and spells."
      footer={
        <>
          Already have an account? <Link href="/sign-in">Sign in</Link>
        </>
      }
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <FormAlert message={serverError} />
        <FormField
          label="Name"
          name="name"
          autoComplete="name"
          value={values.name}
          onChange={(e) => update("name", e.target.value)}
          error={errors.name}
          required
        />
        <FormField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          inputMode="email"
          value={values.email}
          onChange={(e) => update("email", e.target.value)}
          error={errors.email}
          required
        />
        <FormField
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN} characters.`}
          value={values.password}
          onChange={(e) => update("password", e.target.value)}
          error={errors.password}
          required
        />
        <SubmitButton pending={pending} block>
          Create account
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
