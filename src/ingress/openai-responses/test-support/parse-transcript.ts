/** Splits SSE text written by a stream writer into its messages: event name and parsed data. */
import { createParser } from 'eventsource-parser';

export interface TranscriptMessage {
  event: string | undefined;
  data: any;
}

/** The SSE messages of `text`, in order (comments are skipped, as clients skip them). */
export function parseTranscript(text: string): TranscriptMessage[] {
  const messages: TranscriptMessage[] = [];
  const parser = createParser({
    onEvent: (message) => messages.push({ event: message.event, data: JSON.parse(message.data) }),
  });
  parser.feed(text);
  return messages;
}
