import { Box, Text } from 'ink';
import { parseMarkdown, type MarkdownBlock, type Span } from '../markdown.js';

/** Props of {@link MarkdownView}. */
export interface MarkdownViewProps {
  /** Markdown source, as Claude wrote it. */
  text: string;
}

/** Assistant text rendered for the terminal: styled headings, bold, code, lists. */
export function MarkdownView({ text }: MarkdownViewProps) {
  const blocks = parseMarkdown(text);
  return (
    <Box flexDirection="column">
      {blocks.map((block, index) => (
        <BlockView key={index} block={block} />
      ))}
    </Box>
  );
}

function BlockView({ block }: { block: MarkdownBlock }) {
  switch (block.type) {
    case 'heading':
      return (
        <Text bold color="cyan" underline={block.level === 1}>
          <Spans spans={block.spans} />
        </Text>
      );
    case 'paragraph':
      return (
        <Text>
          <Spans spans={block.spans} />
        </Text>
      );
    case 'code':
      return (
        <Box flexDirection="column" paddingLeft={2}>
          {block.lines.length === 0 ? <Text> </Text> : block.lines.map((line, index) => (
            <Text key={index} color="yellow">
              {line === '' ? ' ' : line}
            </Text>
          ))}
        </Box>
      );
    case 'list-item':
      return (
        <Box paddingLeft={block.depth * 2}>
          <Text>{`${block.marker} `}</Text>
          <Text>
            <Spans spans={block.spans} />
          </Text>
        </Box>
      );
    case 'quote':
      return (
        <Text dimColor>
          {'│ '}
          <Spans spans={block.spans} />
        </Text>
      );
    case 'rule':
      return <Text dimColor>{'─'.repeat(20)}</Text>;
  }
}

function Spans({ spans }: { spans: Span[] }) {
  return (
    <>
      {spans.map((span, index) => {
        if (span.code) return <Text key={index} color="yellow">{span.text}</Text>;
        if (span.url !== undefined) {
          return (
            <Text key={index}>
              <Text underline>{span.text}</Text>
              <Text dimColor>{` (${span.url})`}</Text>
            </Text>
          );
        }
        return <Text key={index} bold={span.bold} italic={span.italic}>{span.text}</Text>;
      })}
    </>
  );
}
