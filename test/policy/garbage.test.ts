/** Arbitrary input never crashes an entry point: it succeeds or fails with the module's own error type. */
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { importPolicyFile } from '../../src/policy/import/import-file.ts';
import { PolicyImportError } from '../../src/policy/import/errors.ts';
import { parseDeviceFilter, DeviceFilterSyntaxError } from '../../src/policy/device-filter/index.ts';
import { MemoryPolicyRepository } from '../../src/policy/repository.ts';
import * as h from '../../src/policy/graph-handlers.ts';
import { whatIf } from '../../src/policy/what-if.ts';
import { compileSnapshot } from '../../src/policy/snapshot.ts';
import { isGraphError } from '../../src/errors/graph.ts';

/** JSON values biased towards policy-looking objects, so validation gets past the first check. */
const shaped = fc.record({
  displayName: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
  state: fc.oneof(fc.constantFrom('enabled', 'disabled', 'enabledForReportingButNotEnforced'), fc.string()),
  conditions: fc.oneof(fc.jsonValue(), fc.record({ users: fc.jsonValue(), applications: fc.jsonValue(), clientAppTypes: fc.jsonValue(), devices: fc.record({ deviceFilter: fc.record({ mode: fc.string(), rule: fc.string() }) }) })),
  grantControls: fc.jsonValue(),
  sessionControls: fc.jsonValue(),
}, { requiredKeys: [] });
const anyBody = fc.oneof(fc.jsonValue(), shaped, fc.constant(undefined));

describe('garbage input', () => {
  it('importPolicyFile: any text or bytes import or throw PolicyImportError', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.uint8Array(), anyBody.map((v) => JSON.stringify(v) ?? '')), (input) => {
      try { importPolicyFile(input); } catch (e) { return e instanceof PolicyImportError && e.property.length > 0; }
      return true;
    }), { numRuns: 500 });
  });

  it('device filter parser: any string parses or throws DeviceFilterSyntaxError with a position in range', () => {
    const token = fc.constantFrom('device.trustType', 'device.systemLabels', '-eq', '-ne', '-in', '-contains', '-and', '-or', '-not', '(', ')', '"x"', '["a","b"]', 'True', ',', '[', ']', 'null', '&');
    fc.assert(fc.property(fc.oneof(fc.string(), fc.array(token, { maxLength: 12 }).map((t) => t.join(' '))), (rule) => {
      try { parseDeviceFilter(rule); } catch (e) { return e instanceof DeviceFilterSyntaxError && e.position >= 0 && e.position <= Math.max(rule.length, 3072); }
      return true;
    }), { numRuns: 1000 });
  });

  it('Graph handlers and What-If: any body succeeds or throws a GraphError', async () => {
    const repo = new MemoryPolicyRepository();
    const deps: h.PolicyHandlerDeps = { repo, audit: () => {} };
    const snapshot = compileSnapshot([], []);
    const directory = { user: async () => ({ groupIds: [], roleTemplateIds: [], userType: 'member' as const }), servicePrincipal: async () => null };
    await fc.assert(fc.asyncProperty(anyBody, fc.oneof(fc.string(), fc.jsonValue()), async (body, id) => {
      for (const call of [() => h.createPolicy(deps, body), () => h.createNamedLocation(deps, body), () => h.patchPolicy(deps, id, body), () => h.patchNamedLocation(deps, id, body), () => h.getPolicy(deps, id), () => h.deleteNamedLocation(deps, id), () => whatIf(snapshot, body, directory)]) {
        try { await call(); } catch (e) { if (!isGraphError(e)) return false; }
      }
      return true;
    }), { numRuns: 300 });
  });
});
