/**
 * The region's shard map, read from the SSM parameter the data stack publishes (its path is in the
 * function's environment) and parsed by the one shard rule of @shared/shard-map.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parseShardMap, type ShardMap } from '../shard-map';

export async function readShardMap(ssm: SSMClient, parameterName: string): Promise<ShardMap> {
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: parameterName }));
  if (!Parameter?.Value) throw new Error(`SSM parameter ${parameterName} (the shard map) is empty`);
  return parseShardMap(Parameter.Value);
}
