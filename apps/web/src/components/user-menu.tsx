import { CreditBalance } from "./credit-balance";
import { SignOutButton } from "./sign-out-button";
import type { CurrentUser } from "./use-current-user";

export function UserMenu({ user }: { user: CurrentUser }) {
  return (
    <div className="user-menu">
      <CreditBalance />
      <span className="user-menu__name" title={user.email} data-testid="user-name">
        {user.name}
      </span>
      {user.role === "admin" && <span className="badge badge--accent user-menu__role">Admin</span>}
      <SignOutButton />
    </div>
  );
}
