/**
 * Where finished sign-in records go: the analytics store (batched, off the request path) and any
 * in-process listeners (risk learning, CAE, tests).
 */
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import type { SignInEvent } from './event.ts';

export type SignInListener = (e: SignInEvent) => void;

export class SignInRecorder {
  private listeners: SignInListener[] = [];
  constructor(private readonly logs: AnalyticsStore | undefined) {}

  on(l: SignInListener): void {
    this.listeners.push(l);
  }

  record(e: SignInEvent): void {
    this.logs?.appendSignIn(e);
    for (const l of this.listeners) {
      try { l(e); } catch { /* a listener's failure never fails a sign-in */ }
    }
  }
}
