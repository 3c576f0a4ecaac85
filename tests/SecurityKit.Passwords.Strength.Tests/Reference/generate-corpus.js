// Builds the reference corpus that SecurityKit.Passwords.Strength is tested against: a deterministic,
// varied set of passwords (seeded PRNG) and what zxcvbn 4.4.2 says about each of them.
// Run: npm ci && node generate-corpus.js   -> zxcvbn-4.4.2-corpus.json (committed; CI does not run Node)
'use strict';
const fs = require('fs');
const path = require('path');
const zxcvbn = require('zxcvbn');
const scoring = require('zxcvbn/lib/scoring');
const lists = require('zxcvbn/lib/frequency_lists');
const graphs = require('zxcvbn/lib/adjacency_graphs');

if (require('zxcvbn/package.json').version !== '4.4.2') throw new Error('zxcvbn 4.4.2 required');
const CAP = 128; // SecurityKit's default MaxEstimatedLength: longer passwords are estimated on this prefix.

// mulberry32: small deterministic PRNG so the corpus is reproducible.
let seed = 0x5ec0417;
const rand = () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(rand() * n);
const pick = (a) => a[int(a.length)];
const cap = (w) => w.charAt(0).toUpperCase() + w.slice(1);
const randomCase = (w) => w.split('').map((c) => (rand() < 0.3 ? c.toUpperCase() : c)).join('');
const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const randomString = (alphabet, n) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');

const entries = [];
const seen = new Set();
const add = (category, password, userInputs) => {
  const key = password + '\u0000' + JSON.stringify(userInputs || []);
  if (seen.has(key)) return;
  seen.add(key);
  entries.push({ category, password, user_inputs: userInputs });
};

const P = lists.passwords, W = lists.english_wikipedia, F = lists.female_names, M = lists.male_names,
  S = lists.surnames, T = lists.us_tv_and_film;

// 1. common passwords: the top 200 and a sample of the rest.
for (let i = 0; i < 200; i++) add('common', P[i]);
for (let i = 0; i < 250; i++) add('common', P[200 + int(P.length - 200)]);
// The examples the issue quotes.
['briansmith4mayor', 'correcthorsebatterystaple', 'Tr0ub4dor&3', 'zxcvbn', 'qwER43@!', 'D0g..................',
 'abcdefghijk987654321', 'neverforget13/3/1997', '1qaz2wsx3edc', 'temppass22', 'briansmith', 'briansmith4mayor',
 'password1', 'viking', 'thx1138', 'ScoRpi0ns', 'do you know', 'ryanhunter2000', 'rianhunter2000',
 'asdfghju7654rewq', 'AOEUIDHG&*()LS_', '12345678', 'defghi6789', 'rosebud', 'Rosebud', 'ROSEBUD', 'rosebuD',
 'ros3bud99', 'r0s3bud99', 'R0$38uD99', 'verlineVANDERMARK', 'eheuczkqyq', 'rWibMFACxAUGZmxhVncy',
 'Ba9ZyWABu99[BK#6MBgbH88Tofv)vs$w', '', 'a', 'aa', 'ab', '1', '12', 'P@ssw0rd', 'p@$$w0rd', 'Password123!']
  .forEach((p) => add('classic', p));

// 2. names, with capitals and digits.
for (let i = 0; i < 220; i++) {
  const n = pick([F, M, S, T])[int(800)];
  const v = int(5);
  add('names', v === 0 ? n : v === 1 ? cap(n) : v === 2 ? n + int(100) : v === 3 ? cap(n) + pick(S) : n + pick(F));
}

// 3. dates and years.
const seps = ['', '', '/', '-', '.', ' ', '_', '\\'];
for (let i = 0; i < 220; i++) {
  const y = 1930 + int(110), m = 1 + int(12), d = 1 + int(31), s = pick(seps);
  const yy = int(3) === 0 ? String(y % 100).padStart(2, '0') : String(y);
  const mm = int(2) ? String(m).padStart(2, '0') : String(m), dd = int(2) ? String(d).padStart(2, '0') : String(d);
  const forms = [[dd, mm, yy], [mm, dd, yy], [yy, mm, dd]];
  const date = pick(forms).join(s);
  const v = int(4);
  add('dates', v === 0 ? date : v === 1 ? pick(W.slice(0, 3000)) + date : v === 2 ? String(y) : cap(pick(F.slice(0, 500))) + y);
}

