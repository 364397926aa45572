/**
 * Whether this tab is signing out on purpose. The signed-in pages' guard (`RequireSession`) sends
 * a visitor whose session ended to sign in again, and back; on a sign-out the button goes home
 * instead, and two navigations at once could end on either page (or, when Next gives one of them
 * up, on a full reload). Set by the button, cleared when a session is seen again.
 */
let signingOut = false;

export const beginSignOut = () => {
  signingOut = true;
};

export const sessionSeen = () => {
  signingOut = false;
};

export const isSigningOut = () => signingOut;
