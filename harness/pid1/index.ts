// Watching an init from outside its PID namespace: finding it, and the orphan storm it must reap.
export { childOf } from './unshare-child';
export { orphanStorm } from './orphan-storm';