// 4. keyboard walks on every graph, with turns and shifts.
const graphNames = ['qwerty', 'dvorak', 'keypad', 'mac_keypad'];
for (let i = 0; i < 220; i++) {
  const g = graphs[pick(graphNames)];
  const keys = Object.keys(g);
  let c = pick(keys), out = c, dir = int(6);
  const len = 3 + int(12);
  while (out.length < len) {
    if (rand() < 0.25) dir = int(g[c].length);
    const adj = g[c][dir];
    if (!adj) { dir = int(g[c].length); continue; }
    c = rand() < 0.2 && adj.length > 1 ? adj[1] : adj[0];
    out += c;
  }
  add('spatial', int(4) === 0 ? out + int(1000) : out);
}

// 5. l33t substitutions on common passwords and words.
const l33t = { a: ['4', '@'], b: ['8'], c: ['(', '{', '[', '<'], e: ['3'], g: ['6', '9'], i: ['1', '!', '|'],
  l: ['1', '|', '7'], o: ['0'], s: ['$', '5'], t: ['+', '7'], x: ['%'], z: ['2'] };
for (let i = 0; i < 260; i++) {
  const w = pick([P.slice(0, 5000), W.slice(0, 8000), F.slice(0, 1000), S.slice(0, 2000)]);
  const word = pick(w);
  let out = word.split('').map((ch) => (l33t[ch] && rand() < 0.6 ? pick(l33t[ch]) : ch)).join('');
  if (int(3) === 0) out = cap(out);
  if (int(3) === 0) out += pick(['!', '1', '123', '?', '2019', '#1', '']);
  add('l33t', out);
}

// 6. repeats.
for (let i = 0; i < 160; i++) {
  const v = int(5);
  const base = v === 0 ? pick(printable) : v === 1 ? randomString('abcxyz123', 2 + int(3)) : v === 2 ? pick(P.slice(0, 2000)) : v === 3 ? pick(W.slice(0, 2000)) : randomString(printable, 2 + int(4));
  const n = 2 + int(v === 0 ? 20 : 4);
  const r = base.repeat(n);
  add('repeat', int(4) === 0 ? pick(W.slice(0, 3000)) + r : r);
}

// 7. sequences (letters, digits, unicode, deltas up to 5 and beyond).
for (let i = 0; i < 160; i++) {
  const start = pick([97, 65, 48, 0x3b1, 0x430, 0x4e00, 33, 120]);
  const delta = pick([1, 1, 1, -1, -1, 2, 3, -2, 5, 6]);
  const len = 3 + int(10);
  let s = '';
  for (let k = 0; k < len; k++) s += String.fromCharCode(start + (delta > 0 ? 0 : len * -delta) + k * delta);
  add('sequence', int(3) === 0 ? s + pick(W.slice(0, 3000)) : s);
}

// 8. passphrases: 2–6 words with various separators and capitalisation.
const common = W.slice(0, 10000);
for (let i = 0; i < 300; i++) {
  const k = 2 + int(5);
  const words = Array.from({ length: k }, () => pick(int(4) === 0 ? T.slice(0, 5000) : common));
  const sep = pick(['', '', ' ', '-', '.', '_', '1']);
  let out = words.map((w) => (int(3) === 0 ? cap(w) : w)).join(sep);
  if (int(5) === 0) out = randomCase(out);
  add('passphrase', out);
}

// 9. unicode: accents, Greek, Cyrillic, CJK, emoji (surrogate pairs), mixed with ASCII.
const uni = ['é', 'ü', 'ñ', 'ç', 'ß', 'Ä', 'Ö', 'α', 'β', 'Ω', 'Σ', 'д', 'Ж', 'я', '中', '文', '字', '日本', '😀', '🔒', '👍🏽', '€', '£', '\u00a0', 'İ', 'ﬁ'];
for (let i = 0; i < 200; i++) {
  const len = 2 + int(14);
  let out = '';
  while (out.length < len) out += int(3) === 0 ? pick(printable) : pick(uni);
  if (int(4) === 0) out = pick(common) + out;
  add('unicode', out);
}

