// The Log Analytics query API's `timespan`: an ISO-8601 duration (`P7D`, `PT12H`) ending now, or an
// interval `start/end` or `start/duration`. Returns the bounds applied to TimeGenerated.
import { KqlError } from './errors.ts';

const duration = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

export function parseIsoDuration(text: string): number | undefined {
  const m = duration.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || text.trim().toUpperCase().endsWith('T')) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
}

export function timespanBounds(text: string, now: Date): { start: Date; end: Date } {
  const parts = text.split('/');
  const bad = (): never => {
    throw new KqlError('InvalidArgument', `timespan '${text}' is not an ISO-8601 duration (like P7D) or interval (start/end)`);
  };
  if (parts.length === 1) {
    const ms = parseIsoDuration(parts[0]!);
    if (ms === undefined) return bad();
    return { start: new Date(now.getTime() - ms), end: now };
  }
  if (parts.length !== 2) return bad();
  const start = Date.parse(parts[0]!);
  if (Number.isNaN(start)) return bad();
  const endMs = parseIsoDuration(parts[1]!);
  const end = endMs !== undefined ? start + endMs : Date.parse(parts[1]!);
  if (Number.isNaN(end)) return bad();
  return { start: new Date(start), end: new Date(end) };
}
