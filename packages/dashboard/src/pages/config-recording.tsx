import { StreamConfig } from "../components/stream-config.js";
import type { RecordTemplateInfo } from "../types.js";

/**
 * Record templates and rules. The API has no ModifyLiveRecordTemplate (neither has Tencent), so
 * editing a template is "create a new one and point the rules at it"; a rule is edited by saving
 * it again for the same domain, AppName and stream.
 */
export function RecordingSection() {
  return (
    <StreamConfig<RecordTemplateInfo>
      kind="Record"
      noun="record"
      fields={[
        {
          key: "interval",
          label: "FLV file length (s)",
          type: "number",
          required: true,
          initial: "1800",
        },
      ]}
      params={(form) => ({ FlvParam: { RecordInterval: Number(form.interval), Enable: 1 } })}
      summary={(t) => (t.FlvParam ? `FLV every ${t.FlvParam.RecordInterval} s` : "no FLV")}
    />
  );
}
