"""Hand-curated facts for the EC2 catalog, each with the place it came from.

Everything here is something the recorded AWS data in ../shared/aws-data/ec2 does not carry.
gen_catalog.py combines it with the recorded data; nothing in this module is read at run time
by Oboro itself.

Source abbreviations used below:

  [PARTITIONS]  AWS SDK partitions table (partitions.json, as shipped in the AWS SDKs, e.g.
                @aws-sdk/util-endpoints, aws-sdk-java-v2 `regions` module): the `aws` partition's
                region codes and their descriptions ("US East (N. Virginia)").
  [OPTIN]       AWS Account Management Reference Guide, "Enable or disable AWS Regions in your
                account" (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html):
                "Regions launched before March 20, 2019 are enabled by default ... Regions
                launched after March 20, 2019 are disabled by default and referred to as opt-in
                Regions." Cross-checked with the region table of awslabs/landing-zone-accelerator-on-aws
                (source/packages/@aws-accelerator/utils/lib/regions.ts, `optIn` flags).
  [AZS]         AWS Regions and Availability Zones guide, "AWS Availability Zones"
                (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html):
                AZ IDs per Region with their geography, and the example describe-availability-zones
                output showing GroupName "us-east-2-zg-1", GroupLongName "US East (Ohio) 1",
                Geography [{"Name": "United States of America"}], SubGeography [{"Name": "Ohio"}].
  [AZAPI]       EC2 API reference, AvailabilityZone.OptInStatus: "For Availability Zones, this
                parameter always has the value of opt-in-not-required."
  [ACCEL]       Amazon EC2 User Guide, "Linux accelerated computing instances"
                (doc_source/accelerated-computing-instances.md in awsdocs/amazon-ec2-user-guide):
                vCPUs, memory, GPUs, network performance, ENA, EBS-only / instance store,
                placement group support, HVM-only for P2, P3, G2, G3.
  [ENI]         EC2 User Guide, "Elastic network interfaces", table "IP addresses per network
                interface per instance type" (doc_source/using-eni.md): max ENIs, IPv4 and IPv6
                addresses per ENI, "IPv6 not supported" for G2.
  [CPUOPT]      EC2 User Guide, "Optimize CPU options" (doc_source/instance-optimize-cpu.md):
                default cores, threads per core, valid core counts.
  [EBSOPT]      EC2 User Guide, "Amazon EBS-optimized instances" (doc_source/ebs-optimized.md):
                EBS-optimized by default / supported, bandwidth, throughput, IOPS.
  [ISTORE]      EC2 User Guide, "Instance store volumes": g2.2xlarge 1 x 60 GB SSD,
                g2.8xlarge 2 x 120 GB SSD.
  [GPUREC]      A DescribeInstanceTypes response recorded while G2 was still listed (quoted in a
                public Go source file): g2.2xlarge GpuInfo Name "K520", Manufacturer "NVIDIA",
                MemoryInfo 4096 MiB; memory sizes in MiB of p3.2xlarge 62464, g3.8xlarge 249856,
                g3.16xlarge 499712, p2.8xlarge 499712, g2.2xlarge 15360.
  [RECOVER]     EC2 User Guide, "Recover your instance" (doc_source/ec2-instance-recover.md, 2020):
                the recover action is supported on "A1, C3, C4, C5, C5a, C5n, C6g, Inf1, M3, M4,
                M5, M5a, M5n, M6g, P3, R3, R4, R5, R5a, R5n, R6g, T2, T3, T3a, T4g, X1, or X1e",
                instances with only EBS volumes.
  [LAUNCH]      AWS launch announcements (AWS News Blog): G2 (Nov 2013), P2 (Sep 2016),
                G3 (Jul 2017) and P3 (Oct 2017) were all launched in US East (N. Virginia),
                US West (Oregon) and EU (Ireland).
"""

