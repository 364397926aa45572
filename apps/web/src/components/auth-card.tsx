import type { ReactNode } from "react";

interface AuthCardProps {
  title: string;
  lead: string;
  footer: ReactNode;
  children: ReactNode;
}

export function AuthCard({ title, lead, footer, children }: AuthCardProps) {
  return (
    <div className="auth-page">
      <section className="card auth-card" aria-labelledby="auth-title">
        <h1 className="auth-card__title" id="auth-title">
          {title}
        </h1>
        <p className="muted">{lead}</p>
        {children}
        <p className="auth-card__footer">{footer}</p>
      </section>
    </div>
  );
}
