import { useState } from "preact/hooks";
import { call } from "../api.js";
import type { CallBackTemplateInfo, SendLiveCallbackTestResult } from "../types.js";
import { ErrorMessage, useMutation } from "./ui.js";

/** The event type each URL field of a template serves (Tencent's names). */
const EVENT_TYPE_OF_URL: { field: `${string}NotifyUrl`; eventType: number; label: string }[] = [
  { field: "StreamBeginNotifyUrl", eventType: 1, label: "1 · push" },
  { field: "StreamEndNotifyUrl", eventType: 0, label: "0 · interruption" },
  { field: "RecordNotifyUrl", eventType: 100, label: "100 · recording" },
  { field: "SnapshotNotifyUrl", eventType: 200, label: "200 · screenshot" },
  { field: "PornCensorshipNotifyUrl", eventType: 317, label: "317 · porn detection" },
  { field: "PushExceptionNotifyUrl", eventType: 321, label: "321 · push exception" },
  { field: "RecordStatusNotifyUrl", eventType: 332, label: "332 · recording status" },
  { field: "RecordExceptionNotifyUrl", eventType: 341, label: "341 · recording exception" },
  { field: "AudioAuditNotifyUrl", eventType: 315, label: "315 · audio audit" },
];

/**
 * "Send test callback" of one template: POSTs a signed sample to the URL of the chosen event type
 * (SendLiveCallbackTest) and shows the receiver's status, time and first bytes.
 */
export function CallbackTest(props: { template: CallBackTemplateInfo }) {
  const wired = EVENT_TYPE_OF_URL.filter(({ field }) => props.template[field]);
  const [eventType, setEventType] = useState(String(wired[0]?.eventType ?? 1));
  const [result, setResult] = useState<SendLiveCallbackTestResult | null>(null);
  const send = useMutation();
  if (wired.length === 0) return null;
  const id = `callback-test-${props.template.TemplateId}`;
  return (
    <div class="callback-test">
      <label for={id}>Test URL of</label>
      <select id={id} value={eventType} onChange={(e) => setEventType(e.currentTarget.value)}>
        {wired.map((w) => (
          <option key={w.field} value={String(w.eventType)}>
            {w.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        disabled={send.busy}
        aria-label={`Send test callback for template ${props.template.TemplateName}`}
        onClick={() =>
          void send.run(async () => {
            setResult(null);
            setResult(
              await call<SendLiveCallbackTestResult>("SendLiveCallbackTest", {
                TemplateId: props.template.TemplateId,
                EventType: Number(eventType),
              }),
            );
            return undefined;
          })
        }
      >
        {send.busy ? "Sending…" : "Send test callback"}
      </button>
      <ErrorMessage error={send.error} />
      {result && (
        <output
          class={`test-result ${result.Success ? "ok" : "bad"}`}
          aria-label="Test callback result"
        >
          <span class="test-status">
            {result.StatusCode === null ? result.ErrorCode : `HTTP ${result.StatusCode}`} ·{" "}
            {result.DurationMs} ms
          </span>
          <span class="muted url">{result.Url}</span>
          {result.ErrorMessage && <span class="muted">{result.ErrorMessage}</span>}
          <pre>{result.ResponseBody || "(empty body)"}</pre>
        </output>
      )}
    </div>
  );
}
