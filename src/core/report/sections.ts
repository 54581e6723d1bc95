// Which sections a report holds and, for each optional one it does not hold, why: the page lists
// the sections present and says which were not requested (and how to ask for them), so a reader
// never wonders whether a missing section failed.

/** The ratio of the spec whose per-node error a report shows when no second model is compared. */
export const REPORT_ERRORS_RATIO = 0.5;

/** The optional sections, in the order the viewer draws them. */
export const OPTIONAL_SECTIONS = ['sweep', 'sensitivity', 'diff', 'nodeErrors'] as const;
export type OptionalSection = (typeof OPTIONAL_SECTIONS)[number];

/** What a report was asked for. */
export interface ReportAsked {
  dataset: boolean;
  sweep: boolean;
  sensitivity: boolean;
  compare: boolean;
  errors: boolean;
}

/** Sections every report holds. */
export const ALWAYS_SECTIONS = ['model', 'graph', 'nodes', 'histograms'] as const;

/**
 * Why each optional section is left out, or undefined when it is in. A section that needs a test set
 * says so when none was given, else how to ask for it (the CLI's flag and the app's source).
 */
export function omittedWhy(section: OptionalSection, asked: ReportAsked): string | undefined {
  switch (section) {
    case 'sweep':
      if (!asked.dataset) return 'not requested: no test set was given (--data, or a dataset in the Evaluate panel)';
      return asked.sweep ? undefined : 'not requested: no sweep was run (run one in the Evaluate panel)';
    case 'sensitivity':
      if (!asked.sensitivity) return 'not requested (--sensitivity, or run one in the Sensitivity panel)';
      return asked.dataset ? undefined : 'not possible: a sensitivity analysis needs a test set (--data)';
    case 'diff':
      return asked.compare ? undefined : 'not requested: no second model to compare with (--compare OTHER, or a comparison open in the app)';
    case 'nodeErrors':
      if (!asked.errors) return 'not requested (--errors)';
      return asked.dataset ? undefined : 'not possible: per-node error needs a test set (--data)';
  }
}

/** The optional sections left out and why, in drawing order. */
export function omittedSections(asked: ReportAsked): { section: OptionalSection; why: string }[] {
  const out: { section: OptionalSection; why: string }[] = [];
  for (const s of OPTIONAL_SECTIONS) {
    const why = omittedWhy(s, asked);
    if (why !== undefined) out.push({ section: s, why });
  }
  return out;
}
