// KQL semantics checked against the Kusto documentation's own examples and rules (each test names
// the page); expected values come from the docs, never from our SQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openAnalyticsStore } from '../logs/analytics-store.ts';
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import { KqlError } from './errors.ts';
import { runKql } from './run.ts';

let store: AnalyticsStore;
const now = new Date('2024-06-10T12:00:00Z');
before(async () => {
  store = await openAnalyticsStore({ path: ':memory:' });
});
after(() => store.close());

async function one(expr: string): Promise<unknown> {
  const res = await runKql(store, `print v = ${expr}`, { now });
  return res.tables[0]!.rows[0]![0];
}
async function rows(q: string): Promise<unknown[][]> {
  return (await runKql(store, q, { now })).tables[0]!.rows;
}

test('string operators: the examples of datatypes-string-operators', async () => {
  // https://learn.microsoft.com/kusto/query/datatypes-string-operators — each example yields true.
  const trueExamples = [
    '"aBc" == "aBc"', '"abc" != "ABC"', '"abc" =~ "ABC"', '"aBc" !~ "xyz"', '"FabriKam" contains "BRik"',
    '"Fabrikam" !contains "xyz"', '"FabriKam" contains_cs "Kam"', '"Fabrikam" !contains_cs "Kam"', '"Fabrikam" endswith "Kam"',
    '"Fabrikam" !endswith "brik"', '"Fabrikam" endswith_cs "kam"', '"North America" has "america"', '"North America" !has "amer"',
    '"North America" has_cs "America"', '"Fabrikam" startswith "fab"', '"Fabrikam" !startswith "kam"', '"Fabrikam" startswith_cs "Fab"',
    '"123" in ("123", "345", "abc")', '"123" !in ("345", "abc")', '"abc" in~ ("123", "345", "ABC")', '"bca" !in~ ("123", "345", "abc")',
    '"Fabrikam" matches regex "b.*k"', '"North America" has_any ("south", "north")', 'not("North America" has_all ("south", "north"))', '"North America" has_all ("america", "north")',
  ];
  for (const e of trueExamples) assert.equal(await one(e), true, e);
  assert.equal(await one('"abc" == "ABC"'), false, '== is case-sensitive');
  assert.equal(await one('"abc" in ("ABC")'), false, 'in is case-sensitive');
});

test('has matches whole terms: maximal runs of ASCII alphanumerics', async () => {
  // "Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun" has the terms of the docs' example.
  const s = '"Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun"';
  for (const term of ['Kusto', 'KustoExplorerQueryRun', 'ad67d136', 'c1db', '4f9f', '88ef', 'd94f3b6b0b5a']) assert.equal(await one(`${s} has "${term}"`), true, term);
  for (const part of ['Explorer', 'ad67', 'Kust']) assert.equal(await one(`${s} has "${part}"`), false, part);
});

test('nulls and empty strings as Kusto treats them', async () => {
  assert.equal(await one('isempty("")'), true);
  assert.equal(await one('isempty(int(null))'), true);
  assert.equal(await one('isnotempty(" ")'), true);
  assert.equal(await one('isnull("")'), false, 'a string is never null');
  assert.equal(await one('tostring(dynamic(null))'), '');
  assert.equal(await one('coalesce("", "b")'), 'b', 'coalesce takes the first non-empty string');
  store.append('SigninLogs', [{ Id: 'n1', TimeGenerated: now }]); // UserAgent left out → NULL in the store
  assert.deepEqual(await rows('SigninLogs | where Id == "n1" | project UserAgent, e = isempty(UserAgent), eq = UserAgent == ""'), [['', true, true]]);
});

test('aggregation defaults on an empty input (summarize operator docs)', async () => {
  const empty = 'datatable(v:long, s:string)[]';
  assert.deepEqual(await rows(`${empty} | summarize count(), sum(v), dcount(s), make_list(v), make_set(s), max(v), avg(v)`), [[0, 0, 0, [], [], null, null]]);
  assert.deepEqual(await rows(`${empty} | summarize count() by s`), [], 'with a by clause there are no rows');
});

