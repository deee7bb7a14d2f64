import { useEffect, useState } from "preact/hooks";
import { call, SIGNED_OUT_EVENT, signOut } from "./api.js";
import { useLiveFeed } from "./live.js";
import { ConfigurationPage } from "./pages/configuration.js";
import { DeliveriesPage } from "./pages/deliveries.js";
import { OverviewPage } from "./pages/overview.js";
import { SignInPage } from "./pages/sign-in.js";
import { StreamsPage } from "./pages/streams.js";

const PAGES = [
  { id: "overview", title: "Overview" },
  { id: "streams", title: "Streams" },
  { id: "configuration", title: "Configuration" },
  { id: "deliveries", title: "Deliveries" },
] as const;
type PageId = (typeof PAGES)[number]["id"];

function pageFromHash(): PageId {
  const id = window.location.hash.replace(/^#\/?/, "").split("?")[0];
  return PAGES.find((p) => p.id === id)?.id ?? "overview";
}

/** Signed in is "unknown" until the first call says; the shell shows nothing but sign-in until then. */
type SessionState = "unknown" | "signed-in" | "signed-out";

export function App() {
  const [session, setSession] = useState<SessionState>("unknown");
  const [page, setPage] = useState<PageId>(pageFromHash);
  const live = useLiveFeed(session === "signed-in");

  useEffect(() => {
    call("DashboardOverview").then(
      () => setSession("signed-in"),
      () => setSession("signed-out"),
    );
    const onSignedOut = () => setSession("signed-out");
    const onHash = () => setPage(pageFromHash());
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    window.addEventListener("hashchange", onHash);
    return () => {
      window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
      window.removeEventListener("hashchange", onHash);
    };
  }, []);

  useEffect(() => {
    const title = PAGES.find((p) => p.id === page)?.title ?? "";
    document.title = session === "signed-in" ? `${title} · OnAir` : "Sign in · OnAir";
  }, [page, session]);

  if (session === "unknown") {
    return (
      <main class="signin">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (session === "signed-out") return <SignInPage onSignedIn={() => setSession("signed-in")} />;

  return (
    <div class="shell">
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">OnAir</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p.id === page ? "page" : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class={`live-dot ${live.connected ? "on" : ""}`} role="status">
          {live.connected ? "Live" : "Reconnecting…"}
        </span>
        <button
          type="button"
          class="link"
          onClick={() => signOut().finally(() => setSession("signed-out"))}
        >
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        {page === "overview" && <OverviewPage live={live} />}
        {page === "streams" && <StreamsPage live={live} />}
        {page === "configuration" && <ConfigurationPage />}
        {page === "deliveries" && <DeliveriesPage live={live} />}
      </main>
    </div>
  );
}
