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

export function ConfigurationPage() {
  return (
    <>
      <h1>Configuration</h1>
      {/* The location hash routes pages, so these jump by scrolling instead of by #anchor. */}
      <nav class="subnav" aria-label="Configuration sections">
        {PARTS.map((p) => (
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
