/**
 * The whole corpus (../shared/corpus/ca-policies, 113 real exports): every file imports, or is
 * refused with the property and reason listed in docs/conditional-access.md; every import
 * round-trips through export.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, mkdtempSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { importPolicyDocuments, importPolicyFile } from '../../src/policy/import/import-file.ts';
import { PolicyImportError } from '../../src/policy/import/errors.ts';
import { importPath, exportAll } from '../../src/policy/import/import-path.ts';
import { MemoryPolicyRepository } from '../../src/policy/repository.ts';
import { compileSnapshot } from '../../src/policy/snapshot.ts';

const root = join(process.cwd(), '..', 'shared', 'corpus', 'ca-policies');

function walk(d: string, out: string[] = []): string[] {
  for (const n of readdirSync(d).sort()) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Expected refusals: file (relative) → property. Everything else must import. */
const refused: Record<string, string> = {
  'AlexFilipin-ConditionalAccess/PolicyRepository/Global Secure Access/801 - RING - Global Secure Access - M365 Traffic Require Strong Auth.json': 'conditions.applications.globalSecureAccess',
  'AlexFilipin-ConditionalAccess/PolicyRepository/Global Secure Access/802 - RING - Global Secure Access - Specific Websites Block.json': 'conditions.applications.globalSecureAccess',
  'j0eyv-ConditionalAccessBaseline/Config/ConditionalAccess/CA501-Agents-IdentityProtection-AnyApp-AnyPlatform-BLOCK-HighRiskAgent.json': 'conditions.clientApplications.includeAgentIdServicePrincipals',
  'j0eyv-ConditionalAccessBaseline/Config/ConditionalAccess/CA502-Agents-AttackSurfaceReduction-AllAgentIdentities-AllAgentResources-BLOCK.json': 'conditions.clientApplications.includeAgentIdServicePrincipals',
  'j0eyv-ConditionalAccessBaseline/Config/ConditionalAccess/CA503-Agents-BaseProtection-AllAgentUsers-RequireCompliantDevice.json': 'conditions.agents.includeAgentUsers',
  'j0eyv-ConditionalAccessBaseline/Config/ConditionalAccess/CA504-Agents-IdentityProtection-AllAgentUsers-AllResources-BlockRiskyAgents.json': 'conditions.agents.includeAgentUsers',
  'j0eyv-ConditionalAccessBaseline/Config/ConditionalAccess/CA505-Agents-AttackSurfaceReduction-AllAgentUsers-AllResources-RequireCompliantNetWork.json': 'conditions.agents.includeAgentUsers',
  'j0eyv-ConditionalAccessBaseline/Config/NamedLocations/All Compliant Network locations.json': '@odata.type',
  'maester365-maester/powershell/tests/functions/Test-MtCaEmergencyAccessExists__Get-PolicyAgentIdentity.json': '[0].conditions.clientApplications.includeAgentIdServicePrincipals',
  'maester365-maester/powershell/tests/functions/Test-MtCaMfaForGuest__Get-AllUserMfaPolicyExcludeGuest.json': '[0].displayName',
  'maester365-maester/powershell/tests/functions/Test-MtCaMfaForGuest__Get-AllUserMfaPolicyNoExcludeGuest.json': '[0].displayName',
  'maester365-maester/powershell/tests/functions/Test-MtCaMfaForGuest__Get-GuestMfaPolicyExcludeGuest.json': '[0].displayName',
  'maester365-maester/powershell/tests/functions/Test-MtCaMfaForGuest__Get-GuestMfaPolicyNoExcludeGuest.json': '[0].displayName',
};

