#!/usr/bin/env -S node --initial-old-space-size=64
// The `onair` command. The code lives in dist/ (built by `npm run build`).
//
// --initial-old-space-size=64: V8 starts a full collection whenever the old generation's room
// left is smaller than the young one, which with a ~22 MB heap and media buffers promoted from
// every stream's GOP cache meant one every 2–3 s at HD bitrates (docs/scale.md, "Ingest cost at
// real bitrates"). A 64 MB floor cuts the ingest's CPU by about a quarter at 16 Mbit/s.
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv);
