/**
 * A small line chart of the last values of one figure, drawn as an SVG polyline (no chart
 * library: one line, no axes). The label says the latest value, so it is read out instead of the
 * drawing.
 */
export function Sparkline(props: {
  values: readonly number[];
  label: string;
  /** How the latest value is written in the label and beside the chart. */
  format: (value: number) => string;
  width?: number;
  height?: number;
}) {
  const width = props.width ?? 160;
  const height = props.height ?? 36;
  const values = props.values;
  const latest = values.at(-1);
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`)
    .join(" ");
  const text = latest === undefined ? "—" : props.format(latest);
  return (
    <figure class="sparkline">
      <svg
        role="img"
        aria-label={`${props.label}: ${text}`}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        data-points={values.length}
      >
        {values.length > 1 && <polyline points={points} fill="none" stroke="currentColor" />}
      </svg>
      <figcaption>
        {props.label} <strong>{text}</strong>
      </figcaption>
    </figure>
  );
}