# --------------------------------------------------------------------------------------------
# Regions of the `aws` partition [PARTITIONS], in code order.
#   code -> (long name [PARTITIONS], opt-in region [OPTIN], geography [AZS], sub-geography [AZS])
# Sub-geography is given only where [AZS] lists one ("Virginia, United States of America").
# --------------------------------------------------------------------------------------------
REGIONS = {
    "af-south-1":     ("Africa (Cape Town)",          True,  "South Africa", None),
    "ap-east-1":      ("Asia Pacific (Hong Kong)",    True,  "Hong Kong", None),
    "ap-east-2":      ("Asia Pacific (Taipei)",       True,  "Taiwan", None),
    "ap-northeast-1": ("Asia Pacific (Tokyo)",        False, "Japan", None),
    "ap-northeast-2": ("Asia Pacific (Seoul)",        False, "South Korea", None),
    "ap-northeast-3": ("Asia Pacific (Osaka)",        False, "Japan", None),
    "ap-south-1":     ("Asia Pacific (Mumbai)",       False, "India", None),
    "ap-south-2":     ("Asia Pacific (Hyderabad)",    True,  "India", None),
    "ap-southeast-1": ("Asia Pacific (Singapore)",    False, "Singapore", None),
    "ap-southeast-2": ("Asia Pacific (Sydney)",       False, "Australia", None),
    "ap-southeast-3": ("Asia Pacific (Jakarta)",      True,  "Indonesia", None),
    "ap-southeast-4": ("Asia Pacific (Melbourne)",    True,  "Australia", None),
    "ap-southeast-5": ("Asia Pacific (Malaysia)",     True,  "Malaysia", None),
    "ap-southeast-6": ("Asia Pacific (New Zealand)",  True,  "New Zealand", None),
    "ap-southeast-7": ("Asia Pacific (Thailand)",     True,  "Thailand", None),
    "ca-central-1":   ("Canada (Central)",            False, "Canada", None),
    "ca-west-1":      ("Canada West (Calgary)",       True,  "Canada", None),
    "eu-central-1":   ("Europe (Frankfurt)",          False, "Germany", None),
    "eu-central-2":   ("Europe (Zurich)",             True,  "Switzerland", None),
    "eu-north-1":     ("Europe (Stockholm)",          False, "Sweden", None),
    "eu-south-1":     ("Europe (Milan)",              True,  "Italy", None),
    "eu-south-2":     ("Europe (Spain)",              True,  "Spain", None),
    "eu-west-1":      ("Europe (Ireland)",            False, "Ireland", None),
    "eu-west-2":      ("Europe (London)",             False, "United Kingdom", None),
    "eu-west-3":      ("Europe (Paris)",              False, "France", None),
    "il-central-1":   ("Israel (Tel Aviv)",           True,  "Israel", None),
    "me-central-1":   ("Middle East (UAE)",           True,  "United Arab Emirates", None),
    "me-south-1":     ("Middle East (Bahrain)",       True,  "Bahrain", None),
    "mx-central-1":   ("Mexico (Central)",            True,  "Mexico", None),
    "sa-east-1":      ("South America (Sao Paulo)",   False, "Brazil", None),
    "us-east-1":      ("US East (N. Virginia)",       False, "United States of America", "Virginia"),
    "us-east-2":      ("US East (Ohio)",              False, "United States of America", "Ohio"),
    "us-west-1":      ("US West (N. California)",     False, "United States of America", "California"),
    "us-west-2":      ("US West (Oregon)",            False, "United States of America", "Oregon"),
}

# What DescribeRegions reports as OptInStatus for an opt-in region. AWS reports `opted-in` for an
# account that enabled the region and `not-opted-in` otherwise; Oboro's accounts are treated as
# having opted in to every region (they can call every region), so the catalog says `opted-in`.
# The `oboro.optInRegion` flag keeps the fact, so a later per-account opt-in model can report
# `not-opted-in` without regenerating.
OPT_IN_STATUS_FOR_OPT_IN_REGIONS = "opted-in"

# Regions whose offerings were not recorded in ../shared/aws-data/ec2 (they opened in 2025).
# Their AZ IDs come from [AZS]. Their zone names pair with IDs by number (a<->az1, b<->az2, ...):
# [AZS] says only "our oldest Regions" map names to IDs independently per account, and every
# recorded region opened since 2019 shows exactly this pairing.
UNRECORDED_REGION_ZONE_IDS = {
    "ap-east-2":      ["ape2-az1", "ape2-az2", "ape2-az3"],
    "ap-southeast-6": ["apse6-az1", "apse6-az2", "apse6-az3"],
    "ap-southeast-7": ["apse7-az1", "apse7-az2", "apse7-az3"],
    "mx-central-1":   ["mxc1-az1", "mxc1-az2", "mxc1-az3"],
}

# Offerings for the unrecorded regions are estimated, not recorded: every zone offers the types
# that at least ESTIMATE_MIN_REGIONS of these recently opened (2022-2024), recorded regions offer
# (anywhere in the region). A new region opens with the widely deployed current-generation types;
# a strict intersection over all their zones would drop even t3.micro and m5.large (some zone
# always lacks them), so a majority over regions is used instead.
ESTIMATE_MIN_REGIONS = 6
ESTIMATE_OFFERINGS_FROM = [
    "ap-south-2", "ap-southeast-4", "ap-southeast-5", "ca-west-1",
    "eu-central-2", "eu-south-2", "il-central-1", "me-central-1",
]

