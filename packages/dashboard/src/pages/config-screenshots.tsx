import { StreamConfig } from "../components/stream-config.js";
import type { SnapshotTemplateInfo } from "../types.js";

/** The numeric template fields; left empty, a field is not sent and the server's default holds. */
const NUMBERS = ["SnapshotInterval", "Width", "Height"] as const;

function size(t: SnapshotTemplateInfo): string {
  if (!t.Width && !t.Height) return "source size";
  return `${t.Width || "auto"}×${t.Height || "auto"}`;
}

/**
 * Screenshot (snapshot) templates and rules (docs/snapshots.md). Like recording, there is no
 * Modify action: create a new template and point the rules at it. The COS fields Tencent requires
 * are optional in OnAir and unused (files stay under /files/), so the form leaves them out.
 */
export function ScreenshotsSection() {
  return (
    <StreamConfig<SnapshotTemplateInfo>
      kind="Snapshot"
      noun="screenshot"
      fields={[
        {
          key: "SnapshotInterval",
          label: "Screenshot interval (s)",
          hint: "default 10; 2–300 unless configured",
          type: "number",
          initial: "10",
        },
        {
          key: "Width",
          label: "Screenshot width (px)",
          hint: "0: the source's",
          type: "number",
          initial: "0",
        },
        {
          key: "Height",
          label: "Screenshot height (px)",
          hint: "0: the source's",
          type: "number",
          initial: "0",
        },
        { key: "PornFlag", label: "Porn detection", type: "checkbox" },
      ]}
      params={(form) => {
        const params: Record<string, number> = { PornFlag: form.PornFlag ? 1 : 0 };
        for (const key of NUMBERS) if (form[key]) params[key] = Number(form[key]);
        return params;
      }}
      summary={(t) =>
        `every ${t.SnapshotInterval} s · ${size(t)} · porn detection ${t.PornFlag ? "on" : "off"}`
      }
    />
  );
}
