#!/usr/bin/env python3
"""Generate Oboro's committed EC2 catalog (regions, zones, instance types, offerings).

    python3 tools/ec2/gen_catalog.py [--shared DIR] [--out DIR]    # write the catalog
    python3 tools/ec2/gen_catalog.py --check [--shared DIR]         # verify, exit 1 on failure

Inputs (read-only, in the shared directory, default ../shared relative to the repo root):
  aws-data/ec2/instance-types.json.gz           DescribeInstanceTypes records, keyed by type
  aws-data/ec2/offerings-by-az/<region>.json.gz  [{"InstanceType", "Location": zone name}]
  aws-data/ec2/offerings-by-az-id/<region>.json.gz [{"InstanceType", "Location": zone id}]
  aws-models/ec2/2016-11-15/service-2.json.gz   EC2 service model (botocore), for shape checks
Hand-curated facts, each with its source: catalog_sources.py next to this file.

Outputs (oboro-services/src/main/resources/dev/oboro/services/ec2/catalog/, compact JSON with
sorted keys, so the same inputs always give the same bytes): regions.json, instance-types.json,
instance-type-extras.json, offerings.json and README.md (format description, written from
FORMAT_README below).

--check regenerates everything in memory and fails if the committed files differ (stale), if any
record does not fit the EC2 model's shapes (member names, types, enum values), or if any of the
documented spot-check rules in check_rules() does not hold.

Python 3.11 standard library only.
"""
import argparse
import base64
import copy
import gzip
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import catalog_sources as src  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_SHARED = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared"))
OUT_REL = "oboro-services/src/main/resources/dev/oboro/services/ec2/catalog"
FORMAT_VERSION = 1


# ------------------------------------------------------------------------------------ inputs

