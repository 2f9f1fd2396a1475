import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { catalogues } from './catalogues.ts';
import { matches, sortBy, type Row } from './evaluate.ts';
import { parseFilter } from './filter-parser.ts';
import { parseQueryOptions } from './query-options.ts';
import { compileFilter, compileOrderBy } from './sql.ts';
import { openSqliteSignIns, sqliteColumns, sqliteColumnsEpochMs } from './sqlite-fixture.ts';

// Small alphabets so random filters actually hit random rows: case pairs, non-ASCII case pairs,
// LIKE metacharacters, the quote, an astral character.
const chars = ['a', 'A', 'b', 'É', 'é', 'ß', '%', '_', '\\', "'", ' ', '𝒳'];
const text = fc.array(fc.constantFrom(...chars), { maxLength: 3 }).map((a) => a.join(''));
const quoted = text.map((s) => `'${s.replace(/'/g, "''")}'`);
const instants = ['2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.001Z', '2023-06-15T12:30:00.000Z'];
const instantLiterals = ['2024-01-01T00:00:00Z', '2024-01-01T01:00:00+01:00', '2024-01-01T00:00:00.001Z', '2023-06-15T12:30:00Z', '2023-06-15'];
const errorCodes = [0, 1, 50126, -3];
const eventTypes = ['interactiveUser', 'nonInteractiveUser', 'servicePrincipal'];
const results = ['success', 'failure', 'notApplied'];
const risk = ['none', 'low', 'high'];

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });

const row: fc.Arbitrary<Omit<Row, 'id'>> = fc.record({
  userPrincipalName: nullable(text),
  userDisplayName: nullable(text),
  appDisplayName: nullable(text),
  isInteractive: nullable(fc.boolean()),
  createdDateTime: nullable(fc.constantFrom(...instants)),
  status: nullable(fc.record({ errorCode: nullable(fc.constantFrom(...errorCodes)) })),
  deviceDetail: fc.record({ operatingSystem: nullable(text), isCompliant: nullable(fc.boolean()) }),
  location: fc.record({ geoCoordinates: fc.record({ latitude: nullable(fc.constantFrom(-1.5, 0, 2, 47.6)) }) }),
  riskLevelDuringSignIn: nullable(fc.constantFrom(...risk)),
  signInEventTypes: fc.uniqueArray(fc.constantFrom(...eventTypes), { maxLength: 3 }),
  appliedConditionalAccessPolicies: fc.array(fc.record({ id: fc.constantFrom('p1', 'p2'), result: fc.constantFrom(...results) }), { maxLength: 3 }),
});
const rows = fc.array(row, { maxLength: 12 }).map((rs) => rs.map((r, i) => ({ ...r, id: `r${i}` })));

const stringProp = fc.constantFrom('userPrincipalName', 'userDisplayName', 'appDisplayName', 'deviceDetail/operatingSystem');
const op = fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le');
const eqOp = fc.constantFrom('eq', 'ne');

