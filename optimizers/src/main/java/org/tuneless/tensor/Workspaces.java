package org.tuneless.tensor;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J workspaces for per-pass temporaries. Every forward/backward/HVP pass runs inside one, so memory stays flat
 * over thousands of steps instead of waiting for the garbage collector to free off-heap buffers (design.md).
 * Workspaces are per thread, so parallel trials do not share them.
 */
public final class Workspaces {

    private static final WorkspaceConfiguration PASS = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private Workspaces() {}

    /** Opens the per-thread workspace for one pass; close it (try-with-resources) when the pass is done. */
    public static MemoryWorkspace pass(String id) {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(PASS, "tuneless-" + id);
    }

    /**
     * Bytes the last completed pass of this id allocated in this thread's workspace (ND4J's cycle allocations: every
     * temporary of the pass, as the workspace has no per-array free); 0 before any.
     */
    public static long lastPassBytes(String id) {
        MemoryWorkspace ws = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(PASS, "tuneless-" + id);
        return ws.getLastCycleAllocations();
    }

    /** Leaves any active workspace, for allocating arrays that must outlive the current pass (state, results). */
    public static MemoryWorkspace detached() {
        return Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
    }
}
