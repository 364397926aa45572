import Link from "next/link";

export function AuthLinks() {
  return (
    <div className="user-menu">
      <Link href="/sign-in" className="button button--ghost button--small">
        Sign in
      </Link>
      <Link href="/sign-up" className="button button--primary button--small">
        Sign up
      </Link>
    </div>
  );
}
