/**
 * Field names as API clients see them. ts-proto turns `user_id` into
 * `userId`; error messages name the proto field so a caller in any language
 * recognises it.
 */
export function protoFieldName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