# --------------------------------------------------------------------------------------------
# Instance types absent from the recorded DescribeInstanceTypes data (retired by AWS, so AWS no
# longer returns them), added from documentation. Each entry starts from a recorded *template*
# record of the same platform and era (Xen hypervisor, same vCPU/ENI class), then every field the
# documentation gives is set explicitly. Fields neither the docs nor the template determine are
# listed under "unsourced" in the entry's note and take the template's value.
#
# Network card bandwidth numbers: the docs give only the label ("High", "10 Gigabit"...); the
# numbers are the most common values AWS records for that label on Xen-era types
# ("High" 1.0/10.0, "10 Gigabit" 10.0/10.0, "25 Gigabit" 25.0/25.0 Gbps baseline/peak), or the
# template's own for "Up to 10 Gigabit".
# --------------------------------------------------------------------------------------------

def _gpu(name, count, mib_each, workloads):
    return {
        "Gpus": [{
            "Count": count,
            "GpuPartitionSize": 1.0,
            "LogicalGpuCount": count,
            "Manufacturer": "NVIDIA",
            "MemoryInfo": {"SizeInMiB": mib_each},
            "Name": name,
            "Workloads": workloads,
        }],
        "TotalGpuMemoryInMiB": count * mib_each,
    }


def _ebs_opt(support, mbps, mbs, iops):
    """[EBSOPT] row; baseline = maximum for these types (no burst footnote in [EBSOPT])."""
    info = {
        "AttachmentLimitType": "shared",
        "EbsOptimizedSupport": support,
        "EncryptionSupport": "supported",
        "MaximumEbsAttachments": 40,
        "NvmeSupport": "unsupported",
    }
    if support != "unsupported":
        info["EbsOptimizedInfo"] = {
            "BaselineBandwidthInMbps": mbps, "BaselineIops": iops, "BaselineThroughputInMBps": mbs,
            "MaximumBandwidthInMbps": mbps, "MaximumIops": iops, "MaximumThroughputInMBps": mbs,
        }
    return info


def _cpu(vcpus, cores, threads, valid_cores):
    """[CPUOPT] row; valid_cores None where the type is not in [CPUOPT] (CPU options unsupported)."""
    v = {"DefaultCores": cores, "DefaultThreadsPerCore": threads, "DefaultVCpus": vcpus}
    if valid_cores is not None:
        v["ValidCores"] = valid_cores
        v["ValidThreadsPerCore"] = [1, 2]
    return v


def _net(perf, enis, ipv4, ipv6, ena, baseline, peak):
    """[ENI] counts, [ACCEL] performance label and ENA; bandwidth numbers per the note above."""
    return {
        "EnaSupport": ena,
        "Ipv4AddressesPerInterface": ipv4,
        "Ipv6AddressesPerInterface": ipv6,
        "Ipv6Supported": ipv6 > 0,
        "MaximumNetworkInterfaces": enis,
        "NetworkPerformance": perf,
        "NetworkCards": [{
            "BaselineBandwidthInGbps": baseline,
            "DefaultEnaQueueCountPerInterface": 8,
            "MaximumNetworkInterfaces": enis,
            "NetworkCardIndex": 0,
            "NetworkPerformance": perf,
            "PeakBandwidthInGbps": peak,
        }],
    }


# Processors: G2 Intel Xeon E5-2670 (Sandy Bridge) 2.6 GHz; G3, P2, P3 Intel Xeon E5-2686 v4
# (Broadwell) 2.3 GHz [ACCEL, "Amazon EC2 G2/G3/P2/P3 Instances" product pages].
_G2_CPU = {"Manufacturer": "Intel", "SupportedArchitectures": ["x86_64"], "SustainedClockSpeedInGhz": 2.6}
_BDW_CPU = {"Manufacturer": "Intel", "SupportedArchitectures": ["x86_64"], "SustainedClockSpeedInGhz": 2.3}

_COMMON = {
    "BareMetal": False,
    "BurstablePerformanceSupported": False,
    "FreeTierEligible": False,
    "HibernationSupported": False,          # hibernation never covered G/P families (unsourced)
    "Hypervisor": "xen",                    # pre-Nitro families [ACCEL: launched 2013-2017, Xen]
    "NitroEnclavesSupport": "unsupported",
    "NitroTpmSupport": "unsupported",
    "PhcSupport": "unsupported",
    "PlacementGroupInfo": {"SupportedStrategies": ["cluster", "partition", "spread"]},  # [ACCEL] "Placement group: Yes"
    "RebootMigrationSupport": "unsupported",
    "SupportedBootModes": ["legacy-bios"],
    "SupportedUsageClasses": ["on-demand", "spot"],
    "SupportedVirtualizationTypes": ["hvm"],  # [ACCEL] "You must launch the instance using an HVM AMI"
}

