// Reference data for ZxcvbnMatcher.LowerJs: what JavaScript's toLowerCase (the one zxcvbn 4.4.2 runs in the browser)
// gives for a capital sigma in many contexts (Unicode's Final_Sigma rule) and for U+0130.
// Run: node generate-lowercase-cases.js   -> lowercase-cases.json (committed; CI does not run Node)
// Strings are written as arrays of UTF-16 code units, so lone surrogates survive the round trip.
'use strict';
const fs = require('fs');
const path = require('path');

const units = (s) => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
const cases = [];
// 1. Whole strings: contexts around a sigma (ignorable characters between, surrogate pairs, lone surrogates, U+0130).
['Σ', 'ΣΣ', 'AΣ', 'ΣA', 'AΣA', 'A Σ', 'AΣ ', "A'Σ", "AΣ'B", "AΣ'", 'A.Σ', 'AΣ.B', 'A:Σ', 'A\u0301Σ', 'AΣ\u0301', 'AΣ\u0301B',
 'A\u00ADΣ', 'AΣ\u200D', 'A\u02B0Σ', 'AΣ\u02B0', 'AΣ\u02B0B', '\u02B0Σ', '1Σ', 'AΣ1', 'AΣ1B', '\uD801\uDC00Σ', 'AΣ\uD801\uDC28',
 'A\uDC00Σ', 'AΣ\uD800', '\uD800Σ', 'AΣ\uDC00B', 'ΟΔΥΣΣΕΥΣ', 'ΟΔΥΣΣΕΥΣ1', 'ΣΟΦΟΣ ΣΟΦΟΣ', 'İ', 'İİ', 'aİb', 'İΣ', 'Aİ',
 '\uD801\uDC00', '\uD801\uDC00\uD801\uDC01', 'ǅ', 'ǅΣ', 'AΣǅ', '\u2160Σ', 'AΣ\u2160', '\u24B6Σ', 'ªΣ', 'AΣª', '\uFF0EΣ',
 'A\uFF0EΣ', 'A\u2019Σ', 'AΣ\u2019', 'A\u00B7Σ', 'AΣ\u0387B', 'Α\u05F4Σ', 'A\u2024Σ', 'A\u2027Σ', 'A\uFE13Σ', 'A\uFE52Σ',
 'A\uFE55Σ', 'A\uFF07Σ', 'A\uFF1AΣ', 'A\u055FΣ', 'A\u00A8Σ', 'A\u0483Σ', 'A\u0600Σ',
 // case-ignorable characters outside the BMP (an emoji skin-tone modifier, Sk) on either side of the sigma
 'AΣ\uD83C\uDFFBB', 'AΣ\uD83C\uDFFB', 'A\uD83C\uDFFBΣ', '\uD83C\uDFFBΣ', 'AΣ\uD83C\uDFFB\uD83C\uDFFBB']
  .forEach((s) => cases.push({ whole: true, input: units(s), output: units(s.toLowerCase()) }));
// 2. The sigma's own lower case next to the boundaries of every range of characters that are cased without being
// Lu/Ll/Lt (Other_Lowercase, Other_Uppercase): only the sigma is compared, since a character's own case mapping may be
// newer than a runtime's Unicode tables.
const cased = /^[\p{Lowercase}\p{Uppercase}\p{Lt}]$/u, gc = /^[\p{Lu}\p{Ll}\p{Lt}]$/u;
const edges = new Set();
let start = -1, prev = -2;
const flush = () => { if (start >= 0) [start - 1, start, start + 1, prev - 1, prev, prev + 1].forEach((c) => edges.add(c)); };
for (let cp = 0; cp < 0x110000; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const c = String.fromCodePoint(cp);
  if (cased.test(c) && !gc.test(c)) { if (cp !== prev + 1) { flush(); start = cp; } prev = cp; }
}
flush();
for (const cp of [...edges].sort((a, b) => a - b)) {
  if (cp < 0 || (cp >= 0xd800 && cp <= 0xdfff)) continue;
  const x = String.fromCodePoint(cp);
  const before = x + 'Σ', after = 'AΣ' + x;
  cases.push({ whole: false, input: units(before), sigma: before.length - 1, output: before.toLowerCase().charCodeAt(before.toLowerCase().length - 1) });
  cases.push({ whole: false, input: units(after), sigma: 1, output: after.toLowerCase().charCodeAt(1) });
}
const file = path.join(__dirname, 'lowercase-cases.json');
fs.writeFileSync(file, JSON.stringify({ generator: 'tests/SecurityKit.Passwords.Strength.Tests/Reference/generate-lowercase-cases.js', node: process.versions.node, icu: process.versions.icu, unicode: process.versions.unicode, cases }) + '\n');
console.log(`wrote ${cases.length} cases`);