describe('corpus import', () => {
  const files = walk(root);

  it('finds the 113 corpus files', () => assert.equal(files.length, 113));

  for (const f of files) {
    const rel = relative(root, f);
    it(rel, () => {
      const bytes = readFileSync(f);
      const expected = refused[rel];
      if (expected) {
        assert.throws(() => importPolicyDocuments(bytes), (e: unknown) => e instanceof PolicyImportError && e.property === expected && e.reason.length > 10);
        return;
      }
      const items = importPolicyDocuments(bytes);
      for (const item of items) {
        // Export → import gives an equal object.
        const again = importPolicyFile(JSON.stringify(item.value, null, 2));
        assert.deepEqual(again.value, item.value);
        assert.equal(again.kind, item.kind);
      }
      // And it compiles into an evaluable snapshot.
      const policies = items.filter((i) => i.kind === 'policy').map((i, k) => ({ ...(i.value as object), id: `x${k}` }));
      assert.doesNotThrow(() => compileSnapshot(policies as never, []));
    });
  }

  it('importPath imports the corpus into a repository and exportAll round-trips it', async () => {
    const repo = new MemoryPolicyRepository();
    const report = await importPath(repo, root);
    assert.equal(report.refused, Object.keys(refused).length);
    assert.equal(report.imported, 113 - report.refused);
    // CA001 excludes the exported 'ALLOWED COUNTRIES' location by its old id; it now points at the stored one.
    const ca001 = (await repo.listPolicies()).find((p) => p.displayName === 'CA001-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-BLOCK-CountryWhitelist')!;
    const allowed = (await repo.listNamedLocations()).find((l) => l.displayName === 'ALLOWED COUNTRIES')!;
    assert.deepEqual(ca001.conditions.locations?.excludeLocations, [allowed.id]);
    const refusal = report.files.find((r) => r.status === 'refused')!;
    assert.ok(refusal.refusal?.property && refusal.refusal.reason);
    const dir = mkdtempSync(join(tmpdir(), 'tessera-ca-'));
    const written = await exportAll(repo, dir);
    assert.equal(written, (await repo.listPolicies()).length + (await repo.listNamedLocations()).length);
    const repo2 = new MemoryPolicyRepository();
    const report2 = await importPath(repo2, dir);
    assert.equal(report2.refused, 0);
    const strip = (xs: Array<{ id: string; createdDateTime: string; modifiedDateTime: string }>) => xs.map(({ id: _i, createdDateTime: _c, modifiedDateTime: _m, ...rest }) => rest).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    // Each import assigns fresh location ids; compare policies with location ids named by their location.
    const byName = async (r: MemoryPolicyRepository) => {
      const names = new Map((await r.listNamedLocations()).map((l) => [l.id, `location:${l.displayName}`]));
      return (await r.listPolicies()).map((p) => JSON.parse(JSON.stringify(p), (_k, v) => (typeof v === 'string' && names.has(v) ? names.get(v) : v)));
    };
    assert.deepEqual(strip(await byName(repo2)), strip(await byName(repo)));
    assert.deepEqual(strip(await repo2.listNamedLocations()), strip(await repo.listNamedLocations()));
  });
});

