package dev.oboro.tests.iam;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.CreateUserResponse;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.ListUsersResponse;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsersAndGroupsTest {
    static final String ACCOUNT = Oboro.newAccount();
    static final IamClient IAM = Oboro.client(IamClient.builder(), ACCOUNT);

    @AfterAll
    static void close() {
        IAM.close();
    }

    static IamException fails(Runnable r) {
        return assertThrows(IamException.class, r::run);
    }

    @Test
    void createAndGetUserWithAwsIdsAndArn() {
        CreateUserResponse r = IAM.createUser(b -> b.userName("alice").path("/engineering/").tags(Tag.builder().key("team").value("core").build()));
        User u = r.user();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/engineering/alice", u.arn());
        assertTrue(u.userId().matches("AIDA[A-Z0-9]{17}"), u.userId());
        assertEquals("/engineering/", u.path());
        User got = IAM.getUser(b -> b.userName("alice")).user();
        assertEquals(u.userId(), got.userId());
        assertEquals(List.of(Tag.builder().key("team").value("core").build()), got.tags());
    }

    @Test
    void duplicateNamesIgnoreCase() {
        IAM.createUser(b -> b.userName("Dup"));
        IamException e = fails(() -> IAM.createUser(b -> b.userName("dup")));
        assertEquals("EntityAlreadyExists", e.awsErrorDetails().errorCode());
        assertEquals(409, e.statusCode());
        assertEquals("User with name dup already exists.", e.awsErrorDetails().errorMessage());
    }

    @Test
    void unknownUserIsNoSuchEntity() {
        IamException e = fails(() -> IAM.getUser(b -> b.userName("nobody")));
        assertEquals("NoSuchEntity", e.awsErrorDetails().errorCode());
        assertEquals(404, e.statusCode());
        assertEquals("The user with name nobody cannot be found.", e.awsErrorDetails().errorMessage());
    }

    @Test
    void badNamesAreValidationErrors() {
        IamException e = fails(() -> IAM.createUser(b -> b.userName("bad name")));
        assertEquals("ValidationError", e.awsErrorDetails().errorCode());
        assertEquals(400, e.statusCode());
        assertTrue(e.awsErrorDetails().errorMessage().contains("Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
                e.awsErrorDetails().errorMessage());
        IamException tooLong = fails(() -> IAM.createUser(b -> b.userName("x".repeat(65))));
        assertTrue(tooLong.awsErrorDetails().errorMessage().contains("Member must have length less than or equal to 64"));
        IamException badPath = fails(() -> IAM.createUser(b -> b.userName("pathless").path("no-slashes")));
        assertEquals("ValidationError", badPath.awsErrorDetails().errorCode());
    }

    @Test
    void getUserWithoutNameIsTheCaller() {
        User root = IAM.getUser().user();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":root", root.arn());
        assertEquals(ACCOUNT, root.userId());
    }

    @Test
    void listUsersByPathPrefixWithMarkerPagination() {
        for (int i = 0; i < 5; i++) {
            int n = i;
            IAM.createUser(b -> b.userName("paged-" + n).path("/paged/"));
        }
        List<String> names = new ArrayList<>();
        String marker = null;
        int pages = 0;
        do {
            String m = marker;
            ListUsersResponse page = IAM.listUsers(b -> b.pathPrefix("/paged/").maxItems(2).marker(m));
            page.users().forEach(u -> names.add(u.userName()));
            assertTrue(page.users().size() <= 2);
            marker = page.isTruncated() ? page.marker() : null;
            pages++;
        } while (marker != null);
        assertEquals(List.of("paged-0", "paged-1", "paged-2", "paged-3", "paged-4"), names);
        assertEquals(3, pages);
        // the paginator of the SDK follows the same markers
        assertEquals(5, IAM.listUsersPaginator(b -> b.pathPrefix("/paged/").maxItems(2)).users().stream().count());
    }

    @Test
    void groupsMembershipAndDeleteConflicts() {
        IAM.createUser(b -> b.userName("member"));
        IAM.createGroup(b -> b.groupName("devs").path("/teams/"));
        IAM.addUserToGroup(b -> b.groupName("devs").userName("member"));
        assertEquals(List.of("member"), IAM.getGroup(b -> b.groupName("devs")).users().stream().map(User::userName).toList());
        assertEquals("arn:aws:iam::" + ACCOUNT + ":group/teams/devs", IAM.getGroup(b -> b.groupName("devs")).group().arn());
        assertTrue(IAM.getGroup(b -> b.groupName("devs")).group().groupId().matches("AGPA[A-Z0-9]{17}"));
        assertEquals(List.of("devs"), IAM.listGroupsForUser(b -> b.userName("member")).groups().stream().map(g -> g.groupName()).toList());
        assertTrue(IAM.listGroups(b -> b.pathPrefix("/teams/")).groups().stream().anyMatch(g -> g.groupName().equals("devs")));

        IamException groupInUse = fails(() -> IAM.deleteGroup(b -> b.groupName("devs")));
        assertEquals("DeleteConflict", groupInUse.awsErrorDetails().errorCode());
        assertEquals(409, groupInUse.statusCode());
        IamException userInGroup = fails(() -> IAM.deleteUser(b -> b.userName("member")));
        assertEquals("DeleteConflict", userInGroup.awsErrorDetails().errorCode());

        IAM.removeUserFromGroup(b -> b.groupName("devs").userName("member"));
        assertTrue(IAM.getGroup(b -> b.groupName("devs")).users().isEmpty());
        IAM.deleteGroup(b -> b.groupName("devs"));
        IAM.deleteUser(b -> b.userName("member"));
        assertEquals("NoSuchEntity", fails(() -> IAM.getGroup(b -> b.groupName("devs"))).awsErrorDetails().errorCode());
        assertEquals("The group with name devs cannot be found.",
                fails(() -> IAM.addUserToGroup(b -> b.groupName("devs").userName("member"))).awsErrorDetails().errorMessage());
    }

    @Test
    void userWithKeysOrPoliciesCannotBeDeleted() {
        IAM.createUser(b -> b.userName("holder"));
        String key = IAM.createAccessKey(b -> b.userName("holder")).accessKey().accessKeyId();
        IamException keys = fails(() -> IAM.deleteUser(b -> b.userName("holder")));
        assertEquals("Cannot delete entity, must delete access keys first.", keys.awsErrorDetails().errorMessage());
        IAM.deleteAccessKey(b -> b.userName("holder").accessKeyId(key));
        IAM.putUserPolicy(b -> b.userName("holder").policyName("inline").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"));
        IamException policies = fails(() -> IAM.deleteUser(b -> b.userName("holder")));
        assertEquals("Cannot delete entity, must delete policies first.", policies.awsErrorDetails().errorMessage());
        IAM.deleteUserPolicy(b -> b.userName("holder").policyName("inline"));
        IAM.attachUserPolicy(b -> b.userName("holder").policyArn("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        IamException attached = fails(() -> IAM.deleteUser(b -> b.userName("holder")));
        assertEquals("Cannot delete entity, must detach all policies first.", attached.awsErrorDetails().errorMessage());
        IAM.detachUserPolicy(b -> b.userName("holder").policyArn("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        IAM.deleteUser(b -> b.userName("holder"));
        assertEquals("NoSuchEntity", fails(() -> IAM.getUser(b -> b.userName("holder"))).awsErrorDetails().errorCode());
    }

    @Test
    void tagsAndRename() {
        IAM.createUser(b -> b.userName("tagged"));
        IAM.tagUser(b -> b.userName("tagged").tags(Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("2").build()));
        IAM.tagUser(b -> b.userName("tagged").tags(Tag.builder().key("a").value("3").build()));
        IAM.untagUser(b -> b.userName("tagged").tagKeys("b"));
        assertEquals(List.of(Tag.builder().key("a").value("3").build()), IAM.listUserTags(b -> b.userName("tagged")).tags());
        IAM.updateUser(b -> b.userName("tagged").newUserName("renamed").newPath("/moved/"));
        User u = IAM.getUser(b -> b.userName("renamed")).user();
        assertEquals("arn:aws:iam::" + ACCOUNT + ":user/moved/renamed", u.arn());
        assertFalse(u.tags().isEmpty());
        assertEquals("NoSuchEntity", fails(() -> IAM.getUser(b -> b.userName("tagged"))).awsErrorDetails().errorCode());
        // ListUsers leaves tags out, as AWS does
        User listed = IAM.listUsers(b -> b.pathPrefix("/moved/")).users().get(0);
        assertTrue(listed.tags().isEmpty());
        assertNull(listed.permissionsBoundary());
    }
}
