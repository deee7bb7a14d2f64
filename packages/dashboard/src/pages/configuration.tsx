import { useEffect, useRef } from "preact/hooks";
import { CallbacksSection } from "./config-callbacks.js";
import { DomainsSection } from "./config-domains.js";
import { RecordingSection } from "./config-recording.js";
import { ScreenshotsSection } from "./config-screenshots.js";

/** The parts of the configuration, in the order a new setup needs them. */
const PARTS = [
  { id: "config-domains", title: "Domains and push URLs", Part: DomainsSection },
  { id: "config-callbacks", title: "Callbacks", Part: CallbacksSection },
  { id: "config-recording", title: "Recording", Part: RecordingSection },
  { id: "config-screenshots", title: "Screenshots", Part: ScreenshotsSection },
] as const;

/** Jumps besides the parts: the card operators look for most (config-domains.tsx's Section). */
const JUMPS = [
  ...PARTS.slice(0, 1),
  { id: "s-push-url-generator", title: "Push URL generator" },
  ...PARTS.slice(1),
];

/**
 * Keeps `--subnav-height` on the document at the sticky sub-navigation's height, which wraps to
 * several rows on a phone: what a jump lands below (`scroll-margin-top` in styles.css), so the
 * bar never covers the heading jumped to.
 */
function useStickyHeight(nav: { current: HTMLElement | null }) {
  useEffect(() => {
    const element = nav.current;
    if (!element) return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() =>
      root.style.setProperty("--subnav-height", `${element.offsetHeight}px`),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.style.removeProperty("--subnav-height");
    };
  }, [nav]);
}

export function ConfigurationPage() {
  const nav = useRef<HTMLElement>(null);
  useStickyHeight(nav);
  return (
    <>
      <h1>Configuration</h1>
      {/* The location hash routes pages, so these jump by scrolling instead of by #anchor. */}
      <nav class="subnav" aria-label="Configuration sections" ref={nav}>
        {JUMPS.map((p) => (
          <button
            key={p.id}
            type="button"
            class="link"
            onClick={() => document.getElementById(p.id)?.scrollIntoView({ behavior: "smooth" })}
          >
            {p.title}
          </button>
        ))}
      </nav>
      {PARTS.map(({ id, title, Part }) => (
        <section key={id} class="config-part" id={id} aria-labelledby={`${id}-title`}>
          <p class="part-title" id={`${id}-title`}>
            {title}
          </p>
          <Part />
        </section>
      ))}
    </>
  );
}
