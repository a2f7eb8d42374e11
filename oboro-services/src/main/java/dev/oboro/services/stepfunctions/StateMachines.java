package dev.oboro.services.stepfunctions;

import dev.oboro.core.Call;
import dev.oboro.core.Oboro;
import dev.oboro.core.Pagination;
import dev.oboro.core.store.Table;
import software.amazon.awssdk.services.sfn.model.ListStateMachinesRequest;
import software.amazon.awssdk.services.sfn.model.ListStateMachinesResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineListItem;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * State machines. Only the listing exists so far (the Step Functions issue builds the rest on the
 * ASL engine).
 */
final class StateMachines {
    /** A state machine as stored. */
    record StateMachine(String arn, String name, String type, String definition, String roleArn, Instant creationDate) {
    }

    private final Table<StateMachine> machines;

    StateMachines(Oboro oboro) {
        this.machines = oboro.store().table("stepfunctions.statemachines", StateMachine.class);
    }

    ListStateMachinesResponse listStateMachines(Call call, ListStateMachinesRequest req) {
        List<StateMachine> all = new ArrayList<>(machines.values(call.scope()));
        ListStateMachinesResponse.Builder b = ListStateMachinesResponse.builder();
        Pagination.Page<StateMachine> page = Pagination.page(call, req, all, StateMachine::arn, b);
        return b.stateMachines(page.items().stream().map(m -> StateMachineListItem.builder()
                .stateMachineArn(m.arn()).name(m.name()).type(m.type()).creationDate(m.creationDate()).build()).toList())
                .build();
    }
}