test('null equality as the null-values page documents it', async () => {
  // datatable(val:int)[5, int(null)] | extend IsBiggerThan3 = val > 3, IsEqualToNull = val == int(null), IsNotEqualToNull = val != int(null)
  assert.deepEqual(await rows('datatable(val:int)[5, int(null)] | extend a = val > 3, b = val > 3 or isnull(val), c = val == int(null), d = val != int(null)'), [
    [5, true, true, false, true],
    [null, null, true, null, null],
  ]);
  // null == non-null is false and null != non-null is true, so `where ival != 5` keeps the null row.
  assert.deepEqual(await rows('datatable(ival:int, sval:string)[5, "a", int(null), "b"] | where ival != 5'), [[null, 'b']]);
  assert.deepEqual(await rows('datatable(ival:int, sval:string)[5, "a", int(null), "b"] | where not(ival == 5) | project sval'), [['b']]);
});

test('dynamic values: access, tostring, comparisons, parse_json', async () => {
  assert.equal(await one('tostring(dynamic({"a": [1, 2]}).a)'), '[1,2]');
  assert.equal(await one('tostring(dynamic({"a": "x"})["a"])'), 'x');
  assert.equal(await one('toint(dynamic([5, 6, 7])[-1])'), 7);
  assert.equal(await one('dynamic({"r": "notApplied"}).r == "notApplied"'), true);
  assert.equal(await one('isnull(parse_json("{\\"a\\": 1}").nothere)'), true);
  assert.equal(await one('array_length(dynamic([1, 2, 3]))'), 3);
  assert.deepEqual(await one('bag_keys(dynamic({"a": 1, "b": 2}))'), ['a', 'b']);
  assert.deepEqual(await one('parse_json("{\\"k\\": [1]}")'), { k: [1] });
  assert.equal(await one('parse_json("not json")'), 'not json');
  assert.deepEqual(await one('split("a,b,c", ",")'), ['a', 'b', 'c']);
});

test('a dynamic real converts to int/long by truncation toward zero, like a real (tolong(75.6) == 75)', async () => {
  assert.equal(await one('tolong(dynamic(75.6))'), 75);
  assert.equal(await one('toint(dynamic(-75.6))'), -75);
  assert.equal(await one('tolong(75.6)'), 75);
  assert.equal(await one('tolong(dynamic(12))'), 12);
  assert.equal(await one('tolong(dynamic("12"))'), 12);
  // Beyond 2^53 a JSON integer stays exact (no detour through a double).
  assert.equal(await one('tostring(tolong(parse_json("9007199254740993")))'), '9007199254740993');
  // mv-expand … to typeof(long) converts each element the same way.
  assert.deepEqual(await rows('print x = dynamic([75.6, -2.5, 3]) | mv-expand x to typeof(long)'), [[75], [-2], [3]]);
});

test('scalar functions from the reference examples', async () => {
  assert.equal(await one('iff(1 > 2, "a", "b")'), 'b');
  assert.equal(await one('case(5 < 3, "x", 5 < 10, "y", "z")'), 'y');
  assert.equal(await one('strcat("a", 1, true)'), 'a1true');
  assert.equal(await one('extract("x=([0-9.]+)", 1, "hello x=45.6|wo")'), '45.6');
  assert.equal(await one('round(2.15, 1)'), 2.2);
  assert.equal(await one('7 / 2'), 3, 'integer division truncates');
  assert.equal(await one('-7 / 2'), -3);
  assert.equal(await one('bin(4.5, 1)'), 4);
  assert.equal(await one('bin(datetime(1970-05-11 13:45:07), 1d)'), '1970-05-11T00:00:00.000Z');
  assert.equal(await one('format_datetime(datetime(2015-12-14 02:03:04.12345), "yyyy-MM-dd [HH:mm:ss]")'), '2015-12-14 [02:03:04]');
  assert.equal(await one('ago(1d)'), '2024-06-09T12:00:00.000Z');
  assert.equal(await one('datetime(2024-06-10) between (datetime(2024-06-01) .. datetime(2024-06-10))'), true, 'between is inclusive');
  assert.equal(await one('tolower("ABC")'), 'abc');
});

