import { Text } from 'ink';

/** Props of {@link FollowUpInput}. */
export interface FollowUpInputProps {
  value: string;
}

/** The follow-up line after an answer; the block at the end stands for the cursor. */
export function FollowUpInput({ value }: FollowUpInputProps) {
  return (
    <Text>
      <Text color="magenta" bold>{'> '}</Text>
      {value}
      <Text inverse> </Text>
    </Text>
  );
}