const leaf: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(stringProp, op, quoted).map(([p, o, v]) => `${p} ${o} ${v}`),
  fc.tuple(stringProp, eqOp).map(([p, o]) => `${p} ${o} null`),
  fc.tuple(fc.constantFrom('startswith', 'endswith', 'contains'), stringProp, quoted).map(([f, p, v]) => `${f}(${p},${v})`),
  fc.tuple(stringProp, fc.array(fc.oneof(quoted, fc.constant('null')), { minLength: 1, maxLength: 3 }))
    .map(([p, vs]) => `${p} in (${vs.join(',')})`),
  fc.tuple(op, fc.constantFrom('0', '1', '50126', '-3', '0.5', '1e2')).map(([o, v]) => `status/errorCode ${o} ${v}`),
  fc.tuple(op, fc.constantFrom('0', '-1.5', '2', '47.6', '10')).map(([o, v]) => `location/geoCoordinates/latitude ${o} ${v}`),
  fc.tuple(fc.constantFrom('isInteractive', 'deviceDetail/isCompliant'), eqOp, fc.constantFrom('true', 'false', 'null'))
    .map(([p, o, v]) => `${p} ${o} ${v}`),
  fc.tuple(op, fc.constantFrom(...instantLiterals)).map(([o, v]) => `createdDateTime ${o} ${v}`),
  fc.tuple(eqOp, fc.constantFrom(...risk, 'HIGH')).map(([o, v]) => `riskLevelDuringSignIn ${o} '${v}'`),
  fc.tuple(fc.constantFrom('any', 'all'), eqOp, fc.constantFrom(...eventTypes, 'NONINTERACTIVEUSER'))
    .map(([l, o, v]) => `signInEventTypes/${l}(t: t ${o} '${v}')`),
  fc.constant('signInEventTypes/any()'),
  fc.tuple(fc.constantFrom('any', 'all'), fc.constantFrom(...results), fc.constantFrom('p1', 'p2'), fc.constantFrom('and', 'or'))
    .map(([l, r, id, c]) => `appliedConditionalAccessPolicies/${l}(p: p/result eq '${r}' ${c} p/id ne '${id}')`),
);

const filter: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('expr'), fc.constantFrom('and', 'or'), tie('expr')).map(([a, c, b]) => `(${a}) ${c} (${b})`),
    tie('expr').map((e) => `not (${e})`),
  ),
})).expr;

test('the compiled SQLite filter selects exactly what the in-memory evaluator selects', () => {
  fc.assert(
    fc.property(rows, fc.array(filter, { minLength: 1, maxLength: 5 }), fc.boolean(), (data, texts, epochMs) => {
      const db = openSqliteSignIns(data);
      const columns = epochMs ? sqliteColumnsEpochMs : sqliteColumns;
      try {
        for (const t of texts) {
          const f = parseFilter(t, catalogues.signIn);
          const expected = data.filter((r) => matches(r, f)).map((r) => r.id).sort();
          const { sql, params } = compileFilter(f, columns, 'sqlite');
          const got = (db.prepare(`SELECT s.id FROM s WHERE ${sql}`).all(...params) as { id: string }[]).map((r) => r.id).sort();
          assert.deepEqual(got, expected, `${t}\n→ ${sql}\n${JSON.stringify(params)}`);
        }
      } finally {
        db.close();
      }
    }),
    { numRuns: 300 },
  );
});

test('the compiled SQLite ORDER BY sorts exactly as sortBy does', () => {
  const sortable = ['userPrincipalName', 'userDisplayName', 'appDisplayName', 'createdDateTime', 'status/errorCode',
    'isInteractive', 'location/geoCoordinates/latitude', 'riskLevelDuringSignIn', 'deviceDetail/operatingSystem'];
  const orderby = fc.uniqueArray(fc.tuple(fc.constantFrom(...sortable), fc.constantFrom('asc', 'desc')), {
    minLength: 1, maxLength: 3, selector: ([p]) => p,
  }).map((items) => items.map(([p, d]) => `${p} ${d}`).join(','));
  fc.assert(
    fc.property(rows, orderby, fc.boolean(), (data, ob, epochMs) => {
      const db = openSqliteSignIns(data);
      const columns = epochMs ? sqliteColumnsEpochMs : sqliteColumns;
      try {
        const items = parseQueryOptions(`$orderby=${encodeURIComponent(ob)}`, catalogues.signIn).orderby!;
        const sql = compileOrderBy(items, columns, 'sqlite', 's.id');
        const got = (db.prepare(`SELECT s.id FROM s ORDER BY ${sql}`).all() as { id: string }[]).map((r) => r.id);
        assert.deepEqual(got, sortBy(data, items).map((r) => r.id), `${ob} → ${sql}`);
      } finally {
        db.close();
      }
    }),
    { numRuns: 200 },
  );
});
