package org.tuneless.tensor;

import java.lang.reflect.Method;

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
 *
 * <p>Sizing: a workspace is one block of a fixed size. A pass that needs more than the block spills to ordinary
 * allocations that are freed when the pass ends; the next time the workspace is opened it is made anew at 1.1× that
 * pass, and the C heap is trimmed first, so the spilled pass's freed memory goes back to the system
 * instead of staying resident beside the new block. ND4J's own first-loop learning would do the same growth, but keeps
 * the first pass's spills and the new block resident together (a ResNet-18 gradient at batch 128 then peaked at
 * 5.1 GB RSS instead of 3 GB; benchmarks/README.md, "Memory").
 */
public final class Workspaces {

    private static final long INITIAL_BYTES = 1L << 20;

    private Workspaces() {}

    /** Opens the per-thread workspace for one pass; close it (try-with-resources) when the pass is done. */
    public static MemoryWorkspace pass(String id) {
        return open("tuneless-" + id);
    }

    private static MemoryWorkspace open(String name) {
        var manager = Nd4j.getWorkspaceManager();
        long size = INITIAL_BYTES;
        if (manager.checkIfWorkspaceExists(name)) {
            MemoryWorkspace existing = manager.getWorkspaceForCurrentThread(name);
            long needed = existing.getLastCycleAllocations();
            if (needed <= existing.getCurrentSize() || existing.isScopeActive()) return existing.notifyScopeEntered();
            manager.destroyWorkspace(existing);
            trimNativeHeap();
            size = needed + needed / 10;
        }
        WorkspaceConfiguration conf = WorkspaceConfiguration.builder()
                .initialSize(size)
                .policyAllocation(AllocationPolicy.STRICT)
                .policyLearning(LearningPolicy.NONE)
                .policyReset(ResetPolicy.BLOCK_LEFT)
                .policySpill(SpillPolicy.EXTERNAL)
                .build();
        return manager.getAndActivateWorkspace(conf, name);
    }

    /**
     * Bytes the last completed pass of this id allocated in this thread's workspace (ND4J's cycle allocations: every
     * temporary of the pass, spilled or not, as the workspace has no per-array free); 0 before any.
     */
    public static long lastPassBytes(String id) {
        String name = "tuneless-" + id;
        if (!Nd4j.getWorkspaceManager().checkIfWorkspaceExists(name)) return 0;
        return Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(name).getLastCycleAllocations();
    }

    /** Leaves any active workspace, for allocating arrays that must outlive the current pass (state, results). */
    public static MemoryWorkspace detached() {
        return Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
    }

    private static final Method TRIM = trimMethod();

    /** JavaCPP's malloc_trim(0) wrapper (private in JavaCPP 1.5.7, which calls it itself when memory runs short). */
    private static Method trimMethod() {
        try {
            Method m = Class.forName("org.bytedeco.javacpp.Pointer").getDeclaredMethod("trimMemory");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;  // another JavaCPP: growth then only costs resident memory, not correctness
        }
    }

    /** Returns the C heap's free pages to the system (glibc malloc_trim); a no-op where that is unavailable. */
    static void trimNativeHeap() {
        if (TRIM == null) return;
        try {
            TRIM.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // best effort: only resident memory is at stake
        }
    }
}
