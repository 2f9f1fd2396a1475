/** Why a file, or one object in it, cannot be imported: the property at fault and the reason. */
export class PolicyImportError extends Error {
  override readonly name = 'PolicyImportError';
  constructor(readonly property: string, readonly reason: string) {
    super(`${property}: ${reason}`);
  }
}
