package dev.oboro.tests.ebs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.oboro.tests.ebs.EbsFixtures.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS CLI v2 against EBS: volumes, snapshots, modification, encryption by default, pagination and errors. */
@ResourceLock(Oboro.CLOCK)
class EbsCliTest {
    final String account = Oboro.newAccount();

    /** Walks a listing with --max-items/--page-size/--starting-token; every item once. */
    private List<String> walk(String command, String listKey, String field, String... more) {
        List<String> seen = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        String token = null;
        do {
            List<String> args = new ArrayList<>(List.of("ec2", command, "--max-items", "2", "--page-size", "5"));
            args.addAll(List.of(more));
            if (token != null) args.addAll(List.of("--starting-token", token));
            JsonNode page = cli(account, args.toArray(String[]::new));
            page.get(listKey).forEach(n -> seen.add(n.get(field).asText()));
            token = page.has("NextToken") ? page.get("NextToken").asText() : null;
            if (token != null) assertTrue(tokens.add(token), "token repeated");
        } while (token != null);
        return seen;
    }

    @Test
    void volumesSnapshotsAndPagination() {
        JsonNode v = cli(account, "ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "20", "--volume-type", "gp3",
                "--iops", "4000", "--tag-specifications", "ResourceType=volume,Tags=[{Key=app,Value=cli}]");
        String id = v.get("VolumeId").asText();
        assertEquals("creating", v.get("State").asText());
        assertEquals(4000, v.get("Iops").asInt());
        for (int i = 0; i < 4; i++) cli(account, "ec2", "create-volume", "--availability-zone", "us-east-1b", "--size", "1");
        Oboro.advance(Duration.ofSeconds(6));
        List<String> all = walk("describe-volumes", "Volumes", "VolumeId");
        assertEquals(5, all.size());
        assertEquals(5, new HashSet<>(all).size());
        assertEquals("available", cli(account, "ec2", "describe-volumes", "--filters", "Name=tag:app,Values=cli")
                .get("Volumes").get(0).get("State").asText());

        JsonNode m = cli(account, "ec2", "modify-volume", "--volume-id", id, "--size", "40").get("VolumeModification");
        assertEquals("modifying", m.get("ModificationState").asText());
        assertEquals(40, m.get("TargetSize").asInt());
        assertEquals(1, cli(account, "ec2", "describe-volumes-modifications", "--volume-ids", id).get("VolumesModifications").size());

        for (int i = 0; i < 3; i++) cli(account, "ec2", "create-snapshot", "--volume-id", id, "--description", "cli " + i);
        assertEquals(3, walk("describe-snapshots", "Snapshots", "SnapshotId", "--owner-ids", "self").size());
        assertEquals("ok", cli(account, "ec2", "describe-volume-status", "--volume-ids", id).get("VolumeStatuses").get(0)
                .get("VolumeStatus").get("Status").asText());

        Cli.Result bad = Cli.v2(account, "ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "10", "--volume-type", "io1");
        assertEquals(254, bad.exitCode());
        assertTrue(bad.stderr().contains("(InvalidParameterCombination)") && bad.stderr().contains("The parameter iops must be specified for io1 volumes."),
                bad.stderr());
        Cli.Result gone = Cli.v2(account, "ec2", "delete-volume", "--volume-id", "vol-0123456789abcdef0");
        assertTrue(gone.stderr().contains("(InvalidVolume.NotFound)"), gone.stderr());
    }

    @Test
    void encryptionByDefault() {
        assertFalse(cli(account, "ec2", "get-ebs-encryption-by-default").get("EbsEncryptionByDefault").asBoolean());
        assertTrue(cli(account, "ec2", "enable-ebs-encryption-by-default").get("EbsEncryptionByDefault").asBoolean());
        assertEquals("alias/aws/ebs", cli(account, "ec2", "get-ebs-default-kms-key-id").get("KmsKeyId").asText());
        String key = cli(account, "kms", "create-key").get("KeyMetadata").get("Arn").asText();
        assertEquals(key, cli(account, "ec2", "modify-ebs-default-kms-key-id", "--kms-key-id", key).get("KmsKeyId").asText());
        JsonNode v = cli(account, "ec2", "create-volume", "--availability-zone", "us-east-1a", "--size", "1", "--no-encrypted");
        assertTrue(v.get("Encrypted").asBoolean());
        assertEquals(key, v.get("KmsKeyId").asText());
        assertTrue(cli(account, "ec2", "reset-ebs-default-kms-key-id").get("KmsKeyId").asText().startsWith("arn:aws:kms:us-east-1:" + account + ":key/"));
        assertFalse(cli(account, "ec2", "disable-ebs-encryption-by-default").get("EbsEncryptionByDefault").asBoolean());
    }
}
