/**
 * cdk-nag's AwsSolutions pack on every stack. Synth fails on an unacknowledged finding (CDK's policy
 * validation), and so does the compliance test. Acknowledgements live beside the construct they
 * concern, by rule id (with the finding, e.g. `AwsSolutions-IAM5[Resource::*]`), each with a reason.
 */
import { Validations, type App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';

export function applyCompliance(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Acknowledges findings on `scope` and its children; a reason must say why, not just that. */
export function acknowledge(scope: IConstruct, ...acks: Acknowledgement[]): void {
  for (const ack of acks) {
    if (ack.reason.trim().length < 40) {
      throw new Error(`Acknowledgement of ${ack.id} at ${scope.node.path} needs a reason (40+ characters) a security reviewer can check`);
    }
  }
  Validations.of(scope).acknowledge(...acks);
}
