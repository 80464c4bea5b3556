export { FakeSlack, type FakeSlackCall, type FakeSlackOptions, type FakeSlackUpload, type FakeSlackUser } from './fake-slack.js';
