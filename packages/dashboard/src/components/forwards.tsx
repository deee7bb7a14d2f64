import { useEffect } from "preact/hooks";
import { streamPath } from "../format.js";
import { ErrorMessage, Section, useAction } from "./ui.js";

/** One row of DescribeLiveForwardTargets (docs/relay.md). */
interface ForwardTarget {
  DomainName: string;
  AppName: string;
  StreamName: string;
  TargetUrl: string;
  State: "connecting" | "live" | "retrying" | "failed";
  LastError: string;
  BytesSent: number;
}

const POLL_MS = 3000;

/** The target's URL without its query, which often holds the target's push key. */
const shownUrl = (url: string) => (url.includes("?") ? `${url.slice(0, url.indexOf("?"))}?…` : url);

/**
 * The forwards of this node's live streams (docs/relay.md): where each goes, its state, its last
 * error and what it sent. Shown only while there are any.
 */
export function Forwards(props: { version: number }) {
  const targets = useAction<{ Targets: ForwardTarget[] }>("DescribeLiveForwardTargets", {}, [
    props.version,
  ]);
  const { reload } = targets;
  useEffect(() => {
    const timer = window.setInterval(reload, POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  const rows = targets.data?.Targets ?? [];
  if (rows.length === 0 && !targets.error) return null;
  return (
    <Section title="Forwards">
      <ErrorMessage error={targets.error} />
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Forwards of live streams</caption>
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col">Target</th>
              <th scope="col">State</th>
              <th scope="col">Last error</th>
              <th scope="col">Sent</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={`${streamPath(t)} ${t.TargetUrl}`} data-forward-state={t.State}>
                <td data-label="Stream">{streamPath(t)}</td>
                <td data-label="Target">
                  <code>{shownUrl(t.TargetUrl)}</code>
                </td>
                <td data-label="State">{t.State}</td>
                <td data-label="Last error">{t.LastError || "—"}</td>
                <td data-label="Sent">{(t.BytesSent / 2 ** 20).toFixed(1)} MiB</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
