/**
 * Scenario "read-coalescer": the CPU of reading many slow publisher sockets (small frames at an
 * encoder's pace) with the read coalescer as it is and as it was before issue 15 (stopping a
 * socket right after its read), each server in its own child process, rounds alternating in the
 * same run. The child reports its own CPU time (user + system); the parent writes the frames.
 * Env: SOCKETS (64), SECONDS (6), ROUNDS (3), FRAMES_PER_SECOND (70), FRAME_BYTES (230).
 */
import { fork } from "node:child_process";
import { connect, createServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { ReadCoalescer } from "../src/ingest/read-coalescer.js";

const SOCKETS = Number(process.env.SOCKETS ?? 64);
const SECONDS = Number(process.env.SECONDS ?? 6);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const FPS = Number(process.env.FRAMES_PER_SECOND ?? 70);
const FRAME = Number(process.env.FRAME_BYTES ?? 230);

if (process.env.COALESCER_CHILD) {
  // The server: counts bytes, reports its CPU when told to.
  if (process.env.COALESCER_CHILD === "before") {
    type Held = { handle: { readStop(): number }; stopped: boolean };
    (ReadCoalescer.prototype as unknown as { holdAfterRead(s: Held): void }).holdAfterRead = (
      state,
    ) => {
      state.handle.readStop();
      state.stopped = true;
    };
  }
  const coalescer = new ReadCoalescer(100);
  let bytes = 0;
  let reads = 0;
  const server = createServer((socket: Socket) => {
    socket.on("data", (data: Buffer) => {
      bytes += data.length;
      reads++;
      coalescer.afterRead(socket, data.length);
    });
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
  });
  let start = process.cpuUsage();
  process.on("message", (m: string) => {
    if (m === "start") start = process.cpuUsage();
    if (m === "report") {
      const used = process.cpuUsage(start);
      process.send?.({ cpuMs: (used.user + used.system) / 1000, bytes, reads });
      coalescer.close();
      server.close();
      setTimeout(() => process.exit(0), 50);
    }
  });
} else {
  const round = async (variant: "now" | "before") => {
    const child = fork(fileURLToPath(import.meta.url), {
      env: { ...process.env, COALESCER_CHILD: variant },
    });
    const next = () => new Promise<Record<string, number>>((r) => child.once("message", r));
    const { port } = await next();
    const sockets = await Promise.all(
      Array.from(
        { length: SOCKETS },
        () =>
          new Promise<Socket>((resolve) => {
            const s = connect(port!, "127.0.0.1", () => resolve(s));
            s.setNoDelay(true);
          }),
      ),
    );
    child.send("start");
    const frame = Buffer.alloc(FRAME, 1);
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      for (const s of sockets) s.write(frame);
      await new Promise((r) => setTimeout(r, 1000 / FPS));
    }
    child.send("report");
    const report = await next();
    for (const s of sockets) s.destroy();
    return report;
  };
  console.log(
    `scenario "read-coalescer": ${SOCKETS} sockets × ${FPS} frames/s of ${FRAME} B, ${SECONDS} s per round, 100 ms interval (Node ${process.version})`,
  );
  const totals = { now: [] as number[], before: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const variant of ["before", "now"] as const) {
      const report = await round(variant);
      totals[variant].push(report.cpuMs!);
      console.log(
        `round ${r + 1} ${variant.padEnd(6)} cpu ${report.cpuMs!.toFixed(0).padStart(6)} ms, ${report.reads} reads, ${report.bytes} bytes`,
      );
    }
  }
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  console.log(`now / before CPU: ${(sum(totals.now) / sum(totals.before)).toFixed(2)}×`);
}
