package org.tuneless.samples;

import java.nio.file.Path;
import java.util.Map;

import org.tuneless.data.FashionMnist;
import org.tuneless.data.MinibatchStream;
import org.tuneless.data.TrainTestSplit;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.optim.Optimizers;
import org.tuneless.train.TrainingRun;
import org.tuneless.train.Trainer;

/**
 * The README's Java example as a program: train an MLP on the embedded Fashion-MNIST subset and read the results.
 * Run: {@code java -cp "samples/target/tuneless-samples-*.jar:samples/target/lib/*" org.tuneless.samples.EmbeddingExample}
 */
public final class EmbeddingExample {

    public static void main(String[] args) {
        TrainTestSplit data = FashionMnist.embedded();
        Network net = Models.mlp(784, 256, 256, 10);
        TrainingRun run = Trainer.builder()
                .network(net).loss(new SoftmaxCrossEntropy())
                .data(new MinibatchStream(data.train(), 128, 0)).evaluateOn("test", data.test().fullBatch())
                .optimizer(Optimizers.create("adam", Map.of("lr", "1e-3"))).steps(args.length > 0 ? Long.parseLong(args[0]) : 500).evaluateEvery(50)
                .build().run();
        System.out.print(run.summary());
        run.writeTo(Path.of("runs/embedding-example"));
        double accuracy = run.lastEvaluation("test").orElseThrow().accuracy();
        System.out.printf("test accuracy %.1f%% after %d steps; history has %d rows and columns %s%n",
                100 * accuracy, run.history().size(), run.history().size(), run.columns());
    }
}
