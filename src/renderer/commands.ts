// The app's own commands (menus, toolbar, shortcuts): open, close, exports, zoom, theme, dialogs.
// The views register theirs (find, prune...) themselves.

import { exportReport } from './export-report';
import type { Source } from '../engine/protocol';
import type { AppContext } from './context';
import { showAbout, showBanner, showShortcuts } from './dialogs';
import { ensurePruned, withPrunedCopy } from './job';

export interface AppActions {
  openSource(source: Source, label: string): Promise<void>;
  showEmpty(on: boolean): void;
  applyTheme(theme: 'light' | 'dark'): void;
  toggleSidebar(): void;
}

export function installCommands(ctx: AppContext, app: AppActions): void {
  const { store, platform, commands } = ctx;
  const client = platform.client;
  const { openSource, showEmpty, applyTheme } = app;
  const needModel = (fn: (modelId: number) => void | Promise<void>) => async () => {
    const model = store.state.model;
    if (!model) return showBanner('No model is open', 'Open a model first (Ctrl+O), or open the sample.', 'info');
    await fn(model.modelId);
  };
  const stem = (): string => (store.state.model?.fileName ?? 'model').replace(/\.onnx$/i, '');
  const exportModel = (format: 'dense' | 'sparse') =>
    needModel(async (modelId) => {
      const name = `${stem()}-pruned${format === 'sparse' ? '-sparse' : ''}.onnx`;
      const spec = store.state.spec;
      await ensurePruned(ctx, modelId, spec, 'the export');
      const where = await platform.exportModel(modelId, spec, format, name);
      if (where) showBanner('Exported', `The pruned model went to ${where}.`, 'info');
    });
  commands.set('open', () => platform.requestOpenModel());
  commands.set('open-sample', () => openSource({ kind: 'sample' }, 'sample-mlp.onnx'));
  commands.set('close', () => {
    const model = store.state.model;
    if (model) void client.call({ type: 'close', modelId: model.modelId }).catch(() => undefined);
    store.set('selection', { node: null, graphPath: [] });
    store.set('report', null);
    store.set('modelIsSample', false);
    store.set('model', null);
    platform.modelOpened(null);
    document.title = 'Prunescope';
    showEmpty(true);
  });
  commands.set('export-model', exportModel('dense'));
  commands.set('export-model-sparse', exportModel('sparse'));
  // issue 16: report
  commands.set('export-report', needModel((modelId) => exportReport(ctx, modelId)));
  commands.set(
    'export-json',
    needModel(async (modelId) => {
      if (!store.state.dumpPruned) {
        const where = await platform.exportJson(modelId, `${stem()}.onnx.json`);
        if (where) showBanner('Exported', `The JSON rendering went to ${where}.`, 'info');
        return;
      }
      // The pruned model's JSON: the engine encodes the pruned model, opens it as a second model
      // for the JSON rendering, and closes it again.
      const spec = store.state.spec;
      const name = `${stem()}-pruned.onnx`;
      const where = await withPrunedCopy(ctx, modelId, spec, name, (copyId) => platform.exportJson(copyId, `${name}.json`));
      if (where) showBanner('Exported', `The JSON rendering of the model pruned at ${spec.ratio} went to ${where}.`, 'info');
    }),
  );
  commands.set(
    'export-matrices',
    needModel(async (modelId) => {
      const tensors = store.state.model?.graph.initializers.map((i) => i.name) ?? [];
      // The Dumps panel's choice: pruned at the current spec, or the original weights.
      const spec = store.state.dumpPruned ? store.state.spec : undefined;
      if (spec) await ensurePruned(ctx, modelId, spec, 'the matrices');
      const where = await platform.exportMatrices(modelId, tensors, spec);
      if (where) showBanner('Exported', `The ${spec ? `pruned (at ${spec.ratio})` : 'original'} text matrices went to ${where}.`, 'info');
    }),
  );
  commands.set(
    'export-graph-svg',
    needModel(async () => {
      const graph = ctx.graph();
      if (graph) await platform.saveFile('svg', `${stem()}.svg`, graph.toSvg());
    }),
  );
  commands.set(
    'export-graph-png',
    needModel(async () => {
      const graph = ctx.graph();
      if (graph) await platform.saveFile('png', `${stem()}.png`, await graph.toPng());
    }),
  );
  commands.set('zoom-in', () => ctx.graph()?.zoomIn());
  commands.set('zoom-out', () => ctx.graph()?.zoomOut());
  commands.set('zoom-fit', () => ctx.graph()?.fit());
  commands.set('toggle-sidebar', () => app.toggleSidebar());
  commands.set('theme-light', () => applyTheme('light'));
  commands.set('theme-dark', () => applyTheme('dark'));
  commands.set('shortcuts', () => showShortcuts());
  commands.set('about', () => showAbout(platform.kind));
  platform.onMenu((command) => ctx.run(command));
}