test('tabular operators: summarize, distinct groups, arg_max, join kinds, mv-expand, parse, union', async () => {
  const t = 'datatable(k:string, v:long, d:dynamic)["a", 1, dynamic([1,2]), "a", 3, dynamic([]), "b", 2, dynamic(null)]';
  assert.deepEqual(await rows(`${t} | summarize by k | sort by k asc`), [['a'], ['b']], 'summarize without aggregates = distinct groups');
  assert.deepEqual(await rows(`${t} | summarize arg_max(v, *) by k | sort by k asc`), [['a', 3, []], ['b', 2, null]]);
  const [agg] = await rows(`${t} | summarize c = count(), s = sum(v), l = make_list(v), st = make_set(k) | project c, s, array_length(l), st`);
  assert.deepEqual(agg!.slice(0, 3), [3, 6, 3]);
  assert.deepEqual([...(agg![3] as string[])].sort(), ['a', 'b'], 'make_set: each distinct value once (order unspecified)');
  // mv-expand: an empty array gives no row, null gives one row with null.
  assert.deepEqual(await rows(`${t} | mv-expand d | project k, v, d | sort by v asc`), [['a', 1, 1], ['a', 1, 2], ['b', 2, null]]);
  const l = 'datatable(id:long, x:string)[1, "l1", 2, "l2", 2, "l2b"]';
  const r = 'datatable(id:long, y:string)[2, "r2", 3, "r3"]';
  assert.deepEqual(await rows(`${l} | join kind=inner (${r}) on id | sort by x asc`), [[2, 'l2', 2, 'r2'], [2, 'l2b', 2, 'r2']]);
  assert.equal((await rows(`${l} | join (${r}) on id`)).length, 1, 'innerunique keeps one left row per key');
  assert.deepEqual(await rows(`${l} | join kind=leftanti (${r}) on id`), [[1, 'l1']]);
  assert.deepEqual(await rows(`${l} | join kind=leftouter (${r}) on id | where id == 1 | project x, y`), [['l1', '']]);
  assert.deepEqual(await rows(`${l} | join kind=rightanti (${r}) on id`), [[3, 'r3']]);
  assert.deepEqual(await rows(`${l} | lookup (${r}) on id | sort by x asc`), [[1, 'l1', ''], [2, 'l2', 'r2'], [2, 'l2b', 'r2']], 'lookup: leftouter, keys once');
  assert.deepEqual(await rows(`${l} | join kind=fullouter (${r}) on id | where isnull(id) or isnull(id1) | project x, y | sort by y asc`), [['l1', ''], ['', 'r3']]);
  assert.deepEqual(await rows('print s = "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27)" | parse s with * "resourceName=" name ", totalSlices=" total:long ")" | project name, total'), [['PipelineScheduler', 27]]);
  assert.deepEqual((await runKql(store, 'union (print a = 1), (print a = "x") | count', { now })).tables[0]!.rows, [[2]]);
  assert.deepEqual(await rows('let f = (x:long) { x * 2 }; let T = datatable(n:long)[1, 2]; T | extend m = f(n) | summarize sum(m)'), [[6]]);
  assert.deepEqual(await rows('datatable(n:long)[5, 1, 3] | top 2 by n'), [[5], [3]]);
  assert.deepEqual(await rows('datatable(n:long)[5, 1, 3] | sort by n asc | render timechart'), [[1], [3], [5]], 'render leaves the rows as they are');
  assert.deepEqual(await rows('datatable(a:long, b:long)[1, 2] | project a = b, b = a'), [[2, 1]], 'project reads the input row');
  assert.deepEqual(await rows('datatable(a:long)[1] | extend a = a * 10, b = a'), [[10, 1]], 'extend reads the input row');
  assert.deepEqual(await rows('datatable(n:long)[5, 1, 3] | sort by n asc | take 2'), [[1], [3]]);
});

