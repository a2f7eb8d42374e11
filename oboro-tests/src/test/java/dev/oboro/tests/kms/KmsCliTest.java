package dev.oboro.tests.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kms.KmsClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS CLI against KMS: pagination over 25+ keys and aliases, and encrypt/decrypt with fileb://. */
class KmsCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    final KmsClient kms = Oboro.client(KmsClient.builder(), account);

    static JsonNode run(String account, String... args) throws Exception {
        return JSON.readTree(Cli.v2(account, args).ok().stdout());
    }

    /** Walks a listing with --max-items/--page-size/--starting-token; every item once, every page distinct. */
    static List<String> walk(String account, String command, String listKey, String field, int maxItems, int pageSize) throws Exception {
        List<String> seen = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        String token = null;
        do {
            List<String> args = new ArrayList<>(List.of("kms", command, "--max-items", "" + maxItems, "--page-size", "" + pageSize));
            if (token != null) args.addAll(List.of("--starting-token", token));
            JsonNode page = run(account, args.toArray(String[]::new));
            List<String> items = new ArrayList<>();
            page.get(listKey).forEach(n -> items.add(n.get(field).asText()));
            assertTrue(items.size() <= maxItems && !items.isEmpty(), items.toString());
            assertTrue(seen.stream().noneMatch(items::contains), "page repeats items: " + items);
            seen.addAll(items);
            token = page.has("NextToken") ? page.get("NextToken").asText() : null;
            if (token != null) assertTrue(tokens.add(token), "token repeated");
        } while (token != null);
        return seen;
    }

    @Test
    void listKeysPaginationOverThirtyKeys() throws Exception {
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 30; i++) created.add(kms.createKey().keyMetadata().keyId());
        List<String> seen = walk(account, "list-keys", "Keys", "KeyId", 12, 5);
        assertEquals(30, seen.size());
        assertEquals(created, new HashSet<>(seen));
        // without --max-items the CLI follows NextMarker across pages of 7
        JsonNode all = run(account, "kms", "list-keys", "--page-size", "7");
        assertEquals(30, all.get("Keys").size());
        assertNull(all.get("NextToken"));
    }

    @Test
    void listAliasesPaginationOverTwentySixAliases() throws Exception {
        String key = kms.createKey().keyMetadata().keyId();
        Set<String> mine = new HashSet<>();
        for (int i = 0; i < 26; i++) {
            String name = String.format("alias/cli-%02d", i);
            kms.createAlias(r -> r.aliasName(name).targetKeyId(key));
            mine.add(name);
        }
        List<String> seen = walk(account, "list-aliases", "Aliases", "AliasName", 15, 6);
        assertEquals(seen.size(), new HashSet<>(seen).size());
        assertTrue(new HashSet<>(seen).containsAll(mine));
        assertTrue(seen.contains("alias/aws/ebs"), "predefined AWS aliases are listed too");
        assertEquals(kms.listAliasesPaginator().aliases().stream().count(), seen.size());
        JsonNode byKey = run(account, "kms", "list-aliases", "--key-id", key, "--page-size", "10");
        assertEquals(26, byKey.get("Aliases").size());
    }

    @Test
    void encryptAndDecryptWithFileb(@TempDir Path dir) throws Exception {
        String key = kms.createKey().keyMetadata().keyId();
        kms.createAlias(r -> r.aliasName("alias/cli-crypto").targetKeyId(key));
        byte[] plain = new byte[300];
        for (int i = 0; i < plain.length; i++) plain[i] = (byte) i;
        Path in = dir.resolve("plain.bin");
        Files.write(in, plain);
        JsonNode enc = run(account, "kms", "encrypt", "--key-id", "alias/cli-crypto", "--plaintext", "fileb://" + in,
                "--encryption-context", "app=cli");
        assertEquals("arn:aws:kms:us-east-1:" + account + ":key/" + key, enc.get("KeyId").asText());
        Path ct = dir.resolve("ct.bin");
        Files.write(ct, Base64.getDecoder().decode(enc.get("CiphertextBlob").asText()));
        JsonNode dec = run(account, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ct, "--encryption-context", "app=cli");
        assertArrayEquals(plain, Base64.getDecoder().decode(dec.get("Plaintext").asText()));
        Cli.Result wrong = Cli.v2(account, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ct);
        assertNotEquals(0, wrong.exitCode());
        assertTrue(wrong.stderr().contains("InvalidCiphertextException"), wrong.stderr());
    }

    @Test
    void cliErrorsNameTheAwsCode() {
        Cli.Result r = Cli.v2(account, "kms", "describe-key", "--key-id", "alias/does-not-exist");
        assertNotEquals(0, r.exitCode());
        assertTrue(r.stderr().contains("NotFoundException") && r.stderr().contains("alias/does-not-exist is not found."), r.stderr());
    }

    @Test
    void cliV1CreatesDescribesAndEncrypts() throws Exception {
        Assumptions.assumeTrue(Cli.v1Path() != null, "no AWS CLI v1 on PATH");
        JsonNode created = JSON.readTree(Cli.v1(account, "kms", "create-key", "--description", "from v1").ok().stdout());
        String id = created.get("KeyMetadata").get("KeyId").asText();
        JsonNode described = JSON.readTree(Cli.v1(account, "kms", "describe-key", "--key-id", id).ok().stdout());
        assertEquals("from v1", described.get("KeyMetadata").get("Description").asText());
        assertEquals("Enabled", described.get("KeyMetadata").get("KeyState").asText());
        // CLI v1 sends --plaintext as text and prints blobs as base64
        JsonNode enc = JSON.readTree(Cli.v1(account, "kms", "encrypt", "--key-id", id, "--plaintext", "hello v1").ok().stdout());
        byte[] blob = Base64.getDecoder().decode(enc.get("CiphertextBlob").asText());
        assertEquals("hello v1", new String(kms.decrypt(r -> r.ciphertextBlob(software.amazon.awssdk.core.SdkBytes.fromByteArray(blob)))
                .plaintext().asByteArray(), StandardCharsets.UTF_8));
    }
}
