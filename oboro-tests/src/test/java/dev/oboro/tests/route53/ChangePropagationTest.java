package dev.oboro.tests.route53;

import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.CreateHostedZoneResponse;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A change is PENDING until it has propagated on Oboro's clock, then INSYNC. */
@ResourceLock(Oboro.CLOCK)
class ChangePropagationTest {
    @Test
    void pendingUntilTheClockPassesPropagation() {
        try (Route53Client r53 = Oboro.client(Route53Client.builder(), Oboro.newAccount())) {
            CreateHostedZoneResponse created = r53.createHostedZone(r -> r.name("prop.example.com").callerReference("prop"));
            String changeId = created.changeInfo().id();
            assertEquals(ChangeStatus.PENDING, r53.getChange(r -> r.id(changeId)).changeInfo().status());
            Oboro.advance(Duration.ofSeconds(10));
            assertEquals(ChangeStatus.PENDING, r53.getChange(r -> r.id(changeId)).changeInfo().status());
            Oboro.advance(Duration.ofSeconds(25));
            assertEquals(ChangeStatus.INSYNC, r53.getChange(r -> r.id(changeId)).changeInfo().status());
        }
    }
}
