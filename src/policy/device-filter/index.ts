export { compileDeviceFilter, type DevicePredicate } from './compile.ts';
export { parseDeviceFilter, type FilterNode, type FilterValue } from './parse.ts';
export { DeviceFilterSyntaxError, MAX_RULE_LENGTH } from './tokenize.ts';
export { deviceProperties, operators, type Operator } from './properties.ts';
