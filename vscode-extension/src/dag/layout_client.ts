// Lays out DAG scenes in a worker thread (dist/dag-layout.js, ./layout_worker): one
// request at a time, the newest wins — a layout asked for while another runs replaces any
// that waits, and an answer nobody waits for any more is dropped. ELK stays out of the
// extension's own bundle (only its types are imported here): activation does not pay for it.
import { Worker } from "node:worker_threads";
import type { Graph } from "../server_api";
import type { Scene } from "./scene";

export interface LayoutRequest {
  seq: number;
  graph: Graph;
  collapsed: string[];
  aspect: number;
}

export type LayoutAnswer = { seq: number; scene: Scene } | { seq: number; error: string };

interface Waiting {
  request: LayoutRequest;
  resolve: (scene: Scene | undefined) => void;
  reject: (error: Error) => void;
}

export class LayoutWorker {
  private worker: Worker | undefined;
  private seq = 0;
  private running: Waiting | undefined;
  private next: Waiting | undefined;

  constructor(private readonly script: string) {}

  /** The scene, or undefined when a newer request came before this one was laid out. */
  layout(graph: Graph, collapsed: ReadonlySet<string>, aspect: number): Promise<Scene | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = { request: { seq: ++this.seq, graph, collapsed: [...collapsed], aspect }, resolve, reject };
      this.next?.resolve(undefined); // superseded before it started
      this.next = waiting;
      this.pump();
    });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.next?.resolve(undefined);
    this.running?.resolve(undefined);
    this.next = this.running = undefined;
  }

  private pump(): void {
    if (this.running !== undefined || this.next === undefined) {
      return;
    }
    const job = (this.running = this.next);
    this.next = undefined;
    try {
      this.started().postMessage(job.request);
    } catch (error) {
      this.answered({ seq: job.request.seq, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private answered(answer: LayoutAnswer): void {
    const job = this.running;
    if (job?.request.seq !== answer.seq) {
      return;
    }
    this.running = undefined;
    if ("scene" in answer) {
      // A newer request waits: this scene is already out of date.
      job.resolve(this.next === undefined ? answer.scene : undefined);
    } else {
      job.reject(new Error(answer.error));
    }
    this.pump();
  }

  private started(): Worker {
    if (this.worker === undefined) {
      const worker = new Worker(this.script);
      worker.on("message", (answer: LayoutAnswer) => this.answered(answer));
      worker.on("error", (error) => {
        // The worker died: the job it had fails; the next one starts a new worker.
        this.worker = undefined;
        const job = this.running;
        if (job !== undefined) {
          this.answered({ seq: job.request.seq, error: error.message });
        }
      });
      this.worker = worker;
    }
    return this.worker;
  }
}
