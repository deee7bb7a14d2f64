// The import rules of the monorepo, checked by `npm run lint:layers` (dependency-cruiser) in
// `npm run lint` and scripts/test.sh. docs/architecture.md explains the layers and how to read a
// failure. Type-only imports count like any other: a type that runs up a layer is still a
// dependency on that layer.

const SERVER_SRC = "^packages/server/src/";

/**
 * packages/server/src, lowest row first. A module may import its own folder and any lower row;
 * `alsoImports` names the few same-row imports the design allows, `notImports` the lower folders
 * a row must still stay out of. A folder is "name/", a top-level file "name.ts".
 */
const LAYERS = [
  { row: 1, folders: ["domain/", "errors.ts"], owns: "pure types and decisions" },
  { row: 2, folders: ["config/"], owns: "configuration schema and loading" },
  {
    row: 3,
    folders: ["media/", "http/", "observability/"],
    owns: "plumbing: codecs and fan-out, HTTP routing, logs, metrics and the node's event bus",
    // Health routes are HTTP routes; the node's event bus carries PublishedStream.
    alsoImports: { "observability/": ["http/", "media/"] },
  },
  { row: 4, folders: ["store/"], owns: "durable state" },
  { row: 5, folders: ["events/", "dispatcher/"], owns: "committing events, delivering them" },
  { row: 6, folders: ["ingest/"], owns: "RTMP wire and sessions" },
  { row: 7, folders: ["streams/"], owns: "the stream service" },
  {
    row: 8,
    folders: ["recording/", "snapshots/", "moderation/", "monitoring/", "playback/", "forwarding/"],
    owns: "subscribers of a PublishedStream",
    // They get the narrow PublishedStream, never the stream service or its LivePublish class.
    notImports: {
      "recording/": ["streams/"],
      "snapshots/": ["streams/"],
      "moderation/": ["streams/"],
      "monitoring/": ["streams/"],
      "playback/": ["streams/"],
      "forwarding/": ["streams/"],
    },
  },
  {
    row: 9,
    folders: ["intake/", "hooks/", "api/", "dashboard/"],
    owns: "HTTP adapters",
    alsoImports: { "dashboard/": ["api/"] },
  },
  {
    row: 10,
    folders: ["cli/", "app.ts"],
    owns: "the composition root",
    alsoImports: { "cli/": ["app.ts"] },
  },
];

const regexQuote = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const pathOf = (folder) => SERVER_SRC + regexQuote(folder) + (folder.endsWith("/") ? "" : "$");
const nameOf = (folder) => folder.replace(/\.ts$|\/$/, "");
const ruleNameOf = (row, folder) => `layer-${row}-${nameOf(folder)}`;

function layerRules() {
  return LAYERS.flatMap((layer) =>
    layer.folders.map((folder) => {
      const lower = LAYERS.filter((other) => other.row < layer.row).flatMap((o) => o.folders);
      const barred = layer.notImports?.[folder] ?? [];
      const allowed = [folder, ...lower, ...(layer.alsoImports?.[folder] ?? [])].filter(
        (f) => !barred.includes(f),
      );
      const others = allowed.filter((f) => f !== folder).map(nameOf);
      return {
        name: ruleNameOf(layer.row, folder),
        severity: "error",
        comment:
          `${folder} is row ${layer.row} (${layer.owns}): it may import only itself` +
          (others.length > 0 ? ` and ${others.join(", ")}` : " (nothing else internal)") +
          ". See docs/architecture.md.",
        from: { path: pathOf(folder) },
        to: { path: SERVER_SRC, pathNot: allowed.map(pathOf) },
      };
    }),
  );
}

// "onair" by name, or any path into packages/server.
const SERVER_PACKAGE = ["^packages/server/", "^onair$", "^onair/"];

module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: "layer-unknown",
      severity: "error",
      comment:
        "Every module of packages/server/src belongs to a row of the layer table in " +
        ".dependency-cruiser.cjs: add its folder there (and to docs/architecture.md).",
      from: { path: SERVER_SRC, pathNot: LAYERS.flatMap((l) => l.folders).map(pathOf) },
      to: { path: SERVER_SRC },
    },
    {
      name: "no-circular-server",
      severity: "error",
      comment: "packages/server/src has no import cycles: a cycle has no lowest module.",
      from: { path: SERVER_SRC },
      to: {
        path: SERVER_SRC,
        circular: true,
      },
    },
    {
      name: "server-imports-packages-by-name",
      severity: "error",
      comment:
        "packages/server/src imports another workspace package by its name " +
        '(e.g. "@onair/callbacks"), never by a relative path into packages/.',
      from: { path: SERVER_SRC },
      to: { path: "^packages/(?!server/)", dependencyTypes: ["local"] },
    },
    {
      name: "packages-not-server",
      severity: "error",
      comment:
        "@onair/callbacks (the receiver SDK) and @onair/moderation stand alone: " +
        "they never import the server.",
      from: { path: "^packages/(callbacks|moderation)/src/" },
      to: { path: SERVER_PACKAGE },
    },
    {
      name: "dashboard-server-types-only",
      severity: "error",
      comment:
        "The dashboard runs in the browser: from the server it may take wire types " +
        "(`import type`), never code.",
      from: { path: "^packages/dashboard/src/" },
      to: { path: SERVER_PACKAGE, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "src-not-test-or-bench",
      severity: "error",
      comment: "Shipped code (src/) never imports a package's tests or benchmarks.",
      from: { path: "^packages/[^/]+/src/" },
      to: { path: "^packages/[^/]+/(test|bench)/" },
    },
  ],
  options: {
    // Count `import type` too (a type that runs up a layer is a dependency on that layer).
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
  },
};
