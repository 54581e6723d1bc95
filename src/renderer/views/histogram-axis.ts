// The histograms' count axis (pure: unit-tested without a DOM).

/**
 * Linear from 0, or logarithmic from 0.5 so that a bin of one weight shows as a bar (the tails a
 * log scale exists to show); Chart.js would otherwise start the axis near the data's magnitude.
 */
export function yAxisKind(log: boolean): { type: 'logarithmic' | 'linear'; min: number; beginAtZero: boolean } {
  return log ? { type: 'logarithmic', min: 0.5, beginAtZero: false } : { type: 'linear', min: 0, beginAtZero: true };
}
