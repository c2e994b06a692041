"""The canonical payload of a GhostBridge signed record update, in plain Python.

A ``ContractDomainUpdate`` is signed (ed25519, by the key of ``owner_address``) over::

    b"ghostchain/domain-update/v2" ++ SCALE(genesis_hash, domain, contract_id, records, owner,
                                            timestamp, sequence)

with the records in GhostChain's SCALE ``DnsRecord`` form (``primitives/src/records.rs``):

* strings (domain, record label, host names, CAA tag) and byte vectors: compact length ++ bytes;
* ``DnsRecord`` = label string ++ ttl (u32 LE) ++ ``RecordData``;
* ``RecordData`` = variant index (one byte) ++ fields: A=0 (4 bytes), AAAA=1 (16 bytes),
  CNAME=2 (host), TXT=3 (compact count ++ each <=255-byte chunk of the UTF-8 text as bytes),
  MX=4 (u16 preference, host), NS=5 (host), SRV=6 (u16 priority, weight, port, host),
  CAA=7 (u8 flags, tag string, value bytes), TLSA=8 (u8 usage, selector, matching type, bytes);
* genesis_hash: the chain's 32-byte block-0 hash (``ResolveResponse.genesis_hash``), so an
  update signed for one chain is refused on every other;
* owner: the 32 public-key bytes; timestamp: u64 LE (ms since the Unix epoch);
* sequence: u64 LE, the name's ``ResolveResponse.update_sequence`` (every applied change of the
  records adds one, so an update applies once and never over newer records).

Records are given as the gRPC ``DNSRecord`` fields (type, name, value, ttl, priority) and
converted exactly as the bridge converts them (``node/bridge/src/grpc/convert.rs``): the name may
be ``@``/empty, relative, or absolute under the domain; MX/SRV values without their first field
get ``priority`` in front. The domain must already be a canonical ASCII name (IDNA is not done
here). The encoder is checked against ``fixtures/signing_payload.json``, which the Rust test
``payload_fixture_matches_python`` checks against the chain's own encoding.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

SIGNED_UPDATE_TAG = b"ghostchain/domain-update/v2"
MAX_TXT_STRING = 255

RECORD_TYPES = {"A": 0, "AAAA": 1, "CNAME": 2, "TXT": 3, "MX": 4, "NS": 5, "SRV": 6, "CAA": 7, "TLSA": 8}


@dataclass
class Record:
    """A record as the gRPC ``DNSRecord`` carries it."""

    type: str
    name: str
    value: str
    ttl: int = 300
    priority: int = 0


def compact(n: int) -> bytes:
    """SCALE compact encoding of a non-negative integer."""
    if n < 0:
        raise ValueError("compact integers are non-negative")
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return struct.pack("<H", (n << 2) | 1)
    if n < 1 << 30:
        return struct.pack("<I", (n << 2) | 2)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "little")
    return bytes([((len(raw) - 4) << 2) | 3]) + raw


def scale_bytes(data: bytes) -> bytes:
    """A ``Vec<u8>`` (or a string's UTF-8)."""
    return compact(len(data)) + data


def scale_str(text: str) -> bytes:
    return scale_bytes(text.encode("utf-8"))


def hostname(text: str) -> str:
    """A host name in canonical form: lowercase, no trailing dot."""
    host = text.strip()
    if host.endswith("."):
        host = host[:-1]
    host = host.lower()
    if not host or any(not label for label in host.split(".")):
        raise ValueError(f"invalid hostname {text!r}")
    return host


def label(domain: str, name: str) -> str:
    """The relative record label of ``name`` under ``domain``."""
    name = name.strip().rstrip(".").lower()
    if name in ("", "@", domain):
        return "@"
    suffix = "." + domain
    if name.endswith(suffix) and len(name) > len(suffix):
        return name[: -len(suffix)]
    return name


def with_priority(rtype: str, value: str, priority: int) -> str:
    """Puts ``priority`` in front of an MX/SRV value that lacks its first field."""
    full = {"MX": 2, "SRV": 4}.get(rtype)
    if full is None:
        return value
    fields = value.split()
    if len(fields) + 1 == full:
        return f"{priority} {value.strip()}"
    if len(fields) == full and priority and int(fields[0]) != priority:
        raise ValueError(f"priority {priority} contradicts {value!r}")
    return value


def u16(text: str) -> bytes:
    return struct.pack("<H", int(text))


def u8(text: str) -> bytes:
    return struct.pack("<B", int(text))


def record_data(rtype: str, value: str) -> bytes:
    """SCALE ``RecordData`` of a value in presentation form."""
    index = bytes([RECORD_TYPES[rtype]])
    fields = value.split()
    if rtype == "A":
        return index + ipaddress.IPv4Address(value.strip()).packed
    if rtype == "AAAA":
        return index + ipaddress.IPv6Address(value.strip()).packed
    if rtype in ("CNAME", "NS"):
        return index + scale_str(hostname(value))
    if rtype == "TXT":
        data = value.encode("utf-8")
        if not data:
            raise ValueError("empty TXT value")
        chunks = [data[i : i + MAX_TXT_STRING] for i in range(0, len(data), MAX_TXT_STRING)]
        return index + compact(len(chunks)) + b"".join(scale_bytes(c) for c in chunks)
    if rtype == "MX":
        preference, host = fields
        return index + u16(preference) + scale_str(hostname(host))
    if rtype == "SRV":
        priority, weight, port, target = fields
        return index + u16(priority) + u16(weight) + u16(port) + scale_str(hostname(target))
    if rtype == "CAA":
        flags, tag, *rest = fields
        if not rest:
            raise ValueError("expected FLAGS TAG VALUE")
        return index + u8(flags) + scale_str(tag) + scale_bytes(" ".join(rest).strip('"').encode("utf-8"))
    if rtype == "TLSA":
        usage, selector, matching, data = fields
        return index + u8(usage) + u8(selector) + u8(matching) + scale_bytes(bytes.fromhex(data))
    raise ValueError(f"unknown record type {rtype!r}")


def dns_record(domain: str, record: Record) -> bytes:
    """SCALE ``DnsRecord`` of a gRPC record under ``domain``."""
    rtype = record.type.strip().upper()
    if rtype not in RECORD_TYPES:
        raise ValueError(f"unknown record type {record.type!r}")
    value = with_priority(rtype, record.value, record.priority)
    return scale_str(label(domain, record.name)) + struct.pack("<I", record.ttl) + record_data(rtype, value)


def signing_payload(
    genesis_hash: bytes,
    domain: str,
    contract_id: str,
    records: list[Record],
    owner: bytes,
    timestamp: int,
    sequence: int,
) -> bytes:
    """The bytes to sign for an update (``owner`` is the 32-byte public key)."""
    if len(owner) != 32:
        raise ValueError("owner must be a 32-byte ed25519 public key")
    if len(genesis_hash) != 32:
        raise ValueError("genesis_hash must be 32 bytes")
    domain = domain.strip().rstrip(".").lower()
    out = bytearray(SIGNED_UPDATE_TAG)
    out += genesis_hash
    out += scale_str(domain)
    out += scale_bytes(contract_id.encode("utf-8"))
    out += compact(len(records))
    for record in records:
        out += dns_record(domain, record)
    out += owner
    out += struct.pack("<Q", timestamp)
    out += struct.pack("<Q", sequence)
    return bytes(out)


# ---- ghost1… addresses (bech32m, prefix "ghost") ----

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _to_5bit(data: bytes) -> list[int]:
    acc, bits, out = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def address(public_key: bytes, hrp: str = "ghost") -> str:
    """The ``ghost1…`` bech32m address of a 32-byte public key."""
    data = _to_5bit(public_key)
    polymod = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ _BECH32M_CONST
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data + checksum)
