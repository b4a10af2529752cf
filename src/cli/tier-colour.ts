/** The terminal colour of each tier (the hue family of the charts' Okabe-Ito colours). */

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