describe('import tolerance', () => {
  const doc = {
    '@odata.context': 'https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies/$entity',
    displayName: 'Guests need MFA',
    state: 'ENABLED',
    'state@odata.type': '#microsoft.graph.conditionalAccessPolicyState',
    partialEnablementStrategy: null,
    conditions: {
      clientAppTypes: 'All',
      locations: [],
      users: { includeGuestsOrExternalUsers: { guestOrExternalUserTypes: ['internalGuest', 'b2bCollaborationGuest'], externalTenants: { '@odata.type': '#microsoft.graph.conditionalAccessAllExternalTenants', membershipKind: 'all' } } },
      applications: { includeApplications: 'All' },
      authenticationFlows: { transferMethods: 'deviceCodeFlow, authenticationTransfer' },
    },
    grantControls: { operator: 'OR', builtInControls: [], authenticationStrength: { id: '00000000-0000-0000-0000-000000000004', displayName: 'Phishing-resistant MFA', allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'], 'allowedCombinations@odata.type': '#Collection(microsoft.graph.authenticationMethodModes)' } },
  };

  it('reads UTF-16LE and UTF-16BE with BOM, UTF-8 with BOM, and plain strings', () => {
    const text = JSON.stringify(doc);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le); be.swap16();
    const u8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const expected = importPolicyFile(text).value;
    for (const b of [le, be, u8, '\ufeff' + text]) assert.deepEqual(importPolicyFile(b).value, expected);
  });

  it('normalises annotations, flag enums, [] for null, letter case and collapsed arrays', () => {
    const item = importPolicyFile(JSON.stringify(doc));
    assert.ok(item.kind === 'policy');
    const value = item.value;
    assert.equal(value.state, 'enabled');
    assert.equal('@odata.context' in value, false);
    assert.deepEqual(value.conditions.clientAppTypes, ['all']);
    assert.equal(value.conditions.locations, null);
    assert.deepEqual(value.conditions.applications?.includeApplications, ['All']);
    assert.equal(value.conditions.users?.includeGuestsOrExternalUsers?.guestOrExternalUserTypes, 'internalGuest,b2bCollaborationGuest');
    assert.equal(value.conditions.authenticationFlows?.transferMethods, 'deviceCodeFlow,authenticationTransfer');
    assert.deepEqual(value.grantControls?.authenticationStrength?.allowedCombinations, ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor']);
    assert.equal((value as Record<string, unknown>).partialEnablementStrategy, null, 'beta-only keys are kept');
  });

  it('lets the last duplicate key win', () => {
    const text = '{"displayName":"a","state":"disabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"sessionControls":null,"sessionControls":{"secureSignInSession":{"isEnabled":true}}}';
    const item = importPolicyFile(text);
    assert.equal(item.kind === 'policy' && item.value.sessionControls?.secureSignInSession?.isEnabled, true);
  });

  it('refuses with the property and the reason', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...doc, state: 'on' }, 'state', /'on' is not one of enabled/],
      [{ ...doc, conditions: { ...doc.conditions, clientAppTypes: ['fax'] } }, 'conditions.clientAppTypes.0', /'fax'/],
      [{ ...doc, conditions: { ...doc.conditions, devices: { deviceFilter: { mode: 'exclude', rule: 'device.trustType -eq' } } } }, 'conditions.devices.deviceFilter.rule', /expected a value/],
      [{ ...doc, conditions: { ...doc.conditions, applications: undefined } }, 'conditions.applications', /required/],
      [{ ...doc, grantControls: { operator: 'XOR', builtInControls: ['mfa'] } }, 'grantControls.operator', /'XOR'/],
      [{ ...doc, grantControls: { operator: 'OR', builtInControls: ['mfa'], authenticationStrength: { id: '00000000-0000-0000-0000-000000000002' } } }, 'grantControls.authenticationStrength', /cannot be combined/],
      [{ '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'x', isTrusted: true, ipRanges: [{ cidrAddress: '10.0.0.0/8' }] }, 'ipRanges.0', /too broad/],
      [{ '@odata.type': '#microsoft.graph.ipNamedLocation', displayName: 'x', ipRanges: [] }, 'isTrusted', /required/],
      [{ '@odata.type': '#microsoft.graph.countryNamedLocation', displayName: 'x', countriesAndRegions: ['Belgium'], includeUnknownCountriesAndRegions: false }, 'countriesAndRegions.0', /two-letter/],
      [[], '(file)', /empty/],
      [42, '(root)', /JSON object/],
    ];
    for (const [input, property, reason] of cases) {
      assert.throws(() => importPolicyFile(JSON.stringify(input)), (e: unknown) => e instanceof PolicyImportError && e.property === property && reason.test(e.reason), `${property}`);
    }
    assert.throws(() => importPolicyFile('{"displayName": '), (e: unknown) => e instanceof PolicyImportError && e.property === '(file)' && /not valid JSON/.test(e.reason));
  });
});
