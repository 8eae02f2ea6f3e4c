// Preloaded (NODE_OPTIONS=--import) into a gateway process whose machine clock is off: Date.now() is
// $SKEW_MS ahead. The gateway's clock reads Date.now() (src/server/core/gateway-clock.ts).
const skew = Number(process.env.SKEW_MS ?? 0);
const realNow = Date.now;
Date.now = () => realNow() + skew;
