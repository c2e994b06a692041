"""A Python client of GhostBridge's gRPC service (ghostdns.v1.GhostDNSService).

Run against a server:

    pip install -r tests/python/requirements.txt
    GHOSTBRIDGE_GRPC=127.0.0.1:50051 python3 -m pytest -v tests/python

Environment:
* ``GHOSTBRIDGE_GRPC``: host:port of the server; without it only the offline payload test runs.
* ``GHOST_TEST_SEED``: hex ed25519 seed of the signer (default: the fixture's ``//Alice`` dev seed).
* ``GHOST_TEST_DOMAIN``: a name the signer owns (default ``alice.ghost``).
* ``GHOST_TEST_WAIT``: ``1`` to wait for inclusion of updates (a real node; default 0).
* ``GHOST_TEST_FROM``: the height to replay changes from (default 0).
* ``GHOST_TEST_EVENTS``: how many change events to read (default 3).

The stubs are generated from ``proto/ghostdns.proto`` with ``grpc_tools.protoc`` into a temporary
directory at the start of the session.
"""

from __future__ import annotations

import importlib
import json
import os
import pathlib
import sys
import time

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from grpc_health.v1 import health_pb2, health_pb2_grpc

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import ghost_payload  # noqa: E402

HERE = pathlib.Path(__file__).parent
PROTO_DIR = HERE.parent.parent / "proto"
FIXTURE = json.loads((HERE / "fixtures" / "signing_payload.json").read_text())
SERVICE = "ghostdns.v1.GhostDNSService"
ADDRESS = os.environ.get("GHOSTBRIDGE_GRPC")
DOMAIN = os.environ.get("GHOST_TEST_DOMAIN", "alice.ghost")
WAIT = os.environ.get("GHOST_TEST_WAIT", "0") == "1"

needs_server = pytest.mark.skipif(not ADDRESS, reason="set GHOSTBRIDGE_GRPC=host:port to test a server")


def seed() -> bytes:
    text = os.environ.get("GHOST_TEST_SEED", FIXTURE["signer_seed"])
    return bytes.fromhex(text.removeprefix("0x"))


def signer() -> tuple[Ed25519PrivateKey, bytes]:
    key = Ed25519PrivateKey.from_private_bytes(seed())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, public


@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    """The generated ``ghostdns_pb2`` and ``ghostdns_pb2_grpc`` modules."""
    from grpc_tools import protoc

    out = tmp_path_factory.mktemp("stubs")
    args = ["protoc", f"-I{PROTO_DIR}", f"--python_out={out}", f"--grpc_python_out={out}", str(PROTO_DIR / "ghostdns.proto")]
    assert protoc.main(args) == 0, "protoc failed"
    sys.path.insert(0, str(out))
    return importlib.import_module("ghostdns_pb2"), importlib.import_module("ghostdns_pb2_grpc")


@pytest.fixture(scope="session")
def channel():
    with grpc.insecure_channel(ADDRESS) as ch:
        grpc.channel_ready_future(ch).result(timeout=10)
        yield ch


@pytest.fixture(scope="session")
def stub(pb, channel):
    return pb[1].GhostDNSServiceStub(channel)


def signed_update(
    pb,
    stub,
    records: list[ghost_payload.Record],
    timestamp: int,
    domain: str = DOMAIN,
    wait: bool = WAIT,
    ahead: int = 0,
):
    """A ContractDomainUpdate signed over the canonical payload computed here, for the server's
    chain (its genesis hash) at the name's current update sequence plus ``ahead``."""
    key, public = signer()
    current = stub.ResolveDomain(pb[0].ResolveRequest(domain=domain), timeout=10)
    sequence = current.update_sequence + ahead
    payload = ghost_payload.signing_payload(current.genesis_hash, domain, "python-client", records, public, timestamp, sequence)
    return pb[0].ContractDomainUpdate(
        domain=domain,
        contract_id="python-client",
        records=[pb[0].DNSRecord(type=r.type, name=r.name, value=r.value, ttl=r.ttl, priority=r.priority) for r in records],
        owner_address=ghost_payload.address(public),
        timestamp=timestamp,
        signature=key.sign(payload),
        wait=wait,
        sequence=sequence,
    )


def now_ms() -> int:
    return int(time.time() * 1000)


RECORDS = [
    ghost_payload.Record("A", "@", "10.0.0.7", 300),
    ghost_payload.Record("TXT", "www", "hello from python", 60),
    ghost_payload.Record("MX", "@", "mail.example.com", 600, priority=10),
]


# ---- offline: the payload encoder against the chain's fixed vector ----


def test_payload_matches_the_chain_encoding():
    records = [ghost_payload.Record(r["type"], r["name"], r["value"], r["ttl"], r["priority"]) for r in FIXTURE["records"]]
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(FIXTURE["signer_seed"][2:]))
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    genesis = bytes.fromhex(FIXTURE["genesis_hash"].removeprefix("0x"))
    payload = ghost_payload.signing_payload(
        genesis, FIXTURE["domain"], FIXTURE["contract_id"], records, public, FIXTURE["timestamp"], FIXTURE["sequence"]
    )
    assert "0x" + payload.hex() == FIXTURE["payload"]
    assert "0x" + key.sign(payload).hex() == FIXTURE["signature"]
    assert ghost_payload.address(public) == FIXTURE["owner_address"]


