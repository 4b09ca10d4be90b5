package dev.convj.runtime.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss and accuracy curves per epoch, drawn with XChart and written as PNG (through ImageIO) and SVG (through
 * VectorGraphics2D): {@code loss.png}, {@code loss.svg}, {@code accuracy.png}, {@code accuracy.svg}.
 */
public final class Curves {
    private Curves() {}

    /** Writes the four files (two for a regression model: loss only) into {@code dir} and returns their paths. */
    public static List<Path> write(History history, Path dir, String title) throws IOException {
        if (history.size() == 0) {
            throw new IllegalArgumentException("no epoch to plot");
        }
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        boolean classifier = history.last().hasAccuracy();
        XYChart loss = chart(title + ": loss", classifier ? "cross-entropy loss" : "loss",
                Styler.LegendPosition.InsideNE);
        add(loss, "train", history, EpochStats::trainLoss);
        add(loss, "validation", history, EpochStats::valLoss);
        written.addAll(save(loss, dir.resolve("loss")));
        if (!classifier) {
            return written; // a regression model has no accuracy to plot
        }
        XYChart acc = chart(title + ": accuracy", "accuracy (%)", Styler.LegendPosition.InsideSE);
        add(acc, "train", history, s -> 100 * s.trainAccuracy());
        add(acc, "validation", history, s -> 100 * s.valAccuracy());
        written.addAll(save(acc, dir.resolve("accuracy")));
        return written;
    }

    private static XYChart chart(String title, String yTitle, Styler.LegendPosition legend) {
        XYChart c = new XYChartBuilder().width(720).height(440).title(title).xAxisTitle("epoch").yAxisTitle(yTitle)
                .build();
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setLegendPosition(legend);
        c.getStyler().setMarkerSize(7);
        return c;
    }

    private static void add(XYChart chart, String name, History history,
                            java.util.function.ToDoubleFunction<EpochStats> f) {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (EpochStats s : history.epochs()) {
            double v = f.applyAsDouble(s);
            if (!Double.isNaN(v)) {
                x.add((double) s.epoch());
                y.add(v);
            }
        }
        if (!x.isEmpty()) {
            chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
        }
    }

    private static List<Path> save(XYChart chart, Path base) throws IOException {
        // XChart appends the extension itself.
        BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return List.of(Path.of(base + ".png"), Path.of(base + ".svg"));
    }
}
