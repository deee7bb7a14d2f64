/**
 * Run by classifier.test.ts under `unshare -n` (no network namespace): classifies the JPEG at
 * argv[2] and prints one JSON line. Anything else on stdout means a banner leaked.
 */
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { createClassifier } from "../src/index.js";

const path = process.argv[2];
if (!path) throw new Error("usage: offline-child <jpeg>");
const classifier = createClassifier();
const scores = await classifier.classify(await readFile(path));
await classifier.close();

/** Error code of a TCP connect to a public address: ENETUNREACH when there is no network. */
const probe = () =>
  new Promise<string>((resolve) => {
    const socket = connect({ host: "1.1.1.1", port: 443, timeout: 2000 });
    const finish = (outcome: string) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.on("connect", () => finish("connected"));
    socket.on("timeout", () => finish("timeout"));
    socket.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? "error"));
  });

const interfaces = Object.keys(networkInterfaces());
process.stdout.write(`${JSON.stringify({ interfaces, connect: await probe(), scores })}\n`);
