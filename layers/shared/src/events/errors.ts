/**
 * The one error every decoder and validator in the catalog throws. `field` names what was wrong (a dotted
 * path into the event, or `type`, `version`, `key`, `value`, `topic`), `record` names where it came from
 * (`<topic>-<partition>@<offset>`), so a dead-letter entry or a log line says exactly what to fix.
 */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';

  constructor(
    /** Dotted path of the offending field (`quantity`, `channels.0`), or `$` for the whole value. */
    readonly field: string,
    /** What is wrong with it, without the field or record prefix. */
    readonly detail: string,
    /** The record it came from, `<topic>-<partition>@<offset>`, when there is one. */
    readonly record?: string,
  ) {
    super(`${record ? `record ${record}: ` : ''}${field}: ${detail}`);
  }

  /** The same error, located at a record (decoders know the record, validators do not). */
  at(record: string): EventValidationError {
    return new EventValidationError(this.field, this.detail, record);
  }
}
