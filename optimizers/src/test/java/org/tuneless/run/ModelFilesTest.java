package org.tuneless.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.objective.Batch;
import org.tuneless.tensor.SafeTensors;
import org.tuneless.train.TrainingRun;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Models saved as safetensors reload into Tuneless with identical predictions (catalog models through {@link ModelFiles},
 * any network with its batch-norm buffers through {@link Network#save}/{@link Network#load}); NumPy reads the same
 * values; mismatching files are refused by name.
 */
class ModelFilesTest {

    @TempDir Path dir;

    static RunSpec tinySpec(String dtype) {
        return RunSpec.defaults().withModel(Catalogs.MODELS.spec("mlp", Map.of("widths", List.of(16, 8, 1))))
                .withData(Catalogs.DATA.spec("teacher-student", Map.of("samples", 64))).withLoss(Catalogs.LOSSES.spec("mse"))
                .withSteps(3).withBatch(RunSpec.Batch.of(16)).withDtype(dtype);
    }

    @Test void aSavedRunReloadsWithIdenticalPredictions() {
        TrainingRun run = tinySpec("float64").run();
        Path f = dir.resolve("model.safetensors");
        ModelFiles.save(f, run);
        Network loaded = ModelFiles.load(f);
        Network trained = run.network().orElseThrow();
        assertEquals(DataType.DOUBLE, loaded.dataType());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 16);
        assertArrayEquals(trained.predict(x).toDoubleMatrix(), loaded.predict(x).toDoubleMatrix());
        assertArrayEquals(run.evaluationParameters().toDoubleVector(), loaded.parameters().toDoubleVector());
    }

    @Test void buffersAreSavedAndAMismatchingArchitectureIsRefused() {
        Network net = Network.builder(6).dense(8).batchNorm().relu().dense(3).build(DataType.FLOAT, 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 10, 6).muli(3).addi(1);
        INDArray g = Nd4j.zeros(DataType.FLOAT, net.parameterCount());
        net.lossAndGradient(new SoftmaxCrossEntropy(), new Batch(x, Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1, 2, 0).castTo(DataType.FLOAT)), g);
        assertEquals(List.of("batchnorm1.running_mean", "batchnorm1.running_var"), net.bufferNames().stream().map(s -> s.replaceAll("\\d+\\.", "1.")).toList());
        Path f = dir.resolve("bn.safetensors");
        net.save(f);
        Network fresh = Network.builder(6).dense(8).batchNorm().relu().dense(3).build(DataType.FLOAT, 99);
        fresh.load(f);
        net.eval();
        fresh.eval();
        assertArrayEquals(net.predict(x).toFloatMatrix(), fresh.predict(x).toFloatMatrix(), "eval mode uses the loaded running statistics");
        Network wider = Network.builder(6).dense(9).batchNorm().relu().dense(3).build(DataType.FLOAT, 1);
        String m = assertThrows(IllegalArgumentException.class, () -> wider.load(f)).getMessage();
        assertTrue(m.contains(f.toAbsolutePath().toString()) && m.contains("has shape [6, 8] but the model's is [6, 9]"), m);
        Network other = Network.builder(6).dense(8).relu().dense(3).build(DataType.FLOAT, 1);
        m = assertThrows(IllegalArgumentException.class, () -> other.load(f)).getMessage();
        assertTrue(m.contains("is missing") || m.contains("is not part of the model"), m);
        m = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(f)).getMessage();
        assertTrue(m.contains("no tuneless.format"), m);
    }

    /** The file opens in NumPy (no safetensors or torch package needed) with the values Java wrote. */
    @Test void numpyReadsTheSameValues() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "skipped: /usr/bin/python3 is not installed (.ci/setup installs it)");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import numpy").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "skipped: NumPy is not installed for /usr/bin/python3 (apt-get install python3-numpy; .ci/setup does)");
        TrainingRun run = tinySpec("float32").run();
        Path f = dir.resolve("model.safetensors");
        ModelFiles.save(f, run);
        SafeTensors.Contents c = SafeTensors.read(f);
        ObjectMapper json = new ObjectMapper();
        ObjectNode expected = json.createObjectNode();
        expected.set("metadata", json.valueToTree(c.metadata()));
        ObjectNode tensors = expected.putObject("tensors");
        Map<String, INDArray> named = new LinkedHashMap<>(run.network().orElseThrow().namedTensors());
        assertEquals(named.keySet(), c.tensors().keySet());
        for (Map.Entry<String, INDArray> e : named.entrySet()) {
            ObjectNode t = tensors.putObject(e.getKey());
            t.put("dtype", "F32");
            t.set("shape", json.valueToTree(e.getValue().shape()));
            t.set("values", json.valueToTree(e.getValue().dup('c').reshape(e.getValue().length()).toDoubleVector()));
        }
        Path exp = dir.resolve("expected.json");
        json.writeValue(exp.toFile(), expected);
        Path script = dir.resolve("check_safetensors.py");
        try (InputStream in = getClass().getResourceAsStream("/python/check_safetensors.py")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder(python.toString(), script.toString(), f.toString(), exp.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python check timed out");
        assertEquals(0, p.exitValue(), out);
        assertEquals("ok " + named.size() + " tensors", out.trim());
    }
}
