/**
 * The region's kill switch: while it is on, the engine takes no new signals (they stay uncommitted in
 * Kafka, where this region's replacement or this engine after the switch is turned off picks them up).
 * The DR runbook turns it on before it moves trading to another region. Production reads an SSM
 * parameter (`on` | `off`) every few seconds; it fails closed: an unreadable switch at start, or a
 * value other than `off`, halts trading.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from './log';

export interface KillSwitch {
  isHalted(): boolean;
  /** Called whenever the state changes. */
  onChange(listener: (halted: boolean) => void): void;
}

/** A switch set by code (tests, local runs). */
export class ManualKillSwitch implements KillSwitch {
  private readonly listeners: ((halted: boolean) => void)[] = [];

  constructor(private halted = false) {}

  isHalted(): boolean {
    return this.halted;
  }

  onChange(listener: (halted: boolean) => void): void {
    this.listeners.push(listener);
  }

  set(halted: boolean): void {
    if (halted === this.halted) return;
    this.halted = halted;
    for (const l of this.listeners) l(halted);
  }
}

/** The switch as the value of an SSM parameter, polled. */
export class SsmKillSwitch extends ManualKillSwitch {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly ssm: Pick<SSMClient, 'send'>,
    readonly parameterName: string,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {
    super(true); // halted until the first successful read
  }

  /** Reads the parameter now; a failed read keeps the last state (halted if there is none). */
  async refresh(): Promise<void> {
    try {
      const { Parameter } = await this.ssm.send(new GetParameterCommand({ Name: this.parameterName }));
      const value = Parameter?.Value?.trim().toLowerCase();
      if (value !== 'off' && value !== 'on') {
        this.logger.log('error', 'kill switch has an unexpected value: trading halted', { parameter: this.parameterName, value: Parameter?.Value });
      }
      const halted = value !== 'off';
      if (halted !== this.isHalted()) this.logger.log('warn', `kill switch ${halted ? 'ON: trading halted' : 'off: trading resumes'}`, { parameter: this.parameterName });
      this.set(halted);
    } catch (error) {
      this.logger.log('error', 'kill switch unreadable: keeping the last state', { parameter: this.parameterName, halted: this.isHalted(), error: String(error) });
    }
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
