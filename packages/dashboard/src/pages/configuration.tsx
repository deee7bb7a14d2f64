import { CallbacksSection } from "./config-callbacks.js";
import { DomainsSection } from "./config-domains.js";
import { RecordingSection } from "./config-recording.js";
import { ScreenshotsSection } from "./config-screenshots.js";

export function ConfigurationPage() {
  return (
    <>
      <h1>Configuration</h1>
      <DomainsSection />
      <CallbacksSection />
      <RecordingSection />
      <ScreenshotsSection />
    </>
  );
}
