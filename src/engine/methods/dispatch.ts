// The engine's one entry to the pruning methods: the core dispatcher of src/core/prune/method.ts.

export { pruneWithMethod, methodSpecOf, type MethodData, type MethodHooks, type MethodResult, type MethodSpec } from '../../core/prune/method';
