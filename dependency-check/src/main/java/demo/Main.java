package demo;
import org.tuneless.data.*; import org.tuneless.nn.*; import org.tuneless.optim.*; import org.tuneless.train.*;
import java.util.Map;
public class Main {
  public static void main(String[] a) {
    TrainTestSplit data = FashionMnist.embedded();
    TrainingRun run = Trainer.builder().network(Models.mlp(784, 32, 10)).loss(new SoftmaxCrossEntropy())
        .data(new MinibatchStream(data.train(), 64, 0)).evaluateOn("test", data.test().fullBatch())
        .optimizer(Optimizers.create("adam", Map.of("lr", "1e-3"))).steps(20).evaluateEvery(20).build().run();
    System.out.print(run.summary());
  }
}
