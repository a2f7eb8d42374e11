package dev.oboro.services.iam;

import dev.oboro.core.Call;
import dev.oboro.core.Identities;
import dev.oboro.core.Identity;
import dev.oboro.core.Pagination;
import dev.oboro.core.Scope;
import dev.oboro.wire.AwsException;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.CreateAccessKeyRequest;
import software.amazon.awssdk.services.iam.model.CreateAccessKeyResponse;
import software.amazon.awssdk.services.iam.model.DeleteAccessKeyRequest;
import software.amazon.awssdk.services.iam.model.DeleteAccessKeyResponse;
import software.amazon.awssdk.services.iam.model.ListAccessKeysRequest;
import software.amazon.awssdk.services.iam.model.ListAccessKeysResponse;
import software.amazon.awssdk.services.iam.model.UpdateAccessKeyRequest;
import software.amazon.awssdk.services.iam.model.UpdateAccessKeyResponse;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Long-term access keys. A key created here is a real identity: a request signed with it is made
 * by its user ({@link #resolve}, registered with Oboro's identities when IAM loads).
 */
final class AccessKeys {
    /** IAM quota: two access keys per user. */
    static final int KEYS_PER_USER = 2;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private final Iam iam;
    /** Access key id → account, so resolving a key does not scan every account. */
    private final Map<String, String> accounts = new ConcurrentHashMap<>();

    AccessKeys(Iam iam) {
        this.iam = iam;
        reindex();
    }

    /** Rebuilds the key index from state (at load, and after a reset or an import). */
    void reindex() {
        accounts.clear();
        for (Scope s : iam.keys.scopes()) {
            for (String id : iam.keys.entries(s).keySet()) accounts.put(id, s.account());
        }
    }

    /** The user (or root) behind an access key this IAM issued; null for keys it does not know. */
    Identity resolve(String accessKeyId) {
        String account = accounts.get(accessKeyId);
        if (account == null) return null;
        Scope s = Scope.global(account);
        IamAccessKey k = iam.keys.get(s, accessKeyId);
        if (k == null) return null;
        if (!"Active".equals(k.status())) throw new Identities.InvalidAccessKey(accessKeyId);
        if (k.userName() == null) return Identity.root(account, accessKeyId);
        IamUser u = iam.users.get(s, Iam.key(k.userName()));
        if (u == null) return null;
        String arn = Iam.arn(account, "user", u.path(), u.name());
        return new Identity(account, arn, u.userId(), "IAMUser", accessKeyId, u.name(), null, arn);
    }

    CreateAccessKeyResponse createAccessKey(Call call, CreateAccessKeyRequest req) {
        Scope s = call.globalScope();
        String userName = owner(call, req.userName());
        if (userName != null) userName = iam.user(call, userName).name();
        String owner = userName;
        IamAccessKey k = new IamAccessKey("AKIA" + dev.oboro.core.Ids.upperAlnum(16), secret(), owner, "Active", call.now());
        synchronized (this) {
            long existing = iam.keys.values(s).stream().filter(x -> Objects.equals(owner, x.userName())).count();
            if (existing >= KEYS_PER_USER) throw Iam.limitExceeded("Cannot exceed quota for AccessKeysPerUser: " + KEYS_PER_USER);
            iam.keys.put(s, k.accessKeyId(), k);
            accounts.put(k.accessKeyId(), call.account());
        }
        return CreateAccessKeyResponse.builder().accessKey(AccessKey.builder().userName(owner).accessKeyId(k.accessKeyId())
                .status(k.status()).secretAccessKey(k.secretAccessKey()).createDate(k.created()).build()).build();
    }

    ListAccessKeysResponse listAccessKeys(Call call, ListAccessKeysRequest req) {
        String userName = owner(call, req.userName());
        if (userName != null) userName = iam.user(call, userName).name();
        String owner = userName;
        List<IamAccessKey> ks = iam.keys.values(call.globalScope()).stream().filter(k -> Objects.equals(owner, k.userName())).toList();
        ListAccessKeysResponse.Builder b = ListAccessKeysResponse.builder();
        Pagination.Page<IamAccessKey> page = Pagination.page(call, req, ks, IamAccessKey::accessKeyId, b);
        return b.accessKeyMetadata(page.items().stream().map(k -> AccessKeyMetadata.builder().userName(k.userName())
                .accessKeyId(k.accessKeyId()).status(k.status()).createDate(k.created()).build()).toList()).build();
    }

    UpdateAccessKeyResponse updateAccessKey(Call call, UpdateAccessKeyRequest req) {
        IamAccessKey k = key(call, req.userName(), req.accessKeyId());
        iam.keys.put(call.globalScope(), k.accessKeyId(), k.withStatus(req.statusAsString()));
        return UpdateAccessKeyResponse.builder().build();
    }

    DeleteAccessKeyResponse deleteAccessKey(Call call, DeleteAccessKeyRequest req) {
        IamAccessKey k = key(call, req.userName(), req.accessKeyId());
        iam.keys.remove(call.globalScope(), k.accessKeyId());
        accounts.remove(k.accessKeyId());
        return DeleteAccessKeyResponse.builder().build();
    }

    /** A key of the named user (or, without a name, of the caller). */
    private IamAccessKey key(Call call, String userName, String accessKeyId) {
        String owner = owner(call, userName);
        if (owner != null) owner = iam.user(call, owner).name();
        IamAccessKey k = iam.keys.get(call.globalScope(), accessKeyId);
        if (k == null || !Objects.equals(owner, k.userName())) {
            throw Iam.noSuchEntity("The Access Key with id " + accessKeyId + " cannot be found.");
        }
        return k;
    }

    /** Without a user name, the keys are the caller's: an IAM user's, or the root user's (null). */
    private static String owner(Call call, String userName) {
        if (userName != null) return userName;
        Identity c = call.caller();
        if ("IAMUser".equals(c.type())) return c.userName();
        if ("Root".equals(c.type())) return null;
        throw new AwsException("ValidationError", "Must specify userName when calling with non-User credentials");
    }

    private static String secret() {
        char[] c = new char[40];
        for (int i = 0; i < c.length; i++) c[i] = SECRET_CHARS[RANDOM.nextInt(SECRET_CHARS.length)];
        return new String(c);
    }
}
