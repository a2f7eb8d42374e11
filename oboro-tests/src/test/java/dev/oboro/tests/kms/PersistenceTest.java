package dev.oboro.tests.kms;

import dev.oboro.core.Config;
import dev.oboro.server.OboroServer;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static dev.oboro.tests.kms.KmsAssert.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key material, aliases and the deletion deadline survive a restart: a server of its own on a data
 * directory is stopped and started again; the new process decrypts old ciphertexts and deletes the
 * key when its clock passes the deletion date, without any KMS call re-arming the timer first.
 */
class PersistenceTest {
    final String account = Oboro.newAccount();

    private static KmsClient client(OboroServer s, String account) {
        return KmsClient.builder().endpointOverride(URI.create(s.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(Oboro.credentials(account)).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    private static OboroServer start(Path dir) {
        return OboroServer.start(Config.defaults().withPort(0).withDataDir(dir).withEphemeral(false));
    }

    @Test
    void keyMaterialAndDeletionTimerSurviveARestart(@TempDir Path dir) throws Exception {
        String keyId;
        String arn;
        SdkBytes blob;
        try (OboroServer first = start(dir); KmsClient kms = client(first, account)) {
            var k = kms.createKey().keyMetadata();
            keyId = k.keyId();
            arn = k.arn();
            kms.createAlias(r -> r.aliasName("alias/durable").targetKeyId(keyId));
            blob = kms.encrypt(r -> r.keyId("alias/durable").plaintext(SdkBytes.fromUtf8String("kept")).encryptionContext(Map.of("a", "b")))
                    .ciphertextBlob();
            kms.scheduleKeyDeletion(r -> r.keyId(keyId).pendingWindowInDays(7));
            kms.cancelKeyDeletion(r -> r.keyId(keyId));
            kms.enableKey(r -> r.keyId(keyId));
        }
        try (OboroServer second = start(dir); KmsClient kms = client(second, account)) {
            assertEquals("kept", kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("a", "b"))).plaintext().asUtf8String());
            assertEquals(keyId, kms.describeKey(r -> r.keyId("alias/durable")).keyMetadata().keyId());
            kms.scheduleKeyDeletion(r -> r.keyId(keyId).pendingWindowInDays(7));
        }
        try (OboroServer third = start(dir); KmsClient kms = client(third, account)) {
            // the service resumes on its own at start-up because it has persisted state
            Instant deadline = Instant.now().plusSeconds(20);
            while (!third.oboro().services().isLoaded("kms") && Instant.now().isBefore(deadline)) java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            assertTrue(third.oboro().services().isLoaded("kms"));
            third.oboro().scheduler().advance(Duration.ofDays(7).plusMinutes(1));
            fails("NotFoundException", "Key '" + arn + "' does not exist", () -> kms.describeKey(r -> r.keyId(keyId)));
        }
    }
}
