#!/usr/bin/env python3
"""Builds TUF repositories with python-tuf (an implementation independent of ours) for the
kiosk's refusal tests: two genuine releases and one repository per attack.

    tuf_attacks.py BUNDLE_V1 BUNDLE_V2 OUT

BUNDLE_V1/V2 are `kiosk bundle build` outputs. OUT receives root-1.json (what the kiosk is
provisioned with) and one folder per scenario, each a complete repository in the kiosk's
layout (metadata/, targets/<sha256>.<name>; flat target names bundle.json, hall-<sha>.json,
law-<sha>.json, poster-<sha>.png). tests/sync_python_tuf.rs drives the kiosk against them.
"""
import copy
import datetime
import hashlib
import json
import os
import sys

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

ROLES = ["root", "targets", "snapshot", "timestamp"]


def expiry(days):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now + datetime.timedelta(days=days)


def bundle_targets(bundle):
    """(name, bytes) of every target a bundle becomes, the head first."""
    with open(os.path.join(bundle, "manifest.json"), "rb") as f:
        manifest = json.load(f)
    head = {k: v for k, v in manifest.items() if k != "files"}
    out = [("bundle.json", json.dumps(head, ensure_ascii=False).encode())]
    for entry in manifest["files"]:
        with open(os.path.join(bundle, entry["path"]), "rb") as f:
            data = f.read()
        # sync/layout.rs target_name: law-<sha>.json, hall-<sha>.json, poster-<sha>.png.
        name = {"law": "law-{}.json", "hall": "hall-{}.json", "poster": "poster-{}.png"}
        out.append((name[entry["kind"]].format(entry["sha256"]), data))
    return out


class Publisher:
    def __init__(self):
        self.signers = {r: [CryptoSigner.generate_ed25519()] for r in ROLES}
        root = Root(expires=expiry(365), consistent_snapshot=True)
        for role in ROLES:
            root.add_key(self.signers[role][0].public_key, role)
        self.roots = [self._sign(Metadata(root), self.signers["root"])]

    def _sign(self, md, signers):
        for s in signers:
            md.sign(s, append=True)
        return md

    def rotate_root(self, change, extra_signers=()):
        """Root version N+1 after `change(root, signers)`, signed by the old root keys and the
        new ones (or only by `extra_signers` when given: a forgery)."""
        old_signers = list(self.signers["root"])
        root = copy.deepcopy(self.roots[-1].signed)
        root.version += 1
        change(root, self.signers)
        md = Metadata(root)
        if extra_signers:
            self._sign(md, extra_signers)
        else:
            self._sign(md, old_signers + [s for s in self.signers["root"] if s not in old_signers])
        self.roots.append(md)

    def write(self, out, bundle, version, timestamp_days=7, tamper=None):
        """A complete repository at `version` serving `bundle`. `tamper(stage, obj)` may change
        things between signing steps (the attacks)."""
        tamper = tamper or (lambda stage, obj: obj)
        meta_dir = os.path.join(out, "metadata")
        tgt_dir = os.path.join(out, "targets")
        os.makedirs(meta_dir, exist_ok=True)
        os.makedirs(tgt_dir, exist_ok=True)
        ser = JSONSerializer(compact=False)

        targets = Targets(version=version, expires=expiry(365))
        for name, data in bundle_targets(bundle):
            tf = TargetFile.from_data(name, data, ["sha256"])
            with open(os.path.join(tgt_dir, f"{tf.hashes['sha256']}.{name}"), "wb") as f:
                f.write(tamper("target", (name, data))[1])
            targets.targets[name] = tf
        targets_md = self._sign(Metadata(tamper("targets", targets)), self.signers["targets"])
        targets_md = tamper("targets-signed", targets_md)
        targets_bytes = targets_md.to_bytes(ser)
        with open(os.path.join(meta_dir, f"{version}.targets.json"), "wb") as f:
            f.write(tamper("targets-file", targets_bytes))

        snapshot = Snapshot(version=version, expires=expiry(30))
        snapshot.meta["targets.json"] = tamper(
            "snapshot-meta",
            MetaFile(
                version=version,
                length=len(targets_bytes),
                hashes={"sha256": hashlib.sha256(targets_bytes).hexdigest()},
            ),
        )
        snap_bytes = self._sign(Metadata(snapshot), self.signers["snapshot"]).to_bytes(ser)
        with open(os.path.join(meta_dir, f"{version}.snapshot.json"), "wb") as f:
            f.write(snap_bytes)

        timestamp = Timestamp(version=version, expires=expiry(timestamp_days))
        timestamp.snapshot_meta = MetaFile(
            version=version,
            length=len(snap_bytes),
            hashes={"sha256": hashlib.sha256(snap_bytes).hexdigest()},
        )
        ts_signers = tamper("timestamp-signers", self.signers["timestamp"])
        ts_bytes = self._sign(Metadata(timestamp), ts_signers).to_bytes(ser)
        with open(os.path.join(meta_dir, "timestamp.json"), "wb") as f:
            f.write(ts_bytes)
        for root in self.roots:
            with open(os.path.join(meta_dir, f"{root.signed.version}.root.json"), "wb") as f:
                f.write(root.to_bytes(ser))