# type -> (template type, fields). Memory in MiB = GiB * 1024 ([ACCEL] GiB; [GPUREC] confirms).
ADDED_TYPES = {
    # ---- G2: NVIDIA GRID K520 [ACCEL][GPUREC]; instance store SSD [ACCEL][ISTORE]; no ENA, no
    # Intel 82599 VF (not in either list of the enhanced networking guide); IPv6 not supported [ENI].
    "g2.2xlarge": ("c3.2xlarge", {
        "AutoRecoverySupported": False,  # not in [RECOVER]; has instance store
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("supported", 1000, 125.0, 8000),
        "GpuInfo": _gpu("K520", 1, 4096, ["graphics"]),
        "InstanceStorageInfo": {"Disks": [{"Count": 1, "SizeInGB": 60, "Type": "ssd"}],
                                "EncryptionSupport": "unsupported", "NvmeSupport": "unsupported",
                                "TotalSizeInGB": 60},
        "InstanceStorageSupported": True,
        "MemoryInfo": {"SizeInMiB": 15360},
        "NetworkInfo": _net("High", 4, 15, 0, "unsupported", 1.0, 10.0),
        "ProcessorInfo": _G2_CPU,
        "SupportedRootDeviceTypes": ["ebs", "instance-store"],
        "VCpuInfo": _cpu(8, 4, 2, None),
    }),
    "g2.8xlarge": ("c3.8xlarge", {
        "AutoRecoverySupported": False,
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("unsupported", 0, 0, 0),  # not listed in [EBSOPT]
        "GpuInfo": _gpu("K520", 4, 4096, ["graphics"]),
        "InstanceStorageInfo": {"Disks": [{"Count": 2, "SizeInGB": 120, "Type": "ssd"}],
                                "EncryptionSupport": "unsupported", "NvmeSupport": "unsupported",
                                "TotalSizeInGB": 240},
        "InstanceStorageSupported": True,
        "MemoryInfo": {"SizeInMiB": 61440},
        "NetworkInfo": _net("10 Gigabit", 8, 30, 0, "unsupported", 10.0, 10.0),
        "ProcessorInfo": _G2_CPU,
        "SupportedRootDeviceTypes": ["ebs", "instance-store"],
        "VCpuInfo": _cpu(32, 16, 2, None),
    }),
    # ---- G3 / G3s: NVIDIA Tesla M60, 8 GiB per GPU [ACCEL]; EBS only; ENA supported [ACCEL].
    "g3s.xlarge": ("r4.xlarge", {
        "AutoRecoverySupported": False,  # not in [RECOVER]
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 850, 100.0, 5000),
        "GpuInfo": _gpu("M60", 1, 8192, ["graphics"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 31232},
        "NetworkInfo": _net("10 Gigabit", 4, 15, 15, "supported", 10.0, 10.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(4, 2, 2, [1, 2]),
    }),
    "g3.4xlarge": ("r4.4xlarge", {
        "AutoRecoverySupported": False,
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 3500, 437.5, 20000),
        "GpuInfo": _gpu("M60", 1, 8192, ["graphics"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 124928},
        "NetworkInfo": _net("Up to 10 Gigabit", 8, 30, 30, "supported", 5.0, 10.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(16, 8, 2, list(range(1, 9))),
    }),
    "g3.8xlarge": ("r4.8xlarge", {
        "AutoRecoverySupported": False,
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 7000, 875.0, 40000),
        "GpuInfo": _gpu("M60", 2, 8192, ["graphics"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 249856},
        "NetworkInfo": _net("10 Gigabit", 8, 30, 30, "supported", 10.0, 10.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(32, 16, 2, list(range(1, 17))),
    }),
    "g3.16xlarge": ("r4.16xlarge", {
        "AutoRecoverySupported": False,
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 14000, 1750.0, 80000),
        "GpuInfo": _gpu("M60", 4, 8192, ["graphics"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 499712},
        "NetworkInfo": _net("25 Gigabit", 15, 50, 50, "supported", 25.0, 25.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(64, 32, 2, list(range(2, 33, 2))),
    }),
    # ---- P2: NVIDIA Tesla K80, 12 GiB per GPU [ACCEL]; EBS only; ENA supported [ACCEL].
    "p2.xlarge": ("r4.xlarge", {
        "AutoRecoverySupported": False,  # not in [RECOVER]
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 750, 93.75, 6000),
        "GpuInfo": _gpu("K80", 1, 12288, ["ml-ai"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 62464},
        "NetworkInfo": _net("High", 4, 15, 15, "supported", 1.0, 10.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(4, 2, 2, [1, 2]),
    }),
    "p2.8xlarge": ("r4.8xlarge", {
        "AutoRecoverySupported": False,
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 5000, 625.0, 32500),
        "GpuInfo": _gpu("K80", 8, 12288, ["ml-ai"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 499712},
        "NetworkInfo": _net("10 Gigabit", 8, 30, 30, "supported", 10.0, 10.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(32, 16, 2, list(range(1, 17))),
    }),
    "p2.16xlarge": ("r4.16xlarge", {
        "AutoRecoverySupported": False,
        "CurrentGeneration": False,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 10000, 1250.0, 65000),
        "GpuInfo": _gpu("K80", 16, 12288, ["ml-ai"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 749568},
        "NetworkInfo": _net("25 Gigabit", 8, 30, 30, "supported", 25.0, 25.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(64, 32, 2, list(range(2, 33, 2))),
    }),
    # ---- P3: NVIDIA Tesla V100, 16 GiB per GPU [ACCEL]; EBS only; ENA supported [ACCEL];
    # recover action supported [RECOVER]. CurrentGeneration follows the recorded p3dn.24xlarge
    # (same family, AWS reports it current).
    "p3.2xlarge": ("r4.2xlarge", {
        "AutoRecoverySupported": True,
        "CurrentGeneration": True,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 1750, 218.75, 10000),
        "GpuInfo": _gpu("V100", 1, 16384, ["ml-ai"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 62464},
        "NetworkInfo": _net("Up to 10 Gigabit", 4, 15, 15, "supported", 2.5, 10.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(8, 4, 2, [1, 2, 3, 4]),
    }),
    "p3.8xlarge": ("r4.8xlarge", {
        "AutoRecoverySupported": True,
        "CurrentGeneration": True,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 7000, 875.0, 40000),
        "GpuInfo": _gpu("V100", 4, 16384, ["ml-ai"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 249856},
        "NetworkInfo": _net("10 Gigabit", 8, 30, 30, "supported", 10.0, 10.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(32, 16, 2, list(range(1, 17))),
    }),
    "p3.16xlarge": ("r4.16xlarge", {
        "AutoRecoverySupported": True,
        "CurrentGeneration": True,
        "DedicatedHostsSupported": True,
        "EbsInfo": _ebs_opt("default", 14000, 1750.0, 80000),
        "GpuInfo": _gpu("V100", 8, 16384, ["ml-ai"]),
        "InstanceStorageSupported": False,
        "MemoryInfo": {"SizeInMiB": 499712},
        "NetworkInfo": _net("25 Gigabit", 8, 30, 30, "supported", 25.0, 25.0),
        "ProcessorInfo": _BDW_CPU,
        "SupportedRootDeviceTypes": ["ebs"],
        "VCpuInfo": _cpu(64, 32, 2, list(range(2, 33, 2))),
    }),
}
for _template, _fields in ADDED_TYPES.values():
    for _k, _v in _COMMON.items():
        _fields.setdefault(_k, _v)

# Fields of added records that no source above determines; they keep the template's value.
# (Listed so a reader knows what is inferred rather than documented.)
ADDED_TYPES_UNSOURCED = [
    "NetworkInfo.ConnectionTrackingConfiguration", "NetworkInfo.EnaSrdSupported (false)",
    "NetworkInfo.EncryptionInTransitSupported (false)", "NetworkInfo.FlexibleEnaQueuesSupport",
    "NetworkInfo.SecondaryNetworkSupported", "NetworkInfo.DefaultNetworkCardIndex",
    "NetworkInfo.MaximumNetworkCards", "EbsInfo.MaximumEbsAttachments (40, Xen default)",
    "GpuInfo.Workloads", "HibernationSupported", "DedicatedHostsSupported",
    "RebootMigrationSupport", "SupportedInRegion",
]

# Where the added (retired) types are offered. Not recorded anywhere (AWS no longer offers them);
# Oboro offers them in their common launch regions [LAUNCH], in each zone of those regions that
# offers the record's template type (so constrained zones such as us-east-1e stay small).
ADDED_TYPES_REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
