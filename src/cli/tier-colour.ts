/** One colour per tier, shared by the terminal tables and the SVG chart so both read the same way. */

import type { TierName } from '../core/tiers.js';
import type { Palette } from './palette.js';

/** The terminal colour of a tier's label. */
export function colourTier(text: string, tier: TierName | null, colours: Palette): string {
  if (tier === null) return colours.dim(text);
  switch (tier) {
    case 'high':
      return colours.magenta(text);
    case 'medium':
      return colours.cyan(text);
    case 'low':
      return colours.green(text);
  }
}

/** The chart colour of a tier (colour-blind-safe Okabe-Ito hues, matching the terminal's hue family). */
export function tierChartColour(tier: TierName): string {
  switch (tier) {
    case 'high':
      return '#cc79a7';
    case 'medium':
      return '#0072b2';
    case 'low':
      return '#009e73';
  }
}
