/**
 * The canonical chat request converted to a Messages API body. Settings the Messages API (or the target
 * Claude model) cannot express are reported as warnings and left out, never silently changed.
 */
import {
  type ChatRequest,
  type FunctionTool,
  requestedMaxTokens,
  stopSequences,
  type ToolChoice,
} from '../../core/chat-request.js';
import type {
  AnthropicMessage,
  AnthropicMessagesBody,
  AnthropicOutputConfig,
  AnthropicTool,
  AnthropicToolChoice,
} from './anthropic-request-body.js';
import { type ClaudeModelTraits, claudeModelTraits } from './claude-model-traits.js';
import { convertMessages } from './convert-messages.js';
import { convertReasoning } from './convert-reasoning.js';

export interface ConvertedRequest {
  body: AnthropicMessagesBody;
  warnings: string[];
}

/** Anthropic keeps `top_p` within this range while thinking. */
const minimumTopPWhileThinking = 0.95;

function convertTool(tool: FunctionTool): AnthropicTool {
  const converted: AnthropicTool = {
    name: tool.function.name,
    input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description !== undefined) converted.description = tool.function.description;
  if (tool.function.strict === true) converted.strict = true;
  return converted;
}

function convertToolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
): AnthropicToolChoice | undefined {
  const disableParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...disableParallel } : undefined;
  if (typeof choice === 'object') return { type: 'tool', name: choice.function.name, ...disableParallel };
  switch (choice) {
    case 'auto':
      return { type: 'auto', ...disableParallel };
    case 'required':
      return { type: 'any', ...disableParallel };
    case 'none':
      return { type: 'none' };
  }
}

/**
 * Why thinking cannot be on for this request, if it cannot. Anthropic rejects forced tool use while
 * thinking, and requires the assistant turn still in progress (the one whose tool results end the
 * conversation) to start with a signed thinking block, which a chat-completions history cannot carry.
 */
function thinkingBlocker(
  messages: readonly AnthropicMessage[],
  toolChoice: AnthropicToolChoice | undefined,
): string | undefined {
  if (toolChoice?.type === 'any' || toolChoice?.type === 'tool') {
    return 'Anthropic does not allow thinking together with a forced tool choice';
  }
  const last = messages.at(-1);
  if (last?.role === 'assistant')
    return 'Anthropic does not allow thinking with a prefilled assistant message';
  if (last?.role === 'user' && last.content.some((block) => block.type === 'tool_result')) {
    return 'the conversation continues a tool-use turn whose thinking blocks (with their signatures) are not part of the request';
  }
  return undefined;
}

interface Sampling {
  temperature: number | undefined;
  top_p: number | undefined;
  top_k: number | undefined;
}

/** The sampling settings the model accepts, each left-out or changed one reported. */
function convertSampling(
  request: ChatRequest,
  traits: ClaudeModelTraits,
  thinking: boolean,
  warnings: string[],
): Sampling {
  let temperature = request.temperature;
  let topP = request.top_p;
  let topK = request.top_k;
  if (traits.sampling === 'none') {
    for (const [name, value] of [
      ['temperature', temperature],
      ['top_p', topP],
      ['top_k', topK],
    ] as const) {
      if (value !== undefined) warnings.push(`${name} is not supported by ${request.model}; not sent`);
    }
    return { temperature: undefined, top_p: undefined, top_k: undefined };
  }
  if (thinking) {
    if (temperature !== undefined) warnings.push('temperature cannot be set while thinking; not sent');
    if (topK !== undefined) warnings.push('top_k cannot be set while thinking; not sent');
    if (topP !== undefined && topP < minimumTopPWhileThinking) {
      warnings.push(
        `top_p ${topP} is below ${minimumTopPWhileThinking}, the least allowed while thinking; not sent`,
      );
      topP = undefined;
    }
    temperature = undefined;
    topK = undefined;
  }
  if (temperature !== undefined && temperature > 1) {
    warnings.push(`temperature ${temperature} is above Anthropic's maximum of 1; sent 1`);
    temperature = 1;
  }
  if (traits.sampling === 'temperature-or-top-p' && temperature !== undefined && topP !== undefined) {
    warnings.push(`${request.model} does not accept temperature and top_p together; top_p not sent`);
    topP = undefined;
  }
  return { temperature, top_p: topP, top_k: topK };
}

function outputFormat(request: ChatRequest, warnings: string[]): AnthropicOutputConfig['format'] {
  const format = request.response_format;
  if (format === undefined) return undefined;
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      warnings.push('response_format json_object has no Anthropic equivalent without a schema; not sent');
      return undefined;
    case 'json_schema':
      if (format.json_schema.schema === undefined) {
        warnings.push('response_format json_schema has no schema; not sent');
        return undefined;
      }
      return { type: 'json_schema', schema: format.json_schema.schema };
  }
}

/** Converts a canonical request (its `model` already the upstream's name) to a Messages API body. */
export function convertRequest(request: ChatRequest): ConvertedRequest {
  const warnings: string[] = [];
  const traits = claudeModelTraits(request.model);
  const { system, messages } = convertMessages(request.messages, warnings);

  const tools = request.tools?.map(convertTool);
  const hasTools = tools !== undefined && tools.length > 0;
  const toolChoice = hasTools
    ? convertToolChoice(request.tool_choice, request.parallel_tool_calls)
    : undefined;

  const plan = convertReasoning(
    {
      reasoning: request.reasoning,
      requestedMaxTokens: requestedMaxTokens(request),
      traits,
      model: request.model,
      thinkingBlockedBecause: thinkingBlocker(messages, toolChoice),
    },
    warnings,
  );
  const sampling = convertSampling(request, traits, plan.thinking !== undefined, warnings);

  const body: AnthropicMessagesBody = { model: request.model, messages, max_tokens: plan.maxTokens };
  if (system !== undefined) body.system = system;
  if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
  if (sampling.top_p !== undefined) body.top_p = sampling.top_p;
  if (sampling.top_k !== undefined) body.top_k = sampling.top_k;
  const stop = stopSequences(request);
  if (stop.length > 0) body.stop_sequences = stop;
  if (request.stream === true) body.stream = true;
  if (hasTools) body.tools = tools;
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  if (plan.thinking !== undefined) body.thinking = plan.thinking;
  const outputConfig: AnthropicOutputConfig = {};
  if (plan.effort !== undefined) outputConfig.effort = plan.effort;
  const format = outputFormat(request, warnings);
  if (format !== undefined) outputConfig.format = format;
  if (outputConfig.effort !== undefined || outputConfig.format !== undefined)
    body.output_config = outputConfig;
  if (request.user !== undefined) body.metadata = { user_id: request.user };

  if (request.seed !== undefined) warnings.push('seed is not supported by Anthropic; not sent');
  if (request.frequency_penalty !== undefined)
    warnings.push('frequency_penalty is not supported by Anthropic; not sent');
  if (request.presence_penalty !== undefined)
    warnings.push('presence_penalty is not supported by Anthropic; not sent');
  if (
    request.tool_choice !== undefined &&
    !hasTools &&
    request.tool_choice !== 'none' &&
    request.tool_choice !== 'auto'
  ) {
    warnings.push('tool_choice forces a tool but the request has no tools; not sent');
  }
  return { body, warnings };
}