test('constructs Tessera cannot run fail with a KqlError naming them and their position', async () => {
  const cases: [string, string, RegExp][] = [
    ['SigninLogs | evaluate basket(0.01)', 'UnsupportedOperator', /evaluate basket/],
    ['SigninLogs | sample 5', 'UnsupportedOperator', /sample/],
    ['print x = hash_md5("a")', 'UnsupportedFunction', /hash_md5/],
    ['range x from 1 to 3 step 1', 'UnsupportedOperator', /range/],
    ['SigninLogs | extend x = externaldata(a:string)["https://example.com/x.csv"]', 'SemanticError', /./],
    ['SigninLogs | where', 'SyntaxError', /./],
    ['SigninLogs | where NoSuchColumn == 1', 'SemanticError', /NoSuchColumn/],
  ];
  for (const [q, code, re] of cases) {
    await assert.rejects(runKql(store, q, { now }), (e: unknown) => {
      assert.ok(e instanceof KqlError, q);
      assert.equal(e.code, code, q);
      assert.match(e.message, re);
      assert.ok(e.position && e.position.line >= 1 && e.position.column >= 1, q);
      return true;
    });
  }
  await assert.rejects(runKql(store, 'SigninLogs\n| make-series c = count() on TimeGenerated step 1d\n| extend f = hash_md5(tostring(c))', { now }), (e: unknown) => (e as KqlError).position?.line === 3);
});

test('mv-apply runs its subquery on the expansion of each row (docs: mv-apply operator)', async () => {
  const t = 'datatable(id:long, arr:dynamic)[1, dynamic([1, 2, 3]), 2, dynamic([]), 3, dynamic([5])]';
  // count() over an empty subtable is 0, so row 2 still appears.
  assert.deepEqual(await rows(`${t} | mv-apply x = arr to typeof(long) on (summarize c = count(), m = max(x)) | project id, c, m | sort by id asc`), [[1, 3, 3], [2, 0, null], [3, 1, 5]]);
  assert.deepEqual(await rows(`${t} | mv-apply x = arr to typeof(long) on (top 1 by x) | project id, x | sort by id asc`), [[1, 3], [3, 5]]);
  assert.deepEqual(await rows(`${t} | mv-apply x = arr to typeof(long) on (where x > 1 | extend y = x * 10) | project id, y | sort by y asc`), [[1, 20], [1, 30], [3, 50]]);
  assert.deepEqual(await rows(`${t} | mv-apply x = arr to typeof(long) on (summarize l = make_list(x) by odd = x % 2 == 1) | where odd | project id, l | sort by id asc`), [[1, [1, 3]], [3, [5]]]);
});

test('evaluate bag_unpack: one column per key found in the data (docs: bag_unpack plugin)', async () => {
  const t = 'datatable(id:long, d:dynamic)[1, dynamic({"a": 1, "b": "x"}), 2, dynamic({"a": 2, "c": true})]';
  assert.deepEqual(await rows(`${t} | evaluate bag_unpack(d) | sort by id asc`), [[1, 1, 'x', null], [2, 2, null, true]]);
  const res = await runKql(store, `${t} | evaluate bag_unpack(d, "p_") | project id, v = column_ifexists("p_b", "none"), w = column_ifexists("p_zz", "none")`, { now });
  assert.deepEqual(res.tables[0]!.rows.sort(), [[1, 'x', 'none'], [2, '', 'none']]);
});

test('mv-expand then several property reads: one parse per element gives the same values as separate reads', async () => {
  // mv-expand-operator: each array element becomes a row; x.a / x["a"] of a missing property is null.
  const q = `datatable(Id:string, P:dynamic) [
      "r1", dynamic([{"a":"x","b":[1,2],"c":{"d":5}}, {"a":"y"}, "text", null]),
      "r2", dynamic([])
    ]
    | mv-expand P
    | where isnotempty(tostring(P.a)) or isnull(P.b)
    | extend A = tostring(P.a), B = P["b"], D = toint(P.c.d), B0 = P.b[0]
    | project-rename Q = P
    | extend A2 = tostring(Q.a)
    | project Id, A, B, D, B0, A2`;
  assert.deepEqual(await rows(q), [
    ['r1', 'x', [1, 2], 5, 1, 'x'],
    ['r1', 'y', null, null, null, 'y'],
    ['r1', '', null, null, null, ''],
    ['r1', '', null, null, null, ''],
  ]);
});

