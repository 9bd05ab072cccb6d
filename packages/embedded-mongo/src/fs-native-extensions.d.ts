/** The part of fs-native-extensions the engine uses (the package ships no type declarations). */
declare module 'fs-native-extensions' {
  /** Takes an exclusive lock on the open file without waiting; false when another holder has it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  export function unlock(fd: number): void;
}
