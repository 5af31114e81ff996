import { type GapSeen, GapTally } from '../domain/directory/index';
import { isConnectionError, type Store } from '../store/db';
import { addGapCounts, GAP_COUNTS_A_STATEMENT } from '../store/directory';

/** How often a node writes the gaps it counted: the most a crash can lose of the gap log. */
export const GAP_FLUSH_MS = 5000;

/**
 * The Directory gap log of one node: a search's gaps are counted in memory and written every few
 * seconds as counts, so a search adds no statement of its own (it was an insert of about 50 rows). The
 * gap log is for commissioners (which services nearly matched), not a patient record: a crash may lose
 * the last seconds of it. A write the database could not be reached for is put back and tried with
 * the next; one it refused (bad data) is dropped and said, so it cannot hold up every later write.
 */
export class GapLog {
  private readonly tally: GapTally;
  private readonly timer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private reportedDropped = 0;

  constructor(
    private readonly store: Store,
    private readonly onError: (message: string, error?: unknown) => void = () => undefined,
    options: { flushMs?: number; maxKeys?: number } = {},
  ) {
    this.tally = new GapTally(options.maxKeys);
    this.timer = setInterval(() => void this.flush().catch(() => undefined), options.flushMs ?? GAP_FLUSH_MS);
    this.timer.unref();
  }

  add(gaps: readonly GapSeen[]): void {
    this.tally.add(gaps);
  }

  /** Writes what is counted so far (one write at a time); the gap report calls it before reading. */
  flush(): Promise<void> {
    // After a failed write too: the chain must not stay rejected.
    this.writing = this.writing.catch(() => undefined).then(() => this.write());
    return this.writing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  private async write(): Promise<void> {
    if (this.tally.dropped > this.reportedDropped) {
      this.onError(`gap log full: ${this.tally.dropped - this.reportedDropped} gaps not counted`);
      this.reportedDropped = this.tally.dropped;
    }
    const counts = this.tally.take();
    for (let i = 0; i < counts.length; i += GAP_COUNTS_A_STATEMENT) {
      try {
        await addGapCounts(this.store.db, counts.slice(i, i + GAP_COUNTS_A_STATEMENT));
      } catch (error) {
        const batch = counts.slice(i, i + GAP_COUNTS_A_STATEMENT);
        if (isConnectionError(error)) {
          // Only what was not written goes back: a batch is one statement, written whole or not at all.
          this.tally.restore(counts.slice(i));
          this.onError('gap log not written (no database); kept for the next try', error);
        } else {
          this.tally.restore(counts.slice(i + GAP_COUNTS_A_STATEMENT));
          this.onError(`gap log: the database refused ${batch.length} counts; they are dropped`, error);
        }
        throw error;
      }
    }
  }
}