test('mv-expand read only through properties: every kind of value expands as documented', async () => {
  // mv-expand-operator: an array gives a row per element; a property bag a row per property (a
  // one-property bag); a scalar one row; null one row with null; an empty array no row.
  // parse_json of text that is not JSON gives the string itself.
  const src = `datatable(Id:string, S:string) [
      "a", '[{"r":"x","n":1},{"r":"y"}]',
      "b", '{"r":"bagval","n":2}',
      "c", '',
      "d", '[1, "s"]',
      "e", '[oops',
      "f", '[]'
    ]`;
  const expected = [
    ['a', 'x', 1], ['a', 'y', null],
    ['b', 'bagval', null], ['b', '', 2],
    ['c', '', null],
    ['d', '', null], ['d', '', null],
    ['e', '', null],
  ];
  // Read only through S.r and S.n, then dropped by project.
  assert.deepEqual(await rows(`${src} | mv-expand S = todynamic(S) | where isnotempty(Id) | extend R = tostring(S.r), N = toint(S["n"]) | project Id, R, N`), expected);
  // The same from a dynamic column.
  assert.deepEqual(await rows(`${src} | extend D = todynamic(S) | project Id, D | mv-expand D | extend R = tostring(D.r), N = toint(D.n) | project Id, R, N`), expected);
  // Summarized away after the reads.
  assert.deepEqual(await rows(`${src} | mv-expand S = todynamic(S) | summarize n = countif(S.r == "x"), t = sum(toint(S.n))`), [[1, 3]]);
  // Kept to the output, or read after an operator that does not carry the properties: the element itself.
  assert.deepEqual(await rows(`${src} | where Id == "a" | mv-expand S = todynamic(S) | extend R = tostring(S.r) | project R, S`), [['x', { r: 'x', n: 1 }], ['y', { r: 'y' }]]);
  assert.deepEqual(await rows(`${src} | where Id == "a" | mv-expand S = todynamic(S) | sort by tostring(S.r) desc | extend R = tostring(S.r) | project R`), [['y'], ['x']]);
});

test('tostring of expanded string properties: escapes decoded, other text as is', async () => {
  // tostring-function: a dynamic string converts to its text.
  const q = String.raw`print d = dynamic([{"a": "x\"y", "b": "héllo", "c": "", "e": "tab\tx", "f": "\u00e9", "g": [1, "two"]}])
    | mv-expand d | extend A = tostring(d.a), B = tostring(d.b), C = tostring(d.c), E = tostring(d.e), F = tostring(d.f), G = tostring(d.g)
    | project A, B, C, E, F, G`;
  assert.deepEqual(await rows(q), [['x"y', 'héllo', '', 'tab\tx', 'é', '[1,"two"]']]);
});

test('mv-expand then a whole-element use or a redefinition: values are the elements, as documented', async () => {
  const src = `print S = dynamic([{"r":"x","n":1},{"r":"y","n":2}])`;
  // make_list of the element itself needs the element; summarize by a property does not.
  assert.deepEqual(await rows(`${src} | mv-expand S | summarize L = make_list(S), M = make_list(tostring(S.r))`), [[[{ r: 'x', n: 1 }, { r: 'y', n: 2 }], ['x', 'y']]]);
  assert.deepEqual(await rows(`${src} | mv-expand S | summarize c = count() by R = tostring(S.r) | order by R asc`), [['x', 1], ['y', 1]]);
  // column_ifexists("S", …) reads the element by name.
  assert.deepEqual(await rows(`${src} | mv-expand S | extend R = tostring(S.r), Q = column_ifexists("S", dynamic(null)) | project R, Q`), [['x', { r: 'x', n: 1 }], ['y', { r: 'y', n: 2 }]]);
  // extend S = S.n replaces the column with a property of the element.
  assert.deepEqual(await rows(`${src} | mv-expand S | extend S = S.n, R = tostring(S.r) | project S, R`), [[1, 'x'], [2, 'y']]);
});