// 10. random strings of every length up to the cap, plus a few above it (estimated on the prefix).
for (let i = 0; i < 260; i++) {
  const len = i < 200 ? 1 + int(CAP) : CAP + 1 + int(300);
  const alphabet = pick([printable, 'abcdefghijklmnopqrstuvwxyz', '0123456789', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789']);
  add('random', randomString(alphabet, len));
}
// Long structured strings (many overlapping matches) to exercise the search.
for (let i = 0; i < 40; i++) {
  let out = '';
  const target = 40 + int(CAP - 40 + 30);
  while (out.length < target) out += pick([pick(common), pick(P.slice(0, 3000)), String(1950 + int(70)), 'qwerty', '!', pick(F)]);
  add('long', out);
}

// 11. user inputs: the password contains the user's e-mail, name or the site name.
const sites = ['acme', 'securitykit', 'contoso', 'dropbox'];
for (let i = 0; i < 140; i++) {
  const first = pick(F.slice(0, 2000)), last = pick(S.slice(0, 3000)), site = pick(sites);
  const email = first + '.' + last + '@' + site + '.com';
  const inputs = int(4) === 0 ? [email, cap(first), last.toUpperCase(), site, 42] : [email, first, last, site];
  const v = int(6);
  const pw = v === 0 ? first + last : v === 1 ? cap(site) + int(10000) : v === 2 ? last + '!' + first : v === 3 ? email : v === 4 ? first + pick(common) + 7 : pick(common) + pick(common);
  add('user_inputs', pw, inputs);
}

// 12. JavaScript's own string semantics, which the port reproduces (added 2026-12-01, after the entries above so
// their PRNG draws are unchanged).
// toLowerCase is a full Unicode mapping: U+0130 (Turkish capital dotted I) becomes two code units, and zxcvbn then
// slices the original password at positions of the lowered one, so every dictionary match after it shifts by one.
['İzmirpassword', 'İloveyou', 'missileİphysician', 'İpassword', 'İstanbul1234', 'passwordİ', 'İİpassword', 'p@ssİword',
 'İp4ssw0rd', 'drowssapİ', 'İ', 'İİ', 'aİ', 'İ1', 'İSTANBUL', 'iİi', 'İdragon2000', 'monkeyİmonkey']
  .forEach((p) => add('js_lowercase', p));
for (let i = 0; i < 60; i++) {
  const a = pick(common), b = pick(int(2) === 0 ? common : P.slice(0, 2000));
  const v = int(4);
  add('js_lowercase', v === 0 ? a + 'İ' + b : v === 1 ? 'İ' + a + b : v === 2 ? cap(a) + 'İ' + b.replace(/a/g, '4').replace(/o/g, '0') : a + 'İ'.repeat(1 + int(3)) + b + int(100));
}
// Final sigma (lower-cased to ς at the end of a word) and supplementary-plane capitals (Deseret), through user inputs:
// the built-in dictionaries are ASCII.
add('js_lowercase', 'ΣΩΣ', ['σωσ']);
add('js_lowercase', 'ΟΔΥΣΣΕΥΣ', ['οδυσσευς']);
add('js_lowercase', 'ΟΔΥΣΣΕΥΣ1', ['Οδυσσευσ']);
add('js_lowercase', 'σοφοσ', ['ΣΟΦΟΣ']);
add('js_lowercase', 'ΑΣ.Β', ['ας.β']);
add('js_lowercase', '𐐀𐐁𐐂x', ['𐐨𐐩𐐪']);
add('js_lowercase', '𐐨𐐩𐐪y', ['𐐀𐐁𐐂']);
// Final sigma next to characters that are cased without being Lu/Ll/Lt (ª º, Roman numerals, circled letters) and
// next to characters that are both cased and case-ignorable (modifier letters: skipped as ignorable).
add('js_lowercase', 'ºΣ', ['ºσ']);
add('js_lowercase', 'ºΣ', ['ºς']);
add('js_lowercase', 'ⅫΣ1', ['ⅻς']);
add('js_lowercase', 'ΑΣº', ['ασº']);
add('js_lowercase', 'ΑΣⓐ', ['ασⓐ']);
add('js_lowercase', 'ʰΣx', ['ʰσ']);
add('js_lowercase', 'ΑΣʰ', ['αςʰ']);
add('js_lowercase', 'ΣΟΦΟΣºΣ', ['σοφοσºσ']);
add('js_lowercase', 'İzmir1990', ['İzmir']);
add('js_lowercase', 'izmir1990', ['İzmir']);
add('js_lowercase', 'i̇zmir1990', ['İzmir']);
// zxcvbn's word lists are plain objects: "constructor" and "__proto__" are found in every list through the object
// prototype, with a rank that is not a number (NaN guesses).
['constructor', 'CONSTRUCTOR', 'Constructor', 'constructor1234', 'Deconstructor', 'myconstructor', 'rotcurtsnoc',
 'c0nstruct0r', 'constructorconstructor', '__proto__', '__proto__123', 'my__proto__', '__PROTO__', '__pr0t0__',
 'constructor__proto__', 'hasownproperty', 'tostring', 'valueof']
  .forEach((p) => add('js_prototype', p));
add('js_prototype', 'constructor99', ['constructor']);
add('js_prototype', 'xconstructorx', ['acme']);
add('js_prototype', '__proto__99', ['__proto__']);
// "constructor" as a user input is an own property with a real rank: rank 60 gives guesses above the submatch floor of 50.
add('js_prototype', 'constructor99', Array.from({ length: 59 }, (_, i) => 'filler' + i).concat(['constructor']));
for (let i = 0; i < 30; i++) {
  const a = pick(common);
  const v = int(4);
  add('js_prototype', v === 0 ? a + 'constructor' : v === 1 ? 'constructor' + a + int(1000) : v === 2 ? cap(a) + '__proto__' : a + 'rotcurtsnoc');
}

// Edge cases of the model.
['a'.repeat(128), 'ab'.repeat(64), 'aaaa\naaaa', 'abc\nabc', '2000-01-01', '1/1/1', '12/12/12', '01011970', '19700101',
 '20500101', '1000', '99999999', 'zyxwvu', 'ZYXWVUTSRQ', '\t\t\t', '    ', 'a b c d', 'qwertyuiopasdfghjklzxcvbnm',
 '!@#$%^&*()', '~!@#$%^&*()_+', '7894561230', '159753', '1qaz2wsx', 'zaq12wsx', 'p4ssw0rd', '4@4@4@', '|||', '1|1|']
  .forEach((p) => add('edge', p));

// Reference values.
const round = (x) => Number(x.toPrecision(15));
const out = entries.map((e) => {
  let pw = e.password;
  let truncated = false;
  if (pw.length > CAP) {
    const cut = /[\uD800-\uDBFF]/.test(pw.charAt(CAP - 1)) ? CAP - 1 : CAP;
    pw = pw.slice(0, cut);
    truncated = true;
  }
  const r = zxcvbn(pw, e.user_inputs || []);
  const o = { category: e.category, password: e.password };
  if (e.user_inputs) o.user_inputs = e.user_inputs.map(String);
  if (truncated) o.estimated_prefix_length = pw.length;
  o.score = r.score;
  o.guesses_log10 = round(r.guesses_log10);
  o.warning = r.feedback.warning;
  o.suggestions = r.feedback.suggestions;
  o.sequence = r.sequence.map((m) => m.pattern + ':' + m.i + '-' + m.j).join(' ');
  return o;
});

const file = path.join(__dirname, 'zxcvbn-4.4.2-corpus.json');
const doc = {
  generator: 'tests/SecurityKit.Passwords.Strength.Tests/Reference/generate-corpus.js',
  zxcvbn_version: '4.4.2',
  reference_year: scoring.REFERENCE_YEAR,
  estimated_length_cap: CAP,
  count: out.length,
  entries: out,
};
fs.writeFileSync(file, JSON.stringify(doc, null, 0).replace(/\},\{/g, '},\n{') + '\n');
const byCat = {};
out.forEach((o) => { byCat[o.category] = (byCat[o.category] || 0) + 1; });
console.log('wrote', out.length, 'entries', JSON.stringify(byCat));
