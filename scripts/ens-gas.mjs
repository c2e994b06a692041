// Measures the gas ENS spends to register a name and set 3 records, on a local anvil
// chain with the real ENS contracts deployed from their published npm build artifacts.
// Run through scripts/ens-gas.sh, which installs the packages and starts/stops anvil.
//
// Environment (all set by ens-gas.sh):
//   ENS_GAS_RPC          JSON-RPC URL of the anvil node (loopback)
//   ENS_GAS_MODULES      node_modules dir holding ethers, @ensdomains/ens, @ensdomains/resolver
//   ENS_GAS_ETHREGISTRAR unpacked @ensdomains/ethregistrar package dir ("" to skip the .eth controller flow)
//   ENS_GAS_JSON         where to write the machine-readable results (optional)
//   ENS_GAS_TRACE        where to write every transaction sent, in order, with its block and
//                        receipt (optional): what `runtime/ens-evm-compare` replays in revm
//
// Every figure is a receipt's gasUsed (after refunds, what the sender pays for).
// Each scenario uses a fresh name and a fresh owner account, so every write is a first write.

import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const RPC = process.env.ENS_GAS_RPC;
const MODULES = process.env.ENS_GAS_MODULES;
const ETHREGISTRAR = process.env.ENS_GAS_ETHREGISTRAR || "";
const OUT_JSON = process.env.ENS_GAS_JSON || "";
const OUT_TRACE = process.env.ENS_GAS_TRACE || "";
if (!RPC || !MODULES) {
  console.error("ENS_GAS_RPC and ENS_GAS_MODULES must be set (run scripts/ens-gas.sh)");
  process.exit(2);
}

const require = createRequire(path.join(MODULES, "_"));
const { ethers } = require("ethers");

const pkgJson = (dir) => JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
const pkgVersion = (dir) => pkgJson(dir).version;
const pkgName = (dir) => pkgJson(dir).name;
const artifact = (dir, name) => {
  const j = JSON.parse(readFileSync(path.join(dir, "build", "contracts", `${name}.json`), "utf8"));
  if (!j.bytecode || j.bytecode === "0x") throw new Error(`${dir}/${name}: no bytecode in artifact`);
  if (/__/.test(j.bytecode)) throw new Error(`${dir}/${name}: bytecode needs library linking`);
  let optimizer = null;
  try { optimizer = JSON.parse(j.metadata).settings.optimizer; } catch { /* older artifacts */ }
  return { name, abi: j.abi, bytecode: j.bytecode, compiler: j.compiler?.version, optimizer, pkg: `${pkgName(dir)}@${pkgVersion(dir)}` };
};

const ENS_DIR = path.join(MODULES, "@ensdomains", "ens");
const RESOLVER_DIR = path.join(MODULES, "@ensdomains", "resolver");

const provider = new ethers.JsonRpcProvider(RPC, undefined, { staticNetwork: true, batchMaxCount: 1 });
const rpc = (method, params = []) => provider.send(method, params);

async function receiptOf(hash) {
  for (let i = 0; i < 400; i++) {
    const r = await provider.getTransactionReceipt(hash);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`no receipt for ${hash}`);
}

// Every transaction sent, in order, as a replay needs it: sender, nonce, target, calldata,
// value, gas limit, the block it was mined in (each is its own block: anvil mines on every
// transaction) and the receipt's gasUsed, which the replay must reproduce.
const transactions = [];
const hex = (n) => (n === null || n === undefined ? null : ethers.toBeHex(n));
async function send(signer, txReq, what) {
  const tx = await signer.sendTransaction(txReq);
  const r = await receiptOf(tx.hash);
  if (r.status !== 1) throw new Error(`${what}: reverted (tx ${tx.hash})`);
  if (OUT_TRACE) {
    const b = await provider.getBlock(r.blockNumber);
    transactions.push({
      what, hash: tx.hash, from: tx.from, to: tx.to, nonce: tx.nonce, data: tx.data,
      value: hex(tx.value), gasLimit: hex(tx.gasLimit), chainId: hex(tx.chainId),
      gasUsed: Number(r.gasUsed), contractAddress: r.contractAddress,
      block: { number: b.number, timestamp: b.timestamp, baseFeePerGas: hex(b.baseFeePerGas),
        gasLimit: hex(b.gasLimit), coinbase: b.miner, prevRandao: b.prevRandao ?? null,
        difficulty: hex(b.difficulty) },
    });
  }
  r.traceIndex = transactions.length - 1;
  return r;
}

