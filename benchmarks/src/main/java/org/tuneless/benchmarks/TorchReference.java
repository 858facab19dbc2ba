package org.tuneless.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Runs benchmarks/python/torch_reference.py with Debian's /usr/bin/python3 and reads its JSON line. */
final class TorchReference {

    static final String PYTHON = "/usr/bin/python3";

    private TorchReference() {}

    static Path script() {
        Path p = Path.of("benchmarks/python/torch_reference.py");
        if (!p.toFile().exists()) p = Path.of("python/torch_reference.py");
        if (!p.toFile().exists()) throw new IllegalStateException("cannot find benchmarks/python/torch_reference.py; run from the repository root");
        return p;
    }

    static JsonNode run(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(System.getenv().getOrDefault("TUNELESS_PYTHON", PYTHON), script().toString()));
        cmd.addAll(args);
        // benchmarks/run gpu: the PyTorch side on the GPU too (the Java side is on whatever backend ND4J loaded)
        String device = System.getenv("TUNELESS_TORCH_DEVICE");
        if (device != null && !device.isBlank()) cmd.addAll(List.of("--device", device));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("OMP_NUM_THREADS", System.getenv().getOrDefault("OMP_NUM_THREADS", "1"));
            // benchmarks/run: PyTorch runs with glibc's default allocator settings unless TUNELESS_BENCH_TORCH_TUNABLES=same
            if (System.getenv("TUNELESS_TORCH_UNSET_GLIBC_TUNABLES") != null) pb.environment().remove("GLIBC_TUNABLES");
            Process p = pb.start();
            String json = null;
            StringBuilder all = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                for (String line; (line = r.readLine()) != null; ) {
                    all.append(line).append('\n');
                    if (line.startsWith("{")) json = line;
                }
            }
            if (p.waitFor() != 0 || json == null) {
                throw new IllegalStateException("PyTorch reference failed (is python3-torch installed? apt-get install python3-torch):\n" + all);
            }
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + PYTHON + ": " + e.getMessage() + " (apt-get install python3-torch)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<Double> times(JsonNode n) {
        List<Double> out = new ArrayList<>();
        n.get("times_ms").forEach(t -> out.add(t.asDouble()));
        return out;
    }
}
