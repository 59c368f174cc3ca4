/** Constructs a stack holds once and shares with whatever asks for them (the runtime layer, the HTTPS group, the SDK-call provider). */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The construct `id` at the root of `scope`'s stack, made by `create` on first use. */
export function onePerStack<T extends IConstruct>(scope: IConstruct, id: string, create: (stack: Stack, id: string) => T): T {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild(id) as T | undefined) ?? create(stack, id);
}
