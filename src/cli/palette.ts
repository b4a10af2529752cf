/** Terminal colours: picocolors' formatters, all of them no-ops when colour is off. */
import pc from 'picocolors';

export type Palette = ReturnType<typeof pc.createColors>;

/** Formatters that colour only when `enabled` (stdout is a terminal and NO_COLOR is unset). */
export function createPalette(enabled: boolean): Palette {
  return pc.createColors(enabled);
}
