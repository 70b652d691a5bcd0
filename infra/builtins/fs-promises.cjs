// See infra/constructs/service-function.ts (CJS_BUILTINS): the CommonJS export, without an ESM namespace.
module.exports = process.getBuiltinModule('node:fs/promises');
