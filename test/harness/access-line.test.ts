import t from 'tap';
import { accessLine } from './access-line.js';

t.test('an access line matches with or without its byte counts, and nothing else may follow', async (t) => {
  const pattern = accessLine(/ALLOWED GET https:\/\/a\.test\/x -> 200 \[masked: 1\]/);
  t.match('ALLOWED GET https://a.test/x -> 200 [masked: 1]', pattern);
  t.match('ALLOWED GET https://a.test/x -> 200 [masked: 1] [down: 12]', pattern);
  t.match('first\nALLOWED GET https://a.test/x -> 200 [masked: 1] [up: 3] [down: 12]\nlast', pattern);
  t.notMatch('ALLOWED GET https://a.test/x -> 200 [masked: 1] [region: x]', pattern, 'an unexpected annotation fails');
  t.notMatch('ALLOWED GET https://a.test/x -> 200', pattern, 'a missing annotation fails');
  t.notMatch('x ALLOWED GET https://a.test/x -> 200 [masked: 1]', pattern, 'anchored at the line start');
});
