// Target evaluation and the markdown report of the benchmark harness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadResult } from '../../bench/lib/load.ts';
import { renderMarkdown } from '../../bench/lib/report.ts';
import { evaluateTargets, registerTarget, selectRows } from '../../bench/lib/scenarios.ts';
import type { Row, RowResult } from '../../bench/lib/scenarios.ts';

const load = (rps: number): LoadResult => ({
  requests: rps * 10, errors: 0, statusCounts: {}, elapsedMs: 10_000, rps,
  latencyMs: { p50: 1, p90: 2, p99: 3, max: 4, mean: 1.5 }, warmupRequests: 5, connections: 8,
  stoppedBy: 'duration', counters: {}, errorSamples: [],
});
const row = (group: string, id: string, rps?: number, status: RowResult['status'] = 'ok'): RowResult => ({
  group, id, label: `${id} label`, role: id === 'tessera' ? 'tessera' : id === 'limit' ? 'limit' : 'peer', status,
  ...(rps === undefined ? { reason: 'src/cli/main.ts does not exist yet' } : { load: load(rps) }),
});

describe('bench report', () => {
  it('evaluates ratio targets as met, not met or not measured', () => {
    registerTarget({ group: 'g1', row: 'tessera', vs: 'limit', min: 0.7 });
    registerTarget({ group: 'g1', row: 'tessera', vs: 'oidc-provider', min: 2.5 });
    registerTarget({ group: 'g2', row: 'tessera', vs: 'oidc-provider', min: 2 });
    const results = [row('g1', 'limit', 10_000), row('g1', 'oidc-provider', 3000), row('g1', 'tessera', 7500), row('g2', 'oidc-provider', 1000), row('g2', 'tessera', undefined, 'skipped')];
    const t = evaluateTargets(results).filter((x) => x.group.startsWith('g'));
    assert.deepEqual(t.map((x) => [x.group, x.vs, x.ratio, x.met]), [['g1', 'limit', 0.75, true], ['g1', 'oidc-provider', 2.5, true], ['g2', 'oidc-provider', null, null]]);
    const md = renderMarkdown({
      startedAt: 'a', finishedAt: 'b', machine: { cpus: 2, model: 'cpu', node: 'v20', loadavgAtStart: [1, 1, 1] },
      options: { durationMs: 10_000, warmupMs: 3000, connections: 8, maxRequests: 100 }, rows: results, targets: t,
    });
    assert.match(md, /\| tessera label \| 7,500 \|/);
    assert.match(md, /\| 0\.75x \| 2\.50x \|/);
    assert.match(md, /tessera: not available: src\/cli\/main\.ts does not exist yet/);
    assert.match(md, /\| g1 \| tessera ≥ 0\.7x limit \| 0\.75x \| met \| – \|/);
    assert.match(md, /\| g2 \| tessera ≥ 2x oidc-provider \| – \| not measured/);
  });

  it('selects rows by group, group/id or id', () => {
    const mk = (group: string, id: string): Row => ({ kind: 'custom', group, id, label: id, role: 'peer', run: async () => ({}) });
    const all = [mk('a', 'limit'), mk('a', 'tessera'), mk('b', 'tessera'), mk('modules', 'kql')];
    assert.equal(selectRows(all, undefined).length, 4);
    assert.deepEqual(selectRows(all, ['a']).map((r) => `${r.group}/${r.id}`), ['a/limit', 'a/tessera']);
    assert.deepEqual(selectRows(all, ['tessera', 'kql']).map((r) => `${r.group}/${r.id}`), ['a/tessera', 'b/tessera', 'modules/kql']);
    assert.deepEqual(selectRows(all, ['b/tessera']).map((r) => `${r.group}/${r.id}`), ['b/tessera']);
  });
});