def test_compact_encoding():
    assert ghost_payload.compact(0) == b"\x00"
    assert ghost_payload.compact(63) == b"\xfc"
    assert ghost_payload.compact(64) == b"\x01\x01"
    assert ghost_payload.compact(16383) == b"\xfd\xff"
    assert ghost_payload.compact(16384) == b"\x02\x00\x01\x00"
    assert ghost_payload.compact(1 << 30) == b"\x03\x00\x00\x00\x40"


# ---- against a server ----


@needs_server
def test_health_reports_serving(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", SERVICE):
        response = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
        assert response.status == health_pb2.HealthCheckResponse.SERVING, service


@needs_server
def test_resolve_domain(pb, stub):
    response = stub.ResolveDomain(pb[0].ResolveRequest(domain=DOMAIN), timeout=10)
    assert response.domain == DOMAIN
    assert response.owner.startswith("ghost1")
    assert response.status in ("active", "grace")
    assert len(response.block_hash) == 32
    for record in response.records:
        assert record.type and record.name and record.value

    only_a = stub.ResolveDomain(pb[0].ResolveRequest(domain=DOMAIN, record_types=["A"], with_proof=True), timeout=10)
    assert all(r.type == "A" for r in only_a.records)
    assert len(only_a.proof.state_root) == 32 and only_a.proof.nodes
    assert only_a.proof.block_hash == only_a.block_hash

    with pytest.raises(grpc.RpcError) as error:
        stub.ResolveDomain(pb[0].ResolveRequest(domain="surely-not-registered-4711.ghost"), timeout=10)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as error:
        stub.ResolveDomain(pb[0].ResolveRequest(domain="bad name"), timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@needs_server
def test_update_contract_domain(pb, stub):
    response = stub.UpdateContractDomain(signed_update(pb, stub, RECORDS, now_ms()), timeout=90)
    assert response.accepted, response.error
    assert response.tx_hash.startswith("0x") and len(response.tx_hash) == 66
    if WAIT:
        assert response.block_height > 0

    tampered = signed_update(pb, stub, RECORDS, now_ms() + 1)
    tampered.signature = bytes([tampered.signature[0] ^ 1]) + tampered.signature[1:]
    with pytest.raises(grpc.RpcError) as error:
        stub.UpdateContractDomain(tampered, timeout=10)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.RpcError) as error:
        stub.UpdateContractDomain(signed_update(pb, stub, RECORDS, now_ms() - 10 * 60_000), timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "stale" in error.value.details()


@needs_server
def test_batch_update_domains(pb, stub):
    start = now_ms() + 10
    # Signed ahead: the second update carries the sequence the first one leaves behind.
    updates = [
        signed_update(pb, stub, [ghost_payload.Record("A", "@", f"10.0.1.{i}", 300)], start + i, ahead=i) for i in range(2)
    ]
    response = stub.BatchUpdateDomains(pb[0].BatchDomainUpdate(updates=updates), timeout=180)
    assert len(response.results) == 2
    assert all(r.accepted for r in response.results), [r.error for r in response.results]

    with pytest.raises(grpc.RpcError) as error:
        stub.BatchUpdateDomains(pb[0].BatchDomainUpdate(updates=updates[:1] * 101), timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "oversized batch" in error.value.details()


@needs_server
def test_subscribe_domain_changes(pb, stub):
    wanted = int(os.environ.get("GHOST_TEST_EVENTS", "3"))
    start = int(os.environ.get("GHOST_TEST_FROM", "0"))
    stream = stub.SubscribeDomainChanges(pb[0].DomainSubscription(from_block_height=start), timeout=60)
    events = []
    for event in stream:
        events.append(event)
        if len(events) == wanted:
            break
    stream.cancel()
    assert len(events) == wanted
    heights = [e.block_height for e in events]
    assert heights == sorted(heights) and heights[0] >= start
    assert all(len(e.block_hash) == 32 and e.domain and e.change_type for e in events)


@needs_server
@pytest.mark.skipif(not WAIT, reason="needs a real node (GHOST_TEST_WAIT=1)")
def test_an_update_arrives_on_the_change_stream_at_its_block_height(pb, stub):
    records = [ghost_payload.Record("A", "@", "10.0.3.3", 120)]
    response = stub.UpdateContractDomain(signed_update(pb, stub, records, now_ms() + 20), timeout=90)
    assert response.accepted, response.error
    assert response.block_height > 0
    subscription = pb[0].DomainSubscription(domains=[DOMAIN], from_block_height=response.block_height)
    stream = stub.SubscribeDomainChanges(subscription, timeout=60)
    event = next(iter(stream))
    stream.cancel()
    assert event.block_height == response.block_height
    assert event.domain == DOMAIN
    assert event.change_type == "updated"
    assert [(r.type, r.value) for r in event.new_records] == [("A", "10.0.3.3")]
    # The event carries its index in the block and the name's state after the block.
    assert event.HasField("state") and event.state.status == "active"
    assert [(r.type, r.value) for r in event.state.records if r.type == "A"] == [("A", "10.0.3.3")]
    assert len(event.parent_hash) == 32
    # ResolveDomain answers from GhostBridge's name index (the one DNS answers from), which
    # applies the block right after the stream delivers it: wait for it, boundedly.
    for _ in range(100):
        resolved = stub.ResolveDomain(pb[0].ResolveRequest(domain=DOMAIN, record_types=["A"]), timeout=10)
        if resolved.height >= response.block_height:
            break
        time.sleep(0.1)
    assert [r.value for r in resolved.records] == ["10.0.3.3"]
    assert resolved.HasField("web3")
