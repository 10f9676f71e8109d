// The shape of a hype rule: a named check over a profile that returns one flag per
// problem found. A flag on a cell lowers that cell's evidence by one; a flag without a
// cell concerns the whole project and is reported without changing a cell.
import type { Profile } from '../profile.ts';
import type { CellId } from '../vocabulary.ts';

export type HypeFlag = {
  rule: string;
  cell?: CellId;
  /** The claim text the flag is about, when it is about one claim. */
  claim?: string;
  message: string;
};

export type HypeRule = {
  id: string;
  title: string;
  check(profile: Profile): HypeFlag[];
};
