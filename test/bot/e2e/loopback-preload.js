// Preloaded (`node -r`) into the Teams emulator: every server it starts listens on 127.0.0.1
// only, whatever host it asks for (it would otherwise listen on every interface).
'use strict';
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path === undefined) args[0] = { ...first, host: '127.0.0.1' };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const callback = typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
    const backlog = typeof args[2] === 'number' ? args[2] : undefined;
    args = [{ port: Number(first), host: '127.0.0.1', backlog }];
    if (callback) args.push(callback);
  }
  return listen.apply(this, args);
};