const deployments = [];
async function deploy(signer, art, ...args) {
  const f = new ethers.ContractFactory(art.abi, art.bytecode, signer);
  const req = await f.getDeployTransaction(...args);
  const r = await send(signer, req, `deploy ${art.name}`);
  deployments.push({ contract: art.name, from: art.pkg,
    compiler: art.compiler, optimizer: art.optimizer, gasUsed: Number(r.gasUsed), address: r.contractAddress });
  return new ethers.Contract(r.contractAddress, art.abi, signer);
}

// One measured transaction: contract.fn(...args) sent by `signer`.
async function call(signer, contract, fn, args, opts = {}) {
  const c = contract.connect(signer);
  const req = await c.getFunction(fn).populateTransaction(...args, opts);
  const r = await send(signer, req, fn);
  // Intrinsic gas: 21000 per tx + 4 per zero / 16 per non-zero calldata byte (the rest is execution).
  const bytes = ethers.getBytes(req.data);
  const zeros = bytes.filter((b) => b === 0).length;
  const intrinsic = 21000 + 4 * zeros + 16 * (bytes.length - zeros);
  return { fn, calldataBytes: bytes.length, intrinsic, gasUsed: Number(r.gasUsed),
    ...(OUT_TRACE ? { tx: r.traceIndex } : {}) };
}

// DNS wire format: one RR = owner name, type, class IN, TTL, rdlength, rdata.
const dnsName = (fqdn) => {
  const parts = fqdn.replace(/\.$/, "").split(".");
  return ethers.concat([...parts.map((l) => ethers.concat([Uint8Array.of(l.length), ethers.toUtf8Bytes(l)])), "0x00"]);
};
const u16 = (n) => ethers.toBeHex(n, 2);
const u32 = (n) => ethers.toBeHex(n, 4);
const rr = (name, type, ttl, rdata) => ethers.concat([dnsName(name), u16(type), u16(1), u32(ttl), u16(ethers.dataLength(rdata)), rdata]);
const TYPE = { A: 1, TXT: 16, AAAA: 28 };
const txtRdata = (s) => { const b = ethers.toUtf8Bytes(s); return ethers.concat([Uint8Array.of(b.length), b]); };

// EIP-1577 contenthash of an IPFS CIDv1 (dag-pb, sha2-256): e3 01 01 70 12 20 <32-byte digest>.
const ipfsContenthash = (seed) => ethers.concat(["0xe30101701220", ethers.sha256(ethers.toUtf8Bytes(seed))]);

const results = { scenarios: [] };
const scenario = (id, title, steps, checks) => {
  const total = steps.reduce((a, s) => a + s.gasUsed, 0);
  results.scenarios.push({ id, title, steps, total, txs: steps.length, checks });
};

