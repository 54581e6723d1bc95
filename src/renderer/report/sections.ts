// The report's sections, in the order they are drawn: each says whether the data has it and draws
// itself into its <section>. Adding a section is one entry here (and its file).

import type { ReportData } from '../../engine/protocol';
import { diffSection } from './diff-section';
import { graphSection } from './graph-section';
import { histogramsSection } from './histograms-section';
import { modelSection } from './model-section';
import { nodeErrorsSection } from './node-errors-section';
import { nodesSection } from './nodes-section';
import { sensitivitySection } from './sensitivity-section';
import { sweepSection } from './sweep-section';

export interface ReportSection {
  /** The section's id (its anchor and data-section; the ids of core/report/sections.ts). */
  id: string;
  title: string;
  present(data: ReportData): boolean;
  draw(body: HTMLElement, data: ReportData): void;
}

export const SECTIONS: readonly ReportSection[] = [
  { id: 'model', title: 'Model', present: () => true, draw: modelSection },
  { id: 'graph', title: 'Graph', present: () => true, draw: graphSection },
  { id: 'nodes', title: 'Cost per node', present: () => true, draw: nodesSection },
  { id: 'histograms', title: 'Weight histograms', present: (d) => d.histograms.length > 0, draw: histogramsSection },
  { id: 'sweep', title: 'Accuracy and time against the prune ratio', present: (d) => d.sweep !== undefined, draw: sweepSection },
  { id: 'sensitivity', title: 'Sensitivity', present: (d) => d.sensitivity !== undefined, draw: sensitivitySection },
  { id: 'diff', title: 'Compared with another model', present: (d) => d.diff !== undefined, draw: diffSection },
  { id: 'nodeErrors', title: 'Error per node', present: (d) => d.nodeErrors !== undefined, draw: nodeErrorsSection },
];

/** The title of a section id (for the list of sections left out). */
export function sectionTitle(id: string): string {
  return SECTIONS.find((s) => s.id === id)?.title ?? id;
}
