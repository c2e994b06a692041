// Writes the reference ENSIP-15 normalisations (@adraffy/ens-normalize) of a fixed corpus as
// JSON: [[input, normalised or null (refused)], ...]. Run by scripts/ens-normalize-npm.sh.
//
// Corpus: every code point below U+30000 (surrogates excluded) alone and between two `a`s, every
// emoji sequence the reference knows (ens_emoji), and each of those under a `.ghost` TLD.
import { ens_normalize, ens_emoji } from '@adraffy/ens-normalize';
import { writeFileSync } from 'node:fs';

const out = process.argv[2];
if (!out) throw new Error('usage: node ens-normalize-vectors.mjs OUT.json');
const inputs = [];
for (let cp = 0; cp < 0x30000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    inputs.push(ch, `a${ch}a`);
}
for (const emoji of ens_emoji()) {
    const text = String.fromCodePoint(...emoji);
    inputs.push(text, `${text}.ghost`);
}
const vectors = inputs.map((input) => {
    try {
        return [input, ens_normalize(input)];
    } catch {
        return [input, null];
    }
});
writeFileSync(out, JSON.stringify(vectors));
console.error(`ens-normalize-vectors: ${vectors.length} vectors in ${out}`);