async function main() {
  const chainId = Number((await provider.getNetwork()).chainId);
  const nodeInfo = await rpc("anvil_nodeInfo").catch(() => null);
  const clientVersion = await rpc("web3_clientVersion");
  const accounts = await rpc("eth_accounts");
  const signer = (i) => provider.getSigner(accounts[i]);
  const deployer = await signer(0);

  const ENSRegistry = artifact(ENS_DIR, "ENSRegistry");
  const FIFSRegistrar = artifact(ENS_DIR, "FIFSRegistrar");
  const PublicResolver = artifact(RESOLVER_DIR, "PublicResolver");

  // --- Setup: registry, a FIFS registrar owning `test`, the public resolver.
  const registry = await deploy(deployer, ENSRegistry);
  const fifs = await deploy(deployer, FIFSRegistrar, await registry.getAddress(), ethers.namehash("test"));
  await send(deployer, await registry.setSubnodeOwner.populateTransaction(ethers.ZeroHash, ethers.id("test"), await fifs.getAddress()), "setSubnodeOwner(test)");
  const resolver = await deploy(deployer, PublicResolver, await registry.getAddress());
  const resolverAddr = await resolver.getAddress();

  const setAddr = "setAddr(bytes32,address)";
  const readAddr = "addr(bytes32)";

  async function fifsRegister(user, label) {
    const node = ethers.namehash(`${label}.test`);
    return [
      await call(user, fifs, "register", [ethers.id(label), await user.getAddress()]),
      await call(user, registry, "setResolver", [node, resolverAddr]),
    ];
  }
  async function checkWeb3(user, name, { addr = true, text = true, ch = true } = {}) {
    const node = ethers.namehash(name);
    const who = await user.getAddress();
    const c = {
      owner: (await registry.owner(node)) === who,
      resolver: (await registry.resolver(node)) === resolverAddr,
    };
    if (addr) c.addr = (await resolver.getFunction(readAddr)(node)) === who;
    if (text) c.text = (await resolver.text(node, "url")) === `https://${name}.example`;
    if (ch) c.contenthash = (await resolver.contenthash(node)) === ipfsContenthash(name);
    for (const [k, v] of Object.entries(c)) if (!v) throw new Error(`${name}: check ${k} failed`);
    return c;
  }

  // A: FIFSRegistrar.register + setResolver + setAddr + setText + setContenthash (5 txs).
  {
    const user = await signer(1); const label = "alice01"; const name = `${label}.test`; const node = ethers.namehash(name);
    const steps = await fifsRegister(user, label);
    steps.push(await call(user, resolver, setAddr, [node, await user.getAddress()]));
    steps.push(await call(user, resolver, "setText", [node, "url", `https://${name}.example`]));
    steps.push(await call(user, resolver, "setContenthash", [node, ipfsContenthash(name)]));
    scenario("A", "FIFS register + setResolver + 3 record txs (setAddr, setText url, setContenthash)", steps, await checkWeb3(user, name));
  }

  // B: the same 3 records in one PublicResolver.multicall (3 txs).
  {
    const user = await signer(2); const label = "alice02"; const name = `${label}.test`; const node = ethers.namehash(name);
    const steps = await fifsRegister(user, label);
    const iface = resolver.interface;
    const data = [
      iface.encodeFunctionData(setAddr, [node, await user.getAddress()]),
      iface.encodeFunctionData("setText", [node, "url", `https://${name}.example`]),
      iface.encodeFunctionData("setContenthash", [node, ipfsContenthash(name)]),
    ];
    steps.push(await call(user, resolver, "multicall", [data]));
    scenario("B", "FIFS register + setResolver + multicall(setAddr, setText, setContenthash)", steps, await checkWeb3(user, name));
  }

  // C: three DNS resource records (A, AAAA, TXT at the name) in one setDNSRecords (3 txs).
  {
    const user = await signer(3); const label = "alice03"; const name = `${label}.test`; const node = ethers.namehash(name);
    const steps = await fifsRegister(user, label);
    const wire = ethers.concat([
      rr(name, TYPE.A, 3600, "0xc0000201"),                                   // 192.0.2.1
      rr(name, TYPE.AAAA, 3600, "0x20010db8000000000000000000000001"),       // 2001:db8::1
      rr(name, TYPE.TXT, 3600, txtRdata("v=ghost1")),
    ]);
    steps.push(await call(user, resolver, "setDNSRecords", [node, wire]));
    const nh = ethers.keccak256(dnsName(name));
    const checks = await checkWeb3(user, name, { addr: false, text: false, ch: false });
    for (const [k, t] of Object.entries(TYPE)) {
      checks[`dns_${k}`] = ethers.dataLength(await resolver.dnsRecord(node, nh, t)) > 0;
      if (!checks[`dns_${k}`]) throw new Error(`${name}: ${k} RRset not stored`);
    }
    scenario("C", "FIFS register + setResolver + setDNSRecords(A, AAAA, TXT in one call)", steps, checks);
    results.dnsWireBytes = ethers.dataLength(wire);
  }

  // D..F: the production-style .eth flow, ETHRegistrarController commit + registerWithConfig.
  results.controller = null;
  if (ETHREGISTRAR) {
    const BaseRegistrar = artifact(ETHREGISTRAR, "BaseRegistrarImplementation");
    const DummyOracle = artifact(ETHREGISTRAR, "DummyOracle");
    const StablePriceOracle = artifact(ETHREGISTRAR, "StablePriceOracle");
    const Controller = artifact(ETHREGISTRAR, "ETHRegistrarController");
    const base = await deploy(deployer, BaseRegistrar, await registry.getAddress(), ethers.namehash("eth"));
    await send(deployer, await registry.setSubnodeOwner.populateTransaction(ethers.ZeroHash, ethers.id("eth"), await base.getAddress()), "setSubnodeOwner(eth)");
    // Price feed: a fixed ETH/USD answer (8 decimals). Only the rent paid in ETH depends on it, not gas.
    const ethUsd = 2000n * 10n ** 8n;
    const oracle = await deploy(deployer, DummyOracle, ethUsd);
    // Rent in attodollars per second for 1..5+ characters: $640 / $160 / $5 per year for 3 / 4 / 5+.
    const rentPrices = [0n, 0n, 20294266869609n, 5073566717402n, 158548959918n];
    const prices = await deploy(deployer, StablePriceOracle, await oracle.getAddress(), rentPrices);
    const minAge = 60n, maxAge = 86400n;
    const controller = await deploy(deployer, Controller, await base.getAddress(), await prices.getAddress(), minAge, maxAge);
    await send(deployer, await base.addController.populateTransaction(await controller.getAddress()), "addController");
    const duration = 365n * 24n * 3600n;
    results.controller = { minCommitmentAge: Number(minAge), maxCommitmentAge: Number(maxAge), durationSeconds: Number(duration),
      ethUsdAnswer: ethUsd.toString(), rentPrices: rentPrices.map(String) };

    async function ethRegister(user, label) {
      const owner = await user.getAddress();
      const secret = ethers.id(`secret-${label}`);
      const commitment = await controller.makeCommitmentWithConfig(label, owner, secret, resolverAddr, owner);
      const commit = await call(user, controller, "commit", [commitment]);
      await rpc("evm_increaseTime", [Number(minAge) + 1]);
      await rpc("evm_mine");
      const value = await controller.rentPrice(label, duration);   // exact price: no refund transfer
      const reg = await call(user, controller, "registerWithConfig", [label, owner, duration, secret, resolverAddr, owner], { value });
      reg.valueWei = value.toString();
      return [commit, reg];
    }
    async function checkEth(user, name, label) {
      const c = await checkWeb3(user, name);
      c.nft_owner = (await base.ownerOf(BigInt(ethers.id(label)))) === (await user.getAddress());
      if (!c.nft_owner) throw new Error(`${name}: token not owned`);
      return c;
    }

    // D: commit + registerWithConfig(resolver, addr) + setText + setContenthash (4 txs, 3 records).
    {
      const user = await signer(4); const label = "alice04"; const name = `${label}.eth`; const node = ethers.namehash(name);
      const steps = await ethRegister(user, label);
      steps.push(await call(user, resolver, "setText", [node, "url", `https://${name}.example`]));
      steps.push(await call(user, resolver, "setContenthash", [node, ipfsContenthash(name)]));
      scenario("D", ".eth controller: commit + registerWithConfig(resolver, addr) + setText + setContenthash", steps, await checkEth(user, name, label));
    }
    // E: commit + registerWithConfig + multicall(setText, setContenthash) (3 txs, 3 records).
    {
      const user = await signer(5); const label = "alice05"; const name = `${label}.eth`; const node = ethers.namehash(name);
      const steps = await ethRegister(user, label);
      const iface = resolver.interface;
      steps.push(await call(user, resolver, "multicall", [[
        iface.encodeFunctionData("setText", [node, "url", `https://${name}.example`]),
        iface.encodeFunctionData("setContenthash", [node, ipfsContenthash(name)]),
      ]]));
      scenario("E", ".eth controller: commit + registerWithConfig(resolver, addr) + multicall(setText, setContenthash)", steps, await checkEth(user, name, label));
    }
    // F: as D, by an owner that already holds a .eth name (ERC-721 balance 1 -> 2 instead of 0 -> 1).
    {
      const user = await signer(4); const label = "alice06"; const name = `${label}.eth`; const node = ethers.namehash(name);
      const steps = await ethRegister(user, label);
      steps.push(await call(user, resolver, "setText", [node, "url", `https://${name}.example`]));
      steps.push(await call(user, resolver, "setContenthash", [node, ipfsContenthash(name)]));
      scenario("F", "as D, owner already holds a .eth name", steps, await checkEth(user, name, label));
    }
  }

  results.environment = {
    clientVersion, chainId, hardfork: nodeInfo?.hardFork ?? null,
    node: process.version,
    packages: {
      "@ensdomains/ens": pkgVersion(ENS_DIR),
      "@ensdomains/resolver": pkgVersion(RESOLVER_DIR),
      "@ensdomains/ethregistrar": ETHREGISTRAR ? pkgVersion(ETHREGISTRAR) : null,
      ethers: pkgVersion(path.join(MODULES, "ethers")),
      "@foundry-rs/anvil-linux-amd64": pkgVersion(path.join(MODULES, "@foundry-rs", "anvil-linux-amd64")),
    },
  };
  results.deployments = deployments;

  // Report.
  const gwei = (g, p) => ethers.formatEther(BigInt(g) * BigInt(p) * 10n ** 9n);
  const env = results.environment;
  console.log(`# ENS gas: ${env.clientVersion}, hardfork ${env.hardfork}, chain ${env.chainId}`);
  console.log(`# packages: ${Object.entries(env.packages).map(([k, v]) => `${k}@${v}`).join(" ")}`);
  console.log("");
  console.log("| scenario | tx | calldata B | intrinsic | gasUsed |");
  console.log("| --- | --- | ---: | ---: | ---: |");
  for (const s of results.scenarios) {
    for (const st of s.steps) console.log(`| ${s.id} | ${st.fn} | ${st.calldataBytes} | ${st.intrinsic} | ${st.gasUsed} |`);
    console.log(`| ${s.id} | **total (${s.txs} txs)** | | ${s.steps.reduce((a, x) => a + x.intrinsic, 0)} | **${s.total}** |`);
  }
  console.log("");
  console.log("| scenario | total gas | ETH @ 10 gwei | ETH @ 30 gwei | what |");
  console.log("| --- | ---: | ---: | ---: | --- |");
  for (const s of results.scenarios) console.log(`| ${s.id} | ${s.total} | ${gwei(s.total, 10)} | ${gwei(s.total, 30)} | ${s.title} |`);
  console.log("");
  if (results.controller) {
    const reg = results.scenarios.find((s) => s.id === "D").steps.find((st) => st.fn === "registerWithConfig");
    console.log(`.eth rent sent with registerWithConfig (not gas): ${ethers.formatEther(reg.valueWei)} ETH for ${results.controller.durationSeconds} s ` +
      `(7-char name; rentPrices as configured, DummyOracle ETH/USD answer ${results.controller.ethUsdAnswer} = $${Number(BigInt(results.controller.ethUsdAnswer) / 10n ** 8n)})`);
    console.log("");
  }
  console.log("One-time deployments (context, not per name):");
  for (const d of deployments) console.log(`  ${d.contract} (${d.from}, solc ${d.compiler}, optimizer ${d.optimizer ? (d.optimizer.enabled ? "on" : "off") : "?"}): ${d.gasUsed}`);
  if (OUT_JSON) writeFileSync(OUT_JSON, JSON.stringify(results, null, 2) + "\n");
  if (OUT_TRACE) {
    const trace = { environment: results.environment, transactions,
      scenarios: results.scenarios.map((s) => ({ id: s.id, title: s.title, txs: s.steps.map((st) => st.tx) })) };
    writeFileSync(OUT_TRACE, JSON.stringify(trace, null, 2) + "\n");
  }
}

main().catch((e) => { console.error(e?.stack || e); process.exit(1); });
