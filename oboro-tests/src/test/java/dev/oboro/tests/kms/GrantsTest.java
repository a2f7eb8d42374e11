package dev.oboro.tests.kms;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CreateGrantResponse;
import software.amazon.awssdk.services.kms.model.GrantConstraints;
import software.amazon.awssdk.services.kms.model.GrantListEntry;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

import java.util.List;
import java.util.Map;

import static dev.oboro.tests.kms.KmsAssert.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrantsTest {
    final String account = Oboro.newAccount();
    final KmsClient kms = Oboro.client(KmsClient.builder(), account);
    final String role = "arn:aws:iam::" + account + ":role/app";
    final String retirer = "arn:aws:iam::" + account + ":role/ops";

    @Test
    void createListAndRevoke() {
        KeyMetadata k = kms.createKey().keyMetadata();
        CreateGrantResponse g = kms.createGrant(r -> r.keyId(k.keyId()).granteePrincipal(role).retiringPrincipal(retirer)
                .operations(GrantOperation.ENCRYPT, GrantOperation.DECRYPT).name("app-grant")
                .constraints(GrantConstraints.builder().encryptionContextSubset(Map.of("app", "orders")).build()));
        assertTrue(g.grantId().matches("[0-9a-f]{64}"), g.grantId());
        assertTrue(g.grantToken().length() > 20);

        List<GrantListEntry> grants = kms.listGrants(r -> r.keyId(k.arn())).grants();
        assertEquals(1, grants.size());
        GrantListEntry e = grants.get(0);
        assertEquals(k.arn(), e.keyId());
        assertEquals(g.grantId(), e.grantId());
        assertEquals("app-grant", e.name());
        assertEquals(role, e.granteePrincipal());
        assertEquals(retirer, e.retiringPrincipal());
        assertEquals("arn:aws:iam::" + account + ":root", e.issuingAccount());
        assertEquals(List.of("Encrypt", "Decrypt"), e.operationsAsStrings());
        assertEquals(Map.of("app", "orders"), e.constraints().encryptionContextSubset());

        // the same name on the same key gives the same grant back
        assertEquals(g.grantId(), kms.createGrant(r -> r.keyId(k.keyId()).granteePrincipal(role)
                .operations(GrantOperation.ENCRYPT, GrantOperation.DECRYPT).name("app-grant")).grantId());
        assertEquals(1, kms.listGrants(r -> r.keyId(k.keyId())).grants().size());

        kms.revokeGrant(r -> r.keyId(k.keyId()).grantId(g.grantId()));
        assertEquals(0, kms.listGrants(r -> r.keyId(k.keyId())).grants().size());
        fails("NotFoundException", () -> kms.revokeGrant(r -> r.keyId(k.keyId()).grantId(g.grantId())));
        fails("InvalidGrantIdException", () -> kms.revokeGrant(r -> r.keyId(k.keyId()).grantId("nope")));
    }

    @Test
    void listGrantsFiltersAndPages() {
        String k = kms.createKey().keyMetadata().keyId();
        for (int i = 0; i < 5; i++) {
            String p = i % 2 == 0 ? role : retirer;
            kms.createGrant(r -> r.keyId(k).granteePrincipal(p).operations(GrantOperation.DECRYPT));
        }
        assertEquals(3, kms.listGrants(r -> r.keyId(k).granteePrincipal(role)).grants().size());
        var first = kms.listGrants(r -> r.keyId(k).limit(2));
        assertEquals(2, first.grants().size());
        assertTrue(first.truncated());
        assertEquals(5, kms.listGrantsPaginator(r -> r.keyId(k).limit(2)).grants().stream().map(GrantListEntry::grantId).distinct().count());
        String one = first.grants().get(0).grantId();
        assertEquals(List.of(one), kms.listGrants(r -> r.keyId(k).grantId(one)).grants().stream().map(GrantListEntry::grantId).toList());
    }

    @Test
    void retireByTokenOrByIdAndListRetirable() {
        String k = kms.createKey().keyMetadata().keyId();
        CreateGrantResponse a = kms.createGrant(r -> r.keyId(k).granteePrincipal(role).retiringPrincipal(retirer)
                .operations(GrantOperation.DECRYPT));
        CreateGrantResponse b = kms.createGrant(r -> r.keyId(k).granteePrincipal(role).retiringPrincipal(retirer)
                .operations(GrantOperation.ENCRYPT));
        kms.createGrant(r -> r.keyId(k).granteePrincipal(role).operations(GrantOperation.ENCRYPT));
        List<String> retirable = kms.listRetirableGrants(r -> r.retiringPrincipal(retirer)).grants().stream()
                .map(GrantListEntry::grantId).sorted().toList();
        assertEquals(List.of(a.grantId(), b.grantId()).stream().sorted().toList(), retirable);

        kms.retireGrant(r -> r.grantToken(a.grantToken()));
        kms.retireGrant(r -> r.keyId(k).grantId(b.grantId()));
        assertEquals(0, kms.listRetirableGrants(r -> r.retiringPrincipal(retirer)).grants().size());
        assertEquals(1, kms.listGrants(r -> r.keyId(k)).grants().size());
        fails("NotFoundException", () -> kms.retireGrant(r -> r.grantToken(a.grantToken())));
        fails("InvalidGrantTokenException", () -> kms.retireGrant(r -> r.grantToken("garbage-token")));
        fails("ValidationException", "Grant token OR (grant ID, key ID) must be specified",
                () -> kms.retireGrant(r -> r.grantId(b.grantId())));
    }

    @Test
    void grantsNeedAnEnabledKey() {
        String k = kms.createKey().keyMetadata().keyId();
        kms.disableKey(r -> r.keyId(k));
        fails("DisabledException", () -> kms.createGrant(r -> r.keyId(k).granteePrincipal(role).operations(GrantOperation.DECRYPT)));
        fails("ValidationException", () -> kms.createGrant(r -> r.keyId(k).granteePrincipal(role)));
        String tokenA = kms.createGrant(r -> r.keyId(kms.createKey().keyMetadata().keyId()).granteePrincipal(role)
                .operations(GrantOperation.DECRYPT)).grantToken();
        assertNotEquals("", tokenA);
    }
}
