declare module 'utf7' {
  /** RFC 2152 UTF-7 to a JavaScript string. */
  export function decode(text: string): string;
  export function encode(text: string): string;
}
