/**
 * A bounded log of one container: the last `capacity` lines with their write time, each with a sequence
 * number so that readers (followers) keep a cursor instead of a queue of their own. A reader that falls
 * further behind than the ring holds skips to the oldest line still there, as a kubelet follower would
 * after a log rotation.
 */
export interface RingEntry<T> {
  /** Write time, ms since the epoch (fractional: µs resolution). Non-decreasing within a ring. */
  t: number;
  seq: number;
  data: T;
}

export class LogRing<T> {
  private readonly buf: (RingEntry<T> | undefined)[];
  /** Sequence number of the next line. */
  next = 0;
  private lastT = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array<RingEntry<T> | undefined>(Math.max(1, capacity));
  }

  append(t: number, data: T): void {
    // A log file's lines are in write order: a line never gets an earlier time than the one before.
    const time = t > this.lastT ? t : this.lastT + 0.001;
    this.lastT = time;
    this.buf[this.next % this.buf.length] = { t: time, seq: this.next, data };
    this.next++;
  }

  /** Sequence number of the oldest line held. */
  get first(): number {
    return Math.max(0, this.next - this.buf.length);
  }

  get size(): number {
    return this.next - this.first;
  }

  /** Lines from sequence `from` on (clamped to what the ring holds), oldest first. */
  from(from: number): RingEntry<T>[] {
    const out: RingEntry<T>[] = [];
    for (let s = Math.max(from, this.first); s < this.next; s++) out.push(this.buf[s % this.buf.length]!);
    return out;
  }
}
