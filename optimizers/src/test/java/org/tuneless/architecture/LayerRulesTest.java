package org.tuneless.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core's packages form layers and import only downwards (see optimizers/README.md):
 *
 * <pre>
 *   metrics, tensor     names of recorded quantities; flat vectors, workspaces, parameter layout
 *   objective           Objective (loss, gradient, HVP, uᵀHu), Batch, capabilities, test functions
 *   (catalog            generic catalog infrastructure: entries, typed parameters, JSON — imports no other layer)
 *   nn                  layers, Network, NetworkObjective, models, losses
 *   curvature           power iteration, Lanczos, Hutchinson, SLQ, preconditioned sharpness, uᵀHu, ELR
 *   optim               optimizers, their state, step-size tuners, theory models
 *   data                datasets, readers, batch streams, augmentation
 *   train               Trainer, plug-ins (curvature tracking, progress), TrainingRun, run files
 *   run                 run specifications (JSON), catalogs, sweeps' trial values, trial executors
 *   bench               the benchmark: suites, workloads, results, performance profiles, claim checks
 * </pre>
 *
 * A class may depend on its own layer and the layers below it, never above. A later change that imports upwards fails
 * this test, which names the offending class and dependency.
 */
class LayerRulesTest {

    /** Bottom to top; each entry is a layer: the packages in it. */
    static final List<List<String>> LAYERS = List.of(
            List.of("catalog"),
            List.of("metrics", "tensor"),
            List.of("objective"),
            List.of("nn"),
            List.of("curvature"),
            List.of("optim"),
            List.of("data"),
            List.of("train"),
            List.of("run"),
            List.of("bench"));

    static JavaClasses core;

    @BeforeAll static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.tuneless");
    }

    static String[] packages(List<List<String>> layers) {
        return layers.stream().flatMap(List::stream).map(p -> "org.tuneless." + p + "..").toArray(String[]::new);
    }

    @Test void everyLayerImportsOnlyItselfAndTheLayersBelow() {
        for (int i = 0; i < LAYERS.size() - 1; i++) {
            List<List<String>> above = LAYERS.subList(i + 1, LAYERS.size());
            ArchRule rule = noClasses().that().resideInAnyPackage(packages(List.of(LAYERS.get(i))))
                    .should().dependOnClassesThat().resideInAnyPackage(packages(above))
                    .because("layer " + LAYERS.get(i) + " sits below " + above + " (see optimizers/README.md)")
                    .allowEmptyShould(true);
            rule.check(core);
        }
    }

    @Test void theEngineNamesNoOptimizer() {
        noClasses().that().resideInAnyPackage("org.tuneless.nn..", "org.tuneless.objective..", "org.tuneless.tensor..", "org.tuneless.curvature..")
                .should().dependOnClassesThat().resideInAPackage("org.tuneless.optim..")
                .because("optimizer-specific needs are met through capabilities of the objective, not by the engine knowing optimizers")
                .check(core);
    }
}
