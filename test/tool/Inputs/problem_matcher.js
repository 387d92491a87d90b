#!/usr/bin/env node
// Applies the VS Code problem matcher of docs/ide.md to compiler-style output,
// with JavaScript's regular expressions (the engine VS Code uses), as VS Code
// applies a single-line pattern: to each line of the task's output.
//
//   node problem_matcher.js docs/ide.md < goro-tidy-output.txt
//
// Takes the first ```json block of the markdown file that has a
// "problemMatcher", prints one line per match with the groups the pattern
// maps (file, line, column, severity, code, message), then the number of
// matches. Exits 2 if the file has no such block or the pattern is invalid.
'use strict';
const fs = require('fs');

function fail(why) {
  process.stderr.write('problem_matcher.js: ' + why + '\n');
  process.exit(2);
}

const doc = fs.readFileSync(process.argv[2], 'utf8');
const block = [...doc.matchAll(/```json\n([\s\S]*?)```/g)]
  .map((m) => m[1]).find((text) => text.includes('"problemMatcher"'));
if (block === undefined) fail('no ```json block with a "problemMatcher" in ' + process.argv[2]);
let tasks;
try {
  tasks = JSON.parse(block);
} catch (e) {
  fail('the tasks.json block is not JSON: ' + e.message);
}
const pattern = tasks.tasks[0].problemMatcher.pattern;
let re;
try {
  re = new RegExp(pattern.regexp);
} catch (e) {
  fail('invalid regexp: ' + e.message);
}

const fields = ['file', 'line', 'column', 'severity', 'code', 'message'];
let matches = 0;
for (const line of fs.readFileSync(0, 'utf8').split('\n')) {
  const m = re.exec(line);
  if (m === null) continue;
  ++matches;
  console.log(fields.map((f) => f + '=' + (pattern[f] === undefined ? '' : (m[pattern[f]] ?? ''))).join(' | '));
}
console.log(matches + ' matches');
