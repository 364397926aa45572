import { HomeContent } from "~/components/home-content";

export default function HomePage() {
  return <HomeContent />;
}
