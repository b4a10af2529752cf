/**
 * Preloaded (`node --import`) into the Portkey gateway: its CLI takes `--port=` but no host and binds
 * every interface. The bench keeps all of its servers on 127.0.0.1, so a listen() call that names no
 * host gets the loopback address. Nothing else about the gateway changes.
 */
import net from 'node:net';

const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (typeof first === 'object' && first !== null && !('path' in first) && first.host === undefined) {
    args[0] = { ...first, host: '127.0.0.1' };
  } else if (
    (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) &&
    (second === undefined || typeof second === 'function')
  ) {
    if (args.length === 1 || typeof second === 'function') args.splice(1, 0, '127.0.0.1');
    else args[1] = '127.0.0.1';
  }
  return listen.apply(this, args);
};
