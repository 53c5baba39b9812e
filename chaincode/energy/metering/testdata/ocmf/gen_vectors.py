#!/usr/bin/env python3
"""Generates OCMF test vectors for metering's OCMF support (src/ocmf) with Python `cryptography`, an
implementation independent of the chaincode's (ring).

A fixed P-256 key (derived from a constant, so the public key never changes) signs OCMF payloads with
ECDSA-secp256r1-SHA256; the script verifies every signature again before writing `vectors.json`. ECDSA signatures
are randomised, so regenerating changes the `SD` values but not what the tests expect.

    pip install cryptography && python3 gen_vectors.py > vectors.json
"""

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

# The order of P-256: the scalar must be below it.
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
SCALAR = int.from_bytes(hashlib.sha256(b"gridledger OCMF test charger").digest(), "big") % N
KEY = ec.derive_private_key(SCALAR, ec.SECP256R1())
PUBLIC = KEY.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def payload(pg, readings):
    """A compact payload (no white space: the signature covers these exact bytes)."""
    body = {"FV": "1.0", "GI": "gridledger test charger", "GS": "GL-0001", "GV": "1.0", "PG": pg,
            "MV": "TestMeter", "MS": "TM-0001", "IS": True, "IT": "ISO14443", "ID": "04A1B2C3", "RD": readings}
    return json.dumps(body, separators=(",", ":"))


def sign(text, encoding="hex"):
    der = KEY.sign(text.encode(), ec.ECDSA(hashes.SHA256()))
    KEY.public_key().verify(der, text.encode(), ec.ECDSA(hashes.SHA256()))
    decode_dss_signature(der)  # well-formed DER
    sd = der.hex() if encoding == "hex" else base64.b64encode(der).decode()
    sig = {"SA": "ECDSA-secp256r1-SHA256", "SD": sd}
    if encoding != "hex":
        sig["SE"] = encoding
    return json.dumps(sig, separators=(",", ":"))


def verifies(record):
    _, text, sig = record.split("|")
    sig = json.loads(sig)
    der = bytes.fromhex(sig["SD"]) if sig.get("SE", "hex") == "hex" else base64.b64decode(sig["SD"])
    try:
        KEY.public_key().verify(der, text.encode(), ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


# The meter interval 2023-11-14T22:15:00Z (Unix 1700000100) and the next one; times given at +01:00.
SESSION = payload("T17", [
    {"TM": "2023-11-14T23:16:00,000+0100 S", "TX": "B", "RV": 1234.56, "RI": "1-b:1.8.0", "RU": "kWh", "ST": "G"},
    {"TM": "2023-11-14T23:22:30,250+0100 S", "TX": "C", "RV": 1235.1, "ST": "G"},
    {"TM": "2023-11-14T23:29:59,999+0100 S", "TX": "E", "RV": 1235.70, "ST": "G"},
])
FISCAL_WH = payload("F18", [
    {"TM": "2023-11-14T22:30:00,000+0000 S", "RV": 5000, "RI": "01-00:01.08.00*FF", "RU": "Wh", "ST": "G"},
    {"TM": "2023-11-14T22:45:00,000+0000 S", "RV": 5600},
])
STRADDLES = payload("T19", [
    {"TM": "2023-11-14T23:44:00,000+0100 S", "TX": "B", "RV": 1240, "RI": "1-b:1.8.0", "RU": "kWh", "ST": "G"},
    {"TM": "2023-11-14T23:46:00,000+0100 S", "TX": "E", "RV": 1240.5, "ST": "G"},
])

session = f"OCMF|{SESSION}|{sign(SESSION)}"
vectors = {
    "publicKey": base64.b64encode(PUBLIC).decode(),
    "records": [
        {"name": "session-kwh-hex", "record": session, "verifies": True,
         "expected": {"intervalStart": 1700000100, "register": "1.8.0", "wh": 1140, "counter": 17}},
        {"name": "fiscal-wh-base64", "record": f"OCMF|{FISCAL_WH}|{sign(FISCAL_WH, 'base64')}", "verifies": True,
         "expected": {"intervalStart": 1700001000, "register": "1.8.0", "wh": 600, "counter": 18}},
        {"name": "straddles-intervals", "record": f"OCMF|{STRADDLES}|{sign(STRADDLES)}", "verifies": True,
         "expected": None},
        # The session with 1235.70 kWh raised to 1236.70 after signing.
        {"name": "tampered-value", "record": session.replace("1235.7,", "1236.7,"), "verifies": False,
         "expected": None},
    ],
}
for v in vectors["records"]:
    assert verifies(v["record"]) == v["verifies"], v["name"]
print(json.dumps(vectors, indent=2))
