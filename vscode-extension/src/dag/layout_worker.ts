// The DAG layout's worker thread (bundled to dist/dag-layout.js): lays out what the panel
// sends (./layout) off the extension host's thread, which keeps serving the language
// client and every other extension while ELK works on thousands of artifacts.
import { parentPort } from "node:worker_threads";
import { layoutScene } from "./layout";
import type { LayoutRequest, LayoutAnswer } from "./layout_client";

parentPort?.on("message", (request: LayoutRequest) => {
  layoutScene(request.graph, new Set(request.collapsed), request.aspect).then(
    (scene) => parentPort?.postMessage({ seq: request.seq, scene } satisfies LayoutAnswer),
    (error: unknown) =>
      parentPort?.postMessage({
        seq: request.seq,
        error: error instanceof Error ? error.message : String(error),
      } satisfies LayoutAnswer),
  );
});
