// Gives HeliumClient one method per backend operation. The operations are declared once, in the SDK's
// operation table: the WebAssembly module lists their names and runs any of them through one entry point
// (`_call`), and their TypeScript signatures come from the same table. (node.cjs repeats these lines.)
export function installOperations(glue) {
  const define = (p, name) => Object.defineProperty(p, name, { value: { [name](...a) { return this._call(name, a); } }[name], writable: true, configurable: true });
  for (const name of glue.operationNames()) if (!Object.hasOwn(glue.HeliumClient.prototype, name)) define(glue.HeliumClient.prototype, name);
}
