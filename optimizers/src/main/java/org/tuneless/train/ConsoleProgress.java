package org.tuneless.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar (stderr) with the current loss and learning rate. */
public final class ConsoleProgress implements TrainerPlugin {

    private ProgressBar bar;

    @Override public void onStart(TrainingContext context) {
        bar = new ProgressBarBuilder()
                .setTaskName(context.optimizer().name())
                .setInitialMax(context.totalSteps())
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .continuousUpdate()
                .build();
    }

    @Override public void onStep(TrainingContext context, StepRecord record) {
        bar.stepTo(record.step() + 1);
        bar.setExtraMessage(String.format("loss %.4g lr %.3g", record.loss(), record.learningRate()));
    }

    @Override public void onFinish(TrainingContext context, TrainingRun run) {
        if (bar != null) bar.close();
    }
}
