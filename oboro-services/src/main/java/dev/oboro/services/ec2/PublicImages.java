package dev.oboro.services.ec2;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public images every account sees in every region: Amazon Linux 2023 and 2 (x86_64 and
 * arm64), Ubuntu 22.04 and 24.04, Windows Server 2022, a paravirtual and an instance-store-backed
 * Amazon Linux AMI, and a Marketplace image. Names, descriptions, owners and attributes follow
 * the images AWS publishes; ids are derived from region and name, so they are stable and differ
 * per region as AWS's do.
 */
final class PublicImages {
    private PublicImages() {
    }

    static final String AMAZON = "137112412989";
    static final String CANONICAL = "099720109477";
    static final String WINDOWS = "801119661308";
    static final String MARKETPLACE = "679593333241";

    private record Template(String owner, String alias, String name, String description, String arch, String virt, String rootType,
                            String rootDevice, int size, String volumeType, boolean ena, String sriov, String platform,
                            String platformDetails, String usageOperation, String bootMode, String imds, String created,
                            String productCode) {
    }

    private static final List<Template> TEMPLATES = List.of(
            new Template(AMAZON, "amazon", "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
                    "Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1", "x86_64", "hvm", "ebs", "/dev/xvda", 8, "gp3",
                    true, "simple", null, "Linux/UNIX", "RunInstances", "uefi-preferred", "v2.0", "2024-12-12T23:36:53.000Z", null),
            new Template(AMAZON, "amazon", "al2023-ami-2023.6.20241212.0-kernel-6.1-arm64",
                    "Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1", "arm64", "hvm", "ebs", "/dev/xvda", 8, "gp3",
                    true, "simple", null, "Linux/UNIX", "RunInstances", "uefi", "v2.0", "2024-12-12T23:37:05.000Z", null),
            new Template(AMAZON, "amazon", "amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-x86_64-gp2",
                    "Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 x86_64 HVM gp2", "x86_64", "hvm", "ebs", "/dev/xvda", 8, "gp2",
                    true, "simple", null, "Linux/UNIX", "RunInstances", null, null, "2024-12-17T20:12:36.000Z", null),
            new Template(AMAZON, "amazon", "amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-arm64-gp2",
                    "Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 arm64 HVM gp2", "arm64", "hvm", "ebs", "/dev/xvda", 8, "gp2",
                    true, "simple", null, "Linux/UNIX", "RunInstances", "uefi", null, "2024-12-17T20:12:41.000Z", null),
            new Template(CANONICAL, null, "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241206",
                    "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2024-12-06", "x86_64", "hvm", "ebs", "/dev/sda1", 8, "gp2",
                    true, "simple", null, "Linux/UNIX", "RunInstances", "legacy-bios", null, "2024-12-06T08:28:11.000Z", null),
            new Template(CANONICAL, null, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206",
                    "Canonical, Ubuntu, 24.04, amd64 noble image", "x86_64", "hvm", "ebs", "/dev/sda1", 8, "gp3",
                    true, "simple", null, "Linux/UNIX", "RunInstances", "uefi-preferred", "v2.0", "2024-12-06T09:14:52.000Z", null),
            new Template(CANONICAL, null, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20241206",
                    "Canonical, Ubuntu, 24.04, arm64 noble image", "arm64", "hvm", "ebs", "/dev/sda1", 8, "gp3",
                    true, "simple", null, "Linux/UNIX", "RunInstances", "uefi", "v2.0", "2024-12-06T09:15:03.000Z", null),
            new Template(WINDOWS, "amazon", "Windows_Server-2022-English-Full-Base-2024.12.13",
                    "Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon", "x86_64", "hvm", "ebs", "/dev/sda1", 30,
                    "gp2", true, "simple", "windows", "Windows", "RunInstances:0002", "uefi-preferred", null, "2024-12-13T01:42:18.000Z", null),
            // paravirtual: runs only on types that support PV (C1, C3, M1, M2, M3, T1)
            new Template(AMAZON, "amazon", "amzn-ami-pv-2018.03.0.20231218.0-x86_64-ebs",
                    "Amazon Linux AMI 2018.03.0.20231218.0 x86_64 PV EBS", "x86_64", "paravirtual", "ebs", "/dev/sda1", 8, "standard",
                    false, null, null, "Linux/UNIX", "RunInstances", null, null, "2023-12-18T22:39:27.000Z", null),
            // instance-store-backed: its root is copied from S3 to the instance store at launch
            new Template(AMAZON, "amazon", "amzn-ami-hvm-2018.03.0.20231218.0-x86_64-s3",
                    "Amazon Linux AMI 2018.03.0.20231218.0 x86_64 HVM instance-store", "x86_64", "hvm", "instance-store", "/dev/xvda",
                    0, null, true, "simple", null, "Linux/UNIX", "RunInstances", null, null, "2023-12-18T22:40:02.000Z", null),
            new Template(MARKETPLACE, "aws-marketplace", "Rocky-9-EC2-Base-9.5-20241118.0.x86_64-3f230a17-9877-4b16-aa5e-b1ff34ab206b",
                    "Rocky-9-EC2-Base-9.5-20241118.0.x86_64", "x86_64", "hvm", "ebs", "/dev/sda1", 10, "gp3",
                    true, "simple", null, "Linux/UNIX", "RunInstances", "uefi-preferred", null, "2024-11-18T17:46:20.000Z",
                    "cotnnspjrsi38lfn8qo4ibnnm"));

    private static final Map<String, List<Images.Ami>> BY_REGION = new ConcurrentHashMap<>();

    static List<Images.Ami> in(String region) {
        return BY_REGION.computeIfAbsent(region, PublicImages::build);
    }

    static Images.Ami find(String region, String id) {
        for (Images.Ami a : in(region)) if (a.id().equals(id)) return a;
        return null;
    }

    private static List<Images.Ami> build(String region) {
        List<Images.Ami> out = new ArrayList<>();
        for (Template t : TEMPLATES) {
            String id = "ami-" + hash(region + "/" + t.name());
            List<Images.Bdm> bdms = new ArrayList<>();
            if (t.rootType().equals("ebs")) {
                bdms.add(new Images.Bdm(t.rootDevice(), null, "snap-" + hash("snap/" + region + "/" + t.name()), t.size(),
                        t.volumeType(), true, false, t.volumeType().equals("gp3") ? 3000 : null, t.volumeType().equals("gp3") ? 125 : null));
            } else {
                bdms.add(new Images.Bdm("/dev/sdb", "ephemeral0", null, null, null, null, null, null, null));
            }
            String location = t.rootType().equals("ebs") ? (t.alias() != null ? t.alias() : t.owner()) + "/" + t.name()
                    : "amzn-ami-" + region + "/" + t.name() + ".manifest.xml";
            out.add(new Images.Ami(id, t.owner(), t.alias(), t.name(), t.description(), t.arch(), t.virt(), t.rootType(), t.rootDevice(),
                    bdms, t.ena(), t.sriov(), t.platform(), t.platformDetails(), t.usageOperation(),
                    t.virt().equals("paravirtual") ? "aki-" + hash("aki/" + region).substring(0, 8) : null, location, t.bootMode(),
                    t.imds(), Instant.parse(t.created()), Instant.parse(t.created()), true, List.of(), null, null, null, t.productCode()));
        }
        return List.copyOf(out);
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return "0" + HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
