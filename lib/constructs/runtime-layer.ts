/**
 * The stack's runtime layer (layers/runtime): the CommonJS drivers every PlatformFunction takes from
 * /opt/nodejs instead of its bundle. One LayerVersion per stack, built once per synth by the local esbuild
 * (no Docker): the asset hash is the built output's, so a new layer version is published only when a driver
 * changes.
 */
import * as path from 'node:path';
import { AssetHashType } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { buildRuntimeLayer, RUNTIME_LAYER_MODULES } from '../../layers/runtime/build';
import { onePerStack } from './one-per-stack';

/** A Lambda layer and the npm modules it provides to functions at run time. */
export interface SharedLayer {
  readonly layer: lambda.ILayerVersion;
  readonly modules: readonly string[];
}

/** The runtime layer of `scope`'s stack, created on first use. */
export function runtimeLayer(scope: Construct): SharedLayer {
  const layer = onePerStack(scope, 'RuntimeLayer', (stack, id) =>
    new lambda.LayerVersion(stack, id, {
      description: `Drivers for the platform's functions, outside their bundles: ${RUNTIME_LAYER_MODULES.join(', ')} (layers/runtime)`,
      compatibleRuntimes: [lambda.Runtime.NODEJS_24_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64, lambda.Architecture.X86_64],
      code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'layers', 'runtime'), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never used: the local build below always succeeds (synth must not need Docker).
          image: lambda.Runtime.NODEJS_24_X.bundlingImage,
          local: {
            tryBundle(outputDir: string) {
              buildRuntimeLayer(outputDir);
              return true;
            },
          },
        },
      }),
    }),
  );
  return { layer, modules: RUNTIME_LAYER_MODULES };
}
