package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kotlin users read results as properties (`run.finalLoss`, not `run.finalLoss()`): checked by compiling real scripts. */
class KotlinIdiomsScriptIT {

    @Test void resultTypesReadAsPropertiesInAScript(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("props.main.kts");
        Files.writeString(script, String.join("\n",
                "import org.tuneless.dsl.*",
                "val run = train { model = mlp(784, 8, 10); data = fashionMnist(subset = 128); steps = 4; optimizer = adam(); evaluate(every = 2) }",
                "val net = run.network!!",
                "check(run.history.size == 4 && run.history.first().loss > 0 && run.finalLoss > 0 && run.bestLoss <= run.history.first().loss)",
                "check(run.evaluations.isNotEmpty() && run.testAccuracy != null && run.seconds > 0 && !run.diverged)",
                "check(net.parameterCount == net.layout.size && net.layout.tensors.size == 4)",
                "println(\"PROPS status=\" + run.status + \" steps=\" + run.history.size + \" params=\" + net.parameterCount + \" lr=\" + run.learningRates.last())",
                ""));
        ScriptRunnerIT.Outcome o = ScriptRunnerIT.run(script.toString());
        assertEquals(0, o.code(), o.output());
        assertTrue(o.output().contains("PROPS status=COMPLETED steps=4 params=6370 lr=0.001"), o.output());
    }

    @Test void theReadmeExampleScriptPrintsPropertiesOfItsRun() throws Exception {
        ScriptRunnerIT.Outcome o = ScriptRunnerIT.run(Path.of("scripts/hello.main.kts").toAbsolutePath().toString(), "6");
        assertEquals(0, o.code(), o.output());
        assertTrue(o.output().matches("(?s).*final loss \\d+\\.\\d{4}, status COMPLETED, 6 steps, test accuracy 0\\.\\d{3}.*"), o.output());
    }
}
