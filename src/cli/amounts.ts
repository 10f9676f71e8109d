// Token amounts as users type and read them: "2.5" tUSD in, "2.5 tUSD" out.
import { TOKEN_DECIMALS, tokens } from '../chain/parameters.ts';
import { parseAmountOption } from './options.ts';

/** Parses an amount option in whole tokens into base units; the error names the option. */
export const parseTokens = (name: string, value: string): bigint => tokens(parseAmountOption(name, value, TOKEN_DECIMALS));

export { formatTokens } from '../chain/human-units.ts';
