/**
 * The fake upstream: an HTTP server speaking the OpenAI, Anthropic and Gemini protocols, with scripted
 * answers and faults, for demos and for every gateway test.
 */
export { demoScripts } from './demo-scripts.js';
export type {
  ContentPolicyFault,
  ContextLengthFault,
  CutFault,
  Fault,
  MalformedChunkFault,
  MidstreamErrorFault,
  MockProtocol,
  ModelScript,
  NoDoneFault,
  NoResponseFault,
  ResetFault,
  ScriptedToolCall,
  SlowFirstTokenFault,
  StallFault,
  StatusFault,
  TruncatedBodyFault,
  UsageOverrides,
  ValueOrRange,
} from './model-script.js';
export { parseModelScript } from './model-script.js';
export type { RecordedRequest } from './script-registry.js';
export { type MockUpstream, type MockUpstreamOptions, startMockUpstream } from './start-mock-upstream.js';
