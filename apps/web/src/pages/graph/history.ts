import type { GraphResponse } from '@meshlens/contract';

/** Rates of one element over the refreshes seen since the page opened (or since replay started). */
export interface Series {
  t: number[];
  rate: number[];
  err: number[];
  unit: 'rps' | 'B/s';
}

const MAX_SAMPLES = 180;

/**
 * Keeps a short history of every element's rate from successive graph answers, so the side panel
 * can draw a chart without extra requests. Answers with the same timestamp are counted once;
 * an older timestamp (replay going back) starts over.
 */
export class GraphHistory {
  private series = new Map<string, Series>();
  private last = 0;

  record(answer: GraphResponse): void {
    if (answer.timestamp === this.last) return;
    if (answer.timestamp < this.last) this.series.clear();
    this.last = answer.timestamp;
    const t = answer.timestamp;
    let total = 0;
    let errors = 0;
    for (const n of answer.nodes) {
      const rate = n.httpIn + n.grpcIn;
      const bad = n.httpIn4xx + n.httpIn5xx + n.httpInNoResponse + n.grpcInErr + n.grpcInNoResponse;
      // a node with TCP traffic only (a database, or a client of one) charts its bytes, never 0 rps
      if (rate > 0 || n.tcpIn + n.tcpOut === 0)
        this.push(n.id, t, rate, rate > 0 ? (bad / rate) * 100 : 0, 'rps');
      else this.push(n.id, t, n.tcpIn > 0 ? n.tcpIn : n.tcpOut, 0, 'B/s');
    }
    for (const e of answer.edges) {
      if (e.protocol === 'tcp') this.push(e.id, t, e.throughputBps ?? 0, 0, 'B/s');
      else {
        this.push(e.id, t, e.rps, e.errorPct, 'rps');
        total += e.rps;
        errors += (e.errorPct / 100) * e.rps;
      }
    }
    this.push('graph', t, total, total > 0 ? (errors / total) * 100 : 0, 'rps');
  }

  get(id: string): Series | undefined {
    const s = this.series.get(id);
    return s && s.t.length >= 2 ? s : undefined;
  }

  clear(): void {
    this.series.clear();
    this.last = 0;
  }

  private push(id: string, t: number, rate: number, err: number, unit: Series['unit']): void {
    let s = this.series.get(id);
    if (!s) {
      s = { t: [], rate: [], err: [], unit };
      this.series.set(id, s);
    }
    s.t.push(t);
    s.rate.push(rate);
    s.err.push(err);
    if (s.t.length > MAX_SAMPLES) {
      s.t.shift();
      s.rate.shift();
      s.err.shift();
    }
  }
}
