"use client";

import Link from "next/link";
import type { FormEvent } from "react";
import { useState } from "react";

import { authClient } from "@spellcast/auth/client";

import { AuthCard } from "./auth-card";
import { EMAIL_PATTERN } from "./auth-field-rules";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { SubmitButton } from "./submit-button";
import { useAuthSubmit } from "./use-auth-submit";

interface Errors {
  email?: string;
  password?: string;
}

function validate(email: string, password: string): Errors {
  const errors: Errors = {};
  if (!email) errors.email = "Enter your email address";
  else if (!EMAIL_PATTERN.test(email)) errors.email = "Enter a valid email address, like name@example.com";
  if (!password) errors.password = "Enter your password";
  return errors;
}

export function SignInForm() {
  const { pending, serverError, clearServerError, submit } = useAuthSubmit();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmedEmail = email.trim();
    const found = validate(trimmedEmail, password);
    setErrors(found);
    clearServerError();
    if (Object.keys(found).length > 0) return;
    await submit(() => authClient.signIn.email({ email: trimmedEmail, password }));
  }

  return (
    <AuthCard
      title="Sign in"
      lead="Welcome back. Sign in to cast spells and spend credits."
      footer={
        <>
          New to Spellcast? <Link href="/sign-up">Create an account</Link>
        </>
      }
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <FormAlert message={serverError} />
        <FormField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          inputMode="email"
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            setErrors((prev) => ({ ...prev, email: undefined }));
          }}
          error={errors.email}
          required
        />
        <FormField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            setErrors((prev) => ({ ...prev, password: undefined }));
          }}
          error={errors.password}
          required
        />
        <SubmitButton pending={pending} block>
          Sign in
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
