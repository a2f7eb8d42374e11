package dev.oboro.services.kms;

import dev.oboro.core.Call;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.kms.model.CreateGrantRequest;
import software.amazon.awssdk.services.kms.model.CreateGrantResponse;
import software.amazon.awssdk.services.kms.model.GrantListEntry;
import software.amazon.awssdk.services.kms.model.ListGrantsRequest;
import software.amazon.awssdk.services.kms.model.ListGrantsResponse;
import software.amazon.awssdk.services.kms.model.ListRetirableGrantsRequest;
import software.amazon.awssdk.services.kms.model.ListRetirableGrantsResponse;
import software.amazon.awssdk.services.kms.model.RetireGrantRequest;
import software.amazon.awssdk.services.kms.model.RetireGrantResponse;
import software.amazon.awssdk.services.kms.model.RevokeGrantRequest;
import software.amazon.awssdk.services.kms.model.RevokeGrantResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant. A grant token
 * names its grant (account, Region, id), so RetireGrant can find it from the token alone.
 * https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
 */
final class Grants {
    private static final Pattern GRANT_ID = Pattern.compile("^[0-9a-f]{64}$");
    private final KmsState state;

    Grants(KmsState state) {
        this.state = state;
    }

    CreateGrantResponse createGrant(Call call, CreateGrantRequest req) {
        KmsKey k = KmsState.usable(state.resolveKeyOnly(call, req.keyId()));
        KmsErrors.checkDryRun(req.dryRun());
        Scope s = call.scope();
        if (req.name() != null) {
            // A grant with the same name on the same key is returned again rather than duplicated.
            for (KmsGrant g : state.grants.values(s)) {
                if (req.name().equals(g.name()) && g.keyId().equals(k.keyId())) {
                    return CreateGrantResponse.builder().grantId(g.grantId()).grantToken(token(s, g.grantId())).build();
                }
            }
        }
        byte[] id = new byte[32];
        KmsState.RANDOM.nextBytes(id);
        String grantId = HexFormat.of().formatHex(id);
        KmsGrant g = new KmsGrant(grantId, k.keyId(), k.arn(), req.name(), req.granteePrincipal(), req.retiringPrincipal(),
                req.operationsAsStrings(), req.constraints(), call.now(), "arn:aws:iam::" + call.account() + ":root");
        state.grants.put(s, grantId, g);
        return CreateGrantResponse.builder().grantId(grantId).grantToken(token(s, grantId)).build();
    }

    ListGrantsResponse listGrants(Call call, ListGrantsRequest req) {
        KmsKey k = state.resolveKeyOnly(call, req.keyId());
        if (req.grantId() != null && !GRANT_ID.matcher(req.grantId()).matches()) throw invalidGrantId(req.grantId());
        List<KmsGrant> matching = new ArrayList<>();
        for (KmsGrant g : state.grants.values(call.scope())) {
            if (!g.keyId().equals(k.keyId())) continue;
            if (req.grantId() != null && !req.grantId().equals(g.grantId())) continue;
            if (req.granteePrincipal() != null && !req.granteePrincipal().equals(g.granteePrincipal())) continue;
            matching.add(g);
        }
        ListGrantsResponse.Builder b = ListGrantsResponse.builder();
        Pagination.Page<KmsGrant> page = Pagination.page(call, req, matching, KmsGrant::grantId, b,
                KmsState.smallPageLimit(req.limit(), 100));
        return b.grants(page.items().stream().map(Grants::entry).toList()).build();
    }

    ListRetirableGrantsResponse listRetirableGrants(Call call, ListRetirableGrantsRequest req) {
        List<KmsGrant> matching = new ArrayList<>();
        for (KmsGrant g : state.grants.values(call.scope())) {
            if (req.retiringPrincipal().equals(g.retiringPrincipal())) matching.add(g);
        }
        ListRetirableGrantsResponse.Builder b = ListRetirableGrantsResponse.builder();
        Pagination.Page<KmsGrant> page = Pagination.page(call, req, matching, KmsGrant::grantId, b,
                KmsState.smallPageLimit(req.limit(), 100));
        return b.grants(page.items().stream().map(Grants::entry).toList()).build();
    }

    RetireGrantResponse retireGrant(Call call, RetireGrantRequest req) {
        Scope s;
        String grantId;
        if (req.grantToken() != null) {
            String[] t = parseToken(req.grantToken());
            s = new Scope(t[0], t[1]);
            grantId = t[2];
        } else if (req.grantId() != null && req.keyId() != null) {
            s = call.scope();
            grantId = req.grantId();
            if (!GRANT_ID.matcher(grantId).matches()) throw invalidGrantId(grantId);
        } else {
            throw KmsErrors.validation("Grant token OR (grant ID, key ID) must be specified");
        }
        KmsGrant g = state.grants.get(s, grantId);
        if (g == null) throw grantNotFound(grantId);
        if (req.keyId() != null) {
            KmsKey k = state.resolveKeyOnly(call, req.keyId());
            if (!k.keyId().equals(g.keyId())) throw grantNotFound(grantId);
        }
        KmsErrors.checkDryRun(req.dryRun());
        state.grants.remove(s, grantId);
        return RetireGrantResponse.builder().build();
    }

    RevokeGrantResponse revokeGrant(Call call, RevokeGrantRequest req) {
        KmsKey k = state.resolveKeyOnly(call, req.keyId());
        if (!GRANT_ID.matcher(req.grantId()).matches()) throw invalidGrantId(req.grantId());
        KmsGrant g = state.grants.get(call.scope(), req.grantId());
        if (g == null || !g.keyId().equals(k.keyId())) throw grantNotFound(req.grantId());
        KmsErrors.checkDryRun(req.dryRun());
        state.grants.remove(call.scope(), req.grantId());
        return RevokeGrantResponse.builder().build();
    }

    private static GrantListEntry entry(KmsGrant g) {
        GrantListEntry.Builder b = GrantListEntry.builder().keyId(g.keyArn()).grantId(g.grantId()).name(g.name())
                .creationDate(g.creationDate()).granteePrincipal(g.granteePrincipal()).retiringPrincipal(g.retiringPrincipal())
                .issuingAccount(g.issuingAccount()).operationsWithStrings(g.operations());
        if (g.constraints() != null) b.constraints(g.constraints());
        return b.build();
    }

    /** An opaque token: a fresh random part each time (as AWS's are unique per call) and where the grant lives. */
    private static String token(Scope s, String grantId) {
        byte[] nonce = new byte[24];
        KmsState.RANDOM.nextBytes(nonce);
        String plain = "oboro-grant:" + s.account() + ":" + s.region() + ":" + grantId + ":" + HexFormat.of().formatHex(nonce);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] parseToken(String token) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] p = plain.split(":");
            if (p.length == 5 && p[0].equals("oboro-grant") && GRANT_ID.matcher(p[3]).matches()) {
                return new String[]{p[1], p[2], p[3]};
            }
        } catch (IllegalArgumentException ignored) {
            // not base64: falls through
        }
        throw new AwsException("InvalidGrantTokenException", "Grant token is not valid.");
    }

    private static AwsException invalidGrantId(String id) {
        return new AwsException("InvalidGrantIdException", "Invalid grantId '" + id + "'");
    }

    private static AwsException grantNotFound(String id) {
        return new AwsException("NotFoundException", "Grant ID " + id + " not found");
    }
}