def load_gz(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


class Inputs:
    def __init__(self, shared):
        ec2 = os.path.join(shared, "aws-data", "ec2")
        self.types = load_gz(os.path.join(ec2, "instance-types.json.gz"))
        self.by_name, self.by_id = {}, {}
        for fn in sorted(os.listdir(os.path.join(ec2, "offerings-by-az"))):
            region = fn[: -len(".json.gz")]
            self.by_name[region] = _group(load_gz(os.path.join(ec2, "offerings-by-az", fn)))
            self.by_id[region] = _group(load_gz(os.path.join(ec2, "offerings-by-az-id", fn)))
        self.model = load_gz(os.path.join(shared, "aws-models", "ec2", "2016-11-15", "service-2.json.gz"))


def _group(rows):
    zones = {}
    for r in rows:
        zones.setdefault(r["Location"], set()).add(r["InstanceType"])
    return zones


# ------------------------------------------------------------------------------- instance types

def build_instance_types(inp):
    """Recorded records unchanged, plus the documented additions of catalog_sources.ADDED_TYPES."""
    types = {k: copy.deepcopy(v) for k, v in inp.types.items()}
    for name, (template, fields) in src.ADDED_TYPES.items():
        if name in types:
            raise SystemExit(f"{name} is now in the recorded data: drop it from ADDED_TYPES")
        rec = copy.deepcopy(types[template])
        for key in ("GpuInfo", "InstanceStorageInfo", "NitroTpmInfo", "EfaInfo"):
            rec.pop(key, None)  # never inherit these from a template
        for key, value in copy.deepcopy(fields).items():
            if key == "NetworkInfo":
                rec["NetworkInfo"].update(value)
                rec["NetworkInfo"]["EfaSupported"] = False
                rec["NetworkInfo"].pop("EfaInfo", None)
            else:
                rec[key] = value
        rec["InstanceType"] = name
        rec["SupportedInRegion"] = True
        types[name] = rec
    return types


# ---------------------------------------------------------------------------------- regions

def pair_zones(names, ids):
    """Pair zone names with zone ids of one region, from the recorded offerings.

    AWS maps names to ids per account; the recorded data is one account's view, taken by name
    and by id. A name and an id are the same zone when they offer exactly the same set of types.
    Where several zones offer identical sets (il-central-1a and -1c), the ambiguous names and ids
    are paired in sorted order (lowest letter with lowest id number).
    Returns {zone name: zone id}.
    """
    by_set = {}
    for zid, s in ids.items():
        by_set.setdefault(frozenset(s), []).append(zid)
    pairs, ambiguous = {}, {}
    for zname, s in names.items():
        cands = by_set.get(frozenset(s))
        if not cands:
            raise SystemExit(f"zone {zname}: no zone id offers the same types")
        if len(cands) == 1:
            pairs[zname] = cands[0]
        else:
            ambiguous.setdefault(frozenset(s), []).append(zname)
    for s, znames in ambiguous.items():
        cands = by_set[s]
        if len(cands) != len(znames):
            raise SystemExit(f"zones {znames}: {len(cands)} ids for {len(znames)} names")
        for zname, zid in zip(sorted(znames), sorted(cands, key=_az_num)):
            pairs[zname] = zid
    if sorted(pairs.values()) != sorted(ids):
        raise SystemExit(f"zone pairing is not one-to-one: {pairs}")
    return pairs


def _az_num(zone_id):
    return int(zone_id.rsplit("-az", 1)[1])


def zone_record(region, long_name, geo, subgeo, zname, zid):
    az = {
        "GroupLongName": f"{long_name} 1",
        "GroupName": f"{region}-zg-1",
        "Geography": [{"Name": geo}],
        "Messages": [],
        "NetworkBorderGroup": region,
        "OptInStatus": "opt-in-not-required",
        "RegionName": region,
        "State": "available",
        "ZoneId": zid,
        "ZoneName": zname,
        "ZoneType": "availability-zone",
    }
    if subgeo:
        az["SubGeography"] = [{"Name": subgeo}]
    return az


def build_regions(inp):
    out = []
    zone_maps = {}
    for region in sorted(src.REGIONS):
        long_name, opt_in, geo, subgeo = src.REGIONS[region]
        if region in inp.by_name:
            pairs = pair_zones(inp.by_name[region], inp.by_id[region])
            recorded = True
        else:
            ids = src.UNRECORDED_REGION_ZONE_IDS[region]
            pairs = {f"{region}{chr(ord('a') + _az_num(z) - 1)}": z for z in ids}
            recorded = False
        zone_maps[region] = pairs
        out.append({
            "AvailabilityZones": [zone_record(region, long_name, geo, subgeo, n, pairs[n])
                                  for n in sorted(pairs)],
            "Region": {
                "Endpoint": f"ec2.{region}.amazonaws.com",
                "Geography": [{"Name": geo}],
                "OptInStatus": src.OPT_IN_STATUS_FOR_OPT_IN_REGIONS if opt_in else "opt-in-not-required",
                "RegionName": region,
            },
            "oboro": {
                "longName": long_name,
                "offeringsRecorded": recorded,
                "optInRegion": opt_in,
            },
        })
    for region in inp.by_name:
        if region not in src.REGIONS:
            raise SystemExit(f"offerings recorded for unknown region {region}")
    doc = {
        "formatVersion": FORMAT_VERSION,
        "partition": "aws",
        "regions": out,
    }
    return doc, zone_maps


# -------------------------------------------------------------------------------- offerings

def bitmap(type_index, types):
    """Bit i set <=> type_index[i] offered; bytes little-endian, bit 0 = LSB of byte 0.
    Exactly java.util.BitSet.valueOf(Base64.getDecoder().decode(s))."""
    bits = bytearray((len(type_index) + 7) // 8)
    pos = {t: i for i, t in enumerate(type_index)}
    for t in types:
        i = pos[t]
        bits[i >> 3] |= 1 << (i & 7)
    while bits and bits[-1] == 0:
        bits.pop()  # BitSet.toByteArray() drops trailing zero bytes too
    return base64.b64encode(bytes(bits)).decode("ascii")


def build_offerings(inp, catalog_types, zone_maps):
    type_index = sorted(catalog_types)
    votes = {}
    for region in src.ESTIMATE_OFFERINGS_FROM:
        for t in set().union(*inp.by_name[region].values()):
            votes[t] = votes.get(t, 0) + 1
    estimate = {t for t, n in votes.items() if n >= src.ESTIMATE_MIN_REGIONS}
    regions = {}
    for region in sorted(zone_maps):
        pairs = zone_maps[region]
        recorded = region in inp.by_name
        added = {}
        zones = []
        for zname in sorted(pairs):
            zid = pairs[zname]
            if recorded:
                offered = set(inp.by_name[region][zname])
                if offered != inp.by_id[region][zid]:
                    raise SystemExit(f"{zname}/{zid}: offerings by name and by id differ")
            else:
                offered = set(estimate)
            if region in src.ADDED_TYPES_REGIONS:
                for name, (template, _) in src.ADDED_TYPES.items():
                    if template in offered:
                        offered.add(name)
                        added.setdefault(name, []).append(zname)
            zones.append({"count": len(offered), "offered": bitmap(type_index, offered),
                          "zoneId": zid, "zoneName": zname})
        entry = {"recorded": recorded, "zones": zones}
        if added:
            entry["addedTypes"] = sorted(added)
        if not recorded:
            entry["estimatedFrom"] = {"minRegions": src.ESTIMATE_MIN_REGIONS,
                                      "regions": list(src.ESTIMATE_OFFERINGS_FROM)}
        regions[region] = entry
    return {"formatVersion": FORMAT_VERSION, "regions": regions, "types": type_index}


# ----------------------------------------------------------------------------------- extras

# Intel 82599 VF ("sriovNetSupport" = simple): "The following instance types use the Intel 82599
# VF interface for enhanced networking: C3, C4, D2, I2, M4 (excluding m4.16xlarge), and R3."
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/enhanced-networking.html
SRIOV_FAMILIES = {"c3", "c4", "d2", "i2", "m4", "r3"}
SRIOV_EXCLUDED = {"m4.16xlarge"}


def family(t):
    return t.split(".", 1)[0]


def build_extras(types):
    out = {}
    for name in sorted(types):
        rec = types[name]
        out[name] = {
            # Simplified automatic recovery, per type: AWS's own DescribeInstanceTypes flag
            # AutoRecoverySupported ("describe-instance-types --filters
            # Name=auto-recovery-supported,Values=true" is how the EC2 User Guide says to list
            # supported types: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-configuration-recovery.html).
            # Instance-level conditions (instance store volumes, host tenancy, ...) are in README.
            "autoRecoverySupported": bool(rec.get("AutoRecoverySupported", False)),
            # Built on the AWS Nitro System: the Nitro hypervisor, or bare metal (every *.metal type
            # runs on Nitro hardware without a hypervisor, which is why AWS omits Hypervisor there).
            # https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-nitro-instances.html
            # EBS Multi-Attach needs this: "Multi-Attach enabled volumes can be attached to up to 16
            # instances built on the Nitro System" (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volumes-multi.html).
            "nitro": rec.get("Hypervisor") == "nitro" or bool(rec.get("BareMetal")),
            "source": "documentation" if name in src.ADDED_TYPES else "recorded",
            "sriovNetSupport": family(name) in SRIOV_FAMILIES and name not in SRIOV_EXCLUDED,
        }
    return {"formatVersion": FORMAT_VERSION, "types": out}


# ----------------------------------------------------------------------------------- output

def _compact(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def dumps(obj, lines_key):
    """Compact JSON with sorted keys, except that each element of obj[lines_key] (a list, or a
    dict whose items are emitted in key order) sits on its own line, so diffs stay per record."""
    head = {k: v for k, v in obj.items() if k != lines_key}
    coll = obj[lines_key]
    if isinstance(coll, list):
        body = ",\n".join(_compact(v) for v in coll)
        inner = "[\n" + body + "\n]"
    else:
        body = ",\n".join(_compact(k) + ":" + _compact(coll[k]) for k in sorted(coll))
        inner = "{\n" + body + "\n}"
    parts = [_compact(k) + ":" + (inner if k == lines_key else _compact(obj[k]))
             for k in sorted(list(head) + [lines_key])]
    return "{" + ",".join(parts) + "}\n"


def generate(shared):
    inp = Inputs(shared)
    types = build_instance_types(inp)
    regions, zone_maps = build_regions(inp)
    offerings = build_offerings(inp, types, zone_maps)
    files = {
        "instance-types.json": dumps({"InstanceTypes": [types[k] for k in sorted(types)],
                                      "formatVersion": FORMAT_VERSION}, "InstanceTypes"),
        "instance-type-extras.json": dumps(build_extras(types), "types"),
        "offerings.json": dumps(offerings, "regions"),
        "regions.json": dumps(regions, "regions"),
    }
    files["README.md"] = format_readme(files, types, regions, offerings)
    return inp, files


FORMAT_README = """\
# EC2 catalog data

Generated by `tools/ec2/gen_catalog.py` (see `tools/ec2/README.md`); do not edit by hand.
All files are compact JSON with sorted keys, one record per line (the elements of the main
list or map), and a trailing newline; each has a top-level `formatVersion` ({version}).
Sizes: {sizes}.

## regions.json

    {{"formatVersion":1,"partition":"aws","regions":[ <entry>, ... ]}}   // sorted by region code

Each entry (one per commercial region of the `aws` partition, {nregions} in all):

- `Region`: the EC2 `Region` shape as DescribeRegions returns it in JSON with botocore member
  names: `RegionName`, `Endpoint` (`ec2.<region>.amazonaws.com`), `OptInStatus`
  (`opt-in-not-required` for default regions, `opted-in` for opt-in regions: Oboro treats every
  account as opted in), `Geography` ([{{"Name": country}}]).
- `AvailabilityZones`: the EC2 `AvailabilityZone` shapes, sorted by `ZoneName`: `ZoneName`,
  `ZoneId`, `RegionName`, `State` (`available`), `OptInStatus` (`opt-in-not-required`, always, for
  AZs), `Messages` ([]), `GroupName` (`<region>-zg-1`), `GroupLongName` (`<long name> 1`),
  `NetworkBorderGroup` (the region), `ZoneType` (`availability-zone`), `Geography`, and
  `SubGeography` for US regions only.
- `oboro` (not AWS data): `longName` ("US East (N. Virginia)"), `optInRegion` (true if AWS
  requires opting in; a not-opted-in account would see `not-opted-in`), `offeringsRecorded`
  (false for {unrecorded}: their offerings are estimated).

## instance-types.json

    {{"formatVersion":1,"InstanceTypes":[ <InstanceTypeInfo>, ... ]}}   // sorted by InstanceType

Each element is an EC2 `InstanceTypeInfo` exactly as DescribeInstanceTypes returns it (botocore
member names and shapes). {ntypes} types: {nrecorded} recorded from AWS, plus {nadded} added from
AWS documentation ({added}). Use `instance-type-extras.json` `source` to tell them apart.

## instance-type-extras.json

    {{"formatVersion":1,"types":{{"<type>":{{"autoRecoverySupported":b,"nitro":b,"source":s,"sriovNetSupport":b}}, ...}}}}

- `sriovNetSupport`: the type supports enhanced networking with the Intel 82599 VF (C3, C4, D2,
  I2, M4 except m4.16xlarge, R3).
- `autoRecoverySupported`: the type supports simplified automatic recovery / the recover alarm
  action (AWS's per-type flag). An instance of such a type is still not recovered when it has
  instance-store volumes, uses host tenancy, or is not running (see tools/ec2/README.md).
- `nitro`: built on the Nitro System (hypervisor `nitro`, or bare metal). EBS Multi-Attach needs it.
- `source`: `recorded` (from AWS) or `documentation` (hand-added, see tools/ec2/catalog_sources.py).

## offerings.json

    {{"formatVersion":1,"types":[ all catalog types, sorted ],
     "regions":{{"<region>":{{"recorded":b,"zones":[{{"zoneName":..,"zoneId":..,"count":n,"offered":"<base64>"}}, ...],
                            "addedTypes":[..]?, "estimatedFrom":[..]?}}}}}}

- `offered` is a bitmap over `types`: bit i set means `types[i]` is offered in that zone. Decode in
  Java with `BitSet.valueOf(Base64.getDecoder().decode(offered))` (little-endian, bit 0 = lowest
  bit of the first byte; trailing zero bytes dropped). `count` is its cardinality.
- A zone name and its zone id offer the same set, so each zone is listed once with both: answer
  DescribeInstanceTypeOfferings for location types `availability-zone` (by `zoneName`) and
  `availability-zone-id` (by `zoneId`) from the same bitmap; location type `region` is the union of
  the region's zones.
- `recorded:false` regions ({unrecorded}) offer, in every zone, the types offered in at least
  `estimatedFrom.minRegions` of the recently opened `estimatedFrom.regions` (an estimate, not AWS
  data).
- `addedTypes`: hand-added retired types that Oboro offers in this region (already included in the
  bitmaps of the zones that offer their template type).

Zone name/id pairing, sources and licences: see tools/ec2/README.md.
"""


def format_readme(files, types, regions, offerings):
    sizes = ", ".join(f"`{k}` {len(v.encode()) / 1024:.0f} KiB" for k, v in sorted(files.items()))
    unrecorded = ", ".join(r for r, e in sorted(offerings["regions"].items()) if not e["recorded"])
    return FORMAT_README.format(
        version=FORMAT_VERSION, sizes=sizes, nregions=len(regions["regions"]),
        unrecorded=unrecorded, ntypes=len(types), nadded=len(src.ADDED_TYPES),
        nrecorded=len(types) - len(src.ADDED_TYPES), added=", ".join(sorted(src.ADDED_TYPES)))


# ------------------------------------------------------------------------------------ checks

class Checker:
    def __init__(self):
        self.failures = []
        self.warnings = []
        self.passed = 0

    def expect(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failures.append(what)


def validate_shape(model, shape_name, value, path, chk):
    """Check value against a botocore shape: member names, JSON types, enums."""
    shape = model["shapes"][shape_name]
    t = shape["type"]
    if t == "structure":
        if not isinstance(value, dict):
            chk.expect(False, f"{path}: expected object for {shape_name}")
            return
        for k, v in value.items():
            if k not in shape["members"]:
                chk.expect(False, f"{path}.{k}: not a member of {shape_name}")
                continue
            validate_shape(model, shape["members"][k]["shape"], v, f"{path}.{k}", chk)
    elif t == "list":
        if not isinstance(value, list):
            chk.expect(False, f"{path}: expected list for {shape_name}")
            return
        for i, v in enumerate(value):
            validate_shape(model, shape["member"]["shape"], v, f"{path}[{i}]", chk)
    elif t == "string":
        if shape_name == "InstanceType" and isinstance(value, str) and value not in shape["enum"]:
            # The recorded data is newer than the model (botocore 1.43.11): AWS adds instance
            # types to this enum continuously. Not an error; SDK v2 keeps the raw string
            # (instanceTypeAsString()) for values its enum does not know.
            chk.warnings.append(value)
            return
        ok = isinstance(value, str) and ("enum" not in shape or value in shape["enum"])
        chk.expect(ok, f"{path}: {value!r} is not a valid {shape_name}")
    elif t in ("integer", "long"):
        chk.expect(isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r} not {t}")
    elif t in ("double", "float"):
        chk.expect(isinstance(value, (int, float)) and not isinstance(value, bool), f"{path}: {value!r} not {t}")
    elif t == "boolean":
        chk.expect(isinstance(value, bool), f"{path}: {value!r} not boolean")
    else:
        chk.expect(False, f"{path}: unexpected shape type {t}")


# Families issue 4 names; each must be present with at least one size.
REQUIRED_FAMILIES = ("m3 m4 m5 m5a m5d m5n t2 t3 t3a r3 r4 r5 r5a r5d x1e c3 c4 c5 c5a c5d c5n "
                     "d2 h1 i2 i3 i3en g2 g3 g3s g4dn p3 p3dn m6i m7g c6i c7g r6i t4g").split()
# AWS-documented spot checks. Each tuple: (description with source, predicate over catalog).
NITRO_FAMILIES = "c5 c5a c5d c5n m5 m5a m5d m5n r5 r5a r5d t3 t3a i3en g4dn p3dn m6i m7g c6i c7g r6i t4g".split()
XEN_FAMILIES = "c1 c3 c4 m1 m2 m3 m4 r3 r4 t1 t2 d2 h1 i2 i3 x1e g2 g3 g3s p2 p3".split()


def check_rules(types, extras, regions, offerings, chk):
    fam = {}
    for name in types:
        fam.setdefault(family(name), []).append(name)

    def each(families, pred, what):
        for f in families:
            chk.expect(f in fam, f"family {f} missing")
            for t in fam.get(f, []):
                chk.expect(pred(types[t]), f"{t}: {what}")

    for f in REQUIRED_FAMILIES:
        chk.expect(f in fam, f"required family {f} missing (issue 4)")

    net = lambda r: r["NetworkInfo"]  # noqa: E731
    # Enhanced networking guide: T2 has no enhanced networking at all.
    each(["t2"], lambda r: net(r)["EnaSupport"] == "unsupported", "T2 must not support ENA")
    # ENI/IPv6 table: "IPv6 not supported" for M1, M2, M3, C1, T1, G2 (EC2 User Guide, using-eni).
    each(["m1", "m2", "m3", "c1", "t1", "g2"], lambda r: not net(r)["Ipv6Supported"], "IPv6 must be unsupported")
    each(["t2", "c3", "r3", "i2", "m4", "c4"], lambda r: net(r)["Ipv6Supported"], "IPv6 must be supported")
    # Linux AMI virtualization types: PV is supported on C1, C3, M1, M2, M3, T1 (and HS1, M2...);
    # every other type is HVM-only.
    pv = {"c1", "c3", "m1", "m2", "m3", "t1"}
    for t, r in types.items():
        chk.expect(("paravirtual" in r["SupportedVirtualizationTypes"]) == (family(t) in pv),
                   f"{t}: paravirtual support must be {family(t) in pv}")
        chk.expect("hvm" in r["SupportedVirtualizationTypes"], f"{t}: every type supports HVM")
    # Hypervisor: Nitro for the Nitro families, Xen for the older ones; bare metal has none.
    each(NITRO_FAMILIES, lambda r: r.get("Hypervisor") == "nitro" or (r["BareMetal"] and "Hypervisor" not in r),
         "must be nitro (or bare metal without hypervisor)")
    each(XEN_FAMILIES, lambda r: r.get("Hypervisor") == "xen", "must be xen")
    for t, r in types.items():
        chk.expect(extras[t]["nitro"] == (r.get("Hypervisor") == "nitro" or r["BareMetal"]), f"{t}: nitro flag")
        if extras[t]["nitro"]:  # every Nitro instance requires ENA
            chk.expect(net(r)["EnaSupport"] == "required", f"{t}: Nitro type must require ENA")
    # Instance store: the d variants, D2, H1, I2, I3, I3en, G2, C3, M3 have instance-store disks;
    # D2 and H1 are HDD, the others SSD. EBS-only families have none.
    store = "m5d c5d r5d m5ad r5ad c5ad m5dn r5dn d2 h1 i2 i3 i3en g2 c3 m3 g4dn p3dn".split()

    def has_store(r):
        info = r.get("InstanceStorageInfo")
        return r["InstanceStorageSupported"] and info and info["TotalSizeInGB"] > 0 and info["Disks"]
    each(store, has_store, "must have instance storage")
    each(["d2", "h1"], lambda r: all(d["Type"] == "hdd" for d in r["InstanceStorageInfo"]["Disks"]), "HDD")
    each(["i2", "i3", "i3en", "m5d", "c5d", "r5d", "g2"],
         lambda r: all(d["Type"] == "ssd" for d in r["InstanceStorageInfo"]["Disks"]), "SSD")
    each("m4 m5 m5a m5n t2 t3 t3a r4 r5 r5a c4 c5 c5a c5n g3 g3s p3 m6i m7g c6i c7g r6i t4g".split(),
         lambda r: not r["InstanceStorageSupported"] and "InstanceStorageInfo" not in r, "must be EBS-only")
    for t, r in types.items():
        chk.expect(bool(r["InstanceStorageSupported"]) == ("InstanceStorageInfo" in r), f"{t}: storage flag/info agree")
        chk.expect(("instance-store" in r["SupportedRootDeviceTypes"]) <= bool(r["InstanceStorageSupported"]),
                   f"{t}: instance-store root needs instance storage")
    # EFA (EC2 User Guide, "Supported instance types" for EFA).
    efa = "c5n.18xlarge c5n.9xlarge c5n.metal p3dn.24xlarge m5n.24xlarge m5dn.24xlarge r5n.24xlarge " \
          "i3en.24xlarge c6i.32xlarge m6i.32xlarge r6i.32xlarge c7g.16xlarge m7g.16xlarge".split()
    for t in efa:
        chk.expect(t in types and net(types[t])["EfaSupported"], f"{t}: must support EFA")
    each(["t2", "t3", "m5", "m4", "c4", "g2", "g3", "p3", "m3"], lambda r: not net(r)["EfaSupported"], "no EFA")
    # Placement groups: cluster groups take neither burstable (T2, T3, T3a, T4g) nor the oldest
    # previous-generation types (M1, M2, M3, C1, T1); everything supports spread and partition.
    each("t2 t3 t3a t4g m1 m2 m3 c1 t1".split(),
         lambda r: "cluster" not in r["PlacementGroupInfo"]["SupportedStrategies"], "no cluster placement")
    each("c3 c4 c5 c5n m4 m5 r3 r4 r5 i2 i3 d2 h1 g2 g3 p2 p3 p3dn g4dn x1e c6i m6i r6i c7g m7g".split(),
         lambda r: "cluster" in r["PlacementGroupInfo"]["SupportedStrategies"], "cluster placement")
    for t, r in types.items():
        s = r["PlacementGroupInfo"]["SupportedStrategies"]
        chk.expect("spread" in s and "partition" in s, f"{t}: spread and partition placement")
    # ENA: Xen-era ENA types ("supported"), Intel 82599 types ("unsupported" ENA except
    # m4.16xlarge which has ENA).
    each(["r4", "x1e", "h1", "i3", "g3", "g3s", "p2", "p3"], lambda r: net(r)["EnaSupport"] == "supported", "ENA supported")
    each(["c3", "c4", "d2", "i2", "r3"], lambda r: net(r)["EnaSupport"] == "unsupported", "no ENA")
    chk.expect(net(types["m4.16xlarge"])["EnaSupport"] == "supported", "m4.16xlarge: ENA supported")
    # Intel 82599 VF.
    for t in types:
        want = family(t) in SRIOV_FAMILIES and t != "m4.16xlarge"
        chk.expect(extras[t]["sriovNetSupport"] == want, f"{t}: sriovNetSupport must be {want}")
    chk.expect(extras["c3.large"]["sriovNetSupport"] and not extras["m4.16xlarge"]["sriovNetSupport"]
               and extras["m4.10xlarge"]["sriovNetSupport"] and not extras["t2.micro"]["sriovNetSupport"],
               "sriov spot checks")
    # Processors: the `a` variants are AMD, the `g` variants AWS Graviton (arm64).
    each(["m5a", "r5a", "c5a", "t3a"], lambda r: r["ProcessorInfo"]["Manufacturer"] == "AMD", "AMD processor")
    each(["m7g", "c7g", "t4g"], lambda r: r["ProcessorInfo"]["Manufacturer"] == "AWS"
         and r["ProcessorInfo"]["SupportedArchitectures"] == ["arm64"], "Graviton arm64")
    each(["m5", "c5", "r5", "m6i", "c6i", "r6i", "t2", "t3"], lambda r: r["ProcessorInfo"]["Manufacturer"] == "Intel", "Intel")
    # GPUs (accelerated computing instances guide).
    gpu = lambda r: r["GpuInfo"]["Gpus"][0]  # noqa: E731
    each(["g2"], lambda r: gpu(r)["Name"] == "K520" and gpu(r)["Manufacturer"] == "NVIDIA", "NVIDIA GRID K520")
    each(["g3", "g3s"], lambda r: gpu(r)["Name"] == "M60" and gpu(r)["Manufacturer"] == "NVIDIA", "NVIDIA Tesla M60")
    each(["p3", "p3dn"], lambda r: gpu(r)["Name"] == "V100", "NVIDIA V100")
    chk.expect(gpu(types["g2.8xlarge"])["Count"] == 4 and gpu(types["g3.16xlarge"])["Count"] == 4
               and gpu(types["g3s.xlarge"])["Count"] == 1, "GPU counts")
    for t in ["g2.2xlarge", "g2.8xlarge", "g3s.xlarge", "g3.4xlarge", "g3.8xlarge", "g3.16xlarge"]:
        chk.expect(t in types, f"{t} missing")
    # Sizes from the docs (vCPUs, MiB).
    for t, vcpu, mib in [("g2.2xlarge", 8, 15360), ("g2.8xlarge", 32, 61440), ("g3s.xlarge", 4, 31232),
                         ("g3.16xlarge", 64, 499712), ("p3.2xlarge", 8, 62464), ("t2.micro", 1, 1024),
                         ("m5.large", 2, 8192), ("c5n.18xlarge", 72, 196608)]:
        chk.expect(types[t]["VCpuInfo"]["DefaultVCpus"] == vcpu and types[t]["MemoryInfo"]["SizeInMiB"] == mib,
                   f"{t}: {vcpu} vCPUs, {mib} MiB")
    # Network performance labels.
    for t, perf in [("c5n.18xlarge", "100 Gigabit"), ("p3dn.24xlarge", "100 Gigabit"), ("m5.large", "Up to 10 Gigabit"),
                    ("t2.micro", "Low to Moderate"), ("g3.16xlarge", "25 Gigabit"), ("g2.8xlarge", "10 Gigabit")]:
        chk.expect(net(types[t])["NetworkPerformance"] == perf, f"{t}: network performance {perf}")
    # Current generation flags of the hand-added previous-generation families.
    each(["g2", "g3", "g3s", "p2"], lambda r: r["CurrentGeneration"] is False, "previous generation")
    # Burstable.
    each(["t2", "t3", "t3a", "t4g"], lambda r: r["BurstablePerformanceSupported"], "burstable")

    # Regions and zones.
    regs = {e["Region"]["RegionName"]: e for e in regions["regions"]}
    chk.expect(set(regs) == set(src.REGIONS), "regions: every aws-partition region present")
    for must in ["us-east-1", "af-south-1", "ap-east-1", "me-south-1", "eu-south-1", "mx-central-1"]:
        chk.expect(must in regs, f"region {must} present")
    all_ids = set()
    for name, e in regs.items():
        opt_in = src.REGIONS[name][1]
        chk.expect(e["Region"]["OptInStatus"] == ("opted-in" if opt_in else "opt-in-not-required"), f"{name}: opt-in status")
        chk.expect(e["Region"]["Endpoint"] == f"ec2.{name}.amazonaws.com", f"{name}: endpoint")
        zs = e["AvailabilityZones"]
        chk.expect(len(zs) >= 2, f"{name}: at least two zones")
        prefix = zs[0]["ZoneId"].rsplit("-az", 1)[0]
        for z in zs:
            chk.expect(re.fullmatch(re.escape(name) + "[a-z]", z["ZoneName"]) is not None, f"{z['ZoneName']}: name form")
            chk.expect(re.fullmatch(re.escape(prefix) + r"-az\d+", z["ZoneId"]) is not None, f"{z['ZoneId']}: id form")
            chk.expect(z["ZoneId"] not in all_ids, f"{z['ZoneId']}: unique")
            all_ids.add(z["ZoneId"])
    for opt in ["af-south-1", "ap-east-1", "me-south-1", "eu-south-1", "il-central-1", "mx-central-1"]:
        chk.expect(regs[opt]["Region"]["OptInStatus"] == "opted-in", f"{opt}: opt-in region")
    for dflt in ["us-east-1", "eu-west-1", "ap-northeast-3", "sa-east-1", "eu-north-1"]:
        chk.expect(regs[dflt]["Region"]["OptInStatus"] == "opt-in-not-required", f"{dflt}: default region")
    # AWS docs example: us-east-2a is use2-az1 (identity pairing in a non-independently mapped region).
    ue2 = {z["ZoneName"]: z["ZoneId"] for z in regs["us-east-2"]["AvailabilityZones"]}
    chk.expect(ue2.get("us-east-2a") == "use2-az1", "us-east-2a <-> use2-az1 (AWS docs example)")

    # Offerings.
    tindex = offerings["types"]
    chk.expect(tindex == sorted(types), "offerings type index = catalog types")
    for region, e in offerings["regions"].items():
        zs = {z["ZoneName"]: z["ZoneId"] for z in regs[region]["AvailabilityZones"]}
        chk.expect({z["zoneName"]: z["zoneId"] for z in e["zones"]} == zs, f"{region}: offering zones = zones")
        for z in e["zones"]:
            bits = base64.b64decode(z["offered"])
            n = sum(bin(b).count("1") for b in bits)
            chk.expect(n == z["count"] and n > 0, f"{z['zoneName']}: bitmap count")
            chk.expect(len(bits) * 8 <= len(tindex) + 7, f"{z['zoneName']}: bitmap length")
    mx = decode_zone(offerings, "mx-central-1", "mx-central-1a")
    chk.expect({"t3.micro", "m5.large", "c7g.large", "m7i.large"} <= mx, "estimated regions offer common types")
    ue1a = decode_zone(offerings, "us-east-1", "us-east-1a")
    chk.expect({"t2.micro", "m5.large", "g2.2xlarge"} <= ue1a, "us-east-1a offers t2.micro, m5.large, g2.2xlarge")


def decode_zone(offerings, region, zone_name):
    tindex = offerings["types"]
    for z in offerings["regions"][region]["zones"]:
        if z["zoneName"] == zone_name:
            bits = base64.b64decode(z["offered"])
            return {tindex[i] for i in range(len(tindex)) if i // 8 < len(bits) and bits[i // 8] >> (i % 8) & 1}
    return set()


def run_check(shared, out_dir):
    chk = Checker()
    inp, files = generate(shared)
    for name, data in files.items():
        path = os.path.join(out_dir, name)
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        chk.expect(current == data, f"{path}: missing or stale (run gen_catalog.py)")
    itypes = json.loads(files["instance-types.json"])["InstanceTypes"]
    types = {r["InstanceType"]: r for r in itypes}
    extras = json.loads(files["instance-type-extras.json"])["types"]
    regions = json.loads(files["regions.json"])
    offerings = json.loads(files["offerings.json"])
    for r in itypes:
        validate_shape(inp.model, "InstanceTypeInfo", r, r["InstanceType"], chk)
    for e in regions["regions"]:
        validate_shape(inp.model, "Region", e["Region"], e["Region"]["RegionName"], chk)
        for z in e["AvailabilityZones"]:
            validate_shape(inp.model, "AvailabilityZone", z, z["ZoneName"], chk)
    check_rules(types, extras, regions, offerings, chk)
    if chk.warnings:
        print(f"note: {len(chk.warnings)} instance types are newer than the EC2 model's InstanceType enum "
              f"(e.g. {', '.join(sorted(chk.warnings)[:3])})")
    for f in chk.failures:
        print("FAIL", f)
    print(f"{chk.passed} checks passed, {len(chk.failures)} failed")
    return 1 if chk.failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=DEFAULT_SHARED, help="shared data dir (default ../shared)")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, OUT_REL), help="output directory")
    ap.add_argument("--check", action="store_true", help="verify committed files and rules; exit 1 on failure")
    args = ap.parse_args()
    if args.check:
        sys.exit(run_check(args.shared, args.out))
    _, files = generate(args.shared)
    os.makedirs(args.out, exist_ok=True)
    for name, data in sorted(files.items()):
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(data)
        print(f"wrote {os.path.join(args.out, name)} ({len(data.encode())} bytes)")


if __name__ == "__main__":
    main()
