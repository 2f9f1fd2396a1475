import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileDeviceFilter, parseDeviceFilter, DeviceFilterSyntaxError, MAX_RULE_LENGTH } from '../../src/policy/device-filter/index.ts';
import type { PolicyDevice } from '../../src/policy/context.ts';

const cloudPc: PolicyDevice = { trustType: 'AzureAd', systemLabels: ['CloudPC'], isCompliant: true, operatingSystem: 'Windows', displayName: 'CPC-alice-01', deviceOwnership: 'Company', extensionAttributes: { extensionAttribute1: 'Finance' } };
const run = (rule: string, d: PolicyDevice | null) => compileDeviceFilter(rule)(d);

function syntaxError(rule: string): DeviceFilterSyntaxError {
  try { parseDeviceFilter(rule); } catch (e) { if (e instanceof DeviceFilterSyntaxError) return e; throw e; }
  assert.fail(`expected a syntax error for ${rule}`);
}

describe('device filter language', () => {
  it('matches the token-protection exclusion of seed 003, with and without the device. prefix', () => {
    assert.equal(run('systemLabels -eq "CloudPC" -and trustType -eq "AzureAD"', cloudPc), true);
    assert.equal(run('device.systemLabels -contains "CloudPC" -and device.trustType -eq "AzureAD"', cloudPc), true);
    assert.equal(run('systemLabels -eq "CloudPC" -and trustType -eq "AzureAD"', { ...cloudPc, trustType: 'ServerAd' }), false);
  });

  it('compares strings case-insensitively with every string operator', () => {
    const d = cloudPc;
    assert.equal(run('device.displayName -startsWith "cpc-"', d), true);
    assert.equal(run('device.displayName -notStartsWith "cpc-"', d), false);
    assert.equal(run('device.displayName -endsWith "-01"', d), true);
    assert.equal(run('device.displayName -notEndsWith "-01"', d), false);
    assert.equal(run('device.displayName -contains "ALICE"', d), true);
    assert.equal(run('device.displayName -notContains "bob"', d), true);
    assert.equal(run('device.displayName -in ["x", "cpc-alice-01"]', d), true);
    assert.equal(run('device.displayName -notIn ["x"]', d), true);
    assert.equal(run('device.deviceOwnership -ne "Personal"', d), true);
    assert.equal(run('device.extensionAttribute1 -eq "finance"', d), true);
    assert.equal(run('device.systemLabels -notContains "AzureVirtualDesktop"', d), true);
  });

  it('applies precedence not > and > or, parentheses and dash-less words', () => {
    assert.equal(run('device.isCompliant -eq False -or device.trustType -eq "AzureAD" -and device.deviceOwnership -eq "Personal"', cloudPc), false);
    assert.equal(run('(device.isCompliant -eq False -or device.trustType -eq "AzureAD") -and device.deviceOwnership -eq "Company"', cloudPc), true);
    assert.equal(run('-not device.isCompliant -eq True', cloudPc), false);
    assert.equal(run('device.isCompliant eq true and not (device.trustType eq "Workplace")', cloudPc), true);
    assert.equal(run('device.isCompliant -eq "True"', cloudPc), true);
  });

  it('gives unregistered devices all-null attributes: positive operators false, negative true', () => {
    for (const rule of ['device.trustType -eq "AzureAD"', 'device.displayName -startsWith "a"', 'device.systemLabels -contains "CloudPC"', 'device.model -in ["a"]', 'device.isCompliant -eq True']) assert.equal(run(rule, null), false, rule);
    for (const rule of ['device.trustType -ne "AzureAD"', 'device.displayName -notStartsWith "a"', 'device.systemLabels -notContains "CloudPC"', 'device.model -notIn ["a"]', 'device.isCompliant -ne True']) assert.equal(run(rule, null), true, rule);
    assert.equal(run('device.isCompliant -ne True -and device.trustType -ne "ServerAD"', null), true);
  });

  it('reports precise parse errors with positions', () => {
    assert.equal(syntaxError('device.trustType -eq "AzureAD').position, 21);
    assert.match(syntaxError('device.trustType -eq "AzureAD').message, /unterminated string.*\(at position 22\)/);
    const unknown = syntaxError('device.colour -eq "red"');
    assert.match(unknown.message, /unknown device property 'device.colour'/);
    assert.equal(unknown.position, 0);
    const op = syntaxError('device.trustType -startsWith "Az"');
    assert.match(op.message, /-startsWith is not allowed on trustType/);
    assert.equal(op.position, 17);
    assert.match(syntaxError('device.model -in "a"').message, /needs a list/);
    assert.match(syntaxError('device.model -eq "a" -and').message, /expected a device property.*end of the rule/);
    assert.match(syntaxError('(device.model -eq "a"').message, /expected '\)'/);
    assert.match(syntaxError('device.model -eq "a" device.model -eq "b"').message, /expected -and, -or/);
    assert.match(syntaxError('device.isCompliant -eq "yes"').message, /True or False/);
    assert.match(syntaxError('device.model -eq "a" & x').message, /unexpected character '&'/);
    assert.match(syntaxError('   ').message, /empty/);
    assert.match(syntaxError('device.DisplayName -eq "a"').message, /case-sensitive/);
  });

  it('enforces the 3,072-character limit', () => {
    const clause = 'device.model -eq "abcdefghij"';
    let rule = clause;
    while (rule.length <= MAX_RULE_LENGTH) rule += ' -or ' + clause;
    assert.match(syntaxError(rule).message, /limit is 3072/);
    const fits = rule.slice(0, rule.lastIndexOf(' -or ', MAX_RULE_LENGTH - 1));
    assert.ok(fits.length <= MAX_RULE_LENGTH);
    assert.doesNotThrow(() => parseDeviceFilter(fits));
  });
});
