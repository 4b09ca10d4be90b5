package dev.convj.runtime.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The progress bar of one epoch: images done, running loss and accuracy (NaN: not shown), images per second. */
final class ProgressReporter implements AutoCloseable {
    private final ProgressBar bar;

    ProgressReporter(PrintStream out, String task, int images) {
        bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(images)
                .setUnit(" img", 1)
                .showSpeed(new java.text.DecimalFormat("#,##0"))
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(out, 120))
                .clearDisplayOnFinish()
                .build();
    }

    void advance(int images, double loss, double accuracy) {
        bar.stepBy(images);
        bar.setExtraMessage(Double.isNaN(accuracy) ? String.format(Locale.ROOT, " loss %.4f", loss)
                : String.format(Locale.ROOT, " loss %.4f acc %.1f%%", loss, 100 * accuracy));
    }

    @Override
    public void close() {
        bar.close();
    }
}
