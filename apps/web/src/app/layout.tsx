import "~/styles/globals.css";

import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { EventStreamProvider } from "~/components/event-stream-provider";
import { SiteHeader } from "~/components/site-header";
import { TRPCReactProvider } from "~/trpc/react";

export const metadata: Metadata = {
  title: { default: "Spellcast", template: "%s · Spellcast" },
  description: "Spend credits to run AI generations and multi-step captioning spells over image datasets.",
};

export const viewport: Viewport = {
  themeColor: "#4b32c3",
  colorScheme: "light",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <TRPCReactProvider>
          <EventStreamProvider>
            <SiteHeader />
            <main id="main" className="site-main" tabIndex={-1}>
              <div className="container">{children}</div>
            </main>
            <footer className="site-footer">
              <div className="container">Spellcast: every run is a job, every failure gives your credits back.</div>
            </footer>
          </EventStreamProvider>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
