import type { ComponentType, SVGProps } from "react";

import { CoinsIcon, FolderIcon, ImageIcon, KeyIcon, ShieldIcon, SparkleIcon, WandIcon } from "./icons";

export interface NavItem {
  href: string;
  label: string;
  description: string;
  icon: ComponentType<SVGProps<SVGSVGElement>>;
  adminOnly?: boolean;
}

/** The app's sections, in nav order; the home page's quick links use the same list. */
export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/generate", label: "Generate", icon: ImageIcon, description: "Turn a prompt into an image and watch it render live." },
  { href: "/datasets", label: "Datasets", icon: FolderIcon, description: "Upload image folders to caption in bulk." },
  { href: "/spells", label: "Spells", icon: WandIcon, description: "Chain tools into pipelines and cast them over datasets." },
  { href: "/casts", label: "Casts", icon: SparkleIcon, description: "Spells cast on one text or image, step by step, live." },
  { href: "/credits", label: "Credits", icon: CoinsIcon, description: "Your balance, holds, and where every credit went." },
  { href: "/api-keys", label: "API keys", icon: KeyIcon, description: "Keys for other apps using the typed client." },
  { href: "/admin", label: "Admin", icon: ShieldIcon, description: "Queues, users and credit grants.", adminOnly: true },
];

export function navItemsFor(role: "user" | "admin"): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.adminOnly || role === "admin");
}