def main():
    v1, v2, out = sys.argv[1:4]
    pub = Publisher()
    with open(os.path.join(out, "root-1.json"), "wb") as f:
        f.write(pub.roots[0].to_bytes(JSONSerializer(compact=False)))

    # Genuine releases: version 1 (the kiosk installs), version 2 (the kiosk moves to).
    pub.write(os.path.join(out, "good-1"), v1, 1)
    pub.write(os.path.join(out, "good-2"), v2, 2)
    # Every attack comes after the kiosk trusts version 2.
    pub.write(os.path.join(out, "freeze"), v1, 3, timestamp_days=-1)

    def endless(stage, obj):
        if stage == "target" and obj[0].startswith("law-"):
            return (obj[0], obj[1] + b" " * 4096)
        return obj

    pub.write(os.path.join(out, "endless"), v1, 3, tamper=endless)

    stranger = CryptoSigner.generate_ed25519()
    pub.write(
        os.path.join(out, "wrong-signature"),
        v1,
        3,
        tamper=lambda stage, obj: [stranger] if stage == "timestamp-signers" else obj,
    )

    # Mix and match: the snapshot names targets version 3 (no hash or length pinned), the
    # file under that name is the genuine, signed targets of version 2.
    def mix(stage, obj):
        if stage == "snapshot-meta":
            return MetaFile(version=3)
        if stage == "targets-file":
            with open(os.path.join(out, "good-2", "metadata", "2.targets.json"), "rb") as f:
                return f.read()
        return obj

    pub.write(os.path.join(out, "mix-and-match"), v1, 3, tamper=mix)

    # Someone else's keys for everything.
    Publisher().write(os.path.join(out, "untrusted-key"), v1, 3)

    # A forged root 2: new keys, signed only by themselves.
    forger = Publisher()
    forger.roots[0].signed.version = 1
    evil_root_signer = CryptoSigner.generate_ed25519()

    def take_over(root, signers):
        for role in ROLES:
            for keyid in list(root.roles[role].keyids):
                root.revoke_key(keyid, role)
        for role in ROLES:
            signers[role] = forger.signers[role] if role != "root" else [evil_root_signer]
            root.add_key(signers[role][0].public_key, role)

    forged = copy.deepcopy(pub)
    forged.rotate_root(take_over, extra_signers=[evil_root_signer])
    forged.write(os.path.join(out, "forged-root"), v1, 3)

    # A genuine rotation of the targets key: root 2 signed by the root key; then version 3.
    rotated = copy.deepcopy(pub)
    new_targets = CryptoSigner.generate_ed25519()

    def rotate_targets(root, signers):
        for keyid in list(root.roles["targets"].keyids):
            root.revoke_key(keyid, "targets")
        root.add_key(new_targets.public_key, "targets")
        signers["targets"] = [new_targets]

    rotated.rotate_root(rotate_targets)
    rotated.write(os.path.join(out, "root-rotation"), v1, 3)

    # Signatures below threshold: a genuine root 2 asks for two targets signatures; the
    # targets metadata carries one.
    below = copy.deepcopy(pub)
    second = CryptoSigner.generate_ed25519()

    def two_of_two(root, signers):
        root.add_key(second.public_key, "targets")
        root.roles["targets"].threshold = 2

    below.rotate_root(two_of_two)
    below.write(os.path.join(out, "below-threshold"), v1, 3)


if __name__ == "__main__":
    main()
