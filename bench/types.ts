/** One measured figure; `anchor` is what it is compared with in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  anchor?: { name: string; value: number };
  /** The goal, in words, and whether this run met it. */
  goal?: { text: string; met: boolean };
  note?: string;
}

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}
