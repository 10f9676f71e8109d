// The model market's addresses from a deployment, refused with a clear error when the
// manifest predates the market.
import type { Deployment, MarketContracts } from '../chain/manifest.ts';
import { TrellisError } from '../errors.ts';

export function marketOf(d: Deployment): MarketContracts {
  if (!d.market) {
    throw new TrellisError('MARKET_NOT_DEPLOYED', 'This deployment has no model market (ModelStaking, ModelBounty).', {
      details: ['the manifest was written before the market existed; deploy again to use `trellis model stake` and `trellis bounty`'],
    });
  }
  return d.market;
}
