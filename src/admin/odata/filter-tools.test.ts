import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogues } from './catalogues.ts';
import { matches } from './evaluate.ts';
import { parseFilter } from './filter-parser.ts';
import { conjoin, referencedPaths } from './filter-tools.ts';

test('referencedPaths lists properties, collections and element fields', () => {
  const f = parseFilter(
    "not (status/errorCode eq 0) and (signInEventTypes/any(t: t eq 'nonInteractiveUser') or appliedConditionalAccessPolicies/any(p: p/result in ('failure')))",
    catalogues.signIn,
  );
  assert.deepEqual([...referencedPaths(f)].sort(), [
    'appliedConditionalAccessPolicies', 'appliedConditionalAccessPolicies/result', 'signInEventTypes', 'status/errorCode',
  ]);
  assert.equal(referencedPaths(undefined).size, 0);
});

test('conjoin adds a server-side condition to the client filter', () => {
  const interactiveOnly = parseFilter('isInteractive eq true', catalogues.signIn);
  const client = parseFilter('status/errorCode eq 0', catalogues.signIn);
  const both = conjoin(interactiveOnly, client)!;
  assert.equal(both.kind, 'and');
  assert.equal(matches({ isInteractive: true, status: { errorCode: 0 } }, both), true);
  assert.equal(matches({ isInteractive: false, status: { errorCode: 0 } }, both), false);
  assert.equal(conjoin(undefined, client), client);
  assert.equal(conjoin(client, undefined), client);
  assert.equal(conjoin(undefined, undefined), undefined);
});
