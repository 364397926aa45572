"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { useState } from "react";

import { authClient } from "@spellcast/auth/client";

import { AuthCard } from "./auth-card";
import { authErrorMessage } from "./auth-error-message";
import { EMAIL_PATTERN } from "./auth-field-rules";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { readNextPath } from "./safe-next-path";
import { SubmitButton } from "./submit-button";
import { useRedirectWhenSignedIn } from "./use-redirect-when-signed-in";

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
  useRedirectWhenSignedIn();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmedEmail = email.trim();
    const found = validate(trimmedEmail, password);
    setErrors(found);
    setServerError(null);
    if (Object.keys(found).length > 0) return;

    setPending(true);
    const { error } = await authClient.signIn.email({ email: trimmedEmail, password });
    if (error) {
      setServerError(authErrorMessage(error));
      setPending(false);
      return;
    }
    queryClient.clear();
    router.replace(readNextPath());
    router.refresh();
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
